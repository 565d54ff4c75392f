"""End to end over real HTTP: signed payloads into the bot, Slack's Web API emulated."""

from __future__ import annotations

import json

from tests.slack_driver import buttons, find_button
from tests.slack_harness import (
    CHANNEL,
    DATE,
    OTHER_SALES,
    PLANNER,
    PLANNER2,
    SALES,
    Harness,
    clock,
    harness,
    slack_settings,
)

__all__ = ["clock", "harness", "slack_settings"]  # fixtures


def _link_everything(h: Harness, ticket_id: int, *, user: str = PLANNER) -> None:
    opened = len(h.emulator.of("views.open"))
    blocks = h.message(ticket_id, status="partner_setup")
    assert h.driver.click(blocks, "complete_setup", user=user).status_code == 200
    view = h.opened_view(opened)
    assert view["callback_id"] == "renkei_linkage"
    values = {"makasete_company_code": "12345"}
    for i, code in enumerate(("0001", "0002")):
        values[f"makasete_store_code:{code}"] = f"6789{i}"
        values[f"start_date:{code}"] = DATE
        values[f"end_date:{code}"] = "2027-11-30"
    response = h.driver.submit(view, values, user=user)
    assert response.status_code == 200 and not response.content.strip(), response.text


def test_the_seven_steps_through_buttons(harness: Harness) -> None:
    h = harness
    ticket_id = h.file()
    first = h.ticket_posts()
    assert len(first) == 1 and first[0].args["channel"] == CHANNEL
    blocks = h.message(ticket_id)
    header = blocks[0]["text"]["text"]
    assert "新規・増店" in header and "株式会社データ分析" in header
    assert "0001:居酒屋データ分析 目黒本店" in json.dumps(blocks, ensure_ascii=False)
    assert buttons(blocks) == ["request_kintone", "send_back", "cancel", "kintone", "contact"]
    # the thread's first post carries the Kintone text to copy
    h.emulator.wait_for(lambda e: len(h.thread_posts()) >= 1)
    assert "まかせてネット新規連携依頼になります。" in json.dumps(
        h.thread_posts()[0].args["blocks"], ensure_ascii=False)

    steps = [("request_kintone", SALES, "kintone_requested"),
             ("send_spec", PLANNER, "spec_sent"), ("start_setup", PLANNER2, "partner_setup")]
    for action, user, status in steps:
        assert h.driver.click(h.message(ticket_id), action, user=user).status_code == 200
        h.message(ticket_id, status=status)
    _link_everything(h, ticket_id)
    h.message(ticket_id, status="setup_completed")
    for action, status in (("notify_customer", "customer_notified"), ("verify", "verified")):
        h.driver.click(h.message(ticket_id), action, user=PLANNER)
        h.message(ticket_id, status=status)

    final = h.message(ticket_id, status="verified")
    assert buttons(final) == ["kintone"]
    assert ":white_check_mark: 連携の確認" in json.dumps(final, ensure_ascii=False)
    # seven events, plus (no Kintone, no customer contact here) the 完了報告 and the customer
    # text handed to the planner to send by hand
    h.emulator.wait_for(lambda e: len(h.thread_posts()) == 9)
    assert len(h.ticket_posts()) == 1  # one message, updated in place
    by_hand = [c.args["text"] for c in h.thread_posts()
               if c.args["text"].startswith((":memo:", f"<@{PLANNER}> :envelope:"))]
    assert "Kintoneへの完了報告を自動で投稿できませんでした（Kintone連携が設定されていません）" \
        in by_hand[0]
    assert "お客様の連絡先（Slackチャンネル・メールアドレス）が登録されていません" in by_hand[1]
    threads = [c for c in h.thread_posts() if c.args["text"] not in by_hand]
    # every post, the planner's hand-offs included, is in this ticket's thread: the thread_ts
    # is the ts Slack gave the ticket message (recorded on the ticket), in the requests channel
    message_ts = h.wf.get(ticket_id).slack_ts
    assert message_ts and message_ts.startswith("1700000000.")
    assert {(c.args["channel"], c.args["thread_ts"]) for c in h.thread_posts()} == {
        (CHANNEL, message_ts)}
    assert {c.args["ts"] for c in h.emulator.of("chat.update")} == {message_ts}
    assert f"<@{PLANNER}>（USEN企画）が「データ連携を確認しました」" in threads[-1].args["text"]
    assert [s.state for s in h.wf.store_links("67890") if s.store_code != "0000"] == \
        ["連携済", "連携済"]
    assert h.answers() == []  # nobody was told off


def test_not_allowed_and_already_moved_answer_ephemerally(harness: Harness) -> None:
    h = harness
    ticket_id = h.file()
    blocks = h.message(ticket_id)
    h.driver.click(blocks, "send_back", user=OTHER_SALES)  # sales may not send back
    h.emulator.wait_for(lambda e: len(e.responses) == 1)
    assert "USEN企画のみ" in h.answers()[0]
    assert h.wf.get(ticket_id).status == "contacted"

    h.driver.click(blocks, "request_kintone", user=SALES)
    h.message(ticket_id, status="kintone_requested")
    h.driver.click(blocks, "request_kintone", user=PLANNER)  # the stale button
    h.emulator.wait_for(lambda e: len(e.responses) == 2)
    assert "すでに" in h.answers()[1] and "Kintone依頼" in h.answers()[1]
    assert len(h.wf.get(ticket_id).events) == 2
    assert all(json.loads(json.dumps(r.args)).get("response_type") == "ephemeral"
               for r in h.emulator.responses)


