"""Modal submissions whose answer needs Slack's Web API: an attached file to download.

Slack gives a submission 3 seconds, and `files.info` plus the download may take longer (issue
9 part 8: only `views.open` may come before a reply). Such a submission is answered at once by
turning the modal into 「添付ファイルを読み込んでいます…」; the work runs after the ack with an
`ack` that only records what it would have answered, and the modal is then updated
(`views.update` on its id) with that answer:
- closed (a plain ack): a short 「受け付けました」 notice (the usual note follows, as ever);
- `update`: that view;
- `errors` / `push`: the form again, as it was typed (file inputs excepted: Slack cannot
  pre-fill them), each problem under its input and a line at the top saying what to do.
"""

from __future__ import annotations

import copy
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from bot import messages as m
from bot.slack import limits, payloads
from bot.slack.views import _context, _md, notice_modal

log = logging.getLogger(__name__)
Work = Callable[[Callable[..., None]], None]  # the handler body, given the recording ack
_KEEP = ("type", "callback_id", "title", "submit", "close", "private_metadata",
         "notify_on_close", "clear_on_close", "external_id")


def needs_web_api(client: Any, view: Mapping[str, Any], file_blocks: Iterable[str],
                  *, file_in_meta: bool = False) -> bool:
    """True when answering means downloading a Slack file (the terminal holds its own)."""
    if callable(getattr(client, "read_upload", None)):
        return False
    if file_in_meta:
        return True
    values = payloads.state(view)
    return any(payloads.file_ids(values, block) for block in file_blocks)


class _Recorded:
    """An `ack` that keeps what it was asked to answer."""

    def __init__(self) -> None:
        self.answer: dict[str, Any] = {}

    def __call__(self, **answer: Any) -> None:
        self.answer = answer


def answer_later(ack: Callable[..., None], client: Any, view: Mapping[str, Any], work: Work,
                 run: Callable[[Callable[[], None]], None]) -> None:
    """Ack with the reading notice now; do `work` on `run` and update the modal after."""
    ack(response_action="update", view=_reading(view))

    def finish() -> None:
        recorded = _Recorded()
        try:
            work(recorded)
            final = answered_view(view, recorded.answer)
        except Exception as exc:  # a database or Slack failure after the ack: say so
            error_id = uuid.uuid4().hex[:12]
            log.error("submission %s failed after its ack (error %s): %s: %s",
                      view.get("callback_id"), error_id, type(exc).__name__, exc,
                      exc_info=True)
            final = notice_modal(m.ERROR_TITLE, m.temporary_error(error_id))
        try:
            client.views_update(view_id=str(view.get("id", "")), view=final)
        except Exception as exc:  # closed meanwhile: the work is done (or refused) anyway
            log.info("modal %s not updated after its late answer: %s", view.get("id"), exc)

    run(finish)


def _reading(view: Mapping[str, Any]) -> dict[str, Any]:
    title = view.get("title") or {"type": "plain_text", "text": m.LATE_READING_TITLE}
    return {"type": "modal", "title": title, "close": {"type": "plain_text", "text": m.CLOSE},
            "blocks": [_md(m.LATE_READING)]}


def answered_view(view: Mapping[str, Any], answer: Mapping[str, Any]) -> dict[str, Any]:
    """What the modal shows once the late answer is known."""
    action = answer.get("response_action")
    if action == "update":
        return dict(answer["view"])
    if action == "errors":
        return refilled(view, errors=dict(answer.get("errors") or {}))
    if action == "push":  # a list too long for one input: above the form, the form kept
        return refilled(view, top=list(answer["view"].get("blocks") or []))
    return notice_modal(m.LATE_DONE_TITLE, m.LATE_DONE)


def refilled(view: Mapping[str, Any], *, errors: Mapping[str, str] | None = None,
             top: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The submitted form again: its values as typed, each error under its input, and at the
    top what to do (and `top`'s blocks, e.g. a long list of problems)."""
    errors = errors or {}
    values = payloads.state(view)
    head = [_md(m.LATE_FIX_AND_RESEND), *(top or [])]
    blocks: list[dict[str, Any]] = []
    for block in view.get("blocks") or []:
        block = copy.deepcopy(dict(block))
        if block.get("type") == "input":
            _prefill(block, values.get(str(block.get("block_id"))) or {})
        blocks.append(block)
        if str(block.get("block_id")) in errors:
            text = f":warning: {errors[str(block.get('block_id'))]}"[:limits.CONTEXT_TEXT]
            blocks.append({**_context(text), "block_id": f"late-error:{block['block_id']}"})
    if len(head) + len(blocks) > limits.MODAL_BLOCKS:  # no room under the inputs: all on top
        text = "\n".join([m.LATE_FIX_AND_RESEND, *(f"• {e}" for e in errors.values())])
        blocks = [b for b in blocks if not str(b.get("block_id", "")).startswith("late-error:")]
        head = [_md(text[:limits.SECTION_TEXT]), *(top or [])]
        head = head[:max(1, limits.MODAL_BLOCKS - len(blocks))]
    out = {k: view[k] for k in _KEEP if k in view}
    return {**out, "type": "modal", "blocks": (head + blocks)[:limits.MODAL_BLOCKS]}


def _prefill(block: dict[str, Any], state: Mapping[str, Any]) -> None:
    """Set the input's initial value to what was submitted."""
    element = block.get("element") or {}
    value = state.get(str(element.get("action_id")))
    if value is None and state:
        value = next(iter(state.values()))
    if not isinstance(value, Mapping):
        return
    kind = element.get("type")
    for key in ("initial_value", "initial_date", "initial_options", "initial_option",
                "initial_conversation", "initial_user", "initial_users"):
        element.pop(key, None)
    if kind == "plain_text_input" and value.get("value"):
        element["initial_value"] = value["value"]
    elif kind == "datepicker" and value.get("selected_date"):
        element["initial_date"] = value["selected_date"]
    elif kind == "checkboxes" and value.get("selected_options"):
        element["initial_options"] = value["selected_options"]
    elif kind in ("static_select", "radio_buttons") and value.get("selected_option"):
        element["initial_option"] = value["selected_option"]
    elif kind == "conversations_select" and value.get("selected_conversation"):
        element["initial_conversation"] = value["selected_conversation"]
    elif kind == "users_select" and value.get("selected_user"):
        element["initial_user"] = value["selected_user"]
