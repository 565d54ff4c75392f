"""The SMTP sender against a local aiosmtpd server on port 0: Japanese subject and body
arrive intact (RFC 2047 subject, UTF-8 body)."""

from __future__ import annotations

import pytest

from bot.integrations.mail import MailSender, build_message
from tests.smtp_fake import Inbox, LocalSMTP
from workflow.fates import Permanent, Transient
from workflow.settings import Settings

SUBJECT = "【USENレジ】まかせてネットEXとのデータ連携設定完了のお知らせ（株式会社データ分析様）"
BODY = ("株式会社データ分析\nご担当者様\n\nいつもお世話になっております。\n"
        "データが連携されていることをご確認いただけましたら、このメールにご返信ください。\n")


def test_japanese_mail_arrives_intact(smtp: tuple[LocalSMTP, Inbox]) -> None:
    controller, inbox = smtp
    sender = MailSender(host="127.0.0.1", port=controller.port, sender="renkei@usen.example",
                        starttls=False)
    sender.send(to="keiri@example.co.jp", subject=SUBJECT, body=BODY,
                message_id="<renkei-12-3@usen.example>")
    [(rcpt, message)] = inbox.messages
    assert rcpt == ["keiri@example.co.jp"]
    assert message["Subject"] == SUBJECT
    assert message["From"] == "renkei@usen.example"
    assert message["Message-ID"] == "<renkei-12-3@usen.example>"
    part = message.get_body(("plain",))
    assert part is not None
    assert part.get_content_charset() == "utf-8"
    assert part.get_content().replace("\r\n", "\n") == BODY


def test_raw_headers_are_ascii() -> None:
    raw = build_message(sender="a@b.jp", to="c@d.jp", subject=SUBJECT, body=BODY).as_bytes()
    header = raw.split(b"\n\n", 1)[0]
    header.decode("ascii")  # RFC 2047 encoded, no raw UTF-8 in headers
    assert b"=?utf-8?" in header.lower()


def test_from_settings_needs_host_and_from() -> None:
    assert MailSender.from_settings(Settings(_env_file=None)) is None
    configured = MailSender.from_settings(Settings.model_validate({
        "SMTP_HOST": "smtp.example", "SMTP_FROM": "renkei@usen.example",
        "SMTP_STARTTLS": "false", "SMTP_PORT": "2525"}))
    assert configured == MailSender(host="smtp.example", port=2525,
                                    sender="renkei@usen.example", starttls=False)


def test_refused_server_raises_for_retry() -> None:
    controller = LocalSMTP(Inbox())
    controller.start()
    port = controller.port
    controller.stop()
    with pytest.raises(Transient) as failed:
        MailSender(host="127.0.0.1", port=port, sender="a@b.jp", starttls=False,
                   timeout=2).send(to="c@d.jp", subject="s", body="b")
    assert failed.value.code == "smtp:connection"


def test_unknown_recipient_is_permanent() -> None:
    controller = LocalSMTP(Inbox(refuse=("nobody@example.co.jp",)))
    controller.start()
    try:
        with pytest.raises(Permanent, match=r"nobody@example\.co\.jp"):
            MailSender(host="127.0.0.1", port=controller.port, sender="a@b.jp",
                       starttls=False).send(to="nobody@example.co.jp", subject="s", body="b")
    finally:
        controller.stop()
