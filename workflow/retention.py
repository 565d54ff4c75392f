"""Retention of the workflow's bookkeeping tables: rows that no longer prevent anything.

- finished outbox jobs (done, skipped) older than RENKEI_OUTBOX_RETENTION_DAYS: their work went
  out; pending and dead jobs are never pruned (each has a visible fate to keep showing);
- processed request ids older than the same: a Slack retry or a double click comes within
  minutes, a sender's "already done" proof matters while its job could still be retried;
- scheduled fires older than FIRE_RETENTION: a fire is claimed once at its scheduled time and
  APScheduler gives up on a missed fire after at most an hour, so a week-old claim can never
  be contended again.

`prune` reports what it removes (and with `dry_run` removes nothing); the exporter's tables
have their own (`exporter.retention`). After a prune, `vacuum_when_off` vacuums the churned
tables on a PostgreSQL server whose autovacuum is off.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from workflow.db import utcnow
from workflow.models import OutboxJob, ProcessedRequest, ScheduledFire

FIRE_RETENTION = timedelta(days=7)
FINISHED = ("done", "skipped")


def prune(factory: sessionmaker[Session], *, outbox_days: int, now: datetime | None = None,
          dry_run: bool = False) -> dict[str, int]:
    """Delete finished outbox jobs, old processed request ids and old fire claims; returns
    table -> rows removed (or that would be, with `dry_run`)."""
    now = now or utcnow()
    cutoff = now - timedelta(days=outbox_days)
    conditions = {
        "outbox_jobs": (OutboxJob, (OutboxJob.state.in_(FINISHED),
                                    OutboxJob.done_at < cutoff)),
        "processed_requests": (ProcessedRequest, (ProcessedRequest.at < cutoff,)),
        "scheduled_fires": (ScheduledFire, (ScheduledFire.fire_time < now - FIRE_RETENTION,)),
    }
    counts: dict[str, int] = {}
    with factory() as session, session.begin():
        for name, (model, where) in conditions.items():
            if dry_run:
                counts[name] = int(session.scalar(
                    select(func.count()).select_from(model).where(*where)) or 0)
            else:
                result = session.execute(delete(model).where(*where))
                counts[name] = int(getattr(result, "rowcount", 0) or 0)
    return counts


# The tables whose rows renkei updates or deletes night after night.
CHURNED = ("export_batches", "outbox_jobs", "processed_requests", "scheduled_fires")


def vacuum_when_off(factory: sessionmaker[Session], tables: Sequence[str] = CHURNED
                    ) -> list[str]:
    """VACUUM ANALYZE `tables` when the PostgreSQL server's autovacuum is off; returns the
    tables vacuumed (none on SQLite or with autovacuum on). A 閉局 updates each batch 3-4
    times and a prune empties or deletes thousands of rows: without any vacuum the dead rows
    pile up (2 million in export_batches after two 10,000-store nights) and the late-data
    scan slows threefold."""
    with factory() as session:
        engine = session.get_bind()
        if engine.dialect.name != "postgresql" or \
                session.scalar(text("SHOW autovacuum")) == "on":
            return []
    assert isinstance(engine, Engine)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in tables:
            conn.execute(text(f'VACUUM ANALYZE "{table}"'))
    return list(tables)
