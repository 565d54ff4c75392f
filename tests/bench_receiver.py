"""The bench's partner: a lean webhook on asyncio, so the receiver is not the bench's ceiling.

`tests.webhook_receiver.Receiver` (http.server, a thread per connection, a JSON parse per
request) is what the tests drive; on a 2-core machine, as the bench's receiver, it took as
much CPU per request as the exporter it measured. This one parses only what a partner must:
the request line, Content-Length and Idempotency-Key (missing: 400), reads the body, and
answers 200 on the same keep-alive connection; no thread, no JSON. A slow partner
(`delay_seconds`) answers after a `loop.call_later`, so thousands of requests can wait at once.
A key is counted once per process (a repeat gets `{"duplicate":true}`); `GET /_stats` (any GET)
returns `{"requests": N}`, every POST counted, summed over the pre-forked processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import socket
from typing import Any

_OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
_BAD = _OK.replace(b"200 OK", b"400 Bad Request") % (
    len(b'{"error":"Idempotency-Key header missing"}'),
    b'{"error":"Idempotency-Key header missing"}')
_FRESH, _DUPLICATE = (_OK % (len(b), b) for b in (b'{"duplicate":false}',
                                                  b'{"duplicate":true}'))


class _Connection(asyncio.Protocol):
    def __init__(self, server: _Server) -> None:
        self.server = server
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:  # every complete request in the buffer (a client may pipeline)
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin-1").split("\r\n")
            length, key = 0, ""
            for line in head[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "idempotency-key":
                    key = value.strip()
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length:]
            self.server.answer(self, head[0].startswith("GET"), key)

    def reply(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None


class _Server:
    def __init__(self, counts: Any, slot: int, delay_seconds: float) -> None:
        self.counts, self.slot, self.delay = counts, slot, delay_seconds
        self.seen: set[str] = set()
        self.loop = asyncio.get_running_loop()

    def answer(self, conn: _Connection, is_get: bool, key: str) -> None:
        if is_get:
            body = b'{"requests":%d}' % sum(self.counts)
            conn.reply(_OK % (len(body), body))
            return
        self.counts[self.slot] += 1  # this process's own slot: no lock
        if not key:
            data = _BAD
        elif key in self.seen:
            data = _DUPLICATE
        else:
            self.seen.add(key)
            data = _FRESH
        if self.delay:
            self.loop.call_later(self.delay, conn.reply, data)
        else:
            conn.reply(data)


async def _serve(sock: socket.socket, counts: Any, slot: int, delay_seconds: float) -> None:
    server = _Server(counts, slot, delay_seconds)
    loop = asyncio.get_running_loop()
    stopped = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, stopped.set_result, None)
    listener = await loop.create_server(lambda: _Connection(server), sock=sock)
    async with listener:
        await stopped


def serve_forked(processes: int, delay_seconds: float) -> None:
    """Print the port, then serve it from `processes` pre-forked children until SIGTERM."""
    sock = socket.create_server(("127.0.0.1", 0), backlog=2048)
    counts = multiprocessing.Array("q", processes, lock=False)  # one slot per process
    children = []
    for slot in range(processes):
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                asyncio.run(_serve(sock, counts, slot, delay_seconds))
            except BaseException:
                code = 1
            os._exit(code)
        children.append(pid)
    print(sock.getsockname()[1], flush=True)

    def stop(*_: Any) -> None:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for pid in children:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        signal.pause()
