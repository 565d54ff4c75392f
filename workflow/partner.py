"""The partner and customer side of a ticket (seed steps 3–7): the customer's contact, the
Kintone record id, the 設定依頼書 data, the texts sent out, and the SLA reminders of 連携設定.

Keyword-only service functions on a `Workflow`, like its own verbs; adapters call them and
show the Japanese errors they raise.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from workflow import outbox
from workflow.contacts import normalize_channel, normalize_email
from workflow.db import transaction
from workflow.effects import REMINDER
from workflow.errors import FieldError, NotAllowed, NotFound, RenkeiError, ValidationFailed
from workflow.linkage import list_companies
from workflow.models import ProcessedRequest, Ticket, TicketEvent
from workflow.notices import Channel, CustomerMessage, customer_message, kintone_completion_comment
from workflow.permissions import requester_or_planning
from workflow.schemas import Actor, TicketView
from workflow.service import Workflow
from workflow.spec_sheet import SpecSheetData, SpecStoreRow

# The contact is used by お客様へご連絡; after that step, changing it would change nothing.
CONTACT_EDITABLE = ("contacted", "kintone_requested", "spec_sent", "partner_setup",
                    "setup_completed", "returned")


# ---------------------------------------------------------------- the customer's contact

def set_customer_contact(wf: Workflow, ticket_id: int, *, actor: Actor,
                         channel: str | None = None, email: str | None = None) -> TicketView:
    """Set or change the customer's Slack Connect channel and/or e-mail address.

    None leaves a value as it is, "" clears it. Planning or the requester may do it until the
    customer has been notified; it is audited as an "edit" event and changes no status.
    """
    errors: list[FieldError] = []
    changes: dict[str, str | None] = {}
    for key, raw, check in (("customer_channel", channel, normalize_channel),
                            ("customer_email", email, normalize_email)):
        if raw is None:
            continue
        try:
            changes[key] = check(raw) if raw.strip() else None
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    for _attempt in range(3):
        try:
            with transaction(wf.factory) as session:
                _apply_contact(wf, session, ticket_id, actor, changes)
            break
        except StaleDataError:
            continue  # a transition committed in between: read the ticket again
    else:
        raise RenkeiError("ほかの操作と重なったため保存できませんでした。もう一度お試しください")
    return wf.get(ticket_id, actor=actor)


def check_contact_editable(ticket: Ticket | TicketView, actor: Actor) -> None:
    """NotAllowed unless `actor` may change the ticket's contact now (adapters ask before
    opening a form; set_customer_contact asks again when saving)."""
    if not requester_or_planning(ticket, actor):
        raise NotAllowed("お客様の連絡先を変更できるのは依頼者ご本人かUSEN企画のみです")
    if ticket.status not in CONTACT_EDITABLE:
        raise NotAllowed("お客様へのご連絡後は、連絡先を変更できません")


def step_counts(wf: Workflow, *, requester: str | None = None) -> dict[str, int]:
    """How many tickets stand at each status (all of them, or one requester's): App Home."""
    query = select(Ticket.status, func.count()).group_by(Ticket.status)
    if requester:
        query = query.where(Ticket.requester == requester)
    with wf.factory() as session:
        return {status: int(n) for status, n in session.execute(query)}


def _apply_contact(wf: Workflow, session: Session, ticket_id: int, actor: Actor,
                   changes: dict[str, str | None]) -> None:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(f"依頼 #{ticket_id} は見つかりません")
    check_contact_editable(ticket, actor)
    labels = {"customer_channel": "お客様のSlackチャンネル",
              "customer_email": "お客様メールアドレス"}
    notes = []
    for key, value in changes.items():
        if getattr(ticket, key) != value:
            setattr(ticket, key, value)
            notes.append(f"{labels[key]}: {value or '（なし）'}")
    if not notes:
        return
    now = wf.clock()
    ticket.updated_at = now
    event = TicketEvent(ticket_id=ticket.id, actor=actor.id, actor_name=actor.name,
                        actor_role=actor.role, action="edit", from_status=ticket.status,
                        to_status=ticket.status, note="\n".join(notes), at=now)
    session.add(event)
    session.flush()
    # Like every audit event, the edit refreshes the ticket's Slack message.
    outbox.enqueue(session, kind="ticket.event", dedupe_key=f"ticket.event:{event.id}",
                   payload={"ticket_id": ticket.id, "event_id": event.id}, ticket_id=ticket.id)


def customer_contact_route(view: TicketView) -> Channel:
    """How the customer hears: their Slack Connect channel, else e-mail, else the planner."""
    if view.customer_channel:
        return "slack"
    if view.customer_email:
        return "mail"
    return "manual"


def customer_notice(wf: Workflow, ticket_id: int, *,
                    channel: Channel | None = None) -> CustomerMessage:
    """The お客様へご連絡 text of a ticket, for its route unless `channel` is given."""
    view = wf.get(ticket_id)
    return customer_message(view, wf.store_links(view.company_code),
                            channel=channel or customer_contact_route(view))


def kintone_comment_text(wf: Workflow, ticket_id: int) -> str:
    """The 完了報告 comment of a ticket, with its stores' linkage as recorded."""
    view = wf.get(ticket_id)
    return kintone_completion_comment(view, wf.store_links(view.company_code))


# ---------------------------------------------------------------- Kintone and 設定依頼書

def record_kintone_record(wf: Workflow, ticket_id: int, record_id: str, *,
                          done_key: str | None = None) -> None:
    """Keep the Kintone record id on the ticket (a plain UPDATE: no version bump, so a
    sender never makes a planner's concurrent button press fail).

    `done_key`, when given, is recorded as handled in the same transaction: a sender's
    proof that this job's record exists, whatever happens to the job row afterwards.
    """
    with transaction(wf.factory) as session:
        result = session.execute(update(Ticket).where(Ticket.id == ticket_id)
                                 .values(kintone_record_id=record_id)
                                 .execution_options(synchronize_session=False))
        if not getattr(result, "rowcount", 0):
            raise NotFound(f"依頼 #{ticket_id} は見つかりません")
        if done_key:
            session.add(ProcessedRequest(key=done_key))


def is_done(wf: Workflow, key: str) -> bool:
    """True when `key` was recorded as handled (outbox.once, record_kintone_record)."""
    with wf.factory() as session:
        return session.get(ProcessedRequest, key) is not None


def spec_sheet_data(wf: Workflow, ticket_id: int) -> SpecSheetData:
    """What the 設定依頼書 of a ticket shows: company, stores with known まかせてネット codes,
    the date, and for a change the added items. 依頼日 is today (Asia/Tokyo)."""
    with wf.factory() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.id == ticket_id)
                                .options(selectinload(Ticket.stores)))
        if ticket is None:
            raise NotFound(f"依頼 #{ticket_id} は見つかりません")
        view = TicketView.of(ticket, events=False)
        companies = list_companies(session, ticket.company_code)
    company = companies[0] if companies else None
    known = {s.store_code: s for s in company.stores} if company else {}
    rows = []
    for store in view.stores:
        linked = known.get(store.code)
        rows.append(SpecStoreRow(
            code=store.code, name=store.name,
            makasete_store_code=linked.makasete_store_code if linked else None,
            start_date=linked.start_date if linked else None,
            end_date=linked.end_date if linked else None))
    return SpecSheetData(
        ticket_id=view.id, kind=view.kind, kind_label=view.kind_label,
        company_code=view.company_code, customer_code=view.customer_code,
        company_name=view.company_name,
        makasete_company_code=company.makasete_company_code if company else None,
        date_label=view.date_label, desired_date=view.desired_date, issued_on=wf.today(),
        stores=tuple(rows),
        additions={k: tuple(v) for k, v in view.additions.items()}, remarks=view.remarks)


