"""The mails that carry signed links: the 設定依頼書 to the partner (PARTNER_EMAIL, the .xlsx
and .csv attached, the link to the 設定完了連絡 page), and the customer's 連携の確認 link
appended to the お客様へご連絡 e-mail. Without PARTNER_EMAIL or SMTP the 設定依頼書 goes only
to the Slack thread, as before; without RENKEI_SECRET_KEY the mails carry no link."""

from __future__ import annotations

import logging
from email.utils import parseaddr

from bot import messages as m
from bot.integrations.mail import MailSender
from bot.web.tokens import Links, links_or_none
from workflow import outbox, partner
from workflow.models import OutboxJob
from workflow.outbox import Handler, Skip
from workflow.service import Workflow
from workflow.settings import Settings
from workflow.spec_sheet import build_csv, build_xlsx, spec_filename

log = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _done_key(job: OutboxJob) -> str:
    return f"outbox.done:{job.dedupe_key}"


def partner_mail_handler(wf: Workflow, settings: Settings, mailer: MailSender | None,
                         links: Links | None = None) -> Handler:
    """The "spec.mail" job: the 設定依頼書 e-mailed to the partner, once per job."""
    links = links if links is not None else links_or_none(settings)

    def send(job: OutboxJob) -> None:
        if mailer is None or not settings.partner_email:
            raise Skip("PARTNER_EMAIL or SMTP not set: the 設定依頼書 is in the Slack thread only")
        if partner.is_done(wf, _done_key(job)):
            return
        ticket_id = int(job.payload["ticket_id"])
        view = wf.get(ticket_id)
        if view.status == "cancelled":
            raise Skip(f"ticket #{ticket_id} was cancelled before the 設定依頼書 mail went out")
        data = partner.spec_sheet_data(wf, ticket_id)
        mailed = int(job.payload.get("event_id") or 0)
        url = links.url("partner", ticket_id, mailed=mailed) if links else None
        domain = parseaddr(mailer.sender)[1].rpartition("@")[2] or "renkei.local"
        mailer.send(to=settings.partner_email,
                    subject=m.partner_mail_subject(ticket_id, data.company_name),
                    body=m.partner_mail_body(data.company_name, len(data.stores), url,
                                             settings.partner_link_days),
                    message_id=f"<renkei-spec-{ticket_id}-{job.id}@{domain}>",
                    attachments=[(spec_filename(data, "xlsx"), build_xlsx(data), XLSX),
                                 (spec_filename(data, "csv"), build_csv(data), "text/csv")])
        outbox.once(wf.factory, _done_key(job))
        log.info("ticket %s: 設定依頼書 mailed to the partner", ticket_id)

    return send


def customer_link_text(settings: Settings, job: OutboxJob) -> str:
    """The customer's 連携の確認 link as the end of their mail (the お客様へご連絡 job), or ""
    without a secret key."""
    links = links_or_none(settings)
    if links is None:
        return ""
    url = links.url("customer", int(job.payload["ticket_id"]),
                    mailed=int(job.payload.get("event_id") or 0))
    return m.customer_link_section(url, settings.customer_link_days)
