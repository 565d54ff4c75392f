"""Reading Slack payloads: modal state, button values, private metadata.

Only shape is handled here; what the values mean is decided by `workflow` (forms, linkage).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot import messages as m
from bot.slack.views import ACTION_PREFIX, intake_fields, store_block_id
from workflow import linkage
from workflow.errors import FieldError, ValidationFailed
from workflow.forms import StoreSource, normalize_code
from workflow.schemas import TicketView


@dataclass(frozen=True)
class Press:
    """A button press: which trigger, on which ticket, at which status it was shown."""

    action: str
    ticket_id: int
    status: str
    modal: bool = False


# Ticket ids are 32-bit integers in the database (PostgreSQL INTEGER): a larger number in a
# button or a command cannot be a ticket, and must not reach a query.
MAX_TICKET_ID = 2**31 - 1


def ticket_number(text: str) -> int | None:
    """A ticket id from text: ASCII digits only, 1 .. MAX_TICKET_ID; else None."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_TICKET_ID else None


def parse_press(action: Mapping[str, Any]) -> Press | None:
    action_id = str(action.get("action_id", ""))
    ticket, _, rest = str(action.get("value", "")).partition(":")
    status, _, modal = rest.partition(":")
    number = ticket_number(ticket)
    if not action_id.startswith(ACTION_PREFIX) or number is None:
        return None
    return Press(action_id[len(ACTION_PREFIX):], number, status, modal == "modal")


