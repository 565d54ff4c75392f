"""Modals that carry many stores (1–300): the intake and 再提出 form, 設定完了 and its preview.

Slack's limits shape them: an input holds 3,000 characters, a modal 100 blocks. So stores come
in by a file (`file_input`), by several text inputs (pre-fills spread so none is over its
limit), or as 「この企業の登録済み店舗をすべて」; 設定完了 takes the returned 設定依頼書, a
chunked paste, or (up to MAX_STORE_INPUTS stores) one set of inputs per store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from bot import messages as m
from bot.slack import limits
from bot.slack.split import split_text
from bot.slack.views import (
    INTAKE_CALLBACK,
    LINKAGE_CALLBACK,
    Block,
    _context,
    _date_input,
    _input,
    _md,
    _modal,
    _plain,
    _select_input,
    _text_input,
    _title,
    contact_inputs,
    intake_fields,
    part_block_id,
    store_block_id,
)
from workflow.linkage import DEFAULT_SERVICE, SERVICES
from workflow.linkage_record import Preview
from workflow.schemas import StoreLinkView, StoreView, TicketView

INPUT_LIMIT = limits.INPUT_VALUE
STORE_INPUTS = 3  # text inputs a fresh intake modal offers
# 設定完了: 4 blocks (intro, file, company code, service), then 5 a store (divider, name,
# 3 inputs).
MAX_STORE_INPUTS = (limits.MODAL_BLOCKS - 4) // 5
FULL_LINKAGE_LINE = 30  # ",123456,2026-12-01,2027-11-30\n" after the store code
PREVIEW_ROWS = 10
STORES_FILE, STORES_ALL, ALL_VALUE = "stores_file", "stores_all", "all"
LINKAGE_FILE = "linkage_file"
# Fields whose text may take several inputs (`field`, `field:2`, …); `makasete_store_code:0001`
# is a per-store input, not a part.
PARTED = ("stores", "links", "remarks", "payment_items", "discounts", "customer_segments")
LINKAGE_CONFIRM_CALLBACK = "renkei_linkage_confirm"
LINKAGE_ERRORS_CALLBACK = "renkei_linkage_errors"
SHEET_CONFIRM_ACTION = "renkei_sheet_confirm"  # not "renkei:…": no trigger of the machine


def chunks(lines: Sequence[str], limit: int = INPUT_LIMIT,
           widths: Sequence[int] | None = None) -> list[list[str]]:
    """Lines grouped so each group, joined by newlines, stays within `limit` characters (or,
    with `widths`, would still once each line is as wide as given: room to fill it in)."""
    groups: list[list[str]] = [[]]
    size = 0
    for n, line in enumerate(lines):
        width = widths[n] if widths is not None else len(line)
        extra = width + (1 if groups[-1] else 0)
        if groups[-1] and size + extra > limit:
            groups.append([])
            size, extra = 0, width
        groups[-1].append(line)
        size += extra
    return groups if groups[0] else []


def is_continuation(block: Mapping[str, Any]) -> bool:
    """An empty 2nd, 3rd… text input of a field (stores:2, links:3): there only because of
    Slack's 3,000 characters an input; the terminal, which has no such limit, skips them."""
    field, _, number = str(block.get("block_id", "")).rpartition(":")
    element = block.get("element") or {}
    return (field in PARTED and number.isdecimal()
            and element.get("type") == "plain_text_input" and not element.get("initial_value"))


def store_block_ids(count: int) -> list[str]:
    return [part_block_id("stores", n) for n in range(1, count + 1)]


def _file_input(block_id: str, label: str, filetypes: list[str], hint: str) -> Block:
    return _input(block_id, label, {"type": "file_input", "action_id": "value",
                                    "filetypes": filetypes, "max_files": 1},
                  optional=True, hint=hint)


