"""Block Kit builders: pure functions from service snapshots to Slack JSON (dicts).

Block ids of modal inputs are the form's field keys (`customer_code`, `stores`, ...), so a
`ValidationFailed.by_field()` maps straight onto `response_action: errors`. Buttons carry
`action_id = "renkei:<trigger>"` and `value = "<ticket id>:<status shown>:<modal or empty>"`
(whether the service said the action asks for more input, so a plain click needs no lookup).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot import messages as m
from bot.slack import limits
from bot.slack.split import split_text
from bot.slack.views_fate import dead_blocks
from workflow.calendar import shown_time
from workflow.labels import document_label, step_label
from workflow.machine import STEPS
from workflow.partner import CONTACT_EDITABLE
from workflow.schemas import ActionView, TicketView

Block = dict[str, Any]
ACTION_PREFIX = "renkei:"
KINTONE_ACTION = "kintone"
CONTACT_ACTION = "contact"  # お客様連絡先を変更: opens CONTACT_CALLBACK's modal
INTAKE_CALLBACK = "renkei_intake"
SEND_BACK_CALLBACK = "renkei_send_back"
LINKAGE_CALLBACK = "renkei_linkage"
CONTACT_CALLBACK = "renkei_contact"
MAX_SHOWN_STORES = 15
MAX_LIST_LINES = 50
ADDITIONS_CHARS = 800  # what the ticket message shows of one list of added items
REASON_CHARS = 2000


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _md(text: str) -> Block:
    # Never cut here: a builder keeps its text within limits.SECTION_TEXT (tested).
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _md_parts(text: str) -> list[Block]:
    """A text that may be longer than one section, over several (cut at line ends)."""
    return [_md(p) for p in split_text(text, limits.SECTION_TEXT)] or [_md(" ")]


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _header(text: str) -> Block:
    # A title: a company name of 100 characters fits; anything longer is shortened visibly.
    if len(text) > limits.HEADER_TEXT:
        text = text[: limits.HEADER_TEXT - 1] + "…"
    return {"type": "header", "text": _plain(text)}


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool,
           hint: str) -> Block:
    """An input block around `element` (every modal input is built here)."""
    block: Block = {"type": "input", "block_id": block_id, "label": _plain(label),
                    "element": element, "optional": optional}
    if hint:
        block["hint"] = _plain(hint)
    return block


def _text_input(block_id: str, label: str, *, multiline: bool = False, optional: bool = False,
                initial: str = "", placeholder: str = "", hint: str = "",
                max_length: int | None = None) -> Block:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value",
                               "multiline": multiline}
    if initial:
        element["initial_value"] = initial
    if placeholder:
        element["placeholder"] = _plain(placeholder)
    if max_length:
        element["max_length"] = max_length
    return _input(block_id, label, element, optional=optional, hint=hint)


def _date_input(block_id: str, label: str, *, initial: date | str | None = None,
                hint: str = "", optional: bool = False) -> Block:
    element: dict[str, Any] = {"type": "datepicker", "action_id": "value"}
    if initial:
        element["initial_date"] = str(initial)
    return _input(block_id, label, element, optional=optional, hint=hint)


def _select_input(block_id: str, label: str, options: Mapping[str, str], *, initial: str,
                  hint: str = "") -> Block:
    """A static select of `options` (value -> label), `initial` selected."""
    def option(value: str) -> dict[str, Any]:
        return {"text": _plain(options[value]), "value": value}
    element = {"type": "static_select", "action_id": "value",
               "options": [option(v) for v in options], "initial_option": option(initial)}
    return _input(block_id, label, element, optional=False, hint=hint)


def _modal(callback_id: str, title: str, submit: str, blocks: list[Block],
           meta: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "modal", "callback_id": callback_id, "title": _plain(title),
            "submit": _plain(submit), "close": _plain(m.CANCEL), "blocks": blocks,
            "private_metadata": json.dumps(dict(meta), ensure_ascii=False)}


# ---- the intake modal ---------------------------------------------------------------------
def intake_fields(kind: str) -> list[str]:
    """The inputs of the intake modal, in the order of the seed's 定型文."""
    fields = ["customer_code", "company_code", "company_name", "stores", "desired_date"]
    if kind == "change":
        fields += ["payment_items", "discounts", "customer_segments"]
    return [*fields, "remarks"]


