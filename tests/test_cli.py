"""The `renkei` command as an operator or newcomer uses it (typer's runner, real SQLite file)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot import context
from bot.cli import app
from tests.factories import NOW, new_raw
from workflow.machine import mermaid
from workflow.settings import get_settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("RENKEI_PLANNING_USERS", "kikaku")
    # The CLI reads the settable clock: every date below is relative to NOW, not to the day
    # the suite happens to run.
    monkeypatch.setenv("RENKEI_NOW", NOW.isoformat())
    get_settings.cache_clear()
    context.default.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()
    context.default.cache_clear()


def run(cli: CliRunner, *args: str) -> tuple[int, str]:
    result = cli.invoke(app, list(args))
    return result.exit_code, result.output


def test_request_to_verified_from_the_shell(cli: CliRunner, tmp_path: Path) -> None:
    form = tmp_path / "form.json"
    form.write_text(json.dumps(new_raw()), encoding="utf-8")
    code, out = run(cli, "request", "new", "--json", str(form), "--as", "tanaka")
    assert code == 0, out
    assert "依頼 #1 を登録しました" in out and "・企業CD：67890" in out

    code, out = run(cli, "tickets", "show", "1", "--json", "--as", "kikaku")
    shown = json.loads(out)
    assert shown["status"] == "contacted"
    assert [a["action"] for a in shown["actions"]] == ["request_kintone", "send_back", "cancel"]

    links = tmp_path / "links.json"
    links.write_text(json.dumps({"makasete_company_code": "12345", "stores": [
        {"store_code": s, "makasete_store_code": f"6789{i}", "start_date": "2026-12-07",
         "end_date": "2027-12-31"} for i, s in enumerate(["0001", "0002", "0003"])]}))
    steps = [("request_kintone", "tanaka"), ("send_spec", "kikaku"), ("start_setup", "kikaku"),
             ("complete_setup", "kikaku"), ("notify_customer", "kikaku"), ("verify", "kikaku")]
    for action, user in steps:
        extra = ["--linkage", str(links)] if action == "complete_setup" else []
        code, out = run(cli, "tickets", "advance", "1", action, "--as", user, *extra)
        assert code == 0, out
    code, out = run(cli, "tickets", "show", "1", "--json")
    shown = json.loads(out)
    assert shown["status"] == "verified"
    assert len(shown["events"]) == 7
    code, out = run(cli, "stores", "list", "--json")
    assert [r["state"] for r in json.loads(out)] == ["未連携", "連携済", "連携済", "連携済"]


def test_errors_print_field_messages_and_exit_2(cli: CliRunner, tmp_path: Path) -> None:
    form = tmp_path / "bad.json"
    form.write_text(json.dumps(new_raw(customer_code="12a", stores="")), encoding="utf-8")
    code, out = run(cli, "request", "new", "--json", str(form))
    assert code == 2
    assert "顧客CD:" in out and "対象店舗:" in out
    code, out = run(cli, "tickets", "list", "--json")
    assert json.loads(out) == []  # nothing was saved
    code, out = run(cli, "tickets", "advance", "99", "verify", "--as", "kikaku")
    assert code == 2 and "見つかりません" in out


def test_store_link_rules_and_unlink(cli: CliRunner, tmp_path: Path) -> None:
    code, out = run(cli, "stores", "link", "--company", "67890", "--store", "0001",
                    "--makasete-company", "123", "--makasete-store", "67890",
                    "--start", "2030-01-01", "--end", "2030-12-31")
    assert code == 2 and "登録されていません" in out and "renkei request new" in out
    form = tmp_path / "form.json"
    form.write_text(json.dumps(new_raw(desired_date="2027-02-01", stores="0002:目黒川店")),
                    encoding="utf-8")
    assert run(cli, "request", "new", "--json", str(form))[0] == 0
    code, out = run(cli, "stores", "link", "--company", "６７８９０", "--store", "0001",
                    "--makasete-company", "123456", "--makasete-store", "x",
                    "--start", "2000-01-01", "--end", "2000-01-02")
    assert code == 2
    labels = ("まかせてネット企業コード", "まかせてネット店舗コード", "連携開始日", "連携終了日")
    for label in labels:
        assert label in out
    code, out = run(cli, "stores", "link", "--company", "67890", "--store", "0001",
                    "--makasete-company", "１２３", "--makasete-store", "67890",
                    "--start", "2026-12-01", "--end", "2027-11-30", "--name", "目黒本店")
    assert code == 0, out
    rows = json.loads(run(cli, "stores", "list", "--json")[1])
    assert [(r["store_code"], r["makasete_store_code"], r["state"]) for r in rows] == [
        ("0000", None, "未連携"), ("0001", "67890", "連携済"), ("0002", None, "未連携")]
    assert rows[0]["makasete_company_code"] == "123"
    # the same まかせてネット店舗コード twice under one まかせてネット企業コード: refused
    code, out = run(cli, "stores", "link", "--company", "67890", "--store", "0002",
                    "--makasete-company", "123", "--makasete-store", "67890",
                    "--start", "2030-01-01", "--end", "2030-12-31")
    assert code == 2 and "すでに店舗0001で使われています" in out
    # another まかせてネット企業コード only with --replace-company-code, which says what it replaces
    args = ("stores", "link", "--company", "67890", "--store", "0002", "--makasete-company",
            "456", "--makasete-store", "67891", "--start", "2030-01-01", "--end", "2030-12-31")
    code, out = run(cli, *args)
    assert code == 2 and "すでにまかせてネット企業コード 123 で連携しています" in out
    code, out = run(cli, *args, "--replace-company-code")
    assert code == 0 and "123 から 456 に置き換えました" in out
    code, out = run(cli, "stores", "link", "--company", "67890", "--store", "0000",
                    "--makasete-company", "456", "--makasete-store", "1",
                    "--start", "2030-01-01", "--end", "2030-12-31")
    assert code == 2 and "企業管理店舗" in out
    assert run(cli, "stores", "unlink", "--company", "67890")[0] == 0
    rows = json.loads(run(cli, "stores", "list", "--json")[1])
    assert {r["state"] for r in rows} == {"未連携"}


def test_kintone_text_command_prints_the_exact_text(cli: CliRunner, tmp_path: Path) -> None:
    form = tmp_path / "form.json"
    form.write_text(json.dumps(new_raw()), encoding="utf-8")
    run(cli, "request", "new", "--json", str(form))
    code, out = run(cli, "kintone-text", "1")
    assert code == 0
    assert out.startswith("【USENお問い合わせ受付フォーム】 お問い合わせ項目\n")
    assert out.endswith("・連携開始希望日：12月7日\n・備考：\n")


def test_readme_diagram_is_the_machine_table(cli: CliRunner) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{mermaid()}```" in readme, "run `renkei diagram` and paste into README"
    assert run(cli, "diagram", "--check", str(ROOT / "README.md"))[0] == 0
