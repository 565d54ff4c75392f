"""Database size after N simulated nights of M stores, with and without retention, in one run.

Each night: the close of every store (8 kinds) and the hourly 支払種別明細 of 11:00-23:00 are
enqueued by the real code (`exporter.batches`), marked delivered that night (delivery itself
is measured by bench/exporter.py), plus the night's bookkeeping: scheduled-fire claims (24
hourly, 4 close times, the prune), processed request ids (Slack retries / clicks) and finished
outbox jobs. The same rows go into three SQLite files: never pruned, pruned nightly with
EXPORT_RETENTION_DAYS (default 35), and pruned nightly with a short retention (default 7) to
show the steady state within the run. Sizes: bytes in use (pages minus free pages, what the
data occupies), the file on disk (SQLite reuses freed pages but does not shrink), and the file
after VACUUM.

The POS source (register data) is one business day shifted forward each night, so its size is
constant and the figures show what retention governs: renkei does not prune the register's own
rows.

Usage: python bench/retention.py [--stores 2000] [--nights 30] [--short-retention 7]
       [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
With --database-url the variants run on PostgreSQL, one throwaway database each.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, func, insert, text, update

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from exporter import demo, retention  # noqa: E402
from exporter.batches import enqueue_close, enqueue_hourly  # noqa: E402
from exporter.models import DONE, PENDING, ExportBatch  # noqa: E402
from exporter.pos import (  # noqa: E402
    PosCashCount,
    PosCashMovement,
    PosPayment,
    PosReceipt,
    PosReceiptLine,
)
from workflow import retention as workflow_retention  # noqa: E402
from workflow.db import make_engine, make_sessionmaker  # noqa: E402
from workflow.migrate import upgrade  # noqa: E402
from workflow.models import OutboxJob, ProcessedRequest, ScheduledFire  # noqa: E402

TZ = ZoneInfo("Asia/Tokyo")
FIRST = date(2026, 10, 1)
COPIED = ("export_batches", "outbox_jobs", "processed_requests", "scheduled_fires")
POS_DAY_TABLES = (PosReceipt, PosReceiptLine, PosPayment, PosCashMovement, PosCashCount)


def night_of(n: int) -> tuple[date, datetime]:
    """Night n's business day and the moment it is closed and pruned: 04:30 JST the next day."""
    day = FIRST + timedelta(days=n)
    at = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=TZ)
    return day, at.replace(hour=4, minute=30).astimezone(UTC)


def sizes(path: Path) -> tuple[int, int]:
    """(bytes in use, file size)."""
    with sqlite3.connect(path) as conn:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    return (pages - free) * page, path.stat().st_size


