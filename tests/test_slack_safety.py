"""Field errors in modals, signatures, retries, double clicks, races, rate limits, secrets."""

from __future__ import annotations

import logging
import threading
import time

import httpx
import pytest

from tests.slack_harness import (
    PLANNER,
    PLANNER2,
    SALES,
    SECRET,
    TOKEN,
    Harness,
    clock,
    harness,
    slack_settings,
)

__all__ = ["clock", "harness", "slack_settings"]  # fixtures


def _submit_errors(h: Harness, kind: str, values: dict[str, str]) -> dict[str, str]:
    opened = len(h.emulator.of("views.open"))
    h.driver.command(kind, user=SALES)
    view = h.opened_view(opened)
    reply = h.driver.submit(view, values, user=SALES)
    body = reply.json()
    assert body["response_action"] == "errors"
    return dict(body["errors"])


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_every_field_error_comes_back_under_its_input(harness: Harness) -> None:
    errors = _submit_errors(harness, "new", {
        "customer_code": "12a", "company_code": "", "company_name": "",
        "stores": "0001:目黒本店\nabc", "desired_date": "2020-01-01", "remarks": "x" * 1001})
    assert errors == {
        "customer_code": "顧客CDは半角数字1〜12桁で入力してください",
        "company_code": "企業CDを入力してください",
        "company_name": "企業名を入力してください（例: 株式会社データ分析）",
        "stores": "2行目: 「店舗CD:店舗名」の形式で入力してください（例: 0001:目黒本店）",
        "desired_date": "連携開始希望日に過去の日付は指定できません（2020年1月1日）",
        "remarks": "備考は1000文字以内で入力してください（現在1001文字）",
    }
    errors = _submit_errors(harness, "change", {
        "customer_code": "1", "company_code": "2", "company_name": "株式会社A",
        "stores": "0001:目黒本店", "desired_date": "2026-11-25"})
    assert set(errors) == {"desired_date", "payment_items"}
    assert errors["desired_date"].startswith("設定変更日は3営業日以上先の日付を指定してください")
    assert "追加した支払科目・値割引・客層" in errors["payment_items"]
    errors = _submit_errors(harness, "change", {
        "customer_code": "1", "company_code": "2", "company_name": "株式会社A",
        "stores": "0001:目黒本店", "desired_date": "2026-12-07",
        "discounts": "d" * 101, "customer_segments": "s" * 101})
    assert errors == {"discounts": "追加した値割引は1件100文字以内で入力してください",
                      "customer_segments": "追加した客層は1件100文字以内で入力してください"}
    assert harness.wf.list_tickets() == []


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_linkage_errors_land_under_each_store(harness: Harness) -> None:
    h = harness
    ticket_id = h.file()
    for action, user, shown in (("request_kintone", SALES, "contacted"),
                                ("send_spec", PLANNER, "kintone_requested"),
                                ("start_setup", PLANNER, "spec_sent")):
        h.driver.click(h.message(ticket_id, status=shown), action, user=user)
    opened = len(h.emulator.of("views.open"))
    h.driver.click(h.message(ticket_id, status="partner_setup"), "complete_setup", user=PLANNER)
    view = h.opened_view(opened)
    reply = h.driver.submit(view, {
        "makasete_company_code": "123456", "makasete_store_code:0001": "67890",
        "end_date:0001": "2027-11-30", "makasete_store_code:0002": "６７８９",
        "start_date:0002": "2026-11-01", "end_date:0002": "2026-11-24"}, user=PLANNER).json()
    assert reply == {"response_action": "errors", "errors": {
        "makasete_company_code": "まかせてネット企業コードは半角数字1〜5桁で入力してください",
        "start_date:0002": "連携開始日は本日以降の日付を選択してください",
        "end_date:0002": "連携終了日は未来の日付を選択してください"}}
    assert h.wf.get(ticket_id).status == "partner_setup"


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_tampered_and_old_signatures_are_refused(harness: Harness) -> None:
    h = harness
    assert h.driver.command("new", user=SALES, tamper=True).status_code == 401
    six_minutes_ago = int(time.time()) - 360
    assert h.driver.command("new", user=SALES, timestamp=six_minutes_ago).status_code == 401
    unsigned = httpx.post(h.driver.url, content=b"command=%2Frenkei&text=new",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert unsigned.status_code == 401
    assert h.emulator.of("views.open") == []
    health = httpx.get(h.driver.url.replace("/slack/events", "/healthz"))
    assert health.status_code == 200 and health.json() == {"ok": True}
    assert httpx.get(h.driver.url.replace("/slack/events", "/nope")).status_code == 404


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_same_click_twice_and_a_retry_move_once(harness: Harness) -> None:
    h = harness
    ticket_id = h.file()
    blocks = h.message(ticket_id)
    for headers in ({}, {}, {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}):
        reply = h.driver.click(blocks, "request_kintone", user=SALES, action_ts="1700.000001",
                               headers=headers)
        assert reply.status_code == 200
    h.message(ticket_id, status="kintone_requested")
    # the same view submitted twice (a retried submission) files one ticket
    opened = len(h.emulator.of("views.open"))
    h.driver.command("new", user=PLANNER)
    view = h.opened_view(opened)
    values = {"customer_code": "1", "company_code": "2", "company_name": "株式会社B",
              "stores": "0001:本店", "desired_date": "2026-12-07"}
    for _ in range(2):
        assert h.driver.submit(view, values, user=PLANNER).status_code == 200
    # a retried event is handled once, by whichever replica gets it (the sender publishes
    # App Home after changes too: count from when it is done)
    h.settled()
    published = len(h.emulator.of("views.publish"))
    for retry in (None, "1", "2"):
        headers = {"X-Slack-Retry-Num": retry} if retry else {}
        h.driver.event({"type": "app_home_opened", "user": SALES, "tab": "home"},
                       event_id="Ev0001", headers=headers)
    h.driver.event({"type": "app_home_opened", "user": PLANNER, "tab": "home"},
                   event_id="Ev0002")
    # The retries were refused (or not) before each HTTP answer; their work, if accepted,
    # was queued before this sentinel's. Once the sentinel's Home is published, each user's
    # publish count says whether a retry got through, with no sleep.
    h.driver.event({"type": "app_home_opened", "user": PLANNER2, "tab": "home"},
                   event_id="Ev0003")
    h.emulator.wait_for(lambda e: any(c.args.get("user_id") == PLANNER2
                                      for c in e.of("views.publish")[published:]))
    h.emulator.wait_for(lambda e: len(e.of("views.publish")) >= published + 3)
    users = [c.args.get("user_id") for c in h.emulator.of("views.publish")[published:]]
    assert sorted(users) == sorted([SALES, PLANNER, PLANNER2]), users
    assert len(h.wf.get(ticket_id).events) == 2
    assert len(h.wf.list_tickets()) == 2
    assert h.answers() == []


def test_twenty_clicks_at_once_move_once(harness: Harness) -> None:
    h = harness
    ticket_id = h.file()
    h.driver.click(h.message(ticket_id), "request_kintone", user=SALES)
    blocks = h.message(ticket_id, status="kintone_requested")
    start = threading.Barrier(20)
    codes: list[int] = []

    def click(i: int) -> None:
        start.wait()
        codes.append(h.driver.click(blocks, "send_spec", user=PLANNER,
                                    action_ts=f"1700.{i:06d}").status_code)

    threads = [threading.Thread(target=click, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [200] * 20
    h.emulator.wait_for(lambda e: len(e.responses) == 19)
    assert all("すでに" in text and "設定依頼書送付" in text for text in h.answers())
    ticket = h.wf.get(ticket_id)
    assert ticket.status == "spec_sent"
    assert [e.action for e in ticket.events] == ["file", "request_kintone", "send_spec"]


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_rate_limits_and_outages_delay_but_lose_nothing(harness: Harness) -> None:
    h = harness
    h.emulator.fail("chat.postMessage", status=429, retry_after=1)
    ticket_id = h.file()
    assert [c.method for c in h.emulator.calls if c.method.startswith("chat.postMessage")][:2] \
        == ["chat.postMessage!fault", "chat.postMessage"]
    h.emulator.fail("chat.update", error="internal_error", status=500)
    h.driver.click(h.message(ticket_id), "request_kintone", user=SALES)
    h.message(ticket_id, status="kintone_requested")  # the outbox retried it
    assert len(h.ticket_posts()) == 1


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
@pytest.mark.parametrize("slack_settings", [{"RENKEI_PLANNING_GROUP": "S0PLAN"}])
def test_planning_staff_from_a_user_group(harness: Harness) -> None:
    h = harness
    h.emulator.wait_for(lambda e: len(e.of("usergroups.users.list")) == 1)  # read at start
    h.emulator.planning_group.append("UGROUPMEMBER")
    h.bot.roles.refresh()  # as its background refresh does every half TTL
    ticket_id = h.file()
    h.driver.click(h.message(ticket_id), "request_kintone", user=SALES)
    h.driver.click(h.message(ticket_id, status="kintone_requested"), "send_spec",
                   user="UGROUPMEMBER")
    h.message(ticket_id, status="spec_sent")
    assert len(h.emulator.of("usergroups.users.list")) == 2  # never inside a click


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_no_token_or_secret_is_logged(harness: Harness, caplog: pytest.LogCaptureFixture
                                      ) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("slack_sdk", "slack_bolt", "bot", "workflow"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    harness.bot.client.logger.setLevel(logging.DEBUG)
    ticket_id = harness.file()
    harness.driver.click(harness.message(ticket_id), "request_kintone", user=SALES)
    harness.driver.command("new", user=SALES, tamper=True)
    harness.message(ticket_id, status="kintone_requested")
    assert caplog.records
    assert TOKEN not in caplog.text and SECRET not in caplog.text