def channel_select(block_id: str, label: str, *, initial: str | None = None,
                   hint: str = "", placeholder: str = "") -> Block:
    """An optional conversations select (public and private channels, Slack Connect ones
    included; no DMs with bots)."""
    element: dict[str, Any] = {"type": "conversations_select", "action_id": "value",
                               "filter": {"include": ["public", "private"],
                                          "exclude_bot_users": True}}
    if initial:
        element["initial_conversation"] = initial
    if placeholder:
        element["placeholder"] = _plain(placeholder)
    return _input(block_id, label, element, optional=True, hint=hint)


def contact_inputs(channel: str | None = None, email: str | None = None) -> list[Block]:
    """お客様のSlackチャンネル and お客様メールアドレス, both optional."""
    return [
        channel_select("customer_channel", m.field_label("customer_channel"), initial=channel,
                       hint=m.CONTACT_HINTS["customer_channel"],
                       placeholder=m.CONTACT_PLACEHOLDERS["customer_channel"]),
        _text_input("customer_email", m.field_label("customer_email"), optional=True,
                    initial=email or "", hint=m.CONTACT_HINTS["customer_email"],
                    placeholder=m.CONTACT_PLACEHOLDERS["customer_email"], max_length=254),
    ]


def contact_modal(ticket: TicketView, meta: Mapping[str, Any]) -> dict[str, Any]:
    """「お客様連絡先を変更」: the two contact inputs, pre-filled."""
    blocks = [_md(f"*{_title(ticket)}*\n{m.CONTACT_INTRO}"),
              *contact_inputs(ticket.customer_channel, ticket.customer_email)]
    return _modal(CONTACT_CALLBACK, m.CONTACT_TITLE, m.CONTACT_SUBMIT, blocks, meta)


def input_block_ids(view: Mapping[str, Any]) -> list[str]:
    return [b["block_id"] for b in view.get("blocks", []) if b.get("type") == "input"]


def modal_errors(by_field: Mapping[str, str], view: Mapping[str, Any],
                 labels: Mapping[str, str] | None = None) -> dict[str, str]:
    """`response_action: errors` for a modal: each message under its input; a message for a
    field the modal has no input for goes under the first input, with its label."""
    ids = input_block_ids(view)
    errors: dict[str, str] = {}
    for field, message in by_field.items():
        if field in ids:
            target, text = field, message
        else:
            target = ids[0]
            label = (labels or {}).get(field) or m.field_label(field)
            text = f"{label}: {message}"
        errors[target] = f"{errors[target]} / {text}" if target in errors else text
    return {k: fit_error(v) for k, v in errors.items()}


def fit_error(text: str, limit: int = limits.ERROR_TEXT) -> str:
    """Problems joined by " / " made to fit under one input: whole ones up to the limit,
    then 「ほかN件」 for the rest (one problem longer than the limit alone is cut with …)."""
    if len(text) <= limit:
        return text
    parts = text.split(" / ")
    room = limit - len(m.errors_more(len(parts)))  # the longest the tail can be
    size = shown = 0
    for part in parts:
        extra = len(part) + (3 if shown else 0)
        if size + extra > room:
            break
        size, shown = size + extra, shown + 1
    if shown == 0:
        return text[: limit - 1] + "…"
    return " / ".join(parts[:shown]) + m.errors_more(len(parts) - shown)


def notice_modal(title: str, text: str) -> dict[str, Any]:
    """What a modal turns into when its action no longer applies (already moved, not allowed)."""
    return {"type": "modal", "title": _plain(title), "close": _plain(m.CLOSE),
            "blocks": _md_parts(text)[: limits.MODAL_BLOCKS]}


