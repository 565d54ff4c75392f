"""Drift Block Kit within Slack's limits for a chain (300 stores, many items), checked with
slack_sdk's own models; nothing a person reads is cut."""

from __future__ import annotations

import json
from datetime import date

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.slack import views_drift
from workflow.drafts import DraftView

STORES = [(f"{n:04d}", f"店舗{n:04d} とても長い名前のショッピングモール内店舗")
          for n in range(1, 301)]


def _draft(items: int) -> DraftView:
    kinds = ("payment", "discount", "segment")
    return DraftView(
        id=7, company_code="10001", company_name="株式会社データ分析", customer_code="123456",
        requester="U1", state="open", ticket_id=None, reason="", closed_by=None,
        items=[{"item_type": kinds[i % 3], "code": f"{i:03d}", "name": f"新しい項目{i}" * 3,
                "stores": [c for c, _ in STORES], "since": "2026-11-24"} for i in range(items)],
        stores=STORES, earliest_date=date(2026, 11, 27))


def test_a_big_draft_fits_a_message_and_its_modals() -> None:
    draft = _draft(60)
    _, blocks = views_drift.draft_message(draft, "<@U1>")
    assert len(blocks) <= 50
    for b in blocks:
        Block.parse(b).validate_json()  # type: ignore[union-attr]
        assert len(b.get("text", {}).get("text", "")) <= 3000
    dumped = json.dumps(blocks, ensure_ascii=False)
    assert all(f"新しい項目{i}" in dumped for i in range(60))  # every item is listed
    assert dumped.count("ほか290店舗") == 60
    modal = views_drift.ignore_modal(draft, {"draft_id": 7})
    assert len(modal["blocks"]) <= 100
    View(**modal).validate_json()
    initial = views_drift.intake_initial(draft)
    assert initial["stores"].count("\n") == 299  # the form gets every store
    home = views_drift.home_blocks([draft] * 40)
    View(type="home", blocks=home).validate_json()
    assert "ほか 10 件" in json.dumps(home, ensure_ascii=False)