def test_send_back_with_a_reason_then_resubmit(harness: Harness) -> None:
    h = harness
    ticket_id = h.file()
    opened = len(h.emulator.of("views.open"))
    h.driver.click(h.message(ticket_id), "send_back", user=PLANNER)
    view = h.opened_view(opened)
    assert view["callback_id"] == "renkei_send_back"
    reply = h.driver.submit(view, {"note": "  "}, user=PLANNER)
    assert reply.json() == {"response_action": "errors",
                            "errors": {"note": "差し戻しの理由を入力してください"}}
    h.driver.submit(view, {"note": "0003:札幌店が抜けています"}, user=PLANNER)
    blocks = h.message(ticket_id, status="returned")
    assert "差し戻し理由: 0003:札幌店が抜けています" in json.dumps(blocks, ensure_ascii=False)
    assert buttons(blocks) == ["resubmit", "cancel", "kintone", "contact"]

    opened = len(h.emulator.of("views.open"))
    h.driver.click(blocks, "resubmit", user=SALES)
    view = h.opened_view(opened)
    initial = {b["block_id"]: b["element"].get("initial_value") or
               b["element"].get("initial_date") for b in view["blocks"] if b["type"] == "input"}
    assert initial["company_code"] == "67890" and initial["desired_date"] == DATE
    assert initial["stores"] == "0001:居酒屋データ分析 目黒本店\n0002:データ分析カフェ 目黒川店"
    stores = initial["stores"] + "\n0003:ラーメン・つけめん札幌店"
    assert h.driver.submit(view, {"stores": stores}, user=SALES).status_code == 200
    ticket = h.wf.get(ticket_id)
    assert ticket.status == "contacted" and len(ticket.stores) == 3
    h.message(ticket_id, status="contacted")
    assert len(h.ticket_posts()) == 1


def test_list_show_and_help_answer_ephemerally(harness: Harness) -> None:
    h = harness
    ticket_id = h.file()
    h.driver.command("list", user=SALES)
    h.driver.command(f"show {ticket_id}", user=PLANNER)
    h.driver.command("show 999", user=SALES)
    h.emulator.wait_for(lambda e: len(e.responses) == 3)
    by_text = {r.args.get("text", ""): r.args for r in h.emulator.responses}
    mine = by_text["自分の依頼"]
    assert mine["response_type"] == "ephemeral"
    assert f"#{ticket_id}" in json.dumps(mine["blocks"], ensure_ascii=False)
    shown = next(r.args for r in h.emulator.responses if "blocks" in r.args
                 and "send_spec" not in json.dumps(r.args) and "Kintone" in json.dumps(
                     r.args["blocks"], ensure_ascii=False) and r.args is not mine)
    assert "まかせてネット新規連携依頼になります。" in json.dumps(shown["blocks"],
                                                           ensure_ascii=False)
    assert any("依頼 #999 は見つかりません" in t for t in by_text)

    reply = h.driver.command("help", user=SALES).json()
    assert reply["response_type"] == "ephemeral"
    assert "0120-210-440" in json.dumps(reply["blocks"], ensure_ascii=False)
    assert "分かりません" in h.driver.command("bogus", user=SALES).json()["text"]


def test_cancel_confirms_on_the_button_then_asks_a_reason(harness: Harness) -> None:
    from slack_sdk.models.blocks import ButtonElement

    h = harness
    ticket_id = h.file()
    button = find_button(h.message(ticket_id), "cancel")
    assert button["confirm"]["title"]["text"] == "依頼を取り消しますか？"
    ButtonElement(**button).validate_json()  # Slack's own model accepts the confirm dialog
    opened = len(h.emulator.of("views.open"))
    h.driver.click(h.message(ticket_id), "cancel", user=SALES)
    view = h.opened_view(opened)
    assert view["title"]["text"] == "依頼の取り消し"
    reply = h.driver.submit(view, {"note": " "}, user=SALES)
    assert reply.json() == {"response_action": "errors",
                            "errors": {"note": "取り消しの理由を入力してください"}}
    assert h.driver.submit(view, {"note": "お客様のご都合"}, user=SALES).status_code == 200
    h.message(ticket_id, status="cancelled")
    last = h.wf.get(ticket_id).events[-1]
    assert (last.action, last.actor, last.note) == ("cancel", SALES, "お客様のご都合")


def test_a_change_reads_settei_jouhou_where_new_reads_settei_iraisho(harness: Harness) -> None:
    h = harness
    ticket_id = h.file("change")
    blocks = h.message(ticket_id)
    assert "設定情報送付" in json.dumps(blocks, ensure_ascii=False)
    h.driver.click(blocks, "request_kintone", user=SALES)
    blocks = h.message(ticket_id, status="kintone_requested")
    assert find_button(blocks, "send_spec")["text"]["text"] == "設定情報を送付"
    h.driver.click(blocks, "send_spec", user=PLANNER)
    blocks = h.message(ticket_id, status="spec_sent")
    text = json.dumps(blocks, ensure_ascii=False)
    assert "*設定情報送付*" in text and "設定依頼書" not in text
    h.emulator.wait_for(lambda e: any("「設定情報を送付」→ *設定情報送付*" in c.args["text"]
                                      for c in h.thread_posts()))
    assert h.wf.get(ticket_id).status_label == "設定情報送付"


def test_unknown_list_filter_and_help_with_the_support_sites(harness: Harness) -> None:
    h = harness
    h.driver.command("list foo", user=SALES)
    h.emulator.wait_for(lambda e: len(e.responses) == 1)
    assert "「foo」では絞り込めません" in h.answers()[0]
    assert "`/renkei list overdue`" in h.answers()[0]
    help_text = json.dumps(h.driver.command("help", user=SALES).json()["blocks"],
                           ensure_ascii=False)
    assert "USENサービスお客様サポートサイト" in help_text
    assert "ジャストプランニングお問い合わせ: https://www.justweb.co.jp/contact/" in help_text
