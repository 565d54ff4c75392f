"""Files people hand us (a returned 設定依頼書, a store list, a --linkage file): bytes → text or
cells, whatever Excel or Notepad on Japanese Windows wrote."""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date, datetime

from openpyxl import load_workbook

from workflow.errors import FieldError, ValidationFailed

Cell = str | int | float | date | datetime | None
ENCODINGS = ("utf-8-sig", "cp932")  # UTF-8 with or without BOM, then Shift_JIS (CP932)


def decode(data: bytes, *, field: str, label: str = "ファイル") -> str:
    """UTF-8 (BOM or not) or Shift_JIS/CP932 text; a clear error for anything else."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed([FieldError(
        field, f"{label}の文字コードを読めません（UTF-8 または Shift_JIS で保存してください）")])


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def rows_of(data: bytes, filename: str, *, field: str, sheet: str | None = None
            ) -> list[list[Cell]]:
    """The rows of an .xlsx (the sheet named `sheet`, else the first) or a .csv/.txt file.
    Row i of the result is line/row i+1 of the file, so messages can name it."""
    if extension(filename) == "xlsx":
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many types for a file that is not a workbook
            raise ValidationFailed([FieldError(
                field, "Excelファイル（.xlsx）として読めません")]) from None
        ws = wb[sheet] if sheet and sheet in wb.sheetnames else wb.worksheets[0]
        rows = [list(row) for row in ws.iter_rows(values_only=True)]
        wb.close()
        return rows
    text = decode(data, field=field)
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]


def cell_text(value: Cell) -> str:
    """A cell as text: NFKC, stripped; whole numbers without '.0' (Excel stores codes so)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return unicodedata.normalize("NFKC", str(value)).strip()
