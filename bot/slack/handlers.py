"""Bolt listeners: parse the payload → call `workflow.service` → render. Nothing else.

Acks first, always (Slack's 3 s limit, whatever the Web API does): every command, button and
event is acknowledged before any Slack call. What follows runs after the ack: `soon` (a
priority pool) opens modals while their trigger_id is fresh (it lives 3 s), so a modal-opening
press is not queued behind plain clicks; `later` does the rest (ephemeral answers, lists,
clicks' transitions). Modal submissions call the service before acking, because its
ValidationFailed *is* the answer (`response_action: errors`); that is one database transaction
and no Slack call — their ephemeral notes go out `later`. The terminal adapter runs `soon` and
`later` inline.

Retries and double clicks: each call carries an idempotency key derived from the payload
(the view id for a submission; action_ts + user + ticket + action for a click), so the same
payload twice is a `Duplicate` and is ignored. A second, different click on a stale button
gets `AlreadyMoved` ("already moved by …") ephemerally from the service.

The terminal adapter (bot/shell.py) calls these same methods with its own ack/respond/client.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from bot import messages as m
from bot.integrations.senders import kintone_url
from bot.slack import late_answer, payloads, stores_in, views, views_home, views_stores, views_text
from bot.slack.guard import answers_db_errors
from bot.slack.handlers_drift import DriftHandlers
from bot.slack.handlers_fate import FateHandlers
from bot.slack.handlers_linkage import LinkageHandlers
from bot.slack.home import Home
from bot.slack.notifier import Notifier
from bot.slack.roles import Roles
from bot.slack.thread_sheet import ThreadSheet
from bot.slack.views_copy import fits
from bot.slack.views_fate import RETRY
from bot.slack.views_partner import CUSTOMER_VERIFY_ACTION, customer_confirmed
from workflow import partner
from workflow.errors import Duplicate, NotFound, RenkeiError, ValidationFailed
from workflow.forms import date_label_for
from workflow.schemas import Actor, TicketView
from workflow.service import Workflow

log = logging.getLogger(__name__)
Body = Mapping[str, Any]


def _inline(work: Callable[[], None]) -> None:
    work()


Ack = Callable[..., Any]
Respond = Callable[..., Any]


class Handlers:
    def __init__(self, wf: Workflow, roles: Roles, notifier: Notifier, command: str) -> None:
        self.wf = wf
        self.roles = roles
        self.notifier = notifier
        self.command_name = command
        self.tz = notifier.tz
        self.home_tab = Home(wf, roles, notifier.tz)
        # Where work after the ack runs (bot.slack.app sets thread pools; inline otherwise).
        self.soon: Callable[[Callable[[], None]], None] = _inline
        self.later: Callable[[Callable[[], None]], None] = _inline
        self.drift = DriftHandlers(self)
        self.fate = FateHandlers(self)
        self.linkage = LinkageHandlers(self)

    def register(self, app: Any) -> None:
        """Attach the listeners to a Bolt App."""
        app.command(self.command_name)(self.command)
        app.view(views.INTAKE_CALLBACK)(self.submit_intake)
        app.view(views.SEND_BACK_CALLBACK)(self.submit_send_back)
        app.view(views.CONTACT_CALLBACK)(self.submit_contact)
        app.action(re.compile("^" + re.escape(views.ACTION_PREFIX)))(self.press)
        app.action(CUSTOMER_VERIFY_ACTION)(self.confirm)
        app.event("app_home_opened")(self.home)
        ThreadSheet(self.wf, self.roles, self.notifier).register(app)
        self.drift.register(app)
        self.fate.register(app)
        self.linkage.register(app)

    # ---- helpers ------------------------------------------------------------------------
    def _actor(self, body: Body) -> Actor:
        user = body.get("user")
        if isinstance(user, Mapping):
            return self.roles.actor(str(user["id"]), str(user.get("username")
                                                         or user.get("name") or ""))
        return self.roles.actor(str(body["user_id"]), str(body.get("user_name") or ""))

    @staticmethod
    def _tell(respond: Respond, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        try:
            respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
        except Exception as exc:  # the answer is a courtesy; the work is done or refused
            log.warning("could not answer ephemerally: %s", exc)

    def _tell_in(self, client: Any, channel: str | None, user: str, text: str,
                 blocks: list[dict[str, Any]] | None = None) -> None:
        """An ephemeral note after a modal (no response_url there): in the channel the
        command came from, else as a direct message."""
        try:
            if channel:
                client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=blocks)
                return
        except Exception as exc:
            log.info("ephemeral in %s failed (%s); sending a DM", channel, exc)
        try:
            dm = client.conversations_open(users=user)["channel"]["id"]
            client.chat_postMessage(channel=dm, text=text, blocks=blocks)
        except Exception as exc:
            log.warning("could not tell %s: %s", user, exc)

    # ---- the slash command --------------------------------------------------------------
    @answers_db_errors
    def command(self, ack: Ack, body: Body, client: Any, respond: Respond) -> None:
        text = unicodedata.normalize("NFKC", str(body.get("text") or "")).strip()
        sub, _, rest = text.partition(" ")
        sub = sub.lower()
        if sub in ("new", "change"):
            ack()
            meta = {"kind": sub, "channel": body.get("channel_id", "")}
            self.soon(lambda: client.views_open(trigger_id=body["trigger_id"],
                                                view=views_stores.intake_modal(sub, meta)))
        elif sub == "list":
            ack()
            self.later(lambda: self._list(body, rest.strip().lower() or "mine", respond))
        elif sub == "show":
            ack()
            self.later(lambda: self._show(body, rest.strip().lstrip("#"), respond))
        elif sub in ("", "help"):
            ack(text=m.HELP_TITLE, blocks=views_text.help_blocks(self.command_name),
                response_type="ephemeral")
        else:
            ack(text=m.unknown_subcommand(self.command_name, text), response_type="ephemeral")

    @answers_db_errors  # it runs after the ack: a database error is answered by respond
    def _list(self, body: Body, which: str, respond: Respond) -> None:
        user = str(body["user_id"])
        if which not in m.LIST_TITLES:
            self._tell(respond, m.unknown_list_filter(self.command_name, which))
            return
        if which == "open":
            tickets = self.wf.list_tickets(open_only=True)
        elif which == "overdue":
            tickets = self.wf.list_tickets(overdue=True)
        else:
            which, tickets = "mine", self.wf.list_tickets(requester=user)
        title = m.LIST_TITLES[which]
        blocks = views_text.ticket_list(title, tickets, more=m.list_cli(which, user))
        respond(text=title, blocks=blocks, response_type="ephemeral")

    @answers_db_errors
    def _show(self, body: Body, number: str, respond: Respond) -> None:
        ticket_id = payloads.ticket_number(number)
        if ticket_id is None:
            self._tell(respond, m.bad_ticket_number(self.command_name))
            return
        actor = self._actor(body)
        try:
            ticket = self.wf.get(ticket_id, actor=actor)
            kintone = self.wf.kintone_text(ticket.id)
        except NotFound as exc:
            self._tell(respond, m.failed(exc.message))
            return
        respond(text=views.ticket_message(ticket, ticket.actions)[0], response_type="ephemeral",
                blocks=views_text.ticket_detail(ticket, ticket.actions, kintone, self.tz,
                                                kintone_url=kintone_url(self.wf.settings,
                                                                        ticket)))

    # ---- buttons --------------------------------------------------------------------------
    @staticmethod
    def opens_modal(body: Body) -> bool:
        """A press whose answer is a modal: served first, while its trigger_id is fresh."""
        action = (body.get("actions") or [{}])[0]
        press = payloads.parse_press(action)
        return press is not None and (press.modal or press.action == views.CONTACT_ACTION)

    @answers_db_errors
    def press(self, ack: Ack, body: Body, client: Any, respond: Respond) -> None:
        ack()
        action = (body.get("actions") or [{}])[0]
        press = payloads.parse_press(action)
        if press is None:
            self._tell(respond, m.BAD_BUTTON)
            return
        actor = self._actor(body)
        if press.action == RETRY:
            self.fate.retry_ticket(press.ticket_id, actor, respond)
            return
        try:
            if press.action == views.KINTONE_ACTION:
                # Whole: one ephemeral answer, or several notes (chat.postEphemeral) when long.
                text = self.wf.kintone_text(press.ticket_id)
                copies = views_text.kintone_messages(text)
                if len(copies) > 1:
                    channel = (body.get("channel") or {}).get("id")
                    for fallback, blocks in copies:
                        self._tell_in(client, channel, actor.id, fallback, blocks)
                    return
                self._tell(respond, copies[0][0], copies[0][1])
                return
            if press.action == views.CONTACT_ACTION:
                ticket = self.wf.get(press.ticket_id)
                partner.check_contact_editable(ticket, actor)
                meta = {"ticket_id": ticket.id, "channel": (body.get("channel") or {}).get("id")}
                client.views_open(trigger_id=body["trigger_id"],
                                  view=views.contact_modal(ticket, meta))
                return
            if press.modal:
                ticket = self.wf.get(press.ticket_id, actor=actor)
                offered = next((a for a in ticket.actions if a.action == press.action), None)
                if offered is not None and ticket.status == press.status:
                    channel = (body.get("channel") or {}).get("id", "")
                    client.views_open(trigger_id=body["trigger_id"],
                                      view=self._modal_for(ticket, press, channel))
                    return
            # Anything else goes to the service, which also explains a refusal.
            key = f"slack:{action.get('action_ts', '')}:{actor.id}:{press.ticket_id}:{press.action}"
            self.wf.advance(press.ticket_id, press.action, actor=actor,
                            expected_status=press.status or None, idempotency_key=key)
        except Duplicate:
            return
        except RenkeiError as exc:
            self._tell(respond, m.failed(exc.message))
            return
        self.notifier.kick()

    def _modal_for(self, ticket: TicketView, press: payloads.Press, channel: str
                   ) -> dict[str, Any]:
        meta = {"ticket_id": ticket.id, "status": ticket.status, "channel": channel,
                "kind": ticket.kind}
        if press.action == "complete_setup":
            return views_stores.linkage_modal(ticket, self.wf.store_links(ticket.company_code),
                                              meta)
        if press.action == "resubmit":
            return views_stores.resubmit_modal(ticket, meta)
        return views.send_back_modal(ticket, meta, press.action)

    # ---- modal submissions --------------------------------------------------------------
    def _submitted(self, ack: Ack, view: Mapping[str, Any], run: Callable[[], TicketView],
                   labels: Mapping[str, str] | None = None) -> TicketView | None:
        """Run the service call; answer the modal with field errors, a notice, or close it."""
        try:
            ticket = run()
        except ValidationFailed as exc:
            ack(response_action="errors", errors=views.modal_errors(exc.by_field(), view, labels))
            return None
        except Duplicate:
            ack()
            return None
        except RenkeiError as exc:
            ack(response_action="update", view=views.notice_modal(m.ERROR_TITLE, exc.message))
            return None
        ack()
        self.notifier.kick()
        return ticket

    @answers_db_errors
    def submit_intake(self, ack: Ack, body: Body, client: Any, view: Mapping[str, Any]) -> None:
        if late_answer.needs_web_api(client, view, [views_stores.STORES_FILE]):
            late_answer.answer_later(ack, client, view, lambda recorded: self._intake(
                recorded, body, client, view), self.later)
            return
        self._intake(ack, body, client, view)

    def _intake(self, ack: Ack, body: Body, client: Any, view: Mapping[str, Any]) -> None:
        meta = payloads.meta(view)
        kind = str(meta.get("kind", "new"))
        raw: dict[str, Any] = dict(payloads.read_intake(view, kind))
        raw["stores"] = stores_in.intake_sources(self.wf, client, view, raw["company_code"])
        actor = self._actor(body)
        key = f"slack:view:{view.get('id', '')}"
        labels = {"desired_date": date_label_for(kind)} if kind in ("new", "change") else {}
        if "ticket_id" in meta:
            ticket = self._submitted(ack, view, lambda: self.wf.advance(
                int(meta["ticket_id"]), "resubmit", actor=actor, form=raw,
                expected_status=meta.get("status"), idempotency_key=key), labels)
            if ticket is not None:
                done = ticket
                self.later(lambda: self._tell_in(client, meta.get("channel"), actor.id,
                                                 m.resubmitted(done.id)))
            return
        channel, email = payloads.read_contact(view)
        ticket = self._submitted(ack, view, lambda: self.wf.file_request(
            kind, raw, actor=actor, customer_channel=channel or None,
            customer_email=email or None, idempotency_key=key), labels)
        if ticket is not None and "draft_id" in meta:
            self.drift.filed(meta, ticket, actor)
        if ticket is not None:
            done = ticket
            self.later(lambda: self._tell_filed(client, meta.get("channel"), actor.id, done))

    def _tell_filed(self, client: Any, where: str | None, user: str, ticket: TicketView
                    ) -> None:
        channel = self.notifier.channel
        text = self.wf.kintone_text(ticket.id)
        filed = m.filed(ticket.id, f"<#{channel}>" if channel else "")
        head = [{"type": "section", "text": {"type": "mrkdwn", "text": filed}}]
        copy = views_text.kintone_blocks(text)
        # A 定型文 too long for this one note is in the ticket's thread, whole.
        tail = copy if fits(head, copy) else [views.note_block(
            m.text_elsewhere(m.TXT_KINTONE, len(text), ticket.id))]
        self._tell_in(client, where, user, filed, [*head, *tail])

    @answers_db_errors
    def submit_send_back(self, ack: Ack, body: Body, client: Any,
                         view: Mapping[str, Any]) -> None:
        meta = payloads.meta(view)
        actor = self._actor(body)
        note = payloads.read_note(view)
        action = "cancel" if meta.get("action") == "cancel" else "send_back"
        self._submitted(ack, view, lambda: self.wf.advance(
            int(meta["ticket_id"]), action, actor=actor, note=note,
            expected_status=meta.get("status"),
            idempotency_key=f"slack:view:{view.get('id', '')}"))

    @answers_db_errors
    def submit_contact(self, ack: Ack, body: Body, client: Any,
                       view: Mapping[str, Any]) -> None:
        """「お客様連絡先を変更」: '' clears a value; errors come back under each input."""
        meta = payloads.meta(view)
        actor = self._actor(body)
        channel, email = payloads.read_contact(view)
        self._submitted(ack, view, lambda: partner.set_customer_contact(
            self.wf, int(meta["ticket_id"]), actor=actor, channel=channel, email=email))

    # ---- the customer's button (Slack Connect) ----------------------------------------------
    @answers_db_errors
    def confirm(self, ack: Ack, body: Body, client: Any, respond: Respond) -> None:
        """「データ連携を確認しました」 in the customer's channel: an external user there
        confirms as the customer, planning as planning; an internal sales rep is refused. The
        ticket of the button must be the one posted in that channel; the answers carry
        nothing internal."""
        ack()
        action = (body.get("actions") or [{}])[0]
        ticket_id = payloads.ticket_number(str(action.get("value", "")))
        user = body.get("user") or {}
        if ticket_id is None or not user.get("id"):
            self._tell(respond, m.CUSTOMER_NOT_NOW)
            return
        try:
            ticket = self.wf.get(ticket_id)
        except NotFound:
            self._tell(respond, m.CUSTOMER_NOT_NOW)
            return
        channel = (body.get("channel") or {}).get("id")
        if not ticket.customer_channel or channel != ticket.customer_channel:
            self._tell(respond, m.CUSTOMER_NOT_NOW)
            return
        if self.roles.is_external(body):
            role = "customer"
        elif self.roles.role_of(str(user["id"])) == "planning":
            role = "planning"
        else:
            self._tell(respond, m.CUSTOMER_CONFIRM_INTERNAL)
            return
        actor = Actor(id=str(user["id"]), role=role,
                      name=str(user.get("username") or user.get("name") or user["id"]))
        key = f"slack:{action.get('action_ts', '')}:{actor.id}:{ticket_id}:verify"
        try:
            self.wf.advance(ticket_id, "verify", actor=actor, expected_status="customer_notified",
                            idempotency_key=key)
        except Duplicate:
            return
        except RenkeiError:
            if self.wf.get(ticket_id).status == "verified":
                self._replace(respond, ticket_id, m.CUSTOMER_ALREADY)
            else:
                self._tell(respond, m.CUSTOMER_NOT_NOW)
            return
        self._replace(respond, ticket_id, m.customer_thanks(views.when(self.wf.clock(), self.tz)))
        self.notifier.kick()

    def _replace(self, respond: Respond, ticket_id: int, note: str) -> None:
        message = partner.customer_notice(self.wf, ticket_id, channel="slack")
        text, blocks = customer_confirmed(message, note)
        try:
            respond(text=text, blocks=blocks, replace_original=True)
        except Exception as exc:  # the confirmation is recorded; this is the courtesy
            log.warning("could not update the customer's message: %s", exc)

    # ---- App Home -------------------------------------------------------------------------
    @answers_db_errors
    def home(self, body: Body, client: Any) -> None:
        user = str((body.get("event") or {}).get("user", ""))
        if not user:
            return
        if self.roles.is_external_user(user):  # a customer: nothing of anyone's tickets
            client.views_publish(user_id=user, view=views_home.external_home())
            return
        self.home_tab.publish(client, user)
