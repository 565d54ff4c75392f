"""Chains in Slack, end to end through the emulator (which refuses what Slack refuses): a 300-
and a 20-store ticket walked to verified, and the 定型文, the 完了報告 and the customer text
reachable whole in the ticket's thread (parts that join back exactly, and a .txt).

Filing goes through the service (the intake modal for hundreds of stores is another part of
issue 8); every later step is a button or a modal in Slack. Kintone, SMTP and the customer's
channel are not configured, so each text is handed to people to copy. The harness fails a test
in which any Web API call, response_url post or modal ack was refused.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.slack import views_copy
from bot.slack.split import split_text
from tests.slack_emulator import Call
from tests.slack_harness import (
    CHANNEL,
    DATE,
    PLANNER,
    SALES,
    Harness,
    clock,
    harness,
    slack_settings,
)
from tests.slack_partner import dump, posts_in, press
from tests.test_slack_limits import copied_text, store_name
from workflow import partner

__all__ = ["clock", "harness", "slack_settings"]  # fixtures
pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)
CUSTOMER_CHANNEL = "CCUSTOMER9"


def file_chain(h: Harness, n: int, **contact: str) -> int:
    raw = {"customer_code": "123456", "company_code": "67890",
           "company_name": "株式会社データ分析",
           "stores": "\n".join(f"{i:04d}:{store_name(i)}" for i in range(1, n + 1)),
           "desired_date": DATE, "remarks": "閉店後の作業を希望します。"}
    ticket = h.wf.file_request("new", raw, actor=h.wf.actor(SALES), **contact)
    h.bot.notifier.kick()
    h.message(ticket.id)
    return ticket.id


def thread_of(h: Harness, ticket_id: int) -> list[Call]:
    ts = h.wf.get(ticket_id).slack_ts
    return [c for c in h.thread_posts() if c.args.get("thread_ts") == ts]


def whole_in_thread(h: Harness, ticket_id: int, heading: str, text: str, name: str) -> None:
    """`text` in the thread: the post under `heading` and the posts after it carry parts that
    join back to it exactly; when in parts, the .txt file holds it whole too."""
    parts = len(views_copy.copy_parts(text))
    posts = thread_of(h, ticket_id)
    start = next(i for i, c in enumerate(posts) if heading in dump(c.args["blocks"]))
    messages = -(-parts // views_copy.PARTS_PER_MESSAGE)
    blocks = [b for c in posts[start:start + messages] for b in c.args["blocks"]]
    assert copied_text(blocks) == text
    files = [u for _, ups in h.emulator.shared_files() for u in ups
             if u.filename == views_copy.txt_name(ticket_id, name)]
    if parts > 1:
        assert [f.data for f in files] == [text.encode("utf-8")]
    else:
        assert files == []


def link_in_bulk(h: Harness, ticket_id: int) -> None:
    """設定完了 through its modal: more than 19 stores come as one line a store, over as many
    inputs as 3,000 characters allow (each filled within that limit, as Slack enforces)."""
    opened = len(h.emulator.of("views.open"))
    h.driver.click(h.message(ticket_id, status="partner_setup"), "complete_setup", user=PLANNER)
    view = h.opened_view(opened)
    inputs = [b for b in view["blocks"] if b.get("block_id", "").startswith("links")]
    stores = h.wf.get(ticket_id).stores
    lines = "".join(f"{s.code},{700000 + i},{DATE},2027-11-30\n" for i, s in enumerate(stores))
    chunks = split_text(lines, 3000)
    assert len(chunks) <= len(inputs)
    values: dict[str, Any] = {"makasete_company_code": "12345"}
    for block, chunk in zip(inputs, chunks + [""] * len(inputs), strict=False):
        assert len(chunk) <= block["element"]["max_length"] == 3000
        values[block["block_id"]] = chunk
    response = h.driver.submit(view, values, user=PLANNER)
    assert response.status_code == 200 and not response.content.strip(), response.text
    h.message(ticket_id, status="setup_completed")


@pytest.mark.parametrize("n", [300, 20])
def test_a_chain_walks_to_verified_with_every_text_whole(harness: Harness, n: int) -> None:
    h = harness
    ticket_id = file_chain(h, n)
    kintone = h.wf.kintone_text(ticket_id)
    h.emulator.wait_for(lambda e: len(thread_of(h, ticket_id)) >= 1)
    h.settled()
    whole_in_thread(h, ticket_id, "Kintoneに貼り付ける定型文", kintone, "kintone")
    assert all(store_name(i) in kintone for i in range(1, n + 1))
    assert "\n・連携開始希望日：12月7日\n" in kintone and "\n・備考：閉店後" in kintone

    # 「Kintone定型文」: ephemeral, whole (in several notes when long)
    before = len(h.emulator.of("chat.postEphemeral")) + len(h.emulator.responses)
    h.driver.click(h.message(ticket_id), "kintone", user=SALES)
    h.emulator.wait_for(lambda e: len(e.of("chat.postEphemeral")) + len(e.responses) > before)
    h.emulator.wait_for(lambda e: copied_text(
        [b for c in [*e.of("chat.postEphemeral"), *e.responses] for b in c.args["blocks"]
         or []]) == kintone)

    press(h, ticket_id, "request_kintone", SALES, "kintone_requested")
    press(h, ticket_id, "send_spec", PLANNER, "spec_sent")
    press(h, ticket_id, "start_setup", PLANNER, "partner_setup")
    link_in_bulk(h, ticket_id)
    codes = {s.code for s in h.wf.get(ticket_id).stores}
    assert {r.state for r in h.wf.store_links("67890") if r.store_code in codes} == {"連携済"}
    h.settled()
    completion = partner.kintone_comment_text(h.wf, ticket_id)
    whole_in_thread(h, ticket_id, "Kintoneへの完了報告を自動で投稿できませんでした",
                    completion, "kanryo")
    assert all(store_name(i) in completion for i in range(1, n + 1))

    press(h, ticket_id, "notify_customer", PLANNER, "customer_notified")
    h.settled()
    customer = partner.customer_notice(h.wf, ticket_id, channel="manual")
    whole_in_thread(h, ticket_id, "お客様へのご連絡を自動で送れませんでした",
                    f"件名: {customer.subject}\n\n{customer.body}", "customer")
    press(h, ticket_id, "verify", PLANNER, "verified")

    # `/renkei show` and the list answer within the limits too
    before = len(h.emulator.responses)
    h.driver.command(f"show {ticket_id}", user=PLANNER)
    h.driver.command("list open", user=PLANNER)
    h.emulator.wait_for(lambda e: len(e.responses) >= before + 2)
    # both answer after the ack, each on its own thread: the order they arrive in is free
    answers = [dump(r.args["blocks"]) for r in h.emulator.responses[before:]]
    assert any(f"依頼 #{ticket_id}" in a and "進行中の依頼" not in a for a in answers)
    assert any("進行中の依頼" in a for a in answers)
    assert h.emulator.refused == []


def test_300_stores_to_the_customers_channel_in_parts_with_one_button(harness: Harness) -> None:
    h = harness
    ticket_id = file_chain(h, 300, customer_channel=CUSTOMER_CHANNEL)
    press(h, ticket_id, "request_kintone", SALES, "kintone_requested")
    press(h, ticket_id, "send_spec", PLANNER, "spec_sent")
    press(h, ticket_id, "start_setup", PLANNER, "partner_setup")
    link_in_bulk(h, ticket_id)
    press(h, ticket_id, "notify_customer", PLANNER, "customer_notified")
    h.settled()
    posts = posts_in(h, CUSTOMER_CHANNEL)
    assert len(posts) > 1
    body = "".join(b["text"]["text"] + "\n" for c in posts for b in c.args["blocks"]
                   if b["type"] == "section")
    message = partner.customer_notice(h.wf, ticket_id, channel="slack")
    assert body == message.body
    buttons = [e for c in posts for b in c.args["blocks"] if b["type"] == "actions"
               for e in b["elements"]]
    assert len(buttons) == 1 and "actions" in dump(posts[-1].args["blocks"])

    h.driver.click(posts[-1].args["blocks"], "renkei_customer_verify", user="UCUST1",
                   user_team="T0CUSTOMER", channel=CUSTOMER_CHANNEL)
    h.message(ticket_id, status="verified")
    h.emulator.wait_for(lambda e: any(r.args.get("replace_original") for r in e.responses))
    replaced = next(r.args for r in h.emulator.responses if r.args.get("replace_original"))
    assert "ご確認ありがとうございました" in dump(replaced["blocks"])
    assert h.emulator.refused == [] and CHANNEL


def test_300_typed_lines_all_wrong_push_every_problem_with_the_company_code(
        harness: Harness) -> None:
    """Too many problems for the inputs: the pushed list names every one, the まかせてネット
    企業コード's too (it has its own input, but the list replaces what is shown under them)."""
    h = harness
    ticket_id = file_chain(h, 300)
    press(h, ticket_id, "request_kintone", SALES, "kintone_requested")
    press(h, ticket_id, "send_spec", PLANNER, "spec_sent")
    press(h, ticket_id, "start_setup", PLANNER, "partner_setup")
    opened = len(h.emulator.of("views.open"))
    h.driver.click(h.message(ticket_id, status="partner_setup"), "complete_setup", user=PLANNER)
    view = h.opened_view(opened)
    inputs = [b for b in view["blocks"] if b.get("block_id", "").startswith("links")]
    stores = h.wf.get(ticket_id).stores
    lines = "".join(f"{s.code},{700000 + i},2026-11-01,2027-11-30\n"  # before today
                    for i, s in enumerate(stores))
    values: dict[str, Any] = {"makasete_company_code": "ABC"}
    for block, chunk in zip(inputs, split_text(lines, 3000) + [""] * len(inputs), strict=False):
        values[block["block_id"]] = chunk
    response = h.driver.submit(view, values, user=PLANNER)
    assert response.status_code == 200
    answer = response.json()
    assert answer["response_action"] == "push"
    text = "\n".join(b["text"]["text"] for b in answer["view"]["blocks"])
    assert "まかせてネット企業コード" in text.split("\n")[1]  # the company code first
    assert "エラー 301件" in text
    assert all(f"店舗{s.code} 連携開始日" in text for s in stores)
    assert h.wf.get(ticket_id).status == "partner_setup"
