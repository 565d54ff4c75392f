"""The outbox: outgoing work stored with the transaction that caused it, sent after commit.

Senders (Slack, Kintone, SMTP, files) register a handler per job kind; `drain` claims due jobs
(FOR UPDATE SKIP LOCKED on PostgreSQL) under a short lease and a claim token, renews the lease
from a heartbeat while the handlers run, and records each outcome only where its claim still
holds — a handler that outlived its lease cannot finish a job another worker re-took.

Each failure has a fate (workflow.fates): transient ones are retried with exponential backoff
and full jitter, or at the Retry-After the other side gave, the next attempt time stored in the
row so a restart keeps it; permanent ones go to the dead state with their code, shown on the
ticket and retried by `renkei outbox retry`; `Deferred` (a channel's pace) only waits.
Jobs of one ticket and kind go out in order (the thread reads in the order things happened).
"""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from workflow.db import utcnow
from workflow.fates import Deferred, Fate, JobFailed, Permanent, Transient
from workflow.models import OutboxJob, ProcessedRequest

log = logging.getLogger(__name__)

Handler = Callable[[OutboxJob], None]
OnDead = Callable[[OutboxJob, JobFailed], None]
_T = cast(Table, OutboxJob.__table__)
LEASE_SECONDS = 15.0  # renewed every third of it while the handler runs
MAX_RETRY_AFTER = 3600.0  # a service asking for more than an hour is treated as an hour

__all__ = ["DrainResult", "Handler", "Permanent", "Skip", "Transient", "backoff_seconds",
           "claim", "dead_jobs", "drain", "enqueue", "list_jobs", "once", "pending_for_ticket",
           "requeue"]


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
    deferred: int = 0
    lost: int = 0  # outcomes not recorded: the claim had passed to another worker


