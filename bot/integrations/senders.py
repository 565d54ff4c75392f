"""Outbox handlers that need no Slack: the Kintone record (Kintone依頼), the Kintone 完了報告
comment (設定完了連絡) and the customer's e-mail (お客様へご連絡).

Each handler is idempotent per job: a job retried after its work went out does not repeat it
(a key per job is recorded as handled, in the same transaction as the record id for Kintone).
An unset feature raises `Skip` with the reason; the Slack side then falls back (shows the
Kintone text to copy, hands the customer text to the planner).

The Slack adapter extends `customer.message` for tickets with a Slack Connect channel by
passing its own handler as `slack_customer_message`; "spec.document" (file upload) and
"ticket.reminder" (thread post) are registered by the Slack adapter alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from email.utils import parseaddr

from bot.integrations.kintone import (
    KintoneClient,
    KintoneFieldCodes,
    KintoneUnavailable,
    record_url,
)
from bot.integrations.links_mail import customer_link_text, partner_mail_handler
from bot.integrations.mail import MailSender
from workflow import effects, outbox, partner
from workflow.fates import Permanent, dependency_code
from workflow.models import OutboxJob
from workflow.outbox import Handler, Skip
from workflow.schemas import TicketView
from workflow.service import Workflow
from workflow.settings import Settings

log = logging.getLogger(__name__)
RESUBMITTED_PREFIX = "依頼内容が修正されました（差し戻し後の再提出）。\n\n"


def kintone_configured(settings: Settings) -> bool:
    """True when KINTONE_BASE_URL, KINTONE_APP_ID and KINTONE_API_TOKEN are all set."""
    return bool(settings.kintone_base_url and settings.kintone_app_id
                and settings.kintone_api_token)


def kintone_url(settings: Settings, ticket: TicketView) -> str | None:
    """The link to the ticket's Kintone record, when Kintone is configured and it has one."""
    if not ticket.kintone_record_id or not kintone_configured(settings):
        return None
    return record_url(settings.kintone_base_url, settings.kintone_app_id,
                      ticket.kintone_record_id)


def kintone_client(settings: Settings) -> KintoneClient | None:
    """A client for the configured Kintone app, or None (the text is shown to copy)."""
    if not kintone_configured(settings):
        return None
    return KintoneClient(settings.kintone_base_url, settings.kintone_app_id,
                         settings.kintone_api_token)


def _ticket(wf: Workflow, job: OutboxJob) -> TicketView:
    view = wf.get(int(job.payload["ticket_id"]))
    if view.status == "cancelled":
        raise Skip(f"ticket #{view.id} was cancelled before {job.kind} went out")
    return view


def _done_key(job: OutboxJob) -> str:
    return f"outbox.done:{job.dedupe_key}"


def _comment_once(wf: Workflow, job: OutboxJob) -> Callable[[int, Callable[[], object]], None]:
    """Each part of a long Kintone comment is posted once per job, across retries."""
    def once(i: int, post: Callable[[], object]) -> None:
        outbox.run_once(wf.factory, f"{_done_key(job)}:part:{i}", post)
    return once


def make_handlers(wf: Workflow, settings: Settings, *,
                  field_codes: KintoneFieldCodes | None = None,
                  slack_customer_message: Handler | None = None) -> dict[str, Handler]:
    """Handlers for "kintone.record", "kintone.comment", "customer.message" and "spec.mail".

    `field_codes` names the Kintone app's fields (defaults: KintoneFieldCodes()).
    `slack_customer_message` sends the customer message to a Slack Connect channel; without
    it, such tickets are skipped with the reason and the planner gets the text.
    """
    codes = field_codes or KintoneFieldCodes()
    client = kintone_client(settings)
    mailer = MailSender.from_settings(settings)

    def kintone_record(job: OutboxJob) -> None:
        if client is None:
            raise Skip("Kintone not configured: the request text is shown to copy")
        if partner.is_done(wf, _done_key(job)):
            return
        view = _ticket(wf, job)
        text = wf.kintone_text(view.id)
        if view.kintone_record_id:
            # 差し戻し and 再提出: the record exists, so the corrected request goes on it.
            client.add_comment(view.kintone_record_id, RESUBMITTED_PREFIX + text,
                               once=_comment_once(wf, job))
            outbox.once(wf.factory, _done_key(job))
            return
        record_id = client.add_record(codes.record({
            "text": text, "customer_code": view.customer_code,
            "company_code": view.company_code, "company_name": view.company_name}))
        partner.record_kintone_record(wf, view.id, record_id, done_key=_done_key(job))
        log.info("ticket %s: Kintone record %s added", view.id, record_id)

    def kintone_comment(job: OutboxJob) -> None:
        if client is None:
            raise Skip("Kintone not configured: report completion in Kintone by hand")
        if partner.is_done(wf, _done_key(job)):
            return
        view = _ticket(wf, job)
        if not view.kintone_record_id:
            if any(j.kind == effects.KINTONE_RECORD for j in view.dead_jobs):
                # The record will not come by itself: this comment dies with it, and both
                # come back together with `renkei outbox retry --ticket N`.
                raise Permanent(f"ticket #{view.id}: its Kintone record could not be posted",
                                code=dependency_code(effects.KINTONE_RECORD))
            if effects.KINTONE_RECORD in view.pending_jobs:
                # The record itself is still waiting for Kintone: comment after it.
                raise KintoneUnavailable(f"ticket #{view.id}: Kintone record not posted yet",
                                         code="kintone:waiting_for_record")
            raise Skip(f"ticket #{view.id} has no Kintone record: report completion by hand")
        client.add_comment(view.kintone_record_id, partner.kintone_comment_text(wf, view.id),
                           once=_comment_once(wf, job))
        outbox.once(wf.factory, _done_key(job))

    def customer_message(job: OutboxJob) -> None:
        view = _ticket(wf, job)
        route = partner.customer_contact_route(view)
        if route == "slack":
            if slack_customer_message is None:
                raise Skip("customer has a Slack channel but Slack is not running: "
                           "the planner sends the text")
            slack_customer_message(job)
            return
        if route == "manual":
            raise Skip("no customer contact on the ticket: the planner sends the text")
        if mailer is None:
            raise Skip("SMTP not configured: the planner sends the text")
        if partner.is_done(wf, _done_key(job)):
            return
        message = partner.customer_notice(wf, view.id, channel="mail")
        domain = parseaddr(mailer.sender)[1].rpartition("@")[2] or "renkei.local"
        assert view.customer_email is not None  # route "mail" means an address is set
        body = message.body + customer_link_text(settings, job)
        mailer.send(to=view.customer_email, subject=message.subject, body=body,
                    message_id=f"<renkei-{view.id}-{job.id}@{domain}>")
        outbox.once(wf.factory, _done_key(job))
        log.info("ticket %s: customer mail sent", view.id)

    return {effects.KINTONE_RECORD: kintone_record,
            effects.KINTONE_COMMENT: kintone_comment,
            effects.CUSTOMER_MESSAGE: customer_message,
            effects.PARTNER_MAIL: partner_mail_handler(wf, settings, mailer)}
