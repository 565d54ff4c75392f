"""The Bar of drift, end to end over real HTTP with the Slack emulator: new codes in the data →
one draft in the requests channel mentioning the requester → filed from Slack as a 設定変更 →
設定完了 → no new draft; and 「対象外にする」 → no new draft. Block Kit checked by slack_sdk."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.slack.views_home import RETRY_ALL_ACTION
from exporter import demo, drift
from tests.export_support import TZ
from tests.slack_driver import buttons
from tests.slack_emulator import Call
from tests.slack_harness import (
    CHANNEL,
    DATE,
    PLANNER,
    PLANNER2,
    SALES,
    Harness,
    clock,
    harness,
    slack_settings,
)
from workflow import drafts, machine, repair
from workflow.linkage import StoreLink

__all__ = ["clock", "harness", "slack_settings"]  # fixtures
DAY = date.fromisoformat(DATE)


def _blocks(call: Call) -> list[dict[str, Any]]:
    raw = call.args.get("blocks")
    blocks = json.loads(raw) if isinstance(raw, str) else list(raw or [])
    for b in blocks:
        Block.parse(b).validate_json()  # type: ignore[union-attr]
    return blocks


def _text(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def _walk(h: Harness, ticket_id: int, status: str) -> None:
    """Drive a ticket with the harness's real users (planning = UPLAN1)."""
    while (view := h.wf.get(ticket_id)).status != status:
        action = machine.triggers_from(view.status)[0]
        extra: dict[str, Any] = {}
        if action == "complete_setup":
            extra = {"makasete_company_code": "12345",
                     "links": [StoreLink(s.code, f"6789{i}", DAY, DAY + timedelta(days=365))
                               for i, s in enumerate(view.stores)]}
        user = SALES if action == "request_kintone" else PLANNER
        h.wf.advance(ticket_id, action, actor=h.wf.actor(user), **extra)


def _drift_posts(h: Harness, company: str) -> list[Call]:
    return [c for c in h.emulator.of("chat.postMessage")
            if f"企業CD {company}" in str(c.args.get("text", ""))]


def _updates_of(h: Harness, ts: str) -> list[Call]:
    return [c for c in h.emulator.of("chat.update") if c.args.get("ts") == ts]


