"""The many-stores builders against Slack's own models (slack_sdk), for 1–300 stores with
100-character names, recorded linkage and long additions: no input over its limit, no modal
over 100 blocks, no message over 50."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.slack import limits
from bot.slack import views_stores as vs
from tests.test_notices import view as ticket_view
from workflow.linkage import StoreLink
from workflow.linkage_record import Preview
from workflow.schemas import StoreLinkView, StoreView

SIZES = (1, 19, 20, 21, 88, 89, 157, 300)


def _ticket(count: int, kind: str = "new") -> Any:
    stores = [StoreView(code=f"{n:04d}", name=(f"{n}号店" + "店" * 100)[:100])
              for n in range(1, count + 1)]
    additions = {"payment_items": [f"支払{n}" * 10 for n in range(30)]} if kind == "change" \
        else {}
    return ticket_view(kind, stores=stores, additions=additions, remarks="備" * 1000)


def _links(count: int) -> list[StoreLinkView]:
    return [StoreLinkView(company_code="67890", company_name="株式会社データ分析",
                          makasete_company_code="12345", destination="ex",
                          store_code=f"{n:04d}", store_name="x", makasete_store_code=f"{n}",
                          start_date=date(2026, 12, 7), end_date=date(2027, 11, 30),
                          state="連携済") for n in range(1, count + 1)]


def _valid(view: dict[str, Any]) -> None:
    View(**view).validate_json()
    assert len(view["blocks"]) <= 100
    for block in view["blocks"]:
        element = block.get("element") or {}
        if element.get("type") == "plain_text_input":
            assert len(element.get("initial_value", "")) <= element.get("max_length", 3000)
            assert element.get("max_length", 3000) <= 3000
    assert len(view.get("private_metadata", "")) <= 3000


@pytest.mark.parametrize("count", SIZES)
def test_intake_resubmit_and_linkage_modals_are_valid(count: int) -> None:
    meta = {"ticket_id": 12, "status": "returned", "channel": "C1", "kind": "new"}
    for kind in ("new", "change"):
        ticket = _ticket(count, kind)
        _valid(vs.intake_modal(kind, {"kind": kind, "channel": "C1"}))
        resubmit = vs.resubmit_modal(ticket, meta)
        _valid(resubmit)
        texts = [b["element"].get("initial_value", "") for b in resubmit["blocks"]
                 if b["type"] == "input" and b["block_id"].partition(":")[0] == "stores"
                 and b["element"]["type"] == "plain_text_input"]
        assert "\n".join(t for t in texts if t).splitlines() == \
            [f"{s.code}:{s.name}" for s in ticket.stores]  # every store, in order
        for recorded in ([], _links(count)):
            linkage = vs.linkage_modal(ticket, recorded, meta)
            _valid(linkage)
            per_store = any(b.get("block_id", "").startswith("makasete_store_code:")
                            for b in linkage["blocks"])
            assert per_store == (count <= vs.MAX_STORE_INPUTS)


@pytest.mark.parametrize("count", (1, 20, 300))
def test_preview_errors_and_thread_messages_are_valid(count: int) -> None:
    ticket = _ticket(count)
    links = [StoreLink(s.code, f"{n}", date(2026, 12, 7), date(2027, 11, 30), name=s.name)
             for n, s in enumerate(ticket.stores)]
    preview = Preview("12345", links, [], [], count, 0, 0)
    _valid(vs.linkage_preview_modal(ticket, preview, "設定依頼書.xlsx", {"ticket_id": 12}))
    messages = [f"{n}行目 店舗{n:04d} 連携開始日: 連携開始日は本日以降の日付を選択してください"
                for n in range(count * 3)]
    _valid(vs.linkage_errors_modal(messages))
    posts = vs.sheet_errors("s.xlsx", messages)
    shown = "\n".join(b["text"]["text"] for post in posts for b in post)
    assert all(message in shown for message in messages)  # every problem, none cut
    for blocks in (vs.sheet_in_thread(ticket, preview, "s.xlsx", '{"t": 12}'), *posts):
        assert limits.message_violations("設定依頼書", blocks) == []
        for block in blocks:
            Block.parse(block).validate_json()  # type: ignore[union-attr]


def test_chunks_keep_every_line_within_the_limit() -> None:
    lines = [f"{n:04d}:" + "店" * 100 for n in range(300)]
    groups = vs.chunks(lines)
    assert [line for g in groups for line in g] == lines
    assert all(len("\n".join(g)) <= 3000 for g in groups)
    assert vs.chunks([]) == []


def test_a_sheet_with_more_problems_than_a_modal_holds_says_how_many_more() -> None:
    messages = [f"{n}行目 店舗{n:04d} 備考: " + "長" * 2000 for n in range(200)]  # a section each
    view = vs.linkage_errors_modal(messages)
    _valid(view)
    blocks = view["blocks"]
    assert len(blocks) == limits.MODAL_BLOCKS
    assert "エラー 200件" in blocks[0]["text"]["text"]
    shown = [b["text"]["text"] for b in blocks[1:-1]]
    assert shown == messages[:len(shown)] and len(shown) == 98  # in order, none cut
    assert blocks[-1]["text"]["text"].startswith(f"ほか{200 - 98}件")
    posts = vs.sheet_errors("s.xlsx", messages)  # the thread's answer lists every one
    assert sum(len(p) for p in posts) == 201