def meta(view: Mapping[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def value(values: Mapping[str, Any], block_id: str) -> str:
    """The text of an input (plain text, datepicker or conversations select); '' when empty
    or absent."""
    element = (values.get(block_id) or {}).get("value") or {}
    if element.get("type") == "static_select":
        raw = (element.get("selected_option") or {}).get("value")
        return raw if isinstance(raw, str) else ""
    key = {"datepicker": "selected_date",
           "conversations_select": "selected_conversation"}.get(str(element.get("type")), "value")
    raw = element.get(key)
    return raw if isinstance(raw, str) else ""


def state(view: Mapping[str, Any]) -> Mapping[str, Any]:
    return (view.get("state") or {}).get("values") or {}


def read_intake(view: Mapping[str, Any], kind: str) -> dict[str, str]:
    """The raw form (English keys, strings) the workflow's parser takes."""
    values = state(view)
    return {field: joined(values, field) for field in intake_fields(kind)}


def joined(values: Mapping[str, Any], field: str) -> str:
    """A field's text, read from its input and the inputs that continue it (`field:2`, …:
    a long pre-fill is spread over several inputs), one after the other."""
    parts = [value(values, field)]
    parts += [value(values, key) for key in sorted(
        (k for k in values if k.startswith(field + ":") and k[len(field) + 1:].isdigit()),
        key=lambda k: int(k[len(field) + 1:]))]
    return "\n".join(p for p in parts if p)


def read_contact(view: Mapping[str, Any]) -> tuple[str, str]:
    """お客様のSlackチャンネル (a channel id) and お客様メールアドレス; '' when not given."""
    values = state(view)
    return value(values, "customer_channel"), value(values, "customer_email")


def read_note(view: Mapping[str, Any]) -> str:
    return value(state(view), "note")


def file_ids(values: Mapping[str, Any], block_id: str) -> list[str]:
    """The ids of the files attached to a `file_input` (none when empty or absent)."""
    element = (values.get(block_id) or {}).get("value") or {}
    files = element.get("files") if isinstance(element, Mapping) else None
    return [str(f["id"]) for f in files or [] if isinstance(f, Mapping) and f.get("id")]


def checked(values: Mapping[str, Any], block_id: str, option: str) -> bool:
    element = (values.get(block_id) or {}).get("value") or {}
    return any(isinstance(o, Mapping) and o.get("value") == option
               for o in element.get("selected_options") or [])


def _inputs(view: Mapping[str, Any], prefix: str) -> list[tuple[str, str]]:
    """(block id, label) of the view's text inputs `prefix`, `prefix:2`, … in order."""
    return [(b["block_id"], str(b["label"]["text"])) for b in view.get("blocks", [])
            if b.get("type") == "input" and b["element"].get("type") == "plain_text_input"
            and (b["block_id"] == prefix or (b["block_id"].startswith(prefix + ":")
                                             and b["block_id"][len(prefix) + 1:].isdecimal()))]


def store_texts(view: Mapping[str, Any]) -> list[StoreSource]:
    """The intake modal's store text inputs; messages of the 2nd and later name their input
    (the first keeps the plain 「N行目」 of a single input)."""
    values = state(view)
    return [StoreSource(block_id, "" if block_id == "stores" else label,
                        value(values, block_id))
            for block_id, label in _inputs(view, "stores")]


@dataclass
class LinkageInput:
    """設定完了's inputs as raw rows, and for each store the input its errors go under."""

    company_code: str
    rows: list[linkage.RawLink]
    blocks: dict[tuple[str, str], str]  # (店舗CD, field) -> block id
    default_block: str
    issues: list[linkage.LinkIssue]  # lines that are not rows at all
    service: str | None = None  # "ex" | "net"; None when the modal had no select


def read_linkage(view: Mapping[str, Any], ticket: TicketView) -> LinkageInput:
    """Per-store inputs or the chunked paste, as rows for `workflow.linkage`'s one parser."""
    values = state(view)
    company = value(values, "makasete_company_code")
    service, service_issues = read_service(values)
    pasted = _inputs(view, "links")
    if pasted:
        rows, issues, blocks = [], [], {}
        for number, (block_id, _label) in enumerate(pasted, start=1):
            where = m.links_input_label(number) if len(pasted) > 1 else ""
            found, bad = linkage.parse_bulk(value(values, block_id), where=where)
            rows += found
            issues += [linkage.LinkIssue(i.field, i.message, i.store_code, i.where)
                       for i in bad]
            for row in found:
                for field in linkage.COLUMN_LABELS:
                    blocks[(normalize_code(str(row.store_code)), field)] = block_id
        blocks[("", "service")] = "service"
        return LinkageInput(company, rows, blocks, pasted[0][0], [*service_issues, *issues],
                            service)
    rows, blocks = [], {}
    for s in ticket.stores:
        rows.append(linkage.RawLink(
            s.code, value(values, store_block_id("makasete_store_code", s.code)),
            value(values, store_block_id("start_date", s.code)),
            value(values, store_block_id("end_date", s.code))))
        for field in ("makasete_store_code", "start_date", "end_date"):
            blocks[(s.code, field)] = store_block_id(field, s.code)
    blocks[("", "service")] = "service"
    return LinkageInput(company, rows, blocks, "makasete_company_code", service_issues, service)


def read_service(values: Mapping[str, Any]) -> tuple[str | None, list[linkage.LinkIssue]]:
    """連携サービス (ex / net) when the modal has its select; None keeps the company's."""
    if "service" not in values:
        return None, []
    try:
        return linkage.validate_service(value(values, "service")), []
    except ValidationFailed as exc:
        return None, [linkage.LinkIssue("service", e.message) for e in exc.errors]


def linkage_errors(entered: LinkageInput, issues: list[linkage.LinkIssue],
                   company_errors: list[FieldError]) -> dict[str, str]:
    """Each problem under its input: a store's under that store's input (or its pasted chunk),
    the rest under the first. Whole: the caller lists them all in a pushed view when one is
    too long for an input."""
    errors: dict[str, list[str]] = {}
    for e in company_errors:
        errors.setdefault("makasete_company_code", []).append(e.message)
    for issue in [*entered.issues, *issues]:
        block = entered.blocks.get((issue.store_code, issue.field), entered.default_block)
        per_store = block.startswith(("makasete_store_code:", "start_date:", "end_date:"))
        errors.setdefault(block, []).append(issue.message if per_store else issue.text())
    return {k: " / ".join(v) for k, v in errors.items()}
