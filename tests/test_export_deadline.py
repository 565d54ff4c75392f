"""Issue 9 part 9: EXPORT_TIMEOUT_SECONDS is a total deadline per request (a partner trickling
its answer is cut off), and a drain whose round outlasts its lease keeps it by heartbeat, so no
other worker sends the same batch meanwhile."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime

from exporter import outbox
from exporter.batches import enqueue_close
from exporter.destinations import RETRY, Outgoing, Sender
from tests.dbs import Database
from tests.export_support import (
    DAY,
    TZ,
    batches,
    fast_settings,
    receiver,
    settings_for,
    setup_stores,
)
from tests.webhook_receiver import Receiver

__all__ = ["receiver"]


def test_a_trickling_partner_is_cut_at_the_total_deadline(receiver: Receiver) -> None:
    receiver.mode, receiver.trickle_seconds = "trickle", 0.5  # a byte every 0.5 s, forever
    sender = Sender(settings_for(receiver.url), fast_settings(EXPORT_TIMEOUT_SECONDS=2))
    batch = Outgoing(1, "tok", "key-1", "ex", "12345", "67890", "sales", "2026-11-20", "{}", 1)
    try:
        started = time.monotonic()
        outcome = sender.send(batch)
        took = time.monotonic() - started
    finally:
        sender.close()
    assert (outcome.state, outcome.status) == (RETRY, 0)
    assert "Timeout" in outcome.error
    # per-read timeouts alone would wait for the whole trickle (~40 bytes x 0.5 s = 20 s)
    assert took < 2 + 0.5 + 0.5, took
    print(f"\ntrickling partner cut after {took:.2f} s (EXPORT_TIMEOUT_SECONDS=2)")


def test_a_round_longer_than_its_lease_is_kept_by_heartbeat(sqlite_db: Database,
                                                            receiver: Receiver) -> None:
    setup_stores(sqlite_db, stores=1, days=1, receipts=2)
    enqueue_close(sqlite_db.factory, TZ, DAY)
    receiver.delay_seconds = 0.6  # a round of 8 batches, 2 at a time: ~2.4 s; lease 0.6 s
    xs = fast_settings(EXPORT_LEASE_SECONDS=0.6, EXPORT_CONCURRENCY=2, EXPORT_CLAIM_SIZE=8,
                       EXPORT_TIMEOUT_SECONDS=5)
    sender = Sender(settings_for(receiver.url), xs)
    outcome: list[tuple[outbox.DrainResult, int]] = []
    first = threading.Thread(target=lambda: outcome.append(
        outbox.drain_round(sqlite_db.factory, sender, worker="first")))
    other_claims: list[int] = []
    try:
        first.start()
        while not any((b.claim_token or "").startswith("first") for b in batches(sqlite_db)):
            time.sleep(0.01)
        while first.is_alive():  # a rival polls all through the round (4 leases long)
            got = outbox.claim(sqlite_db.factory, worker="rival", limit=50, lease_seconds=0.6,
                               now=datetime.now(UTC))
            other_claims.append(len(got))
            time.sleep(0.1)
    finally:
        first.join()
        sender.close()
    result, claimed = outcome[0]
    assert claimed == 8 and result.sent == 8
    assert len(other_claims) > 5 and sum(other_claims) == 0  # the rival never got one
    assert all(n == 1 for n in Counter(r.key for r in receiver.requests).values())
