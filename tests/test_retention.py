"""Retention (issue 10, part 8): delivered batches lose their records after
EXPORT_RETENTION_DAYS but keep their row; finished jobs, old request ids and fires go; the
nightly prune runs once across replicas; `renkei db prune [--dry-run]` says what goes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select, text, update
from typer.testing import CliRunner

from bot.cli.app import app
from exporter import jobs, retention
from exporter.batches import enqueue_close
from exporter.models import DEAD, DONE, ExportBatch
from exporter.outbox import drain
from exporter.status import store_status
from tests.dbs import Database
from tests.export_support import (
    DAY,
    TZ,
    Clock,
    batches,
    fast_settings,
    receiver,
    sender,
    settings_for,
    setup_stores,
)
from tests.test_export_kinds import cli_env
from tests.webhook_receiver import Receiver
from workflow import retention as workflow_retention
from workflow.db import utcnow
from workflow.models import OutboxJob, ProcessedRequest, ScheduledFire

__all__ = ["cli_env", "receiver", "sender"]
OLD_DAY = DAY - timedelta(days=1)


def test_delivered_records_are_pruned_after_retention_and_the_rows_stay(
        database: Database, receiver: Receiver, sender: object) -> None:
    setup_stores(database, stores=2, days=2, receipts=5)
    for day in (OLD_DAY, DAY):
        enqueue_close(database.factory, TZ, day)
    drain(database.factory, sender, worker="t")  # type: ignore[arg-type]
    now = utcnow()
    with database.factory() as session, session.begin():
        session.execute(update(ExportBatch).where(ExportBatch.business_date == OLD_DAY)
                        .values(delivered_at=now - timedelta(days=36)))
        held = session.scalars(select(ExportBatch.id).where(
            ExportBatch.business_date == OLD_DAY).order_by(ExportBatch.id)).first()
        # a batch the partner refused long ago has not gone out: it keeps its records
        session.execute(update(ExportBatch).where(ExportBatch.id == held).values(state=DEAD))
    before = {s.store_code: s.delivered for s in store_status(database.factory)}
    assert retention.prune_batches(database.factory, days=35, now=now, dry_run=True) == {
        "export_batches (records)": 15}
    assert all(b.pruned_at is None for b in batches(database))
    assert retention.prune_batches(database.factory, days=35, now=now) == {
        "export_batches (records)": 15}
    rows = {b.id: b for b in batches(database)}
    pruned = [b for b in rows.values() if b.pruned_at is not None]
    assert len(pruned) == 15 and all(b.body == "" and b.business_date == OLD_DAY
                                     and b.state == DONE and b.delivered_at for b in pruned)
    assert all(b.record_count >= 0 and b.idempotency_key for b in pruned)
    assert rows[held].body and rows[held].pruned_at is None
    assert all(b.body for b in rows.values() if b.business_date == DAY)
    # the rows still count for status, and the same day enqueued again adds nothing
    with database.factory() as session, session.begin():
        session.execute(update(ExportBatch).where(ExportBatch.id == held).values(state=DONE))
    assert {s.store_code: s.delivered for s in store_status(database.factory)} == {
        k: v + (1 if k == "0001" else 0) for k, v in before.items()}
    assert enqueue_close(database.factory, TZ, OLD_DAY) == []
    # once delivered (long ago here) it goes the same way, and nothing else is left to prune
    assert retention.prune_batches(database.factory, days=35, now=now) == {
        "export_batches (records)": 1}
    assert retention.prune_batches(database.factory, days=35, now=now) == {
        "export_batches (records)": 0}


def _bookkeeping(db: Database) -> None:
    now = utcnow()
    old, recent = now - timedelta(days=40), now - timedelta(days=2)
    with db.factory() as session, session.begin():
        for n, (state, done_at) in enumerate([("done", old), ("skipped", old), ("done", recent),
                                              ("pending", None), ("dead", None)]):
            session.add(OutboxJob(kind="slack_post", dedupe_key=f"job-{n}", payload={},
                                  state=state, done_at=done_at, created_at=old))
        session.add_all([ProcessedRequest(key="slack-retry-old", at=old),
                         ProcessedRequest(key="slack-retry-new", at=recent)])
        session.add_all([ScheduledFire(job_id="export:hourly", fire_time=now - timedelta(days=8),
                                       claimed_by="w"),
                         ScheduledFire(job_id="export:hourly", fire_time=recent,
                                       claimed_by="w")])


def _counts(db: Database) -> tuple[int, int, int]:
    with db.factory() as session:
        return tuple(int(session.scalar(select(func.count()).select_from(m)) or 0)
                     for m in (OutboxJob, ProcessedRequest, ScheduledFire))  # type: ignore[return-value]


def test_finished_jobs_old_request_ids_and_fires_go_pending_and_dead_jobs_stay(
        database: Database) -> None:
    _bookkeeping(database)
    expected = {"outbox_jobs": 2, "processed_requests": 1, "scheduled_fires": 1}
    assert workflow_retention.prune(database.factory, outbox_days=35, dry_run=True) == expected
    assert _counts(database) == (5, 2, 2)
    assert workflow_retention.prune(database.factory, outbox_days=35) == expected
    assert _counts(database) == (3, 1, 1)
    with database.factory() as session:
        assert sorted(session.scalars(select(OutboxJob.state))) == ["dead", "done", "pending"]
        assert list(session.scalars(select(ProcessedRequest.key))) == ["slack-retry-new"]


def test_the_nightly_prune_runs_once_across_replicas(database: Database) -> None:
    _bookkeeping(database)
    clock = Clock(utcnow())
    replicas = [jobs.ExportJobs(BackgroundScheduler(timezone=TZ), database.factory,
                                settings_for("/tmp/unused"), fast_settings(), worker=f"w{n}",
                                clock=clock) for n in range(2)]
    try:
        results = [r.prune() for r in replicas]
    finally:
        for r in replicas:
            r.sender.close()
    assert results.count(None) == 1
    done = next(r for r in results if r is not None)
    assert done["outbox_jobs"] == 2 and done["export_batches (records)"] == 0
    scheduler = BackgroundScheduler(timezone=TZ)
    bound = jobs.register(scheduler, database.factory, settings_for("/tmp/unused"),
                          worker="w", xsettings=fast_settings())
    try:
        job = scheduler.get_job("export:prune")
        assert job is not None and str(job.trigger).startswith("cron[hour='4', minute='30'")
    finally:
        bound.sender.close()


def test_cli_db_prune_dry_run_then_prune(cli_env: Path, sqlite_db: Database) -> None:
    _bookkeeping(sqlite_db)
    runner = CliRunner()
    result = runner.invoke(app, ["db", "prune", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would prune" in result.output
    assert [line.split() for line in result.output.splitlines()[1:]] == [
        ["export_batches", "(records)", "0"], ["outbox_jobs", "2"],
        ["processed_requests", "1"], ["scheduled_fires", "1"]]
    assert _counts(sqlite_db) == (5, 2, 2)
    result = runner.invoke(app, ["db", "prune"])
    assert result.exit_code == 0 and "pruned" in result.output, result.output
    assert _counts(sqlite_db) == (3, 1, 1)


def test_a_server_without_autovacuum_is_vacuumed_after_the_prune(database: Database) -> None:
    """On PostgreSQL with autovacuum off (as on this CI machine's server) the churned tables
    are vacuumed after a prune; with it on, or on SQLite, nothing is done."""
    with database.factory() as session:
        off = session.get_bind().dialect.name == "postgresql" and \
            session.scalar(text("SHOW autovacuum")) == "off"
    done = workflow_retention.vacuum_when_off(database.factory)
    assert done == (list(workflow_retention.CHURNED) if off else [])
    if off:
        with database.factory() as session:
            analysed = session.scalar(text(
                "SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables "
                "WHERE relname = 'export_batches'"))
        assert analysed
