"""A total deadline per HTTP request (connect, send, read), which httpx does not have.

httpx's timeouts are per operation: a partner trickling one byte a second never trips a 2 s
read timeout and holds the request for as long as it likes. Here every socket operation of the
connection pool gets min(its own timeout, what is left of the request's deadline), and one
that starts after the deadline fails at once as a timeout — so a request ends, whatever the
partner does, within EXPORT_TIMEOUT_SECONDS (plus one scheduler tick). The deadline is per
thread: `Sender` sends from a pool of threads, each with its own request.
"""

from __future__ import annotations

import ssl
import threading
import time
import typing
from collections.abc import Iterator
from contextlib import contextmanager

import httpcore
import httpx

_local = threading.local()


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Every socket operation of this thread's requests ends by now + `seconds`."""
    previous = getattr(_local, "at", None)
    _local.at = time.monotonic() + seconds
    try:
        yield
    finally:
        _local.at = previous


def _left(timeout: float | None, what: str) -> float | None:
    at = getattr(_local, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise (httpcore.ConnectTimeout if what == "connect" else httpcore.ReadTimeout)(
            "the request's total deadline passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self.inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, _left(timeout, "read"))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, _left(timeout, "write"))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _Stream(self.inner.start_tls(ssl_context, server_hostname,
                                            _left(timeout, "connect")))

    def get_extra_info(self, info: str) -> typing.Any:
        return self.inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's own synchronous sockets, each operation bounded by the deadline."""

    def __init__(self) -> None:
        self.inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
                    ) -> httpcore.NetworkStream:
        return _Stream(self.inner.connect_tcp(host, port, _left(timeout, "connect"),
                                              local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
                            ) -> httpcore.NetworkStream:
        return _Stream(self.inner.connect_unix_socket(path, _left(timeout, "connect"),
                                                      socket_options))

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


def transport(*, max_connections: int) -> httpx.HTTPTransport:
    """An httpx transport whose connection pool uses `DeadlineBackend`."""
    made = httpx.HTTPTransport(limits=httpx.Limits(max_connections=max_connections,
                                                   max_keepalive_connections=max_connections))
    # httpx.HTTPTransport takes no network backend; its pool is swapped for one that has it,
    # with the same TLS context and limits.
    pool = made._pool
    made._pool = httpcore.ConnectionPool(
        ssl_context=pool._ssl_context, max_connections=max_connections,
        max_keepalive_connections=max_connections, keepalive_expiry=5.0,
        network_backend=DeadlineBackend())
    return made
