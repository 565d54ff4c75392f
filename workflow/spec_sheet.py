"""The 設定依頼書 (seed 1-2 step 3): the setup order USEN企画 sends to the partner.

Pure functions: `SpecSheetData` in (built from the database by `workflow.partner.spec_sheet_data`),
an .xlsx workbook or a CSV out. The partner (ジャストプランニング) keys the stores into
まかせてネットEX from it, so every target store is listed with its USEN 店舗CD and, where
already known, its まかせてネット codes and dates. The partner fills the yellow columns
(まかせてネット企業コード, 店舗コード, 連携開始日, 連携終了日) and sends the file back;
`workflow.linkage_sheet` reads it and 設定完了 records it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from workflow.labels import document_label

SHEET_NAME = "設定依頼書"
TITLE = "まかせてネットEX 連携設定依頼書"
# 設定変更 sends 設定情報 at step 3 (seed 1-3 「設定情報送付」), not a 設定依頼書.
SHEET_NAMES = {"new": SHEET_NAME, "change": document_label("change")}
TITLES = {"new": TITLE, "change": "まかせてネットEX 設定情報（設定変更）"}
STORE_HEADERS = ("店舗CD", "店舗名", "まかせてネット企業コード", "まかせてネット店舗コード",
                 "連携開始日", "連携終了日")
FILL_COLUMNS = STORE_HEADERS[2:]  # what the partner fills in and returns
FILL_NOTE = ("黄色の列（まかせてネット企業コード・まかせてネット店舗コード・連携開始日・"
             "連携終了日）をご記入のうえ、このファイルをご返送ください（日付は YYYY/MM/DD）。")
ADDITION_LABELS: dict[str, str] = {
    "payment_items": "追加した支払科目",
    "discounts": "追加した値割引",
    "customer_segments": "追加した客層",
}
CSV_HEADERS = ("依頼番号", "依頼種別", "企業CD", "顧客CD", "企業名", "希望日", *STORE_HEADERS,
               *ADDITION_LABELS.values())
_BOLD = Font(bold=True)
_TITLE_FONT = Font(bold=True, size=14)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_FILL_HERE = PatternFill("solid", fgColor="FFF2CC")
_COLUMN_WIDTHS = (16, 36, 24, 24, 14, 14)


@dataclass(frozen=True)
class SpecStoreRow:
    """One target store: USEN 店舗CD and 店舗名, with まかせてネット values where known."""

    code: str
    name: str
    makasete_store_code: str | None = None
    start_date: date | None = None
    end_date: date | None = None


@dataclass(frozen=True)
class SpecSheetData:
    """Everything the 設定依頼書 shows for one ticket."""

    ticket_id: int
    kind: str  # new | change
    kind_label: str  # 新規・増店 | 設定変更
    company_code: str
    customer_code: str
    company_name: str
    makasete_company_code: str | None
    date_label: str  # 連携開始希望日 | 設定変更日
    desired_date: date
    issued_on: date  # 依頼日: the day planning sends the order
    stores: tuple[SpecStoreRow, ...]
    additions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    remarks: str = ""


def _ymd(d: date | None) -> str:
    return d.strftime("%Y/%m/%d") if d else ""


def spec_filename(data: SpecSheetData, ext: str = "xlsx") -> str:
    """The file name the partner sees, e.g. 設定依頼書_67890_依頼12.xlsx (設定情報_… for a
    設定変更). No `#`: shells, URLs and some mail clients treat it as a comment or fragment."""
    return f"{document_label(data.kind)}_{data.company_code}_依頼{data.ticket_id}.{ext}"


def company_block(data: SpecSheetData) -> list[tuple[str, str]]:
    """The label/value rows above the store table, in the order the partner reads them."""
    rows = [("企業名", data.company_name), ("企業CD", data.company_code),
            ("顧客CD", data.customer_code)]
    if data.makasete_company_code:
        rows.append(("まかせてネット企業コード", data.makasete_company_code))
    rows += [("依頼種別", data.kind_label), (data.date_label, _ymd(data.desired_date)),
             ("依頼日", _ymd(data.issued_on)), ("依頼番号", f"#{data.ticket_id}")]
    return rows


def _header_row(ws: Worksheet, row: int, headers: tuple[str, ...]) -> None:
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=col, value=text)
        cell.font = _BOLD
        cell.fill = _FILL_HERE if text in FILL_COLUMNS else _HEADER_FILL


def build_xlsx(data: SpecSheetData) -> bytes:
    """The 設定依頼書 as an .xlsx workbook (one sheet named 設定依頼書; 設定情報 for a change)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new Workbook always has one sheet
    ws.title = SHEET_NAMES.get(data.kind, SHEET_NAME)
    ws.cell(row=1, column=1, value=TITLES.get(data.kind, TITLE)).font = _TITLE_FONT
    row = 3
    for label, value in company_block(data):
        ws.cell(row=row, column=1, value=label).font = _BOLD
        ws.cell(row=row, column=2, value=value)
        row += 1

    row += 1
    ws.cell(row=row, column=1, value="対象店舗").font = _BOLD
    ws.cell(row=row, column=2, value=FILL_NOTE)
    row += 1
    _header_row(ws, row, STORE_HEADERS)
    for store in data.stores:
        row += 1
        values = (store.code, store.name, data.makasete_company_code or "",
                  store.makasete_store_code or "", _ymd(store.start_date), _ymd(store.end_date))
        for col, value in enumerate(values, start=1):
            # Codes and dates stay text: 0001 must not become the number 1.
            cell = ws.cell(row=row, column=col, value=value)
            cell.number_format = "@"
            if col > 2:
                cell.fill = _FILL_HERE

    if data.kind == "change":
        row += 2
        ws.cell(row=row, column=1, value="設定変更の内容（追加された項目）").font = _BOLD
        row += 1
        _header_row(ws, row, ("項目", "追加された内容"))
        for key, label in ADDITION_LABELS.items():
            row += 1
            ws.cell(row=row, column=1, value=label)
            ws.cell(row=row, column=2, value="、".join(data.additions.get(key, ())))
    if data.remarks:
        row += 2
        ws.cell(row=row, column=1, value="備考").font = _BOLD
        cell = ws.cell(row=row, column=2, value=data.remarks)
        cell.alignment = Alignment(wrap_text=True, vertical="top")

    for index, width in enumerate(_COLUMN_WIDTHS):
        ws.column_dimensions[chr(ord("A") + index)].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def build_csv(data: SpecSheetData) -> bytes:
    """The store table as CSV: one row per store, company columns (and, for a change, the
    added items) repeated on each row.

    UTF-8 with a BOM so Excel on Japanese Windows opens it without mojibake; CRLF line ends.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    for store in data.stores:
        writer.writerow((f"#{data.ticket_id}", data.kind_label, data.company_code,
                         data.customer_code, data.company_name, _ymd(data.desired_date),
                         store.code, store.name, data.makasete_company_code or "",
                         store.makasete_store_code or "",
                         _ymd(store.start_date), _ymd(store.end_date),
                         *("、".join(data.additions.get(key, ())) for key in ADDITION_LABELS)))
    return out.getvalue().encode("utf-8-sig")
