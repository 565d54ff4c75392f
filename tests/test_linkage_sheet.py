"""The returned 設定依頼書 (and the CLI's --linkage files): read with openpyxl or csv, checked
with the seed's section 2 rules, every problem at once naming row, store and column."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.partner_fill import fill_xlsx
from workflow import linkage
from workflow.errors import ValidationFailed
from workflow.linkage_sheet import ReturnedSheet, read_returned
from workflow.spec_sheet import SpecSheetData, SpecStoreRow, build_csv, build_xlsx

TODAY = date(2026, 11, 24)
TARGETS = {"0001": "目黒本店", "0002": "目黒川店", "0003": "札幌店"}


def _sheet(makasete_company_code: str | None = None) -> SpecSheetData:
    return SpecSheetData(
        ticket_id=7, kind="new", kind_label="新規・増店", company_code="67890",
        customer_code="123456", company_name="株式会社データ分析",
        makasete_company_code=makasete_company_code, date_label="連携開始希望日",
        desired_date=date(2026, 12, 7), issued_on=TODAY,
        stores=tuple(SpecStoreRow(code, name) for code, name in TARGETS.items()))


def _check(sheet: ReturnedSheet) -> list[str]:
    _, issues = linkage.read_links(sheet.rows, today=TODAY, targets=TARGETS,
                                   require_all=True)
    return [i.text() for i in issues]





def test_a_filled_xlsx_reads_back_with_date_cells_and_text_dates() -> None:
    filled = fill_xlsx(build_xlsx(_sheet()), "１２３４５", {
        "0001": ("67890", date(2026, 12, 7), date(2027, 11, 30)),
        "0002": (67891, "2026/12/07", "2027/11/30"),  # a number cell, text dates
        "0003": ("６７８９２", "2026-12-08", "2027年11月30日"),
    })
    sheet = read_returned(filled, "設定依頼書_67890_依頼7.xlsx", targets=TARGETS)
    assert sheet.makasete_company_code == "12345"
    links, issues = linkage.read_links(sheet.rows, today=TODAY, targets=TARGETS,
                                       require_all=True)
    assert issues == []
    assert [(lk.store_code, lk.makasete_store_code, lk.start_date, lk.end_date, lk.name)
            for lk in links] == [
        ("0001", "67890", date(2026, 12, 7), date(2027, 11, 30), "目黒本店"),
        ("0002", "67891", date(2026, 12, 7), date(2027, 11, 30), "目黒川店"),
        ("0003", "67892", date(2026, 12, 8), date(2027, 11, 30), "札幌店")]


def test_every_problem_at_once_naming_row_store_and_column() -> None:
    filled = fill_xlsx(build_xlsx(_sheet()), "12345", {
        "0001": ("abc", date(2026, 11, 1), "いつか"),
        "0002": ("67890", "2026/12/07", "2026/12/01"),
        "0003": ("67890", "2026/12/07", "2027/11/30"),
    })
    sheet = read_returned(filled, "x.xlsx", targets=TARGETS)
    rows = {r.store_code: r.where for r in sheet.rows}
    assert rows == {"0001": "13行目", "0002": "14行目", "0003": "15行目"}  # Excel's rows
    assert _check(sheet) == [
        "13行目 店舗0001 連携終了日: 連携終了日を日付で入力してください"
        "（例: 2026-12-01、2026/12/01）",
        "13行目 店舗0001 まかせてネット店舗コード: まかせてネット店舗コードは半角数字1〜6桁で"
        "入力してください（例: 67890）",
        "13行目 店舗0001 連携開始日: 連携開始日は本日以降の日付を選択してください",
        "14行目 店舗0002 連携終了日: 連携終了日は連携開始日以降の日付を選択してください",
        "15行目 店舗0003 まかせてネット店舗コード: まかせてネット店舗コード 67890 は店舗0002と"
        "重複しています（まかせてネット企業コードごとに一意です）",
    ]


def test_rows_for_other_stores_0000_and_missing_stores_are_refused() -> None:
    text = ("店舗CD,店舗名,まかせてネット店舗コード,連携開始日,連携終了日\r\n"
            "0000,企業管理店舗,1,2026/12/07,2027/11/30\r\n"
            "0009,よその店,2,2026/12/07,2027/11/30\r\n"
            "0001,目黒本店,3,2026/12/07,2027/11/30\r\n"
            "0001,目黒本店,4,2026/12/07,2027/11/30\r\n")
    sheet = read_returned(text.encode(), "returned.csv", targets=TARGETS)
    problems = _check(sheet)
    assert problems[0].startswith("2行目 店舗0000 店舗CD: 0000:企業管理店舗は企業の管理用")
    assert problems[1] == "3行目 店舗0009 店舗CD: 店舗CD 0009 はこの依頼の対象店舗ではありません"
    assert problems[2] == "5行目 店舗0001 店舗CD: 店舗CD 0001 が重複しています（4行目）"
    assert problems[3] == "次の店舗の連携設定がありません: 0002、0003"


def test_cp932_csv_as_excel_saves_it_with_stripped_zeros() -> None:
    csv_text = build_csv(_sheet()).decode("utf-8-sig").splitlines()
    header = csv_text[0].split(",")
    lines = [",".join(header)]
    for i, line in enumerate(csv_text[1:]):
        cells = line.split(",")
        cells[header.index("店舗CD")] = cells[header.index("店舗CD")].lstrip("0")  # Excel: 1
        cells[header.index("まかせてネット企業コード")] = "12345"
        cells[header.index("まかせてネット店舗コード")] = f"6789{i}"
        cells[header.index("連携開始日")] = "2026/12/07"
        cells[header.index("連携終了日")] = "2027/11/30"
        lines.append(",".join(cells))
    data = "\r\n".join(lines).encode("cp932")  # Shift_JIS: what Excel on Japanese Windows writes
    sheet = read_returned(data, "設定依頼書.csv", targets=TARGETS)
    assert sheet.makasete_company_code == "12345"
    assert [r.store_code for r in sheet.rows] == ["0001", "0002", "0003"]
    assert _check(sheet) == []


def test_bom_csv_as_we_send_it_and_different_company_codes() -> None:
    data = build_csv(_sheet("12345"))
    assert data.startswith(b"\xef\xbb\xbf")
    sheet = read_returned(data, "s.csv", targets=TARGETS)
    assert sheet.makasete_company_code == "12345" and len(sheet.rows) == 3
    lines = data.decode("utf-8-sig").splitlines()
    lines[2] = lines[2].replace(",12345,", ",54321,")
    with pytest.raises(ValidationFailed, match="行によって異なります（2行目: 12345、3行目: 54321"):
        read_returned("\n".join(lines).encode(), "s.csv", targets=TARGETS)


def test_json_linkage_files() -> None:
    body = {"makasete_company_code": 12345, "stores": [
        {"store_code": code, "店舗名": name, "makasete_store_code": f"6789{i}",
         "start_date": "2026-12-07", "end_date": "2027-11-30"}
        for i, (code, name) in enumerate(TARGETS.items())]}
    for encoding in ("utf-8", "utf-8-sig", "cp932"):
        sheet = read_returned(json.dumps(body, ensure_ascii=False).encode(encoding), "l.json")
        assert sheet.makasete_company_code == "12345"
        assert [r.where for r in sheet.rows] == ["1件目", "2件目", "3件目"]
        assert _check(sheet) == []
    with pytest.raises(ValidationFailed, match=r"JSONの形式が正しくありません（2行14列目）"):
        read_returned(b'{\n  "stores": [,]}', "l.json")
    with pytest.raises(ValidationFailed, match="オブジェクト"):
        read_returned(b"[]", "l.json")


def test_files_that_are_not_sheets() -> None:
    for data, name, message in [
            (b"PK\x03\x04 broken", "x.xlsx", "Excelファイル（.xlsx）として読めません"),
            (b"\xff\xfe\x00\x00\x81", "x.csv", "文字コードを読めません"),
            (b"a,b\n1,2\n", "x.csv", "見出し「店舗CD」「まかせてネット店舗コード」"),
            (b"data", "x.pdf", ".xlsx、.csv または .json"),
            (b"", "x.csv", "ファイルが空です")]:
        with pytest.raises(ValidationFailed) as err:
            read_returned(data, name)
        assert message in err.value.errors[0].message
        assert err.value.errors[0].field == "linkage_file"
