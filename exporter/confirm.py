"""連携の確認 by proof (DESIGN): a ticket waiting for the customer's confirmation moves to
`verified` by itself once the partner has received *this integration's* data.

A delivered batch proves a ticket only when it is about the integration the ticket asked for:
- one of the ticket's stores;
- a business date on or after the ticket's date (連携開始希望日 / 設定変更日: older data
  went out under the old setup) and on or after the store's 連携開始日;
- not future-dated: neither after today (Asia/Tokyo) nor closed before its business date
  began (a close sent ahead of its day proves nothing, even once the day has come);
- enqueued after the ticket reached 設定完了連絡 (before it, the partner had not set it up).
The audit note names the store, the kind and the business date that proved it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from exporter.kinds import Kind
from exporter.models import ExportBatch
from exporter.outbox import DONE
from workflow.db import utcnow
from workflow.models import Company, Store, Ticket, TicketEvent
from workflow.service import Workflow
from workflow.settings import Settings

# Rows looked at per ticket: the first is nearly always the proof; the rest only skip batches
# that were closed ahead of their business date.
_CANDIDATES = 200


@dataclass(frozen=True)
class Proof:
    """The delivery that proved a ticket."""

    ticket_id: int
    store_code: str
    kind: str
    business_date: date

    @property
    def note(self) -> str:
        try:
            label = Kind(self.kind).label
        except ValueError:
            label = self.kind
        d = self.business_date
        return (f"店舗{self.store_code}の{label}（{d.year}年{d.month}月{d.day}日分）の"
                "データ送信を確認しました")


def _setup_completed_at(session: Session, ticket_ids: list[int]) -> dict[int, datetime]:
    """When each ticket (last) reached 設定完了連絡."""
    rows = session.execute(
        select(TicketEvent.ticket_id, func.max(TicketEvent.at))
        .where(TicketEvent.ticket_id.in_(ticket_ids),
               TicketEvent.to_status == "setup_completed")
        .group_by(TicketEvent.ticket_id)).all()
    return {int(ticket_id): at for ticket_id, at in rows}


def proofs(session: Session, *, today: date, tz: ZoneInfo) -> list[Proof]:
    """For each ticket in お客様へご連絡, the first delivery that proves it (if any)."""
    waiting = list(session.scalars(select(Ticket).where(Ticket.status == "customer_notified")
                                   .options(selectinload(Ticket.stores))))
    found: list[Proof] = []
    if not waiting:
        return found
    b = ExportBatch
    ready = _setup_completed_at(session, [t.id for t in waiting])
    for ticket in waiting:
        ready_at = ready.get(ticket.id)
        codes = [s.store_code for s in ticket.stores]
        if ready_at is None or not codes:
            continue
        rows = session.execute(
            select(b.store_code, b.kind, b.business_date, b.created_at)
            .join(Company, Company.company_code == b.company_code)
            .join(Store, and_(Store.company_id == Company.id, Store.store_code == b.store_code))
            .where(b.state == DONE, b.company_code == ticket.company_code,
                   b.store_code.in_(codes), b.business_date >= ticket.desired_date,
                   b.business_date <= today, Store.start_date.is_not(None),
                   b.business_date >= Store.start_date, b.created_at >= ready_at)
            .order_by(b.business_date, b.id).limit(_CANDIDATES))
        for row in rows:
            # Closed before its business date began (JST): frozen from a future date.
            if row.business_date <= _aware(row.created_at).astimezone(tz).date():
                found.append(Proof(ticket.id, row.store_code, row.kind, row.business_date))
                break
    return found


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def confirm_delivered(factory: sessionmaker[Session], settings: Settings, *,
                      clock: Callable[[], datetime] = utcnow) -> list[int]:
    """Verify the tickets in お客様へご連絡 that a delivery proves; their ids.

    Cheap when nothing waits (one query on the few tickets in that step), so it can follow
    every drain round.
    """
    wf = Workflow(factory, settings, clock=clock)
    with factory() as session:
        found = proofs(session, today=wf.today(), tz=wf.tz)
    return [p.ticket_id for p in found if wf.verify_by_delivery(p.ticket_id, p.note)]