def test_drift_to_one_draft_filed_from_slack_then_nothing_new(harness: Harness) -> None:
    h = harness
    demo.generate(h.ctx.factory, company_code="67890", stores=2, days=1, end=DAY, tz=TZ,
                  receipts_per_day=6, link=False)
    first = h.file()  # 新規・増店 by SALES, for stores 0001 and 0002
    _walk(h, first, "setup_completed")  # the registry now holds the masters of both stores
    assert drift.scan(h.ctx.factory, DAY) == []
    demo.add_new_items(h.ctx.factory, company_code="67890", store_code="0001", day=DAY, tz=TZ)
    demo.add_new_items(h.ctx.factory, company_code="67890", store_code="0002", day=DAY, tz=TZ)
    (found,) = drift.scan(h.ctx.factory, DAY)
    assert drift.scan(h.ctx.factory, DAY) == []  # the same items: no second draft
    h.bot.notifier.kick()
    h.emulator.wait_for(lambda e: len(_drift_posts(h, "67890")) == 1)
    (post,) = _drift_posts(h, "67890")
    assert post.args["channel"] == CHANNEL
    blocks = _blocks(post)
    text = _text(blocks)
    assert text.startswith('[{"type": "section"') and f"<@{SALES}>" in text
    assert "`09` 楽天ペイ" in text and "`105` 雨の日10%引" in text and "`7` インバウンド" in text
    assert "0001:居酒屋データ分析 目黒本店、0002:データ分析カフェ 目黒川店" in text
    assert f"（{DATE}から）" in text
    assert buttons(blocks) == ["renkei_drift_file", "renkei_drift_ignore"]
    assert "この内容で設定変更を依頼" in text and "対象外にする" in text

    # App Home of the requester lists the open draft
    published = len(h.emulator.of("views.publish"))
    h.driver.event({"type": "app_home_opened", "user": SALES, "tab": "home"}, event_id="EvD1")
    h.emulator.wait_for(lambda e: len(e.of("views.publish")) > published)
    home = h.emulator.of("views.publish")[-1].args["view"]
    home = json.loads(home) if isinstance(home, str) else home
    View(**home).validate_json()
    assert f"下書き{found.draft_id}" in _text(home["blocks"])

    # 「この内容で設定変更を依頼」 opens the 設定変更 form pre-filled
    opened = len(h.emulator.of("views.open"))
    assert h.driver.click(blocks, "renkei_drift_file", user=SALES).status_code == 200
    view = h.opened_view(opened)
    View(**{k: v for k, v in view.items() if k != "id"}).validate_json()
    initial = {b["block_id"]: b["element"].get("initial_value") or
               b["element"].get("initial_date") for b in view["blocks"] if b["type"] == "input"}
    earliest = h.wf.rules.earliest_date(h.wf.today(), 2, h.wf.calendar)
    assert initial == {
        "customer_code": "123456", "company_code": "67890", "company_name": "株式会社データ分析",
        "stores": "0001:居酒屋データ分析 目黒本店\n0002:データ分析カフェ 目黒川店",
        "desired_date": earliest.isoformat(), "payment_items": "楽天ペイ",
        "discounts": "雨の日10%引", "customer_segments": "インバウンド", "remarks": None,
        "customer_channel": None, "customer_email": None,
        # the other ways stores come in (issue 8): more inputs, a file, the registry
        "stores:2": None, "stores:3": None, "stores_file": None, "stores_all": None}
    response = h.driver.submit(view, {}, user=SALES)
    assert response.status_code == 200 and not response.content.strip(), response.text
    change = h.wf.list_tickets(requester=SALES)[0]
    assert change.kind == "change" and change.id != first
    assert change.additions["payment_items"] == ["楽天ペイ"]
    (filed,) = drafts.list_drafts(h.wf, state="filed")
    assert filed.ticket_id == change.id and drafts.list_drafts(h.wf) == []
    h.bot.notifier.kick()
    ts = drafts.get_draft(h.wf, found.draft_id).slack_ts or ""  # recorded when posted
    h.emulator.wait_for(lambda e: any(f"#{change.id} として依頼" in _text(_blocks(c))
                                      for c in _updates_of(h, ts)))
    # 設定完了 of the 設定変更 tells the partner; the data stays the same: nothing new
    _walk(h, change.id, "setup_completed")
    told = {r["code"]: r["ticket_id"] for r in drafts.registry(h.wf, "67890")}
    assert told["09"] == told["105"] == told["7"] == change.id
    assert drift.scan(h.ctx.factory, DAY) == []
    assert drift.scan(h.ctx.factory, DAY + timedelta(days=1)) == []
    assert drafts.list_drafts(h.wf) == [] and len(_drift_posts(h, "67890")) == 1


def test_ignored_from_slack_with_a_reason_then_nothing_new(harness: Harness) -> None:
    h = harness
    # linked outside a ticket (demo-data): seeded with the masters of that moment
    demo.generate(h.ctx.factory, company_code="20002", company_name="株式会社テスト",
                  stores=1, days=1, end=DAY, tz=TZ, receipts_per_day=6)
    demo.add_new_items(h.ctx.factory, company_code="20002", store_code="0001", day=DAY, tz=TZ)
    (found,) = drift.scan(h.ctx.factory, DAY)
    h.bot.notifier.kick()
    h.emulator.wait_for(lambda e: len(_drift_posts(h, "20002")) == 1)
    (post,) = _drift_posts(h, "20002")
    blocks = _blocks(post)
    assert f"<@{PLANNER}> <@{PLANNER2}>" in _text(blocks)  # no ticket: planning is told
    opened = len(h.emulator.of("views.open"))
    h.driver.click(blocks, "renkei_drift_ignore", user=PLANNER)
    view = h.opened_view(opened)
    View(**{k: v for k, v in view.items() if k != "id"}).validate_json()
    reply = h.driver.submit(view, {"reason": " "}, user=PLANNER)
    assert reply.json() == {"response_action": "errors",
                            "errors": {"reason": "対象外にする理由を入力してください"}}
    reply = h.driver.submit(view, {"reason": "社内テスト用の科目"}, user=PLANNER)
    assert reply.status_code == 200 and not reply.content.strip(), reply.text
    (ignored,) = drafts.list_drafts(h.wf, state="ignored")
    assert (ignored.id, ignored.reason, ignored.closed_by) == (
        found.draft_id, "社内テスト用の科目", PLANNER)
    h.bot.notifier.kick()
    h.emulator.wait_for(lambda e: any("社内テスト用の科目" in _text(_blocks(c))
                                      for c in e.of("chat.update")))
    # a stale button: told, nothing changes
    h.driver.click(blocks, "renkei_drift_file", user=PLANNER)
    h.emulator.wait_for(lambda e: any("対象外にしました" in str(r.args.get("text"))
                                      for r in e.responses))
    assert drift.scan(h.ctx.factory, DAY) == []
    assert drift.scan(h.ctx.factory, DAY + timedelta(days=1)) == []
    assert drafts.list_drafts(h.wf) == []


