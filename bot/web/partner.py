"""/p/<token>: the partner's 設定完了連絡 page (seed 1-2 steps 4–5, screen 2-2).

GET shows the request (company, stores, date, for 設定変更 the additions) and the 2-2 form;
POST records the linkage and moves the ticket to 設定完了連絡 as the partner, in one
transaction with its audit event; the outbox then asks planning in the thread to check it and
report in Kintone. The link works only while the ticket is at 連携設定.
"""

from __future__ import annotations

import hashlib
import logging

from flask import Blueprint, render_template, request

from bot import messages as m
from bot.web import page, services
from bot.web.guard import Opened, csrf_for, csrf_ok, open_link
from bot.web.linkform import LinkageInput, check, from_form, from_xlsx
from workflow.errors import AlreadyMoved, Duplicate, ValidationFailed
from workflow.machine import STEPS
from workflow.schemas import Actor, TicketView
from workflow.spec_sheet import ADDITION_LABELS

log = logging.getLogger(__name__)
bp = Blueprint("partner", __name__)
PARTNER = Actor(id="partner", name="ジャストプランニング", role="partner")


def _prefilled(view: TicketView) -> LinkageInput:
    """What is already recorded for the company (a 設定変更 or a second try)."""
    rows = services().ctx.workflow.store_links(view.company_code)
    data = LinkageInput(company_code=next((r.makasete_company_code or "" for r in rows), ""))
    known = {r.store_code: r for r in rows}
    for store in view.stores:
        row = known.get(store.code)
        data.stores[store.code] = {
            "makasete_store_code": (row.makasete_store_code or "") if row else "",
            "start_date": row.start_date.strftime("%Y/%m/%d") if row and row.start_date else "",
            "end_date": row.end_date.strftime("%Y/%m/%d") if row and row.end_date else "",
            "state": row.state if row else ""}
    return data


def _form(token: str, view: TicketView, data: LinkageInput, status: int = 200
          ) -> tuple[str, int]:
    return render_template("partner.html", token=token, t=view, data=data,
                           csrf=csrf_for(token), additions=ADDITION_LABELS), status


def _wrong_state(view: TicketView, state: str) -> tuple[str, int]:
    before = view.status in STEPS and STEPS.index(view.status) < STEPS.index(state)
    if before or view.status == "returned":
        return page(m.WEB_PARTNER_TITLE, m.WEB_PARTNER_NOT_YET, 409)
    return page(m.WEB_PARTNER_TITLE, m.WEB_PARTNER_USED, 409)


def _open(token: str) -> Opened | tuple[str, int]:
    """The link's ticket while it is at the step the link was made for, else the page that
    says why not."""
    opened = open_link("partner", token)
    if not isinstance(opened, Opened):
        return opened
    if opened.view.status != opened.claim.state:
        return _wrong_state(opened.view, opened.claim.state)
    return opened


@bp.get("/p/<token>")
def show(token: str) -> tuple[str, int]:
    opened = _open(token)
    if not isinstance(opened, Opened):
        return opened
    view = opened.view
    return _form(token, view, _prefilled(view))


@bp.post("/p/<token>")
def submit(token: str) -> tuple[str, int]:
    opened = _open(token)
    if not isinstance(opened, Opened):
        return opened
    view = opened.view
    if not csrf_ok(token):
        return page(m.WEB_PARTNER_TITLE, m.WEB_FORM_EXPIRED, 400)
    wf = services().ctx.workflow
    codes = [s.code for s in view.stores]
    upload = request.files.get("sheet")
    if upload is not None and upload.filename:
        try:
            data = from_xlsx(upload.read(), codes, request.form.get("makasete_company_code", ""))
        except ValueError:
            data = _prefilled(view)
            data.errors["sheet"] = m.WEB_PARTNER_XLSX_BAD
            return _form(token, view, data, 422)
    else:
        data = from_form(request.form, codes)
    company_code, links = check(data, {s.code: s.name for s in view.stores}, today=wf.today())
    if data.errors:
        return _form(token, view, data, 422)
    key = "web.partner:" + hashlib.sha256(token.encode()).hexdigest()[:40]
    try:
        wf.advance(view.id, "complete_setup", actor=PARTNER, expected_status=opened.claim.state,
                   links=links, makasete_company_code=company_code, idempotency_key=key,
                   note=m.WEB_PARTNER_NOTE)
    except (AlreadyMoved, Duplicate):
        return page(m.WEB_PARTNER_TITLE, m.WEB_PARTNER_USED, 409)
    except ValidationFailed as exc:  # the service's own check, beyond the page's
        for error in exc.errors:
            data.errors.setdefault(error.field, error.message)
        return _form(token, view, data, 422)
    log.info("ticket %s: 設定完了連絡 from the partner's page", view.id)
    return page(m.WEB_PARTNER_TITLE, m.WEB_PARTNER_DONE, 200)
