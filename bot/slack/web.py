"""The HTTP transport: a small WSGI app served by waitress (a production server).

POST /slack/events  → Bolt (signature-checked by Bolt's verifier)
GET  /healthz       → 200 when the database answers
POST /pos/close     → the exporter's 閉局 hook, when the exporter provides one
/p/…, /c/…, /dashboard, /metrics → the web pages (bot/web, Flask), when RENKEI_SECRET_KEY is set
"""

from __future__ import annotations

import importlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text

from bot.context import Context
from bot.web.ack import SLACK_ACK

log = logging.getLogger(__name__)
StartResponse = Callable[..., Any]
MAX_BODY = 1_000_000


def _json(start_response: StartResponse, status: int, data: Any) -> Iterable[bytes]:
    body = json.dumps(data, ensure_ascii=False).encode()
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 413: "Payload Too Large",
              503: "Service Unavailable"}.get(status, "OK")
    start_response(f"{status} {reason}", [("Content-Type", "application/json; charset=utf-8"),
                                          ("Content-Length", str(len(body)))])
    return [body]


def is_page(path: str) -> bool:
    """The paths of bot/web: exact names, or one of its link prefixes."""
    return path in ("/dashboard", "/metrics") or path.startswith(("/p/", "/c/"))


class WebApp:
    def __init__(self, ctx: Context, bolt_app: Any, *, pages: Any = None,
                 internal: bool = False) -> None:
        self.ctx = ctx
        self.slack = SlackRequestHandler(bolt_app, path="/slack/events")
        self.pages = pages  # the Flask app of bot/web, or None (no RENKEI_SECRET_KEY)
        self.internal = internal  # the internal port: dashboard and metrics without a token

    def __call__(self, environ: dict[str, Any], start_response: StartResponse
                 ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/slack/events":
            started = time.perf_counter()
            try:
                return self.slack(environ, start_response)
            finally:
                SLACK_ACK.observe(time.perf_counter() - started)
        if self.pages is not None and is_page(path):
            environ["renkei.internal"] = self.internal
            return self.pages(environ, start_response)
        if path == "/healthz" and method in ("GET", "HEAD"):
            return self._health(start_response)
        if path == "/pos/close" and method == "POST":
            return self._pos_close(environ, start_response)
        return _json(start_response, 404, {"ok": False, "error": "not_found"})

    def _health(self, start_response: StartResponse) -> Iterable[bytes]:
        try:
            with self.ctx.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:
            log.warning("health check: database unreachable: %s", type(exc).__name__)
            return _json(start_response, 503, {"ok": False, "database": "unreachable"})
        return _json(start_response, 200, {"ok": True})

    def _pos_close(self, environ: dict[str, Any], start_response: StartResponse
                   ) -> Iterable[bytes]:
        try:
            module = importlib.import_module("exporter.http")
        except ModuleNotFoundError as exc:
            if exc.name not in ("exporter", "exporter.http"):
                raise
            return _json(start_response, 404, {"ok": False, "error": "not_found"})
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length > MAX_BODY:
            return _json(start_response, 413, {"ok": False, "error": "too_large"})
        body = environ["wsgi.input"].read(length) if length else b""
        status, data = module.handle_pos_close(self.ctx.factory, self.ctx.settings, body)
        return _json(start_response, status, data)


class HttpServer:
    """waitress on a port (0 picks a free one), run in a thread or in the foreground."""

    def __init__(self, wsgi: Any, *, host: str = "0.0.0.0", port: int = 3000,
                 threads: int = 16) -> None:
        from waitress.server import create_server

        self.server: Any = create_server(wsgi, host=host, port=port, threads=threads,
                                         ident="renkei", clear_untrusted_proxy_headers=True)
        self.port = int(self.server.effective_port)
        self._thread: threading.Thread | None = None
        self._closing = False

    def serve_forever(self) -> None:
        try:
            self.server.run()
        except OSError:
            # close() shuts the sockets under the loop's select(): EBADF then means "stopped".
            if not self._closing:
                raise

    def start(self) -> HttpServer:
        self._thread = threading.Thread(target=self.serve_forever, name="renkei-http",
                                        daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        from waitress import wasyncore

        self._closing = True
        self.server.close()
        wasyncore.close_all(self.server._map)  # open keep-alive channels end the loop too
        self.server.task_dispatcher.shutdown()
        if self._thread is not None:
            self._thread.join(5)
