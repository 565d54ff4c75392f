"""Late data: rows a register sends after their day (or hour) was frozen go out by themselves.

Seed 1-1: 「オフラインの場合は一時的に連携されませんが、復旧後に自動で反映されます」. A register
that was offline sends its receipts when it is back, after renkei already froze and sent that
day's batches. Every POS row carries `received_at` (`exporter.pos.Arrival`); the scan reads the
rows received since its last run, grouped by store and business date in ONE query (an index on
`received_at`, never a loop per store), and compares each group with the moment its day was
frozen (the latest day batch's `created_at`). Where rows came after it, the day is enqueued
again: `exporter.batches.enqueue` re-reads the whole day and adds the next revision only for
the kinds whose content hash changed. Payments that arrived after the end of their hour do the
same for the hourly 支払種別明細 of that hour.

It runs with the hourly job and after every close (`exporter.jobs`), and by hand with
`renkei export scan`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, literal_column, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from exporter.batches import Enqueued, enqueue_revisions
from exporter.extract import StoreKey
from exporter.models import ExportBatch, ExportScanMark
from exporter.pos import PosCashCount, PosCashMovement, PosPayment, PosReceipt, PosReceiptLine
from workflow.db import utcnow

MARK = "late"
# `received_at` is stamped when a row is written but the row is visible only once its
# transaction commits. Each scan rereads this far before its mark, so a row committed late is
# still seen ...
MARK_OVERLAP = timedelta(minutes=5)
# ... and a row stamped this shortly before a freeze may have been invisible to it: its day is
# read again (which costs one extraction that finds the same hash and adds nothing). Register
# writes commit in milliseconds; a longer gap would make this cost every close.
FREEZE_LAG = timedelta(seconds=30)
# Without a mark (the first scan after an upgrade), rows of the last day are examined.
FIRST_LOOKBACK = timedelta(days=1)
DAY_TABLES: tuple[Any, ...] = (PosReceipt, PosReceiptLine, PosPayment, PosCashMovement,
                               PosCashCount)
DayKey = tuple[str, str, date]  # (企業CD, 店舗CD, business date)


@dataclass
class LateScan:
    """What one scan read and added (printed by `renkei export scan`)."""

    since: datetime
    until: datetime
    late_days: list[DayKey] = field(default_factory=list)
    late_hours: list[tuple[str, str, date, int]] = field(default_factory=list)
    enqueued: list[Enqueued] = field(default_factory=list)


def _moment(value: Any) -> datetime:
    # Aggregates bypass UTCDateTime: SQLite hands back naive UTC text, PostgreSQL aware values.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _arrived(session: Session, since: datetime) -> dict[DayKey, datetime]:
    """(store, business date) -> the latest arrival among rows received after `since`."""
    parts = [select(t.company_code, t.store_code, t.business_date,
                    func.max(t.received_at).label("received"))
             .where(t.received_at > since)
             .group_by(t.company_code, t.store_code, t.business_date) for t in DAY_TABLES]
    out: dict[DayKey, datetime] = {}
    for company, store, day, received in session.execute(union_all(*parts)):
        key, at = (company, store, day), _moment(received)
        if key not in out or at > out[key]:
            out[key] = at
    return out


Frozen = dict[tuple[Any, ...], datetime]


def _frozen(session: Session, days: set[date], *, hourly: bool) -> Frozen:
    """(store, date[, hour]) -> when its latest batch was frozen, for the given dates."""
    if not days:
        return {}
    b = ExportBatch
    cols: list[Any] = [b.company_code, b.store_code, b.business_date]
    if hourly:
        cols.append(b.hour)
    query = (select(*cols, func.max(b.created_at)).where(b.business_date.in_(sorted(days)))
             .where(b.hour.is_not(None) if hourly else b.hour.is_(None)).group_by(*cols))
    return {tuple(row[:-1]): _moment(row[-1]) for row in session.execute(query)}


def _slot_start(session: Session, moment: Any) -> ColumnElement[Any]:
    """The start of the (UTC) hour of `moment`, in SQL. Japan's offset is whole hours, so UTC
    hours are the local hours the hourly 支払種別明細 covers."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date_trunc("hour", moment, "UTC")
    return func.strftime("%Y-%m-%d %H:00:00", moment)


def _slot_end(session: Session, moment: Any) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "postgresql":
        return func.date_trunc("hour", moment, "UTC") + literal_column("interval '1 hour'")
    # SQLite keeps times as ISO text in UTC, which compares in time order
    return func.strftime("%Y-%m-%d %H:00:00", moment, "+1 hour")


def _late_slots(session: Session, since: datetime) -> Frozen:
    """(store, date, slot start) -> latest arrival, for payments received after their hour."""
    p = PosPayment
    start = _slot_start(session, p.paid_at).label("slot")
    query = (select(p.company_code, p.store_code, p.business_date, start,
                    func.max(p.received_at))
             .where(p.received_at > since, p.received_at >= _slot_end(session, p.paid_at))
             .group_by(p.company_code, p.store_code, p.business_date, start))
    return {(c, s, d, _moment(slot)): _moment(received)
            for c, s, d, slot, received in session.execute(query)}


def scan(factory: sessionmaker[Session], tz: ZoneInfo, *,
         now: datetime | None = None) -> LateScan:
    """Enqueue the next revision of every day (and hour) that received rows after it was
    frozen; advance the mark. Safe to run in several replicas at once (enqueueing is
    idempotent per content hash and a lost race retries)."""
    now = now or utcnow()
    with factory() as session:
        mark = session.get(ExportScanMark, MARK)
        since = (mark.scanned_to if mark else now - FIRST_LOOKBACK) - MARK_OVERLAP
        arrived = _arrived(session, since)
        frozen = _frozen(session, {d for _, _, d in arrived}, hourly=False)
        slots = _late_slots(session, since)
        hour_frozen = _frozen(session, {d for _, _, d, _ in slots}, hourly=True)
    result = LateScan(since=since, until=now)
    result.late_days = sorted(k for k, at in arrived.items()
                              if k in frozen and at > frozen[k] - FREEZE_LAG)
    by_date: dict[date, set[StoreKey]] = defaultdict(set)
    for company, store, day in result.late_days:
        by_date[day].add((company, store))
    hours: dict[date, dict[datetime, set[StoreKey]]] = defaultdict(lambda: defaultdict(set))
    for (company, store, day, slot), at in sorted(slots.items()):
        hour = slot.astimezone(tz).hour
        done = hour_frozen.get((company, store, day, hour))
        if done is None or at > done - FREEZE_LAG:
            result.late_hours.append((company, store, day, hour))
            hours[day][slot].add((company, store))
    # Date by date, the day and then its hours: each stream gets its revisions in order.
    for day in sorted(set(by_date) | set(hours)):
        result.enqueued += enqueue_revisions(factory, tz, day, stores=by_date.get(day, set()),
                                             hours=dict(hours.get(day, {})), now=now)
    _advance(factory, now)
    return result


def _advance(factory: sessionmaker[Session], now: datetime) -> None:
    try:
        with factory() as session, session.begin():
            mark = session.get(ExportScanMark, MARK, with_for_update=True)
            if mark is None:
                session.add(ExportScanMark(name=MARK, scanned_to=now))
            elif mark.scanned_to < now:
                mark.scanned_to = now
    except IntegrityError:  # another replica wrote the first mark at the same moment
        pass
