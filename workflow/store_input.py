"""Target stores as people give them (seed 1-4 注意事項①: every store of the company): pasted
lines as the USEN admin screen shows them, JSON items, or several inputs at once (a modal's
text inputs, an uploaded file, the company's registered stores), each line checked and every
problem named by its input and line."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from workflow.errors import FieldError, ValidationFailed

MAX_CODE_DIGITS = 12
MAX_STORE_CODE_DIGITS = 10
MAX_NAME_CHARS = 100

StoreCode = Annotated[str, StringConstraints(pattern=rf"^[0-9]{{1,{MAX_STORE_CODE_DIGITS}}}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME_CHARS)]


class StoreEntry(BaseModel):
    """One target store as USEN Reji shows it: 店舗CD and 店舗名 (e.g. 0001:目黒本店)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: StoreCode
    name: Name


def normalize_code(raw: str) -> str:
    """NFKC and strip, so full-width digits (６７８９０) become ASCII; validation is separate."""
    return unicodedata.normalize("NFKC", raw).strip()


def bad_chars(text: str, allowed: str = "") -> bool:
    # Control characters and lone surrogates break Kintone text, Slack and the database.
    return any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed for ch in text)


def as_text(value: object) -> str | None:
    """A raw value as text: None for missing or unusable types."""
    if isinstance(value, str):
        return value
    # JSON may carry codes as numbers; bool is an int subclass but never a code.
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**MAX_CODE_DIGITS:
        return str(value)
    return None


# DOTALL so a stray line break inside a JSON item reaches the control-character check.
_COLON_LINE = re.compile(r"(?P<code>[^\s:]*)\s*:\s*(?P<name>.*)", re.DOTALL)
_SPACE_LINE = re.compile(r"(?P<code>\S+)(?:\s+(?P<name>.*))?", re.DOTALL)
STORE_EXAMPLE = "（例: 0001:目黒本店）"
_BLANK: tuple[str, str] = ("", "")
# One raw store: (code, name), _BLANK to skip, or None when its type is unusable.
StorePair = tuple[str, str] | None


def _split_store_line(text: str) -> tuple[str, str]:
    line = unicodedata.normalize("NFKC", text).strip()
    match = _COLON_LINE.fullmatch(line) or _SPACE_LINE.fullmatch(line)
    if match is None:
        return _BLANK
    name = match.group("name") or ""
    # A row copied from the admin screen's linkage table carries more tab-separated columns.
    return match.group("code"), name.split("\t", 1)[0].strip()


def _store_problems(code: str, name: str) -> list[str]:
    if not name and code and not re.fullmatch(r"[0-9]+", code):
        return [f"「店舗CD:店舗名」の形式で入力してください{STORE_EXAMPLE}"]
    problems: list[str] = []
    if not code:
        problems.append(f"店舗CDを入力してください{STORE_EXAMPLE}")
    elif not re.fullmatch(r"[0-9]+", code):
        problems.append("店舗CDは半角数字で入力してください（例: 0001）")
    elif len(code) > MAX_STORE_CODE_DIGITS:
        problems.append(f"店舗CDは{MAX_STORE_CODE_DIGITS}桁以内の半角数字で入力してください")
    elif set(code) == {"0"}:
        problems.append(
            f"{code}は企業管理店舗（企業の管理用レコード）のため、連携対象の店舗ではありません。"
            "この行を削除してください"
        )
    if not name:
        problems.append(f"店舗名を入力してください{STORE_EXAMPLE}")
    elif len(name) > MAX_NAME_CHARS:
        problems.append(f"店舗名は{MAX_NAME_CHARS}文字以内で入力してください")
    elif bad_chars(name):
        problems.append("店舗名に使用できない文字（改行・制御文字）が含まれています")
    return problems


