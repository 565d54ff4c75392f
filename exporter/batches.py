"""Fires enqueue frozen batches: one per store, kind, business date, hour and revision.

A fire (閉局, the hourly 支払種別明細, a POS close event, a backfill day) reads the POS data,
serialises each batch's envelope and writes the batches in one transaction, a 閉局 of many
stores one transaction per `CLOSE_CHUNK_STORES` stores (every kind of a store in the same
one), so the drain loop (`exporter.outbox`) sends the first stores while later ones freeze.
Enqueueing the same data again adds nothing (the content hash matches the latest revision);
changed data (a register reopened and closed again, or rows a register sent late:
`exporter.late`) becomes the next revision, with its own idempotency key, naming in
`supersedes` the key it replaces: a revision is the whole day (or hour) again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, text, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from exporter.extract import Records, StoreKey, extract
from exporter.kinds import ALL_KINDS, HOURLY_KINDS, SCHEMA_VERSION, Kind
from exporter.models import PENDING, ExportBatch
from exporter.timing import business_date_at, parse_close_time
from workflow.db import utcnow
from workflow.models import Company
from workflow.registry import linked_stores_on

# Enqueue transactions on PostgreSQL take this advisory lock so batch ids commit in id order:
# otherwise a drainer could see (and send) batch 11 of a stream before batch 10 commits.
_ENQUEUE_LOCK = 0x72656E6B  # "renk"
_ANALYZE_AFTER = 1000  # rows one fire adds before statistics may be stale enough to matter
# A 閉局 commits this many stores at a time. Drains cannot see a batch before it commits:
# one transaction for 10,000 stores held every send back ~30 s. Chunks are whole stores, so a
# crash mid-way leaves each store with all its kinds or none, and the catch-up of missed
# closes (`ExportJobs.catch_up`, every refresh) enqueues the stores left with none.
# 200 keeps each chunk's reads on the IN-list path of `exporter.extract`.
CLOSE_CHUNK_STORES = 200


@dataclass(frozen=True)
class Target:
    """A store to export, with the partner's codes (from the linkage) and its destination."""

    company_code: str
    store_code: str
    makasete_company_code: str
    makasete_store_code: str
    destination: str
    close_time: str
    name: str = ""

    @property
    def key(self) -> StoreKey:
        return (self.company_code, self.store_code)


@dataclass(frozen=True)
class Enqueued:
    """What one fire added (reported by the CLI and `POST /pos/close`)."""

    idempotency_key: str
    company_code: str
    store_code: str
    kind: str
    business_date: date
    hour: int | None
    record_count: int


def targets_on(session: Session, business_date: date, *, company_code: str | None = None,
               store_code: str | None = None) -> list[Target]:
    """Stores that are 連携済 and inside their window on `business_date`."""
    session.scalars(select(Company)).all()  # one query fills the identity map for .company
    out = []
    for store in linked_stores_on(session, business_date):
        company = store.company
        if company_code is not None and company.company_code != company_code:
            continue
        if store_code is not None and store.store_code != store_code:
            continue
        if not store.makasete_store_code or not company.makasete_company_code:
            continue
        out.append(Target(company.company_code, store.store_code, company.makasete_company_code,
                          store.makasete_store_code, company.destination or "ex",
                          store.close_time, store.name))
    return out


def stream_of(company_code: str, store_code: str, kind: str) -> str:
    return f"{company_code}:{store_code}:{kind}"


def batch_key(target: Target, kind: str, business_date: date, hour: int | None,
              revision: int) -> str:
    """The idempotency key: the same store, kind, date, hour and revision give the same key."""
    slot = "day" if hour is None else f"h{hour:02d}"
    return (f"{target.destination}-{target.makasete_company_code}-{target.makasete_store_code}"
            f"-{kind}-{business_date:%Y%m%d}-{slot}-r{revision}")


