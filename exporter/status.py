"""The operator's view: per store, how far delivery got and what is waiting or dead."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import cast

from pydantic import BaseModel
from sqlalchemy import Table, case, func, select
from sqlalchemy.orm import Session, sessionmaker

from exporter.models import DEAD, DONE, PENDING, ExportBatch
from workflow.db import utcnow

_T = cast(Table, ExportBatch.__table__)


class DeadBatch(BaseModel):
    """A batch the partner refused; `renkei export retry` puts it back."""

    idempotency_key: str
    kind: str
    business_date: date
    hour: int | None
    last_error: str


class StoreStatus(BaseModel):
    """One line of `renkei export status`."""

    company_code: str
    store_code: str
    makasete_company_code: str
    makasete_store_code: str
    last_delivered_date: date | None
    delivered: int
    pending: int
    dead: int
    # batches that replaced an earlier revision (late data, a reopened register), any state
    revisions: int = 0
    oldest_pending_age_seconds: float | None
    next_attempt_at: datetime | None
    last_error: str
    dead_batches: list[DeadBatch] = []


def store_status(factory: sessionmaker[Session], *, company_code: str | None = None,
                 now: datetime | None = None, dead_limit: int = 20) -> list[StoreStatus]:
    """Every store that has export batches, ordered by 企業CD and 店舗CD."""
    now = now or utcnow()
    t = _T
    by_state = (
        select(t.c.company_code, t.c.store_code, t.c.state,
               func.max(t.c.makasete_company_code), func.max(t.c.makasete_store_code),
               func.count(), func.max(t.c.business_date), func.min(t.c.created_at),
               func.min(t.c.next_attempt_at),
               func.sum(case((t.c.revision > 1, 1), else_=0)))
        .group_by(t.c.company_code, t.c.store_code, t.c.state))
    if company_code:
        by_state = by_state.where(t.c.company_code == company_code)
    out: dict[tuple[str, str], StoreStatus] = {}
    with factory() as session:
        for company, store, state, mkc, mks, count, last_date, oldest, next_at, revised in \
                session.execute(by_state):
            s = out.setdefault((company, store), StoreStatus(
                company_code=company, store_code=store, makasete_company_code=mkc,
                makasete_store_code=mks, last_delivered_date=None, delivered=0, pending=0,
                dead=0, oldest_pending_age_seconds=None, next_attempt_at=None, last_error=""))
            s.revisions += int(revised or 0)
            if state == DONE:
                s.delivered, s.last_delivered_date = count, last_date
            elif state == PENDING:
                s.pending = count
                s.oldest_pending_age_seconds = max(0.0, (now - _aware(oldest)).total_seconds())
                s.next_attempt_at = _aware(next_at)
            elif state == DEAD:
                s.dead = count
        problems = select(t.c.company_code, t.c.store_code, t.c.state, t.c.idempotency_key,
                          t.c.kind, t.c.business_date, t.c.hour, t.c.last_error) \
            .where(t.c.state.in_((PENDING, DEAD)), t.c.last_error != "") \
            .order_by(t.c.id)
        if company_code:
            problems = problems.where(t.c.company_code == company_code)
        for row in session.execute(problems.limit(5000)):
            s = out[(row.company_code, row.store_code)]
            s.last_error = s.last_error or row.last_error
            if row.state == DEAD and len(s.dead_batches) < dead_limit:
                s.dead_batches.append(DeadBatch(
                    idempotency_key=row.idempotency_key, kind=row.kind,
                    business_date=row.business_date, hour=row.hour, last_error=row.last_error))
    return [out[k] for k in sorted(out)]


def _aware(value: datetime) -> datetime:
    # Aggregates bypass the UTCDateTime type on SQLite, which returns naive UTC text.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
