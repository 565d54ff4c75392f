"""The customer's side in Slack: their Slack Connect channel gets the message and the one
button, which anyone there presses as the customer; the contact is set in the intake modal or
changed later; without a usable contact the planner gets the text to send."""

from __future__ import annotations

import pytest

from tests.kintone_fake import FakeKintone
from tests.slack_harness import (
    CHANNEL,
    OTHER_SALES,
    PLANNER,
    SALES,
    Harness,
    clock,
    harness,
)
from tests.slack_partner import (
    dump,
    link_stores,
    posts_in,
    press,
    slack_settings,
    wait_thread,
)
from workflow.notices import CONFIRM_BUTTON_LABEL

__all__ = ["clock", "harness", "slack_settings"]  # fixtures
pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)

CUSTOMER_CHANNEL = "CCUSTOMER1"
CUSTOMER = "UCUST1"  # a user of the customer's workspace (Slack Connect)


def walk_to_setup_completed(h: Harness, ticket_id: int) -> None:
    press(h, ticket_id, "request_kintone", SALES, "kintone_requested")
    press(h, ticket_id, "send_spec", PLANNER, "spec_sent")
    press(h, ticket_id, "start_setup", PLANNER, "partner_setup")
    link_stores(h, ticket_id)


def test_customer_channel_message_and_their_button(harness: Harness,
                                                   kintone: FakeKintone) -> None:
    h = harness
    ticket_id = h.file(customer_channel=CUSTOMER_CHANNEL)
    assert h.wf.get(ticket_id).customer_channel == CUSTOMER_CHANNEL
    assert f"<#{CUSTOMER_CHANNEL}>" in dump(h.message(ticket_id))
    walk_to_setup_completed(h, ticket_id)
    press(h, ticket_id, "notify_customer", PLANNER, "customer_notified")
    wait_thread(h, f"お客様へのご連絡を <#{CUSTOMER_CHANNEL}> に投稿しました")

    [post] = posts_in(h, CUSTOMER_CHANNEL)
    blocks = post.args["blocks"]
    text = dump(blocks)
    assert post.args["text"].startswith("【USENレジ】まかせてネットEXとのデータ連携設定完了")
    assert "・0001：居酒屋データ分析 目黒本店" in text and "2026年12月7日（月）" in text
    assert f"「{CONFIRM_BUTTON_LABEL}」ボタンを押してください" in text
    # nothing internal: no ticket number, no requester, no internal buttons
    assert f"#{ticket_id}" not in text and SALES not in text and "renkei:" not in text
    [button] = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert button["text"]["text"] == CONFIRM_BUTTON_LABEL

    # a customer may not press the internal buttons of the ticket message
    before = len(h.emulator.responses)
    h.driver.click(h.message(ticket_id), "verify", user=CUSTOMER, user_team="T0CUSTOMER")
    h.emulator.wait_for(lambda e: len(e.responses) > before)
    assert "お客様はこのボタンのみ" in h.emulator.responses[-1].args["text"]
    assert h.wf.get(ticket_id).status == "customer_notified"

    # the customer's press, in their channel: verified, as the customer
    h.driver.click(blocks, "renkei_customer_verify", user=CUSTOMER, user_team="T0CUSTOMER",
                   channel=CUSTOMER_CHANNEL)
    h.message(ticket_id, status="verified")
    last = h.wf.get(ticket_id).events[-1]
    assert (last.actor, last.actor_role, last.action) == (CUSTOMER, "customer", "verify")
    h.emulator.wait_for(lambda e: any(r.args.get("replace_original") for r in e.responses))
    replaced = next(r.args for r in h.emulator.responses if r.args.get("replace_original"))
    assert "ご確認ありがとうございました" in dump(replaced["blocks"])
    assert "actions" not in dump(replaced["blocks"])
    # pressed again (the message was not refreshed yet): a thank-you, nothing moves
    h.driver.click(blocks, "renkei_customer_verify", user=CUSTOMER, user_team="T0CUSTOMER",
                   channel=CUSTOMER_CHANNEL)
    h.emulator.wait_for(lambda e: sum(bool(r.args.get("replace_original"))
                                      for r in e.responses) == 2)
    assert "すでにご確認いただいております" in dump(h.emulator.responses[-1].args)
    assert len(h.wf.get(ticket_id).events) == 7  # filed + six moves: no second verify
    assert [c for c in posts_in(h, CUSTOMER_CHANNEL) if "thread_ts" in c.args] == []


