"""Web pages for people who are not in our Slack: the partner's 設定完了連絡 page (/p/…), the
customer's 連携の確認 link (/c/…), the operators' dashboard (/dashboard) and `/metrics`.

Flask with Jinja2 templates, mounted inside the same waitress WSGI app as the Slack endpoint
(bot/slack/web.py routes these paths here). Flask because the pages need routing, templates with
autoescaping, form and file parsing and a test client, all of which Flask (Werkzeug + Jinja2)
does well and has done for years; plain WSGI would mean writing that parsing ourselves. The
pages are server-rendered HTML without JavaScript.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, render_template

from bot import messages as m
from bot.context import Context
from bot.web.tokens import Links, links_or_none

log = logging.getLogger(__name__)
# The paths bot/slack/web.py hands to this app; anything else never reaches Flask.
PAGE_PREFIXES = ("/p/", "/c/")
INTERNAL_PATHS = ("/dashboard", "/metrics")
# Set by the WSGI mount when the request came in on the internal port: no operator token then.
INTERNAL_KEY = "renkei.internal"


@dataclass
class Services:
    ctx: Context
    links: Links
    registry: Any = None  # the /metrics registry, made on the first scrape


def services() -> Services:
    found: Services = current_app.extensions["renkei"]
    return found


def page(title: str, message: str, status: int = 200, **extra: Any) -> tuple[str, int]:
    """A plain page with one message: refusals, thanks, 確認済みです."""
    return render_template("message.html", title=title, message=message, **extra), status


def create_app(ctx: Context, links: Links) -> Flask:
    """The Flask app of the pages, for `ctx` and its signed links."""
    from bot.web import customer, dashboard, metrics, partner

    app = Flask(__name__, template_folder="templates")
    app.config.update(SECRET_KEY=ctx.settings.secret_key,
                      MAX_CONTENT_LENGTH=2_000_000)  # a filled 設定依頼書 is far smaller
    app.extensions["renkei"] = Services(ctx, links)
    app.jinja_env.globals["m"] = m
    for blueprint in (partner.bp, customer.bp, dashboard.bp, metrics.bp):
        app.register_blueprint(blueprint)

    @app.errorhandler(404)
    def _not_found(_exc: Exception) -> tuple[str, int]:
        return page(m.WEB_NOT_FOUND, m.WEB_NOT_FOUND, 404)

    @app.errorhandler(413)
    def _too_large(_exc: Exception) -> tuple[str, int]:
        return page(m.WEB_PARTNER_TITLE, m.WEB_PARTNER_XLSX_BAD, 413)

    return app


def pages_for(ctx: Context) -> Flask | None:
    """The pages app, or None with a log line when RENKEI_SECRET_KEY is unset (links could be
    neither made nor checked)."""
    links = links_or_none(ctx.settings)
    if links is None:
        log.warning("RENKEI_SECRET_KEY is not set: web pages (/p/, /c/, /dashboard, /metrics) "
                    "are off. Make one with: python -c 'import secrets; "
                    "print(secrets.token_urlsafe(32))'")
        return None
    return create_app(ctx, links)
