"""Retention of the workflow's bookkeeping tables: rows that no longer prevent anything.

- finished outbox jobs (done, skipped) older than RENKEI_OUTBOX_RETENTION_DAYS: their work went
  out; pending and dead jobs are never pruned (each has a visible fate to keep showing);
- processed request ids older than the same: a Slack retry or a double click comes within
  minutes, a sender's "already done" proof matters while its job could still be retried;
- scheduled fires older than FIRE_RETENTION: a fire is claimed once at its scheduled time and
  APScheduler gives up on a missed fire after at most an hour, so a week-old claim can never
  be contended again.

`prune` reports what it removes (and with `dry_run` removes nothing); the exporter's tables
have their own (`exporter.retention`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
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
