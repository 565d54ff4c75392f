"""/dashboard: the operators' and planning's picture, with the same figures as `renkei report`
(workflow.reports) and its charts as inline SVG (bot/web/charts).

Who may look: a request on the internal port; an `Authorization: Bearer RENKEI_OPERATOR_TOKEN`;
or a viewer link handed to a Slack user by the App Home button (1 hour by default).
"""

from __future__ import annotations

import hmac
import logging
from datetime import date

from flask import Blueprint, render_template, request
from markupsafe import Markup

from bot import messages as m
from bot.web import INTERNAL_KEY, page, services
from bot.web.charts import CHARTS
from bot.web.tokens import LinkRefused
from workflow.calendar import parse_date
from workflow.reports import report

log = logging.getLogger(__name__)
bp = Blueprint("dashboard", __name__)


def allowed() -> str | None:
    """Who is looking ("internal", "operator" or the viewer's Slack user), or None."""
    if request.environ.get(INTERNAL_KEY):
        return "internal"
    svc = services()
    expected = svc.ctx.settings.operator_token
    given = request.headers.get("Authorization", "")
    if expected and hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
        return "operator"
    token = request.args.get("t", "")
    if token:
        try:
            claim = svc.links.check("viewer", token)
        except LinkRefused:
            return None
        return claim.user or None
    return None


def _day(name: str) -> date | None:
    # The one date parser (workflow.calendar); not a date (or none given) is None.
    return parse_date(request.args.get(name, ""), today=services().ctx.workflow.today())


@bp.get("/dashboard")
def dashboard() -> tuple[str, int]:
    who = allowed()
    if who is None:
        reason = "expired" if request.args.get("t") else None
        return page(m.WEB_DASH_TITLE, m.WEB_REFUSED[reason] if reason else m.WEB_OPERATOR_ONLY,
                    403)
    svc = services()
    wf = svc.ctx.workflow
    with svc.ctx.factory() as session:
        figures = report(session, today=wf.today(), tz=wf.tz, period_from=_day("from"),
                         period_to=_day("to"))
    charts = {name: Markup(draw(figures)) for name, draw in CHARTS.items()}  # pygal's own SVG
    log.info("dashboard opened by %s", who)
    return render_template("dashboard.html", r=figures, charts=charts,
                           t=request.args.get("t", "")), 200