def test_a_refused_draft_post_is_told_to_planning_and_retried_from_app_home(
        harness: Harness) -> None:
    """A dead job of no ticket (issue 9 part 6): planning is DMed with the job id, their App
    Home counts it with 「すべて再送する」, and the press sends it once the fault is mended."""
    h = harness
    demo.generate(h.ctx.factory, company_code="67890", stores=1, days=1, end=DAY, tz=TZ,
                  receipts_per_day=6, link=False)
    first = h.file(stores="0001:居酒屋データ分析 目黒本店")
    _walk(h, first, "setup_completed")
    h.bot.notifier.kick()
    h.settled()
    demo.add_new_items(h.ctx.factory, company_code="67890", store_code="0001", day=DAY, tz=TZ)
    h.emulator.fail("chat.postMessage", error="not_in_channel", channel=CHANNEL)
    assert len(drift.scan(h.ctx.factory, DAY)) == 1
    h.bot.notifier.kick()
    h.emulator.wait_for(lambda e: len([c for c in e.of("chat.postMessage")
                                       if str(c.args["channel"]).startswith("D")]) == 2)
    dms = [c for c in h.emulator.of("chat.postMessage") if str(c.args["channel"]).startswith("D")]
    [dead] = repair.jobs(h.wf, dead_only=True)
    assert dead.kind == "mapping.draft" and dead.ticket_id is None
    for dm in dms:
        text = str(dm.args["text"])
        assert "「設定変更の下書きの投稿」を送信できませんでした" in text
        assert f"`renkei outbox retry {dead.id}`" in text and "not_in_channel" not in text
    assert _drift_posts(h, "67890") == []

    published = len(h.emulator.of("views.publish"))
    h.driver.event({"type": "app_home_opened", "user": PLANNER, "tab": "home"}, event_id="EvF1")
    h.emulator.wait_for(lambda e: len(e.of("views.publish")) > published)
    home = h.emulator.of("views.publish")[-1].args["view"]
    View(**home).validate_json()
    assert "送信できなかった送信が 1 件あります" in _text(home["blocks"])
    assert RETRY_ALL_ACTION in buttons(home["blocks"])
    # a sales rep's Home has no such line; and their press (were it forged) does nothing
    assert h.driver.click(home["blocks"], RETRY_ALL_ACTION, user=SALES).status_code == 200
    assert [j.id for j in repair.jobs(h.wf, dead_only=True)] == [dead.id]

    published = len(h.emulator.of("views.publish"))
    assert h.driver.click(home["blocks"], RETRY_ALL_ACTION, user=PLANNER).status_code == 200
    h.emulator.wait_for(lambda e: len(_drift_posts(h, "67890")) == 1)
    assert repair.jobs(h.wf, dead_only=True) == []
    h.emulator.wait_for(lambda e: any("1 件を再送します" in str(c.args.get("text"))
                                      for c in e.of("chat.postMessage")))
    h.emulator.wait_for(lambda e: len(e.of("views.publish")) > published)
    again = [c for c in h.emulator.of("views.publish") if c.args["user_id"] == PLANNER][-1]
    assert "送信できなかった送信" not in _text(again.args["view"]["blocks"])
