"""What a newcomer hits on a fresh clone, each fixed: files in Windows encodings, clear file and
JSON errors, refused filters with the choices, the actions available now, JST times, the
README's planner, a reason for 取り消す, and one line (no traceback) for a bad database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot import context
from bot.cli import app
from tests.factories import NOW, new_raw
from workflow.settings import get_settings

ROOT = Path(__file__).resolve().parent.parent
RENKEI = str(Path(sys.executable).with_name("renkei"))


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    # no RENKEI_PLANNING_USERS: a fresh clone, as the README's examples assume
    monkeypatch.delenv("RENKEI_PLANNING_USERS", raising=False)
    monkeypatch.delenv("RENKEI_PLANNING_GROUP", raising=False)
    monkeypatch.setenv("RENKEI_NOW", NOW.isoformat())
    get_settings.cache_clear()
    context.default.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()
    context.default.cache_clear()


def run(cli: CliRunner, *args: str, input: str | None = None) -> tuple[int, str]:
    result = cli.invoke(app, list(args), input=input)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932", "shift_jis"])
def test_json_files_in_windows_encodings_are_read(cli: CliRunner, tmp_path: Path,
                                                  encoding: str) -> None:
    form = tmp_path / "form.json"
    form.write_bytes(json.dumps(new_raw(), ensure_ascii=False).encode(encoding))
    code, out = run(cli, "request", "new", "--json", str(form), "--as", "tanaka")
    assert code == 0, out
    assert "・企業名：株式会社データ分析" in out and "・店舗名：居酒屋データ分析 目黒本店" in out


def test_file_problems_are_one_clear_line(cli: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "customer_code": "123456",\n  "company_code": 67890,,\n}',
                      encoding="utf-8")
    array = tmp_path / "array.json"
    array.write_text(json.dumps([new_raw()]), encoding="utf-8")
    cases = {
        str(tmp_path / "missing.json"): "ファイルが見つかりません",
        str(tmp_path): "フォルダーが指定されました",
        str(broken): "JSONの形式が正しくありません（3行目 25文字目）",
        str(array): "JSONはオブジェクト {…} である必要があります（配列 […]が書かれています）",
    }
    for path, message in cases.items():
        code, out = run(cli, "request", "new", "--json", path)
        assert code == 2 and message in out, out
        code, out = run(cli, "tickets", "advance", "1", "resubmit", "--form", path)
        assert code == 2 and message in out, out


def _filed(cli: CliRunner, tmp_path: Path) -> None:
    form = tmp_path / "form.json"
    form.write_text(json.dumps(new_raw()), encoding="utf-8")
    assert run(cli, "request", "new", "--json", str(form), "--as", "tanaka")[0] == 0


def test_filters_and_actions_are_refused_with_the_choices(cli: CliRunner,
                                                          tmp_path: Path) -> None:
    _filed(cli, tmp_path)
    code, out = run(cli, "tickets", "list", "--status", "foo")
    assert code == 2
    assert "「foo」という状態はありません" in out and "partner_setup（連携設定）" in out
    code, out = run(cli, "tickets", "advance", "1", "sendspec", "--as", "kikaku")
    assert code == 2
    assert ("「sendspec」という操作はありません。いまできる操作: request_kintone（Kintone依頼済み"
            "にする）、send_back（差し戻す）、cancel（取り消す）") in out


def test_readme_planner_jst_history_and_the_bot_sends(cli: CliRunner, tmp_path: Path) -> None:
    _filed(cli, tmp_path)
    # README: `renkei tickets advance 1 send_back --as kikaku --note "…"` on a fresh clone
    code, out = run(cli, "tickets", "advance", "1", "send_back", "--as", "kikaku",
                    "--note", "店舗CDが不足しています")
    assert code == 0, out
    assert "Slack と Kintone への送信は `renkei run` が行います" in out
    code, out = run(cli, "tickets", "show", "1")
    assert "2026-11-24 10:00 JST tanaka（営業） 依頼を登録" in out
    assert "kikaku（USEN企画） 差し戻す → 差し戻し — 店舗CDが不足しています" in out
    code, out = run(cli, "tickets", "list")
    assert "差し戻し" in out and "株式会社データ分析" in out


def test_cancel_asks_for_a_reason_kept_in_the_audit_trail(cli: CliRunner,
                                                          tmp_path: Path) -> None:
    _filed(cli, tmp_path)
    code, out = run(cli, "tickets", "advance", "1", "cancel", "--as", "tanaka",
                    input="お客様のご都合で見送り\n")
    assert code == 0, out
    assert "取り消しの理由" in out
    shown = json.loads(run(cli, "tickets", "show", "1", "--json")[1])
    assert shown["status"] == "cancelled"
    assert shown["events"][-1]["note"] == "お客様のご都合で見送り"


def test_a_typed_non_date_says_it_is_not_a_date(cli: CliRunner, tmp_path: Path) -> None:
    _filed(cli, tmp_path)
    for action, user in (("request_kintone", "tanaka"), ("send_spec", "kikaku"),
                         ("start_setup", "kikaku")):
        assert run(cli, "tickets", "advance", "1", action, "--as", user)[0] == 0
    answers = ["12345", "67890", "2026-12-07", "12月31日まで", "2027-11-30",
               "67891", "2026-12-07", "2027-11-30", "67892", "2026-12-07", "2027-11-30"]
    code, out = run(cli, "tickets", "advance", "1", "complete_setup", "--as", "kikaku",
                    input="\n".join(answers) + "\n")
    assert code == 0, out
    assert "連携終了日「12月31日まで」は日付ではありません（例: 2026-12-01）" in out
    assert "Invalid isoformat" not in out and "入力してください" not in out


def test_aborted_prompt_is_japanese(tmp_path: Path) -> None:
    done = _renkei(tmp_path, f"sqlite:///{tmp_path / 'x.db'}", "request", "new", stdin="")
    assert done.returncode == 1
    assert "入力を中止しました" in done.stderr and "Aborted" not in done.stderr


def _renkei(cwd: Path, url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url, "RENKEI_NOW": NOW.isoformat()}
    return subprocess.run([RENKEI, *args], cwd=cwd, env=env, input=stdin, capture_output=True,
                          text=True, timeout=60, check=False)


def test_unreachable_database_is_one_line_exit_3(tmp_path: Path) -> None:
    done = _renkei(tmp_path, "postgresql+psycopg://renkei@127.0.0.1:1/renkei", "tickets", "list")
    assert done.returncode == 3
    assert done.stderr.startswith("renkei: cannot reach the database at 127.0.0.1:1")
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


@pytest.fixture
def empty_pg() -> Iterator[str]:
    """A PostgreSQL database nobody ran `renkei db upgrade` on (its own, dropped after)."""
    from sqlalchemy import create_engine, text

    from tests.dbs import PG_ADMIN_URL, REQUIRE_PG, pg_unreachable_reason

    if reason := pg_unreachable_reason():
        if REQUIRE_PG:  # .ci/run requires PostgreSQL: a skip there would hide this test
            pytest.fail(f"RENKEI_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)
    name = f"renkei_empty_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_postgres_without_tables_says_to_upgrade(empty_pg: str, tmp_path: Path) -> None:
    done = _renkei(tmp_path, empty_pg, "tickets", "list")
    assert done.returncode == 3
    assert "has no renkei tables: run `renkei db upgrade`" in done.stderr
    assert "Traceback" not in done.stderr


def test_unwritable_sqlite_folder_names_the_path(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")  # a file where the database's folder should be: never writable
    done = _renkei(tmp_path, f"sqlite:///{blocker / 'renkei.db'}", "tickets", "list")
    assert done.returncode == 3
    assert f"cannot write the SQLite database {blocker / 'renkei.db'}" in done.stderr
    assert "Traceback" not in done.stderr
