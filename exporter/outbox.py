"""The drain loop: claim the head batch of each stream, send, record the outcome.

Per store and kind (a stream) batches go out in enqueue order: a batch is claimable only
when no older batch of its stream is pending or dead, so a failing batch holds back its own
stream and nothing else. Workers claim with FOR UPDATE SKIP LOCKED on PostgreSQL and, on
both databases, a short lease (lease_until + claim_token, renewed by a heartbeat while the
round is sent) that keeps other workers off a batch in flight and frees what a killed process
held within seconds. Transient failures get
full-jitter exponential backoff (429 waits for its Retry-After); the next attempt time is
stored in the row, so restarts keep it. Other 4xx responses go to the dead state until
`renkei export retry`.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from exporter.destinations import DEAD, DONE, Outcome, Outgoing, Sender
from exporter.models import PENDING, ExportBatch
from workflow.db import utcnow
from workflow.outbox import backoff_seconds, heartbeat

log = logging.getLogger(__name__)
_T = cast(Table, ExportBatch.__table__)
_MAX_RETRY_AFTER = 3600.0  # a partner asking for more than an hour is treated as an hour


@dataclass(frozen=True)
class DrainResult:
    """Counts of one drain: delivered, scheduled for retry, dead-lettered."""

    sent: int = 0
    retried: int = 0
    dead: int = 0
    records: int = 0

    def __add__(self, other: DrainResult) -> DrainResult:
        return DrainResult(self.sent + other.sent, self.retried + other.retried,
                           self.dead + other.dead, self.records + other.records)


def claim(factory: sessionmaker[Session], *, worker: str, limit: int, lease_seconds: float,
          now: datetime) -> list[Outgoing]:
    """Up to `limit` due stream heads, oldest first, leased to `worker`."""
    b, p = _T, _T.alias("p")
    older_open = select(p.c.id).where(
        p.c.stream == b.c.stream, p.c.state.in_((PENDING, DEAD)), p.c.id < b.c.id).exists()
    query = (
        select(b.c.id, b.c.idempotency_key, b.c.destination, b.c.makasete_company_code,
               b.c.makasete_store_code, b.c.kind, b.c.business_date, b.c.body, b.c.attempts,
               b.c.record_count)
        .where(b.c.state == PENDING, b.c.next_attempt_at <= now,
               or_(b.c.lease_until.is_(None), b.c.lease_until < now), ~older_open)
        .order_by(b.c.id).limit(limit))
    token = f"{worker}:{uuid.uuid4().hex[:12]}"[:64]
    with factory() as session, session.begin():
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=b)
        rows = session.execute(query).all()
        if not rows:
            return []
        ids = [r.id for r in rows]
        for start in range(0, len(ids), 500):
            session.execute(
                update(_T).where(_T.c.id.in_(ids[start:start + 500]))
                .values(lease_until=now + timedelta(seconds=lease_seconds), claim_token=token,
                        attempts=_T.c.attempts + 1))
    return [Outgoing(r.id, token, r.idempotency_key, r.destination, r.makasete_company_code,
                     r.makasete_store_code, r.kind, r.business_date.isoformat(), r.body,
                     r.attempts + 1, r.record_count) for r in rows]


def _delay(batch: Outgoing, outcome: Outcome, sender: Sender) -> float:
    if outcome.retry_after is not None:
        return min(outcome.retry_after, _MAX_RETRY_AFTER)
    x = sender.xsettings
    return backoff_seconds(batch.attempts, base=x.retry_base_seconds, cap=x.retry_cap_seconds)


def record(factory: sessionmaker[Session], sender: Sender,
           results: list[tuple[Outgoing, Outcome]], *, now: datetime) -> DrainResult:
    """Write every outcome of a round in one transaction (only where our claim still holds)."""
    done: list[dict[str, Any]] = []
    retry: list[dict[str, Any]] = []
    dead: list[dict[str, Any]] = []
    records = 0
    recovered: set[str] = set()
    unreachable: set[str] = set()
    for batch, outcome in results:
        row: dict[str, Any] = {"_id": batch.id, "_tok": batch.token, "status": outcome.status,
                               "err": outcome.error}
        if outcome.state == DONE:
            done.append(row)
            recovered.add(batch.destination)
            records += batch.record_count
        elif outcome.state == DEAD:
            log.warning("export %s dead: %s", batch.idempotency_key, outcome.error)
            dead.append(row)
        else:
            row["next"] = now + timedelta(seconds=_delay(batch, outcome, sender))
            retry.append(row)
            if outcome.status == 0:
                unreachable.add(batch.destination)
    mine = and_(_T.c.id == bindparam("_id"), _T.c.claim_token == bindparam("_tok"),
                _T.c.state == PENDING)
    cleared: dict[str, Any] = {"lease_until": None, "claim_token": None,
                               "last_status": bindparam("status"), "last_error": bindparam("err")}
    with factory() as session, session.begin():
        # The destination answers again: batches waiting out a connection-failure backoff
        # need not wait (with many streams, full jitter makes the first probe come soon).
        for destination in recovered - unreachable:
            session.execute(
                update(_T).where(_T.c.state == PENDING, _T.c.destination == destination,
                                 _T.c.last_status == 0, _T.c.claim_token.is_(None),
                                 _T.c.next_attempt_at > now)
                .values(next_attempt_at=now))
        conn = session.connection()
        if done:
            conn.execute(update(_T).where(mine).values(
                state=DONE, delivered_at=now, **cleared), done)
        if retry:
            conn.execute(update(_T).where(mine).values(
                next_attempt_at=bindparam("next"), **cleared), retry)
        if dead:
            conn.execute(update(_T).where(mine).values(state=DEAD, **cleared), dead)
    return DrainResult(len(done), len(retry), len(dead), records)


def drain_round(factory: sessionmaker[Session], sender: Sender, *, worker: str,
                now: Callable[[], datetime] = utcnow) -> tuple[DrainResult, int]:
    """Claim one round of heads, send them concurrently, record; returns (result, claimed)."""
    x = sender.xsettings
    batches = claim(factory, worker=worker, limit=x.claim_size, lease_seconds=x.lease_seconds,
                    now=now())
    if not batches:
        return DrainResult(), 0
    # The lease is short and renewed while the round is sent: a killed drain's batches are
    # free again within one lease (seconds), a slow round keeps its own.
    with heartbeat(factory, batches[0].token, lease_seconds=x.lease_seconds, now=now,
                   table=_T):
        outcomes = sender.send_many(batches)
    return record(factory, sender, list(zip(batches, outcomes, strict=True)), now=now()), \
        len(batches)


def drain(factory: sessionmaker[Session], sender: Sender, *, worker: str,
          now: Callable[[], datetime] = utcnow, max_seconds: float | None = None,
          on_round: Callable[[DrainResult], None] | None = None) -> DrainResult:
    """Send everything due now, round after round, until nothing is due (or time is up)."""
    total = DrainResult()
    started = time.monotonic()
    while True:
        result, claimed = drain_round(factory, sender, worker=worker, now=now)
        total += result
        if on_round is not None and claimed:
            on_round(result)
        if not claimed:
            return total
        if max_seconds is not None and time.monotonic() - started > max_seconds:
            return total


def make_all_due(factory: sessionmaker[Session], *, now: datetime | None = None) -> int:
    """Drop the backoff of every pending batch (an operator knows the partner is back)."""
    now = now or utcnow()
    with factory() as session, session.begin():
        result = session.execute(update(_T).where(_T.c.state == PENDING,
                                                  _T.c.next_attempt_at > now)
                                 .values(next_attempt_at=now))
        return int(getattr(result, "rowcount", 0) or 0)


def requeue_dead(factory: sessionmaker[Session], *, company_code: str | None = None,
                 store_code: str | None = None, key: str | None = None) -> int:
    """Put dead batches back in their streams (the cause was fixed); returns how many."""
    stmt = update(_T).where(_T.c.state == DEAD)
    if company_code:
        stmt = stmt.where(_T.c.company_code == company_code)
    if store_code:
        stmt = stmt.where(_T.c.store_code == store_code)
    if key:
        stmt = stmt.where(_T.c.idempotency_key == key)
    with factory() as session, session.begin():
        result = session.execute(stmt.values(state=PENDING, next_attempt_at=utcnow(),
                                             lease_until=None, claim_token=None))
        return int(getattr(result, "rowcount", 0) or 0)


def pending_count(factory: sessionmaker[Session]) -> int:
    """Batches not yet delivered (pending, whether due or waiting out a backoff)."""
    with factory() as session:
        return int(session.scalar(select(func.count()).where(_T.c.state == PENDING)) or 0)


__all__ = ["DrainResult", "claim", "drain", "drain_round",
           "make_all_due", "pending_count", "record", "requeue_dead"]