# ---------------------------------------------------------------- SLA reminders

def _business_today(wf: Workflow, now: datetime) -> tuple[date, datetime]:
    """Today's date in Asia/Tokyo and its start, in UTC."""
    today = now.astimezone(wf.tz).date()
    return today, datetime.combine(today, time(0), tzinfo=wf.tz).astimezone(UTC)


def _due_clause(today: date, start: datetime) -> list[Any]:
    return [Ticket.status == "partner_setup", Ticket.sla_due < today,
            or_(Ticket.last_reminder_at.is_(None), Ticket.last_reminder_at < start)]


def due_reminders(wf: Workflow, *, now: datetime) -> list[TicketView]:
    """Tickets in 連携設定 past their SLA and not yet reminded today (Asia/Tokyo), oldest due
    first, with `days_overdue` in business days. None on weekends, holidays and closures."""
    today, start = _business_today(wf, now)
    if not wf.calendar.is_business_day(today):
        return []
    with wf.factory() as session:
        tickets = session.scalars(select(Ticket).where(*_due_clause(today, start))
                                  .options(selectinload(Ticket.stores))
                                  .order_by(Ticket.sla_due, Ticket.id))
        return [TicketView.of(t, events=False, days_overdue=wf.calendar.business_days_between(
                    t.sla_due, today) if t.sla_due else 0) for t in tickets]


def claim_reminder(wf: Workflow, ticket_id: int, *, now: datetime) -> bool:
    """Take today's reminder of a ticket: True for exactly one caller across replicas.

    One conditional UPDATE stores `now` as the last reminder time only when none was sent
    today (Asia/Tokyo); the winner also enqueues the "ticket.reminder" job in the same
    transaction, so the thread post itself is retried from the outbox. False on non-business
    days and when the ticket is no longer overdue.
    """
    today, start = _business_today(wf, now)
    if not wf.calendar.is_business_day(today):
        return False
    with transaction(wf.factory) as session:
        result = session.execute(update(Ticket)
                                 .where(Ticket.id == ticket_id, *_due_clause(today, start))
                                 .values(last_reminder_at=now)
                                 .execution_options(synchronize_session=False))
        if getattr(result, "rowcount", 0) != 1:
            return False
        sla_due = session.scalar(select(Ticket.sla_due).where(Ticket.id == ticket_id))
        days = wf.calendar.business_days_between(sla_due, today) if sla_due else 0
        outbox.enqueue(session, kind=REMINDER,
                       dedupe_key=f"{REMINDER}:{ticket_id}:{today.isoformat()}",
                       payload={"ticket_id": ticket_id, "business_date": today.isoformat(),
                                "days_overdue": days},
                       ticket_id=ticket_id)
        return True


def queue_reminders(wf: Workflow, *, now: datetime) -> list[int]:
    """The scheduled check (every RENKEI_REMINDER_CHECK_MINUTES): claim each due reminder;
    returns the ids of the tickets this process enqueued a reminder for."""
    return [view.id for view in due_reminders(wf, now=now)
            if claim_reminder(wf, view.id, now=now)]