@dataclass(frozen=True)
class StoreSource:
    """Stores from one input of several (a modal's text inputs, an uploaded file, the company's
    registered stores). `field` is where its errors go (the input's block id); `label` starts
    its messages (e.g. 「ファイル 45行目: …」), '' for none. `problem` says why the input could
    not be read at all (a file in an unknown encoding, no registered stores)."""

    field: str
    label: str = ""
    text: str = ""
    entries: tuple[StoreEntry, ...] = ()
    problem: str = ""


# (field, where, pair): one raw store and where its messages go and what they call it.
Located = tuple[str, str, StorePair]


def _collect(items: list[Located]) -> list[StoreEntry]:
    """Validate located stores; raise every problem at once, each naming its line."""
    errors: list[FieldError] = []
    entries: list[StoreEntry] = []
    first_seen: dict[str, str] = {}
    for field, where, pair in items:
        if pair == _BLANK:
            continue
        if pair is None:
            message = "店舗の形式が正しくありません（店舗CDと店舗名を指定してください）"
            errors.append(FieldError(field, f"{where}: {message}"))
            continue
        code, name = pair
        problems = _store_problems(code, name)
        if not problems and code in first_seen:
            problems.append(f"店舗CD {code} が{first_seen[code]}と重複しています")
        if problems:
            errors.extend(FieldError(field, f"{where}: {p}") for p in problems)
            continue
        first_seen[code] = where
        entries.append(StoreEntry(code=code, name=name))
    if errors:
        raise ValidationFailed(errors)
    return entries


def _collect_stores(pairs: list[StorePair], unit: str) -> list[StoreEntry]:
    """Validate stores numbered from 1 (`unit` is 行目 or 件目); raise every problem at once."""
    return _collect([("stores", f"{n}{unit}", pair) for n, pair in enumerate(pairs, start=1)])


def _from_sources(sources: list[StoreSource]) -> list[StoreEntry]:
    items: list[Located] = []
    problems: list[FieldError] = []
    for source in sources:
        if source.problem:
            problems.append(FieldError(source.field, source.problem))
        for number, line in enumerate(source.text.splitlines(), start=1):
            where = f"{source.label} {number}行目".strip()
            items.append((source.field, where, _split_store_line(line) if line.strip()
                          else _BLANK))
    typed = {pair[0] for _, _, pair in items if pair}
    for source in sources:  # registered stores: the typed ones (and their names) come first
        items += [(source.field, source.label, (e.code, e.name)) for e in source.entries
                  if e.code not in typed]
    try:
        entries = _collect(items)
    except ValidationFailed as exc:
        raise ValidationFailed([*problems, *exc.errors]) from None
    if problems:
        raise ValidationFailed(problems)
    return entries


def parse_stores(text: str) -> list[StoreEntry]:
    """Parse stores pasted from the USEN admin screen, one a line, order kept.

    Accepts `0001:店舗名`, `0001 店舗名`, `0001<TAB>店舗名` and full-width forms (NFKC first).
    Blank lines are ignored; every bad line (and duplicate code) is reported by line number.
    The store count is not checked here: `parse_request` does that.
    """
    pairs: list[StorePair] = [
        _split_store_line(line) if line.strip() else _BLANK for line in text.splitlines()
    ]
    return _collect_stores(pairs, "行目")


def _store_pair(item: object) -> StorePair:
    if isinstance(item, StoreEntry):
        return (item.code, item.name)
    if isinstance(item, str):
        return _split_store_line(item) if item.strip() else _BLANK
    if isinstance(item, Mapping):
        code, name = as_text(item.get("code")), as_text(item.get("name"))
        if code is None or name is None:
            return None
        return (normalize_code(code), unicodedata.normalize("NFKC", name).strip())
    return None


def stores_from_value(value: object) -> list[StoreEntry]:
    if isinstance(value, str):
        return parse_stores(value)
    if isinstance(value, (list, tuple)) and value and all(
            isinstance(v, StoreSource) for v in value):
        return _from_sources(list(value))
    if isinstance(value, (list, tuple)):
        return _collect_stores([_store_pair(item) for item in value], "件目")
    if value is None:
        return []
    raise ValidationFailed([FieldError("stores", "対象店舗の形式が正しくありません")])
