"""Scheduled fires with a real APScheduler and the once-across-replicas claim (`POST
/pos/close` is tested over HTTP in test_pos_http.py)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from exporter import jobs
from exporter.kinds import ALL_KINDS
from tests.dbs import Database
from tests.export_support import (
    DAY,
    TZ,
    batches,
    fast_settings,
    receiver,
    settings_for,
    setup_stores,
)
from tests.webhook_receiver import Receiver
from workflow.models import ScheduledFire

__all__ = ["receiver"]
# 2026-11-20 23:30:20 JST: store 0001 (居酒屋, 23:30) has just closed; the hour 22:00 is over.
AT_CLOSE = datetime(2026, 11, 20, 14, 30, 20, tzinfo=UTC)


def _run_now(scheduler: BackgroundScheduler, job_ids: list[str]) -> threading.Event:
    """Fire `job_ids` now (the real scheduler thread runs them); the event is set when all
    ran."""
    pending = set(job_ids)
    done = threading.Event()
    errors: list[BaseException] = []

    def listener(event: JobExecutionEvent) -> None:
        if event.exception is not None:
            errors.append(event.exception)
        pending.discard(event.job_id)
        if not pending:
            done.set()

    scheduler.add_listener(listener, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    for job_id in job_ids:
        scheduler.modify_job(job_id, next_run_time=datetime.now(TZ))
    assert done.wait(60), f"jobs did not run: {pending}"
    assert not errors, errors
    return done


def _scheduler() -> BackgroundScheduler:
    return BackgroundScheduler(timezone=TZ, job_defaults={"misfire_grace_time": 30})


def test_close_and_hourly_jobs_enqueue_and_the_drain_job_delivers(
        sqlite_db: Database, receiver: Receiver) -> None:
    setup_stores(sqlite_db, stores=2, receipts=30)
    scheduler = _scheduler()
    bound = jobs.register(scheduler, sqlite_db.factory, settings_for(receiver.url),
                          worker="w1", xsettings=fast_settings(
                              EXPORT_DRAIN_INTERVAL_SECONDS=0.2), clock=lambda: AT_CLOSE)
    scheduler.start()
    try:
        _run_now(scheduler, ["export:refresh"])
        close_job = f"{jobs.CLOSE_PREFIX}23:30"
        assert scheduler.get_job(close_job) is not None  # 0001 closes at 23:30
        assert scheduler.get_job(f"{jobs.CLOSE_PREFIX}21:00") is not None  # 0002
        _run_now(scheduler, [close_job, "export:hourly"])
        expected = {b.idempotency_key for b in batches(sqlite_db)}
        kinds = {b.kind for b in batches(sqlite_db) if b.hour is None}
        assert kinds == {k.value for k in ALL_KINDS}
        assert any(b.hour == 22 for b in batches(sqlite_db))
        deadline = threading.Event()
        for _ in range(300):  # the drain interval job sends them; poll, no timing assert
            if set(receiver.accepted) >= expected:
                break
            deadline.wait(0.1)
        assert set(receiver.accepted) == expected
        # both were due at once and the scheduler's pool runs them side by side: any order
        assert sorted(job for job, _ in bound.fired) == sorted([close_job, "export:hourly"])
    finally:
        scheduler.shutdown()
        bound.sender.close()


def test_refresh_catches_up_a_close_nobody_fired(sqlite_db: Database) -> None:
    setup_stores(sqlite_db, stores=3)
    scheduler = _scheduler()
    later = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)  # 12:00 JST the next day
    bound = jobs.register(scheduler, sqlite_db.factory, settings_for("/tmp/unused"),
                          worker="w1", xsettings=fast_settings(), clock=lambda: later)
    bound.refresh()  # scheduler not started: call the job function directly
    by_store = {(b.store_code, b.business_date) for b in batches(sqlite_db) if b.hour is None}
    # 0003 (ラーメン, closes 02:00) closed DAY at 02:00 on the 21st: due too
    assert {s for s, d in by_store if d == DAY} == {"0001", "0002", "0003"}
    count = len(batches(sqlite_db))
    bound.refresh()
    assert len(batches(sqlite_db)) == count


def test_two_schedulers_on_one_postgresql_run_each_fire_once(pg_db: Database) -> None:
    setup_stores(pg_db, stores=3, receipts=30)
    schedulers = [_scheduler(), _scheduler()]
    bound = [jobs.register(s, pg_db.factory, settings_for("/tmp/unused"), worker=f"w{n}",
                           xsettings=fast_settings(EXPORT_DRAIN_INTERVAL_SECONDS=3600),
                           clock=lambda: AT_CLOSE) for n, s in enumerate(schedulers)]
    for s, b in zip(schedulers, bound, strict=True):
        b.refresh()
        s.start(paused=True)
    close_job = f"{jobs.CLOSE_PREFIX}23:30"
    try:
        events = []
        for s in schedulers:
            s.resume()
        # both replicas fire the same close and hourly job at the same moment
        threads = [threading.Thread(target=lambda s=s: events.append(
            _run_now(s, [close_job, "export:hourly"]))) for s in schedulers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(events) == 2
    finally:
        for s in schedulers:
            s.shutdown()
        for b in bound:
            b.sender.close()
    fired = [f for b in bound for f in b.fired]
    assert sorted(job for job, _ in fired) == sorted([close_job, "export:hourly"])
    with pg_db.factory() as session:
        claims = list(session.scalars(select(ScheduledFire)))
    assert sorted(c.job_id for c in claims) == sorted([close_job, "export:hourly"])
    rows = batches(pg_db)
    assert len({b.idempotency_key for b in rows}) == len(rows)
    assert {b.store_code for b in rows if b.hour is None and b.business_date == DAY} == {"0001"}
