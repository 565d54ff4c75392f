"""The partner/customer service functions on SQLite and PostgreSQL: the customer's contact,
the Kintone record id, the 設定依頼書 data, and SLA reminders sent once across replicas."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.dbs import Database
from tests.factories import change_raw, jobs, new_raw, walk_to
from workflow import partner
from workflow.db import make_engine, make_sessionmaker
from workflow.errors import NotAllowed, ValidationFailed
from workflow.service import Workflow
from workflow.settings import Settings


def jst(day: date, hour: int = 10) -> datetime:
    """`hour` o'clock Asia/Tokyo on `day`, as a UTC datetime."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=9)


def filed(wf: Workflow, *, kind: str = "new", status: str = "contacted", **contact: str) -> int:
    raw = new_raw() if kind == "new" else change_raw()
    view = wf.file_request(kind, raw, actor=wf.actor("tanaka", "田中"), **contact)
    walk_to(wf, view.id, status)
    return view.id


# ---------------------------------------------------------------- contact

def test_set_contact_normalises_audits_and_keeps_status(wf: Workflow) -> None:
    ticket_id = filed(wf, status="spec_sent")
    before = wf.get(ticket_id)
    view = partner.set_customer_contact(wf, ticket_id, actor=wf.actor("kikaku", "企画 佐藤"),
                                        channel="<#C0123ABCD|data-bunseki>",
                                        email="ｋｅｉｒｉ@example.co.jp")
    assert (view.customer_channel, view.customer_email) == ("C0123ABCD", "keiri@example.co.jp")
    assert view.status == "spec_sent"
    assert view.version == before.version + 1
    last = view.events[-1]
    assert (last.action, last.from_status, last.to_status, last.actor) == (
        "edit", "spec_sent", "spec_sent", "kikaku")
    assert "keiri@example.co.jp" in last.note
    assert [j.payload["event_id"] for j in jobs(wf.factory, "ticket.event")][-1] == len(view.events)


def test_set_contact_requester_may_clear_and_unchanged_writes_nothing(wf: Workflow) -> None:
    ticket_id = filed(wf, customer_email="keiri@example.co.jp")
    requester = wf.actor("tanaka", "田中")
    view = partner.set_customer_contact(wf, ticket_id, actor=requester, email="")
    assert view.customer_email is None
    events = len(view.events)
    again = partner.set_customer_contact(wf, ticket_id, actor=requester, email="", channel=None)
    assert len(again.events) == events


@pytest.mark.parametrize("email", ["keiri", "keiri@", "a b@example.jp", "keiri@example",
                                   ".a@example.jp", "a..b@example.jp", "経理@example.jp"])
def test_bad_email_is_a_field_error(wf: Workflow, email: str) -> None:
    ticket_id = filed(wf)
    with pytest.raises(ValidationFailed) as err:
        partner.set_customer_contact(wf, ticket_id, actor=wf.actor("kikaku"), email=email,
                                     channel="general")
    by_field = err.value.by_field()
    assert "形式が正しくありません" in by_field["customer_email"]
    assert "customer_channel" in by_field  # every problem at once
    assert wf.get(ticket_id).customer_email is None


def test_contact_rights_and_steps(wf: Workflow) -> None:
    ticket_id = filed(wf)
    with pytest.raises(NotAllowed):
        partner.set_customer_contact(wf, ticket_id, actor=wf.actor("yamada"), email="a@b.jp")
    walk_to(wf, ticket_id, "customer_notified")
    with pytest.raises(NotAllowed, match="ご連絡後"):
        partner.set_customer_contact(wf, ticket_id, actor=wf.actor("kikaku"), email="a@b.jp")


def test_contact_route(wf: Workflow) -> None:
    both = wf.get(filed(wf, customer_channel="C0123ABCD", customer_email="a@b.jp"))
    mail = wf.get(filed(wf, customer_email="a@b.jp"))
    none = wf.get(filed(wf))
    assert [partner.customer_contact_route(v) for v in (both, mail, none)] == [
        "slack", "mail", "manual"]
    assert "このメールにご返信ください" in partner.customer_notice(wf, mail.id).body
    assert "ボタン" in partner.customer_notice(wf, both.id).body


# ---------------------------------------------------------------- Kintone id, 設定依頼書

def test_record_kintone_record_does_not_bump_version(wf: Workflow) -> None:
    ticket_id = filed(wf, status="kintone_requested")
    version = wf.get(ticket_id).version
    partner.record_kintone_record(wf, ticket_id, "101", done_key="k:1")
    view = wf.get(ticket_id)
    assert (view.kintone_record_id, view.version) == ("101", version)
    assert partner.is_done(wf, "k:1") and not partner.is_done(wf, "k:2")
    # a planner's button rendered before the record was stored still works
    wf.advance(ticket_id, "send_spec", actor=wf.actor("kikaku"),
               expected_status="kintone_requested")


