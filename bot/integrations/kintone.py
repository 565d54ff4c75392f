"""A small Kintone REST client (httpx): add a record, add a comment to it.

Authentication is an app API token (`X-Cybozu-API-Token`, with レコード追加 and レコード閲覧
rights). Retries are not done here: the outbox retries a job whose handler raised, so a
transient failure (429, 5xx, a dropped connection) is raised as `KintoneUnavailable`, and a
request Kintone rejects for good (its 4xx error JSON `{"code","id","message","errors"}`) as
`workflow.fates.Permanent` carrying Kintone's message; which is which is the table in
bot/integrations/failures.py (the error code first — CB_VA01 … — then the HTTP status).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from functools import partial
from typing import Any

import httpx

from bot.integrations.failures import kintone_fate
from bot.slack.split import split_text
from workflow.fates import Fate, Permanent, Transient

RECORD_PATH = "/k/v1/record.json"
COMMENT_PATH = "/k/v1/record/comment.json"
MAX_COMMENT_CHARS = 65535  # Kintone's limit for one comment


def record_url(base_url: str, app_id: str, record_id: str) -> str:
    """The browser link to a record, for the ticket's Slack message."""
    return f"{base_url.rstrip('/')}/k/{app_id}/show#record={record_id}"


class KintoneUnavailable(Transient):
    """Kintone did not take the request now (429, 5xx, network): retry later."""


@dataclass(frozen=True)
class KintoneFieldCodes:
    """Field codes of the Kintone app that receives requests (フィールドコード, not labels).

    Only `text` is required: it carries the whole 定型文, exactly what a person would paste.
    The others copy single values into their own fields for lists and searches; Kintone ignores
    field codes its app does not have, and an empty code here is not sent at all.
    """

    text: str = "問い合わせ内容"
    customer_code: str = "顧客CD"
    company_code: str = "企業CD"
    company_name: str = "企業名"

    @classmethod
    def parse(cls, spec: str) -> KintoneFieldCodes:
        """Read overrides like "text=本文,company_name=" (a key with no code drops that field).

        Unknown keys raise ValueError naming them, so a typo fails at start-up.
        """
        known = {f.name for f in fields(cls)}
        values: dict[str, str] = {}
        for part in spec.split(","):
            if not part.strip():
                continue
            key, _, code = part.partition("=")
            key = key.strip()
            if key not in known:
                raise ValueError(f"unknown Kintone field key {key!r}; expected one of "
                                 f"{sorted(known)}")
            values[key] = code.strip()
        return cls(**values)

    def record(self, values: Mapping[str, str]) -> dict[str, str]:
        """Field code → value for the keys of `values` whose field code is set."""
        return {code: value for key, value in values.items()
                if (code := getattr(self, key, ""))}


class KintoneClient:
    """One Kintone app, reached with its API token. Thread-safe; close() when done."""

    def __init__(self, base_url: str, app_id: str, api_token: str, *,
                 timeout: float = 10.0, transport: httpx.BaseTransport | None = None) -> None:
        self.app_id = app_id
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"), timeout=timeout, transport=transport,
            headers={"X-Cybozu-API-Token": api_token, "Content-Type": "application/json"})

    def close(self) -> None:
        """Release the HTTP connections."""
        self._http.close()

    def __enter__(self) -> KintoneClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            response = self._http.post(path, content=content)
        except httpx.HTTPError as exc:  # connection refused, timeout, reset
            raise KintoneUnavailable(f"Kintone {path}: {type(exc).__name__}: {exc}",
                                     code="kintone:0") from exc
        status = response.status_code
        if status >= 400:
            code = _error_code(response)
            detail = f"Kintone {path}: HTTP {status} {_error_text(response)}"
            key = (f"kintone:{status}:{code}" if code else f"kintone:{status}")[:64]
            if kintone_fate(status, code) == Fate.PERMANENT:
                raise Permanent(detail, code=key)
            raise KintoneUnavailable(detail, code=key,
                                     retry_after=_retry_after(response))
        try:
            data = response.json()
        except ValueError as exc:
            raise KintoneUnavailable(f"Kintone {path}: response is not JSON",
                                     code="kintone:bad_json") from exc
        return data if isinstance(data, dict) else {}

    def add_record(self, fields: Mapping[str, Any]) -> str:
        """Add one record (field code → value) and return its record id."""
        body = {"app": self.app_id,
                "record": {code: {"value": value} for code, value in fields.items()}}
        data = self._post(RECORD_PATH, body)
        record_id = data.get("id")
        if record_id is None:
            raise KintoneUnavailable(f"Kintone {RECORD_PATH}: no record id in {data!r}")
        return str(record_id)

    def add_comment(self, record_id: str, text: str, *,
                    once: Callable[[int, Callable[[], object]], None] | None = None) -> None:
        """Post `text` as a comment on a record: whole, in several comments cut at line ends
        when it is over Kintone's 65,535 characters for one (what people copy is never cut).

        `once(i, post)` runs part i's post unless it went out before: a job retried after
        part 2 failed does not post part 1 again."""
        for i, part in enumerate(split_text(text, MAX_COMMENT_CHARS)):
            post = partial(self._post, COMMENT_PATH, {"app": self.app_id, "record": record_id,
                                                      "comment": {"text": part}})
            if once is None:
                post()
            else:
                once(i, post)


def _error_code(response: httpx.Response) -> str:
    """Kintone's error code ("CB_VA01", "GAIA_…"), '' when the body carries none."""
    try:
        data = response.json()
    except ValueError:
        return ""
    code = data.get("code") if isinstance(data, dict) else None
    return str(code) if isinstance(code, str) and code.isascii() else ""


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isascii() and value.isdigit() else None


def _error_text(response: httpx.Response) -> str:
    """Kintone's error JSON as one line: message, code, id and the failing fields."""
    try:
        data = response.json()
    except ValueError:
        return response.text[:300]
    if not isinstance(data, dict):
        return str(data)[:300]
    parts = [str(data.get("message", "")), f"(code={data.get('code')}, id={data.get('id')})"]
    errors = data.get("errors")
    if isinstance(errors, dict):
        for field, detail in errors.items():
            messages = detail.get("messages") if isinstance(detail, dict) else detail
            parts.append(f"{field}: {messages}")
    return " ".join(parts)
