"""A store list as a file (the intake modal's upload, seed 1-4 注意事項①: every store).

Pure: bytes in, the lines `parse_stores` reads out, one per row of the file so a message can
name the file's own line (「ファイル 45行目: …」). Accepts what the USEN admin screen and Excel
give: .txt with `0001:店名` lines, .csv or .xlsx with two columns (店舗CD, 店舗名) or one column
of `0001:店名`; UTF-8 with or without BOM, or Shift_JIS/CP932.
"""

from __future__ import annotations

import re

from workflow.errors import FieldError, ValidationFailed
from workflow.textfiles import Cell, cell_text, decode, extension, rows_of

FIELD = "stores_file"
FORMATS = ("csv", "xlsx", "txt")


def _code(value: Cell) -> str:
    # A 店舗CD typed into an Excel cell becomes the number 1; the admin screen shows 0001.
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return str(int(value)).zfill(4)
    return cell_text(value)


def _line(row: list[Cell]) -> str:
    cells = [c for c in row if cell_text(c)]
    if not cells:
        return ""
    if len(cells) == 1:
        return _code(cells[0]) if not isinstance(cells[0], str) else cell_text(cells[0])
    return f"{_code(cells[0])}:{cell_text(cells[1])}"


def _is_header(line: str) -> bool:
    return bool(line) and not re.match(r"[0-9０-９]", line) and "店舗" in line


def read_store_file(data: bytes, filename: str) -> str:
    """The stores of a .txt, .csv or .xlsx file as `0001:店名` lines (a header row, such as
    「店舗CD,店舗名」, becomes a blank line so line numbers stay the file's)."""
    ext = extension(filename)
    if ext not in FORMATS:
        raise ValidationFailed([FieldError(
            FIELD, "店舗のファイルは .csv、.xlsx または .txt でお送りください")])
    if ext == "txt":
        return decode(data, field=FIELD)
    lines = [_line(row) for row in rows_of(data, filename, field=FIELD)]
    if lines and _is_header(lines[0]):
        lines[0] = ""
    return "\n".join(lines)
