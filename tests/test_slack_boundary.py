"""The Slack route's boundary over real HTTP (issue 9 parts 2 and 10): bodies bounded before
they are read, the signature checked before parsing, malformed signed bodies 400, ids that
cannot be tickets refused in Japanese; health and readiness; a database error answered."""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import create_engine, text

from bot import messages as m
from bot.context import Context
from bot.slack.web import HttpServer, WebApp
from tests.slack_harness import SALES, Harness, clock, harness, slack_settings
from workflow.db import make_sessionmaker
from workflow.models import Ticket
from workflow.service import Workflow
from workflow.settings import Settings

__all__ = ["clock", "harness", "slack_settings"]  # fixtures

FORM = "application/x-www-form-urlencoded"


def _state(h: Harness) -> tuple[list[tuple[int, str, int]], int]:
    with h.wf.factory() as session:
        tickets = [(t.id, t.status, t.version) for t in session.query(Ticket)]
    return tickets, len(h.emulator.calls)


def _no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_big_unsigned_and_malformed_bodies_are_refused_first(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    h = harness
    caplog.set_level(logging.INFO)
    before = _state(h)
    url, d = h.driver.url, h.driver
    big = b"payload=" + b"x" * 2_000_000
    codes = [
        httpx.post(url, content=big, headers={"Content-Type": FORM}).status_code,  # unsigned
        d.post(big, FORM).status_code,  # signed, still too big
        httpx.post(url, content=(b"x" * 100_000 for _ in range(30)),  # chunked
                   headers={"Content-Type": FORM}).status_code,
    ]
    assert codes == [413, 413, 413]
    unsigned = [
        httpx.post(url, content=b"command=%2Frenkei&text=new",
                   headers={"Content-Type": FORM}).status_code,
        d.post(b"command=%2Frenkei&text=new", FORM, headers={
            "X-Slack-Request-Timestamp": "abc"}).status_code,
        d.post(b"command=%2Frenkei&text=new", FORM, headers={
            "X-Slack-Request-Timestamp": "１７００".encode()}).status_code,  # type: ignore[dict-item]
        httpx.post(url, content=b"\xff\xfe=\xfa", headers={
            "Content-Type": FORM, "X-Slack-Request-Timestamp": str(int(time.time())),
            "X-Slack-Signature": "v0=" + "0" * 64}).status_code,
        httpx.get(url).status_code,
    ]
    assert unsigned == [401, 401, 401, 401, 405]
    malformed = [
        (b"payload=%7Bnot+json", FORM), (b"payload=%5B1%2C2%5D", FORM),
        (b"payload=%7B%22user%22%3A1%7D", FORM), (b"payload=%FF%FE", FORM),
        (b"[1]", "application/json"), (b"{nope", "application/json"), (b"", FORM),
    ]
    answers = [d.post(body, ctype) for body, ctype in malformed]
    assert [a.status_code for a in answers] == [400] * len(malformed)
    assert all(a.json() == {"ok": False, "error": "malformed_body"} for a in answers)
    assert _state(h) == before  # 15 requests: nothing filed, moved or called
    _no_tracebacks(caplog)


# Signed (as if by someone holding the secret), but not shapes Slack sends.
ODD_PAYLOADS: list[Any] = [
    {"type": "block_actions"},
    {"type": "block_actions", "actions": "y", "user": "x"},
    {"type": "block_actions", "actions": [None], "user": {"id": "U1"}},
    {"type": "block_actions", "user": {"id": "U1"}, "channel": "x",
     "actions": [{"action_id": "renkei_customer_verify", "value": "1"}]},
    {"type": "view_submission", "view": "x"},
    {"type": "view_submission", "user": {"id": "U1"},
     "view": {"type": "modal", "callback_id": "renkei_intake", "state": "x"}},
    {"type": "view_submission", "user": {"id": "U1"},
     "view": {"type": "modal", "callback_id": "renkei_intake", "state": {"values": {}},
              "private_metadata": "[1]"}},
    {"type": "view_submission", "user": {"id": "U1"},
     "view": {"type": "modal", "callback_id": "renkei_send_back", "state": {"values": {}},
              "private_metadata": '{"ticket_id": "abc"}'}},
    {"type": "view_submission", "user": {"id": "U1"},
     "view": {"type": "modal", "callback_id": "renkei_linkage", "state": {"values": {}},
              "private_metadata": '{"ticket_id": 99999999999}'}},
    {"type": 5}, [], "x",
]
ODD_FORMS = [b"command=%2Frenkei&text=list", b"command=%2Frenkei&text=show+1&user_id=U1",
             b"foo=bar", b"a=1&&&b"]
ODD_EVENTS: list[Any] = [{"type": "event_callback", "event": "x"},
                         {"type": "event_callback"}, {"type": "url_verification"}, {}]


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_signed_bodies_of_the_wrong_shape_get_400(harness: Harness,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    h = harness
    h.file()
    h.settled()
    h.emulator.wait_for(lambda e: len(e.of("views.publish")) >= 1)  # the Home refresh
    before = _state(h)
    caplog.set_level(logging.INFO)
    codes = [h.driver.post(urlencode({"payload": json.dumps(p)}).encode(), FORM).status_code
             for p in ODD_PAYLOADS]
    codes += [h.driver.post(body, FORM).status_code for body in ODD_FORMS]
    codes += [h.driver.post(json.dumps(e).encode(), "application/json").status_code
              for e in ODD_EVENTS]
    assert codes == [400] * (len(ODD_PAYLOADS) + len(ODD_FORMS) + len(ODD_EVENTS))
    assert _state(h) == before  # 20 requests, nothing changed or called
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    _no_tracebacks(caplog)
    # what Slack does send still works: the URL check and an unhandled type
    check = h.driver.post(json.dumps({"type": "url_verification", "challenge": "c1"}).encode(),
                          "application/json")
    assert check.json() == {"challenge": "c1"}
    assert h.driver.post(urlencode({"payload": json.dumps(
        {"type": "shortcut", "callback_id": "x"})}).encode(), FORM).status_code == 404


def _forged(value: str, action_id: str = "renkei:request_kintone") -> list[dict[str, Any]]:
    return [{"type": "actions", "elements": [{"type": "button", "action_id": action_id,
                                              "value": value,
                                              "text": {"type": "plain_text", "text": "x"}}]}]


def test_ids_that_cannot_be_tickets_are_refused_in_japanese(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    h = harness
    ticket_id = h.file()
    before = _state(h)[0]
    for number in ("99999999999", "2147483648", "9" * 40, "0", "-3"):
        n = len(h.emulator.responses)
        assert h.driver.command(f"show {number}", user=SALES).status_code == 200
        h.emulator.wait_for(lambda e, n=n: len(e.responses) > n)
        assert h.answers()[-1] == m.bad_ticket_number("/renkei")
    for value in ("2147483648:contacted", "99999999999999999999:contacted", "x:contacted"):
        n = len(h.emulator.responses)
        assert h.driver.click(_forged(value), "request_kintone", user=SALES).status_code == 200
        h.emulator.wait_for(lambda e, n=n: len(e.responses) > n)
        assert h.answers()[-1] == m.BAD_BUTTON
    n = len(h.emulator.responses)
    h.driver.command("show 2147483647", user=SALES)  # the largest id: simply not found
    h.emulator.wait_for(lambda e: len(e.responses) > n)
    assert "見つかりません" in h.answers()[-1]
    assert _state(h)[0] == before and h.wf.get(ticket_id).status == "contacted"
    _no_tracebacks(caplog)


def test_health_and_readiness(harness: Harness) -> None:
    h = harness
    base = h.driver.url.removesuffix("/slack/events")
    assert httpx.get(base + "/healthz").json() == {"ok": True}
    ready = httpx.get(base + "/readyz")
    body = ready.json()
    assert ready.status_code == 200 and body["ok"] and body["database"] == "ok"
    assert body["migrations"]["ok"] and body["migrations"]["current"] == \
        body["migrations"]["heads"]
    assert body["outbox"] == {"pending": 0, "dead": 0}
    assert body["exports"] == {"pending": 0, "dead": 0}
    if h.ctx.engine.url.get_backend_name() == "sqlite":
        assert body["disk"]["ok"] and body["disk"]["free_mb"] > 0
    else:
        assert "disk" not in body  # the server's disk is not ours to see
    with h.wf.factory() as session, session.begin():
        # (one row per head: several branches' 0003 migrations may stand side by side)
        session.execute(text("DELETE FROM alembic_version"))
        session.execute(text("INSERT INTO alembic_version (version_num) VALUES ('0001')"))
    stale = httpx.get(base + "/readyz")
    assert stale.status_code == 503 and stale.json()["migrations"]["current"] == ["0001"]
    assert httpx.get(base + "/healthz").status_code == 200  # alive, just not ready
    for path in ("//slack/events", "/slack/events/", "/slack//events", "//healthz"):
        assert httpx.post(base + path, content=b"x").status_code == 404


def _error_id(caplog: pytest.LogCaptureFixture, answer: str) -> str:
    found = re.search(r"エラーID: ([0-9a-f]{12})", answer)
    assert found, answer
    logged = [r for r in caplog.records if r.levelno == logging.ERROR
              and found.group(1) in r.getMessage()]
    assert logged and logged[0].getMessage().startswith("database error ")
    return found.group(1)


def test_a_database_error_is_answered_with_an_error_id(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    h = harness
    ticket_id = h.file()
    blocks = h.message(ticket_id)
    opened = len(h.emulator.of("views.open"))
    h.driver.command("new", user=SALES)
    view = h.opened_view(opened)
    h.settled()
    with h.wf.factory() as session, session.begin():  # the database loses a table
        session.execute(text("ALTER TABLE tickets RENAME TO tickets_away"))
    try:
        answers = []
        n = len(h.emulator.responses)
        h.driver.command("list open", user=SALES)
        h.driver.click(blocks, "request_kintone", user=SALES)
        h.emulator.wait_for(lambda e: len(e.responses) >= n + 2)
        answers += [str(r.args["text"]) for r in h.emulator.responses[n:]]
        reply = h.driver.submit(view, {"customer_code": "1", "company_code": "2",
                                       "company_name": "株式会社B", "stores": "0001:本店",
                                       "desired_date": "2026-12-07"}, user=SALES).json()
        assert reply["response_action"] == "update"
        answers.append(json.dumps(reply["view"], ensure_ascii=False))
        for answer in answers:
            assert "一時的なエラーです。もう一度お試しください" in answer
        assert len({_error_id(caplog, a) for a in answers}) == 3
    finally:
        with h.wf.factory() as session, session.begin():
            session.execute(text("ALTER TABLE tickets_away RENAME TO tickets"))
    # mended: the same press now goes through
    h.driver.click(blocks, "request_kintone", user=SALES, action_ts=f"{time.time():.6f}")
    h.message(ticket_id, status="kintone_requested")


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
@pytest.mark.parametrize("slack_settings", [{"RENKEI_READY_MIN_FREE_MB": str(2**40)}])
def test_a_disk_without_room_is_not_ready(harness: Harness) -> None:
    base = harness.driver.url.removesuffix("/slack/events")
    ready = httpx.get(base + "/readyz")
    assert ready.status_code == 503
    body = ready.json()
    assert body["disk"]["ok"] is False and body["database"] == "ok"
    assert body["migrations"]["ok"]  # everything else is fine


def test_an_unreachable_database_is_not_ready(tmp_path: Any) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    engine = create_engine("postgresql+psycopg://renkei@127.0.0.1:1/renkei",
                           connect_args={"connect_timeout": 2})
    factory = make_sessionmaker(engine)
    ctx = Context(settings, engine, factory, Workflow(factory, settings))
    server = HttpServer(WebApp(ctx, None), host="127.0.0.1", port=0, threads=2).start()
    try:
        base = f"http://127.0.0.1:{server.port}"
        ready = httpx.get(base + "/readyz", timeout=10)
        assert ready.status_code == 503
        assert ready.json()["database"] == "unreachable" and not ready.json()["ok"]
        assert httpx.get(base + "/healthz").status_code == 200
    finally:
        server.close()
        engine.dispose()
