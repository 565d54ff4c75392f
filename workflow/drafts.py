"""The verbs adapters call on the mapping registry and the drift drafts (seed 1-3 started by
the data): list what the partner was told, list open drafts, file one as a 設定変更 or set it
対象外. Like workflow.partner, functions of a Workflow; the tables are in workflow.mapping."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from workflow import mapping
from workflow.db import transaction
from workflow.models import Company, Ticket
from workflow.service import Workflow


@dataclass(frozen=True)
class DraftView:
    """A drift draft for adapters: the company, who to mention, the new items."""

    id: int
    company_code: str
    company_name: str
    customer_code: str
    requester: str | None
    state: str
    ticket_id: int | None
    reason: str
    closed_by: str | None
    items: list[dict[str, Any]] = field(default_factory=list)
    stores: list[tuple[str, str]] = field(default_factory=list)  # (店舗CD, 店舗名) where seen
    earliest_date: date | None = None  # the earliest acceptable 設定変更日 today
    slack_channel: str | None = None
    slack_ts: str | None = None

    @property
    def payload(self) -> dict[str, Any]:
        return {"id": self.id, "company_code": self.company_code,
                "company_name": self.company_name, "customer_code": self.customer_code,
                "requester": self.requester, "state": self.state, "ticket_id": self.ticket_id,
                "reason": self.reason, "closed_by": self.closed_by, "items": self.items,
                "stores": [f"{c}:{n}" for c, n in self.stores],
                "earliest_date": self.earliest_date.isoformat() if self.earliest_date else None}


def _view(wf: Workflow, session: Any, draft: mapping.MappingDraft) -> DraftView:
    company = session.scalar(select(Company).where(Company.company_code == draft.company_code))
    names = {s.store_code: s.name for s in company.stores} if company else {}
    codes = sorted({code for item in draft.items for code in item.stores})
    if not codes and company is not None:  # only in the company's master: every linked store
        codes = [s.store_code for s in company.stores if s.linked]
    stores = [(code, names.get(code, "")) for code in codes]
    earliest = wf.rules.earliest_date(wf.today(), max(1, len(stores)), wf.calendar)
    return DraftView(
        id=draft.id, company_code=draft.company_code, company_name=draft.company_name,
        customer_code=draft.customer_code, requester=draft.requester, state=draft.state,
        ticket_id=draft.ticket_id, reason=draft.reason, closed_by=draft.closed_by,
        items=mapping.draft_payload(draft)["items"], stores=stores, earliest_date=earliest,
        slack_channel=draft.slack_channel, slack_ts=draft.slack_ts)


def registry(wf: Workflow, company_code: str | None = None) -> list[dict[str, Any]]:
    """What the partner has been told, per company: code, name, when, by which ticket."""
    with wf.factory() as session:
        return [{"company_code": e.company_code, "item_type": e.item_type,
                 "label": mapping.TYPE_LABELS[e.item_type], "code": e.code, "name": e.name,
                 "told_at": e.told_at.isoformat(), "ticket_id": e.ticket_id,
                 "source": e.source,
                 "source_label": mapping.SOURCE_LABELS.get(e.source, e.source)}
                for e in mapping.entries(session, company_code)]


def list_drafts(wf: Workflow, *, state: str | None = mapping.OPEN) -> list[DraftView]:
    """Drafts (open ones by default), oldest first."""
    with wf.factory() as session:
        return [_view(wf, session, d) for d in mapping.drafts(session, state=state)]


def get_draft(wf: Workflow, draft_id: int) -> DraftView:
    with wf.factory() as session:
        return _view(wf, session, mapping.get_draft(session, draft_id))


def file_draft(wf: Workflow, draft_id: int, *, ticket_id: int, actor: str) -> DraftView:
    """The 設定変更 ticket `ticket_id` was filed from the draft: the draft is closed."""
    with transaction(wf.factory) as session:
        return _view(wf, session, mapping.file_draft(session, draft_id, ticket_id=ticket_id,
                                                     actor=actor))


def ignore_draft(wf: Workflow, draft_id: int, *, reason: str, actor: str) -> DraftView:
    """「対象外にする」: closed with the reason; its items are never drafted again."""
    with transaction(wf.factory) as session:
        return _view(wf, session, mapping.ignore_draft(session, draft_id, reason=reason,
                                                       actor=actor))


def record_message(wf: Workflow, draft_id: int, channel: str, ts: str) -> None:
    """Where the draft's Slack message is, so later changes update it in place."""
    with transaction(wf.factory) as session:
        draft = mapping.get_draft(session, draft_id)
        draft.slack_channel, draft.slack_ts = channel, ts


def latest_requester(session: Any, company_code: str) -> tuple[str | None, str]:
    """The requester and 顧客CD of the company's latest ticket (None, "" without one)."""
    ticket = session.scalar(select(Ticket).where(Ticket.company_code == company_code)
                            .order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(1))
    return (ticket.requester, ticket.customer_code) if ticket else (None, "")
