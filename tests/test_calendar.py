"""Business days: weekends, holidays.JP, the year-end closure, lead-time rules, date parsing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.calendar import BusinessCalendar, LeadTimeRules, parse_date

CAL = BusinessCalendar()


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 20), True),  # Friday
        (date(2026, 11, 21), False),  # Saturday
        (date(2026, 11, 22), False),  # Sunday
        (date(2026, 11, 23), False),  # 勤労感謝の日 (Monday)
        (date(2026, 11, 24), True),
        (date(2027, 1, 11), False),  # 成人の日
        (date(2026, 12, 28), True),
        (date(2026, 12, 29), False),  # closure starts
        (date(2026, 12, 31), False),
        (date(2027, 1, 1), False),  # 元日 and closure
        (date(2027, 1, 3), False),
        (date(2027, 1, 4), True),  # closure over, Monday
    ],
)
def test_is_business_day(day: date, expected: bool) -> None:
    assert CAL.is_business_day(day) is expected


def test_add_business_days_skips_weekend_and_holiday() -> None:
    # Friday 11-20 + 1 skips Sat, Sun and Monday 11-23 (勤労感謝の日).
    assert CAL.add_business_days(date(2026, 11, 20), 1) == date(2026, 11, 24)
    assert CAL.add_business_days(date(2026, 11, 20), 3) == date(2026, 11, 26)


def test_add_business_days_zero_is_start_even_on_holiday() -> None:
    assert CAL.add_business_days(date(2026, 11, 23), 0) == date(2026, 11, 23)


def test_add_business_days_rejects_negative() -> None:
    with pytest.raises(ValueError, match="n must be 0 or more"):
        CAL.add_business_days(date(2026, 11, 20), -1)


def test_year_end_closure_wraps() -> None:
    # 12-29..01-03 is closed, 01-04 (Mon) is the first business day of 2027.
    assert CAL.add_business_days(date(2026, 12, 28), 1) == date(2027, 1, 4)
    # 01-11 is 成人の日, so three days from 01-07 (Thu) land on 01-13.
    assert CAL.add_business_days(date(2027, 1, 7), 3) == date(2027, 1, 13)


def test_without_closures_year_end_is_open() -> None:
    open_cal = BusinessCalendar(closures=())
    assert open_cal.add_business_days(date(2026, 12, 28), 1) == date(2026, 12, 29)


def test_business_days_between() -> None:
    assert CAL.business_days_between(date(2026, 11, 20), date(2026, 11, 24)) == 1
    assert CAL.business_days_between(date(2026, 11, 24), date(2026, 11, 24)) == 0
    assert CAL.business_days_between(date(2026, 11, 24), date(2026, 11, 20)) == 0
    assert CAL.business_days_between(date(2026, 12, 25), date(2027, 1, 5)) == 3


def test_next_business_day_on_or_after() -> None:
    assert CAL.next_business_day_on_or_after(date(2026, 11, 24)) == date(2026, 11, 24)
    assert CAL.next_business_day_on_or_after(date(2026, 11, 21)) == date(2026, 11, 24)
    assert CAL.next_business_day_on_or_after(date(2026, 12, 30)) == date(2027, 1, 4)


def test_from_settings_ranges_and_single_days() -> None:
    cal = BusinessCalendar.from_settings(["12-29..01-03", " 08-15 ", ""])
    assert cal.closures == (((12, 29), (1, 3)), ((8, 15), (8, 15)))
    assert not cal.is_business_day(date(2025, 8, 15))  # a Friday
    assert cal.is_business_day(date(2025, 8, 14))
    assert BusinessCalendar.from_settings(["12-29..01-03"]) == BusinessCalendar()
    assert BusinessCalendar.from_settings(["02-29"]).closures == (((2, 29), (2, 29)),)


@pytest.mark.parametrize("bad", ["13-01", "12-32", "02-30", "abc", "12-29..", "12/29", "1229"])
def test_from_settings_rejects_bad_entries(bad: str) -> None:
    with pytest.raises(ValueError, match="invalid closure") as info:
        BusinessCalendar.from_settings(["08-15", bad])
    assert repr(bad) in str(info.value)


def test_whole_year_closure_fails_instead_of_looping() -> None:
    cal = BusinessCalendar.from_settings(["01-01..12-31"])
    with pytest.raises(ValueError, match="no business days"):
        cal.add_business_days(date(2026, 1, 5), 1)


def test_lead_time_rules() -> None:
    rules = LeadTimeRules()
    assert rules.required_days(1) == 3
    assert rules.required_days(10) == 3
    assert rules.required_days(11) == 5
    filed = date(2026, 11, 26)  # Thursday
    assert rules.earliest_date(filed, 1, CAL) == date(2026, 12, 1)
    assert rules.earliest_date(filed, 11, CAL) == date(2026, 12, 3)
    custom = LeadTimeRules(threshold=2, lead_days=1, lead_days_many=2)
    assert custom.earliest_date(filed, 3, CAL) == date(2026, 11, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("2026/12/01", date(2026, 12, 1)),
        ("２０２６／１２／０１", date(2026, 12, 1)),
        ("2026年12月1日", date(2026, 12, 1)),
        ("12/1", date(2026, 12, 1)),
        ("１２月１日", date(2026, 12, 1)),
        ("11/26", date(2026, 11, 26)),  # today counts as "on or after"
        ("11/25", date(2027, 11, 25)),  # already past this year
        ("1/12", date(2027, 1, 12)),
        ("2/29", date(2028, 2, 29)),
        ("2026-02-30", None),
        ("13/1", None),
        ("来週", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text, today=date(2026, 11, 26)) == expected


business_starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@given(start=business_starts, n=st.integers(min_value=1, max_value=40))
def test_add_business_days_lands_on_business_day(start: date, n: int) -> None:
    result = CAL.add_business_days(start, n)
    assert result > start
    assert CAL.is_business_day(result)
    assert CAL.business_days_between(start, result) == n
    # No business day is skipped: the day before the result is at most n - 1 days in.
    assert CAL.business_days_between(start, result - timedelta(days=1)) == n - 1


@given(start=business_starts, n=st.integers(min_value=0, max_value=40))
def test_between_inverts_add(start: date, n: int) -> None:
    assert CAL.business_days_between(start, CAL.add_business_days(start, n)) == n


@given(day=business_starts)
def test_next_business_day_on_or_after_is_business_day(day: date) -> None:
    result = CAL.next_business_day_on_or_after(day)
    assert result >= day
    assert CAL.is_business_day(result)
    assert CAL.business_days_between(day, result) == (1 if result > day else 0)
