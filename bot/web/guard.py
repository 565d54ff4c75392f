"""What every signed-link page checks first: the signature, the audience, the age, and that
the ticket still exists. Refusals are polite Japanese pages and change nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import request

from bot import messages as m
from bot.web import page, services
from bot.web.csrf import form_ok, form_token
from bot.web.tokens import ROUND_STATE, Audience, Claim, LinkRefused
from workflow.errors import NotFound
from workflow.schemas import TicketView

log = logging.getLogger(__name__)
Refusal = tuple[str, int]


@dataclass(frozen=True)
class Opened:
    claim: Claim
    view: TicketView


def open_link(audience: Audience, token: str) -> Opened | Refusal:
    """The claim and ticket of a link, or the refusal page to show."""
    svc = services()
    try:
        claim = svc.links.check(audience, token)
    except LinkRefused as exc:
        log.info("%s link refused (%s) from %s", audience, exc.reason, request.remote_addr)
        return page(m.WEB_REFUSED_TITLE, m.WEB_REFUSED[exc.reason],
                    403 if exc.reason == "invalid" else 410)
    try:
        view = svc.ctx.workflow.get(claim.ticket_id)
    except NotFound:
        return page(m.WEB_REFUSED_TITLE, m.WEB_REFUSED["gone"], 404)
    if view.status == "cancelled":
        return page(m.WEB_REFUSED_TITLE, m.WEB_REFUSED["gone"], 410)
    if claim.mailed and claim.mailed != latest_round(view, ROUND_STATE[audience]):
        return page(m.WEB_REFUSED_TITLE, m.WEB_REFUSED["superseded"], 409)
    return Opened(claim, view)


def latest_round(view: TicketView, state: str) -> int:
    """The id of the newest audit event that moved the ticket into `state` (0: none)."""
    return max((e.id for e in view.events
                if e.to_status == state and e.from_status != state), default=0)


def csrf_for(token: str) -> str:
    return form_token(services().ctx.settings.secret_key, token)


def csrf_ok(token: str) -> bool:
    return form_ok(services().ctx.settings.secret_key, token, request.form.get("csrf"))
