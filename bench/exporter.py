"""Exporter throughput against the local fake partner, in one run.

1. 閉局 of N stores (default 10,000) x 8 kinds: enqueue (extract + freeze) and drain, timed.
2. The limit: a bare loop posting the same batches with httpx (same client settings and
   concurrency, bodies already in memory); prints exporter/bare records/s (goal >= 0.7).
3. Catch-up after a 24 h outage for M stores (default 1,000): every hourly 支払種別明細 and the
   close of the day are pending, each stream head in the state 24 h of failures leaves
   (attempts high, next attempt a full-jitter backoff at the cap, last failure "no
   response"); the partner is back; time until everything is delivered (goal <= 2 min).

Usage: python bench/exporter.py [--stores 10000] [--catchup-stores 1000] [--database-url URL]
The receiver runs in its own process so it does not share the GIL with the exporter.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select, update

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from exporter import demo, outbox  # noqa: E402
from exporter.batches import enqueue_close, enqueue_hourly  # noqa: E402
from exporter.destinations import Sender  # noqa: E402
from exporter.models import ExportBatch  # noqa: E402
from exporter.settings import ExporterSettings  # noqa: E402
from workflow.db import make_engine, make_sessionmaker, utcnow  # noqa: E402
from workflow.migrate import upgrade  # noqa: E402
from workflow.outbox import backoff_seconds  # noqa: E402
from workflow.settings import Settings  # noqa: E402

TZ = ZoneInfo("Asia/Tokyo")
DAY = date(2026, 11, 20)


def start_receiver() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "tests.webhook_receiver"], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    port = int(proc.stdout.readline())
    return proc, f"http://127.0.0.1:{port}/makasete/webhook"


def database(url: str | None, name: str, folder: Path):  # type: ignore[no-untyped-def]
    url = url or f"sqlite:///{folder / name}"
    upgrade(url)
    engine = make_engine(url)
    return engine, make_sessionmaker(engine)


def drain_all(factory, sender: Sender) -> outbox.DrainResult:  # type: ignore[no-untyped-def]
    total = outbox.DrainResult()
    while outbox.pending_count(factory):
        result = outbox.drain(factory, sender, worker="bench")
        total += result
        if not result.sent:
            time.sleep(0.02)
    return total


def bare_loop(url: str, bodies: list[tuple[str, str]], concurrency: int,
              timeout: float) -> float:
    """Seconds to post every body once: the floor for our client and this receiver."""
    client = httpx.Client(timeout=httpx.Timeout(timeout),
                          limits=httpx.Limits(max_connections=concurrency,
                                              max_keepalive_connections=concurrency))

    def post(item: tuple[str, str]) -> None:
        key, body = item
        response = client.post(url, content=body.encode(), headers={
            "Idempotency-Key": key, "Content-Type": "application/json; charset=utf-8"})
        response.raise_for_status()

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(post, bodies))
    elapsed = time.perf_counter() - started
    client.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stores", type=int, default=10_000)
    parser.add_argument("--catchup-stores", type=int, default=1_000)
    parser.add_argument("--receipts", type=int, default=8, help="receipts per store and day")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    x = ExporterSettings(_env_file=None)  # type: ignore[call-arg]
    receiver, url = start_receiver()
    settings = Settings(_env_file=None, EXPORT_DESTINATION=url)  # type: ignore[call-arg]
    folder = Path(tempfile.mkdtemp(prefix="renkei-bench-"))
    print(f"cores: {os.cpu_count()}, concurrency {x.concurrency}, claim size {x.claim_size}, "
          f"database {args.database_url or 'sqlite (temp file)'}")
    try:
        # 1. close of N stores
        engine, factory = database(args.database_url, "close.db", folder)
        t = time.perf_counter()
        demo.generate(factory, stores=args.stores, days=1, end=DAY, tz=TZ,
                      receipts_per_day=args.receipts)
        print(f"demo data for {args.stores} stores: {time.perf_counter() - t:.1f}s (not timed)")
        sender = Sender(settings, x)
        t0 = time.perf_counter()
        added = enqueue_close(factory, TZ, DAY)
        t1 = time.perf_counter()
        result = drain_all(factory, sender)
        t2 = time.perf_counter()
        assert result.sent == len(added) == args.stores * 8, (result, len(added))
        exporter_rps = result.records / (t2 - t1)
        print(f"close: {len(added)} batches, {result.records} records; enqueue {t1 - t0:.1f}s, "
              f"drain {t2 - t1:.1f}s, total {t2 - t0:.1f}s "
              f"({len(added) / (t2 - t1):.0f} batches/s, {exporter_rps:.0f} records/s)")
        # 2. the bare loop over the same batches
        with factory() as session:
            bodies = [(k, b) for k, b in session.execute(
                select(ExportBatch.idempotency_key, ExportBatch.body).order_by(ExportBatch.id))]
        bare = bare_loop(url, bodies, x.concurrency, x.timeout_seconds)
        bare_rps = result.records / bare
        print(f"bare httpx loop: {bare:.1f}s ({len(bodies) / bare:.0f} batches/s, "
              f"{bare_rps:.0f} records/s)")
        print(f"RATIO exporter/bare records/s: {exporter_rps / bare_rps:.2f} (goal >= 0.7)")
        print(f"CLOSE {args.stores} stores x 8 kinds: {t2 - t0:.1f}s (goal <= 300s for 10,000)"
              + ("" if args.stores == 10_000 else
                 f"; extrapolated to 10,000: {(t2 - t0) * 10_000 / args.stores:.0f}s"))
        sender.close()
        engine.dispose()
        # 3. catch-up after a 24 h outage
        engine, factory = database(None if args.database_url is None else args.database_url,
                                   "catchup.db", folder)
        if args.database_url:  # reuse: start from an empty outbox
            with factory() as session, session.begin():
                session.execute(ExportBatch.__table__.delete())
        demo.generate(factory, company_code="20001", makasete_company_code="23456",
                      stores=args.catchup_stores, days=1, end=DAY, tz=TZ,
                      receipts_per_day=40)
        start = datetime(2026, 11, 20, 11, tzinfo=TZ)
        for hour in range(24):
            enqueue_hourly(factory, TZ, start + timedelta(hours=hour))
        enqueue_close(factory, TZ, DAY)
        now = utcnow()
        with factory() as session, session.begin():
            ids = list(session.scalars(select(ExportBatch.id)))
            for batch_id in ids:  # what 24 h of failed attempts leave behind
                session.execute(update(ExportBatch).where(ExportBatch.id == batch_id).values(
                    attempts=40, last_status=0, last_error="ConnectError: refused",
                    next_attempt_at=now + timedelta(seconds=backoff_seconds(
                        40, base=x.retry_base_seconds, cap=x.retry_cap_seconds))))
        sender = Sender(settings, x)
        t0 = time.perf_counter()
        result = drain_all(factory, sender)
        elapsed = time.perf_counter() - t0
        print(f"CATCHUP {args.catchup_stores} stores, {len(ids)} batches after 24 h: "
              f"{elapsed:.1f}s ({result.sent} sent, {result.records} records; goal <= 120s)")
        sender.close()
        engine.dispose()
    finally:
        receiver.terminate()
        receiver.wait()


if __name__ == "__main__":
    main()
