"""The two request forms of the seed (1-4 新規・増店, 1-5 設定変更), their fields and validation.

Adapters collect raw values (modal strings, terminal prompts, JSON) and call `parse_request`,
which either returns a valid `RequestForm` or raises one `ValidationFailed` listing every
problem in Japanese, per field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from workflow.calendar import BusinessCalendar, LeadTimeRules, parse_date
from workflow.errors import FieldError, ValidationFailed
from workflow.store_input import MAX_CODE_DIGITS as MAX_CODE_DIGITS
from workflow.store_input import MAX_NAME_CHARS as MAX_NAME_CHARS
from workflow.store_input import MAX_STORE_CODE_DIGITS as MAX_STORE_CODE_DIGITS
from workflow.store_input import STORE_EXAMPLE, Name, as_text, bad_chars, stores_from_value
from workflow.store_input import StoreEntry as StoreEntry
from workflow.store_input import StoreSource as StoreSource
from workflow.store_input import normalize_code as normalize_code
from workflow.store_input import parse_stores as parse_stores

Kind = Literal["new", "change"]
KINDS: tuple[str, ...] = ("new", "change")

FIELD_LABELS: dict[str, str] = {
    "customer_code": "顧客CD",
    "company_code": "企業CD",
    "company_name": "企業名",
    "stores": "対象店舗",
    "desired_date": "希望日",
    "remarks": "備考",
    "payment_items": "追加した支払科目",
    "discounts": "追加した値割引",
    "customer_segments": "追加した客層",
}
# Every field a FieldError may name: the form's keys plus the request kind.
FIELD_KEYS: frozenset[str] = frozenset({"kind", *FIELD_LABELS})
CHANGE_LIST_FIELDS: tuple[str, ...] = ("payment_items", "discounts", "customer_segments")
CHANGE_NEEDS_ADDITIONS = "設定変更では、追加した支払科目・値割引・客層のいずれかを入力してください"

MAX_STORES = 300
MAX_REMARKS_CHARS = 1000
MAX_LIST_ITEMS = 100
MAX_ITEM_CHARS = 100

Code = Annotated[str, StringConstraints(pattern=rf"^[0-9]{{1,{MAX_CODE_DIGITS}}}$")]
Item = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ITEM_CHARS)]


class RequestForm(BaseModel):
    """A validated request: the fields of the seed's Kintone 定型文, structured."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Kind
    customer_code: Code
    company_code: Code
    company_name: Name
    stores: tuple[StoreEntry, ...] = Field(min_length=1, max_length=MAX_STORES)
    desired_date: date
    remarks: str = Field(default="", max_length=MAX_REMARKS_CHARS)
    payment_items: tuple[Item, ...] = ()
    discounts: tuple[Item, ...] = ()
    customer_segments: tuple[Item, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> RequestForm:
        codes = [s.code for s in self.stores]
        if len(set(codes)) != len(codes):
            raise ValueError("store codes must be unique")
        additions = self.payment_items or self.discounts or self.customer_segments
        if self.kind == "change" and not additions:
            raise ValueError("a change request needs at least one added item")
        if self.kind == "new" and additions:
            raise ValueError("a new request takes no added items")
        return self

    def date_label(self) -> str:
        """The Japanese label of the date field: 連携開始希望日 or 設定変更日."""
        return date_label_for(self.kind)


def date_label_for(kind: str) -> str:
    """The Japanese label of the desired date for a request kind."""
    labels = {"new": "連携開始希望日", "change": "設定変更日"}
    if kind not in labels:
        raise ValueError(f"unknown request kind {kind!r}; expected one of {KINDS}")
    return labels[kind]


def _full_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# ---------------------------------------------------------------- lists and text

_LIST_SEPARATORS = re.compile(r"[\n、,;]")


def parse_list(text: str) -> tuple[str, ...]:
    """Split added items given one a line or separated by 、 , ， ; (NFKC, stripped, no blanks)."""
    normalized = unicodedata.normalize("NFKC", text)
    return tuple(item.strip() for item in _LIST_SEPARATORS.split(normalized) if item.strip())


def _list_problems(kind: str, key: str, value: object) -> tuple[tuple[str, ...], list[str]]:
    label = FIELD_LABELS[key]
    items: tuple[str, ...]
    if value is None:
        items = ()
    elif isinstance(value, str):
        items = parse_list(value)
    elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        items = tuple(t for t in (unicodedata.normalize("NFKC", v).strip() for v in value) if t)
    else:
        return (), [f"{label}は1行に1つずつ入力してください"]
    if len(items) > MAX_LIST_ITEMS:
        return items, [f"{label}は{MAX_LIST_ITEMS}件以内で入力してください"]
    if any(len(item) > MAX_ITEM_CHARS for item in items):
        return items, [f"{label}は1件{MAX_ITEM_CHARS}文字以内で入力してください"]
    if any(bad_chars(item) for item in items):
        return items, [f"{label}に使用できない文字（制御文字）が含まれています"]
    if kind == "new" and items:
        return items, [f"新規・増店の依頼では{label}は入力できません（設定変更で入力してください）"]
    return items, []


def _text_problems(key: str, value: object) -> tuple[str, list[str]]:
    """Company name (one line) or remarks (several lines), stripped, with their problems."""
    label, limit = FIELD_LABELS[key], (MAX_REMARKS_CHARS if key == "remarks" else MAX_NAME_CHARS)
    if value is not None and not isinstance(value, str):
        return "", [f"{label}は文字で入力してください"]
    # Kintone text uses LF only; a pasted CRLF or lone CR would show as stray line breaks.
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if key == "company_name" and not text:
        return text, ["企業名を入力してください（例: 株式会社データ分析）"]
    if len(text) > limit:
        return text, [f"{label}は{limit}文字以内で入力してください（現在{len(text)}文字）"]
    if bad_chars(text, allowed="\n\t" if key == "remarks" else ""):
        return text, [f"{label}に使用できない文字（改行・制御文字）が含まれています"]
    return text, []


def _code_problems(key: str, value: object) -> tuple[str, list[str]]:
    label, text = FIELD_LABELS[key], as_text(value)
    if value is None or (text is not None and not text.strip()):
        return "", [f"{label}を入力してください"]
    code = normalize_code(text) if text is not None else ""
    if not re.fullmatch(r"[0-9]+", code):
        return code, [f"{label}は半角数字1〜{MAX_CODE_DIGITS}桁で入力してください"]
    if len(code) > MAX_CODE_DIGITS:
        return code, [f"{label}は{MAX_CODE_DIGITS}桁以内で入力してください（現在{len(code)}桁）"]
    return code, []


# ---------------------------------------------------------------- dates


def _date_problems(
    value: object, label: str, store_count: int, ctx: tuple[date, BusinessCalendar, LeadTimeRules]
) -> tuple[date | None, list[str]]:
    today, calendar, rules = ctx
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, [f"{label}を入力してください"]
    parsed: date | None = None
    if isinstance(value, datetime):
        parsed = value.date()
    elif isinstance(value, date):
        parsed = value
    elif isinstance(value, str) and len(value) <= 100:
        parsed = parse_date(value, today=today)
    if parsed is None:
        return None, [f"{label}を日付で入力してください（例: 2026-12-01、12/1、12月1日）"]
    if parsed < today:
        return parsed, [f"{label}に過去の日付は指定できません（{_full_date(parsed)}）"]
    try:
        earliest = rules.earliest_date(today, store_count, calendar)
    except (ValueError, OverflowError):
        return parsed, []
    if parsed >= earliest:
        return parsed, []
    why = f"店舗数が{rules.threshold}店舗を超えるため、" if rules.is_many(store_count) else ""
    days, shortest = rules.required_days(store_count), _full_date(earliest)
    return parsed, [f"{why}{label}は{days}営業日以上先の日付を指定してください（最短: {shortest}）"]


# ---------------------------------------------------------------- the whole form


def parse_request(
    kind: str, raw: Mapping[str, object], *,
    today: date, calendar: BusinessCalendar, rules: LeadTimeRules,
) -> RequestForm:
    """Validate raw input of a `new` or `change` request into a RequestForm.

    `raw` uses the English field names; values may be strings (modal, prompt) or JSON values.
    Every problem is collected and raised once as ValidationFailed; nothing else is raised.
    """
    errors: list[FieldError] = []

    def add(key: str, messages: list[str]) -> None:
        errors.extend(FieldError(key, message) for message in messages)

    if not isinstance(raw, Mapping):
        raw = {}
    if kind not in KINDS:
        add("kind", ["依頼の種類が正しくありません（新規・増店 または 設定変更 を選んでください）"])
    values: dict[str, object] = {"kind": kind}
    for key in ("customer_code", "company_code"):
        values[key], problems = _code_problems(key, raw.get(key))
        add(key, problems)
    for key in ("company_name", "remarks"):
        values[key], problems = _text_problems(key, raw.get(key))
        add(key, problems)

    stores: list[StoreEntry] = []
    try:
        stores = stores_from_value(raw.get("stores"))
        if not stores:
            add("stores", [f"対象店舗を入力してください{STORE_EXAMPLE}"])
        elif len(stores) > MAX_STORES:
            message = f"対象店舗は{MAX_STORES}店舗以内で入力してください（現在{len(stores)}店舗）"
            add("stores", [message])
    except ValidationFailed as exc:
        # With bad stores the count is unknown; the few-stores lead is the loosest, so the
        # date check below still reports only real problems.
        errors.extend(exc.errors)
    values["stores"] = tuple(stores)

    label = date_label_for(kind) if kind in KINDS else FIELD_LABELS["desired_date"]
    desired, problems = _date_problems(
        raw.get("desired_date"), label, len(stores), (today, calendar, rules)
    )
    add("desired_date", problems)
    values["desired_date"] = desired

    for key in CHANGE_LIST_FIELDS:
        values[key], problems = _list_problems(kind, key, raw.get(key))
        add(key, problems)
    list_ok = not any(e.field in CHANGE_LIST_FIELDS for e in errors)
    if kind == "change" and list_ok and not any(values[k] for k in CHANGE_LIST_FIELDS):
        add("payment_items", [CHANGE_NEEDS_ADDITIONS])

    if errors:
        raise ValidationFailed(errors)
    try:
        return RequestForm.model_validate(values)
    except ValidationError as exc:
        # The checks above mirror the model's constraints; this is only a safety net.
        raise ValidationFailed(
            [FieldError(_known_field(e["loc"]), "入力内容を確認してください") for e in exc.errors()]
        ) from None


def _known_field(loc: tuple[int | str, ...]) -> str:
    field = str(loc[0]) if loc else "kind"
    return field if field in FIELD_KEYS else "kind"
