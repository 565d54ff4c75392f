"""Where many stores come in through Slack: the intake modal's file, text inputs and
「この企業の登録済み店舗をすべて」, and the returned 設定依頼書 on 設定完了.

Shape only: the files are read by `workflow.store_file` / `workflow.linkage_sheet`, the rules
are `workflow.forms`' and `workflow.linkage`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot import messages as m
from bot.slack import files, payloads
from bot.slack.limits import ERROR_TEXT
from bot.slack.views import fit_error
from bot.slack.views_stores import (
    ALL_VALUE,
    LINKAGE_FILE,
    STORES_ALL,
    STORES_FILE,
    linkage_errors_modal,
    linkage_preview_modal,
)
from workflow.errors import RenkeiError, ValidationFailed
from workflow.forms import StoreEntry, StoreSource, normalize_code
from workflow.linkage_sheet import ReturnedSheet, read_returned
from workflow.registry import MANAGEMENT_STORE
from workflow.schemas import TicketView
from workflow.service import Workflow
from workflow.store_file import read_store_file


def intake_sources(wf: Workflow, client: Any, view: Mapping[str, Any], company_code: str
                   ) -> list[StoreSource]:
    """Every store input of the intake modal as StoreSources for `workflow.forms`."""
    values = payloads.state(view)
    sources = payloads.store_texts(view)
    for file_id in payloads.file_ids(values, STORES_FILE)[:1]:
        try:
            name, data = files.download(client, file_id)
            sources.append(StoreSource(STORES_FILE, m.STORES_FILE_NAME,
                                       read_store_file(data, name)))
        except RenkeiError as exc:
            sources.append(StoreSource(STORES_FILE, problem=" / ".join(messages_of(exc))))
    if payloads.checked(values, STORES_ALL, ALL_VALUE):
        code = normalize_code(company_code)
        known = [StoreEntry.model_construct(code=r.store_code, name=r.store_name)
                 for r in (wf.store_links(code) if code else [])
                 if r.store_code != MANAGEMENT_STORE[0]]
        sources.append(StoreSource(STORES_ALL, m.STORES_ALL_OPTION, entries=tuple(known),
                                   problem="" if known else m.no_registered_stores(code)))
    return sources


def returned_sheet(client: Any, file_id: str, ticket: TicketView) -> tuple[str, ReturnedSheet]:
    """The attached 設定依頼書, read (not yet checked); RenkeiError says why it cannot be."""
    name, data = files.download(client, file_id)
    return name, read_returned(data, name, targets=[s.code for s in ticket.stores])


def company_code(typed: str, in_sheet: str) -> tuple[str, str]:
    """The まかせてネット企業コード from the input or the sheet, and a problem ('' if none)."""
    typed, in_sheet = normalize_code(typed), normalize_code(in_sheet)
    if typed and in_sheet and typed != in_sheet:
        return typed, f"{m.LINKAGE_COMPANY_DIFFERS}（{typed} / {in_sheet}）"
    return typed or in_sheet, ""


def messages_of(exc: RenkeiError) -> list[str]:
    """The Japanese messages of a user error, one per problem."""
    return [e.message for e in exc.errors] if isinstance(exc, ValidationFailed) \
        else [exc.message]


def sheet_answer(wf: Workflow, client: Any, ticket: TicketView, file_id: str, typed: str,
                 meta: Mapping[str, Any]) -> dict[str, Any]:
    """The 設定完了 modal's answer to an attached sheet: every problem at once (under the file
    input, or pushed as a list when too long for it), else the preview to confirm."""
    try:
        name, sheet = returned_sheet(client, file_id, ticket)
    except RenkeiError as exc:
        text = fit_error(" / ".join(messages_of(exc)))
        return {"response_action": "errors", "errors": {LINKAGE_FILE: text}}
    company, problem = company_code(typed, sheet.makasete_company_code)
    if problem or not company:
        return {"response_action": "errors",
                "errors": {"makasete_company_code": problem or m.LINKAGE_NEED_COMPANY}}
    preview = wf.preview_linkage(ticket.id, makasete_company_code=company, links=sheet.rows,
                                 service=meta.get("service"))
    if preview.errors:
        messages = [e.message for e in preview.errors]
        if len(" / ".join(messages)) < ERROR_TEXT:
            return {"response_action": "errors", "errors": {LINKAGE_FILE: " / ".join(messages)}}
        return {"response_action": "push", "view": linkage_errors_modal(messages)}
    confirm = {**meta, "file_id": file_id, "company": company}
    return {"response_action": "update",
            "view": linkage_preview_modal(ticket, preview, name, confirm)}
