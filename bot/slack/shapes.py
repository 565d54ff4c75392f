"""The shapes of Slack's requests that renkei dispatches, checked (pydantic) after the
signature and before Bolt: a signed body of another shape is answered 400, where Bolt's
middleware would otherwise fail on it with a 500 and a traceback.

Only what renkei's listeners and Bolt's routing read is required; everything else Slack
sends passes through untouched (extra="allow"). Types renkei does not handle (shortcuts,
options, …) need only a `type`; Bolt answers them "unhandled".
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.slack.payloads import MAX_TICKET_ID


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Id(_Open):
    id: str


class _User(_Id):
    team_id: str | None = None


class _Action(_Open):
    action_id: str
    value: str | None = None
    action_ts: str | None = None


class BlockActions(_Open):
    type: str
    user: _User
    actions: list[_Action] = Field(min_length=1)
    team: _Id | None = None
    channel: _Id | None = None
    enterprise: _Id | None = None
    response_url: str | None = None
    trigger_id: str | None = None


class _State(_Open):
    values: dict[str, dict[str, dict[str, Any]]]


class _View(_Open):
    id: str | None = None
    type: str
    callback_id: str
    blocks: list[dict[str, Any]] = Field(default_factory=list)
    private_metadata: str = ""
    state: _State | None = None

    @field_validator("private_metadata")
    @classmethod
    def _ours(cls, value: str) -> str:
        # renkei's modals carry a JSON object, with a ticket id when about a ticket.
        if value:
            meta = json.loads(value)
            if not isinstance(meta, dict):
                raise ValueError("private_metadata must be a JSON object")
            ticket = meta.get("ticket_id")
            if ticket is not None and not (isinstance(ticket, int) and not isinstance(
                    ticket, bool) and 0 < ticket <= MAX_TICKET_ID):
                raise ValueError("ticket_id must be a ticket id")
        return value


class ViewSubmission(_Open):
    type: str
    user: _User
    view: _View
    team: _Id | None = None


class Typed(_Open):
    type: str


class Command(_Open):
    command: str
    user_id: str
    team_id: str
    text: str = ""
    channel_id: str | None = None
    trigger_id: str | None = None
    response_url: str | None = None
    enterprise_id: str | None = None


class _Event(_Open):
    type: str
    user: str | None = None


class EventCallback(_Open):
    type: str
    event: _Event
    event_id: str | None = None


class UrlVerification(_Open):
    type: str
    challenge: str


_INTERACTIVE: dict[str, type[BaseModel]] = {
    "block_actions": BlockActions, "view_submission": ViewSubmission,
    "view_closed": ViewSubmission,
}
_EVENTS: dict[str, type[BaseModel]] = {
    "event_callback": EventCallback, "url_verification": UrlVerification,
}


def _check(data: Any, models: dict[str, type[BaseModel]]) -> bool:
    if not isinstance(data, dict):
        return False
    Typed.model_validate(data)  # a string `type` at least
    model = models.get(data["type"])
    if model is not None:
        model.model_validate(data)
    return True


def well_formed(body: bytes, content_type: str) -> bool:
    """Whether a signed body has a shape renkei and Bolt can dispatch: an Events API JSON
    object, a slash command form, or an interactive form whose `payload` is one of ours."""
    try:
        text = body.decode("utf-8")
        if content_type.startswith("application/json"):
            return _check(json.loads(text), _EVENTS)
        form = parse_qs(text, keep_blank_values=True, strict_parsing=True)
        if "payload" in form:
            return _check(json.loads(form["payload"][0]), _INTERACTIVE)
        if "command" in form:
            Command.model_validate({k: v[0] for k, v in form.items()})
            return True
        return "ssl_check" in form  # Slack's certificate check; nothing else is a form
    except (UnicodeDecodeError, ValueError, ValidationError):
        return False
