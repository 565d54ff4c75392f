"""Store linkage (seed section 2): one set of rules for every way linkage comes in.

まかせてネット企業コード, 店舗コード, 連携開始日/終了日 and 連携状態, with the screen's rules
(2-2 ①〜⑤). The Slack modal (per-store inputs or a pasted chunk), the returned 設定依頼書
(.xlsx/.csv, `workflow.linkage_sheet`), `renkei tickets advance … --linkage` and
`renkei stores link` all go through `read_links` (raw values in) or `check_links` (parsed
links in); `workflow.linkage_record.link_stores` applies them to the database and refuses
anything they refuse.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from workflow.calendar import parse_date
from workflow.errors import FieldError, ValidationFailed
from workflow.registry import MANAGEMENT_STORE
from workflow.store_input import MAX_CODE_DIGITS, MAX_STORE_CODE_DIGITS

# The request form's limits, so any store a ticket names can be linked.
MAX_COMPANY_DIGITS, MAX_STORE_DIGITS = MAX_CODE_DIGITS, MAX_STORE_CODE_DIGITS
COLUMN_LABELS: dict[str, str] = {
    "store_code": "店舗CD",
    "makasete_company_code": "まかせてネット企業コード",
    "makasete_store_code": "まかせてネット店舗コード",
    "start_date": "連携開始日",
    "end_date": "連携終了日",
}
BULK_FORMAT = "「店舗CD,まかせてネット店舗コード,連携開始日,連携終了日」の形式で入力してください"
# Which partner service the company uses (seed 1-1: まかせてネットEX, or まかせてネット).
SERVICES = {"ex": "まかせてネットEX", "net": "まかせてネット"}
DEFAULT_SERVICE = "ex"


def _norm(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return unicodedata.normalize("NFKC", value if isinstance(value, str) else "").strip()


def normalized(value: object) -> str:
    """A code as entered (text, full-width, or a number) as text: NFKC, stripped."""
    return _norm(value)


def is_digits(code: str, most: int) -> bool:
    """ASCII digits only, 1..`most` of them (never `\\d`: it accepts other scripts' digits)."""
    return re.fullmatch(rf"[0-9]{{1,{most}}}", code) is not None


@dataclass(frozen=True)
class StoreLink:
    """What planning enters for one store on 設定完了 (seed 2-2 ②〜⑤). `where` names the
    line or row it came from, for messages (e.g. 「12行目」)."""

    store_code: str
    makasete_store_code: str
    start_date: date | None
    end_date: date | None
    name: str = ""
    where: str = ""


@dataclass(frozen=True)
class RawLink:
    """One store's linkage as entered (modal text, sheet cells, JSON values), before any rule."""

    store_code: object
    makasete_store_code: object
    start_date: object
    end_date: object
    where: str = ""
    name: str = ""  # 店舗名, for a store new to renkei


@dataclass(frozen=True)
class LinkIssue:
    """One problem with one value of one store; `store_code` '' when no store applies."""

    field: str
    message: str
    store_code: str = ""
    where: str = ""

    def text(self) -> str:
        """The message naming the row, the store and the column (e.g. for a returned sheet)."""
        column = COLUMN_LABELS.get(self.field, "") if self.store_code or self.where else ""
        parts = [p for p in (self.where, f"店舗{self.store_code}" if self.store_code else "",
                             column) if p]
        return f"{' '.join(parts)}: {self.message}" if parts else self.message


@dataclass(frozen=True)
class Recorded:
    """What renkei holds for a store already: 設定変更 keeps it as it is."""

    makasete_store_code: str | None
    start_date: date | None
    end_date: date | None
    linked: bool


def as_errors(issues: Sequence[LinkIssue], *, name_store: bool = True) -> list[FieldError]:
    """Issues as FieldErrors (field = column key) whose messages name row, store and column."""
    if not name_store:
        return [FieldError(i.field, i.message) for i in issues]
    return [FieldError(i.field, i.text()) for i in issues]


def validate_company_code(raw: object, *, field: str = "makasete_company_code") -> str:
    """① まかせてネット企業コード: 1〜5桁の半角数字 (full-width digits are normalised)."""
    code = _norm(raw)
    if not code:
        raise ValidationFailed([FieldError(field, "まかせてネット企業コードを入力してください")])
    if not is_digits(code, 5):
        raise ValidationFailed(
            [FieldError(field, "まかせてネット企業コードは半角数字1〜5桁で入力してください")])
    return code


def usen_company_code(raw: object) -> str:
    """A USEN 企業CD as the request form takes it: NFKC, then ASCII digits."""
    code = _norm(raw)
    if not is_digits(code, MAX_COMPANY_DIGITS):
        raise ValidationFailed([FieldError(
            "company_code", f"企業CDは半角数字1〜{MAX_COMPANY_DIGITS}桁で入力してください")])
    return code


def validate_service(raw: str | None, *, field: str = "service") -> str:
    """"ex" (まかせてネットEX) or "net" (まかせてネット); empty means the default, EX."""
    service = _norm(raw).lower() or DEFAULT_SERVICE
    if service not in SERVICES:
        raise ValidationFailed([FieldError(
            field,
            "連携サービスは ex（まかせてネットEX）または net（まかせてネット）を選んでください")])
    return service


def _read_date(value: object, today: date) -> tuple[date | None, str]:
    """A date cell or text; (None, '') when empty, an error text when it is not a date."""
    if isinstance(value, datetime):
        return value.date(), ""
    if isinstance(value, date):
        return value, ""
    text = _norm(value) if isinstance(value, str) else ""
    if not text:
        return None, "" if value is None or isinstance(value, str) else "not a date"
    parsed = parse_date(text, today=today)
    return parsed, "" if parsed else "not a date"


def parse_links(rows: Sequence[RawLink | StoreLink], *, today: date,
                names: Mapping[str, str] | None = None
                ) -> tuple[list[StoreLink], list[LinkIssue]]:
    """Rows as entered → StoreLinks (codes NFKC, dates read); a date that is not one is an
    issue here and None in its link. StoreLinks pass through with their codes normalised."""
    links: list[StoreLink] = []
    issues: list[LinkIssue] = []
    for row in rows:
        code = _norm(row.store_code)
        dates: list[date | None] = []
        for field, value in (("start_date", row.start_date), ("end_date", row.end_date)):
            parsed, problem = _read_date(value, today)
            if problem:
                issues.append(LinkIssue(field, f"{COLUMN_LABELS[field]}を日付で入力してください"
                                        "（例: 2026-12-01、2026/12/01）", code, row.where))
            dates.append(parsed)
        name = row.name or (names or {}).get(code, "")
        links.append(StoreLink(code, _norm(row.makasete_store_code), dates[0], dates[1],
                               name=name, where=row.where))
    return links, issues


def read_links(rows: Sequence[RawLink | StoreLink], *, today: date,
               targets: Mapping[str, str] | None = None,
               recorded: Mapping[str, Recorded] | None = None,
               taken: Mapping[str, str] | None = None, require_all: bool = False
               ) -> tuple[list[StoreLink], list[LinkIssue]]:
    """Rows as entered → StoreLinks checked with `check_links`; every problem at once."""
    links, issues = parse_links(rows, today=today, names=targets)
    unreadable = {(i.where, i.store_code, i.field) for i in issues}
    checked = check_links(links, today=today, targets=targets, recorded=recorded, taken=taken,
                          require_all=require_all)
    # A date that could not be read is reported once, as "not a date", not also as "missing".
    issues += [i for i in checked if (i.where, i.store_code, i.field) not in unreadable]
    order = {row.where: n for n, row in reversed(list(enumerate(rows)))}
    issues.sort(key=lambda i: order.get(i.where, len(rows)))  # row by row, as the file reads
    return links, issues


def parse_bulk(text: str, *, where: str = "") -> tuple[list[RawLink], list[LinkIssue]]:
    """Pasted lines 「店舗CD,まかせてネット店舗コード,連携開始日,連携終了日」 (comma or tab)."""
    rows: list[RawLink] = []
    issues: list[LinkIssue] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        at = f"{where} {number}行目".strip()
        parts = [p.strip() for p in re.split(r"[,\t、，]", unicodedata.normalize("NFKC", line))]
        if len(parts) != 4:
            issues.append(LinkIssue("links", BULK_FORMAT, "", at))
            continue
        rows.append(RawLink(parts[0], parts[1], parts[2], parts[3], where=at))
    return rows, issues


def _store_code_issues(link: StoreLink, targets: Mapping[str, str] | None,
                       seen: dict[str, str]) -> list[str]:
    code = link.store_code
    if not code:
        return ["店舗CDを入力してください"]
    if not is_digits(code, MAX_STORE_DIGITS):
        return [f"店舗CDは半角数字1〜{MAX_STORE_DIGITS}桁で入力してください"]
    if set(code) == {"0"}:
        return [f"{code}:{MANAGEMENT_STORE[1]}は企業の管理用レコードのため連携できません"]
    if targets is not None and code not in targets:
        return [f"店舗CD {code} はこの依頼の対象店舗ではありません"]
    if code in seen:
        return [f"店舗CD {code} が重複しています（{seen[code] or '前の行'}）"]
    return []


def check_links(links: Sequence[StoreLink], *, today: date,
                targets: Mapping[str, str] | None = None,
                recorded: Mapping[str, Recorded] | None = None,
                taken: Mapping[str, str] | None = None, require_all: bool = False
                ) -> list[LinkIssue]:
    """Seed 2-2 ②〜④ for each link, plus: only `targets` (a ticket's stores) when given, not
    0000, one row per store, a まかせてネット店舗コード once within the まかせてネット企業コード
    (`taken`: code → store of the other stores that hold one), every target present when
    `require_all` (unless already 連携済). A value equal to what is `recorded` for a 連携済
    store is kept as it is (設定変更): only new or changed dates must be today or later."""
    recorded = recorded or {}
    taken = taken or {}
    issues: list[LinkIssue] = []
    seen: dict[str, str] = {}
    codes_used: dict[str, str] = {}
    for link in links:
        code, at = link.store_code, link.where

        def add(field: str, message: str, code: str = code, at: str = at) -> None:
            issues.append(LinkIssue(field, message, code, at))

        for problem in _store_code_issues(link, targets, seen):
            add("store_code", problem)
        seen.setdefault(code, at)
        rec = recorded.get(code)
        kept = rec if rec is not None and rec.linked else None
        mk = link.makasete_store_code
        if not mk:
            add("makasete_store_code", "まかせてネット店舗コードを入力してください")
        elif not is_digits(mk, 6):
            add("makasete_store_code",
                "まかせてネット店舗コードは半角数字1〜6桁で入力してください（例: 67890）")
        elif mk in codes_used:
            add("makasete_store_code", f"まかせてネット店舗コード {mk} は店舗{codes_used[mk]}"
                "と重複しています（まかせてネット企業コードごとに一意です）")
        elif taken.get(mk, code) != code:
            add("makasete_store_code", f"まかせてネット店舗コード {mk} はすでに店舗{taken[mk]}"
                "で使われています（まかせてネット企業コードごとに一意です）")
        if mk:
            codes_used.setdefault(mk, code)
        start, end = link.start_date, link.end_date
        if start is None:
            add("start_date", "連携開始日を入力してください")
        elif start < today and not (kept and kept.start_date == start):
            add("start_date", "連携開始日は本日以降の日付を選択してください")
        if end is None:
            add("end_date", "連携終了日を入力してください")
        elif end <= today and not (kept and kept.end_date == end):
            add("end_date", "連携終了日は未来の日付を選択してください")
        elif start is not None and end < start:
            add("end_date", "連携終了日は連携開始日以降の日付を選択してください")
    if require_all and targets is not None:
        missing = [c for c in targets if c not in seen
                   and not (c in recorded and recorded[c].linked)]
        if missing:
            issues.append(LinkIssue("store_code", "次の店舗の連携設定がありません: "
                                    + "、".join(missing)))
    return issues
