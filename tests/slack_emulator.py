"""A local stand-in for Slack's Web API (and response_url, and a Socket Mode server).

A threaded HTTP server on port 0 answers the methods the bot calls, records every call, and
can be told to answer the next calls of a method with a 429 (Retry-After) or an error.
File uploads follow files_upload_v2's three steps: files.getUploadURLExternal hands out an
upload URL on this server, the POST to it stores the bytes, files.completeUploadExternal
shares the files (see `shared_files`). Files a *user* attaches (a modal's file_input) are
`host_file`d: files.info describes them with a `url_private_download` on this server, which
answers only a GET with the bot token (as Slack does).

It refuses what Slack refuses: messages (chat.postMessage / update / postEphemeral and posts to
response_url) and views (views.open / update / push / publish) are checked with slack_sdk's own
Block Kit models and with `bot.slack.limits` (block counts, text lengths, input values), and
answered `invalid_blocks`, `msg_too_long`, `msg_blocks_too_long` or `invalid_arguments` like
Slack. Each refusal is kept in `refused` (the harness fails a test that caused one).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlparse

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.slack import limits

MESSAGE_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral")
VIEW_METHODS = ("views.open", "views.update", "views.push", "views.publish")


def _model_problems(blocks: list[dict[str, Any]]) -> list[str]:
    problems = []
    for i, block in enumerate(blocks):
        try:
            parsed = Block.parse(block)
            if parsed is None:
                problems.append(f"block {i}: unknown type {block.get('type')}")
                continue
            parsed.validate_json()
            parsed.to_dict()  # validates every nested element and text object too
        except (SlackObjectFormationError, TypeError, KeyError, ValueError) as exc:
            problems.append(f"block {i}: {exc}")
    return problems


def refusal(method: str, args: dict[str, Any]) -> tuple[str, list[str]] | None:
    """(error, reasons) when Slack would refuse this call, else None."""
    if method in VIEW_METHODS:
        view = args.get("view")
        if not isinstance(view, dict):
            return "invalid_arguments", ["view is missing"]
        problems = limits.view_violations(view)
        try:
            model = View(**view)
            model.validate_json()
            model.to_dict()
        except (SlackObjectFormationError, TypeError, KeyError, ValueError) as exc:
            problems.append(str(exc))
        return ("invalid_arguments", problems) if problems else None
    if method in MESSAGE_METHODS or method == "response_url":
        text = args.get("text")
        blocks = args.get("blocks") or []
        if isinstance(text, str) and len(text) > limits.MESSAGE_TEXT:
            return "msg_too_long", [f"text of {len(text)} characters"]
        if not isinstance(blocks, list):
            return "invalid_blocks", ["blocks is not a list"]
        problems = limits.block_violations(blocks) + _model_problems(blocks)
        if problems:
            return "invalid_blocks", problems
        if (size := limits.text_size(blocks)) > limits.MESSAGE_BLOCKS_TEXT:
            return "msg_blocks_too_long", [f"block texts of {size} characters"]
    return None


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.time)  # when the call arrived (wall clock)


@dataclass
class Fault:
    status: int = 200
    error: str = ""
    retry_after: int = 0
    count: int = 1
    channel: str | None = None  # only calls to this channel
    match: dict[str, str] | None = None  # only calls with these argument values


@dataclass
class Upload:
    filename: str
    length: int
    data: bytes | None = None


@dataclass
class Emulator:
    planning_group: list[str] = field(default_factory=list)
    socket_url: str = ""
    calls: list[Call] = field(default_factory=list)
    responses: list[Call] = field(default_factory=list)  # posts to response_url
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    uploads: dict[str, Upload] = field(default_factory=dict)  # file id -> what was uploaded
    hosted: dict[str, Upload] = field(default_factory=dict)  # files users attached
    token: str = ""  # the bot token a hosted file's download must carry
    delay_seconds: float = 0.0  # a slow Slack: every answer (Web API, response_url) waits
    refused: list[tuple[Call, str, list[str]]] = field(default_factory=list)  # call, error, why
    # Slack Connect: users of other workspaces (user id -> their team id, as users.info says)
    # and the Enterprise Grid org of the installing workspace ("" when not on Grid).
    teams: dict[str, str] = field(default_factory=dict)
    enterprise_id: str = ""

    def __post_init__(self) -> None:
        self.lock = threading.Condition()
        self._ts = itertools.count(1)
        self._views = itertools.count(1)
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._serve(b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._serve(self.rfile.read(length))

            def _serve(self, raw: bytes) -> None:
                url = urlparse(self.path)
                if url.path.startswith("/files/"):  # url_private_download of a hosted file
                    auth = self.headers.get("Authorization", "")
                    status, ctype, data = emulator.serve_file(url.path, auth)
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                if url.path.startswith("/upload/"):  # step 2 of files_upload_v2: raw bytes
                    status, text = emulator.receive_upload(url.path.removeprefix("/upload/"), raw)
                    data = text.encode()
                    self.send_response(status)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                args: dict[str, Any] = dict(parse_qsl(url.query))
                ctype = self.headers.get("Content-Type", "")
                if raw and "json" in ctype:
                    args.update(json.loads(raw))
                elif raw:
                    args.update(parse_qsl(raw.decode()))
                for key in ("blocks", "view"):
                    if isinstance(args.get(key), str):
                        args[key] = json.loads(args[key])
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, extra, body = emulator.answer(url.path, args, headers)
                if emulator.delay_seconds:
                    time.sleep(emulator.delay_seconds)  # outside the lock: calls overlap
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in extra.items():
                    self.send_header(key, value)
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)  # the bot stopped while waiting (a bench's end)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.api_url = self.url + "/api/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ---- scripting ----------------------------------------------------------------------
    def fail(self, method: str, *, status: int = 200, error: str = "", retry_after: int = 0,
             count: int = 1, channel: str | None = None,
             match: dict[str, str] | None = None) -> None:
        """Answer the next `count` calls of `method` (to `channel`, with the argument values
        of `match`, when given) with a fault."""
        with self.lock:
            self.faults.setdefault(method, []).append(
                Fault(status, error, retry_after, count, channel, match))

    def of(self, method: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, predicate: Callable[[Emulator], bool], timeout: float = 20.0) -> None:
        """Block until `predicate` holds (the bot posts after its ack, asynchronously)."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while not predicate(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("the bot did not make the expected Slack calls; got "
                                         + ", ".join(c.method for c in self.calls))
                self.lock.wait(min(left, 0.2))

    def receive_upload(self, file_id: str, data: bytes) -> tuple[int, str]:
        with self.lock:
            upload = self.uploads.get(file_id)
            if upload is None or upload.length != len(data):
                return 400, "bad upload"
            upload.data = data
            self.calls.append(Call("upload", {"file_id": file_id}, {}))
            self.lock.notify_all()
            return 200, f"OK - {len(data)}"

    def shared_files(self) -> list[tuple[Call, list[Upload]]]:
        """Each files.completeUploadExternal call with the uploads it shared."""
        with self.lock:
            return [(c, [self.uploads[f["id"]] for f in json.loads(c.args["files"])])
                    for c in self.calls if c.method == "files.completeUploadExternal"]

    # ---- files users attach ---------------------------------------------------------------
    def host_file(self, filename: str, data: bytes) -> dict[str, Any]:
        """A file a user attached in Slack; returns the file object a view_submission's
        file_input state carries."""
        with self.lock:
            file_id = f"FU{len(self.hosted) + 1:05d}"
            self.hosted[file_id] = Upload(filename, len(data), data)
            return self._file_object(file_id)

    def _file_object(self, file_id: str) -> dict[str, Any]:
        upload = self.hosted[file_id]
        return {"id": file_id, "name": upload.filename, "title": upload.filename,
                "size": upload.length,
                "url_private": f"{self.url}/files/{file_id}/{upload.filename}",
                "url_private_download": f"{self.url}/files/{file_id}/download/"
                                        f"{upload.filename}"}

    def file_info(self, args: dict[str, Any]) -> dict[str, Any]:
        file_id = str(args.get("file", ""))
        if file_id not in self.hosted:
            return {"ok": False, "error": "file_not_found"}
        return {"ok": True, "file": self._file_object(file_id)}

    def serve_file(self, path: str, auth: str) -> tuple[int, str, bytes]:
        """GET /files/<id>/…: the bytes with the bot token; Slack's login page without."""
        with self.lock:
            file_id = path.removeprefix("/files/").split("/", 1)[0]
            self.calls.append(Call("file.download", {"file": file_id}, {"authorization": auth}))
            self.lock.notify_all()
            upload = self.hosted.get(file_id)
            if not self.token or auth != f"Bearer {self.token}":
                return 200, "text/html", b"<html>Sign in to Slack</html>"
            if upload is None or upload.data is None:
                return 404, "text/plain", b"not found"
            return 200, "application/octet-stream", upload.data

    # ---- answering ----------------------------------------------------------------------
    def answer(self, path: str, args: dict[str, Any], headers: dict[str, str]
               ) -> tuple[int, dict[str, str], dict[str, Any]]:
        with self.lock:
            if path.startswith("/response/"):
                if isinstance(args.get("blocks"), str):
                    args["blocks"] = json.loads(args["blocks"])
                refused = refusal("response_url", args)
                if refused:
                    self.refused.append((Call(path, args, headers), *refused))
                    self.lock.notify_all()
                    return 400, {}, {"ok": False, "error": refused[0]}
                self.responses.append(Call(path, args, headers))
                self.lock.notify_all()
                return 200, {}, {"ok": True}
            method = path.removeprefix("/api/")
            faults = [f for f in self.faults.get(method) or []
                      if (f.channel is None or f.channel == args.get("channel"))
                      and all(str(args.get(k)) == v for k, v in (f.match or {}).items())]
            if faults:
                fault = faults[0]
                fault.count -= 1
                if fault.count <= 0:
                    self.faults[method].remove(fault)
                self.calls.append(Call(method + "!fault", args, headers))
                if fault.status == 429:
                    return 429, {"Retry-After": str(fault.retry_after)}, {
                        "ok": False, "error": "ratelimited"}
                return fault.status, {}, {"ok": False, "error": fault.error or "fatal_error"}
            refused = refusal(method, args)
            if refused:
                call = Call(method + "!refused", args, headers)
                self.calls.append(call)
                self.refused.append((call, *refused))
                self.lock.notify_all()
                return 200, {}, {"ok": False, "error": refused[0],
                                 "response_metadata": {"messages": refused[1][:5]}}
            self.calls.append(Call(method, args, headers))
            self.lock.notify_all()
            return 200, {}, self._ok(method, args)

    def _ok(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        ts = f"1700000000.{next(self._ts):06d}"
        if method == "auth.test":
            return {"ok": True, "url": "https://renkei-test.slack.com/", "team": "renkei",
                    "user": "renkei", "team_id": "T0TEST", "user_id": "UBOT", "bot_id": "BBOT",
                    **({"enterprise_id": self.enterprise_id} if self.enterprise_id else {})}
        if method == "chat.postMessage":
            return {"ok": True, "channel": args.get("channel"), "ts": ts,
                    "message": {"text": args.get("text", ""), "ts": ts}}
        if method == "chat.update":
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method in VIEW_METHODS:
            view = dict(args.get("view") or {})
            view["id"] = f"V{next(self._views):05d}"
            return {"ok": True, "view": view}
        if method == "users.info":
            user = args.get("user", "")
            return {"ok": True, "user": {"id": user, "name": user.lower(),
                                         "team_id": self.teams.get(user, "T0TEST"),
                                         "real_name": f"User {user}",
                                         "profile": {"display_name": f"user-{user}"}}}
        if method == "usergroups.users.list":
            return {"ok": True, "users": list(self.planning_group)}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users", ""))}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{len(self.uploads) + 1:06d}"
            self.uploads[file_id] = Upload(str(args.get("filename")), int(args.get("length", 0)))
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.url}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = json.loads(args.get("files") or "[]")
            if any(self.uploads.get(f["id"]) is None or self.uploads[f["id"]].data is None
                   for f in files):
                return {"ok": False, "error": "file_not_found"}
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title", ""),
                                           "name": self.uploads[f["id"]].filename}
                                          for f in files]}
        if method == "chat.getPermalink":
            ts = str(args.get("message_ts", ""))
            return {"ok": True, "channel": args.get("channel"),
                    "permalink": f"https://renkei-test.slack.com/archives/{args.get('channel')}"
                                 f"/p{ts.replace('.', '')}"}
        if method == "files.info":
            return self.file_info(args)
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url}
        return {"ok": True}
