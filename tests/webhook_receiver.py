"""A stand-in for the partner's webhook (まかせてネットEX), over real HTTP on port 0.

It records every request and, like the partner, counts an idempotency key once: a repeated
key gets 200 again without being counted. It can be told to be down (connection refused),
answer 500, answer 429 with Retry-After, hang past the client's timeout, drop the connection,
or fail only some stores. `python -m tests.webhook_receiver [--processes N] [--delay-ms MS]`
runs the bench's partner standalone, printing its port: one listening socket on 127.0.0.1
served by N pre-forked processes of the lean asyncio server in `tests.bench_receiver` (this
class, a thread per connection, cost as much CPU per request as the exporter it measured);
GET /_stats then returns the requests summed over the processes (duplicates are detected per
process there).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests import bench_receiver


@dataclass
class Received:
    key: str
    envelope: dict[str, Any] | None
    status: int  # 0 when the connection was dropped or hung
    at: float = field(default_factory=time.monotonic)  # when it arrived (this clock)


@dataclass
class Receiver:
    """Start with `start()`; switch behaviour with `mode` ("up", "500", "429", "hang",
    "drop"), `down()`/`up()`, and `fail_stores` (まかせてネット店舗コード answered 500)."""

    keep_bodies: bool = True
    mode: str = "up"
    retry_after: str = "1"
    hang_seconds: float = 3.0
    delay_seconds: float = 0.0  # a slow partner: every answer waits this long
    trickle_seconds: float = 1.5  # mode "trickle": one byte of the answer this often
    fail_stores: set[str] = field(default_factory=set)
    requests: list[Received] = field(default_factory=list)
    accepted: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    port: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._conns: set[socket.socket] = set()
        self._stop = threading.Event()
        self._unhang = threading.Event()
        self.request_count = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/makasete/webhook"

    def start(self, sock: socket.socket | None = None) -> Receiver:
        """Listen on 127.0.0.1 (`port`, 0 picks one), or serve an already listening `sock`."""
        receiver = self

        class Handler(_Handler):
            owner = receiver

        if sock is None:
            self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        else:
            self._server = ThreadingHTTPServer(sock.getsockname(), Handler,
                                               bind_and_activate=False)
            self._server.socket.close()
            self._server.socket = sock
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def down(self) -> None:
        """Stop listening and cut open connections: clients get connection refused/reset."""
        self.mode = "down"
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._lock:
            for conn in list(self._conns):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)

    def up(self) -> None:
        """Listen again on the same port, answering normally."""
        self.mode = "up"
        if self._server is None:
            self.start()

    def stop(self) -> None:
        self._stop.set()
        self._unhang.set()
        self.down()

    def release_hangs(self) -> None:
        """End every hung request now (closed without an answer)."""
        self._unhang.set()

    def keys_in_order(self, store_code: str | None = None, kind: str | None = None) -> list[str]:
        """Accepted idempotency keys in arrival order (optionally of one stream)."""
        with self._lock:
            return [k for k, env in self.accepted.items()
                    if env is None or ((store_code is None or env["store_code"] == store_code)
                                       and (kind is None or env["kind"] == kind))]

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"requests": self.request_count, "unique_keys": len(self.accepted)}

    # -- called by the handler ------------------------------------------------------
    def _answer(self, key: str, raw: bytes) -> tuple[int, dict[str, str], bytes]:
        envelope = json.loads(raw) if self.keep_bodies or self.fail_stores else None
        mode = self.mode
        if mode == "500" or (envelope and envelope.get("store_code") in self.fail_stores):
            self._log(key, envelope, 500)
            return 500, {}, b'{"error":"internal"}'
        if mode == "429":
            self._log(key, envelope, 429)
            return 429, {"Retry-After": self.retry_after}, b'{"error":"slow down"}'
        if not key or (envelope is not None and envelope.get("idempotency_key") != key):
            self._log(key, envelope, 400)
            return 400, {}, b'{"error":"Idempotency-Key header missing or not the body key"}'
        with self._lock:
            duplicate = key in self.accepted
            if not duplicate:
                self.accepted[key] = envelope if self.keep_bodies else None
        self._log(key, envelope, 200)
        return 200, {}, json.dumps({"duplicate": duplicate}).encode()

    def _log(self, key: str, envelope: dict[str, Any] | None, status: int) -> None:
        with self._lock:
            self.request_count += 1
            if self.keep_bodies:
                self.requests.append(Received(key, envelope, status))


class _Handler(BaseHTTPRequestHandler):
    owner: Receiver
    protocol_version = "HTTP/1.1"  # keep-alive, as a real partner endpoint would

    def setup(self) -> None:
        super().setup()
        with self.owner._lock:
            self.owner._conns.add(self.connection)

    def finish(self) -> None:
        with self.owner._lock:
            self.owner._conns.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        body = json.dumps(self.owner.stats()).encode()
        self._reply(200, {}, body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        owner = self.owner
        key = self.headers.get("Idempotency-Key", "")
        if owner.mode in ("drop", "down"):
            owner._log(key, None, 0)
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if owner.mode == "hang":
            owner._log(key, None, 0)
            owner._unhang.wait(owner.hang_seconds)
            self.close_connection = True
            return
        if owner.delay_seconds:
            time.sleep(owner.delay_seconds)
        if owner.mode == "trickle":  # a 200 that arrives one byte at a time, never done
            owner._log(key, None, 0)
            answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            for byte in answer * 20:
                if owner._stop.wait(owner.trickle_seconds):
                    break
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except OSError:
                    break
            self.close_connection = True
            return
        status, headers, body = owner._answer(key, raw)
        self._reply(status, headers, body)

    def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--delay-ms", type=float, default=0.0,
                        help="a slow partner: every answer waits this long")
    args = parser.parse_args()
    bench_receiver.serve_forked(args.processes, args.delay_ms / 1000)


if __name__ == "__main__":
    sys.exit(main())
