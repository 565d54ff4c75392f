"""Stores in from a file and from several inputs: every line checked, errors naming it."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook

from workflow.calendar import BusinessCalendar, LeadTimeRules
from workflow.errors import ValidationFailed
from workflow.forms import StoreEntry, StoreSource, parse_request
from workflow.store_file import read_store_file

TODAY = date(2026, 11, 24)


def _parse(sources: list[StoreSource]) -> list[tuple[str, str]]:
    form = parse_request("new", {"customer_code": "1", "company_code": "67890",
                                 "company_name": "株式会社データ分析", "stores": sources,
                                 "desired_date": "2026-12-07"},
                         today=TODAY, calendar=BusinessCalendar(),
                         rules=LeadTimeRules(threshold=10, lead_days=3, lead_days_many=5))
    return [(s.code, s.name) for s in form.stores]


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_txt_csv_and_xlsx_in_the_admin_formats_and_encodings() -> None:
    lines = "0001:居酒屋データ分析 目黒本店\n0002:データ分析カフェ 目黒川店\n"
    assert read_store_file(lines.encode("utf-8-sig"), "stores.txt").splitlines() == \
        lines.splitlines()
    csv_cp932 = ("店舗CD,店舗名\r\n0001,居酒屋データ分析 目黒本店\r\n"
                 "0002,データ分析カフェ 目黒川店\r\n")
    text = read_store_file(csv_cp932.encode("cp932"), "stores.CSV")
    assert text.splitlines() == ["", *lines.splitlines()]  # the header row keeps its line
    # Excel turned the codes into numbers; the admin screen's codes have four digits
    xlsx = _xlsx([["店舗CD", "店舗名"], [1, "居酒屋データ分析 目黒本店"],
                  ["0002", "データ分析カフェ 目黒川店"], [], ["0003:札幌店"]])
    assert read_store_file(xlsx, "stores.xlsx").splitlines() == [
        "", "0001:居酒屋データ分析 目黒本店", "0002:データ分析カフェ 目黒川店", "", "0003:札幌店"]


def test_errors_name_the_input_and_its_line() -> None:
    file_text = read_store_file("0001:目黒本店\n0002\nx:店\n".encode(), "s.txt")
    with pytest.raises(ValidationFailed) as err:
        _parse([StoreSource("stores", "", "0004:金町駅前店"),
                StoreSource("stores_2", "対象店舗（2欄目）", "0005:渋谷店\n\n0004:金町"),
                StoreSource("stores_file", "ファイル", file_text)])
    assert [(e.field, e.message) for e in err.value.errors] == [
        ("stores_2", "対象店舗（2欄目） 3行目: 店舗CD 0004 が1行目と重複しています"),
        ("stores_file", "ファイル 2行目: 店舗名を入力してください（例: 0001:目黒本店）"),
        ("stores_file", "ファイル 3行目: 店舗CDは半角数字で入力してください（例: 0001）"),
    ]


def test_sources_combine_and_registered_stores_fill_in() -> None:
    registered = (StoreEntry(code="0001", name="旧名 目黒本店"),
                  StoreEntry(code="0003", name="札幌店"))
    stores = _parse([StoreSource("stores", "", "0001:目黒本店"),
                     StoreSource("stores_2", "対象店舗（2欄目）", ""),
                     StoreSource("stores_all", "この企業の登録済み店舗をすべて",
                                 entries=registered)])
    assert stores == [("0001", "目黒本店"), ("0003", "札幌店")]  # the typed name wins
    with pytest.raises(ValidationFailed) as err:
        _parse([StoreSource("stores", "", ""),
                StoreSource("stores_file", problem="ファイルの文字コードを読めません")])
    # the file's problem, not also "enter stores": what it holds is unknown
    assert [(e.field, e.message) for e in err.value.errors] == [
        ("stores_file", "ファイルの文字コードを読めません")]


def test_300_stores_over_inputs_and_301_refused() -> None:
    lines = [f"{n:04d}:{'店' * 20}{n}" for n in range(1, 302)]
    sources = [StoreSource("stores", "", "\n".join(lines[:100])),
               StoreSource("stores_2", "2", "\n".join(lines[100:200])),
               StoreSource("stores_file", "ファイル", "\n".join(lines[200:300]))]
    assert len(_parse(sources)) == 300
    sources.append(StoreSource("stores_3", "3", lines[300]))
    with pytest.raises(ValidationFailed, match="300店舗以内で入力してください（現在301店舗）"):
        _parse(sources)