def store_inputs(stores: Sequence[StoreView] = ()) -> list[Block]:
    """The file, the text inputs (each pre-fill within the limit) and the registered-stores
    checkbox. A fresh form gets STORE_INPUTS empty inputs."""
    groups = chunks([f"{s.code}:{s.name}" for s in stores])
    blocks = [_file_input(STORES_FILE, m.STORES_FILE_LABEL, ["csv", "xlsx", "txt"],
                          m.STORES_FILE_HINT)]
    # One empty input more than the pre-fill takes, so stores can be added on 再提出.
    count, first = max(len(groups) + 1, STORE_INPUTS), 1
    for number, block_id in enumerate(store_block_ids(count), start=1):
        group = groups[number - 1] if number <= len(groups) else []
        label = (m.stores_input_label(number, first, first + len(group) - 1) if group
                 else m.stores_input_label(number))
        first += len(group)
        blocks.append(_text_input(
            block_id, label, multiline=True, optional=True, initial="\n".join(group),
            placeholder=m.PLACEHOLDERS["stores"] if number == 1 else "",
            hint=m.HINTS["stores"] if number == 1 else m.STORES_MORE_HINT,
            max_length=INPUT_LIMIT))
    blocks.append(_input(STORES_ALL, m.STORES_ALL_LABEL, {
        "type": "checkboxes", "action_id": "value",
        "options": [{"text": _plain(m.STORES_ALL_OPTION), "value": ALL_VALUE}]},
        optional=True, hint=m.STORES_ALL_HINT))
    return blocks


def intake_modal(kind: str, meta: Mapping[str, Any], initial: Mapping[str, str] | None = None,
                 stores: Sequence[StoreView] = ()) -> dict[str, Any]:
    """The 新規・増店 / 設定変更 form for 1–300 stores; `initial`/`stores` pre-fill it (再提出)."""
    initial = initial or {}
    blocks: list[Block] = [_context(m.INTAKE_INTRO[kind])]
    for field in intake_fields(kind):
        label = m.field_label(field, kind)
        if field == "stores":
            blocks += store_inputs(stores)
        elif field == "desired_date":
            blocks.append(_date_input(field, label, initial=initial.get(field) or None,
                                      hint=m.HINTS[field]))
        elif field in ("remarks", "payment_items", "discounts", "customer_segments"):
            # 100 added items of 100 characters are over an input: a long pre-fill goes over
            # several (payloads.read_intake joins `field`, `field:2`, … again).
            parts = split_text(initial.get(field, ""), INPUT_LIMIT) or [""]
            for n, part in enumerate(parts, start=1):
                more = m.part_label(n, len(parts)) if len(parts) > 1 else ""
                blocks.append(_text_input(part_block_id(field, n), label + more,
                                          multiline=True, optional=True,
                                          initial=part.rstrip("\n"),
                                          placeholder=m.PLACEHOLDERS.get(field, "") if n == 1
                                          else "", hint=m.HINTS.get(field, "") if n == 1
                                          else "", max_length=INPUT_LIMIT))
        else:
            blocks.append(_text_input(field, label, initial=initial.get(field, ""),
                                      placeholder=m.PLACEHOLDERS.get(field, ""),
                                      hint=m.HINTS.get(field, "")))
    resubmit = "ticket_id" in meta
    if not resubmit:  # on 再提出 the contact stays as it is (「お客様連絡先を変更」 edits it)
        blocks += contact_inputs()
    title = m.MODAL_RESUBMIT_TITLE if resubmit else m.MODAL_TITLES[kind]
    return _modal(INTAKE_CALLBACK, title, m.RESUBMIT if resubmit else m.SUBMIT, blocks, meta)


def resubmit_modal(ticket: TicketView, meta: Mapping[str, Any]) -> dict[str, Any]:
    """再提出: the ticket's request pre-filled, its stores spread over the text inputs."""
    adds = ticket.additions
    initial = {
        "customer_code": ticket.customer_code, "company_code": ticket.company_code,
        "company_name": ticket.company_name, "desired_date": ticket.desired_date.isoformat(),
        "remarks": ticket.remarks,
        **{k: "\n".join(adds.get(k, [])) for k in ("payment_items", "discounts",
                                                    "customer_segments")},
    }
    return intake_modal(ticket.kind, meta, initial, ticket.stores)


