"""The HTTP transport: a small WSGI app served by waitress (a production server).

POST /slack/events  → size-bounded, signature-checked, shape-checked, then Bolt
GET  /healthz       → 200 while the process is up (liveness)
GET  /readyz        → 200 when the database answers at the migrations' heads; 503 otherwise
POST /pos/close     → the exporter's 閉局 hook: only with RENKEI_POS_TOKEN set, only for a
                      caller bearing it; on RENKEI_POS_PORT alone when that is set
/p/…, /c/…, /dashboard, /metrics → the web pages (bot/web, Flask), when RENKEI_SECRET_KEY is set;
                      on the internal port the dashboard and metrics need no operator token

Paths match exactly (`//pos/close`, `/pos/close/` are 404). Nothing reaches Bolt or the
exporter before its body is bounded and its credential checked.
"""

from __future__ import annotations

import importlib
import io
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier

from bot.context import Context
from bot.slack.health import Readiness
from bot.slack.shapes import well_formed
from bot.web.ack import SLACK_ACK

log = logging.getLogger(__name__)
StartResponse = Callable[..., Any]
MAX_BODY = 1_000_000  # bytes; Slack's payloads are far smaller (a modal's state is the largest)
_REASONS = {200: "OK", 202: "Accepted", 400: "Bad Request", 401: "Unauthorized",
            404: "Not Found", 405: "Method Not Allowed", 413: "Payload Too Large",
            422: "Unprocessable Entity", 503: "Service Unavailable"}


def _json(start_response: StartResponse, status: int, data: Any,
          headers: list[tuple[str, str]] | None = None) -> Iterable[bytes]:
    body = json.dumps(data, ensure_ascii=False).encode()
    start_response(f"{status} {_REASONS.get(status, 'OK')}",
                   [("Content-Type", "application/json; charset=utf-8"),
                    ("Content-Length", str(len(body))), *(headers or [])])
    return [body]


def _path(environ: dict[str, Any]) -> str:
    """The request path as the client sent it (waitress's REQUEST_URI), without the query:
    PATH_INFO may be normalised, and a route must not answer to a spelling it did not ask for."""
    raw = str(environ.get("REQUEST_URI") or environ.get("PATH_INFO") or "")
    return raw.split("?", 1)[0]


def read_body(environ: dict[str, Any], limit: int = MAX_BODY) -> bytes | None:
    """The request body, or None when it is over `limit`: a declared Content-Length is
    refused unread, and the read itself stops one byte past the limit (a chunked body)."""
    try:
        declared = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if declared > limit:
        return None
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    body = stream.read(declared if declared > 0 else limit + 1)
    return None if len(body) > limit else bytes(body)


def is_page(path: str) -> bool:
    """The paths of bot/web: exact names, or one of its link prefixes."""
    return path in ("/dashboard", "/metrics") or path.startswith(("/p/", "/c/"))


class WebApp:
    """The routes of one port. `bolt_app=None` serves no Slack route (the internal port);
    `pos=False` leaves /pos/close to the internal port."""

    def __init__(self, ctx: Context, bolt_app: Any | None, *, pos: bool = True,
                 pages: Any = None, internal: bool = False) -> None:
        self.ctx = ctx
        self.pages = pages  # the Flask app of bot/web, or None (no RENKEI_SECRET_KEY)
        self.internal = internal  # the internal port: dashboard and metrics without a token
        self.slack = SlackRequestHandler(bolt_app, path="/slack/events") if bolt_app else None
        secret = ctx.settings.slack_signing_secret
        self.verifier = SignatureVerifier(secret) if secret else None
        self.pos = pos and bool(ctx.settings.pos_token)
        self.readiness = Readiness(ctx)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse
                 ) -> Iterable[bytes]:
        path = _path(environ)
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/slack/events" and self.slack is not None:
            if method != "POST":
                return _json(start_response, 405, {"ok": False, "error": "method_not_allowed"})
            started = time.perf_counter()
            try:
                return self._slack(environ, start_response)
            finally:
                SLACK_ACK.observe(time.perf_counter() - started)
        if self.pages is not None and is_page(path):
            environ["renkei.internal"] = self.internal
            return self.pages(environ, start_response)
        if path == "/healthz" and method in ("GET", "HEAD"):
            return _json(start_response, 200, {"ok": True})
        if path == "/readyz" and method in ("GET", "HEAD"):
            ready, report = self.readiness.check()
            return _json(start_response, 200 if ready else 503, report)
        if path == "/pos/close" and method == "POST" and self.pos:
            return self._pos_close(environ, start_response)
        return _json(start_response, 404, {"ok": False, "error": "not_found"})

    def _slack(self, environ: dict[str, Any], start_response: StartResponse
               ) -> Iterable[bytes]:
        assert self.slack is not None
        body = read_body(environ)
        if body is None:
            return _json(start_response, 413, {"ok": False, "error": "too_large"})
        if not self._signed(environ, body):
            return _json(start_response, 401, {"ok": False, "error": "invalid_signature"})
        if not well_formed(body, str(environ.get("CONTENT_TYPE") or "")):
            log.info("signed Slack request with a malformed body (%d bytes): 400", len(body))
            return _json(start_response, 400, {"ok": False, "error": "malformed_body"})
        environ["wsgi.input"] = io.BytesIO(body)  # Bolt reads it again (and checks again)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self.slack(environ, start_response)

    def _signed(self, environ: dict[str, Any], body: bytes) -> bool:
        timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "")
        signature = str(environ.get("HTTP_X_SLACK_SIGNATURE") or "")
        # slack_sdk's verifier int()s the timestamp: anything but ASCII digits is unsigned.
        if self.verifier is None or not (timestamp.isascii() and timestamp.isdigit()):
            return False
        try:
            return self.verifier.is_valid(body, timestamp, signature)
        except UnicodeDecodeError:  # it decodes the body as UTF-8: no Slack body is not
            return False

    def _pos_close(self, environ: dict[str, Any], start_response: StartResponse
                   ) -> Iterable[bytes]:
        try:
            module = importlib.import_module("exporter.http")
        except ModuleNotFoundError as exc:
            if exc.name not in ("exporter", "exporter.http"):
                raise
            return _json(start_response, 404, {"ok": False, "error": "not_found"})
        if not module.authorized(self.ctx.settings, environ.get("HTTP_AUTHORIZATION")):
            return _json(start_response, 401, module.UNAUTHORIZED,
                         [("WWW-Authenticate", 'Bearer realm="renkei-pos"')])
        body = read_body(environ)
        if body is None:
            return _json(start_response, 413, {"ok": False, "error": "too_large"})
        status, data = module.handle_pos_close(self.ctx.factory, self.ctx.settings, body,
                                               today=self.ctx.workflow.today())
        return _json(start_response, status, data)


class HttpServer:
    """waitress on a port (0 picks a free one), run in a thread or in the foreground."""

    def __init__(self, wsgi: Any, *, host: str = "0.0.0.0", port: int = 3000,
                 threads: int = 16) -> None:
        from waitress.server import create_server

        # waitress itself refuses a larger body (413) before buffering it: by Content-Length
        # at once, or as soon as a chunked body passes the limit (its check is `>=`).
        self.server: Any = create_server(wsgi, host=host, port=port, threads=threads,
                                         ident="renkei", clear_untrusted_proxy_headers=True,
                                         max_request_body_size=MAX_BODY + 1)
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
