"""When things happen: business dates of a store's close and of an hourly slot, in the
configured time zone (Asia/Tokyo). A store closing after midnight (close time before noon,
e.g. 02:00) is still working on the previous business date until it closes."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

NOON = time(12, 0)


def parse_close_time(value: str) -> time:
    """"HH:MM" (Store.close_time) as a time; malformed values fall back to 23:00."""
    match = re.fullmatch(r"([0-9]{1,2}):([0-9]{2})", (value or "").strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        return time(23, 0)
    return time(int(match[1]), int(match[2]))


def business_date_at(moment: datetime, close_time: str, tz: ZoneInfo) -> date:
    """The business date a moment belongs to for a store closing at `close_time`."""
    local = moment.astimezone(tz)
    close = parse_close_time(close_time)
    if close < NOON and local.time() < close:
        return local.date() - timedelta(days=1)
    return local.date()


def close_business_date(fire_local: datetime, close_time: str) -> date:
    """The business date that a close at `fire_local` ends."""
    close = parse_close_time(close_time)
    return fire_local.date() - timedelta(days=1) if close < NOON else fire_local.date()


def close_moment(business_date: date, close_time: str, tz: ZoneInfo) -> datetime:
    """When the register closes for `business_date` (the inverse of close_business_date)."""
    close = parse_close_time(close_time)
    day = business_date + timedelta(days=1) if close < NOON else business_date
    return datetime.combine(day, close, tzinfo=tz)


def last_occurrence(now: datetime, at: time, tz: ZoneInfo) -> datetime:
    """The latest local `at` not after `now`: the scheduled time of a daily fire running now,
    the same in every replica however late its thread started."""
    local = now.astimezone(tz)
    candidate = datetime.combine(local.date(), at, tzinfo=tz)
    return candidate if candidate <= local else candidate - timedelta(days=1)


def top_of_hour(now: datetime, tz: ZoneInfo) -> datetime:
    """The latest full hour not after `now`, local."""
    return now.astimezone(tz).replace(minute=0, second=0, microsecond=0)
