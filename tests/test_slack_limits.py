"""Every Block Kit builder within Slack's limits, for 1–300 stores, checked with slack_sdk's own
models (View / Block validation) AND with bot.slack.limits; and what people copy is whole.

Tickets are real: filed through the service on SQLite with 100-character store names (with
&, < and * in them), 30 added items a list, then 40 timeline events with 1,000-character notes.
To cover a new builder, add a function to BUILDERS: it takes a Case and returns what would
be sent (messages as (text, blocks), views as dicts).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot import messages as m
from bot.slack import limits, views, views_copy, views_partner, views_stores, views_text
from bot.slack.notifier import message_actions
from bot.slack.views_home import HomeData, home_view
from tests.conftest import NOW
from tests.dbs import Database
from workflow import notices
from workflow.linkage import StoreLink
from workflow.schemas import EventView, TicketView
from workflow.service import Workflow
from workflow.settings import Settings

SIZES = [1, 19, 20, 21, 88, 89, 157, 300]
TZ = ZoneInfo("Asia/Tokyo")
Sent = tuple[str, list[dict[str, Any]]] | dict[str, Any]


def store_name(i: int) -> str:
    """100 characters, with the three characters mrkdwn escapes and a * in some."""
    head = f"居酒屋データ分析 {i:03d}号店" + (" & <新館> *特選*" if i % 7 == 0 else "")
    return (head + "テスト店舗名" * 20)[:100]


@dataclass
class Case:
    wf: Workflow
    ticket: TicketView
    kintone: str
    completion: str
    customer: notices.CustomerMessage


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[tuple[str, int], Case]]:
    from tests.dbs import SqliteTemplate

    db: Database = SqliteTemplate(tmp_path_factory.mktemp("limits")).fresh(
        tmp_path_factory.mktemp("limits-db"))
    settings = Settings(_env_file=None, RENKEI_PLANNING_USERS="kikaku")  # type: ignore[call-arg]
    wf = Workflow(db.factory, settings, clock=lambda: NOW)
    sales, planner = wf.actor("tanaka", "田中"), wf.actor("kikaku", "企画")
    out: dict[tuple[str, int], Case] = {}
    company = 10000
    for kind in ("new", "change"):
        for n in SIZES:
            company += 1
            items = "\n".join(f"追加{k:02d}" + "項" * 96 for k in range(30))
            raw = {"customer_code": "123456", "company_code": str(company),
                   "company_name": "株式会社" + "データ分析" * 19,
                   "stores": "\n".join(f"{i:04d}:{store_name(i)}" for i in range(1, n + 1)),
                   "desired_date": "2026-12-07", "remarks": "備考です。" * 100}
            if kind == "change":
                raw |= {"payment_items": items, "discounts": items, "customer_segments": items}
            ticket = wf.file_request(kind, raw, actor=sales)
            today = wf.today()
            # one まかせてネット企業コード per company: 店舗コード are unique within it
            wf.link_stores(company_code=str(company), makasete_company_code=str(company)[-5:],
                           links=[StoreLink(s.code, f"{600000 + i}", today,
                                            today + timedelta(days=365))
                                  for i, s in enumerate(ticket.stores)])
            view = wf.get(ticket.id)
            events = [EventView(id=1000 + k, ticket_id=view.id, at=NOW + timedelta(hours=k),
                                actor=planner.id, actor_name=planner.name,
                                actor_role="planning", action="send_back",
                                action_label="差し戻し", from_status="contacted",
                                to_status="returned", to_label="差し戻し",
                                note=f"理由{k}:" + "不足しています。" * 124)
                      for k in range(40)]
            view = view.model_copy(update={"events": [*view.events, *events],
                                           "actions": message_actions(wf, view),
                                           "return_reason": "理由" * 1500,
                                           "pending_jobs": ["kintone.record",
                                                            "spec.document"]})
            out[(kind, n)] = Case(wf, view, wf.kintone_text(view.id),
                                  notices.kintone_completion_comment(
                                      view, wf.store_links(str(company))),
                                  notices.customer_message(view, wf.store_links(str(company)),
                                                           channel="slack"))
    yield out
    db.engine.dispose()


# ---- the builders -------------------------------------------------------------------------
def _statuses(c: Case) -> list[Sent]:
    return [views.ticket_message(c.ticket.model_copy(update={"status": s}), c.ticket.actions,
                                 kintone_url="https://example.cybozu.com")
            for s in ("contacted", "returned", "partner_setup", "verified", "cancelled")]


def _home(c: Case) -> list[Sent]:
    many = [c.ticket.model_copy(update={"id": i, "days_overdue": i % 9}) for i in range(1, 301)]
    return [home_view(HomeData(mine=many, counts={"contacted": 300}, overdue=many,
                               everyone=many, updated="2026-11-24 10:00")),
            home_view(HomeData(mine=[], counts={}, overdue=[]))]


BUILDERS: dict[str, Callable[[Case], list[Sent]]] = {
    "intake modal (new / change)": lambda c: [views_stores.intake_modal(
        c.ticket.kind, {"kind": "new"})],
    "resubmit modal (pre-filled)": lambda c: [views_stores.resubmit_modal(
        c.ticket, {"ticket_id": c.ticket.id, "status": "returned"})],
    "設定完了 modal": lambda c: [views_stores.linkage_modal(
        c.ticket, c.wf.store_links(c.ticket.company_code), {"ticket_id": c.ticket.id})],
    "設定完了 modal, nothing recorded": lambda c: [views_stores.linkage_modal(
        c.ticket, [], {"ticket_id": c.ticket.id})],
    "send-back modal": lambda c: [views.send_back_modal(c.ticket, {"ticket_id": 1})],
    "contact modal": lambda c: [views.contact_modal(c.ticket, {"ticket_id": 1})],
    "notice modal": lambda c: [views.notice_modal(m.ERROR_TITLE, "エラー" * 2000)],
    "ticket message in each status": _statuses,
    "thread posts (event + 定型文)": lambda c: list(views_text.thread_messages(
        c.ticket.events[-1], TZ, c.kintone)),
    "thread post of each event": lambda c: [views_text.thread_post(e, TZ)
                                             for e in c.ticket.events],
    "thread posts of a 20,000-character note": lambda c: views_text.thread_messages(
        c.ticket.events[-1].model_copy(update={"note": "長い理由です。\n" * 2500}), TZ),
    "Kintone定型文 button": lambda c: list(views_text.kintone_messages(c.kintone)),
    "完了報告 to copy": lambda c: list(views_copy.copy_messages(
        m.kintone_comment_by_hand(m.KINTONE_REASON_UNSET), c.completion)),
    "customer text to the planner": lambda c: list(views_copy.copy_messages(
        m.customer_by_hand("<@U1>", m.CUSTOMER_REASON_NONE),
        views_partner.customer_copy_text(c.customer))),
    "customer message (Slack Connect)": lambda c: list(views_partner.customer_messages(
        c.customer, c.ticket.id)),
    "customer message confirmed": lambda c: [views_partner.customer_confirmed(
        c.customer, m.customer_thanks("2026-11-24 10:00"))],
    "/renkei show": lambda c: [("show", views_text.ticket_detail(
        c.ticket, c.ticket.actions, c.kintone, TZ, kintone_url="https://x.cybozu.com"))],
    "/renkei list": lambda c: [(t, views_text.ticket_list(t, [c.ticket.model_copy(
        update={"id": i}) for i in range(1, 301)], more=m.list_cli("open", "U1")))
        for t in m.LIST_TITLES.values()],
    "/renkei help": lambda c: [("help", views_text.help_blocks("/renkei"))],
    "App Home": _home,
}


# ---- the checks ---------------------------------------------------------------------------
def check_view(view: dict[str, Any]) -> None:
    model = View(**view)
    model.validate_json()
    model.to_dict()  # every nested block, element and text object validated too
    for block in view["blocks"]:
        parsed = Block.parse(block)
        assert parsed is not None, block
        parsed.validate_json()
    assert limits.view_violations(view) == []
    for block in view["blocks"]:
        element = block.get("element") or {}
        if element.get("type") == "plain_text_input":
            assert len(element.get("initial_value", "")) <= limits.INPUT_VALUE
            assert element.get("max_length", 0) <= limits.INPUT_VALUE


def check_message(text: str, blocks: list[dict[str, Any]]) -> None:
    assert 0 < len(blocks) <= limits.MESSAGE_BLOCKS
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None, block
        parsed.validate_json()
        parsed.to_dict()
    assert limits.message_violations(text, blocks) == []
    assert len(text) <= limits.MESSAGE_TEXT_KEEP
    assert limits.text_size(blocks) <= limits.MESSAGE_TEXT_BUDGET


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("kind", ["new", "change"])
@pytest.mark.parametrize("builder", list(BUILDERS))
def test_builder_within_slack_limits(cases: dict[tuple[str, int], Case], builder: str,
                                     kind: str, n: int) -> None:
    case = cases[(kind, n)]
    assert len(case.ticket.stores) == n
    sent = BUILDERS[builder](case)
    assert sent
    for item in sent:
        if isinstance(item, dict):
            check_view(item)
        else:
            check_message(*item)


def copied_text(blocks: list[dict[str, Any]]) -> str:
    """What a person gets by copying every code block of `blocks` in turn, as Slack shows
    them (entities undone)."""
    out = []
    for block in blocks:
        text = str((block.get("text") or {}).get("text", ""))
        out += text.split("```")[1::2]
    joined = "".join(out)
    return joined.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# ---- whole, not cut ---------------------------------------------------------------------------
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("kind", ["new", "change"])
def test_texts_people_copy_come_back_whole(cases: dict[tuple[str, int], Case], kind: str,
                                           n: int) -> None:
    case = cases[(kind, n)]
    for text, messages in [
        (case.kintone, views_text.kintone_messages(case.kintone)),
        (case.kintone, views_text.thread_messages(case.ticket.events[0], TZ, case.kintone)),
        (case.completion, views_copy.copy_messages("intro", case.completion)),
    ]:
        blocks = [b for _, bs in messages for b in bs]
        assert copied_text(blocks) == text
        labels = re.findall(r"\*（(\d+)/(\d+)）\*", " ".join(
            str(b.get("text", {}).get("text", "")) for b in blocks))
        parts = len(views_copy.copy_parts(text))
        if parts > 1:
            assert [(int(a), int(b)) for a, b in labels] == [(k, parts)
                                                             for k in range(1, parts + 1)]
    assert all(store_name(i) in case.kintone for i in range(1, n + 1))
    assert "・連携開始希望日" in case.kintone or "・設定変更日" in case.kintone
    assert "・備考：" in case.kintone
    body = "".join(str(b["text"]["text"]) + "\n" for _, bs in views_partner.customer_messages(
        case.customer, case.ticket.id) for b in bs if b["type"] == "section")
    assert all(f"{s.code}：{s.name}" in body for s in case.ticket.stores)


@pytest.mark.parametrize("n", [20, 300])
def test_the_linkage_modal_asks_every_store(cases: dict[tuple[str, int], Case], n: int) -> None:
    case = cases[("new", n)]
    view = views_stores.linkage_modal(case.ticket, case.wf.store_links(case.ticket.company_code),
                                      {})
    text = "\n".join(b["element"].get("initial_value", "") for b in view["blocks"]
                     if b.get("block_id", "").startswith("links"))
    assert [line.split(",")[0] for line in text.splitlines()] == [
        s.code for s in case.ticket.stores]


def test_history_is_newest_first_and_says_how_many_more(
        cases: dict[tuple[str, int], Case]) -> None:
    case = cases[("new", 300)]
    blocks = views_text.ticket_detail(case.ticket, case.ticket.actions, case.kintone, TZ)
    text = "\n".join(str(b.get("text", {}).get("text", "")) for b in blocks
                     if b["type"] == "section")
    assert text.index("理由39:") < text.index("理由38:")
    shown = len(re.findall(r"理由\d+:", text)) + text.count("依頼を登録しました")
    more = re.search(r"ほか(\d+)件（古い履歴）は `renkei tickets show (\d+)`", text)
    assert more and int(more.group(1)) == len(case.ticket.events) - shown
    assert int(more.group(2)) == case.ticket.id
    assert "Kintone定型文" in " ".join(str(b) for b in blocks)  # where the 定型文 is whole


# ---- the checks themselves refuse what Slack refuses -------------------------------------------
def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def test_the_checks_refuse_what_slack_refuses() -> None:
    from slack_sdk.errors import SlackObjectFormationError

    too_many = {"type": "modal", "title": {"type": "plain_text", "text": "t"},
                "blocks": [_section("x")] * 101}
    assert limits.view_violations(too_many) == ["101 blocks over 100 for a modal"]
    with pytest.raises(SlackObjectFormationError):
        View(**too_many).validate_json()
    assert limits.message_violations("t", [_section("x" * 3001)])
    with pytest.raises(SlackObjectFormationError):
        Block.parse(_section("x" * 3001)).validate_json()  # type: ignore[union-attr]
    prefilled = {"type": "input", "block_id": "b", "label": {"type": "plain_text", "text": "l"},
                 "element": {"type": "plain_text_input", "action_id": "v",
                             "initial_value": "x" * 3001}}
    assert limits.block_violations([prefilled], surface="modal")  # slack_sdk does not see it
    assert limits.message_violations("t", [_section("x" * 3000)] * 5)  # msg_blocks_too_long
    assert limits.message_violations("x" * 40_001, None)
    assert limits.message_violations("t", [_section("x")] * 51)


def test_the_emulator_refuses_like_slack_over_http() -> None:
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    from tests.slack_emulator import Emulator

    emulator = Emulator()
    client = WebClient(token="xoxb-test", base_url=emulator.api_url)
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "t"},
             "blocks": [_section("x")] * 101}
    try:
        refused = {}
        for name, call in {
            "too many blocks": lambda: client.chat_postMessage(channel="C", text="t",
                                                               blocks=[_section("x")] * 51),
            "long section": lambda: client.chat_postMessage(channel="C", text="t",
                                                            blocks=[_section("x" * 3001)]),
            "long text": lambda: client.chat_postMessage(channel="C", text="x" * 40_001),
            "long blocks": lambda: client.chat_update(channel="C", ts="1.1", text="t",
                                                      blocks=[_section("x" * 3000)] * 5),
            "ephemeral": lambda: client.chat_postEphemeral(channel="C", user="U", text="t",
                                                           blocks=[_section("x")] * 51),
            "modal": lambda: client.views_open(trigger_id="t", view=modal),
            "home": lambda: client.views_publish(user_id="U", view={
                "type": "home", "blocks": [_section("x" * 3001)]}),
        }.items():
            with pytest.raises(SlackApiError) as caught:
                call()
            refused[name] = caught.value.response["error"]
        assert refused == {"too many blocks": "invalid_blocks", "long section": "invalid_blocks",
                           "long text": "msg_too_long", "long blocks": "msg_blocks_too_long",
                           "ephemeral": "invalid_blocks", "modal": "invalid_arguments",
                           "home": "invalid_arguments"}
        assert len(emulator.refused) == 7
        assert client.chat_postMessage(channel="C", text="t", blocks=[_section("ok")])["ok"]
        assert emulator.of("chat.postMessage")  # a valid call still goes through
    finally:
        emulator.close()


def test_errors_under_an_input_fit_whole_then_say_how_many_more() -> None:
    from bot.slack.views import fit_error

    parts = [f"{n}行目 店舗{n:04d} 連携開始日: 連携開始日は本日以降の日付を選択してください"
             for n in range(1, 301)]
    fitted = fit_error(" / ".join(parts))
    assert len(fitted) <= limits.ERROR_TEXT
    head, tail = fitted.split(" / ほか")
    shown = head.split(" / ")
    assert shown == parts[:len(shown)]  # whole problems, in order
    assert tail.startswith(f"{300 - len(shown)}件")
    assert fit_error("短い / エラー") == "短い / エラー"
    long_one = "長" * 3000
    assert fit_error(long_one) == "長" * (limits.ERROR_TEXT - 1) + "…"
    modal = views.modal_errors({"stores": " / ".join(parts)},
                               {"blocks": [{"type": "input", "block_id": "stores"}]})
    assert modal["stores"] == fitted
