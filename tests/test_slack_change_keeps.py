"""設定変更 keeps linkage, in Slack: the 設定完了 modal of a change ticket comes pre-filled with
what is recorded (連携開始日 now in the past) and submits as it is; a changed date in the past is
refused under its own input."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.slack_harness import PLANNER, SALES, Clock, Harness, clock, harness, slack_settings
from tests.slack_partner import link_stores, press

__all__ = ["clock", "harness", "slack_settings"]  # fixtures


def test_a_change_submits_the_recorded_linkage_as_it_is(harness: Harness, clock: Clock) -> None:
    h = harness
    first = h.file()
    for action, user, status in [("request_kintone", SALES, "kintone_requested"),
                                 ("send_spec", PLANNER, "spec_sent"),
                                 ("start_setup", PLANNER, "partner_setup")]:
        press(h, first, action, user, status)
    link_stores(h, first)  # 連携開始日 2026-12-07
    clock.now = datetime(2027, 1, 12, 1, 0, tzinfo=UTC)
    change = h.file("change", desired_date="2027-01-25")
    for action, user, status in [("request_kintone", SALES, "kintone_requested"),
                                 ("send_spec", PLANNER, "spec_sent"),
                                 ("start_setup", PLANNER, "partner_setup")]:
        press(h, change, action, user, status)
    opened = len(h.emulator.of("views.open"))
    h.driver.click(h.message(change, status="partner_setup"), "complete_setup", user=PLANNER)
    view = h.opened_view(opened)
    initial = {b["block_id"]: b["element"].get("initial_date") or b["element"].get(
        "initial_value") for b in view["blocks"] if b["type"] == "input"}
    assert initial["start_date:0001"] == "2026-12-07"  # recorded, in the past now
    assert initial["makasete_company_code"] == "12345"
    reply = h.driver.submit(view, {"start_date:0002": "2027-01-05"}, user=PLANNER)
    assert reply.json() == {"response_action": "errors", "errors": {
        "start_date:0002": "連携開始日は本日以降の日付を選択してください"}}
    reply = h.driver.submit(view, {}, user=PLANNER)  # as pre-filled
    assert reply.status_code == 200 and not reply.content.strip(), reply.text
    h.message(change, status="setup_completed")
    rows = {r.store_code: r for r in h.wf.store_links("67890")}
    assert str(rows["0001"].start_date) == "2026-12-07" and rows["0001"].state == "連携済"
