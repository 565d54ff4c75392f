"""The 設定依頼書 as it comes back from the partner (seed 1-2 step 5): read, not yet checked.

Pure: bytes in (the .xlsx we sent with the partner's columns filled, the same table as CSV, or
a JSON object), rows out as `linkage.RawLink`s naming their row; or a ValidationFailed saying
why the file cannot be read. The rules (seed 2-2) are `workflow.linkage`'s, applied by
`linkage_record.preview_links`/`link_stores`; Slack, the CLI and a web page share both.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from workflow.errors import FieldError, ValidationFailed
from workflow.linkage import COLUMN_LABELS, RawLink
from workflow.spec_sheet import SHEET_NAME
from workflow.textfiles import Cell, cell_text, decode, extension, rows_of

FIELD = "linkage_file"  # the modal's file input and the CLI's --linkage
_COLUMNS = ("store_code", "makasete_company_code", "makasete_store_code", "start_date",
            "end_date")
_HEADER = {label: key for key, label in COLUMN_LABELS.items()}
FORMATS = ("xlsx", "csv", "json")


@dataclass(frozen=True)
class ReturnedSheet:
    """まかせてネット企業コード ('' when the file has none) and one row per store; `service`
    ("ex"/"net") when the file says, else None (the company keeps its own)."""

    makasete_company_code: str
    rows: list[RawLink]
    service: str | None = None


def _fail(message: str) -> ValidationFailed:
    return ValidationFailed([FieldError(FIELD, message)])


def _match_code(code: str, targets: Iterable[str]) -> str:
    """Excel turns 0001 into 1 when it re-saves a CSV: match such a code to the ticket's store
    when exactly one has the same number."""
    targets = list(targets)
    if code in targets or not code.isdecimal() or not code.isascii():
        return code
    same = [t for t in targets if t.lstrip("0") == code.lstrip("0")]
    return same[0] if len(same) == 1 else code


def _company_code(values: dict[str, str]) -> str:
    distinct = sorted(set(v for v in values.values() if v))
    if len(distinct) > 1:
        rows = "、".join(f"{where}: {code}" for where, code in values.items() if code)
        raise _fail(f"まかせてネット企業コードが行によって異なります（{rows}）")
    return distinct[0] if distinct else ""


def _table(rows: list[list[Cell]], targets: Iterable[str]) -> ReturnedSheet:
    header_at = next((i for i, row in enumerate(rows)
                      if {"店舗CD", "まかせてネット店舗コード"} <= {cell_text(c) for c in row}),
                     None)
    if header_at is None:
        raise _fail("店舗の表（見出し「店舗CD」「まかせてネット店舗コード」）が見つかりません")
    columns = {_HEADER[cell_text(c)]: i for i, c in enumerate(rows[header_at])
               if cell_text(c) in _HEADER}
    missing = [COLUMN_LABELS[k] for k in _COLUMNS if k not in columns and k in
               ("store_code", "makasete_store_code", "start_date", "end_date")]
    if missing:
        raise _fail(f"店舗の表に列がありません: {'、'.join(missing)}")
    companies: dict[str, str] = {}
    # Above the table: the company block's 「まかせてネット企業コード | value」 row, if any.
    for number, row in enumerate(rows[:header_at], start=1):
        if len(row) > 1 and cell_text(row[0]) == COLUMN_LABELS["makasete_company_code"]:
            companies[f"{number}行目"] = cell_text(row[1])
    found: list[RawLink] = []
    for number, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        def cell(key: str, row: list[Cell] = row) -> Cell:
            i = columns.get(key)
            return row[i] if i is not None and i < len(row) else None
        if not any(cell_text(c) for c in row):
            if found:
                break  # the table ends at its first blank row (the change's items follow)
            continue
        where = f"{number}行目"
        code = _match_code(cell_text(cell("store_code")), targets)
        companies[where] = cell_text(cell("makasete_company_code"))
        start, end = cell("start_date"), cell("end_date")
        found.append(RawLink(code, cell_text(cell("makasete_store_code")),
                             start if not isinstance(start, (int, float)) else cell_text(start),
                             end if not isinstance(end, (int, float)) else cell_text(end),
                             where=where))
    if not found:
        raise _fail("店舗の行がありません")
    return ReturnedSheet(_company_code(companies), found)


def _json(data: bytes, targets: Iterable[str]) -> ReturnedSheet:
    text = decode(data, field=FIELD, label="JSONファイル")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(f"JSONの形式が正しくありません（{exc.lineno}行{exc.colno}列目）") from None
    if not isinstance(value, Mapping):
        raise _fail("JSONはオブジェクト {\"makasete_company_code\": …, \"stores\": […]} "
                    "で指定してください")
    stores = value.get("stores")
    if not isinstance(stores, list) or not all(isinstance(s, Mapping) for s in stores):
        raise _fail("stores は店舗ごとのオブジェクトの配列で指定してください")
    rows = [RawLink(_match_code(cell_text(s.get("store_code")), targets),
                    cell_text(s.get("makasete_store_code")), s.get("start_date"),
                    s.get("end_date"), where=f"{i}件目")
            for i, s in enumerate(stores, start=1)]
    if not rows:
        raise _fail("店舗の行がありません")
    service = cell_text(value.get("service")) or None
    return ReturnedSheet(cell_text(value.get("makasete_company_code")), rows, service)


def read_returned(data: bytes, filename: str, *, targets: Iterable[str] = ()) -> ReturnedSheet:
    """A returned 設定依頼書 (.xlsx, .csv) or a JSON linkage file, by its extension.

    `targets` (the ticket's 店舗CD) lets a code Excel stripped of its zeros find its store."""
    ext = extension(filename)
    if ext not in FORMATS and ext != "txt":
        raise _fail("設定依頼書は .xlsx、.csv または .json のファイルでお送りください")
    if not data:
        raise _fail("ファイルが空です")
    if ext == "json":
        return _json(data, targets)
    return _table(rows_of(data, filename, field=FIELD, sheet=SHEET_NAME), targets)
