"""Read-only snapshots the service hands to adapters (no ORM objects leave the service)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from workflow.labels import KIND_LABELS, action_label, role_label, step_label
from workflow.models import Ticket, TicketEvent


class Actor(BaseModel):
    """Who is acting: an id (Slack user ID or CLI name), a role, and a display name."""

    model_config = ConfigDict(frozen=True)

    id: str
    role: str  # sales | planning | customer | system
    name: str = ""

    @property
    def display(self) -> str:
        return self.name or self.id


class ActionView(BaseModel):
    action: str
    label: str
    style: str = "primary"  # primary | danger | default
    needs_note: bool = False  # 差し戻し asks for a reason
    needs_form: bool = False  # 再提出 opens the form again
    needs_linkage: bool = False  # 設定完了 asks for the まかせてネット codes and dates


class StoreView(BaseModel):
    code: str
    name: str


class DeadJobView(BaseModel):
    """Outgoing work of a ticket that could not go out: its kind and failure code."""

    id: int
    kind: str
    code: str


class EventView(BaseModel):
    id: int
    ticket_id: int
    at: datetime
    actor: str
    actor_name: str
    actor_role: str
    action: str
    action_label: str
    from_status: str | None
    to_status: str
    to_label: str
    note: str

    @classmethod
    def of(cls, e: TicketEvent, kind: str) -> EventView:
        """`kind` is the ticket's: 設定変更 names step 3 設定情報送付."""
        return cls(id=e.id, ticket_id=e.ticket_id, at=e.at, actor=e.actor,
                   actor_name=e.actor_name, actor_role=e.actor_role,
                   action=e.action, action_label=action_label(e.action, kind),
                   from_status=e.from_status, to_status=e.to_status,
                   to_label=step_label(e.to_status, kind), note=e.note)

    @property
    def role_label(self) -> str:
        return role_label(self.actor_role)


class TicketView(BaseModel):
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    version: int
    customer_code: str
    company_code: str
    company_name: str
    stores: list[StoreView]
    desired_date: date
    date_label: str
    remarks: str
    additions: dict[str, list[str]]
    requester: str
    requester_name: str
    customer_channel: str | None
    customer_email: str | None
    return_reason: str | None
    created_at: datetime
    step_times: dict[str, str]
    sla_due: date | None
    days_overdue: int
    kintone_record_id: str | None
    slack_channel: str | None
    slack_ts: str | None
    events: list[EventView] = []
    actions: list[ActionView] = []
    pending_jobs: list[str] = []
    dead_jobs: list[DeadJobView] = []

    @classmethod
    def of(cls, t: Ticket, *, days_overdue: int = 0, events: bool = True,
           actions: list[ActionView] | None = None,
           pending_jobs: list[str] | None = None,
           dead_jobs: list[DeadJobView] | None = None) -> TicketView:
        from workflow.forms import date_label_for

        return cls(
            id=t.id, kind=t.kind, kind_label=KIND_LABELS[t.kind], status=t.status,
            status_label=step_label(t.status, t.kind), version=t.version,
            customer_code=t.customer_code, company_code=t.company_code,
            company_name=t.company_name,
            stores=[StoreView(code=s.store_code, name=s.store_name) for s in t.stores],
            desired_date=t.desired_date, date_label=date_label_for(t.kind), remarks=t.remarks,
            additions=dict(t.additions or {}), requester=t.requester,
            requester_name=t.requester_name, customer_channel=t.customer_channel,
            customer_email=t.customer_email, return_reason=t.return_reason,
            created_at=t.created_at, step_times=dict(t.step_times or {}), sla_due=t.sla_due,
            days_overdue=days_overdue, kintone_record_id=t.kintone_record_id,
            slack_channel=t.slack_channel, slack_ts=t.slack_ts,
            events=[EventView.of(e, t.kind) for e in t.events] if events else [],
            actions=actions or [], pending_jobs=pending_jobs or [],
            dead_jobs=dead_jobs or [],
        )



class StoreLinkView(BaseModel):
    company_code: str
    company_name: str
    makasete_company_code: str | None
    destination: str
    store_code: str
    store_name: str
    makasete_store_code: str | None
    start_date: date | None
    end_date: date | None
    state: str  # 連携済 | 未連携
