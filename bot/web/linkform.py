"""The partner's 設定完了連絡 as data: the seed's 2-2 screen posted as a form, or the filled
設定依頼書 (.xlsx), turned into store links and checked with workflow.linkage's rules.

`check` is the one function the page calls for validation, so a unified linkage parser in
workflow can replace it without touching the page. Errors are keyed by the form field they
belong to ("makasete_company_code", "<field>:<店舗CD>") so the page shows each beside its box.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from openpyxl import load_workbook

from workflow import linkage
from workflow.errors import ValidationFailed
from workflow.spec_sheet import STORE_HEADERS

_DATE = re.compile(r"([0-9]{4})[/\-.年]([0-9]{1,2})[/\-.月]([0-9]{1,2})日?")
_DATE_LABELS = {"start_date": "連携開始日", "end_date": "連携終了日"}


@dataclass
class LinkageInput:
    """What the partner sent: raw values per field, for showing them back on errors."""

    company_code: str = ""
    stores: dict[str, dict[str, str]] = field(default_factory=dict)  # 店舗CD -> field -> raw
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, store: str, name: str) -> str:
        return self.stores.get(store, {}).get(name, "")


def parse_date(raw: str) -> date | None:
    """YYYY/MM/DD (as the seed writes it), YYYY-MM-DD or 2026年12月7日; None when blank.
    ValueError when it is not a date."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return None
    match = _DATE.fullmatch(text)
    if not match:
        raise ValueError(text)
    return date(int(match[1]), int(match[2]), int(match[3]))


def from_form(form: Mapping[str, str], store_codes: list[str]) -> LinkageInput:
    """The 2-2 form: makasete_company_code, and per store code_/start_/end_/state_<店舗CD>."""
    data = LinkageInput(company_code=form.get("makasete_company_code", ""))
    for code in store_codes:
        data.stores[code] = {"makasete_store_code": form.get(f"code_{code}", ""),
                             "start_date": form.get(f"start_{code}", ""),
                             "end_date": form.get(f"end_{code}", ""),
                             "state": form.get(f"state_{code}", "")}
    return data


def from_xlsx(content: bytes, store_codes: list[str], company_code: str) -> LinkageInput:
    """The 設定依頼書 as renkei sent it, with the partner's codes and dates filled in.
    ValueError when the file is not such a sheet."""
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValueError("not an xlsx workbook") from exc
    ws = wb.worksheets[0]
    data = LinkageInput(company_code=company_code)
    header_seen = False
    for row in ws.iter_rows(values_only=True):
        cells = ["" if v is None else (v.strftime("%Y/%m/%d") if isinstance(v, date) else str(v))
                 for v in row]
        if not cells:
            continue
        if cells[0] == "まかせてネット企業コード" and len(cells) > 1 and cells[1]:
            data.company_code = cells[1]
        if tuple(cells[:5]) == STORE_HEADERS:
            header_seen = True
            continue
        if header_seen and cells[0] in store_codes:
            cells += [""] * 5
            data.stores[cells[0]] = {"makasete_store_code": cells[2], "start_date": cells[3],
                                     "end_date": cells[4], "state": linkage.LINKED}
    if not header_seen:
        raise ValueError("no store table")
    for code in store_codes:
        data.stores.setdefault(code, {"makasete_store_code": "", "start_date": "",
                                      "end_date": "", "state": linkage.LINKED})
    return data


def check(data: LinkageInput, names: Mapping[str, str], *, today: date
          ) -> tuple[str, list[linkage.StoreLink]]:
    """The company code and store links; fills `data.errors` (field -> Japanese message) with
    every problem, using workflow.linkage's rules (seed section 2 ①〜⑤)."""
    code = ""
    try:
        code = linkage.validate_company_code(data.company_code)
    except ValidationFailed as exc:
        data.errors["makasete_company_code"] = exc.errors[0].message
    links = []
    for store, raw in data.stores.items():
        dates: dict[str, date | None] = {}
        for name in ("start_date", "end_date"):
            try:
                dates[name] = parse_date(raw[name])
            except ValueError:
                dates[name] = None
                data.errors[f"{name}:{store}"] = (f"{_DATE_LABELS[name]}はYYYY/MM/DDの形式で"
                                                  "入力してください（例: 2026/12/07）")
        link = linkage.StoreLink(store, raw["makasete_store_code"], dates["start_date"],
                                 dates["end_date"], names.get(store, ""))
        for error in linkage.validate_store_link(link, today=today):
            data.errors.setdefault(f"{error.field}:{store}", error.message)
        if raw.get("state") != linkage.LINKED:
            data.errors.setdefault(f"state:{store}",
                                   "設定が終わりましたら連携状態を「連携済」にしてください")
        links.append(link)
    return code, links
