"""The 設定依頼書: the .xlsx opened with openpyxl and its cells read back; the CSV decoded."""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import load_workbook

from workflow.spec_sheet import (
    CSV_HEADERS,
    SHEET_NAME,
    STORE_HEADERS,
    SpecSheetData,
    SpecStoreRow,
    build_csv,
    build_xlsx,
    spec_filename,
)

STORES = (
    SpecStoreRow("0001", "居酒屋データ分析 目黒本店", "67890", date(2026, 12, 7),
                 date(2027, 12, 6)),
    SpecStoreRow("0002", "データ分析カフェ 目黒川店"),
)


def _data(kind: str = "new", **overrides: object) -> SpecSheetData:
    values: dict[str, object] = dict(
        ticket_id=12, kind=kind, kind_label="新規・増店" if kind == "new" else "設定変更",
        company_code="67890", customer_code="123456", company_name="株式会社データ分析",
        makasete_company_code=None,
        date_label="連携開始希望日" if kind == "new" else "設定変更日",
        desired_date=date(2026, 12, 7), issued_on=date(2026, 11, 24), stores=STORES)
    values.update(overrides)
    return SpecSheetData(**values)  # type: ignore[arg-type]


def _cells(content: bytes, sheet: str = SHEET_NAME) -> list[list[object]]:
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames == [sheet]
    ws = wb[sheet]
    return [[c.value for c in row] for row in ws.iter_rows()]


def _block(rows: list[list[object]]) -> dict[object, object]:
    return {row[0]: row[1] for row in rows[2:12] if row[0]}


def test_xlsx_has_company_block_and_every_store() -> None:
    rows = _cells(build_xlsx(_data()))
    assert rows[0][0] == "まかせてネットEX 連携設定依頼書"
    block = _block(rows)
    assert block["企業名"] == "株式会社データ分析"
    assert block["企業CD"] == "67890"
    assert block["顧客CD"] == "123456"
    assert block["依頼種別"] == "新規・増店"
    assert block["連携開始希望日"] == "2026/12/07"
    assert block["依頼日"] == "2026/11/24"
    assert "まかせてネット企業コード" not in block  # unknown yet: not shown
    header = rows.index([*STORE_HEADERS])
    assert rows[header + 1] == ["0001", "居酒屋データ分析 目黒本店", None, "67890", "2026/12/07",
                                "2027/12/06"]
    assert rows[header + 2][:2] == ["0002", "データ分析カフェ 目黒川店"]
    assert rows[header + 2][2:] in (["", "", "", ""], [None, None, None, None])
    assert "ご返送ください" in str(rows[header - 1][1])  # what the partner is asked to fill
    assert not any("追加した支払科目" in str(r[0]) for r in rows)  # no change table for new


def test_xlsx_styles_header_bold_and_widths() -> None:
    wb = load_workbook(io.BytesIO(build_xlsx(_data())))
    ws = wb[SHEET_NAME]
    header_row = next(r for r in ws.iter_rows() if r[0].value == "店舗CD")
    assert all(c.font.bold for c in header_row[:5])
    assert ws.column_dimensions["B"].width >= 30
    # the code stays text: 0001, not the number 1
    assert header_row[0].offset(row=1).value == "0001"


def test_xlsx_for_change_lists_additions_and_company_code() -> None:
    data = _data("change", makasete_company_code="12345",
                 additions={"payment_items": ("PayPay", "楽天ペイ"), "discounts": ("学割10%引",),
                            "customer_segments": ()},
                 remarks="3店舗とも同じ設定です")
    rows = _cells(build_xlsx(data), "設定情報")  # seed 1-3: 設定情報送付, not 設定依頼書
    assert rows[0][0] == "まかせてネットEX 設定情報（設定変更）"
    block = _block(rows)
    assert block["まかせてネット企業コード"] == "12345"
    assert block["設定変更日"] == "2026/12/07"
    table = {r[0]: r[1] for r in rows if r[0] in ("追加した支払科目", "追加した値割引",
                                                  "追加した客層")}
    assert table["追加した支払科目"] == "PayPay、楽天ペイ"
    assert table["追加した値割引"] == "学割10%引"
    assert table["追加した客層"] in ("", None)
    assert rows[-1][:2] == ["備考", "3店舗とも同じ設定です"]


def test_csv_is_utf8_bom_one_row_per_store() -> None:
    content = build_csv(_data("change", additions={"payment_items": ("PayPay",)}))
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows[0] == list(CSV_HEADERS)
    assert len(rows) == 1 + len(STORES)
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["企業名"] == "株式会社データ分析"
    assert first["店舗CD"] == "0001"
    assert first["まかせてネット店舗コード"] == "67890"
    assert first["連携開始日"] == "2026/12/07"
    assert first["追加した支払科目"] == "PayPay"
    second = dict(zip(rows[0], rows[2], strict=True))
    assert second["企業CD"] == "67890"  # company columns repeated on every row
    assert second["まかせてネット店舗コード"] == ""


def test_file_names() -> None:
    assert spec_filename(_data()) == "設定依頼書_67890_依頼12.xlsx"
    assert spec_filename(_data(), "csv") == "設定依頼書_67890_依頼12.csv"
    assert spec_filename(_data("change")) == "設定情報_67890_依頼12.xlsx"
    assert "#" not in spec_filename(_data("change"), "csv")
