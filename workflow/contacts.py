"""The customer's contact (Slack channel, e-mail address): normalised and checked."""

from __future__ import annotations

import re
import unicodedata

from workflow.errors import FieldError, ValidationFailed

_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")
_CHANNEL = re.compile(r"[CG][A-Z0-9]{8,20}")
_CHANNEL_MENTION = re.compile(r"<#([A-Z0-9]+)(?:\|[^>]*)?>")


def normalize_email(raw: str) -> str:
    """A customer e-mail address, NFKC-normalised; ValidationFailed on `customer_email`."""
    email = unicodedata.normalize("NFKC", raw).strip()
    local = email.split("@", 1)[0]
    if (len(email) > 254 or not _EMAIL.fullmatch(email) or local.startswith(".")
            or local.endswith(".") or ".." in local):
        raise ValidationFailed([FieldError(
            "customer_email",
            "お客様メールアドレスの形式が正しくありません（例: tanaka@example.co.jp）")])
    return email


def normalize_channel(raw: str) -> str:
    """A Slack channel ID (C…/G…, or a pasted <#C…|name>); ValidationFailed on
    `customer_channel`."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if match := _CHANNEL_MENTION.fullmatch(text):
        text = match.group(1)
    if not _CHANNEL.fullmatch(text):
        raise ValidationFailed([FieldError(
            "customer_channel",
            "お客様のSlackチャンネルはチャンネル一覧から選んでください"
            "（チャンネルID: C から始まる英数字）")])
    return text


def contact_errors(channel: str | None, email: str | None) -> tuple[dict[str, str | None],
                                                                   list[FieldError]]:
    """Normalised values (None when blank) and every problem, for forms that collect both."""
    values: dict[str, str | None] = {}
    errors: list[FieldError] = []
    for key, raw, check in (("customer_channel", channel, normalize_channel),
                            ("customer_email", email, normalize_email)):
        try:
            values[key] = check(raw) if raw and raw.strip() else None
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    return values, errors
