"""Slack's pace (issue 9 part 7), measured in one run against the Slack emulator over HTTP.

1. 429 isolation: 100 tickets, each moved once (a chat.update and a thread post apiece), the
   outbox loop running as in `renkei run`; one ticket's thread post is answered 429 with
   Retry-After 30. Prints how many tickets were delayed and by how much, against the others'
   latency (commit → thread post at Slack). Goal: only the throttled ticket waits ~30 s.
2. Pace: 12 tickets filed at once into one channel (a message and a thread post each) with
   SLACK_CHANNEL_POSTS_PER_SECOND=1 and SLACK_CHANNEL_BURST=5. Prints the sustained rate of
   posts into the channel and the busiest second. Goal: ≤ 1/s sustained after the burst.

    .venv/bin/python bench/slack_pace.py [--tickets 100] [--retry-after 30]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from bot.context import Context  # noqa: E402
from bot.runtime import add_senders  # noqa: E402
from bot.slack.app import build  # noqa: E402
from tests.slack_emulator import Emulator  # noqa: E402
from tests.slack_harness import CHANNEL, PLANNER, SALES, settings_for  # noqa: E402
from workflow.db import make_engine, make_sessionmaker  # noqa: E402
from workflow.migrate import upgrade  # noqa: E402
from workflow.service import Workflow  # noqa: E402

RAW = {"customer_code": "123456", "company_code": "67890", "company_name": "株式会社データ分析",
       "stores": "0001:目黒本店\n0002:目黒川店"}


def _setup(folder: str, emulator: Emulator, name: str, **extra: str) -> tuple[Context, object]:
    url = f"sqlite:///{folder}/{name}.db"
    upgrade(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    settings = settings_for(emulator, RENKEI_PLANNING_USERS=PLANNER, **extra)
    ctx = Context(settings, engine, factory, Workflow(factory, settings))
    bot = build(ctx)
    add_senders(ctx, bot.notifier)
    return ctx, bot


def _file(ctx: Context, n: int) -> list[int]:
    wf = ctx.workflow
    date = wf.calendar.add_business_days(wf.today(), 6).isoformat()
    return [wf.file_request("new", {**RAW, "desired_date": date},
                            actor=wf.actor(SALES, role="sales")).id for _ in range(n)]


def isolation(folder: str, tickets: int, retry_after: int) -> None:
    emulator = Emulator()
    ctx, bot = _setup(folder, emulator, "isolation", SLACK_CHANNEL_POSTS_PER_SECOND="1000",
                      SLACK_CHANNEL_BURST="1000")
    wf = ctx.workflow
    ids = _file(ctx, tickets)
    while bot.notifier.drain().sent:  # every ticket's message posted
        pass
    throttled = ids[len(ids) // 3]
    ts = wf.get(throttled).slack_ts
    emulator.fail("chat.postMessage", status=429, retry_after=retry_after,
                  match={"thread_ts": str(ts)})
    stop = threading.Event()
    thread = bot.notifier.start(stop, interval=0.05)
    committed: dict[int, float] = {}
    for ticket_id in ids:
        wf.advance(ticket_id, "request_kintone", actor=wf.actor(SALES, role="sales"))
        committed[ticket_id] = time.time()
        bot.notifier.kick()
    by_ts = {wf.get(i).slack_ts: i for i in ids}

    def arrived(e: Emulator) -> dict[int, float]:
        seen: dict[int, float] = {}
        for c in e.of("chat.postMessage"):
            ticket = by_ts.get(c.args.get("thread_ts"))
            if ticket is not None and c.at >= committed.get(ticket, 1e18):
                seen.setdefault(ticket, c.at)
        return seen

    emulator.wait_for(lambda e: len(arrived(e)) == len(ids), retry_after + 60)
    stop.set()
    bot.notifier.kick()
    thread.join(10)
    latency = {i: t - committed[i] for i, t in arrived(emulator).items()}
    others = sorted(v for i, v in latency.items() if i != throttled)
    delayed = [i for i, v in latency.items() if v > retry_after / 2]
    p99 = statistics.quantiles(others, n=100)[98] if len(others) > 1 else others[0]
    print(f"1. 429 isolation: {len(ids)} tickets moved once, ticket #{throttled}'s thread post "
          f"answered 429 Retry-After {retry_after}")
    print(f"   delayed: {len(delayed)} ticket(s) {sorted(delayed)} by "
          f"{max(latency[i] for i in delayed) if delayed else 0:.1f} s")
    print(f"   the other {len(others)}: latency p50 {statistics.median(others) * 1000:.0f} ms, "
          f"p99 {p99 * 1000:.0f} ms, max {others[-1] * 1000:.0f} ms "
          f"(ratio throttled/others-max {latency[throttled] / others[-1]:.0f}x)")
    bot.close()
    emulator.close()


def pace(folder: str, tickets: int = 12) -> None:
    emulator = Emulator()
    ctx, bot = _setup(folder, emulator, "pace", SLACK_CHANNEL_POSTS_PER_SECOND="1",
                      SLACK_CHANNEL_BURST="5")
    ids = _file(ctx, tickets)
    stop = threading.Event()
    start = time.time()
    thread = bot.notifier.start(stop, interval=0.05)
    bot.notifier.kick()
    emulator.wait_for(lambda e: len([c for c in e.of("chat.postMessage")
                                     if c.args.get("channel") == CHANNEL]) >= 2 * len(ids), 120)
    stop.set()
    bot.notifier.kick()
    thread.join(10)
    times = sorted(c.at - start for c in emulator.of("chat.postMessage")
                   if c.args.get("channel") == CHANNEL)
    busiest = max(sum(1 for t in times if s <= t < s + 1.0) for s in times)
    after_burst = times[5:]
    rate = (len(after_burst) - 1) / (after_burst[-1] - after_burst[0])
    print(f"2. pace: {len(times)} posts into one channel (1/s, burst 5): all out in "
          f"{times[-1]:.1f} s; sustained after the burst {rate:.2f} posts/s; "
          f"busiest second {busiest} posts (the burst)")
    bot.close()
    emulator.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100)
    parser.add_argument("--retry-after", type=int, default=30)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as folder:
        print("bench/slack_pace.py — SQLite, the outbox loop of `renkei run`, Slack emulator")
        isolation(folder, args.tickets, args.retry_after)
        pace(folder)


if __name__ == "__main__":
    main()
