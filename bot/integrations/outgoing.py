"""The Slack side of the outgoing work each step causes (workflow.effects job kinds).

Drained by the same outbox loop as the ticket message (`Notifier.extra`):
- "kintone.record" / "kintone.comment": the Kintone handlers of bot.integrations.senders; here
  the thread is told (a link to the record), or, when Kintone cannot be used, given the
  完了報告 text to copy;
- "spec.document": the 設定依頼書 as .xlsx and .csv, uploaded into the ticket's thread with
  files_upload_v2 (getUploadURLExternal → upload → completeUploadExternal);
- "customer.message": the customer's Slack Connect channel (with the confirm button), else
  e-mail (bot.integrations.senders), else the text is handed to the planner in the thread;
- "ticket.reminder": the SLA reminder in the thread, mentioning the planner.
Every handler is idempotent per job (a done key recorded after the work went out), and the
ticket message is refreshed afterwards so 「送信待ち」 disappears. The terminal adapter runs the
same handlers with a client that prints and writes files.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from slack_sdk.errors import SlackApiError

from bot import messages as m
from bot.integrations.failures import reason, slack_failure
from bot.integrations.kintone import KintoneFieldCodes
from bot.integrations.outgoing_drift import DraftSender
from bot.integrations.senders import kintone_configured, kintone_url, make_handlers
from bot.slack import views_partner
from bot.slack.notifier import Notifier
from workflow import effects, mapping, notices, outbox, partner
from workflow.fates import Fate, Permanent
from workflow.models import OutboxJob
from workflow.outbox import Handler, Skip
from workflow.schemas import TicketView
from workflow.settings import Settings
from workflow.spec_sheet import build_csv, build_xlsx, spec_filename

log = logging.getLogger(__name__)


def _ticket_id(job: OutboxJob) -> int:
    return int(job.payload["ticket_id"])


def _done_key(job: OutboxJob, what: str) -> str:
    return f"outbox.done:slack:{what}:{job.dedupe_key}"


class Outgoing:
    def __init__(self, notifier: Notifier, settings: Settings) -> None:
        self.notifier = notifier
        self.wf = notifier.wf
        self.client: Any = notifier.client
        self.settings = settings

    def handlers(self) -> dict[str, Handler]:
        """Handlers per job kind, each refreshing the ticket message when it is done."""
        core = make_handlers(self.wf, self.settings,
                             field_codes=KintoneFieldCodes.parse(self.settings.kintone_field_codes),
                             slack_customer_message=self.customer_in_slack)
        own: dict[str, Handler] = {
            effects.KINTONE_RECORD: self._kintone_record(core[effects.KINTONE_RECORD]),
            effects.KINTONE_COMMENT: self._kintone_comment(core[effects.KINTONE_COMMENT]),
            effects.CUSTOMER_MESSAGE: self._customer_message(core[effects.CUSTOMER_MESSAGE]),
            effects.SPEC_DOCUMENT: self.spec_document,
            effects.REMINDER: self.reminder,
            effects.PARTNER_MAIL: core[effects.PARTNER_MAIL],
            effects.PARTNER_REPORTED: self.partner_reported,
        }
        handlers = {kind: self._refreshing(kind, handler) for kind, handler in own.items()}
        handlers[mapping.DRAFT_JOB] = DraftSender(self.notifier, self.settings)  # no ticket
        return handlers

    # ---- plumbing -----------------------------------------------------------------------
    def _refreshing(self, kind: str, handler: Handler) -> Handler:
        def run(job: OutboxJob) -> None:
            try:
                handler(job)
            except Skip:
                self._refresh(job, kind)
                raise
            self._refresh(job, kind)

        return run

    def _refresh(self, job: OutboxJob, kind: str) -> None:
        try:
            self.notifier.refresh(_ticket_id(job), sent=kind)
        except Exception as exc:  # the work went out; a stale 「送信待ち」 is cosmetic
            log.info("ticket %s message not refreshed after %s: %s", _ticket_id(job), kind, exc)

    def _once(self, job: OutboxJob, what: str, send: Callable[[], None]) -> None:
        """Run `send` unless this job's `what` was done before (by any replica)."""
        outbox.run_once(self.wf.factory, _done_key(job, what), send)

    def _post(self, ticket_id: int, text: str, blocks: list[dict[str, Any]] | None = None
              ) -> None:
        self.notifier.in_thread(ticket_id, lambda channel, ts: self.client.chat_postMessage(
            channel=channel, thread_ts=ts, text=text, blocks=blocks))

    def _mention_actor(self, event_id: Any) -> str:
        try:
            event = self.wf.event(int(event_id))
        except Exception:
            return ""
        return f"<@{event.actor}>" if event.actor_role in ("sales", "planning") else ""

    def _planner_mention(self, ticket: TicketView) -> str:
        """Who moved the ticket to 連携設定, else the planning group, else nobody."""
        started = [e for e in ticket.events
                   if e.to_status == "partner_setup" and e.from_status != "partner_setup"]
        if started and started[-1].actor_role == "planning":
            return f"<@{started[-1].actor}>"
        group = self.settings.planning_group
        return f"<!subteam^{group}>" if group else ""

    # ---- Kintone --------------------------------------------------------------------------
    def _kintone_record(self, core: Handler) -> Handler:
        def run(job: OutboxJob) -> None:
            core(job)
            ticket = self.wf.get(_ticket_id(job))
            url = kintone_url(self.settings, ticket)
            if url and ticket.kintone_record_id:
                link = m.kintone_link(url, ticket.kintone_record_id)
                self._once(job, "note", lambda: self._post(ticket.id, m.kintone_posted(link)))

        return run

    def _kintone_comment(self, core: Handler) -> Handler:
        def run(job: OutboxJob) -> None:
            ticket_id = _ticket_id(job)
            try:
                core(job)
            except Skip:
                if self.wf.get(ticket_id).status != "cancelled":
                    reason = (m.KINTONE_REASON_NO_RECORD if kintone_configured(self.settings)
                              else m.KINTONE_REASON_UNSET)
                    # Whole: in parts over several posts and a .txt when long.
                    self.notifier.post_copy(
                        f"copy:{job.dedupe_key}", ticket_id, m.kintone_comment_by_hand(reason),
                        partner.kintone_comment_text(self.wf, ticket_id),
                        what=m.TXT_COMPLETION, name="kanryo")
                raise
            self._once(job, "note", lambda: self._post(ticket_id, m.KINTONE_COMMENTED))

        return run

    # ---- 設定依頼書 -------------------------------------------------------------------------
    def spec_document(self, job: OutboxJob) -> None:
        ticket_id = _ticket_id(job)
        ticket, _, _ = self.notifier.thread_of(ticket_id)
        if ticket.status == "cancelled":
            raise Skip(f"ticket #{ticket_id} was cancelled before the 設定依頼書 went out")

        def upload() -> None:
            data = partner.spec_sheet_data(self.wf, ticket_id)
            files = [(spec_filename(data, "xlsx"), build_xlsx(data)),
                     (spec_filename(data, "csv"), build_csv(data))]
            self.notifier.in_thread(ticket_id, lambda channel, ts: self.client.files_upload_v2(
                file_uploads=views_partner.spec_upload(files), channel=channel, thread_ts=ts,
                initial_comment=m.spec_comment(ticket_id, data.company_name,
                                               len(data.stores), data.kind)))

        self._once(job, "files", upload)

    # ---- 設定完了連絡 from the partner's page ------------------------------------------------
    def partner_reported(self, job: OutboxJob) -> None:
        """Ask planning in the thread to check the partner's report and tell Kintone."""
        ticket, _, _ = self.notifier.thread_of(_ticket_id(job))
        text = m.partner_reported(self._planner_mention(ticket))
        self._once(job, "reported", lambda: self._post(ticket.id, text))

    # ---- お客様へご連絡 ------------------------------------------------------------------------
    def customer_in_slack(self, job: OutboxJob) -> None:
        """The Slack route of "customer.message": the customer's channel, with the button.
        A channel the bot cannot post in is a Skip, so the planner gets the text."""
        ticket = self.wf.get(_ticket_id(job))
        assert ticket.customer_channel is not None  # the "slack" route means a channel is set

        message = partner.customer_notice(self.wf, ticket.id, channel="slack")
        posts = views_partner.customer_messages(message, ticket.id)

        def post(text: str, blocks: list[dict[str, Any]]) -> None:
            try:
                self.client.chat_postMessage(channel=ticket.customer_channel, text=text,
                                             blocks=blocks)
            except SlackApiError as exc:
                failure = slack_failure(exc)
                if failure.fate == Fate.PERMANENT:
                    # The planner is handed the text instead (with the reason, in Japanese).
                    raise Skip(failure.code) from None
                raise failure from None

        # A long store list comes in several messages; the last one carries the button.
        for i, (text, blocks) in enumerate(posts):
            what = "customer" if i == len(posts) - 1 else f"customer:{i}"
            self._once(job, what, partial(post, text, blocks))

    def _customer_message(self, core: Handler) -> Handler:
        def run(job: OutboxJob) -> None:
            ticket = self.wf.get(_ticket_id(job))
            route = partner.customer_contact_route(ticket)
            try:
                core(job)
            except Skip as exc:
                if ticket.status != "cancelled":
                    self._hand_to_planner(job, ticket, self._why(route, str(exc)))
                raise
            except Permanent as exc:
                # The mail server refused for good (535, 550 …): the planner sends the text,
                # and the job stays dead on the ticket until SMTP is mended and it is retried.
                if ticket.status != "cancelled":
                    self._hand_to_planner(job, ticket, reason(exc.code))
                raise
            note = (m.customer_sent_slack(ticket.customer_channel or "") if route == "slack"
                    else m.customer_sent_mail(ticket.customer_email or ""))
            self._once(job, "note", lambda: self._post(ticket.id, note))

        return run

    @staticmethod
    def _why(route: str, error: str) -> str:
        if route == "slack":
            return m.customer_reason_slack(reason(error))
        return m.CUSTOMER_REASON_NO_SMTP if route == "mail" else m.CUSTOMER_REASON_NONE

    def _hand_to_planner(self, job: OutboxJob, ticket: TicketView, why: str) -> None:
        message = partner.customer_notice(self.wf, ticket.id, channel="manual")
        intro = m.customer_by_hand(self._mention_actor(job.payload.get("event_id")), why)
        self.notifier.post_copy(f"copy:{job.dedupe_key}", ticket.id, intro,
                                views_partner.customer_copy_text(message),
                                what=m.TXT_CUSTOMER, name="customer")

    # ---- SLA reminder -------------------------------------------------------------------
    def reminder(self, job: OutboxJob) -> None:
        ticket, _, _ = self.notifier.thread_of(_ticket_id(job))
        if ticket.status != "partner_setup":
            raise Skip(f"ticket #{ticket.id} left 連携設定 before its reminder went out")
        days = int(job.payload.get("days_overdue") or ticket.days_overdue)
        text = notices.reminder_text(ticket, mention=self._planner_mention(ticket),
                                     days_late=days)
        self._once(job, "reminder", lambda: self._post(ticket.id, m.reminder(text)))
