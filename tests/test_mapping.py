"""The mapping registry (what the partner was told) and drift drafts, on both databases."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from exporter import demo, drift
from exporter.masters import read_masters
from tests.conftest import NOW
from tests.dbs import Database
from tests.factories import change_raw, new_raw, walk_to
from workflow import drafts, mapping
from workflow.errors import AlreadyMoved, ValidationFailed
from workflow.models import OutboxJob
from workflow.service import Workflow
from workflow.settings import Settings

TZ = ZoneInfo("Asia/Tokyo")
TODAY = NOW.astimezone(TZ).date()
COMPANY = "67890"


@pytest.fixture
def mwf(database: Database, settings: Settings) -> Workflow:
    wf = Workflow(database.factory, settings, clock=lambda: NOW, masters=read_masters)
    demo.generate(database.factory, company_code=COMPANY, stores=3, days=1, end=TODAY, tz=TZ,
                  receipts_per_day=8, link=False)
    return wf


def _linked_by_ticket(wf: Workflow) -> int:
    ticket = wf.file_request("new", new_raw(), actor=wf.actor("tanaka", "田中"))
    walk_to(wf, ticket.id, "setup_completed")
    return ticket.id


def _codes(wf: Workflow) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for r in drafts.registry(wf, COMPANY):
        out.setdefault(r["item_type"], set()).add(r["code"] or r["name"])
    return out


def test_new_ticket_setup_seeds_the_registry_with_the_masters(mwf: Workflow) -> None:
    ticket_id = _linked_by_ticket(mwf)
    rows = drafts.registry(mwf, COMPANY)
    assert {r["ticket_id"] for r in rows} == {ticket_id} and {r["source"] for r in rows} == {"new"}
    assert {r["source_label"] for r in rows} == {"新規・増店"}
    assert _codes(mwf) == {"payment": {"01", "02", "03", "04", "05", "07"},
                           "discount": {"101", "102", "201"},
                           "segment": {"1", "2", "3", "4", "5", "6"}}
    assert drift.scan(mwf.factory, TODAY) == []  # nothing the partner does not know


def test_drift_one_draft_then_a_change_ticket_closes_it(mwf: Workflow) -> None:
    first = _linked_by_ticket(mwf)
    demo.add_new_items(mwf.factory, company_code=COMPANY, store_code="0001", day=TODAY, tz=TZ)
    (found,) = drift.scan(mwf.factory, TODAY)
    assert [(i.item_type, i.code, i.name, i.stores, i.since) for i in found.items] == [
        ("discount", "105", "雨の日10%引", ("0001",), TODAY),
        ("payment", "09", "楽天ペイ", ("0001",), TODAY),
        ("segment", "7", "インバウンド", ("0001",), TODAY)]
    # the same items in another store, on another day, or scanned again: no second draft
    demo.add_new_items(mwf.factory, company_code=COMPANY, store_code="0002", day=TODAY, tz=TZ)
    assert drift.scan(mwf.factory, TODAY) == []
    assert drift.scan(mwf.factory, TODAY + timedelta(days=1)) == []
    (draft,) = drafts.list_drafts(mwf)
    assert draft.requester == "tanaka" and draft.customer_code == "123456"
    assert draft.stores == [("0001", "居酒屋データ分析 目黒本店")]
    assert draft.earliest_date == mwf.rules.earliest_date(TODAY, 1, mwf.calendar)
    with mwf.factory() as session:
        jobs = session.scalars(select(OutboxJob).where(OutboxJob.kind == mapping.DRAFT_JOB))
        assert [j.payload for j in jobs] == [{"draft_id": draft.id}]
    # filed as a 設定変更 (names as a person types them: full-width, one the register lacks)
    change = mwf.file_request("change", change_raw(
        payment_items="楽天ペイ\nPayPay", discounts="雨の日１０％引",
        customer_segments="インバウンド"),
        actor=mwf.actor("tanaka", "田中"))
    drafts.file_draft(mwf, draft.id, ticket_id=change.id, actor="tanaka")
    assert drafts.list_drafts(mwf) == []
    with pytest.raises(AlreadyMoved):
        drafts.ignore_draft(mwf, draft.id, reason="x", actor="kikaku")
    walk_to(mwf, change.id, "setup_completed")
    told = {(r["item_type"], r["code"], r["name"]): r["ticket_id"]
            for r in drafts.registry(mwf, COMPANY) if r["ticket_id"] != first}
    assert told == {("payment", "09", "楽天ペイ"): change.id,
                    ("payment", "", "PayPay"): change.id,  # no master code: kept by name
                    ("discount", "105", "雨の日10%引"): change.id,
                    ("segment", "7", "インバウンド"): change.id}
    assert {r["source_label"] for r in drafts.registry(mwf, COMPANY)
            if r["ticket_id"] == change.id} == {"設定変更"}
    assert drift.scan(mwf.factory, TODAY) == [] and drafts.list_drafts(mwf) == []


def test_ignored_items_are_never_drafted_again(mwf: Workflow) -> None:
    _linked_by_ticket(mwf)
    demo.add_new_items(mwf.factory, company_code=COMPANY, store_code="0003", day=TODAY, tz=TZ)
    (found,) = drift.scan(mwf.factory, TODAY)
    with pytest.raises(ValidationFailed) as bad:
        drafts.ignore_draft(mwf, found.draft_id, reason="　", actor="kikaku")
    assert bad.value.by_field() == {"reason": "対象外にする理由を入力してください"}
    done = drafts.ignore_draft(mwf, found.draft_id, reason="テスト用の科目", actor="kikaku")
    assert (done.state, done.reason, done.closed_by) == ("ignored", "テスト用の科目", "kikaku")
    assert drift.scan(mwf.factory, TODAY) == [] and drafts.list_drafts(mwf) == []
    assert [d.id for d in drafts.list_drafts(mwf, state="ignored")] == [found.draft_id]


def test_linking_outside_a_ticket_seeds_and_the_cli_lists(
        database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot import context
    from bot.cli import app
    from workflow.settings import get_settings
    monkeypatch.setenv("DATABASE_URL", database.url)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    context.default.cache_clear()
    runner = CliRunner()
    try:
        result = runner.invoke(app, ["demo-data", "--stores", "2", "--days", "1",
                                     "--receipts", "5", "--company", "20002"])
        assert result.exit_code == 0, result.output
        listed = json.loads(runner.invoke(app, ["mapping", "list", "--company", "20002",
                                                "--json"]).output)
        assert {r["source"] for r in listed} == {"link"} and len(listed) == 15
        assert {r["source_label"] for r in listed} == {"店舗連携（依頼外）"}
        table = runner.invoke(app, ["mapping", "list", "--company", "20002"]).output
        assert "現金" in table and "店舗連携（依頼外）" in table and " link " not in table
        scan = runner.invoke(app, ["mapping", "scan"])
        assert scan.exit_code == 0 and "no new items" in scan.output, scan.output
        result = runner.invoke(app, ["demo-data", "--new-items", "--store", "0002",
                                     "--company", "20002"])
        assert result.exit_code == 0 and "楽天ペイ" in result.output, result.output
        scan = runner.invoke(app, ["mapping", "scan"])
        assert "company 20002: 3 new items" in scan.output, scan.output
        (open_draft,) = json.loads(runner.invoke(app, ["mapping", "drift", "--json"]).output)
        assert open_draft["stores"] == ["0002:データ分析カフェ 目黒川店"]
        assert [i["code"] for i in open_draft["items"]] == ["105", "09", "7"]
        text = runner.invoke(app, ["mapping", "drift"]).output
        assert "支払科目 09:楽天ペイ  店舗 0002" in text
        assert "no new items" in runner.invoke(app, ["mapping", "scan"]).output
        from workflow import drafts as d
        d.ignore_draft(context.default().workflow, open_draft["id"], reason="試験用",
                       actor="kikaku")
        listed_open = runner.invoke(app, ["mapping", "drift"]).output
        assert "未対応の設定変更の下書きはありません" in listed_open
        listed_all = runner.invoke(app, ["mapping", "drift", "--all"]).output
        assert "対象外: 試験用（kikaku）" in listed_all
        bad = runner.invoke(app, ["demo-data", "--new-items", "--company", "20002"])
        assert bad.exit_code == 2
    finally:
        get_settings.cache_clear()
        context.default.cache_clear()


def test_a_close_fire_runs_the_drift_check(sqlite_db: Database) -> None:
    """Stores linked without the registry knowing anything: their first close drafts every
    item in use, once, for the company (not per store)."""
    from datetime import UTC, datetime

    from apscheduler.schedulers.background import BackgroundScheduler

    from exporter import jobs
    from tests.export_support import COMPANY as X_COMPANY
    from tests.export_support import settings_for, setup_stores
    setup_stores(sqlite_db, stores=2, receipts=8)
    scheduler = BackgroundScheduler(timezone=TZ)
    bound = jobs.register(scheduler, sqlite_db.factory, settings_for("./unused"), worker="w",
                          clock=lambda: datetime(2026, 11, 20, 14, 30, 20, tzinfo=UTC))
    try:
        assert bound.close("23:30")  # store 0001 closes at 23:30
        wf = Workflow(sqlite_db.factory, Settings(_env_file=None))  # type: ignore[call-arg]
        (draft,) = drafts.list_drafts(wf)
        assert draft.company_code == X_COMPANY
        assert {(i["item_type"], i["code"]) for i in draft.items} >= {
            ("payment", "01"), ("segment", "1")}
        assert bound.close("23:30") == []  # the fire is claimed once; nothing new either
        assert len(drafts.list_drafts(wf)) == 1
    finally:
        bound.sender.close()


def test_a_new_company_master_item_offers_every_linked_store(mwf: Workflow) -> None:
    from exporter.pos import PosMasterItem
    _linked_by_ticket(mwf)
    with mwf.factory() as session, session.begin():
        session.add(PosMasterItem(company_code=COMPANY, store_code="", item_type="payment",
                                  code="08", name="ｄ払い", since=TODAY))
    (found,) = drift.scan(mwf.factory, TODAY)
    assert [(i.code, i.stores) for i in found.items] == [("08", ())]
    (draft,) = drafts.list_drafts(mwf)
    assert [code for code, _ in draft.stores] == ["0001", "0002", "0003"]
    assert draft.items[0]["name"] == "ｄ払い"
