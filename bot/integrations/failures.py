"""The one table of what each outside failure means: Slack error codes, Kintone HTTP statuses
and error codes, SMTP reply codes → a fate (workflow.fates) and the reason people read.

Codes are stored on the job ("slack:not_in_channel", "kintone:400:CB_VA01", "smtp:535"); the
Japanese reason is looked up from the code when the ticket message, the thread or App Home is
drawn (bot.messages.FAILURE_REASONS), so people never read English exception text while the CLI
and the logs keep the raw code and detail.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from slack_sdk.errors import SlackApiError

from bot import messages as m
from workflow.fates import Fate, JobFailed, Transient

T, R, P = Fate.TRANSIENT, Fate.REPAIRABLE, Fate.PERMANENT

# Slack Web API `error` values (https://api.slack.com/methods/chat.postMessage#errors …).
SLACK: Mapping[str, Fate] = {
    "ratelimited": T, "rate_limited": T, "internal_error": T, "fatal_error": T,
    "service_unavailable": T, "request_timeout": T, "team_added_to_org": T,
    "message_not_found": R, "thread_not_found": R,
    "channel_not_found": P, "not_in_channel": P, "is_archived": P, "invalid_blocks": P,
    "invalid_blocks_format": P, "token_revoked": P, "token_expired": P, "invalid_auth": P,
    "not_authed": P, "account_inactive": P, "missing_scope": P, "no_permission": P,
    "invalid_arguments": P, "invalid_arg_name": P, "msg_too_long": P,
    "msg_blocks_too_long": P, "no_text": P,
    "too_many_attachments": P, "cant_update_message": P, "edit_window_closed": P,
    "restricted_action": P, "restricted_action_read_only_channel": P,
    "restricted_action_thread_only_channel": P, "ekm_access_denied": P,
    "channel_is_archived": P, "user_not_found": P, "users_not_found": P,
    "cannot_dm_bot": P, "user_disabled": P, "invalid_channel": P,
}
# Kintone REST error codes (the "code" of its error JSON) that decide regardless of status.
KINTONE_CODES: Mapping[str, Fate] = {
    "CB_VA01": P,  # 入力内容が正しくありません (a field value Kintone refuses)
    "GAIA_IL23": P, "GAIA_AP01": P,  # the app does not exist / cannot be used
    "CB_NO02": P,  # no permission
    "GAIA_RE01": P,  # the record does not exist
    "CB_AU01": P, "GAIA_IA02": P,  # the API token is wrong or lacks the right
    "CB_IJ01": P,  # the JSON we sent is malformed
    "GAIA_TO04": T,  # a temporary lock of the app
}
KINTONE_STATUS: Mapping[int, Fate] = {400: P, 401: P, 403: P, 404: P, 408: T, 409: T,
                                      413: P, 429: T, 520: P}
# SMTP reply codes (RFC 5321 §4.2): 4yz tries again later, 5yz is refused for good.
SMTP_CODES: Mapping[int, Fate] = {421: T, 450: T, 451: T, 452: T, 454: T,
                                  530: P, 534: P, 535: P, 550: P, 551: P, 552: P, 553: P,
                                  554: P}


def slack_fate(error: str, status: int = 200) -> Fate:
    """The fate of a Slack `error` (and the HTTP status it came with)."""
    if status == 429:
        return T
    if error in SLACK:
        return SLACK[error]
    return T if status >= 500 or not error else P


def slack_failure(exc: Any) -> JobFailed:
    """A SlackApiError as a JobFailed (429's Retry-After in it)."""
    response = getattr(exc, "response", None)
    status = int(getattr(response, "status_code", 200) or 200)
    error = str((response.get("error") if response is not None else "") or "")
    if status == 429:
        error = "ratelimited"
    retry_after = None
    headers = getattr(response, "headers", None) or {}
    for key, value in dict(headers).items():
        if str(key).lower() == "retry-after":
            retry_after = _seconds(value)
    if status == 429 and retry_after is None:
        retry_after = 1.0  # Slack always sends one; be polite if a proxy dropped it
    return JobFailed(f"Slack {status} {error}", code=f"slack:{error or status}",
                     fate=slack_fate(error, status), retry_after=retry_after)


@contextmanager
def slack_errors() -> Iterator[None]:
    """Slack's answers as fates (the table above): a `JobFailed` with the
    error code, permanent ones sending the job to the dead state, 429 with its Retry-After."""
    try:
        yield
    except SlackApiError as exc:
        raise slack_failure(exc) from None
    except OSError as exc:  # refused, reset, timed out on the way to Slack
        raise Transient(f"Slack: {type(exc).__name__}: {exc}", code="slack:connection") from None


def repairable(exc: SlackApiError) -> bool:
    """The ticket message (or its thread) was deleted: post it afresh and go on."""
    return slack_failure(exc).fate == Fate.REPAIRABLE


def kintone_fate(status: int, code: str = "") -> Fate:
    """The fate of a Kintone reply: its error code first, then its HTTP status."""
    if code in KINTONE_CODES:
        return KINTONE_CODES[code]
    if status in KINTONE_STATUS:
        return KINTONE_STATUS[status]
    return T if status >= 500 or status == 0 else P


def kintone_failure(status: int, code: str, detail: str,
                    retry_after: float | None = None) -> JobFailed:
    key = f"kintone:{status}:{code}" if code else f"kintone:{status}"
    return JobFailed(detail, code=key[:64], fate=kintone_fate(status, code),
                     retry_after=retry_after)


def smtp_fate(code: int) -> Fate:
    if code in SMTP_CODES:
        return SMTP_CODES[code]
    return P if code >= 500 else T


def smtp_failure(exc: Exception) -> JobFailed:
    """An smtplib failure (or a connection error reaching the server) as a JobFailed."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()] or [550]
        code = max(codes) if all(c >= 500 for c in codes) else min(codes)
        return JobFailed(f"SMTP refused recipients: {exc.recipients}", code=f"smtp:{code}",
                         fate=smtp_fate(code))
    if isinstance(exc, smtplib.SMTPResponseException):
        return JobFailed(f"SMTP {exc.smtp_code} {exc.smtp_error!r}",
                         code=f"smtp:{exc.smtp_code}", fate=smtp_fate(exc.smtp_code))
    return JobFailed(f"SMTP {type(exc).__name__}: {exc}", code="smtp:connection", fate=T)


def _seconds(value: Any) -> float | None:
    try:
        return max(0.0, float(str(value).strip()))
    except ValueError:
        return None


def reason(code: str) -> str:
    """What people read for a failure code (Japanese; never the English detail)."""
    if code.startswith("depends:"):
        return m.failure_depends(m.job_label(code.removeprefix("depends:")))
    service, _, rest = code.partition(":")
    if code in m.FAILURE_REASONS:
        return m.FAILURE_REASONS[code]
    if service == "kintone":
        status, _, kcode = rest.partition(":")
        return (m.FAILURE_REASONS.get(f"kintone:{kcode}") or m.FAILURE_REASONS.get(
            f"kintone:{status}") or m.failure_generic(m.SERVICE_NAMES["kintone"]))
    if service == "smtp":
        return (m.FAILURE_REASONS.get(code) or m.FAILURE_REASONS.get(f"smtp:{rest[:1]}xx")
                or m.failure_generic(m.SERVICE_NAMES["smtp"]))
    if service in m.SERVICE_NAMES:
        return m.failure_generic(m.SERVICE_NAMES[service])
    return m.FAILURE_UNKNOWN