# ---- 差し戻し and 設定完了 -------------------------------------------------------------------
_REASON_TEXTS = {  # action → title, submit, intro, label, placeholder of its reason modal
    "send_back": (m.SEND_BACK_TITLE, m.SEND_BACK_SUBMIT, m.SEND_BACK_INTRO,
                  m.field_label("note"), m.SEND_BACK_PLACEHOLDER),
    "cancel": (m.CANCEL_TITLE, m.CANCEL_SUBMIT, m.CANCEL_INTRO, m.CANCEL_NOTE_LABEL,
               m.CANCEL_PLACEHOLDER),
}


def send_back_modal(ticket: TicketView, meta: Mapping[str, Any],
                    action: str = "send_back") -> dict[str, Any]:
    """The reason modal of 差し戻し, or of 取り消す (`action`); meta carries the action."""
    title, submit, intro, label, placeholder = _REASON_TEXTS[action]
    blocks = [_md(f"*{_title(ticket)}*\n{intro}"),
              _text_input("note", label, multiline=True,
                          placeholder=placeholder, max_length=1000)]
    return _modal(SEND_BACK_CALLBACK, title, submit, blocks, {**meta, "action": action})


def store_block_id(field: str, store_code: str) -> str:
    return f"{field}:{store_code}"


def part_block_id(field: str, number: int) -> str:
    """The block id of the n-th input of a field whose text takes several inputs."""
    return field if number == 1 else f"{field}:{number}"


# ---- the ticket message -------------------------------------------------------------------
def _title(t: TicketView) -> str:
    return m.ticket_title(t.kind_label, t.company_name, t.id)


def progress(t: TicketView) -> str:
    """The seven steps on one line: done, current, to come."""
    reached = STEPS.index(t.status) if t.status in STEPS else -1
    if t.status in ("returned", "cancelled"):
        # where it stood before leaving the line: the latest step it entered
        entered = [s for s in STEPS if s in t.step_times]
        reached = max((STEPS.index(s) + 1 for s in entered), default=0)
    parts = []
    for i, step in enumerate(STEPS):
        label = step_label(step, t.kind)
        if t.status == "verified" or i < reached:
            parts.append(f":white_check_mark: {label}")
        elif i == reached and t.status in STEPS:
            parts.append(f":arrow_forward: *{label}*")
        else:
            parts.append(f":white_circle: {label}")
    return " → ".join(parts)


def _stores_text(t: TicketView) -> str:
    # The message is browsed: the first stores, and where every store is (the 定型文).
    shown = [f"{s.code}:{s.name}" for s in t.stores[:MAX_SHOWN_STORES]]
    if len(t.stores) > MAX_SHOWN_STORES:
        shown.append(m.stores_more(len(t.stores) - MAX_SHOWN_STORES) + m.all_stores_where())
    return "\n".join(shown)


def _items_line(label: str, items: Sequence[str]) -> str:
    """One list of added items, as many as fit ADDITIONS_CHARS, then 「ほかN件」."""
    shown: list[str] = []
    for item in items:
        if sum(len(x) + 1 for x in shown) + len(item) > ADDITIONS_CHARS:
            break
        shown.append(item)
    more = m.additions_more(len(items) - len(shown)) if len(shown) < len(items) else ""
    return f"{label}: {'、'.join(shown)}{more}"


def _needs_modal(action: ActionView) -> bool:
    return action.needs_note or action.needs_form or action.needs_linkage


def _button(action: ActionView, t: TicketView) -> Block:
    button: Block = {"type": "button", "action_id": ACTION_PREFIX + action.action,
                     "text": _plain(action.label),
                     "value": f"{t.id}:{t.status}:{'modal' if _needs_modal(action) else ''}"}
    if action.style in ("primary", "danger"):
        button["style"] = action.style
    if action.action == "cancel":
        button["confirm"] = {"title": _plain(m.CANCEL_CONFIRM_TITLE),
                             "text": _plain(m.CANCEL_CONFIRM_TEXT),
                             "confirm": _plain(m.CANCEL_CONFIRM_YES),
                             "deny": _plain(m.CANCEL_CONFIRM_NO), "style": "danger"}
    return button


