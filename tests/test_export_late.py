"""Late data (issue 10, part 2): a register offline for three days comes back, and each day's
revision 2 reaches the partner by itself, once, in order, only for the kinds that changed."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import delete, insert, update
from typer.testing import CliRunner

from bot.cli.app import app
from exporter import demo, demo_offline, jobs, late
from exporter.destinations import Sender
from exporter.kinds import Envelope, Kind, validate_records
from exporter.outbox import drain
from exporter.pos import PosCashCount, PosCashMovement, PosPayment, PosReceipt, PosReceiptLine
from tests.dbs import Database
from tests.export_support import (
    COMPANY,
    DAY,
    TZ,
    Clock,
    batches,
    fast_settings,
    receiver,
    settings_for,
    setup_stores,
)
from tests.test_export_kinds import cli_env
from tests.webhook_receiver import Receiver

__all__ = ["cli_env", "receiver"]
DAYS = [DAY - timedelta(days=2), DAY - timedelta(days=1), DAY]
OFFLINE, ONLINE = "0002", "0001"  # 0002 closes at 21:00, 0001 at 23:30
MK_OFFLINE = "67891"
CHANGED = {Kind.SALES, Kind.SALES_DETAIL, Kind.PAYMENT_BREAKDOWN, Kind.SETTLEMENT_REPORT}


def _register_was_offline(db: Database) -> None:
    """Every row arrived on time (before the closes), except 0002's: its register was offline
    from the first of the three days, so renkei had none of them."""
    on_time = datetime(2026, 11, 17, tzinfo=UTC)
    with db.factory() as session, session.begin():
        for table in (PosReceipt, PosReceiptLine, PosPayment, PosCashMovement, PosCashCount):
            session.execute(update(table).values(received_at=on_time))
            session.execute(delete(table).where(table.store_code == OFFLINE,
                                                table.business_date.in_(DAYS)))


def _deliver(db: Database, receiver: Receiver) -> None:
    sender = Sender(settings_for(receiver.url), fast_settings())
    try:
        drain(db.factory, sender, worker="t")
    finally:
        sender.close()


def test_a_register_offline_for_three_days_sends_each_days_revision_2_by_itself(
        database: Database, receiver: Receiver) -> None:
    setup_stores(database, stores=2, days=3, receipts=6)
    _register_was_offline(database)
    clock = Clock()
    bound = jobs.ExportJobs(BackgroundScheduler(timezone=TZ), database.factory,
                            settings_for(receiver.url), fast_settings(), worker="w1",
                            clock=clock)
    try:
        for day in DAYS:  # three closes while 0002 is offline: its days go out (nearly) empty
            clock.now = datetime.combine(day, datetime.min.time(), tzinfo=TZ) + timedelta(
                hours=23, minutes=31)
            assert bound.close("21:00") and bound.close("23:30")
            _deliver(database, receiver)
        first = set(receiver.accepted)
        assert len(first) == 2 * 3 * 8
        # The next morning the register is back and sends what it made on those days.
        clock.now = datetime(2026, 11, 21, 10, 5, tzinfo=TZ)
        arrived = demo_offline.arrive_offline(database.factory, company_code=COMPANY,
                                      store_code=OFFLINE, days=3, end=DAY, tz=TZ, now=clock.now,
                                      receipts_per_day=5)
        assert list(arrived) == DAYS
        enqueued = bound.hourly()  # nobody runs anything: the hourly fire finds the late days
        _deliver(database, receiver)
    finally:
        bound.sender.close()

    new = [k for k in receiver.keys_in_order() if k not in first]
    envelopes = [Envelope.model_validate(receiver.accepted[k]) for k in new]
    assert {(e.store_code) for e in envelopes} == {MK_OFFLINE}  # 0001 sent nothing again
    day_revisions = [e for e in envelopes if e.hour is None]
    assert sorted((e.business_date, e.kind) for e in day_revisions) == sorted(
        (d, k) for d in DAYS for k in CHANGED)  # each day once, only the kinds that changed
    for e in day_revisions:
        assert e.revision == 2 and e.idempotency_key.endswith("-day-r2")
        assert e.supersedes == e.idempotency_key.removesuffix("r2") + "r1"
        assert e.supersedes in first
        validate_records(e.kind, e.records)
    for kind in CHANGED:  # in order: within each stream, the days follow each other
        stream = [e.business_date for e in day_revisions if e.kind == kind]
        assert stream == DAYS
    sales = {e.business_date: e for e in day_revisions if e.kind == Kind.SALES}
    assert [len(sales[d].records) for d in DAYS] == [5, 5, 5]
    # the hourly 支払種別明細 of every late hour goes out too (the first time for those hours)
    hours = [e for e in envelopes if e.hour is not None]
    assert hours and all(e.kind == Kind.PAYMENT_BREAKDOWN and e.revision == 1 for e in hours)
    assert {e.business_date for e in hours} == set(DAYS)
    paid = sum(r["amount"] for e in hours for r in e.records)
    settled = sum(r["amount"] for e in day_revisions if e.kind == Kind.PAYMENT_BREAKDOWN
                  for r in e.records)
    assert paid == settled > 0
    assert len(enqueued) == len(new)
    # Scanning again finds nothing new: no revision 3, nothing re-sent.
    count = len(batches(database))
    found = late.scan(database.factory, TZ, now=clock.now + timedelta(hours=1))
    assert found.enqueued == [] and len(batches(database)) == count
    assert all(b.revision <= 2 for b in batches(database))


DEMO = demo.DEMO_COMPANY_CODE


def test_cli_offline_days_then_scan_sends_revision_2_to_the_files(cli_env: Path) -> None:
    runner = CliRunner()
    # demo-data's own company (90001, まかせてネット企業コード 90001)
    assert demo.DEMO_COMPANY_CODE == demo.DEMO_MAKASETE_COMPANY_CODE
    result = runner.invoke(app, ["demo-data", "--stores", "2", "--days", "2",
                                 "--end", DAY.isoformat(), "--receipts", "4"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["export", "backfill", "--from", "2026-11-19", "--to",
                                 DAY.isoformat()])
    assert result.exit_code == 0 and "enqueued 32 batches" in result.output, result.output
    result = runner.invoke(app, ["demo-data", "--offline-days", "2", "--store", "0001",
                                 "--end", DAY.isoformat(), "--receipts", "3"])
    assert result.exit_code == 0, result.output
    assert f"{DEMO}/0001 2026-11-19: 3 receipts made offline arrived now" in result.output
    result = runner.invoke(app, ["export", "scan"])
    assert result.exit_code == 0, result.output
    assert "2 late days" in result.output
    assert f"{DEMO}/0001 2026-11-20: revision for payment_breakdown, sales, sales_detail, " \
           "settlement_report" in result.output
    lines = (cli_env / DEMO / "67890" / DAY.isoformat() / "sales.jsonl").read_text()
    rows = [json.loads(line) for line in lines.splitlines()]
    assert [(r["revision"], r["supersedes"]) for r in rows] == [
        (1, None), (2, rows[0]["idempotency_key"])]
    assert len(rows[1]["records"]) == len(rows[0]["records"]) + 3
    status = {r["store_code"]: r for r in json.loads(
        runner.invoke(app, ["export", "status", "--json"]).output)}
    assert status["0002"]["revisions"] == 0 and status["0001"]["revisions"] == 8
    assert status["0001"]["delivered"] == 16 + 8 + len([
        line for day in ("2026-11-19", DAY.isoformat())
        for line in (cli_env / DEMO / "67890" / day / "payment_breakdown.jsonl")
        .read_text().splitlines() if '"hour":null' not in line])
    again = runner.invoke(app, ["export", "scan"])
    assert again.exit_code == 0 and "0 revisions enqueued" in again.output, again.output
    result = runner.invoke(app, ["demo-data", "--offline-days", "2"])
    assert result.exit_code == 2 and "--store" in result.output
    result = runner.invoke(app, ["demo-data", "--offline-days", "2", "--store", "0042"])
    assert result.exit_code == 2 and "not found" in result.output


def test_a_late_hour_goes_out_again_and_the_next_close_finds_late_rows_too(
        database: Database) -> None:
    """Within an open day, payments that arrive after their hour send that hour's 支払種別明細
    again (revision 2 when the hour had gone out); rows of a closed day that arrive between
    hourly fires are found by the next close as well."""
    setup_stores(database, stores=2, days=2, receipts=6)
    _register_was_offline(database)
    clock = Clock(datetime(2026, 11, 20, 15, 0, 30, tzinfo=TZ))
    bound = jobs.ExportJobs(BackgroundScheduler(timezone=TZ), database.factory,
                            settings_for("/tmp/unused"), fast_settings(), worker="w1",
                            clock=clock)
    try:
        # the 14:00 hour of DAY went out with one payment, made at 14:10
        with database.factory() as session, session.begin():
            session.execute(insert(PosPayment).values(
                company_code=COMPANY, store_code=OFFLINE, business_date=DAY,
                receipt_no="90001", paid_at=datetime(2026, 11, 20, 14, 10, tzinfo=TZ),
                payment_type_code="01", payment_type_name="現金", amount=1000,
                received_at=datetime(2026, 11, 20, 14, 10, 1, tzinfo=TZ)))
        first = [e for e in bound.hourly() if e.store_code == OFFLINE]
        assert [e.hour for e in first] == [14]
        # an hour later, a payment of 14:40 that the register could not send until now
        clock.advance(hours=1)
        with database.factory() as session, session.begin():
            session.execute(insert(PosPayment).values(
                company_code=COMPANY, store_code=OFFLINE, business_date=DAY,
                receipt_no="90002", paid_at=datetime(2026, 11, 20, 14, 40, tzinfo=TZ),
                payment_type_code="02", payment_type_name="クレジットカード", amount=2500,
                received_at=clock.now))
        again = [e for e in bound.hourly() if e.store_code == OFFLINE]  # 0001: its 15:00 hour
        assert [(e.hour, e.kind) for e in again] == [(14, Kind.PAYMENT_BREAKDOWN)]
        hour14 = [b for b in batches(database) if b.hour == 14 and b.store_code == OFFLINE]
        assert [b.revision for b in hour14] == [1, 2]
        assert hour14[1].supersedes == hour14[0].idempotency_key
        body = Envelope.model_validate_json(hour14[1].body)
        assert sum(r["amount"] for r in body.records) == 3500
        # DAY - 1 closed; a movement of that day arrives before the next close fires
        clock.now = datetime(2026, 11, 19, 21, 0, 10, tzinfo=TZ)
        bound.close("21:00")
        clock.now = datetime(2026, 11, 20, 21, 0, 10, tzinfo=TZ)
        with database.factory() as session, session.begin():
            session.execute(insert(PosCashMovement).values(
                company_code=COMPANY, store_code=OFFLINE, business_date=DAY - timedelta(days=1),
                movement_no="009", occurred_at=datetime(2026, 11, 19, 20, 0, tzinfo=TZ),
                direction="out", reason="仕入れ（食材）", amount=1200, received_at=clock.now))
        added = bound.close("21:00")
    finally:
        bound.sender.close()
    revised = {(e.business_date, e.kind) for e in added if e.business_date == DAY - timedelta(
        days=1)}
    assert revised == {(DAY - timedelta(days=1), Kind.CASH_MOVEMENT),
                       (DAY - timedelta(days=1), Kind.SETTLEMENT_REPORT)}


def test_the_bench_receiver_serves_one_port_from_several_processes() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "tests.webhook_receiver", "--processes",
                             "3"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = f"http://127.0.0.1:{int(proc.stdout.readline())}/makasete/webhook"
        with httpx.Client() as client:
            for n in range(30):  # a new connection each: the kernel spreads them
                answer = client.post(url, content=b"{}", headers={
                    "Idempotency-Key": f"k{n}", "Connection": "close"})
                assert answer.status_code == 200
            assert client.get(url).json() == {"requests": 30}
    finally:
        proc.terminate()
        assert proc.wait(timeout=30) == 0
