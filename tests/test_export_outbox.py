"""The outbox end to end against a fake partner over real HTTP, on SQLite and PostgreSQL:
who is exported, the eight kinds, ordering, outages, retries and the dead-letter state."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from exporter import batches as batches_module
from exporter import outbox
from exporter.batches import enqueue_close, enqueue_hourly
from exporter.destinations import Sender
from exporter.kinds import ALL_KINDS, Kind
from exporter.models import DEAD, DONE, PENDING, ExportBatch
from exporter.pos import PosReceipt
from exporter.status import store_status
from tests.dbs import Database
from tests.export_support import (
    AT_CLOSE,
    DAY,
    TZ,
    Clock,
    batches,
    fast_settings,
    receiver,
    sender,
    settings_for,
    setup_stores,
)
from tests.webhook_receiver import Receiver

__all__ = ["receiver", "sender"]  # fixtures


def _drain_until_done(db: Database, snd: Sender, clock: Clock, *, rounds: int = 200) -> None:
    """Drain, moving the clock past every backoff, until nothing is pending."""
    for _ in range(rounds):
        outbox.drain(db.factory, snd, worker="t", now=clock)
        if outbox.pending_count(db.factory) == 0:
            return
        clock.advance(minutes=15)
    raise AssertionError("batches still pending")


def test_only_linked_stores_inside_their_window(database: Database, receiver: Receiver,
                                                sender: Sender) -> None:
    setup_stores(database, stores=5, unlinked=("0002",), windows={
        "0003": (date(2026, 11, 2), date(2026, 11, 10)),    # ended before DAY
        "0004": (date(2026, 11, 25), date(2026, 12, 31)),   # starts after DAY
    })
    added = enqueue_close(database.factory, TZ, DAY)
    assert {e.store_code for e in added} == {"0001", "0005"}
    outbox.drain(database.factory, sender, worker="t")
    assert {env["store_code"] for env in receiver.accepted.values() if env} == {"67890",
                                                                                 "67894"}


def test_all_eight_kinds_at_close_and_payments_hourly(database: Database, receiver: Receiver,
                                                      sender: Sender) -> None:
    setup_stores(database, stores=2, receipts=20)
    added = enqueue_close(database.factory, TZ, DAY)
    assert Counter(e.kind for e in added) == {k.value: 2 for k in ALL_KINDS}
    hour_start = datetime(2026, 11, 20, 13, tzinfo=TZ)
    hourly = enqueue_hourly(database.factory, TZ, hour_start)
    assert hourly and all(e.kind == Kind.PAYMENT_BREAKDOWN and e.hour == 13 for e in hourly)
    result = outbox.drain(database.factory, sender, worker="t")
    assert result.sent == len(added) + len(hourly) and result.dead == 0
    for req in receiver.requests:  # the header and the body carry the same key
        assert req.envelope is not None and req.key == req.envelope["idempotency_key"]
    envelopes = [e for e in receiver.accepted.values() if e]
    day_totals = {env["store_code"]: env for env in envelopes
                  if env["kind"] == "payment_breakdown" and env["hour"] is None}
    for env in envelopes:
        if env["kind"] == "payment_breakdown" and env["hour"] == 13:
            hour_sum = sum(r["amount"] for r in env["records"])
            assert 0 < hour_sum <= sum(r["amount"] for r in day_totals[env["store_code"]]
                                       ["records"])
    with database.factory() as session:
        receipts = session.query(PosReceipt).filter_by(business_date=DAY).count()
    sales = [r for env in envelopes if env["kind"] == "sales" for r in env["records"]]
    assert len(sales) == receipts


def test_same_data_again_adds_nothing_and_changed_data_is_a_new_revision(
        database: Database) -> None:
    setup_stores(database, stores=1)
    first = enqueue_close(database.factory, TZ, DAY)
    assert enqueue_close(database.factory, TZ, DAY) == []
    with database.factory() as session, session.begin():
        receipt = session.query(PosReceipt).filter_by(business_date=DAY).first()
        assert receipt is not None
        receipt.customer_segment = "団体"  # the register reopened and corrected a receipt
    again = enqueue_close(database.factory, TZ, DAY)
    assert [e.kind for e in again] == ["sales"]
    assert again[0].idempotency_key == next(
        e.idempotency_key for e in first if e.kind == "sales").replace("-r1", "-r2")


def test_a_day_of_outage_then_everything_arrives_in_order_once(
        database: Database, receiver: Receiver) -> None:
    setup_stores(database, stores=3, days=2, receipts=25)
    clock = Clock(datetime(2026, 11, 19, 2, 0, tzinfo=TZ))
    snd = Sender(settings_for(receiver.url), fast_settings())
    receiver.down()
    for _ in range(24):  # every hourly fire and the closes of two days go nowhere
        start = clock() - timedelta(hours=1)
        enqueue_hourly(database.factory, TZ, start, now=clock())
        for day in (date(2026, 11, 19), DAY):
            if clock().astimezone(TZ).hour == 23 and clock().astimezone(TZ).date() == day:
                enqueue_close(database.factory, TZ, day, now=clock())
        outbox.drain(database.factory, snd, worker="t", now=clock)
        clock.advance(hours=1)
    enqueue_close(database.factory, TZ, DAY, now=clock())
    assert receiver.accepted == {}
    receiver.up()
    _drain_until_done(database, snd, clock)
    snd.close()
    rows = batches(database)
    assert all(b.state == DONE for b in rows)
    assert set(receiver.accepted) == {b.idempotency_key for b in rows}
    # per stream, the partner saw the batches in enqueue order
    by_stream: dict[str, list[str]] = {}
    for b in rows:
        by_stream.setdefault(b.stream, []).append(b.idempotency_key)
    arrived = list(receiver.accepted)
    for keys in by_stream.values():
        assert sorted(keys, key=arrived.index) == keys
    # they were retried through the outage, and each key reached the partner exactly once
    assert max(b.attempts for b in rows) > 3
    assert Counter(r.key for r in receiver.requests) == Counter(set(receiver.accepted))


def test_a_failing_store_holds_back_only_its_own_streams(database: Database,
                                                         receiver: Receiver,
                                                         sender: Sender) -> None:
    setup_stores(database, stores=3, days=2)
    receiver.fail_stores = {"67891"}
    for day in (DAY - timedelta(days=1), DAY):
        enqueue_close(database.factory, TZ, day)
    outbox.drain(database.factory, sender, worker="t")
    rows = batches(database)
    failing = [b for b in rows if b.makasete_store_code == "67891"]
    assert all(b.state == PENDING for b in failing)
    assert {b.attempts for b in failing if b.business_date == DAY} == {0}  # held, not tried
    assert all(b.state == DONE for b in rows if b.makasete_store_code != "67891")
    assert all(b.last_status == 500 and b.next_attempt_at > b.created_at
               for b in failing if b.attempts)


def test_transient_failures_retry_and_429_honours_retry_after(database: Database,
                                                              receiver: Receiver) -> None:
    setup_stores(database, stores=1)
    clock = Clock(AT_CLOSE)
    enqueue_close(database.factory, TZ, DAY, kinds=[Kind.SALES], now=clock())
    snd = Sender(settings_for(receiver.url), fast_settings(EXPORT_TIMEOUT_SECONDS=0.3))
    receiver.hang_seconds = 1.5
    seen = []
    for mode in ("500", "429", "hang", "drop", "down"):
        if mode == "down":
            receiver.down()
        else:
            receiver.mode = mode
        receiver.retry_after = "90"
        outbox.drain(database.factory, snd, worker="t", now=clock)
        (row,) = batches(database)
        assert row.state == PENDING
        seen.append(row.last_status)
        if mode == "429":
            assert row.next_attempt_at == clock() + timedelta(seconds=90)
        clock.advance(hours=1)
    receiver.up()
    outbox.drain(database.factory, snd, worker="t", now=clock)
    snd.close()
    (row,) = batches(database)
    assert seen == [500, 429, 0, 0, 0]
    assert row.state == DONE and row.attempts == 6
    assert len(receiver.accepted) == 1


def test_other_4xx_is_dead_until_retried(database: Database, receiver: Receiver) -> None:
    setup_stores(database, stores=1)
    enqueue_close(database.factory, TZ, DAY, kinds=[Kind.SALES, Kind.SETTLEMENT_REPORT])
    # the partner rejects a body whose key differs from the header: a 400
    snd = Sender(settings_for(receiver.url.replace("127.0.0.1", "localhost")), fast_settings())
    receiver.mode = "up"
    original = receiver._answer
    receiver._answer = lambda key, raw: (422, {}, b'{"error":"unknown store"}')  # type: ignore
    outbox.drain(database.factory, snd, worker="t")
    rows = batches(database)
    assert [b.state for b in rows] == [DEAD, DEAD]
    (status,) = store_status(database.factory)
    assert status.dead == 2 and status.pending == 0
    assert "HTTP 422" in status.dead_batches[0].last_error
    receiver._answer = original  # type: ignore[method-assign]
    assert outbox.requeue_dead(database.factory) == 2
    outbox.drain(database.factory, snd, worker="t")
    snd.close()
    assert [b.state for b in batches(database)] == [DONE, DONE]
    (status,) = store_status(database.factory)
    assert status.delivered == 2 and status.dead == 0 and status.last_delivered_date == DAY


def test_a_close_commits_whole_stores_a_chunk_at_a_time(database: Database,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    setup_stores(database, stores=5)
    monkeypatch.setattr(batches_module, "CLOSE_CHUNK_STORES", 2)
    real = batches_module.enqueue
    calls = []

    def crash_in_second_chunk(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the process died")
        return real(*args, **kwargs)

    monkeypatch.setattr(batches_module, "enqueue", crash_in_second_chunk)
    with pytest.raises(RuntimeError):
        enqueue_close(database.factory, TZ, DAY)
    with database.factory() as session:  # the first chunk committed, whole stores only
        kept = Counter(s for (s,) in session.execute(select(ExportBatch.store_code)))
    assert kept == {"0001": 8, "0002": 8}
    monkeypatch.setattr(batches_module, "enqueue", real)
    resumed = enqueue_close(database.factory, TZ, DAY)  # what catch_up does for the rest
    assert Counter(e.store_code for e in resumed) == {"0003": 8, "0004": 8, "0005": 8}
    assert enqueue_close(database.factory, TZ, DAY) == []
