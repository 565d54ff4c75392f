"""連携の確認 by proof (DESIGN): once a store's data has reached the partner, tickets waiting
for the customer's confirmation that cover the store move to `verified` by themselves."""

from __future__ import annotations

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session, sessionmaker

from exporter.models import ExportBatch
from exporter.outbox import DONE
from workflow.models import Ticket, TicketStore
from workflow.service import Workflow
from workflow.settings import Settings


def confirm_delivered(factory: sessionmaker[Session], settings: Settings) -> list[int]:
    """Verify the tickets in お客様へご連絡 whose stores have a delivered batch; their ids.

    Cheap when nothing waits (one query on the few tickets in that step), so it can follow
    every drain round.
    """
    with factory() as session:
        waiting = session.execute(
            select(Ticket.company_code, TicketStore.store_code).join(TicketStore)
            .where(Ticket.status == "customer_notified")).all()
        if not waiting:
            return []
        pairs = {(company, store) for company, store in waiting}
        delivered = session.execute(
            select(ExportBatch.company_code, ExportBatch.store_code).distinct()
            .where(ExportBatch.state == DONE,
                   tuple_(ExportBatch.company_code, ExportBatch.store_code).in_(pairs))).all()
    wf = Workflow(factory, settings)
    moved: list[int] = []
    for company, store in sorted({(c, s) for c, s in delivered}):
        moved += wf.confirm_by_delivery(company, store)
    return moved
