"""E-mail to customers over SMTP (standard library): UTF-8 Japanese subject and body.

STARTTLS and login are optional (a relay inside the network may need neither). Like the Kintone
client, this does not retry: a temporary failure raises, and the outbox retries the job; a
refusal that retrying cannot fix (a 5xx for the recipient or the sender, bad credentials)
raises `workflow.fates.Permanent`; the reply code is kept as the failure's code (the table in
bot/integrations/failures.py: 4xx transient, 5xx permanent).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from bot.integrations.failures import smtp_failure
from workflow.fates import Fate, Permanent, Transient
from workflow.settings import Settings

Attachment = tuple[str, bytes, str]  # file name, content, MIME type


def build_message(*, sender: str, to: str, subject: str, body: str,
                  message_id: str | None = None,
                  attachments: Sequence[Attachment] = ()) -> EmailMessage:
    """A text/plain UTF-8 message, with files attached; the subject (and Japanese file names)
    are RFC 2047/2231-encoded by the email package."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    if message_id:
        # Deterministic per job, so a rare double send shows as one thread in mail clients.
        msg["Message-ID"] = message_id
    msg.set_content(body, charset="utf-8")
    for filename, content, mime in attachments:
        maintype, _, subtype = mime.partition("/")
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return msg


@dataclass(frozen=True)
class MailSender:
    """Where and how to send: the SMTP server, the From address, optional STARTTLS/login."""

    host: str
    port: int
    sender: str
    user: str = ""
    password: str = ""
    starttls: bool = True
    timeout: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> MailSender | None:
        """The sender for SMTP_* settings, or None when SMTP_HOST or SMTP_FROM is unset."""
        if not settings.smtp_host or not settings.smtp_from:
            return None
        return cls(host=settings.smtp_host, port=settings.smtp_port, sender=settings.smtp_from,
                   user=settings.smtp_user, password=settings.smtp_password,
                   starttls=settings.smtp_starttls)

    def send(self, *, to: str, subject: str, body: str, message_id: str | None = None,
             attachments: Sequence[Attachment] = ()) -> None:
        """Send one message; Permanent when the server refuses it for good."""
        msg = build_message(sender=self.sender, to=to, subject=subject, body=body,
                            message_id=message_id, attachments=attachments)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(msg)
        except (smtplib.SMTPException, OSError) as exc:
            failure = smtp_failure(exc)
            detail = f"{failure.detail} (to {to!r}, login {self.user!r})"
            if failure.fate == Fate.PERMANENT:
                raise Permanent(detail, code=failure.code) from exc
            raise Transient(detail, code=failure.code) from exc
