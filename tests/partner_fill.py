"""The partner's side of the 設定依頼書: open the .xlsx we sent with openpyxl and fill the
yellow columns, as ジャストプランニング does in Excel."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date

from openpyxl import load_workbook

from workflow.spec_sheet import SHEET_NAME

Fill = tuple[str | int, date | str, date | str]  # まかせてネット店舗コード, 開始日, 終了日


def fill_xlsx(sheet: bytes, company: str | int, rows: Mapping[str, Fill], *,
              every_row_company: bool = False) -> bytes:
    """The sheet with まかせてネット企業コード (first row only unless `every_row_company`) and
    each store's code and dates filled in; dates may be date cells or text."""
    wb = load_workbook(io.BytesIO(sheet))
    ws = wb[SHEET_NAME]
    header = next(r for r in ws.iter_rows() if r[0].value == "店舗CD")
    col = {c.value: c.column for c in header}
    first = True
    for row in ws.iter_rows(min_row=header[0].row + 1):
        code = row[0].value
        if code not in rows:
            continue
        mk, start, end = rows[str(code)]
        r = row[0].row
        if first or every_row_company:
            ws.cell(r, col["まかせてネット企業コード"], company)
            first = False
        ws.cell(r, col["まかせてネット店舗コード"], mk)
        ws.cell(r, col["連携開始日"], start)
        ws.cell(r, col["連携終了日"], end)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