def test_contact_errors_under_the_inputs_and_the_change_button(harness: Harness) -> None:
    h = harness
    opened = len(h.emulator.of("views.open"))
    h.driver.command("new", user=SALES)
    view = h.opened_view(opened)
    select = next(b for b in view["blocks"] if b.get("block_id") == "customer_channel")
    assert select["optional"] and select["element"]["type"] == "conversations_select"
    assert select["element"]["filter"] == {"include": ["public", "private"],
                                           "exclude_bot_users": True}
    reply = h.driver.submit(view, {
        "customer_code": "1", "company_code": "67890", "company_name": "株式会社データ分析",
        "stores": "0001:本店", "desired_date": "2026-12-07", "customer_email": "keiri@@x",
        "customer_channel": "DNOTACHANNEL"}, user=SALES).json()
    assert reply["response_action"] == "errors"
    assert set(reply["errors"]) == {"customer_channel", "customer_email"}
    assert "メールアドレスの形式" in reply["errors"]["customer_email"]
    ticket_id = h.file()

    # only the requester or planning may change it
    before = len(h.emulator.responses)
    h.driver.click(h.message(ticket_id), "contact", user=OTHER_SALES)
    h.emulator.wait_for(lambda e: len(e.responses) > before)
    assert "依頼者ご本人かUSEN企画のみ" in h.answers()[-1]
    opened = len(h.emulator.of("views.open"))
    h.driver.click(h.message(ticket_id), "contact", user=PLANNER)
    view = h.opened_view(opened)
    assert view["callback_id"] == "renkei_contact"
    assert h.driver.submit(view, {"customer_email": "nope"}, user=PLANNER).json()[
        "errors"].keys() == {"customer_email"}
    assert h.driver.submit(view, {"customer_email": "ｋｅｉｒｉ@example.co.jp",
                                  "customer_channel": CUSTOMER_CHANNEL},
                           user=PLANNER).status_code == 200
    ticket = h.wf.get(ticket_id)
    assert (ticket.customer_channel, ticket.customer_email) == (CUSTOMER_CHANNEL,
                                                                "keiri@example.co.jp")
    wait_thread(h, "連絡先を変更")
    assert "keiri@example.co.jp" in dump(h.message(ticket_id))


def test_no_contact_or_no_channel_hands_the_text_to_the_planner(harness: Harness) -> None:
    h = harness
    # no contact at all
    ticket_id = h.file()
    walk_to_setup_completed(h, ticket_id)
    press(h, ticket_id, "notify_customer", PLANNER, "customer_notified")
    [handed] = wait_thread(h, "お客様へのご連絡を自動で送れませんでした")
    assert handed.startswith(f"<@{PLANNER}> ")
    assert "連絡先（Slackチャンネル・メールアドレス）が登録されていません" in handed
    h.settled()
    post = next(c for c in h.thread_posts() if "自動で送れません" in c.args["text"])
    assert "担当者までご連絡ください" in dump(post.args["blocks"])  # the manual wording
    assert "送信待ち" not in dump(h.message(ticket_id))

    # a channel the bot is not in: the planner gets the text, with Slack's reason
    h.emulator.fail("chat.postMessage", error="not_in_channel", channel=CUSTOMER_CHANNEL)
    other = h.file(customer_channel=CUSTOMER_CHANNEL, company_code="12121")
    walk_to_setup_completed(h, other)
    h.settled()
    press(h, other, "notify_customer", PLANNER, "customer_notified")
    wait_thread(h, "お客様のSlackチャンネルに投稿できませんでした: "
                   "ボットが投稿先のチャンネルに参加していません")
    assert posts_in(h, CUSTOMER_CHANNEL) == []
    assert h.wf.get(other).slack_channel == CHANNEL
