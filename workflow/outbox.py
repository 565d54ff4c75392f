"""The outbox: outgoing work stored with the transaction that caused it, sent after commit.

Senders (Slack, Kintone, SMTP, files) register a handler per job kind; `drain` claims due jobs
(FOR UPDATE SKIP LOCKED on PostgreSQL, a lease on SQLite), runs the handler, and records the
outcome. A failure is retried later with exponential backoff and full jitter, the next attempt
time stored so a restart keeps it; `Permanent` failures go to the dead state.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from workflow.db import utcnow
from workflow.models import OutboxJob, ProcessedRequest

log = logging.getLogger(__name__)

Handler = Callable[[OutboxJob], None]


class Permanent(Exception):
    """A failure that retrying cannot fix (bad request): the job goes to the dead state."""


class Skip(Exception):
    """The feature is not configured: the job is closed as skipped, with the reason."""


def backoff_seconds(attempt: int, *, base: float = 2.0, cap: float = 900.0) -> float:
    """Full-jitter exponential backoff (AWS architecture blog): uniform(0, min(cap, base*2^n)).

    Hand-written because the delay must be stored in the row, not slept in-process as
    tenacity's retry loop would.
    """
    return random.uniform(0, min(cap, base * (2 ** min(attempt, 30))))


def enqueue(session: Session, *, kind: str, dedupe_key: str, payload: Mapping[str, Any],
            ticket_id: int | None = None, not_before: datetime | None = None) -> OutboxJob | None:
    """Add a job inside the caller's transaction; a job with the same key is not added twice."""
    existing = session.scalar(select(OutboxJob).where(OutboxJob.dedupe_key == dedupe_key))
    if existing is not None:
        return None
    job = OutboxJob(kind=kind, dedupe_key=dedupe_key, payload=dict(payload), ticket_id=ticket_id,
                    next_attempt_at=not_before or utcnow())
    session.add(job)
    return job


@dataclass(frozen=True)
class DrainResult:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    skipped: int = 0


def claim(factory: sessionmaker[Session], *, kinds: list[str], worker: str, limit: int = 20,
          lease_seconds: int = 120, now: datetime | None = None) -> list[OutboxJob]:
    """Claim up to `limit` due jobs of `kinds` for `worker`; no two workers get the same job."""
    now = now or utcnow()
    with factory() as session, session.begin():
        query = (
            select(OutboxJob)
            .where(OutboxJob.kind.in_(kinds), OutboxJob.state == "pending",
                   OutboxJob.next_attempt_at <= now,
                   or_(OutboxJob.lease_until.is_(None), OutboxJob.lease_until < now))
            .order_by(OutboxJob.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        jobs = list(session.scalars(query))
        for job in jobs:
            job.lease_until = now + timedelta(seconds=lease_seconds)
            job.attempts += 1
        return jobs


def drain(factory: sessionmaker[Session], handlers: Mapping[str, Handler], *, worker: str,
          limit: int = 100, now: Callable[[], datetime] = utcnow) -> DrainResult:
    """Send what is due now, once; returns counts. Handlers must be idempotent per job."""
    sent = retried = dead = skipped = 0
    for job in claim(factory, kinds=list(handlers), worker=worker, limit=limit, now=now()):
        values: dict[str, Any]
        try:
            handlers[job.kind](job)
        except Skip as exc:
            values = {"state": "skipped", "last_error": str(exc), "done_at": now()}
            skipped += 1
        except Permanent as exc:
            log.warning("outbox job %s (%s) failed permanently: %s", job.id, job.kind, exc)
            values = {"state": "dead", "last_error": str(exc)}
            dead += 1
        except Exception as exc:
            log.warning("outbox job %s (%s) failed, will retry: %s", job.id, job.kind, exc)
            delay = backoff_seconds(job.attempts)
            values = {"last_error": f"{type(exc).__name__}: {exc}",
                      "next_attempt_at": now() + timedelta(seconds=delay)}
            retried += 1
        else:
            values = {"state": "done", "done_at": now(), "last_error": ""}
            sent += 1
        values["lease_until"] = None
        with factory() as session, session.begin():
            session.execute(update(OutboxJob).where(OutboxJob.id == job.id).values(**values))
    return DrainResult(sent, retried, dead, skipped)


def pending_for_ticket(session: Session, ticket_id: int) -> list[OutboxJob]:
    """Jobs of a ticket not yet sent (shown as pending on the ticket)."""
    return list(session.scalars(
        select(OutboxJob).where(OutboxJob.ticket_id == ticket_id,
                                OutboxJob.state.in_(("pending", "dead")))
        .order_by(OutboxJob.id)))


def requeue_dead(factory: sessionmaker[Session], *, kinds: list[str] | None = None) -> int:
    """Put dead jobs back in the queue (an operator fixed the cause)."""
    with factory() as session, session.begin():
        stmt = update(OutboxJob).where(OutboxJob.state == "dead")
        if kinds:
            stmt = stmt.where(OutboxJob.kind.in_(kinds))
        result = session.execute(stmt.values(state="pending", next_attempt_at=utcnow()))
        return int(getattr(result, "rowcount", 0) or 0)


def once(factory: sessionmaker[Session], key: str) -> bool:
    """Record `key` as handled; False when it was handled before (by any replica)."""
    try:
        with factory() as session, session.begin():
            session.add(ProcessedRequest(key=key))
    except IntegrityError:
        return False
    return True
