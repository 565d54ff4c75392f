"""/c/<token>: the customer's 連携の確認 link from the お客様へご連絡 e-mail (seed steps 6–7).

GET shows their stores and the start date with one button; POST moves the ticket to 連携の確認
as that customer. Once confirmed (by them, planning or the exporter's first delivery) the link
shows 「確認済みです」 and changes nothing.
"""

from __future__ import annotations

import hashlib
import logging

from flask import Blueprint, render_template

from bot import messages as m
from bot.web import page, services
from bot.web.guard import Opened, csrf_for, csrf_ok, open_link
from workflow.errors import AlreadyMoved, Duplicate
from workflow.schemas import Actor, TicketView

log = logging.getLogger(__name__)
bp = Blueprint("customer", __name__)


def _actor(view: TicketView) -> Actor:
    return Actor(id=f"mail:{view.customer_email or view.company_code}", role="customer",
                 name=f"{view.company_name}様")


def _stand(opened: Opened) -> tuple[str, int] | None:
    """The page for a ticket not at the link's step: used, or not yet."""
    status = opened.view.status
    if status == opened.claim.state:
        return None
    if status == "verified":
        return page(m.WEB_CUSTOMER_TITLE, m.WEB_CUSTOMER_USED, 409)
    return page(m.WEB_CUSTOMER_TITLE, m.WEB_CUSTOMER_NOT_YET, 409)


def _rows(view: TicketView) -> list[tuple[str, str, str]]:
    links = {r.store_code: r for r in services().ctx.workflow.store_links(view.company_code)}
    out = []
    for store in view.stores:
        row = links.get(store.code)
        start = row.start_date.strftime("%Y/%m/%d") if row and row.start_date else ""
        out.append((store.code, store.name, start))
    return out


def _open(token: str) -> Opened | tuple[str, int]:
    """The link's ticket when it may be confirmed now, else the page that says why not."""
    opened = open_link("customer", token)
    if not isinstance(opened, Opened):
        return opened
    refused = _stand(opened)
    return opened if refused is None else refused


@bp.get("/c/<token>")
def show(token: str) -> tuple[str, int]:
    opened = _open(token)
    if not isinstance(opened, Opened):
        return opened
    view = opened.view
    return render_template("customer.html", token=token, t=view, rows=_rows(view),
                           csrf=csrf_for(token)), 200


@bp.post("/c/<token>")
def confirm(token: str) -> tuple[str, int]:
    opened = _open(token)
    if not isinstance(opened, Opened):
        return opened
    if not csrf_ok(token):
        return page(m.WEB_CUSTOMER_TITLE, m.WEB_FORM_EXPIRED, 400)
    view = opened.view
    key = "web.customer:" + hashlib.sha256(token.encode()).hexdigest()[:40]
    try:
        services().ctx.workflow.advance(view.id, "verify", actor=_actor(view),
                                        expected_status=opened.claim.state,
                                        idempotency_key=key, note=m.WEB_CUSTOMER_NOTE)
    except (AlreadyMoved, Duplicate):
        return page(m.WEB_CUSTOMER_TITLE, m.WEB_CUSTOMER_USED, 409)
    log.info("ticket %s: 連携の確認 from the customer's link", view.id)
    return page(m.WEB_CUSTOMER_TITLE, m.WEB_CUSTOMER_DONE, 200)
