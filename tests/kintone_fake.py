"""A local fake Kintone REST server on port 0 (threaded): it checks what a real Kintone
checks for our two calls (the API token header, a JSON body with app/record/comment), records
each request, and can be told to fail the next calls (429, 5xx, or 400 with Kintone's error
JSON) to exercise the outbox's retries."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Failure:
    status: int
    body: dict[str, Any] | None = None


@dataclass
class FakeKintone:
    """Serve until close(); `records` and `comments` hold what was accepted."""

    token: str = "test-token"
    app_id: str = "42"
    records: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    _failures: list[Failure] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def fail(self, status: int, *, times: int = 1, body: dict[str, Any] | None = None) -> None:
        """Answer the next `times` requests with `status` (and `body` as JSON)."""
        with self._lock:
            self._failures.extend(Failure(status, body) for _ in range(times))

    def recover(self) -> None:
        """Forget the failures still queued: Kintone is healthy again."""
        with self._lock:
            self._failures.clear()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # ---- what the handler calls -----------------------------------------------------------
    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any]:
        if headers.get("x-cybozu-api-token") != self.token:
            return 401, error("CB_WA01", "パスワード認証に失敗しました。")
        if not headers.get("content-type", "").startswith("application/json"):
            return 415, error("CB_IL02", "Content-Typeが不正です。")
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return 400, error("CB_IJ01", "不正なJSON文字列です。")
        with self._lock:
            self.requests.append((path, body))
            if self._failures:
                failure = self._failures.pop(0)
                return failure.status, failure.body or {"message": "failure"}
            if str(body.get("app")) != self.app_id:
                app = body.get("app")
                return 400, error("GAIA_AP01", f"指定したアプリ（id: {app}）が見つかりません。")
            if path == "/k/v1/record.json":
                return self._add_record(body)
            if path == "/k/v1/record/comment.json":
                return self._add_comment(body)
        return 404, error("CB_NO02", "指定したAPIが見つかりません。")

    def _add_record(self, body: dict[str, Any]) -> tuple[int, Any]:
        record = body.get("record")
        if not isinstance(record, dict) or not all(
                isinstance(v, dict) and set(v) == {"value"} for v in record.values()):
            return 400, error("CB_VA01", "入力内容が正しくありません。",
                              {"record": {"messages": ["フィールドの値の形式が不正です。"]}})
        self.records.append(record)
        return 200, {"id": str(len(self.records)), "revision": "1"}

    def _add_comment(self, body: dict[str, Any]) -> tuple[int, Any]:
        comment = body.get("comment")
        record = str(body.get("record"))
        if (not isinstance(comment, dict) or not isinstance(comment.get("text"), str)
                or len(comment["text"]) > 65535):  # Kintone's limit for one comment
            return 400, error("CB_VA01", "入力内容が正しくありません。",
                              {"comment.text": {"messages": ["必須です。"]}})
        if not record.isdigit() or not 1 <= int(record) <= len(self.records):
            return 404, error("GAIA_RE01", f"指定したレコード（id: {record}）が見つかりません。")
        self.comments.append({"record": record, "text": comment["text"]})
        return 200, {"id": str(len(self.comments))}


def error(code: str, message: str, errors: dict[str, Any] | None = None) -> dict[str, Any]:
    """Kintone's error JSON."""
    body: dict[str, Any] = {"code": code, "id": "1505999166-897850006", "message": message}
    if errors is not None:
        body["errors"] = errors
    return body


def _handler_for(fake: FakeKintone) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, body = fake.handle(self.path, headers, raw)
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

    return Handler
