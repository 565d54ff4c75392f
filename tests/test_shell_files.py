"""The terminal answers a modal's file input with `:file PATH`: a store list on filing, the
returned 設定依頼書 on 設定完了 (with its preview confirmed by y)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.dbs import Database
from tests.partner_fill import fill_xlsx
from tests.test_shell import _shell

pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def test_stores_and_the_returned_sheet_from_files(database: Database, tmp_path: Path) -> None:
    stores = tmp_path / "店舗一覧.csv"
    stores.write_bytes("店舗CD,店舗名\r\n0001,目黒本店\r\n0002,目黒川店\r\n".encode("cp932"))
    first = ["/renkei new", "123456", "67890", "株式会社データ分析",
             f":file {stores}", "",  # the file; no typed stores
             "",  # 登録済み店舗をすべて: no
             "2026-12-07", "", "", "",
             "1", ":as kikaku", "1", "1", ":quit"]  # Kintone依頼, 設定依頼書送付, 連携設定
    shell, out = _shell(database, first, files=tmp_path)
    shell.run()
    ticket = shell.handlers.wf.get(1)
    assert [(s.code, s.name) for s in ticket.stores] == [("0001", "目黒本店"),
                                                         ("0002", "目黒川店")]
    assert ticket.status == "partner_setup"

    sent = (tmp_path / "設定依頼書_67890_依頼1.xlsx").read_bytes()
    returned = tmp_path / "返送.xlsx"
    returned.write_bytes(fill_xlsx(sent, "12345", {
        "0001": ("67890", date(2026, 12, 7), date(2027, 11, 30)),
        "0002": ("67891", "2026/12/07", "2027/11/30")}))
    second = [":as kikaku", "/renkei show 1", "1",  # 設定完了を記録
              f":file {tmp_path / 'none.xlsx'}", "", "", "", "", "", "", "", "",  # a wrong path
              f":file {returned}", "y", ":quit"]
    shell, out = _shell(database, second, files=tmp_path)
    shell.run()
    text = out.getvalue()
    assert "ファイルがありません" in text
    assert "店舗 2件（新規 2・変更 0・変更なし 0）" in text
    assert shell.handlers.wf.get(1).status == "setup_completed"
