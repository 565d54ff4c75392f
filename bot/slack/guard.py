"""The entry guard: what reaches renkei's listeners, and what a person is told when their
request cannot be served.

- External users (another workspace in a Slack Connect channel, not our Enterprise Grid
  org) are customers. A Bolt middleware answers their slash commands with a short polite
  note, lets through only the customer's button (「データ連携を確認しました」, whose listener
  checks the channel), and drops everything else with a note. App Home events carry no team,
  so the Home listener asks `Roles.is_external_user`.
- A database error while serving a click, command or submission is answered
  「一時的なエラーです。もう一度お試しください」 with an error id that is also in the log
  (`answers_db_errors`, on each listener), instead of a silent drop or a 500.
"""

from __future__ import annotations

import functools
import inspect
import logging
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from typing import Any, TypeVar, cast

from slack_bolt import BoltResponse
from sqlalchemy.exc import SQLAlchemyError

from bot import messages as m
from bot.slack.roles import Roles
from bot.slack.views import notice_modal
from bot.slack.views_partner import CUSTOMER_VERIFY_ACTION

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


def external_users(roles: Roles, executor: Executor) -> Callable[..., BoltResponse | None]:
    """The Bolt middleware keeping customers to their one button."""

    def keep_customers_out(body: Mapping[str, Any], next: Callable[[], None],
                           context: Any = None, respond: Any = None) -> BoltResponse | None:
        # Bolt has already asked auth.test (and caches it): that is our workspace.
        result = getattr(context, "authorize_result", None)
        if result is not None and getattr(result, "team_id", None):
            roles.learn_home(str(result.team_id), str(result.enterprise_id or ""))
        if body.get("type") == "event_callback" or not roles.is_external(body):
            next()
            return None
        kind = body.get("type")
        if "command" in body:
            log.info("external user %s: command refused", body.get("user_id"))
            return BoltResponse(status=200, body={"response_type": "ephemeral",
                                                  "text": m.EXTERNAL_COMMAND})
        if kind == "block_actions":
            actions = body.get("actions")
            first = actions[0] if isinstance(actions, list) and actions else {}
            if isinstance(first, Mapping) and first.get("action_id") == CUSTOMER_VERIFY_ACTION:
                next()
                return None
            if respond is not None:  # told after the ack: the reply must not wait for Slack
                executor.submit(_tell, respond, m.CUSTOMER_ONLY_CONFIRM)
            return BoltResponse(status=200, body="")
        if kind == "view_submission":
            return BoltResponse(status=200, body={"response_action": "clear"})
        return BoltResponse(status=200, body="")

    return keep_customers_out


def _tell(respond: Any, text: str) -> None:
    try:
        respond(text=text, response_type="ephemeral", replace_original=False)
    except Exception as exc:  # a courtesy: nothing was done either way
        log.info("could not tell an external user: %s", exc)


def answers_db_errors(listener: F) -> F:
    """Wrap a listener (Bolt's or the terminal's: arguments by name or position) so that a
    database error is logged with an id and the person is told 「一時的なエラーです…」
    with that id: in the modal for a submission not yet answered, as the command's answer,
    else ephemerally (response_url) or by DM."""
    signature = inspect.signature(listener)

    @functools.wraps(listener)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        acked: list[bool] = []
        ack = bound.arguments.get("ack")
        if ack is not None:
            def recording_ack(*a: Any, **k: Any) -> Any:
                acked.append(True)
                return ack(*a, **k)
            bound.arguments["ack"] = recording_ack
        try:
            return listener(*bound.args, **bound.kwargs)
        except SQLAlchemyError as exc:
            error_id = uuid.uuid4().hex[:12]
            log.error("database error %s in %s: %s: %s", error_id, listener.__name__,
                      type(exc).__name__, exc, exc_info=True)
            _answer(bound.arguments, ack if not acked else None, m.temporary_error(error_id))
            return None

    return cast(F, wrapper)


def _answer(arguments: Mapping[str, Any], ack: Any, text: str) -> None:
    body = arguments.get("body") or {}
    try:
        if ack is not None:
            if body.get("type") == "view_submission":
                ack(response_action="update", view=notice_modal(m.ERROR_TITLE, text))
            else:
                ack(text=text, response_type="ephemeral")
            return
        respond = arguments.get("respond")
        if respond is not None:
            respond(text=text, response_type="ephemeral", replace_original=False)
            return
        user = body.get("user")
        user_id = user.get("id") if isinstance(user, Mapping) else body.get("user_id")
        client = arguments.get("client")
        if client is not None and user_id:
            dm = client.conversations_open(users=user_id)["channel"]["id"]
            client.chat_postMessage(channel=dm, text=text)
    except Exception as exc:  # the error is logged with its id; telling is best effort
        log.warning("could not tell the user about a database error: %s", exc)