def _digest(records: Records) -> str:
    raw = json.dumps(records, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def _latest(session: Session, targets: Sequence[Target], business_date: date,
            hour: int | None) -> dict[str, tuple[int, str, str]]:
    """stream -> (latest revision, its content hash, its key) for this date and hour."""
    b = ExportBatch
    query = select(b.stream, b.revision, b.content_hash, b.idempotency_key).where(
        b.business_date == business_date)
    query = query.where(b.hour.is_(None) if hour is None else b.hour == hour)
    if len(targets) <= 200:
        query = query.where(tuple_(b.company_code, b.store_code).in_([t.key for t in targets]))
    latest: dict[str, tuple[int, str, str]] = {}
    for stream, revision, digest, key in session.execute(query):
        if stream not in latest or revision > latest[stream][0]:
            latest[stream] = (revision, digest, key)
    return latest


def enqueue(session: Session, targets: Sequence[Target], business_date: date,
            kinds: Sequence[Kind], tz: ZoneInfo, *, hour: int | None = None,
            slot: tuple[datetime, datetime] | None = None, skip_empty: bool = False,
            now: datetime | None = None) -> list[Enqueued]:
    """Freeze and add the batches of `targets` inside the caller's transaction."""
    if not targets:
        return []
    # Taken before reading: a row received after this moment is newer than the batch
    # (`created_at` is when the day was frozen, what the late-data scan compares with).
    now = now or utcnow()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ENQUEUE_LOCK})
    records = extract(session, business_date, [t.key for t in targets], kinds, tz, slot)
    latest = _latest(session, targets, business_date, hour)
    rows: list[dict[str, Any]] = []
    added: list[Enqueued] = []
    for target in targets:
        for kind in kinds:
            recs = records[target.key][kind]
            if skip_empty and not recs:
                continue
            stream = stream_of(target.company_code, target.store_code, kind.value)
            digest = _digest(recs)
            revision, previous, replaced = latest.get(stream, (0, "", ""))
            if previous == digest:
                continue
            key = batch_key(target, kind.value, business_date, hour, revision + 1)
            supersedes = replaced or None
            body = json.dumps({
                "schema_version": SCHEMA_VERSION, "kind": kind.value,
                "company_code": target.makasete_company_code,
                "store_code": target.makasete_store_code,
                "business_date": business_date.isoformat(), "hour": hour,
                "idempotency_key": key, "revision": revision + 1, "supersedes": supersedes,
                "records": recs,
            }, ensure_ascii=False, separators=(",", ":"))
            rows.append({
                "idempotency_key": key, "stream": stream, "destination": target.destination,
                "company_code": target.company_code, "store_code": target.store_code,
                "makasete_company_code": target.makasete_company_code,
                "makasete_store_code": target.makasete_store_code, "kind": kind.value,
                "business_date": business_date, "hour": hour, "revision": revision + 1,
                "supersedes": supersedes,
                "content_hash": digest, "record_count": len(recs), "body": body,
                "state": PENDING, "attempts": 0, "next_attempt_at": now, "last_error": "",
                "created_at": now})
            added.append(Enqueued(key, target.company_code, target.store_code, kind.value,
                                  business_date, hour, len(recs)))
    for start in range(0, len(rows), 2000):
        session.execute(insert(ExportBatch), rows[start:start + 2000])
    if len(rows) >= _ANALYZE_AFTER and session.get_bind().dialect.name == "postgresql":
        _analyze_if_grown(session, len(rows))
    return added


def _analyze_if_grown(session: Session, added: int) -> None:
    """Fresh planner statistics, committed with the rows, when a fire grew the table by more
    than a tenth. With the old ones (an empty table on the first night) the drainers' claim
    (a NOT EXISTS over the stream) was planned as a nested loop of sequential scans:
    quadratic, 80,000 batches of one close never finished. Autovacuum would analyze too, but
    a minute late, after the claims are planned."""
    known = session.scalar(text(
        "SELECT reltuples FROM pg_class WHERE oid = 'export_batches'::regclass"))
    if known is None or known < 0 or added > 0.1 * known:
        session.execute(text("ANALYZE export_batches"))


