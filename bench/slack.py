"""Signed Slack interactions against the bot's HTTP endpoint, on PostgreSQL.

Starts the bot as `renkei run` (waitress, the real Bolt App, the outbox sender) against a local
Slack Web API emulator and a throwaway PostgreSQL database, files tickets, then sends signed
block_actions clicks (each a real transition: Kintone依頼 → 設定依頼書送付 → 連携設定).

Load is open-loop, as Slack's is: clicks are scheduled at a fixed rate (--rate, default 200/s)
by a load generator in its own process (so the emulator's work does not slow the clients), and
each latency is measured from the click's scheduled time — a generator that falls behind shows
up as latency, not as a lower rate. A closed loop of N clients would only measure N/throughput
(Little's law). Prints ack latency p50/p99/max, the rate actually acked, timeouts (> 3 s,
Slack's limit), and how long the outbox took to deliver every Slack update after the last click.
Goal: p99 ≤ 50 ms at ≥ 200/s, 0 timeouts.

`--slow-api 2.5`: every Web API call (and response_url post) of the emulator takes 2.5 s. A mix
of `/renkei new` (opens a modal), `/renkei list`, intake submissions, plain clicks and
modal-opening clicks goes to the bot at --slow-rate a second; prints the HTTP reply p50/p99 of
each, and the trigger age when `views.open` reaches Slack (p50/p99). Goal: replies ≤ 100 ms
p99, trigger age ≤ 1 s p99 (a trigger_id lives 3 s).

    .venv/bin/python bench/slack.py [--tickets 600] [--rate 200]
    .venv/bin/python bench/slack.py --slow-api 2.5 [--slow-rate 10 --slow-seconds 20]
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import queue
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

# bench/transitions.py shadows the `transitions` library when bench/ is sys.path[0].
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from tests.slack_driver import Driver  # noqa: E402
from tests.slack_emulator import Emulator  # noqa: E402
from tests.slack_harness import PLANNER, SALES, SECRET, TOKEN, settings_for  # noqa: E402
from workflow.db import make_engine, make_sessionmaker  # noqa: E402
from workflow.migrate import upgrade  # noqa: E402
from workflow.service import Workflow  # noqa: E402

ADMIN = os.environ.get("RENKEI_TEST_PG_ADMIN_URL",
                       "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
STEPS = [("request_kintone", SALES, "contacted"), ("send_spec", PLANNER, "kintone_requested"),
         ("start_setup", PLANNER, "spec_sent")]
RAW = {"customer_code": "123456", "company_code": "67890", "company_name": "株式会社データ分析",
       "stores": "0001:目黒本店\n0002:目黒川店", "desired_date": "2026-12-07"}


@dataclass
class Stack:
    """A throwaway PostgreSQL database (migrated), the Slack emulator, and the bot process
    a bench starts (`server`, stopped with SIGTERM at the end)."""

    url: str
    emulator: Emulator
    server: subprocess.Popen[bytes] | None = None


@contextmanager
def bench_stack(stop_seconds: float = 60) -> Iterator[Stack]:
    name = f"renkei_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    stack = Stack(ADMIN.rsplit("/", 1)[0] + "/" + name, Emulator())
    try:
        upgrade(stack.url)
        yield stack
    finally:
        if stack.server is not None:
            stack.server.send_signal(signal.SIGTERM)
            stack.server.wait(stop_seconds)
        stack.emulator.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000)[int(q * 1000) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=600)
    parser.add_argument("--rate", type=float, default=200.0, help="clicks per second offered")
    parser.add_argument("--workers", type=int, default=64, help="generator threads")
    parser.add_argument("--slow-api", type=float, default=0.0,
                        help="seconds every emulated Web API call takes (slow-API mode)")
    parser.add_argument("--slow-rate", type=float, default=10.0)
    parser.add_argument("--slow-seconds", type=float, default=20.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.slow_api:
        from bench.slack_slow import slow_api

        slow_api(args.slow_api, args.slow_rate, args.slow_seconds)
        return

    with bench_stack(stop_seconds=30) as stack:
        url, emulator = stack.url, stack.emulator
        engine = make_engine(url, pool_size=8)
        factory = make_sessionmaker(engine)
        settings = settings_for(emulator, DATABASE_URL=url)
        wf = Workflow(factory, settings)
        date = wf.calendar.add_business_days(wf.today(), 6).isoformat()
        ids = [wf.file_request("new", {**RAW, "desired_date": date},
                               actor=wf.actor(SALES, role="sales")).id
               for _ in range(args.tickets)]
        # The bot runs as `renkei run` in its own process, as in production (HTTP mode).
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "SLACK_BOT_TOKEN": TOKEN,
               "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": emulator.api_url,
               "SLACK_REQUESTS_CHANNEL": "CREQ", "RENKEI_PLANNING_USERS": PLANNER,
               "SLACK_APP_TOKEN": "",
               # The outbox's catch-up is measured at full speed: Slack's pace of one post a
               # second per channel is shown by bench/slack_pace.py.
               "SLACK_CHANNEL_POSTS_PER_SECOND": "100000", "SLACK_CHANNEL_BURST": "100000"}
        stack.server = subprocess.Popen(
            [str(Path(sys.executable).parent / "renkei"), "run", "--host", "127.0.0.1",
             "--port", str(port)], env=env, cwd=str(HERE.parent))
        wait_healthy(port)
        emulator.wait_for(lambda e: len(e.of("chat.postMessage")) >= 2 * len(ids), 180)

        base = f"http://127.0.0.1:{port}"
        latencies: list[float] = []
        failures: list[str] = []
        wall = 0.0
        last_click_done = 0.0
        mp = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(1, mp_context=mp) as generator:
            for number, (action, user, status) in enumerate(STEPS, start=1):
                jobs = [(i, action, user, status) for i in ids]
                took, lat, bad = generator.submit(
                    generate, base, emulator.url, jobs, args.rate, args.workers).result()
                wall += took
                latencies += lat
                failures += bad
                last_click_done = time.monotonic()
                _wait_events(factory, len(ids) * (number + 1))  # before the next step's clicks

        expected = len(ids) * (len(STEPS) + 1)
        emulator.wait_for(lambda e: len([c for c in e.of("chat.postMessage")
                                         if "thread_ts" in c.args]) >= expected, 300)
        catch_up = time.monotonic() - last_click_done
        moved = sum(1 for t in wf.list_tickets(limit=len(ids)) if t.status == "partner_setup")
        ms = [x * 1000 for x in latencies]
        print(f"bench/slack.py — PostgreSQL, bot as `renkei run` (HTTP, waitress); "
              f"{len(ids)} tickets × {len(STEPS)} signed clicks, open loop at {args.rate}/s")
        print(f"  ack latency     p50 {_percentile(ms, 0.5):6.1f} ms   "
              f"p99 {_percentile(ms, 0.99):6.1f} ms   max {max(ms):6.1f} ms   (goal p99 ≤ 50)")
        gaps = len(latencies) - len(STEPS)  # between the first and last ack of each round
        print(f"  sustained       {gaps / wall:6.0f} interactions/s acked, first to last ack "
              f"of each round (offered {args.rate:.0f}/s; goal ≥ 200)")
        print(f"  timeouts/errors {len(failures)}   tickets moved {moved}/{len(ids)}")
        print(f"  Slack updates   {expected} thread posts and "
              f"{len(emulator.of('chat.update'))} chat.update delivered by the outbox, "
              f"all within {catch_up:.1f} s of the last click")
        engine.dispose()
        if failures or moved != len(ids):
            sys.exit(1)


def generate(base: str, emulator_url: str, jobs: list[tuple[int, str, str, str]], rate: float,
             workers: int) -> tuple[float, list[float], list[str]]:
    """The load generator (its own process): click i is due at start + i/rate; its latency
    runs from that due time to the HTTP response (Bolt's ack). Returns the span from the
    first response to the last, the latencies and the failures."""
    stand_in = SimpleNamespace(url=emulator_url)  # the driver only needs its response URLs
    # Clients are built and connected before the clock starts: an httpx.Client loads its TLS
    # context on creation (tens of ms), which would otherwise land on the first clicks.
    drivers: queue.SimpleQueue[Driver] = queue.SimpleQueue()
    for _ in range(workers):
        driver = Driver(base, SECRET, stand_in)  # type: ignore[arg-type]
        driver.http.get(base + "/healthz")
        drivers.put(driver)
    start = time.perf_counter() + 0.2
    latencies: list[float] = []
    acked: list[float] = []  # when each response came
    failures: list[str] = []
    lock = threading.Lock()

    def click(numbered: tuple[int, tuple[int, str, str, str]]) -> None:
        n, (ticket_id, action, user, status) = numbered
        due = start + n / rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        blocks = [{"type": "actions", "elements": [{
            "action_id": f"renkei:{action}", "value": f"{ticket_id}:{status}",
            "text": {"type": "plain_text", "text": action}}]}]
        driver = drivers.get()
        try:
            code, error = driver.click(blocks, action, user=user).status_code, ""
        except Exception as exc:
            code, error = 0, type(exc).__name__
        now = time.perf_counter()
        took = now - due
        drivers.put(driver)
        with lock:
            latencies.append(took)
            acked.append(now)
            if code != 200 or took > 3.0:
                failures.append(error or str(code))

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(click, enumerate(jobs)))
    return max(acked) - min(acked), latencies, failures


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the bot did not start")


def _wait_events(factory: sessionmaker[Session], count: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with factory() as session:
            if session.scalar(text("SELECT count(*) FROM ticket_events")) >= count:
                return
        time.sleep(0.1)
    raise SystemExit("transitions did not all commit")


if __name__ == "__main__":
    main()