def vacuumed(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        conn.execute("VACUUM")
    return path.stat().st_size


def bookkeeping(factory, night: int, at: datetime) -> None:  # type: ignore[no-untyped-def]
    """A night's claims, request ids and finished jobs (sizes like the real ones)."""
    fires = [{"job_id": "export:hourly", "fire_time": at - timedelta(hours=h), "claimed_by":
              "host-1:4242:scheduler", "claimed_at": at} for h in range(24)]
    fires += [{"job_id": f"export:close@{t}", "fire_time": at - timedelta(hours=2),
               "claimed_by": "host-1:4242:scheduler", "claimed_at": at}
              for t in ("21:00", "22:00", "23:00", "23:30")]
    fires.append({"job_id": "export:prune", "fire_time": at, "claimed_by": "host-2:77:sched",
                  "claimed_at": at})
    requests = [{"key": f"slack:{night}:{n}:Ev0{n:08d}-retry-1", "at": at} for n in range(300)]
    jobs = [{"kind": "slack_post", "ticket_id": None, "dedupe_key": f"ticket-{night}-{n}:post",
             "payload": {"channel": "C0123456789", "text": "依頼 #1 を更新しました " * 12},
             "state": "done", "attempts": 1, "next_attempt_at": at, "last_error": "",
             "created_at": at, "done_at": at} for n in range(50)]
    with factory() as session, session.begin():
        session.execute(insert(ScheduledFire), fires)
        session.execute(insert(ProcessedRequest), requests)
        session.execute(insert(OutboxJob), jobs)


def _next_day(column: Any, dialect: str, *, moment: bool) -> Any:
    if dialect == "sqlite":
        return (func.datetime if moment else func.date)(column, "+1 day")
    return column + text("interval '1 day'") if moment else column + 1


def night(factory, day: date, at: datetime) -> int:  # type: ignore[no-untyped-def]
    """Move the register data to `day`, enqueue its close and hours, deliver them."""
    with factory() as session, session.begin():
        dialect = session.get_bind().dialect.name
        for table in POS_DAY_TABLES:
            moved = {"business_date": _next_day(table.business_date, dialect, moment=False)}
            for moment in ("sold_at", "paid_at", "occurred_at"):
                if hasattr(table, moment):  # the hourly slots follow the day
                    moved[moment] = _next_day(getattr(table, moment), dialect, moment=True)
            session.execute(update(table).values(**moved))
    added = len(enqueue_close(factory, TZ, day, now=at))
    for hour in range(11, 24):
        slot = datetime.combine(day, datetime.min.time(), tzinfo=TZ) + timedelta(hours=hour)
        added += len(enqueue_hourly(factory, TZ, slot, now=at))
    with factory() as session, session.begin():
        session.execute(update(ExportBatch).where(ExportBatch.state == PENDING)
                        .values(state=DONE, delivered_at=at))
    return added


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stores", type=int, default=2_000)
    parser.add_argument("--nights", type=int, default=30)
    parser.add_argument("--receipts", type=int, default=8, help="receipts per store and day")
    parser.add_argument("--retention-days", type=int, default=35)
    parser.add_argument("--short-retention", type=int, default=7)
    parser.add_argument("--outbox-retention-days", type=int, default=35)
    parser.add_argument("--database-url", help="a PostgreSQL admin URL (…/postgres): run the "
                        "variants there, one throwaway database each, instead of SQLite")
    args = parser.parse_args()
    if args.database_url:
        postgresql(args)
        return
    folder = Path(tempfile.mkdtemp(prefix="renkei-retention-"))
    names = {"none": "never pruned", "std": f"pruned, {args.retention_days} d",
             "short": f"pruned, {args.short_retention} d"}
    paths = {k: folder / f"{k}.db" for k in names}
    for path in paths.values():
        upgrade(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{paths['none']}")
    factory = make_sessionmaker(engine)
    print(f"cores: {os.cpu_count()}, {args.stores} stores, {args.receipts} receipts a store "
          f"and day, {args.nights} nights, SQLite files in {folder}")
    t = time.perf_counter()
    demo.generate(factory, stores=args.stores, days=1, end=FIRST - timedelta(days=1), tz=TZ,
                  receipts_per_day=args.receipts)
    conn = sqlite3.connect(paths["none"])
    for key in ("std", "short"):
        conn.execute(f"ATTACH DATABASE '{paths[key]}' AS {key}")
        for table in ("companies", "stores", "pos_categories", "pos_products", "pos_receipts",
                      "pos_receipt_lines", "pos_payments", "pos_cash_movements",
                      "pos_cash_counts"):
            conn.execute(f"INSERT INTO {key}.{table} SELECT * FROM main.{table}")
    conn.commit()
    print(f"register data: {time.perf_counter() - t:.1f}s (not timed)")
    variants = {"std": (args.retention_days, args.outbox_retention_days),
                "short": (args.short_retention, args.short_retention)}
    factories = {k: make_sessionmaker(make_engine(f"sqlite:///{paths[k]}")) for k in variants}
    last_ids = dict.fromkeys(COPIED, 0)
    batches = 0
    started = time.perf_counter()
    for n in range(args.nights):
        day, at = night_of(n)
        batches += night(factory, day, at)
        bookkeeping(factory, n, at)
        for key in variants:  # the same new rows into each pruned file
            for table in COPIED:
                rowid = last_ids[table]
                conn.execute(f"INSERT INTO {key}.{table} SELECT * FROM main.{table} "
                             f"WHERE rowid > ?", (rowid,))
        conn.commit()
        for table in COPIED:
            last_ids[table] = conn.execute(f"SELECT max(rowid) FROM main.{table}").fetchone()[0]
        for key, (days, outbox_days) in variants.items():
            retention.prune_batches(factories[key], days=days, now=at)
            workflow_retention.prune(factories[key], outbox_days=outbox_days, now=at)
        if (n + 1) % 10 == 0 or n + 1 == args.nights:
            used = {k: sizes(p)[0] for k, p in paths.items()}
            print(f"night {n + 1:>3}: {batches} batches so far; in use " + ", ".join(
                f"{names[k]} {used[k] / 2**20:.1f} MiB" for k in names)
                + f" ({time.perf_counter() - started:.0f}s)")
    conn.close()
    engine.dispose()
    print(f"\nafter {args.nights} nights of {args.stores} stores ({batches} batches):")
    print(f"{'':<16} {'in use':>10} {'file':>10} {'VACUUMed':>10}")
    final: dict[str, tuple[int, int]] = {}
    for key, label in names.items():
        used, size = sizes(paths[key])
        final[key] = (used, vacuumed(paths[key]))
        print(f"{label:<16} {used / 2**20:>8.1f}Mi {size / 2**20:>8.1f}Mi "
              f"{final[key][1] / 2**20:>8.1f}Mi")
    for key in ("std", "short"):
        print(f"RATIO {names[key]} / never pruned: in use "
              f"{final[key][0] / final['none'][0]:.2f}, after VACUUM "
              f"{final[key][1] / final['none'][1]:.2f}")
    # Emptied bodies leave room inside pages that later rows (with higher ids) do not reuse;
    # overflow pages of large bodies go back to the free list at once.


def postgresql(args: argparse.Namespace) -> None:
    """The same nights on PostgreSQL, each variant in its own database (run one after the
    other: PostgreSQL has no ATTACH). Sizes: pg_database_size as it stands (autovacuum
    reuses what pruning frees, the files do not shrink), and after VACUUM FULL. On a server
    with autovacuum off each night ends with VACUUM ANALYZE in every variant, standing in for
    it: without, the never-pruned database bloats with the deliveries' updates and the pruned
    ones with their deletions, and the sizes compare bloat, not retention."""
    admin = create_engine(args.database_url, isolation_level="AUTOCOMMIT")
    variants = {"none": ("never pruned", None),
                "std": (f"pruned, {args.retention_days} d",
                        (args.retention_days, args.outbox_retention_days)),
                "short": (f"pruned, {args.short_retention} d",
                          (args.short_retention, args.short_retention))}
    print(f"cores: {os.cpu_count()}, {args.stores} stores, {args.receipts} receipts a store "
          f"and day, {args.nights} nights, PostgreSQL")
    with admin.connect() as conn:
        autovacuum = conn.execute(text("SHOW autovacuum")).scalar_one() == "on"
    if not autovacuum:
        print("autovacuum is off on this server: every variant ends each night with VACUUM "
              "ANALYZE, as autovacuum would (the nightly prune vacuums its own tables there)")
    final: dict[str, tuple[int, int]] = {}
    for key, (label, prune) in variants.items():
        name = f"renkei_retention_{key}_{os.getpid()}"
        url = args.database_url.rsplit("/", 1)[0] + "/" + name
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            upgrade(url)
            engine = make_engine(url)
            factory = make_sessionmaker(engine)
            demo.generate(factory, stores=args.stores, days=1, end=FIRST - timedelta(days=1),
                          tz=TZ, receipts_per_day=args.receipts)
            batches, started = 0, time.perf_counter()
            for n in range(args.nights):
                day, at = night_of(n)
                batches += night(factory, day, at)
                bookkeeping(factory, n, at)
                if prune is not None:
                    retention.prune_batches(factory, days=prune[0], now=at)
                    workflow_retention.prune(factory, outbox_days=prune[1], now=at)
                if not autovacuum:
                    with engine.connect().execution_options(
                            isolation_level="AUTOCOMMIT") as conn:
                        conn.execute(text("VACUUM ANALYZE"))
            engine.dispose()
            with admin.connect() as conn:
                size = int(conn.execute(text("SELECT pg_database_size(:n)"), {"n": name})
                           .scalar_one())
            vacuum = create_engine(url, isolation_level="AUTOCOMMIT")
            with vacuum.connect() as conn:
                conn.execute(text("VACUUM FULL"))
            vacuum.dispose()
            with admin.connect() as conn:
                full = int(conn.execute(text("SELECT pg_database_size(:n)"), {"n": name})
                           .scalar_one())
            final[key] = (size, full)
            print(f"{label:<16} {batches} batches: {size / 2**20:8.1f} MiB, after VACUUM FULL "
                  f"{full / 2**20:8.1f} MiB ({time.perf_counter() - started:.0f}s)")
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    for key in ("std", "short"):
        print(f"RATIO {variants[key][0]} / never pruned: as it stands "
              f"{final[key][0] / final['none'][0]:.2f}, after VACUUM FULL "
              f"{final[key][1] / final['none'][1]:.2f}")


if __name__ == "__main__":
    main()
