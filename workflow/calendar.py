"""Business days for lead times and SLAs: weekends, Japanese public holidays and company closures.

The seed (注意事項②) asks for 3–5 business days before the desired date, up to a week for many
stores; "business day" here means what the partner (ジャストプランニング) works on.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from workflow.errors import FieldError, ValidationFailed

MonthDay = tuple[int, int]
Closure = tuple[MonthDay, MonthDay]

_MONTH_DAY = r"([0-9]{1,2})-([0-9]{1,2})"
_CLOSURE_RE = re.compile(rf"{_MONTH_DAY}(?:\.\.{_MONTH_DAY})?")
# A calendar whose closures cover the whole year would loop forever; a run of non-business
# days longer than two years can only mean such a misconfiguration.
_MAX_NON_BUSINESS_RUN = 2 * 366


@lru_cache(maxsize=64)
def _jp_holidays(year: int) -> frozenset[date]:
    # Building holidays.JP computes every rule of the year, so each year is built once.
    return frozenset(holidays.JP(years=year).keys())


def _parse_month_day(entry: str, month: str, day: str) -> MonthDay:
    m, d = int(month), int(day)
    try:
        # 2000 is a leap year, so 02-29 is a valid closure day.
        date(2000, m, d)
    except ValueError:
        message = f"invalid closure {entry!r}: {month}-{day} is not a day of the year"
        raise ValueError(message) from None
    return (m, d)


def _in_closure(md: MonthDay, closure: Closure) -> bool:
    start, end = closure
    if start <= end:
        return start <= md <= end
    # The range wraps the year end, e.g. 12-29..01-03.
    return md >= start or md <= end


_DATE_YMD = re.compile(r"([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?")
_DATE_MD = re.compile(r"([0-9]{1,2})\s*[-/月]\s*([0-9]{1,2})\s*日?")


def parse_date(text: str, *, today: date) -> date | None:
    """Read 2026-12-01, 2026/12/01, 2026年12月1日, 12/1 or 12月1日 (NFKC first).

    Without a year, the next such date on or after `today`. None when it is not a date.
    """
    s = unicodedata.normalize("NFKC", text).strip()
    try:
        if match := _DATE_YMD.fullmatch(s):
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if match := _DATE_MD.fullmatch(s):
            month, day = int(match.group(1)), int(match.group(2))
            # 02-29 may be up to 8 years away (century years such as 2100 have no leap day).
            for year in range(today.year, today.year + 9):
                try:
                    candidate = date(year, month, day)
                except ValueError:
                    continue
                if candidate >= today:
                    return candidate
    except (ValueError, OverflowError):
        return None
    return None


def shown_time(at: datetime, tz: ZoneInfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A moment as people read it: local time (Asia/Tokyo) with the zone said, e.g.
    2026-11-24 10:00 JST. Storage is UTC; every surface that shows a time uses this."""
    local = at.astimezone(tz)
    return f"{local.strftime(fmt)} {local.tzname() or tz.key}"


def read_date(value: object, *, field: str, label: str, today: date | None = None,
              required: bool = True) -> date | None:
    """The one reader of a date a person typed or a file carried (CLI, files, the exporter).

    Accepts what `parse_date` reads (month-day forms only when `today` is given), a `date`,
    or nothing (None unless `required`). Anything else is a ValidationFailed on `field` that
    says it is not a date, in Japanese and with no exception text.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = "" if value is None else unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        if required:
            raise ValidationFailed([FieldError(field, f"{label}を入力してください")])
        return None
    parsed = None
    if len(text) <= 100 and (today is not None or _DATE_YMD.fullmatch(text)):
        parsed = parse_date(text, today=today or date.min)
    if parsed is None:
        raise ValidationFailed([FieldError(
            field, f"{label}「{text[:40]}」は日付ではありません（例: 2026-12-01）")])
    return parsed


@dataclass(frozen=True)
class BusinessCalendar:
    """Business days: not Saturday or Sunday, not a holidays.JP holiday, not in a closure.

    `closures` are (month, day) ranges, inclusive at both ends; a range may wrap the year end.
    """

    closures: tuple[Closure, ...] = (((12, 29), (1, 3)),)

    @classmethod
    def from_settings(cls, closures: list[str]) -> BusinessCalendar:
        """Build from setting strings such as "12-29..01-03" or a single day "08-15".

        Blank entries are skipped; a malformed entry raises ValueError naming it.
        """
        parsed: list[Closure] = []
        for raw in closures:
            entry = raw.strip()
            if not entry:
                continue
            match = _CLOSURE_RE.fullmatch(entry)
            if match is None:
                raise ValueError(
                    f"invalid closure {entry!r}: expected 'MM-DD' or 'MM-DD..MM-DD' "
                    "(for example '12-29..01-03')"
                )
            start = _parse_month_day(entry, match.group(1), match.group(2))
            end = (
                _parse_month_day(entry, match.group(3), match.group(4))
                if match.group(3) is not None
                else start
            )
            parsed.append((start, end))
        return cls(closures=tuple(parsed))

    def is_closed(self, d: date) -> bool:
        """True when `d` falls in one of the company closures."""
        md = (d.month, d.day)
        return any(_in_closure(md, closure) for closure in self.closures)

    def is_business_day(self, d: date) -> bool:
        """True for a weekday that is neither a Japanese public holiday nor a closure day."""
        if d.weekday() >= 5:
            return False
        if d in _jp_holidays(d.year):
            return False
        return not self.is_closed(d)

    def _next_after(self, d: date) -> date:
        for _ in range(_MAX_NON_BUSINESS_RUN):
            d += timedelta(days=1)
            if self.is_business_day(d):
                return d
        raise ValueError("the business calendar has no business days (check the closures)")

    def add_business_days(self, start: date, n: int) -> date:
        """The n-th business day strictly after `start`; `start` itself when n is 0."""
        if n < 0:
            raise ValueError(f"n must be 0 or more, got {n}")
        d = start
        for _ in range(n):
            d = self._next_after(d)
        return d

    def business_days_between(self, start: date, end: date) -> int:
        """How many business days d satisfy start < d <= end (0 when end <= start)."""
        count = 0
        d = start
        while d < end:
            d += timedelta(days=1)
            if self.is_business_day(d):
                count += 1
        return count

    def next_business_day_on_or_after(self, d: date) -> date:
        """`d` when it is a business day, otherwise the first business day after it."""
        return d if self.is_business_day(d) else self._next_after(d)


@dataclass(frozen=True)
class LeadTimeRules:
    """How many business days a request needs before its desired date (seed 注意事項②).

    Above `threshold` stores the partner may need up to a week, so the lead grows.
    """

    threshold: int = 10
    lead_days: int = 3
    lead_days_many: int = 5

    def is_many(self, store_count: int) -> bool:
        """True when the request counts as "many stores" (more than `threshold`)."""
        return store_count > self.threshold

    def required_days(self, store_count: int) -> int:
        """Business days of lead the partner needs for this many stores."""
        return self.lead_days_many if self.is_many(store_count) else self.lead_days

    def earliest_date(self, filed_on: date, store_count: int, cal: BusinessCalendar) -> date:
        """The earliest desired date acceptable for a request filed on `filed_on`."""
        return cal.add_business_days(filed_on, self.required_days(store_count))
