"""`POST /pos/close` over real HTTP (waitress): a bearer token, the same refusal whatever
the reason, a reply that says only how many batches, exact paths, an internal port."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from bot.context import Context
from bot.runtime import start_internal
from bot.slack.web import HttpServer, WebApp
from exporter.http import REFUSED
from exporter.kinds import ALL_KINDS
from tests.dbs import Database
from tests.export_support import DAY, Clock, batches, settings_for, setup_stores
from workflow.service import Workflow
from workflow.settings import Settings

TOKEN = "pos-" + "7" * 40


@dataclass
class Pos:
    db: Database
    url: str
    http: httpx.Client

    def close(self, store: str = "0001", day: date | str = DAY, *,
              auth: str | None = f"Bearer {TOKEN}", path: str = "/pos/close",
              content: bytes | None = None) -> httpx.Response:
        body = content if content is not None else json.dumps(
            {"company_code": "10001", "store_code": store,
             "business_date": str(day)}).encode()
        headers = {"Content-Type": "application/json"}
        if auth is not None:
            headers["Authorization"] = auth
        return self.http.post(self.url + path, content=body, headers=headers)


def _serve(db: Database, settings: Settings, *, slack: bool = False, pos: bool = True
           ) -> HttpServer:
    # DAY is "today" for the register: the clock stands at 23:30 JST on 2026-11-20.
    ctx = Context(settings, db.engine, db.factory, Workflow(db.factory, settings, clock=Clock()))
    return HttpServer(WebApp(ctx, None, pos=pos), host="127.0.0.1", port=0, threads=4).start()


@pytest.fixture
def pos(database: Database) -> Iterator[Pos]:
    setup_stores(database, stores=2, unlinked=("0002",))
    settings = settings_for("/tmp/unused").model_copy(update={"pos_token": TOKEN})
    server = _serve(database, settings)
    with httpx.Client(timeout=10) as http:
        yield Pos(database, f"http://127.0.0.1:{server.port}", http)
    server.close()


def test_only_a_bearer_of_the_token_exports_and_learns_only_a_count(pos: Pos) -> None:
    tried = refused = 0
    for auth in (None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer",
                 TOKEN):
        reply = pos.close(auth=auth)
        tried += 1
        refused += reply.status_code == 401
        assert reply.status_code == 401 and reply.json()["error"] == "unauthorized"
        assert reply.headers["WWW-Authenticate"].startswith("Bearer")
    assert batches(pos.db) == []

    reply = pos.close("０００１")  # full-width digits are normalised
    assert reply.status_code == 202
    assert reply.json() == {"accepted": True, "batches": len(ALL_KINDS)}
    assert len(batches(pos.db)) == len(ALL_KINDS)
    again = pos.close()
    assert again.status_code == 202 and again.json() == {"accepted": True, "batches": 0}
    assert (tried, refused) == (6, 6)


def test_unknown_unlinked_outside_and_future_get_one_refusal(pos: Pos) -> None:
    answers: list[tuple[int, Any]] = []
    for store, day in (("0099", DAY), ("0002", DAY), ("0001", "2026-11-01"),
                       ("0001", "2026-11-21"), ("0001", "2027-04-01"), ("9", "2026-11-20")):
        reply = pos.close(store, day)
        answers.append((reply.status_code, reply.json()))
    assert answers == [(422, REFUSED)] * 6  # nothing tells one reason from another
    assert batches(pos.db) == []
    # A malformed request says which field (that reveals nothing about the linkage).
    reply = pos.close(content=json.dumps({"company_code": "x", "store_code": "",
                                          "business_date": "20-11"}).encode())
    assert reply.status_code == 400
    assert set(reply.json()["errors"]) == {"company_code", "store_code", "business_date"}
    for junk in (b"[1]", b"{nope", b"\xff\xfe"):
        assert pos.close(content=junk).status_code == 400
    assert batches(pos.db) == []


def test_paths_are_exact_and_bodies_bounded(pos: Pos) -> None:
    codes = [pos.close(path=p).status_code
             for p in ("//pos/close", "/pos/close/", "/pos//close", "/%70os/close",
                       "/POS/close", "/pos/close.json")]
    assert codes == [404] * 6
    assert pos.http.get(pos.url + "/pos/close",
                        headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404
    assert pos.close(content=b"x" * 1_000_001).status_code == 413
    chunks = (b"x" * 100_000 for _ in range(30))  # chunked: no Content-Length
    assert pos.http.post(pos.url + "/pos/close", content=chunks,
                         headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 413
    assert batches(pos.db) == []


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_without_a_token_the_route_is_off_and_the_public_port_can_leave_it(
        database: Database) -> None:
    setup_stores(database, stores=1)
    off = _serve(database, settings_for("/tmp/unused"))
    public = _serve(database, settings_for("/tmp/unused").model_copy(
        update={"pos_token": TOKEN, "pos_port": 0}), pos=False)
    try:
        for server in (off, public):
            reply = httpx.post(f"http://127.0.0.1:{server.port}/pos/close",
                               headers={"Authorization": f"Bearer {TOKEN}"},
                               json={"company_code": "10001", "store_code": "0001",
                                     "business_date": DAY.isoformat()})
            assert reply.status_code == 404
            assert httpx.get(f"http://127.0.0.1:{server.port}/healthz").status_code == 200
    finally:
        off.close()
        public.close()
    assert batches(database) == []
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(_env_file=None, RENKEI_POS_TOKEN="short")  # type: ignore[call-arg]
    assert Settings(_env_file=None, RENKEI_POS_PORT="").pos_port is None  # type: ignore[call-arg]


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_internal_port_of_renkei_run_serves_the_register(database: Database) -> None:
    setup_stores(database, stores=1)
    settings = settings_for("/tmp/unused").model_copy(update={"pos_token": TOKEN,
                                                              "pos_port": 0})
    ctx = Context(settings, database.engine, database.factory,
                  Workflow(database.factory, settings, clock=Clock()))
    server = start_internal(ctx, "127.0.0.1")
    try:
        base = f"http://127.0.0.1:{server.port}"
        reply = httpx.post(base + "/pos/close", headers={"Authorization": f"Bearer {TOKEN}"},
                           json={"company_code": "10001", "store_code": "0001",
                                 "business_date": DAY.isoformat()})
        assert reply.json() == {"accepted": True, "batches": len(ALL_KINDS)}
        assert httpx.post(base + "/slack/events", content=b"x").status_code == 404
        assert httpx.get(base + "/readyz").status_code == 200
    finally:
        server.close()