# ---- 設定完了 -------------------------------------------------------------------------------
def links_block_ids(count: int) -> list[str]:
    return [part_block_id("links", n) for n in range(1, count + 1)]


def _ymd(d: date | None) -> str:
    return f"{d:%Y-%m-%d}" if d else ""


def linkage_modal(ticket: TicketView, links: Sequence[StoreLinkView],
                  meta: Mapping[str, Any]) -> dict[str, Any]:
    """設定完了: the returned 設定依頼書 (any store count), まかせてネット企業コード, and per
    store 店舗コード / 連携開始日 / 連携終了日 (seed 2-2 ①〜④) up to MAX_STORE_INPUTS stores,
    else a chunked paste; pre-filled from what is recorded already."""
    known = {row.store_code: row for row in links}
    company = next((r.makasete_company_code for r in links if r.makasete_company_code), "")
    blocks: list[Block] = [
        _md(f"*{_title(ticket)}*\n{m.LINKAGE_INTRO}"),
        _file_input(LINKAGE_FILE, m.LINKAGE_FILE_LABEL, ["xlsx", "csv"], m.LINKAGE_FILE_HINT),
        _text_input("makasete_company_code", m.field_label("makasete_company_code"),
                    optional=True, initial=company or "", hint=m.LINKAGE_COMPANY_OPTIONAL_HINT,
                    max_length=5),
        _select_input("service", m.field_label("service"), SERVICES,
                      initial=next((r.destination for r in links if r.makasete_company_code),
                                   DEFAULT_SERVICE), hint=m.LINKAGE_SERVICE_HINT),
    ]
    if len(ticket.stores) > MAX_STORE_INPUTS:
        lines = []
        for s in ticket.stores:
            row = known.get(s.code)
            lines.append(",".join([s.code, (row and row.makasete_store_code) or "",
                                   _ymd((row.start_date if row else None)
                                        or ticket.desired_date),
                                   _ymd(row.end_date if row else None)]))
        # Room for each line once filled in completely, within an input's 3,000 characters.
        groups = chunks(lines, widths=[len(s.code) + FULL_LINKAGE_LINE for s in ticket.stores])
        blocks.append(_context(m.linkage_bulk_notice(len(ticket.stores), len(groups))))
        for number, (block_id, group) in enumerate(
                zip(links_block_ids(len(groups)), groups, strict=True), start=1):
            blocks.append(_text_input(block_id, m.links_input_label(number), multiline=True,
                                      optional=True, initial="\n".join(group),
                                      hint=m.LINKAGE_BULK_HINT, max_length=INPUT_LIMIT))
    else:
        for s in ticket.stores:
            row = known.get(s.code)
            blocks.append({"type": "divider"})
            blocks.append(_md(f"*{s.code}:{s.name}*"))
            # The store code in each label: the terminal asks input by input, and an error
            # shown under an input must say which store it is about.
            blocks.append(_text_input(
                store_block_id("makasete_store_code", s.code),
                f"{s.code} {m.field_label('makasete_store_code')}", hint=m.LINKAGE_STORE_HINT,
                initial=(row and row.makasete_store_code) or "", max_length=6, optional=True))
            blocks.append(_date_input(store_block_id("start_date", s.code),
                                      f"{s.code} {m.field_label('start_date')}",
                                      initial=(row and row.start_date) or ticket.desired_date,
                                      optional=True))
            blocks.append(_date_input(store_block_id("end_date", s.code),
                                      f"{s.code} {m.field_label('end_date')}",
                                      initial=(row and row.end_date) or None, optional=True))
    return _modal(LINKAGE_CALLBACK, m.LINKAGE_TITLE, m.LINKAGE_SUBMIT, blocks, meta)


