"""連携の確認 by proof: a delivered batch verifies a ticket waiting for the customer's
confirmation only when it is this integration's data (DESIGN, issue 9 part 5), on SQLite and
PostgreSQL, through the exporter's drain job."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from exporter import jobs
from exporter.batches import enqueue_close
from exporter.confirm import confirm_delivered
from tests.conftest import NOW
from tests.dbs import Database
from tests.export_support import COMPANY, TZ, Clock, fast_settings, settings_for, setup_stores
from tests.factories import change_raw, new_raw, walk_to
from workflow.service import Workflow
from workflow.settings import Settings

TWO_STORES = "0001:目黒本店\n0002:目黒川店"
# Every time here lies before the day this test was written (the drain sends what is due by
# the real clock, so batches are enqueued "in the past").
FROM = date(2026, 11, 27)  # the ticket's 連携開始希望日 / 設定変更日 (3 business days after NOW)
AFTER = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # Monday 12:00 JST


@dataclass
class World:
    db: Database
    settings: Settings
    wf: Workflow
    clock: Clock
    bound: jobs.ExportJobs

    def close(self, day: date, store: str, *, now: datetime | None = None) -> int:
        """閉局 of one store at `now` (the clock), then a drain round (which confirms by
        delivery); the batches sent."""
        assert enqueue_close(self.db.factory, TZ, day, company_code=COMPANY, store_code=store,
                             now=now or self.clock.at)
        return self.bound.drain().sent

    def status(self, ticket_id: int) -> str:
        return self.wf.get(ticket_id).status


@pytest.fixture
def world(database: Database, tmp_path: Path) -> Iterator[World]:
    # Register data from 2026-11-17 to 2026-12-01; stores linked since 2026-11-02.
    setup_stores(database, stores=3, days=15, end=date(2026, 12, 1), receipts=2)
    settings = settings_for(str(tmp_path / "exports")).model_copy(
        update={"planning_users": ["kikaku"]})
    clock = Clock(NOW)
    wf = Workflow(database.factory, settings, clock=clock)
    bound = jobs.register(BackgroundScheduler(timezone=TZ), database.factory, settings,
                          worker="w1", xsettings=fast_settings(), clock=clock)
    try:
        yield World(database, settings, wf, clock, bound)
    finally:
        bound.sender.close()


def test_a_delivery_on_or_after_the_date_verifies_and_names_what_proved_it(world: World
                                                                           ) -> None:
    wf = world.wf
    waiting = wf.file_request("new", new_raw(company_code=COMPANY, stores=TWO_STORES,
                                             desired_date=FROM.isoformat()),
                              actor=wf.actor("tanaka"))
    other = wf.file_request("new", new_raw(company_code=COMPANY, stores="0003:札幌店",
                                           desired_date=FROM.isoformat()),
                            actor=wf.actor("tanaka"))
    walk_to(wf, waiting.id, "customer_notified")
    walk_to(wf, other.id, "setup_completed")  # not yet told: delivery proves nothing for it
    world.clock.at = AFTER

    assert world.close(FROM, "0002") == 8
    done = wf.get(waiting.id)
    assert done.status == "verified"
    assert (done.events[-1].actor_role, done.events[-1].note) == (
        "system", "店舗0002の売上データ（2026年11月27日分）のデータ送信を確認しました")
    assert world.status(other.id) == "setup_completed"
    assert world.bound.drain().sent == 0  # nothing more to send, nothing verified twice
    assert len(wf.get(waiting.id).events) == len(done.events)


def test_a_change_is_not_verified_by_old_or_future_batches(world: World) -> None:
    """設定変更 of linked stores: data from before the change and a future-dated close went
    out, and neither proves the change."""
    wf = world.wf
    # Delivered long before: the stores have been linked since 2026-11-02.
    sent = world.close(date(2026, 11, 20), "0002", now=NOW - timedelta(days=3))
    ticket = wf.file_request("change", change_raw(company_code=COMPANY, stores=TWO_STORES,
                                                  desired_date=FROM.isoformat()),
                             actor=wf.actor("tanaka"))
    world.clock.at = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 連携開始日 becomes 11-25
    walk_to(wf, ticket.id, "customer_notified")
    events = len(wf.get(ticket.id).events)
    # After 設定完了 and 連携開始日, but before the 設定変更日: still the old setup's data.
    sent += world.close(date(2026, 11, 25), "0001",
                        now=datetime(2026, 11, 25, 14, 0, tzinfo=UTC))
    world.clock.at = AFTER
    sent += world.close(date(2026, 12, 1), "0002")  # future-dated: today is 2026-11-30
    assert sent == 24
    assert world.status(ticket.id) == "customer_notified"
    assert len(wf.get(ticket.id).events) == events  # no state change, no audit event

    # On 2026-12-01 the close sent ahead of its day still proves nothing.
    world.clock.at = AFTER + timedelta(days=1)
    assert confirm_delivered(world.db.factory, world.settings, clock=world.clock) == []
    assert world.status(ticket.id) == "customer_notified"

    assert world.close(date(2026, 11, 30), "0002") == 8
    done = wf.get(ticket.id)
    assert done.status == "verified"
    assert done.events[-1].note == (
        "店舗0002の売上データ（2026年11月30日分）のデータ送信を確認しました")


def test_a_batch_enqueued_before_setup_completed_proves_nothing(world: World) -> None:
    wf = world.wf
    ticket = wf.file_request("new", new_raw(company_code=COMPANY, stores=TWO_STORES,
                                            desired_date=FROM.isoformat()),
                             actor=wf.actor("tanaka"))
    walk_to(wf, ticket.id, "partner_setup")
    # 09:30 JST on the desired date the register closes (early) for the day; 設定完了 is
    # recorded at 10:00 JST, with 連携開始日 that same day.
    sent = world.close(FROM, "0001", now=datetime(2026, 11, 27, 0, 30, tzinfo=UTC))
    world.clock.at = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    walk_to(wf, ticket.id, "customer_notified")
    world.clock.at = AFTER
    assert confirm_delivered(world.db.factory, world.settings, clock=world.clock) == []
    assert sent == 8 and world.status(ticket.id) == "customer_notified"
    assert world.close(FROM, "0002") == 8  # the same day's close of the other store, later
    assert world.status(ticket.id) == "verified"