def test_spec_sheet_data_before_and_after_linkage(wf: Workflow) -> None:
    ticket_id = filed(wf, kind="change", status="spec_sent")
    data = partner.spec_sheet_data(wf, ticket_id)
    assert (data.company_code, data.kind_label, data.date_label) == ("67890", "設定変更",
                                                                     "設定変更日")
    assert data.issued_on == date(2026, 11, 24)
    assert [s.code for s in data.stores] == ["0001", "0002", "0003"]
    assert data.makasete_company_code is None
    assert all(s.makasete_store_code is None for s in data.stores)
    assert data.additions["payment_items"] == ("PayPay", "楽天ペイ")
    walk_to(wf, ticket_id, "setup_completed")
    linked = partner.spec_sheet_data(wf, ticket_id)
    assert linked.makasete_company_code == "12345"
    assert [s.makasete_store_code for s in linked.stores] == ["67890", "67891", "67892"]
    assert linked.stores[0].start_date == date(2026, 11, 24)


# ---------------------------------------------------------------- reminders

DUE = date(2026, 12, 1)  # 5 business days after Tue 2026-11-24 (tests/conftest.NOW)


def test_not_due_until_the_day_after_the_sla(wf: Workflow) -> None:
    ticket_id = filed(wf, status="partner_setup")
    assert wf.get(ticket_id).sla_due == DUE
    assert partner.due_reminders(wf, now=jst(DUE, 18)) == []
    assert not partner.claim_reminder(wf, ticket_id, now=jst(DUE, 18))
    due = partner.due_reminders(wf, now=jst(date(2026, 12, 2)))
    assert [(v.id, v.days_overdue) for v in due] == [(ticket_id, 1)]


def test_reminder_once_a_business_day(wf: Workflow) -> None:
    ticket_id = filed(wf, status="partner_setup")
    wed = jst(date(2026, 12, 2))
    assert partner.claim_reminder(wf, ticket_id, now=wed)
    assert not partner.claim_reminder(wf, ticket_id, now=wed + timedelta(hours=5))
    assert partner.due_reminders(wf, now=wed + timedelta(hours=5)) == []
    # 08:30 JST Thursday is a new business day, though still Wednesday in UTC
    thu = jst(date(2026, 12, 3), 8)
    assert [v.days_overdue for v in partner.due_reminders(wf, now=thu)] == [2]
    assert partner.queue_reminders(wf, now=thu) == [ticket_id]
    assert partner.queue_reminders(wf, now=thu) == []
    # the weekend: nothing due, nothing claimed
    for day in (date(2026, 12, 5), date(2026, 12, 6)):
        assert partner.due_reminders(wf, now=jst(day)) == []
        assert not partner.claim_reminder(wf, ticket_id, now=jst(day))
    assert partner.claim_reminder(wf, ticket_id, now=jst(date(2026, 12, 7)))
    reminders = jobs(wf.factory, "ticket.reminder")
    assert [j.payload for j in reminders] == [
        {"ticket_id": ticket_id, "business_date": "2026-12-02", "days_overdue": 1},
        {"ticket_id": ticket_id, "business_date": "2026-12-03", "days_overdue": 2},
        {"ticket_id": ticket_id, "business_date": "2026-12-07", "days_overdue": 4}]
    assert wf.get(ticket_id).pending_jobs.count("ticket.reminder") == 3


def test_no_reminder_once_setup_is_complete(wf: Workflow) -> None:
    ticket_id = filed(wf, status="partner_setup")
    walk_to(wf, ticket_id, "setup_completed")
    assert partner.due_reminders(wf, now=jst(date(2026, 12, 2))) == []
    assert not partner.claim_reminder(wf, ticket_id, now=jst(date(2026, 12, 2)))


def test_two_replicas_claim_one_reminder(wf: Workflow, database: Database,
                                         settings: Settings) -> None:
    ticket_id = filed(wf, status="partner_setup")
    engine = make_engine(database.url)  # a second process's own connections
    other = Workflow(make_sessionmaker(engine), settings, clock=wf.clock)
    now = jst(date(2026, 12, 2))
    barrier = threading.Barrier(4)
    results: list[bool] = []
    lock = threading.Lock()

    def replica(w: Workflow) -> None:
        barrier.wait()
        won = partner.claim_reminder(w, ticket_id, now=now)
        with lock:
            results.append(won)

    try:
        threads = [threading.Thread(target=replica, args=(w,)) for w in (wf, other, wf, other)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        engine.dispose()
    assert sorted(results) == [False, False, False, True]
    assert len(jobs(wf.factory, "ticket.reminder")) == 1
