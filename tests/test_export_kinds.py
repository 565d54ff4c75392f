"""The eight kinds: stable identifiers, the documented JSON Schema, and extracted records
that parse with their models; plus the CLI an operator uses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from exporter import demo
from exporter.batches import enqueue_close
from exporter.extract import extract
from exporter.kinds import ALL_KINDS, Envelope, Kind, schemas, validate_records
from tests.dbs import Database
from tests.export_support import COMPANY, DAY, TZ, batches, setup_stores

DOCS = Path(__file__).resolve().parent.parent / "docs" / "export-schema"


def test_the_seed_order_and_stable_identifiers() -> None:
    assert [(k.value, k.label) for k in ALL_KINDS] == [
        ("sales", "売上データ"), ("sales_detail", "売上データ詳細"),
        ("cash_denomination", "金種別現金在高"), ("cash_movement", "入出金データ"),
        ("product_master", "商品マスタ"), ("product_category_master", "商品カテゴリマスタ"),
        ("payment_breakdown", "支払種別明細"), ("settlement_report", "精算レポート")]


def test_docs_schema_is_what_the_models_generate() -> None:
    for name, schema in schemas().items():
        on_disk = json.loads((DOCS / name).read_text(encoding="utf-8"))
        assert on_disk == schema, f"run: python -m exporter.kinds docs/export-schema ({name})"


def test_extracted_records_and_envelopes_parse_with_the_models(sqlite_db: Database) -> None:
    setup_stores(sqlite_db, stores=3, receipts=20)
    with sqlite_db.factory() as session:
        out = extract(session, DAY, [(COMPANY, "0001"), (COMPANY, "0003")], ALL_KINDS, TZ)
    for kinds in out.values():
        for kind in ALL_KINDS:
            assert kinds[kind], kind
            validate_records(kind, kinds[kind])
    (report,) = out[(COMPANY, "0001")][Kind.SETTLEMENT_REPORT]
    sales = out[(COMPANY, "0001")][Kind.SALES]
    assert report["net_sales"] == sum(s["total_amount"] for s in sales if not s["voided"])
    enqueue_close(sqlite_db.factory, TZ, DAY)
    for b in batches(sqlite_db):
        env = Envelope.model_validate_json(b.body)
        assert env.idempotency_key == b.idempotency_key and env.hour is None
        validate_records(env.kind, env.records)


@pytest.fixture
def cli_env(sqlite_db: Database, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from workflow.settings import get_settings
    out = tmp_path / "exports"
    monkeypatch.setenv("DATABASE_URL", sqlite_db.url)
    monkeypatch.setenv("EXPORT_DESTINATION", f"file://{out}")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield out
    get_settings.cache_clear()


def test_cli_demo_close_status_retry(cli_env: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["demo-data", "--stores", "3", "--days", "2", "--company",
                                 COMPANY, "--end", DAY.isoformat(), "--receipts", "5"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["export", "close", "--company", COMPANY, "--store", "0001",
                                 "--date", DAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "enqueued 8 batches" in result.output and "sent 8 batches" in result.output
    lines = (cli_env / demo.DEMO_MAKASETE_COMPANY_CODE / "67890" / DAY.isoformat()
             / "sales.jsonl").read_text()
    assert json.loads(lines.splitlines()[0])["kind"] == "sales"
    result = runner.invoke(app, ["export", "backfill", "--from", "2026-11-19", "--to",
                                 DAY.isoformat()])
    assert result.exit_code == 0 and "enqueued 40 batches" in result.output, result.output
    result = runner.invoke(app, ["export", "status", "--json"])
    rows = json.loads(result.output)
    assert [(r["store_code"], r["delivered"], r["pending"]) for r in rows] == [
        ("0001", 16, 0), ("0002", 16, 0), ("0003", 16, 0)]
    assert runner.invoke(app, ["export", "status"]).exit_code == 0
    result = runner.invoke(app, ["export", "close", "--company", COMPANY, "--store", "0009",
                                 "--date", "2026-13-01"])
    assert result.exit_code == 2 and "business_date" in result.output
    result = runner.invoke(app, ["export", "close", "--company", COMPANY, "--store", "0009",
                                 "--date", DAY.isoformat()])
    assert result.exit_code == 2 and "renkei に登録されていません" in result.output
    result = runner.invoke(app, ["export", "retry"])
    assert result.exit_code == 0 and "re-queued 0" in result.output
    assert runner.invoke(app, ["export", "drain", "--now"]).exit_code == 0


def test_demo_data_has_its_own_codes_and_refuses_a_company_with_requests(
        cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot import context
    from tests.factories import new_raw  # 企業CD 67890, the seed's example company

    monkeypatch.setenv("RENKEI_NOW", "2026-11-24T10:00+09:00")  # new_raw's date fits then
    context.default.cache_clear()
    runner = CliRunner()
    form = cli_env.parent / "form.json"
    form.write_text(json.dumps(new_raw()), encoding="utf-8")
    assert runner.invoke(app, ["request", "new", "--json", str(form)]).exit_code == 0
    result = runner.invoke(app, ["demo-data", "--stores", "1", "--days", "1", "--company",
                                 "67890", "--end", DAY.isoformat(), "--receipts", "1"])
    assert result.exit_code == 2
    assert "company 67890 has real requests (#1)" in result.output
    result = runner.invoke(app, ["demo-data", "--stores", "1", "--days", "1",
                                 "--end", DAY.isoformat(), "--receipts", "1"])
    assert result.exit_code == 0, result.output
    assert f"company {demo.DEMO_COMPANY_CODE}:" in result.output
    rows = json.loads(runner.invoke(app, ["stores", "list", "--json"]).output)
    assert {r["company_code"] for r in rows} == {"67890", demo.DEMO_COMPANY_CODE}
    assert all(not r["makasete_store_code"] for r in rows if r["company_code"] == "67890")
    context.default.cache_clear()  # the next test builds its own
