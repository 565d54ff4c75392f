"""Reading Slack payloads: modal state, button values, private metadata.

Only shape is handled here; what the values mean is decided by `workflow` (forms, linkage).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot import messages as m
from bot.slack.views import ACTION_PREFIX, intake_fields, store_block_id
from workflow import linkage
from workflow.calendar import parse_date
from workflow.errors import ValidationFailed
from workflow.forms import normalize_code
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


@dataclass
class LinkageInput:
    company_code: str
    links: list[linkage.StoreLink]
    errors: dict[str, str]  # block id -> message; empty when the input is valid
    service: str | None = None  # "ex" | "net"; None when the modal had no select


def _date(text: str, today: date) -> date | None:
    return parse_date(text, today=today) if text.strip() else None


def read_linkage(view: Mapping[str, Any], ticket: TicketView, today: date) -> LinkageInput:
    """設定完了's inputs as StoreLinks, checked store by store with the workflow's rules so
    each message lands under its own input."""
    values = state(view)
    company = value(values, "makasete_company_code")
    errors: dict[str, str] = {}
    try:
        linkage.validate_company_code(company)
    except ValidationFailed as exc:
        errors["makasete_company_code"] = exc.by_field()["makasete_company_code"]
    service = value(values, "service") if "service" in values else None
    if service is not None:
        try:
            service = linkage.validate_service(service)
        except ValidationFailed as exc:
            errors["service"] = exc.by_field()["service"]
    names = {s.code: s.name for s in ticket.stores}
    if "links" in values:
        # A large ticket's lines come in several inputs (links, links:2, …): read as one.
        links, problems = _bulk_links(joined(values, "links"), names, today)
        if problems:
            errors["links"] = " / ".join(problems)
        return LinkageInput(company, links, errors, service)
    links = []
    for code, name in names.items():
        link = linkage.StoreLink(
            code, value(values, store_block_id("makasete_store_code", code)),
            _date(value(values, store_block_id("start_date", code)), today),
            _date(value(values, store_block_id("end_date", code)), today), name=name)
        for e in linkage.validate_store_link(link, today=today):
            block = store_block_id(e.field, code)
            errors[block] = f"{errors[block]} / {e.message}" if block in errors else e.message
        links.append(link)
    return LinkageInput(company, links, errors, service)


def _bulk_links(text: str, names: Mapping[str, str], today: date
                ) -> tuple[list[linkage.StoreLink], list[str]]:
    links: list[linkage.StoreLink] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in re.split(r"[,\t]", line)]
        if len(parts) != 4:
            problems.append(m.bulk_line_error(number, m.LINKAGE_BULK_FORMAT))
            continue
        code = normalize_code(parts[0])
        if code not in names:
            problems.append(m.bulk_unknown_store(number, code))
            continue
        seen.add(code)
        link = linkage.StoreLink(code, parts[1], _date(parts[2], today), _date(parts[3], today),
                                 name=names[code])
        problems += [m.bulk_line_error(number, e.message)
                     for e in linkage.validate_store_link(link, today=today)]
        links.append(link)
    missing = [c for c in names if c not in seen]
    if missing:
        problems.append(m.bulk_missing_store(missing))
    return links, problems