def _in_one_transaction(factory: sessionmaker[Session], work: Any) -> list[Enqueued]:
    # Two fires racing for the same store (a POS close event and the scheduled close) compute
    # the same next revision; the loser's unique key fails, and its second try sees the
    # winner's batches and adds nothing.
    for attempt in range(3):
        try:
            with factory() as session, session.begin():
                result: list[Enqueued] = work(session)
                return result
        except IntegrityError:
            if attempt == 2:
                raise
    return []


def enqueue_close(factory: sessionmaker[Session], tz: ZoneInfo, business_date: date, *,
                  company_code: str | None = None, store_code: str | None = None,
                  close_time: str | None = None, kinds: Sequence[Kind] = ALL_KINDS,
                  now: datetime | None = None) -> list[Enqueued]:
    """閉局: every kind of the business date for each eligible store (optionally only those
    closing at `close_time`), one transaction per `CLOSE_CHUNK_STORES` stores."""
    with factory() as session:
        targets = targets_on(session, business_date, company_code=company_code,
                             store_code=store_code)
    if close_time is not None:
        at = parse_close_time(close_time)
        targets = [t for t in targets if parse_close_time(t.close_time) == at]
    targets.sort(key=lambda t: t.key)  # a chunk's stores are neighbours: narrow reads
    added: list[Enqueued] = []
    for start in range(0, len(targets), CLOSE_CHUNK_STORES):
        chunk = targets[start:start + CLOSE_CHUNK_STORES]
        added += _in_one_transaction(factory, lambda session, chunk=chunk: enqueue(
            session, chunk, business_date, kinds, tz, now=now))
    return added


def enqueue_hourly(factory: sessionmaker[Session], tz: ZoneInfo, slot_start: datetime, *,
                   now: datetime | None = None,
                   stores: Collection[StoreKey] | None = None) -> list[Enqueued]:
    """The hourly 支払種別明細 for payments made in [slot_start, slot_start + 1h).

    Each store's batch carries the business date the slot belongs to for that store (after
    midnight, a store closing at 02:00 is still on the previous date). Hours without payments
    send nothing: the 閉局 batch has the day's totals either way. `stores` limits the fire to
    those stores (a late hour of a register that was offline).
    """
    start = slot_start.astimezone(tz)
    slot = (start, start + timedelta(hours=1))

    def work(session: Session) -> list[Enqueued]:
        added: list[Enqueued] = []
        for day in (start.date(), start.date() - timedelta(days=1)):
            targets = [t for t in targets_on(session, day)
                       if business_date_at(start, t.close_time, tz) == day
                       and (stores is None or t.key in stores)]
            added += enqueue(session, targets, day, HOURLY_KINDS, tz, hour=start.hour,
                             slot=slot, skip_empty=True, now=now)
        return added
    return _in_one_transaction(factory, work)


def enqueue_revisions(factory: sessionmaker[Session], tz: ZoneInfo, business_date: date, *,
                      stores: Collection[StoreKey], hours: dict[datetime, set[StoreKey]],
                      now: datetime | None = None) -> list[Enqueued]:
    """Late data of one business date, in one transaction: the whole day again for `stores`,
    then each late hour's 支払種別明細 (slot start -> stores); each becomes the next revision
    only where its content changed."""
    def work(session: Session) -> list[Enqueued]:
        wanted = set(stores).union(*hours.values())
        targets = [t for t in targets_on(session, business_date) if t.key in wanted]
        added = enqueue(session, [t for t in targets if t.key in stores], business_date,
                        ALL_KINDS, tz, now=now)
        for start, keys in sorted(hours.items()):
            local = start.astimezone(tz)
            added += enqueue(session, [t for t in targets if t.key in keys], business_date,
                             HOURLY_KINDS, tz, hour=local.hour,
                             slot=(local, local + timedelta(hours=1)), skip_empty=True, now=now)
        return added
    return _in_one_transaction(factory, work)
