"""One label catalogue in the seed's words per kind, and the machine's guard and on-enter
tables: every name a row uses exists, and the buttons are one filter over them."""

from __future__ import annotations

from tests.factories import change_raw, new_raw, walk_to
from workflow import labels, machine
from workflow.service import Workflow


def test_step_three_is_named_per_kind_as_the_seed_does() -> None:
    # seed 1-2 (新規・増店) 「3. 設定依頼書送付」, 1-3 (設定変更) 「3.設定情報送付」
    assert labels.step_label("spec_sent", "new") == "設定依頼書送付"
    assert labels.step_label("spec_sent", "change") == "設定情報送付"
    assert labels.step_label("spec_sent", None) == "設定依頼書送付／設定情報送付"
    assert labels.action_label("send_spec", "change") == "設定情報を送付"
    assert labels.document_label("change") == "設定情報"
    seed = ["連携希望を連絡", "Kintone依頼", None, "連携設定", "設定完了連絡", "お客様へご連絡",
            "連携の確認"]
    for kind in labels.KINDS:
        names = [labels.step_label(s, kind) for s in machine.STEPS]
        assert [n if i != 2 else None for i, n in enumerate(names)] == seed


def test_every_state_trigger_and_guard_is_named() -> None:
    assert set(machine.STATES) == set(labels.STEP_LABELS)
    assert set(machine.TRIGGERS) <= set(labels.ACTION_LABELS)
    used = {g for row in machine.TRANSITIONS for g in row["guards"]}
    assert used == set(machine.GUARDS)
    assert set(machine.ON_ENTER) <= set(machine.STATES)


def test_buttons_are_the_table_filtered_by_role_and_who_guards(wf: Workflow) -> None:
    ticket = wf.file_request("change", change_raw(), actor=wf.actor("tanaka", "田中"))
    other_sales, planner = wf.actor("yamada"), wf.actor("kikaku")
    assert [a.action for a in wf.available_actions(ticket, wf.actor("tanaka"))] == [
        "request_kintone", "cancel"]
    assert [a.action for a in wf.available_actions(ticket, other_sales)] == []  # not theirs
    assert [a.action for a in wf.available_actions(ticket, planner)] == [
        "request_kintone", "send_back", "cancel"]
    walk_to(wf, ticket.id, "kintone_requested")
    view = wf.get(ticket.id, actor=planner)
    assert view.actions[0].label == "設定情報を送付"
    assert all(a.needs_note for a in view.actions if a.action in ("send_back", "cancel"))


def test_timeline_labels_follow_the_ticket_kind(wf: Workflow) -> None:
    new = wf.file_request("new", new_raw(), actor=wf.actor("tanaka")).id
    change = wf.file_request("change", change_raw(), actor=wf.actor("tanaka")).id
    for ticket_id in (new, change):
        walk_to(wf, ticket_id, "spec_sent")
    assert wf.get(new).events[-1].to_label == "設定依頼書送付"
    assert wf.get(change).events[-1].to_label == "設定情報送付"
    assert wf.event(wf.get(change).events[-1].id).action_label == "設定情報を送付"


def test_a_dead_step_three_job_is_named_by_the_ticket_kind() -> None:
    from bot import messages as m

    assert m.job_label("spec.document", "new") == "設定依頼書"
    assert m.job_label("spec.document", "change") == "設定情報"
    assert "設定情報" in m.dead_line(m.job_label("spec.document", "change"), "理由")
    assert m.job_label("kintone.record", "change") == "Kintone登録"
