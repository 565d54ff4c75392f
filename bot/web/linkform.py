"""The partner's 設定完了連絡 as data: the seed's 2-2 screen posted as a form, or the filled
設定依頼書 (.xlsx), turned into store links and checked with workflow.linkage's rules.

The file is read by `workflow.linkage_sheet` and every value goes through `linkage.read_links`,
the parser Slack and the CLI use. Errors are keyed by the form field they belong to
("makasete_company_code", "<field>:<店舗CD>") so the page shows each beside its box.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from workflow import linkage, registry
from workflow.errors import ValidationFailed
from workflow.linkage_sheet import read_returned


@dataclass
class LinkageInput:
    """What the partner sent: raw values per field, for showing them back on errors."""

    company_code: str = ""
    stores: dict[str, dict[str, str]] = field(default_factory=dict)  # 店舗CD -> field -> raw
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, store: str, name: str) -> str:
        return self.stores.get(store, {}).get(name, "")


def from_form(form: Mapping[str, str], store_codes: list[str]) -> LinkageInput:
    """The 2-2 form: makasete_company_code, and per store code_/start_/end_/state_<店舗CD>."""
    data = LinkageInput(company_code=form.get("makasete_company_code", ""))
    for code in store_codes:
        data.stores[code] = {"makasete_store_code": form.get(f"code_{code}", ""),
                             "start_date": form.get(f"start_{code}", ""),
                             "end_date": form.get(f"end_{code}", ""),
                             "state": form.get(f"state_{code}", "")}
    return data


def _text(value: object) -> str:
    if isinstance(value, date):
        return value.strftime("%Y/%m/%d")
    return "" if value is None else str(value)


def from_xlsx(content: bytes, store_codes: list[str], company_code: str) -> LinkageInput:
    """The 設定依頼書 as renkei sent it, with the partner's codes and dates filled in.
    ValueError when the file is not such a sheet."""
    try:
        sheet = read_returned(content, "設定依頼書.xlsx", targets=store_codes)
    except ValidationFailed as exc:
        raise ValueError(exc.errors[0].message) from None
    data = LinkageInput(company_code=sheet.makasete_company_code or company_code)
    for row in sheet.rows:
        code = linkage.normalized(row.store_code)
        if code in store_codes:
            data.stores[code] = {"makasete_store_code": _text(row.makasete_store_code),
                                 "start_date": _text(row.start_date),
                                 "end_date": _text(row.end_date), "state": registry.LINKED}
    for code in store_codes:
        data.stores.setdefault(code, {"makasete_store_code": "", "start_date": "",
                                      "end_date": "", "state": registry.LINKED})
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
    rows = [linkage.RawLink(store, raw["makasete_store_code"], raw["start_date"],
                            raw["end_date"], name=names.get(store, ""))
            for store, raw in data.stores.items()]
    links, issues = linkage.read_links(rows, today=today, targets=names)
    for issue in issues:
        data.errors.setdefault(f"{issue.field}:{issue.store_code}", issue.message)
    for store, raw in data.stores.items():
        if raw.get("state") != registry.LINKED:
            data.errors.setdefault(f"state:{store}",
                                   "設定が終わりましたら連携状態を「連携済」にしてください")
    return code, links
