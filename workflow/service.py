"""The verbs people perform on requests: file, advance, send back, resubmit, cancel, look up.

Every adapter (CLI, terminal, Slack) calls these and nothing else. A transition writes the
ticket, its audit event and its outgoing work (outbox) in one transaction; optimistic locking
(the ticket's version column) makes two concurrent moves of one ticket end in one move and a
clear AlreadyMoved for the other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, object_session, selectinload, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from workflow import effects, labels, linkage, linkage_record, machine, mapping, outbox, registry
from workflow.calendar import BusinessCalendar, LeadTimeRules
from workflow.contacts import contact_errors
from workflow.db import transaction, utcnow
from workflow.errors import (
    AlreadyMoved,
    Duplicate,
    NotAllowed,
    NotFound,
    RenkeiError,
    ValidationFailed,
)
from workflow.forms import Kind, RequestForm, StoreEntry, parse_request
from workflow.kintone import render_kintone_text
from workflow.models import OutboxJob, ProcessedRequest, Ticket, TicketEvent, TicketStore
from workflow.schemas import (
    ActionView,
    Actor,
    DeadJobView,
    EventView,
    StoreLinkView,
    TicketView,
)
from workflow.settings import Settings

_EVENTS = cast(Table, TicketEvent.__table__)
_JOBS = cast(Table, OutboxJob.__table__)

# Outgoing work enqueued when a ticket enters a state (workflow/effects.py), besides the
# "ticket.event" every transition produces (the Slack message update).
ON_ENTER = effects.ON_ENTER


class Workflow:
    """The service API, bound to a database and settings. Thread-safe; share one per process."""

    def __init__(self, factory: sessionmaker[Session], settings: Settings, *,
                 clock: Callable[[], datetime] = utcnow,
                 masters: mapping.MasterSource | None = None) -> None:
        self.factory = factory
        # Register masters for the mapping registry (the exporter's POS tables, passed in by
        # the composition root: workflow reads no register data itself). None: not seeded.
        self.masters = masters
        self.settings = settings
        self.clock = clock
        self.tz = ZoneInfo(settings.timezone)
        self.calendar = BusinessCalendar.from_settings(settings.closures)
        self.rules = LeadTimeRules(threshold=settings.many_stores_threshold,
                                   lead_days=settings.lead_days,
                                   lead_days_many=settings.lead_days_many)

    # ---- helpers -------------------------------------------------------------------------
    def today(self) -> date:
        """Today's business date in Asia/Tokyo."""
        return self.clock().astimezone(self.tz).date()

    def actor(self, user: str, name: str = "", *, role: str | None = None) -> Actor:
        """An actor for a user id, with the role from settings unless given."""
        return Actor(id=user, name=name, role=role or self.settings.role_of(user))

    def _load(self, session: Session, ticket_id: int, *, events: bool = True) -> Ticket:
        # Stores come in the same round trip (a transition reads them for guards and the view).
        options: list[Any] = [joinedload(Ticket.stores)]
        if events:
            options.append(selectinload(Ticket.events))
        ticket = session.scalars(
            select(Ticket).where(Ticket.id == ticket_id).options(*options)).unique().first()
        if ticket is None:
            raise NotFound(f"依頼 #{ticket_id} は見つかりません")
        return ticket

    def _view(self, session: Session, ticket: Ticket, actor: Actor | None) -> TicketView:
        # One query for both: waiting work ("送信待ち") and dead work (「送信できませんでした」).
        unsent = outbox.unsent_for_ticket(session, ticket.id)
        pending = [job.kind for job in unsent if job.state == "pending"]
        dead = [DeadJobView(id=j.id, kind=j.kind, code=j.last_error_code or "")
                for j in unsent if j.state == "dead"]
        return TicketView.of(ticket, days_overdue=self._days_overdue(ticket),
                             actions=self.available_actions(ticket, actor) if actor else [],
                             pending_jobs=pending, dead_jobs=dead)

    def _days_overdue(self, ticket: Ticket) -> int:
        if ticket.status != "partner_setup" or ticket.sla_due is None:
            return 0
        return self.calendar.business_days_between(ticket.sla_due, self.today())

    def _record(self, session: Session, ticket: Ticket, *, actor: Actor, action: str,
                from_status: str | None, note: str = "") -> int:
        now = self.clock()
        ticket.updated_at = now
        ticket.step_times = {**(ticket.step_times or {}), ticket.status: now.isoformat()}
        # The ORM writes the ticket (INSERT, or the version-checked UPDATE) first; the
        # append-only rows go straight to the session's connection as Core INSERTs, because
        # the ORM's unit of work and execution layer cost more than the writes themselves.
        session.flush()
        conn = session.connection()
        event_id = conn.execute(
            insert(_EVENTS).returning(_EVENTS.c.id),
            {"ticket_id": ticket.id, "actor": actor.id, "actor_name": actor.name,
             "actor_role": actor.role, "action": action, "from_status": from_status,
             "to_status": ticket.status, "note": note, "at": now}).scalar_one()
        # The keys embed the new event's id, so no earlier job can share them.
        conn.execute(insert(_JOBS), [
            {"kind": kind, "dedupe_key": f"{kind}:{event_id}", "ticket_id": ticket.id,
             "payload": {"ticket_id": ticket.id, "event_id": event_id}, "state": "pending",
             "attempts": 0, "last_error": "", "next_attempt_at": now, "created_at": now}
            for kind in ["ticket.event", *ON_ENTER.get(ticket.status, []),
                         *effects.ON_ENTER_BY.get((ticket.status, actor.role), [])]])
        return int(event_id)

    @staticmethod
    def _claim_key(session: Session, key: str | None) -> None:
        if key:
            session.add(ProcessedRequest(key=key))
            session.flush()

    def _form_fields(self, ticket: Ticket, form: RequestForm) -> None:
        ticket.customer_code = form.customer_code
        ticket.company_code = form.company_code
        ticket.company_name = form.company_name
        ticket.desired_date = form.desired_date
        ticket.remarks = form.remarks
        ticket.additions = {"payment_items": list(form.payment_items),
                            "discounts": list(form.discounts),
                            "customer_segments": list(form.customer_segments)}
        if ticket.stores:  # replacing on 再提出: delete the old rows before the new insert
            ticket.stores.clear()
            object_session(ticket).flush()  # type: ignore[union-attr]
        ticket.stores = [TicketStore(position=i, store_code=s.code, store_name=s.name)
                         for i, s in enumerate(form.stores)]

    # ---- verbs ---------------------------------------------------------------------------
    def parse(self, kind: str, raw: Mapping[str, Any]) -> RequestForm:
        """Validate a request form as of today; ValidationFailed lists every field problem."""
        return parse_request(kind, raw, today=self.today(), calendar=self.calendar,
                             rules=self.rules)

    def file_request(self, kind: str, raw: Mapping[str, Any], *, actor: Actor,
                     customer_channel: str | None = None, customer_email: str | None = None,
                     idempotency_key: str | None = None) -> TicketView:
        """File a 新規・増店 ("new") or 設定変更 ("change") request: step 1, 連携希望を連絡."""
        contact, errors = contact_errors(customer_channel, customer_email)
        try:
            form = self.parse(kind, raw)
        except ValidationFailed as exc:
            raise ValidationFailed([*exc.errors, *errors]) from None
        if errors:
            raise ValidationFailed(errors)
        customer_channel, customer_email = contact["customer_channel"], contact["customer_email"]
        try:
            with transaction(self.factory) as session:
                self._claim_key(session, idempotency_key)
                ticket = Ticket(kind=form.kind, status="contacted", requester=actor.id,
                                requester_name=actor.name, customer_channel=customer_channel,
                                customer_email=customer_email, created_at=self.clock())
                self._form_fields(ticket, form)
                session.add(ticket)
                company = registry.get_or_create_company(session, form.company_code,
                                                        form.company_name)
                registry.ensure_stores(session, company, [(s.code, s.name) for s in form.stores])
                self._record(session, ticket, actor=actor, action="file", from_status=None,
                             note=form.remarks)
        except IntegrityError as exc:
            if idempotency_key:
                raise Duplicate("この依頼はすでに登録されています") from exc
            raise
        return self.get(ticket.id, actor=actor)

    def advance(self, ticket_id: int, action: str, *, actor: Actor, note: str = "",
                expected_status: str | None = None, idempotency_key: str | None = None,
                links: Sequence[linkage.StoreLink | linkage.RawLink] | None = None,
                makasete_company_code: str | None = None,
                form: Mapping[str, Any] | None = None,
                service: str | None = None) -> TicketView:
        """Take `action` (a trigger of the machine table) on a ticket, as `actor`.

        `expected_status` is the status the actor saw (a Slack button's); if the ticket moved
        since, AlreadyMoved says who moved it. `links`/`makasete_company_code` record store
        linkage with 設定完了 (`service` "ex"/"net": where the company's data goes); `form`
        carries the corrected request for 再提出. 設定完了 also tells the mapping registry
        what the partner now knows (workflow.mapping).
        """
        step = machine.move(action)
        if step is None:
            raise self._unknown_action(ticket_id, action, actor)
        kind = self._kind_of(ticket_id)
        if actor.role not in step.roles:
            who = "・".join(labels.role_label(r) for r in step.roles if r != "system")
            raise NotAllowed(f"「{step.label(kind)}」は{who}のみ操作できます")
        parsed = self.parse(kind, form) if form is not None else None
        try:
            with transaction(self.factory) as session:
                self._claim_key(session, idempotency_key)
                ticket = self._load(session, ticket_id, events=False)
                valid_from = machine.triggers_from(ticket.status)
                if action not in valid_from or (expected_status and
                                                ticket.status != expected_status):
                    raise self._already_moved(session, ticket, step.label(kind))
                if links is not None or makasete_company_code is not None:
                    linkage_record.link_stores(session, company_code=ticket.company_code,
                                        makasete_company_code=makasete_company_code or "",
                                        links=links or [], today=self.today(),
                                        company_name=ticket.company_name,
                                        targets={s.store_code: s.store_name
                                                 for s in ticket.stores}, service=service)
                machine.check_guards(machine.GuardContext(action, ticket, actor, note, session))
                if parsed is not None:
                    self._form_fields(ticket, parsed)
                from_status = ticket.status
                machine.fire(ticket, action)
                self._enter(ticket, note, session)
                self._record(session, ticket, actor=actor, action=action,
                             from_status=from_status, note=note)
                # Lean on purpose (no history, no outbox state): adapters that show the whole
                # ticket call get(); this keeps a transition close to the raw writes' cost.
                return TicketView.of(ticket, days_overdue=self._days_overdue(ticket),
                                     events=False, actions=self.available_actions(ticket, actor))
        except StaleDataError:
            with self.factory() as session:
                ticket = self._load(session, ticket_id, events=False)
                raise self._already_moved(session, ticket, step.label(kind)) from None
        except IntegrityError as exc:
            if idempotency_key:
                raise Duplicate("この操作はすでに受け付けています") from exc
            raise

    def record_message(self, ticket_id: int, channel: str, ts: str) -> bool:
        """Remember where the ticket's Slack message is; False if another sender already did.

        A bulk UPDATE: it does not bump the version column (the ticket did not change).
        """
        with transaction(self.factory) as session:
            result = session.execute(
                update(Ticket)
                .where(Ticket.id == ticket_id, Ticket.slack_ts.is_(None))
                .values(slack_channel=channel, slack_ts=ts)
                .execution_options(synchronize_session=False))
            return bool(getattr(result, "rowcount", 0))

    def ticket_in_thread(self, channel: str, thread_ts: str) -> int | None:
        """The ticket whose Slack message starts the thread `thread_ts` in `channel`, if any."""
        with self.factory() as session:
            return session.scalar(select(Ticket.id).where(Ticket.slack_channel == channel,
                                                          Ticket.slack_ts == thread_ts))

    def _kind_of(self, ticket_id: int) -> str:
        with self.factory() as session:
            kind = session.scalar(select(Ticket.kind).where(Ticket.id == ticket_id))
        if kind is None:
            raise NotFound(f"依頼 #{ticket_id} は見つかりません")
        return kind

    def _already_moved(self, session: Session, ticket: Ticket, label: str) -> AlreadyMoved:
        last = session.scalar(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                              .order_by(TicketEvent.id.desc()).limit(1))
        by = (last.actor_name or last.actor) if last else None
        status = labels.step_label(ticket.status, ticket.kind)
        return AlreadyMoved(
            f"「{label}」はできません: この依頼はすでに{by}さんが「{status}」に進めています",
            status=ticket.status, by=by)

    def _enter(self, ticket: Ticket, note: str, session: Session) -> None:
        many = len(ticket.stores) > self.settings.many_stores_threshold
        machine.enter(machine.EnterContext(
            ticket=ticket, note=note, today=self.today(), calendar=self.calendar,
            sla_days=self.settings.sla_days_many if many else self.settings.sla_days,
            session=session, masters=self.masters, at=self.clock()))

    def _unknown_action(self, ticket_id: int, action: str, actor: Actor) -> RenkeiError:
        """「…」という操作はありません, with the actions `actor` may take on the ticket now."""
        try:
            now = [f"{a.action}（{a.label}）" for a in self.get(ticket_id, actor=actor).actions]
        except NotFound as exc:
            return exc
        listed = "、".join(now) if now else "なし"
        return RenkeiError(f"「{action}」という操作はありません。いまできる操作: {listed}")

    def verify_by_delivery(self, ticket_id: int, note: str) -> bool:
        """連携の確認 by proof, as the system: the exporter found a delivery of this
        integration's data (exporter/confirm.py decides which); `note` names it. False when
        a person (or another replica) confirmed it first."""
        system = Actor(id="exporter", name="データ連携", role="system")
        try:
            self.advance(ticket_id, "verify", actor=system, expected_status="customer_notified",
                         note=note)
        except (AlreadyMoved, Duplicate):
            return False
        return True

    def available_actions(self, ticket: Ticket | TicketView, actor: Actor) -> list[ActionView]:
        """The buttons `actor` may press on `ticket` now: the machine table's moves from its
        status, filtered by role and the guards about who may act (machine.may_press)."""
        return [ActionView(
                    action=trigger, label=labels.action_label(trigger, ticket.kind),
                    style="danger" if trigger in ("cancel", "send_back") else "primary",
                    needs_note="has_note" in machine.TRIGGERS[trigger]["guards"],
                    needs_form=trigger == "resubmit", needs_linkage=trigger == "complete_setup")
                for trigger in machine.triggers_from(ticket.status)
                if machine.may_press(trigger, ticket, actor)]

    def get(self, ticket_id: int, *, actor: Actor | None = None) -> TicketView:
        """One ticket with its timeline and, for `actor`, the actions available now."""
        with self.factory() as session:
            return self._view(session, self._load(session, ticket_id), actor)

    def list_tickets(self, *, status: str | None = None, requester: str | None = None,
                     company_code: str | None = None, overdue: bool = False,
                     open_only: bool = False, limit: int = 200) -> list[TicketView]:
        """Tickets, newest first, filtered by status, requester, company, overdue or open."""
        with self.factory() as session:
            query = select(Ticket).options(selectinload(Ticket.stores)).order_by(
                Ticket.id.desc())
            if status:
                query = query.where(Ticket.status == status)
            if requester:
                query = query.where(Ticket.requester == requester)
            if company_code:
                query = query.where(Ticket.company_code == company_code)
            if open_only:
                query = query.where(Ticket.status.in_(machine.OPEN_STATES))
            if overdue:
                query = query.where(Ticket.status == "partner_setup",
                                    Ticket.sla_due < self.today())
            tickets = list(session.scalars(query.limit(limit)))
            return [TicketView.of(t, days_overdue=self._days_overdue(t), events=False)
                    for t in tickets]

    def event(self, event_id: int) -> EventView:
        """One audit event (what an outbox sender announces)."""
        with self.factory() as session:
            event = session.get(TicketEvent, event_id)
            if event is None:
                raise NotFound(f"履歴 {event_id} は見つかりません")
            return EventView.of(event, event.ticket.kind)

    def timeline(self, ticket_id: int) -> list[EventView]:
        """The audit events of a ticket, oldest first."""
        return self.get(ticket_id).events

    def kintone_text(self, ticket_id: int) -> str:
        """The Kintone 定型文 of a ticket, byte for byte what goes into the USEN form."""
        with self.factory() as session:
            return render_kintone_text(self.form_of(self._load(session, ticket_id)))

    @staticmethod
    def form_of(ticket: Ticket) -> RequestForm:
        additions = ticket.additions or {}
        return RequestForm(
            kind=cast(Kind, ticket.kind), customer_code=ticket.customer_code,
            company_code=ticket.company_code, company_name=ticket.company_name,
            stores=tuple(StoreEntry(code=s.store_code, name=s.store_name)
                         for s in ticket.stores),
            desired_date=ticket.desired_date, remarks=ticket.remarks,
            payment_items=tuple(additions.get("payment_items", [])),
            discounts=tuple(additions.get("discounts", [])),
            customer_segments=tuple(additions.get("customer_segments", [])))

    # ---- store linkage -------------------------------------------------------------------
    def link_stores(self, *, company_code: str, makasete_company_code: str,
                    links: Sequence[linkage.StoreLink | linkage.RawLink],
                    replace_company_code: bool = False,
                    service: str | None = None) -> list[StoreLinkView]:
        """Record まかせてネット codes and dates for stores of a known company and set them
        連携済 (outside a ticket); a different まかせてネット企業コード only with
        `replace_company_code`. The registry is seeded with those stores' masters now."""
        company_code = linkage.usen_company_code(company_code)
        with transaction(self.factory) as session:
            linkage_record.link_stores(session, company_code=company_code,
                                makasete_company_code=makasete_company_code, links=links,
                                today=self.today(), replace_company_code=replace_company_code,
                                create_company=False, service=service)
            if self.masters is not None:
                codes = [linkage.normalized(link.store_code) for link in links]
                mapping.seed_from_masters(session, company_code,
                                          self.masters(session, company_code, codes),
                                          source="link", at=self.clock())
        return self.store_links(company_code)

    def preview_linkage(self, ticket_id: int, *, makasete_company_code: str,
                        links: Sequence[linkage.StoreLink | linkage.RawLink],
                        service: str | None = None) -> linkage_record.Preview:
        """設定完了's linkage for a ticket checked with every rule, nothing written: what a
        returned 設定依頼書 would record (counts, rows) or every problem in it at once."""
        with self.factory() as session:
            ticket = self._load(session, ticket_id, events=False)
            return linkage_record.preview_links(
                session, company_code=ticket.company_code,
                makasete_company_code=makasete_company_code, links=links, today=self.today(),
                targets={s.store_code: s.store_name for s in ticket.stores}, require_all=True,
                service=service)

    def unlink_company(self, company_code: str) -> list[StoreLinkView]:
        """連携解除: every store of the company goes back to 未連携."""
        with transaction(self.factory) as session:
            registry.unlink_company(session, company_code)
        return self.store_links(company_code)

    def ticket_links(self, ticket: TicketView) -> list[StoreLinkView]:
        """The linkage of a ticket's own stores, in the ticket's order and named as the ticket
        filed them (registry.ticket_link_views)."""
        with self.factory() as session:
            return registry.ticket_link_views(session, ticket)

    def store_links(self, company_code: str | None = None) -> list[StoreLinkView]:
        """The linkage screen as rows: each store with its codes, dates and 連携状態."""
        with self.factory() as session:
            return registry.link_views(session, company_code)