def claim(factory: sessionmaker[Session], *, kinds: list[str], worker: str, limit: int = 20,
          lease_seconds: float = LEASE_SECONDS, now: datetime | None = None) -> list[OutboxJob]:
    """Claim up to `limit` due jobs of `kinds` for `worker` (one claim token for them all);
    no two workers get the same job, and a job waits while an older one of its ticket and
    kind is still pending."""
    now = now or utcnow()
    token = f"{worker}:{uuid.uuid4().hex[:12]}"[-64:]
    j, o = _T, _T.alias("older")
    older_pending = select(o.c.id).where(
        o.c.ticket_id == j.c.ticket_id, o.c.kind == j.c.kind, o.c.state == "pending",
        o.c.id < j.c.id).exists()
    with factory() as session, session.begin():
        query = (
            select(OutboxJob)
            .where(OutboxJob.kind.in_(kinds), OutboxJob.state == "pending",
                   OutboxJob.next_attempt_at <= now,
                   or_(OutboxJob.lease_until.is_(None), OutboxJob.lease_until < now),
                   or_(OutboxJob.ticket_id.is_(None), ~older_pending))
            .order_by(OutboxJob.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=OutboxJob)
        jobs = list(session.scalars(query))
        for job in jobs:
            job.lease_until = now + timedelta(seconds=lease_seconds)
            job.claim_token = token
            job.attempts += 1
        session.flush()
        session.expunge_all()
        return jobs


@contextmanager
def heartbeat(factory: sessionmaker[Session], token: str, *, lease_seconds: float,
              now: Callable[[], datetime] = utcnow, table: Table = _T) -> Iterator[None]:
    """Renew the lease of every row still held under `token` (outbox jobs, or the exporter's
    batches) every third of the lease, so a long send keeps its rows and a killed worker's
    rows free within one lease."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(lease_seconds / 3):
            try:
                with factory() as session, session.begin():
                    session.execute(update(table).where(table.c.claim_token == token,
                                                        table.c.state == "pending")
                                    .values(lease_until=now() + timedelta(seconds=lease_seconds)))
            except Exception as exc:  # the next beat tries again; the lease still has time
                log.warning("outbox heartbeat failed: %s", exc)

    thread = threading.Thread(target=beat, name="outbox-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)


def _failure(exc: Exception) -> JobFailed:
    if isinstance(exc, JobFailed):
        return exc
    return Transient(f"{type(exc).__name__}: {exc}", code=f"error:{type(exc).__name__}")


def _outcome(job: OutboxJob, exc: Exception | None, now: datetime
             ) -> tuple[str, dict[str, Any], JobFailed | None]:
    """(what happened, the row's new values, the failure when the job is dead)."""
    if exc is None:
        return "sent", {"state": "done", "done_at": now, "last_error": "",
                        "last_error_code": "", "retry_after": None}, None
    if isinstance(exc, Skip):
        return "skipped", {"state": "skipped", "last_error": str(exc), "done_at": now}, None
    if isinstance(exc, Deferred):
        # Not an attempt: the job only waits for its channel's pace.
        return "deferred", {"attempts": job.attempts - 1,
                            "next_attempt_at": now + timedelta(seconds=exc.seconds)}, None
    failure = _failure(exc)
    values: dict[str, Any] = {"last_error": failure.detail[:2000],
                              "last_error_code": failure.code[:64]}
    if failure.fate == Fate.PERMANENT:
        log.warning("outbox job %s (%s) dead: %s [%s]", job.id, job.kind, failure.detail,
                    failure.code)
        return "dead", {**values, "state": "dead", "retry_after": None}, failure
    if failure.retry_after is not None:
        delay = min(max(failure.retry_after, 0.0), MAX_RETRY_AFTER)
    else:
        delay = backoff_seconds(job.attempts)
    log.warning("outbox job %s (%s) failed (%s), retry in %.1f s: %s", job.id, job.kind,
                failure.code, delay, failure.detail)
    return "retried", {**values, "retry_after": failure.retry_after,
                       "next_attempt_at": now + timedelta(seconds=delay)}, None


def drain(factory: sessionmaker[Session], handlers: Mapping[str, Handler], *, worker: str,
          limit: int = 100, now: Callable[[], datetime] = utcnow,
          lease_seconds: float = LEASE_SECONDS, on_dead: OnDead | None = None) -> DrainResult:
    """Send what is due now, once; returns counts. Handlers must be idempotent per job.
    `on_dead` is told of each job that went dead (after its row says so)."""
    counts = dict.fromkeys(("sent", "retried", "dead", "skipped", "deferred", "lost"), 0)
    jobs = claim(factory, kinds=list(handlers), worker=worker, limit=limit,
                 lease_seconds=lease_seconds, now=now())
    if not jobs:
        return DrainResult()
    token = str(jobs[0].claim_token)
    with heartbeat(factory, token, lease_seconds=lease_seconds, now=now):
        for job in jobs:
            error: Exception | None = None
            try:
                handlers[job.kind](job)
            except Exception as exc:
                error = exc
            what, dead = finish(factory, job, token, error, now=now())
            counts[what] += 1
            if dead is not None and on_dead is not None:
                job.state, job.last_error_code = "dead", dead.code
                try:
                    on_dead(job, dead)
                except Exception as exc:  # telling people is best effort; the row says dead
                    log.warning("could not report dead job %s: %s", job.id, exc)
    return DrainResult(**counts)


def finish(factory: sessionmaker[Session], job: OutboxJob, token: str,
           error: Exception | None, *, now: datetime) -> tuple[str, JobFailed | None]:
    """Record one attempt's outcome, only if `token` still holds the job: ("lost", None)
    when its lease ran out and another worker took it (that worker's outcome counts)."""
    what, values, dead = _outcome(job, error, now)
    values.update(lease_until=None, claim_token=None)
    with factory() as session, session.begin():
        result = session.execute(
            update(_T).where(and_(_T.c.id == job.id, _T.c.claim_token == token,
                                  _T.c.state == "pending")).values(**values))
    if not getattr(result, "rowcount", 0):
        log.warning("outbox job %s (%s): claim lost before its outcome (%s) was recorded",
                    job.id, job.kind, what)
        return "lost", None
    return what, dead


def pending_for_ticket(session: Session, ticket_id: int) -> list[OutboxJob]:
    """Jobs of a ticket not yet sent and still being tried (shown as waiting)."""
    return list(session.scalars(
        select(OutboxJob).where(OutboxJob.ticket_id == ticket_id, OutboxJob.state == "pending")
        .order_by(OutboxJob.id)))


def unsent_for_ticket(session: Session, ticket_id: int) -> list[OutboxJob]:
    """Jobs of a ticket pending or dead, oldest first (one query for the ticket's view)."""
    return list(session.scalars(
        select(OutboxJob).where(OutboxJob.ticket_id == ticket_id,
                                OutboxJob.state.in_(("pending", "dead")))
        .order_by(OutboxJob.id)))


def dead_jobs(session: Session, *, ticket_id: int | None = None) -> list[OutboxJob]:
    """Dead jobs (of one ticket, or all), oldest first."""
    query = select(OutboxJob).where(OutboxJob.state == "dead")
    if ticket_id is not None:
        query = query.where(OutboxJob.ticket_id == ticket_id)
    return list(session.scalars(query.order_by(OutboxJob.id)))


def list_jobs(session: Session, *, dead_only: bool = False, ticket_id: int | None = None,
              limit: int = 200) -> list[OutboxJob]:
    """Jobs not sent (pending and dead; only dead with `dead_only`), newest first."""
    states = ("dead",) if dead_only else ("pending", "dead")
    query = select(OutboxJob).where(OutboxJob.state.in_(states))
    if ticket_id is not None:
        query = query.where(OutboxJob.ticket_id == ticket_id)
    return list(session.scalars(query.order_by(OutboxJob.id.desc()).limit(limit)))


def requeue(session: Session, *, job_ids: list[int] | None = None,
            ticket_id: int | None = None, kinds: list[str] | None = None,
            now: datetime | None = None) -> list[int]:
    """Put dead jobs back in the queue (someone mended the cause), inside the caller's
    transaction; returns their ids. With no filter every dead job is requeued."""
    stmt = select(_T.c.id).where(_T.c.state == "dead")
    if job_ids is not None:
        stmt = stmt.where(_T.c.id.in_(job_ids))
    if ticket_id is not None:
        stmt = stmt.where(_T.c.ticket_id == ticket_id)
    if kinds:
        stmt = stmt.where(_T.c.kind.in_(kinds))
    ids = list(session.scalars(stmt.order_by(_T.c.id)))
    if ids:
        session.execute(update(_T).where(_T.c.id.in_(ids), _T.c.state == "dead").values(
            state="pending", next_attempt_at=now or utcnow(), lease_until=None,
            claim_token=None, retry_after=None))
    return ids


def requeue_dead(factory: sessionmaker[Session], *, kinds: list[str] | None = None) -> int:
    """Put dead jobs back in the queue (an operator fixed the cause); returns how many."""
    with factory() as session, session.begin():
        return len(requeue(session, kinds=kinds))


def run_once(factory: sessionmaker[Session], key: str, send: Callable[[], object]) -> None:
    """Run `send` unless `key` was recorded as handled, then record it: one step of a job
    (a thread post, a comment part) a retry of that job does not repeat. At least once: a
    crash between `send` and the record repeats that one step."""
    with factory() as session:
        if session.get(ProcessedRequest, key) is not None:
            return
    send()
    once(factory, key)


def once(factory: sessionmaker[Session], key: str) -> bool:
    """Record `key` as handled; False when it was handled before (by any replica)."""
    try:
        with factory() as session, session.begin():
            session.add(ProcessedRequest(key=key))
    except IntegrityError:
        return False
    return True
