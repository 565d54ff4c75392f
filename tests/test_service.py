"""The service API end to end on SQLite and PostgreSQL: file, the seven steps, guards, roles,
audit, idempotency and optimistic locking."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from tests.factories import change_raw, new_raw, walk_to
from workflow import machine
from workflow.errors import AlreadyMoved, Duplicate, NotAllowed, ValidationFailed
from workflow.linkage import StoreLink
from workflow.models import OutboxJob, TicketEvent
from workflow.service import Workflow


def test_file_new_request_normalises_codes_and_records_step_one(wf: Workflow) -> None:
    view = wf.file_request("new", new_raw(), actor=wf.actor("tanaka", "田中"))
    assert view.status == "contacted"
    assert view.company_code == "67890"
    assert [s.code for s in view.stores] == ["0001", "0002", "0003"]
    assert [(e.action, e.to_status, e.actor) for e in view.events] == [
        ("file", "contacted", "tanaka")]
    assert [a.action for a in view.actions] == ["request_kintone", "cancel"]
    # the stores now appear (未連携) on the linkage screen, with the 企業管理店舗 record
    rows = wf.store_links("67890")
    assert [(r.store_code, r.state) for r in rows] == [
        ("0000", "未連携"), ("0001", "未連携"), ("0002", "未連携"), ("0003", "未連携")]


def test_rejected_form_saves_nothing_and_names_fields(wf: Workflow) -> None:
    with pytest.raises(ValidationFailed) as err:
        wf.file_request("new", new_raw(customer_code="abc", desired_date="2026-11-25"),
                        actor=wf.actor("tanaka"))
    fields = {e.field for e in err.value.errors}
    assert {"customer_code", "desired_date"} <= fields
    assert wf.list_tickets() == []


def test_all_seven_steps_to_verified_with_audit_and_outbox(wf: Workflow,
                                                            database: object) -> None:
    view = wf.file_request("change", change_raw(), actor=wf.actor("tanaka", "田中"))
    walk_to(wf, view.id, "verified")
    final = wf.get(view.id)
    assert [e.to_status for e in final.events] == machine.STEPS
    assert set(final.step_times) == set(machine.STEPS)
    assert final.sla_due == date(2026, 12, 1)  # 5 business days after Tue 2026-11-24
    assert [r.state for r in wf.store_links("67890")] == ["未連携", "連携済", "連携済", "連携済"]
    with wf.factory() as session:
        events = session.query(TicketEvent).count()
        jobs = session.query(OutboxJob).filter(OutboxJob.kind == "ticket.event").count()
    assert events == jobs == 7  # every transition leaves its outgoing work


def test_roles_are_enforced(wf: Workflow) -> None:
    view = wf.file_request("new", new_raw(), actor=wf.actor("tanaka"))
    wf.advance(view.id, "request_kintone", actor=wf.actor("tanaka"))
    with pytest.raises(NotAllowed, match="USEN企画のみ"):
        wf.advance(view.id, "send_spec", actor=wf.actor("tanaka"))
    with pytest.raises(NotAllowed):
        wf.advance(view.id, "cancel", actor=wf.actor("yamada"))  # sales, not the requester
    assert wf.get(view.id).status == "kintone_requested"
    customer = wf.actor("cust", role="customer")
    assert wf.available_actions(wf.get(view.id), customer) == []


def test_send_back_needs_a_reason_and_requester_resubmits(wf: Workflow) -> None:
    view = wf.file_request("new", new_raw(), actor=wf.actor("tanaka"))
    planner = wf.actor("kikaku")
    with pytest.raises(ValidationFailed) as err:
        wf.advance(view.id, "send_back", actor=planner, note="  ")
    assert err.value.errors[0].field == "note"
    wf.advance(view.id, "send_back", actor=planner, note="店舗CDが不足しています")
    returned = wf.get(view.id, actor=wf.actor("tanaka"))
    assert returned.return_reason == "店舗CDが不足しています"
    assert [a.action for a in returned.actions] == ["resubmit", "cancel"]
    with pytest.raises(NotAllowed):
        wf.advance(view.id, "resubmit", actor=wf.actor("yamada"), form=new_raw())
    fixed = new_raw(stores="0001:目黒本店\n0004:金町駅前店")
    again = wf.advance(view.id, "resubmit", actor=wf.actor("tanaka"), form=fixed)
    assert again.status == "contacted" and again.return_reason is None
    assert [s.code for s in again.stores] == ["0001", "0004"]


def test_complete_setup_requires_linkage_and_validates_it(wf: Workflow) -> None:
    view = wf.file_request("new", new_raw(stores="0001:目黒本店"), actor=wf.actor("tanaka"))
    walk_to(wf, view.id, "partner_setup")
    planner = wf.actor("kikaku")
    with pytest.raises(ValidationFailed, match="0001"):
        wf.advance(view.id, "complete_setup", actor=planner)
    with pytest.raises(ValidationFailed) as err:
        wf.advance(view.id, "complete_setup", actor=planner, makasete_company_code="123456",
                   links=[StoreLink("0001", "1234567", date(2026, 11, 1), date(2026, 10, 1))])
    assert {e.field for e in err.value.errors} == {
        "makasete_company_code", "makasete_store_code", "start_date", "end_date"}
    assert wf.get(view.id).status == "partner_setup"  # nothing half-saved
    done = wf.advance(view.id, "complete_setup", actor=planner, makasete_company_code="１２３",
                      links=[StoreLink("0001", "67890", date(2026, 11, 24), date(2027, 4, 30))])
    assert done.status == "setup_completed"


def test_stale_button_says_who_moved_it(wf: Workflow) -> None:
    view = wf.file_request("new", new_raw(), actor=wf.actor("tanaka", "田中"))
    wf.advance(view.id, "request_kintone", actor=wf.actor("tanaka", "田中"))
    with pytest.raises(AlreadyMoved, match="田中さんが「Kintone依頼」"):
        wf.advance(view.id, "request_kintone", actor=wf.actor("tanaka"),
                   expected_status="contacted")


def test_same_click_twice_moves_once(wf: Workflow) -> None:
    view = wf.file_request("new", new_raw(), actor=wf.actor("tanaka"))
    wf.advance(view.id, "request_kintone", actor=wf.actor("tanaka"), idempotency_key="click-1")
    with pytest.raises(Duplicate):
        wf.advance(view.id, "request_kintone", actor=wf.actor("tanaka"),
                   idempotency_key="click-1")
    assert len(wf.get(view.id).events) == 2


def test_concurrent_advances_move_the_ticket_once(wf: Workflow) -> None:
    view = wf.file_request("new", new_raw(), actor=wf.actor("tanaka", "田中"))
    results: list[str] = []
    barrier = threading.Barrier(12)

    def press(n: int) -> None:
        barrier.wait()
        try:
            # Kintone依頼 is the requester's or planning's (both press at once here).
            who = wf.actor("tanaka", "田中") if n % 2 else wf.actor("kikaku", "企画")
            wf.advance(view.id, "request_kintone", actor=who, expected_status="contacted")
            results.append("moved")
        except AlreadyMoved as exc:
            results.append("already:" + exc.status)

    threads = [threading.Thread(target=press, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("moved") == 1
    assert results.count("already:kintone_requested") == 11
    assert len(wf.get(view.id).events) == 2


def test_kintone_request_is_the_requesters_or_plannings(wf: Workflow) -> None:
    view = wf.file_request("new", new_raw(), actor=wf.actor("tanaka", "田中"))
    other = wf.actor("yamada", "山田")
    assert [a.action for a in wf.get(view.id, actor=other).actions] == []
    with pytest.raises(NotAllowed) as err:
        wf.advance(view.id, "request_kintone", actor=other)
    assert err.value.message == "「Kintone依頼済みにする」は依頼者ご本人かUSEN企画のみ操作できます"
    assert wf.get(view.id).status == "contacted" and len(wf.get(view.id).events) == 1
    assert wf.advance(view.id, "request_kintone", actor=wf.actor("kikaku")).status == \
        "kintone_requested"


def test_list_filters_and_overdue(wf: Workflow, settings: object) -> None:
    a = wf.file_request("new", new_raw(), actor=wf.actor("tanaka"))
    b = wf.file_request("new", new_raw(company_code="555"), actor=wf.actor("yamada"))
    walk_to(wf, a.id, "partner_setup")
    assert [t.id for t in wf.list_tickets(requester="yamada")] == [b.id]
    assert [t.id for t in wf.list_tickets(company_code="555")] == [b.id]
    assert [t.id for t in wf.list_tickets(status="partner_setup")] == [a.id]
    assert wf.list_tickets(overdue=True) == []
    from datetime import UTC, datetime

    later = Workflow(wf.factory, wf.settings, clock=lambda: datetime(2026, 12, 4, 3, tzinfo=UTC))
    overdue = later.list_tickets(overdue=True)
    assert [(t.id, t.days_overdue) for t in overdue] == [(a.id, 3)]


def test_kintone_text_of_a_ticket(wf: Workflow) -> None:
    view = wf.file_request("new", new_raw(remarks="よろしくお願いします"),
                           actor=wf.actor("tanaka"))
    text = wf.kintone_text(view.id)
    assert "・企業CD：67890\n" in text
    assert "・店舗CD：0001、0002、0003\n" in text
    assert "・連携開始希望日：12月7日\n" in text


def test_verify_by_delivery_moves_a_waiting_ticket_once(wf: Workflow) -> None:
    view = wf.file_request("new", new_raw(), actor=wf.actor("tanaka"))
    walk_to(wf, view.id, "customer_notified")
    assert wf.verify_by_delivery(view.id, "店舗0002の売上データ（2026年12月7日分）"
                                          "のデータ送信を確認しました")
    done = wf.get(view.id)
    assert done.status == "verified"
    assert (done.events[-1].actor_role, done.events[-1].note) == (
        "system", "店舗0002の売上データ（2026年12月7日分）のデータ送信を確認しました")
    assert not wf.verify_by_delivery(view.id, "again")  # once
    assert len(wf.get(view.id).events) == len(done.events)


def test_customer_contact_is_checked_with_the_form(wf: Workflow) -> None:
    with pytest.raises(ValidationFailed) as err:
        wf.file_request("new", new_raw(customer_code=""), actor=wf.actor("tanaka"),
                        customer_email="not-an-address", customer_channel="#general")
    assert {e.field for e in err.value.errors} == {
        "customer_code", "customer_email", "customer_channel"}
    view = wf.file_request("new", new_raw(), actor=wf.actor("tanaka"),
                           customer_email=" ｔａｎａｋａ@example.co.jp ",
                           customer_channel="<#C0123ABCDE|data-bunseki>")
    assert (view.customer_email, view.customer_channel) == ("tanaka@example.co.jp", "C0123ABCDE")