def pending_labels(t: TicketView) -> list[str]:
    """Outgoing work of the ticket not sent yet, by name (the message itself not counted)."""
    named = {**m.PENDING_LABELS, "spec.document": document_label(t.kind)}
    return [named[k] for k in t.pending_jobs if k in named]


def ticket_blocks(t: TicketView, actions: Sequence[ActionView], *,
                  kintone_button: bool = True, kintone_url: str | None = None) -> list[Block]:
    adds = [_items_line(m.field_label(k), v) for k, v in t.additions.items() if v]
    fields = [
        f"*{m.LABEL_CUSTOMER}*\n{t.customer_code}", f"*{m.LABEL_COMPANY}*\n{t.company_code}",
        f"*{t.date_label}*\n{t.desired_date:%Y-%m-%d}", f"*{m.LABEL_REQUESTER}*\n<@{t.requester}>",
        f"*{m.LABEL_STATUS}*\n{t.status_label}",
    ]
    blocks: list[Block] = [
        _header(_title(t)),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]},
        _md(f"*{m.LABEL_STORES}*{m.stores_count(len(t.stores))}\n{_stores_text(t)}"),
    ]
    if adds:
        blocks.append(_md(f"*{m.LABEL_ADDITIONS}*\n" + "\n".join(adds)))
    if t.remarks and t.kind == "new":
        blocks.append(_md(f"*{m.field_label('remarks')}*\n{t.remarks}"))
    blocks.append(_context(progress(t)))
    links = [m.contact_line(t.customer_channel, t.customer_email)]
    if kintone_url and t.kintone_record_id:
        links.append(m.kintone_link(kintone_url, t.kintone_record_id))
    blocks.append(_context("　".join(links)))
    if pending := pending_labels(t):
        blocks.append(_context(m.pending_line(pending)))
    blocks += dead_blocks(t, ACTION_PREFIX)
    if t.status == "partner_setup" and t.sla_due:
        blocks.append(_context(m.sla_line(f"{t.sla_due:%Y-%m-%d}", t.days_overdue)))
    if t.status == "returned" and t.return_reason:
        reason = t.return_reason
        if len(reason) > REASON_CHARS:  # the whole reason is in the thread's post
            reason = reason[:REASON_CHARS] + m.reason_more(len(reason))
        blocks.append(_md(m.returned_line(reason)))
    if t.status == "cancelled":
        blocks.append(_context(m.CANCELLED_LINE))
    if t.status == "verified":
        blocks.append(_context(m.VERIFIED_LINE))
    buttons = [_button(a, t) for a in actions]
    if kintone_button:
        buttons.append({"type": "button", "action_id": ACTION_PREFIX + KINTONE_ACTION,
                        "text": _plain(m.KINTONE_BUTTON), "value": f"{t.id}:{t.status}"})
    if t.status in CONTACT_EDITABLE:
        buttons.append({"type": "button", "action_id": ACTION_PREFIX + CONTACT_ACTION,
                        "text": _plain(m.CONTACT_BUTTON), "value": f"{t.id}:{t.status}:modal"})
    if buttons:
        blocks.append({"type": "actions", "block_id": f"ticket:{t.id}", "elements": buttons})
    return blocks


def ticket_message(t: TicketView, actions: Sequence[ActionView], *,
                   kintone_url: str | None = None) -> tuple[str, list[Block]]:
    """The one message a ticket has in the requests channel: (fallback text, blocks);
    `kintone_url` links the ticket's Kintone record when there is one."""
    return (m.ticket_fallback(t.id, t.kind_label, t.company_name, t.status_label),
            ticket_blocks(t, actions, kintone_url=kintone_url))


def when(at: datetime, tz: ZoneInfo) -> str:
    return shown_time(at, tz)


def note_block(text: str) -> Block:
    """A short context line (a notice under a message)."""
    return _context(text)
