"""`renkei tickets advance ID complete_setup --linkage FILE` with the returned 設定依頼書."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from bot import context
from tests.factories import new_raw
from tests.partner_fill import fill_xlsx
from tests.test_cli import cli, run
from workflow.partner import spec_sheet_data
from workflow.spec_sheet import build_xlsx

__all__ = ["cli"]  # fixture

START, END = "2030-01-07", "2030-12-27"  # far enough from the real clock this CLI runs on


def _to_setup(cli: CliRunner, tmp_path: Path) -> None:
    form = tmp_path / "form.json"
    form.write_text(json.dumps(new_raw(desired_date="2030-01-07")), encoding="utf-8")
    assert run(cli, "request", "new", "--json", str(form))[0] == 0
    for action in ("request_kintone", "send_spec", "start_setup"):
        code, out = run(cli, "tickets", "advance", "1", action, "--as", "kikaku")
        assert code == 0, out


def test_linkage_from_the_returned_xlsx(cli: CliRunner, tmp_path: Path) -> None:
    _to_setup(cli, tmp_path)
    sent = build_xlsx(spec_sheet_data(context.default().workflow, 1))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(fill_xlsx(sent, "12345", {"0001": ("67890", START, END),
                                              "0002": ("67890", "2020/01/01", END)}))
    code, out = run(cli, "tickets", "advance", "1", "complete_setup", "--as", "kikaku",
                    "--linkage", str(bad))
    assert code == 2
    assert "14行目 店舗0002 まかせてネット店舗コード: まかせてネット店舗コード 67890 は店舗0001と" \
        in out
    assert "14行目 店舗0002 連携開始日: 連携開始日は本日以降の日付を選択してください" in out
    # the partner left 0003's row blank: each column is named
    assert ("✗ 15行目 店舗0003 まかせてネット店舗コード: "
            "まかせてネット店舗コードを入力してください") in out
    good = tmp_path / "設定依頼書.xlsx"
    good.write_bytes(fill_xlsx(sent, "12345", {c: (f"6789{i}", date(2030, 1, 7), END)
                                               for i, c in enumerate(("0001", "0002", "0003"))}))
    code, out = run(cli, "tickets", "advance", "1", "complete_setup", "--as", "kikaku",
                    "--linkage", str(good))
    assert code == 0, out
    rows = json.loads(run(cli, "stores", "list", "--json")[1])
    assert [(r["store_code"], r["makasete_store_code"], r["state"]) for r in rows][1:] == [
        ("0001", "67890", "連携済"), ("0002", "67891", "連携済"), ("0003", "67892", "連携済")]


def test_linkage_files_that_cannot_be_read(cli: CliRunner, tmp_path: Path) -> None:
    _to_setup(cli, tmp_path)
    for path, message in [(tmp_path / "none.json", "ファイルがありません"),
                          (tmp_path, "フォルダです")]:
        code, out = run(cli, "tickets", "advance", "1", "complete_setup", "--as", "kikaku",
                        "--linkage", str(path))
        assert code == 2 and message in out and "Traceback" not in out
    array = tmp_path / "links.json"
    array.write_text("[]", encoding="utf-8")
    code, out = run(cli, "tickets", "advance", "1", "complete_setup", "--as", "kikaku",
                    "--linkage", str(array))
    assert code == 2 and "JSONはオブジェクト" in out