def _sections(lines: Sequence[str]) -> list[Block]:
    # Lines grouped so no section is over Slack's 3,000 characters (nothing is cut).
    return [_md("\n".join(group)) for group in chunks(lines, limits.SECTION_TEXT)]


def linkage_preview_blocks(ticket: TicketView, preview: Preview, file_name: str) -> list[Block]:
    """What a returned sheet will record: counts and the first rows."""
    names = {s.code: s.name for s in ticket.stores}
    rows = [m.linkage_preview_row(lk.store_code, names.get(lk.store_code, lk.name),
                                  lk.makasete_store_code, _ymd(lk.start_date), _ymd(lk.end_date))
            for lk in preview.links[:PREVIEW_ROWS]]
    if len(preview.links) > PREVIEW_ROWS:
        rows.append(m.stores_more(len(preview.links) - PREVIEW_ROWS))
    return [_md(f"*{_title(ticket)}*\n" + m.linkage_preview(
                file_name, len(preview.links), preview.new, preview.changed, preview.kept,
                preview.makasete_company_code)),
            *_sections(rows)]


def linkage_preview_modal(ticket: TicketView, preview: Preview, file_name: str,
                          meta: Mapping[str, Any]) -> dict[str, Any]:
    """The preview as a modal (the view the 設定完了 modal turns into); submit records it."""
    return _modal(LINKAGE_CONFIRM_CALLBACK, m.LINKAGE_PREVIEW_TITLE, m.LINKAGE_PREVIEW_SUBMIT,
                  linkage_preview_blocks(ticket, preview, file_name), meta)


def sheet_in_thread(ticket: TicketView, preview: Preview, file_name: str, value: str
                    ) -> list[Block]:
    """The preview posted in the ticket's thread when planning uploads the sheet there, with
    the button that records it."""
    return [*linkage_preview_blocks(ticket, preview, file_name)[:48],
            {"type": "actions", "block_id": f"sheet:{ticket.id}", "elements": [
                {"type": "button", "action_id": SHEET_CONFIRM_ACTION, "style": "primary",
                 "text": _plain(m.LINKAGE_PREVIEW_SUBMIT), "value": value}]}]


def sheet_errors(file_name: str, messages: Sequence[str]) -> list[list[Block]]:
    """Every problem of a sheet uploaded in the thread, as messages (each within Slack's
    12,000 characters of block text): nothing is left out."""
    count = m.linkage_errors_count(len(messages))
    posts = [_sections(group) for group in chunks(messages, limits.MESSAGE_TEXT_BUDGET - 500)]
    return [[_md(f"*{file_name}*: {m.LINKAGE_ERRORS_INTRO}（{count}）"), *posts[0]],
            *posts[1:]] if posts else [[_md(f"*{file_name}*: {m.LINKAGE_ERRORS_INTRO}")]]


def linkage_errors_modal(messages: Sequence[str]) -> dict[str, Any]:
    """Every problem of a returned sheet, pushed over the 設定完了 modal (closing it goes
    back there); long lists are split over sections. Past Slack's 100 blocks the last one
    says 「ほかN件」 and where the whole list is (the thread's upload lists everything)."""
    groups = chunks(messages, limits.SECTION_TEXT)
    room = limits.MODAL_BLOCKS - 1  # the intro
    more: list[Block] = []
    if len(groups) > room:
        groups, rest = groups[:room - 1], groups[room - 1:]
        more = [_md(m.linkage_errors_more(sum(len(g) for g in rest)))]
    blocks = [_md(f"{m.LINKAGE_ERRORS_INTRO}（{m.linkage_errors_count(len(messages))}）"),
              *(_md("\n".join(g)) for g in groups), *more]
    return {"type": "modal", "callback_id": LINKAGE_ERRORS_CALLBACK,
            "title": _plain(m.LINKAGE_ERRORS_TITLE), "close": _plain(m.CLOSE), "blocks": blocks}
