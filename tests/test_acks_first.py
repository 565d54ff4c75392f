"""Issue 9 part 8 over real HTTP: with every Web API call (and response_url post) taking 2 s,
each command, submission and click is answered before any of them could have finished — the
only Slack work is after the ack — and what follows the ack still happens."""

from __future__ import annotations

import time

import pytest

from bot.slack.views import INTAKE_CALLBACK
from tests.slack_harness import PLANNER, SALES, Harness, clock, harness, slack_settings
from workflow.models import TicketEvent

__all__ = ["clock", "harness", "slack_settings"]
SLOW = 2.0  # any Web API call before the reply would make it at least this long


def _timed(call: object) -> float:
    started = time.monotonic()
    response = call()  # type: ignore[operator]
    took = time.monotonic() - started
    assert response.status_code == 200, response.text
    return took


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_everything_is_answered_before_slack_is(harness: Harness) -> None:
    h = harness
    ticket_id = h.file()
    blocks = h.message(ticket_id)
    h.settled()
    h.emulator.delay_seconds = SLOW
    opened = len(h.emulator.of("views.open"))
    replies = {
        "command new": _timed(lambda: h.driver.command("new", user=SALES)),
        "command list": _timed(lambda: h.driver.command("list", user=SALES)),
        "command show": _timed(lambda: h.driver.command(f"show {ticket_id}", user=SALES)),
        "modal click": _timed(lambda: h.driver.click(blocks, "send_back", user=PLANNER)),
        "plain click": _timed(lambda: h.driver.click(blocks, "request_kintone", user=SALES)),
    }
    # the intake modal did open, after the reply (the 差し戻し one may open before or after it)
    h.emulator.wait_for(lambda e: any(c.args["view"].get("callback_id") == INTAKE_CALLBACK
                                      for c in e.of("views.open")[opened:]), 30)
    call = next(c for c in h.emulator.of("views.open")[opened:]
                if c.args["view"].get("callback_id") == INTAKE_CALLBACK)
    view = {**call.args["view"], "id": "VINTAKE2"}
    replies["submission"] = _timed(lambda: h.driver.submit(view, {
        "customer_code": "123456", "company_code": "67890", "company_name": "株式会社データ分析",
        "stores": "0001:目黒本店", "desired_date": "2026-12-07"}, user=SALES))
    assert all(took < SLOW for took in replies.values()), replies
    # …and the work after each ack was done: two modals, the answers, the move, the filing
    h.emulator.wait_for(lambda e: len(e.of("views.open")) >= opened + 2, 30)
    h.emulator.wait_for(lambda e: len(e.responses) >= 2, 30)  # list and show
    h.emulator.wait_for(lambda e: len(e.of("chat.postEphemeral")) >= 2, 30)  # filed notes
    assert h.wf.get(ticket_id).status == "kintone_requested"
    with h.wf.factory() as session:
        assert session.query(TicketEvent).filter(TicketEvent.action == "file").count() == 2
