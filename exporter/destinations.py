"""Where batches go: a webhook (httpx) or JSON Lines files, chosen per partner system.

`EXPORT_DESTINATION` (まかせてネットEX, companies with destination "ex") and
`EXPORT_DESTINATION_NET` (まかせてネット, "net"): an http(s) URL means webhook, anything else
(a path or a file:// URL) means a folder of files.
"""

from __future__ import annotations

import email.utils
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx

from exporter.deadline import deadline
from exporter.deadline import transport as deadline_transport
from exporter.settings import ExporterSettings
from workflow.settings import Settings

DONE, RETRY, DEAD = "done", "retry", "dead"


@dataclass(frozen=True)
class Outgoing:
    """A claimed batch, as much as sending needs."""

    id: int
    token: str
    idempotency_key: str
    destination: str
    makasete_company_code: str
    makasete_store_code: str
    kind: str
    business_date: str
    body: str
    attempts: int
    record_count: int = 0


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to. `status` is the HTTP status, 0 when no response came."""

    state: str
    status: int = 200
    error: str = ""
    retry_after: float | None = None


def destination_url(settings: Settings, destination: str) -> str:
    """The configured URL or folder for "ex" (まかせてネットEX) or "net" (まかせてネット)."""
    return settings.export_destination_net if destination == "net" \
        else settings.export_destination


def is_webhook(url: str) -> bool:
    return url.startswith(("http://", "https://"))


def folder_of(url: str) -> Path:
    """The folder of a file destination: a plain path or a file:// URL."""
    if url.startswith("file://"):
        return Path(unquote(urlparse(url).path))
    return Path(url)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def classify(response: httpx.Response) -> Outcome:
    """2xx delivered; 408/425/429/5xx retried (429 after its Retry-After); other 4xx dead."""
    code = response.status_code
    if 200 <= code < 300:
        return Outcome(DONE, code)
    detail = f"HTTP {code}: {response.text[:300]}"
    if code in (408, 425, 429) or code >= 500:
        after = retry_after_seconds(response.headers.get("Retry-After"))
        return Outcome(RETRY, code, detail, after)
    return Outcome(DEAD, code, detail)


class Sender:
    """Sends batches to their destination; safe to call from several threads at once."""

    def __init__(self, settings: Settings, xsettings: ExporterSettings) -> None:
        self.settings = settings
        self.xsettings = xsettings
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()
        self._file_locks: dict[Path, threading.Lock] = {}
        self._pool: ThreadPoolExecutor | None = None

    def client(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                n = self.xsettings.concurrency
                self._client = httpx.Client(
                    timeout=httpx.Timeout(self.xsettings.timeout_seconds),
                    transport=deadline_transport(max_connections=n),
                    headers={"User-Agent": "renkei-exporter/1"})
            return self._client

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None
            if self._client is not None:
                self._client.close()
                self._client = None

    def send_many(self, batches: list[Outgoing]) -> list[Outcome]:
        """Send concurrently (EXPORT_CONCURRENCY at a time); outcomes in the same order."""
        if len(batches) <= 1 or self.xsettings.concurrency == 1:
            return [self.send(b) for b in batches]
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.xsettings.concurrency,
                                                thread_name_prefix="export-send")
            pool = self._pool
        return list(pool.map(self.send, batches))

    def send(self, batch: Outgoing) -> Outcome:
        """One attempt; never raises for failures the outbox can act on."""
        url = destination_url(self.settings, batch.destination)
        if is_webhook(url):
            return self._post(url, batch)
        try:
            self._append(folder_of(url), batch)
        except OSError as exc:  # a full or unmounted disk heals; keep retrying
            return Outcome(RETRY, 0, f"{type(exc).__name__}: {exc}")
        return Outcome(DONE)

    def _post(self, url: str, batch: Outgoing) -> Outcome:
        headers = {"Idempotency-Key": batch.idempotency_key,
                   "Content-Type": "application/json; charset=utf-8"}
        if self.xsettings.webhook_token:
            headers["Authorization"] = f"Bearer {self.xsettings.webhook_token}"
        try:
            # EXPORT_TIMEOUT_SECONDS bounds the whole request, not each read (a trickling
            # partner would otherwise hold it for as long as it trickles).
            with deadline(self.xsettings.timeout_seconds):
                response = self.client().post(url, content=batch.body.encode(),
                                              headers=headers)
        except httpx.TransportError as exc:  # refused, reset, timeout, protocol error
            return Outcome(RETRY, 0, f"{type(exc).__name__}: {exc}"[:300])
        return classify(response)

    def _append(self, root: Path, batch: Outgoing) -> None:
        """Append the envelope as one line of <root>/<企業>/<店舗>/<date>/<kind>.jsonl.

        Idempotent: a key already in the file is not written again (a crash between the
        write and the outbox update retries the batch), and a torn last line from a crash
        mid-write is cut off before appending.
        """
        path = (root / batch.makasete_company_code / batch.makasete_store_code
                / batch.business_date / f"{batch.kind}.jsonl")
        with self._lock:
            lock = self._file_locks.setdefault(path, threading.Lock())
        with lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            data = path.read_bytes() if path.exists() else b""
            if data and not data.endswith(b"\n"):
                data = data[:data.rfind(b"\n") + 1]
                with path.open("r+b") as fh:
                    fh.truncate(len(data))
            for line in data.splitlines():
                if json.loads(line).get("idempotency_key") == batch.idempotency_key:
                    return
            with path.open("ab") as fh:
                fh.write(batch.body.encode() + b"\n")
                fh.flush()
                os.fsync(fh.fileno())
