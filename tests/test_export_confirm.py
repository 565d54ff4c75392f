"""連携の確認 by proof: the first delivered batch of a store verifies the tickets waiting for the
customer's confirmation (DESIGN), on SQLite and PostgreSQL, through the exporter's drain job."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler

from exporter import jobs
from exporter.batches import enqueue_close
from tests.conftest import NOW
from tests.dbs import Database
from tests.export_support import COMPANY, TZ, fast_settings, settings_for, setup_stores
from tests.factories import new_raw, walk_to
from workflow.service import Workflow

CLOSED = date(2026, 11, 24)  # NOW's business date: inside the window 設定完了 records


def test_first_delivery_verifies_the_waiting_ticket(database: Database, tmp_path: Path) -> None:
    setup_stores(database, stores=3, end=CLOSED)
    settings = settings_for(str(tmp_path / "exports")).model_copy(
        update={"planning_users": ["kikaku"]})
    wf = Workflow(database.factory, settings, clock=lambda: NOW)
    waiting = wf.file_request("new", new_raw(company_code=COMPANY,
                                             stores="0001:目黒本店\n0002:目黒川店"),
                              actor=wf.actor("tanaka"))
    other = wf.file_request("new", new_raw(company_code=COMPANY, stores="0003:札幌店"),
                            actor=wf.actor("tanaka"))
    walk_to(wf, waiting.id, "customer_notified")
    walk_to(wf, other.id, "setup_completed")  # not yet told: delivery proves nothing for it

    bound = jobs.register(BackgroundScheduler(timezone=TZ), database.factory, settings,
                          worker="w1", xsettings=fast_settings(), clock=lambda: NOW)
    try:
        assert enqueue_close(database.factory, TZ, CLOSED, store_code="0002")
        assert bound.drain().sent == 8
    finally:
        bound.sender.close()

    done = wf.get(waiting.id)
    assert done.status == "verified"
    assert (done.events[-1].actor_role, done.events[-1].note) == (
        "system", "店舗0002のデータ送信を確認しました")
    assert wf.get(other.id).status == "setup_completed"
    assert bound.drain().sent == 0  # nothing more to send, nothing verified twice
    assert len(wf.get(waiting.id).events) == len(done.events)
