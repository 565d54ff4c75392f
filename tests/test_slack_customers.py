"""Customers in Slack Connect channels (issue 9 parts 3, 4): a user of another workspace gets
a polite note from any command, an empty App Home, and may press only the customer's button
of the ticket posted in their own channel; an internal sales rep may not press it for them.
Everything over real HTTP, signed, against the Slack emulator."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.models.views import View

from bot import messages as m
from tests.kintone_fake import FakeKintone
from tests.slack_harness import CHANNEL, OTHER_SALES, PLANNER, SALES, Harness, clock, harness
from tests.slack_partner import dump, link_stores, posts_in, press, slack_settings, wait_thread
from workflow.models import Ticket

__all__ = ["clock", "harness", "slack_settings"]  # fixtures
pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)

CUSTOMER_CHANNEL, OTHER_CHANNEL = "CCUSTOMER1", "CCUSTOMER2"
CUSTOMER, OUTSIDER = "UCUST1", "UOUT1"
THEIR_TEAM = "T0CUSTOMER"
VERIFY = "renkei_customer_verify"


def _notified(h: Harness, channel: str = CUSTOMER_CHANNEL) -> tuple[int, list[dict[str, Any]]]:
    """A ticket walked to お客様へご連絡 with its message in `channel`; (id, its blocks)."""
    ticket_id = h.file(customer_channel=channel)
    press(h, ticket_id, "request_kintone", SALES, "kintone_requested")
    press(h, ticket_id, "send_spec", PLANNER, "spec_sent")
    press(h, ticket_id, "start_setup", PLANNER, "partner_setup")
    link_stores(h, ticket_id)
    press(h, ticket_id, "notify_customer", PLANNER, "customer_notified")
    wait_thread(h, f"お客様へのご連絡を <#{channel}> に投稿しました")
    [post] = posts_in(h, channel)
    return ticket_id, list(post.args["blocks"])


def _answer_after(h: Harness, before: int) -> str:
    h.emulator.wait_for(lambda e: len(e.responses) > before)
    return str(h.emulator.responses[-1].args.get("text", ""))


def _tickets(h: Harness) -> list[tuple[int, str, int]]:
    """(id, status, version) of every ticket: what a refused request must leave alone."""
    with h.wf.factory() as session:
        return [(t.id, t.status, t.version) for t in session.query(Ticket).order_by(Ticket.id)]


def test_an_external_user_gets_a_note_from_every_command(harness: Harness) -> None:
    h = harness
    ticket_id = h.file()
    before, opened = _tickets(h), len(h.emulator.of("views.open"))
    texts = ["new", "change", "list open", "list", "list overdue", f"show {ticket_id}",
             "help", "", "nonsense"]
    for text in texts:
        reply = h.driver.command(text, user=CUSTOMER, team=THEIR_TEAM, channel=CUSTOMER_CHANNEL)
        assert reply.status_code == 200
        assert reply.json() == {"response_type": "ephemeral", "text": m.EXTERNAL_COMMAND}
    # a modal they might still hold (opened before) cannot file either
    view = {"id": "VX", "type": "modal", "callback_id": "renkei_intake", "blocks": [],
            "private_metadata": '{"kind": "new"}'}
    reply = h.driver.submit(view, {}, user=CUSTOMER, user_team=THEIR_TEAM)
    assert reply.json() == {"response_action": "clear"}
    assert _tickets(h) == before and len(h.emulator.of("views.open")) == opened
    assert h.emulator.responses == []  # nothing went to their response_url either
    assert len(h.emulator.of("auth.test")) <= 2  # Bolt's own check, and ours once

    # their App Home: a short note, nothing of anyone's tickets
    h.emulator.teams[CUSTOMER] = THEIR_TEAM
    # (the filing above may still be refreshing the requester's Home: look for theirs only)
    h.driver.event({"type": "app_home_opened", "user": CUSTOMER, "tab": "home"},
                   event_id="EvExt1")
    h.emulator.wait_for(lambda e: any(c.args["user_id"] == CUSTOMER
                                      for c in e.of("views.publish")))
    home = [c for c in h.emulator.of("views.publish") if c.args["user_id"] == CUSTOMER][-1]
    assert home.args["user_id"] == CUSTOMER
    assert len(home.args["view"]["blocks"]) == 1
    View(**home.args["view"]).validate_json()
    assert m.EXTERNAL_HOME in dump(home.args["view"]) and f"#{ticket_id}" not in dump(
        home.args["view"])


def test_customers_are_told_apart_while_auth_test_fails(harness: Harness) -> None:
    h = harness
    h.emulator.fail("auth.test", error="internal_error", count=10)
    reply = h.driver.command("list open", user=CUSTOMER, team=THEIR_TEAM)
    assert reply.json()["text"] == m.EXTERNAL_COMMAND  # Bolt's auth.test of start-up serves
    h.emulator.wait_for(lambda e: bool(e.of("auth.test!fault")))  # ours was tried (after), failed
    reply = h.driver.command("help", user=SALES)
    assert reply.json()["text"] == m.HELP_TITLE


@pytest.mark.emulator(enterprise_id="E0GRID")
def test_the_same_enterprise_grid_org_is_internal(harness: Harness) -> None:
    h = harness
    opened = len(h.emulator.of("views.open"))
    reply = h.driver.command("new", user="UGRID1", team="T0SISTER", enterprise="E0GRID")
    assert reply.status_code == 200 and not reply.content.strip()
    h.opened_view(opened)  # the intake modal opened for them
    reply = h.driver.command("new", user="UOTHERORG", team="T0SISTER", enterprise="E0ELSE")
    assert reply.json()["text"] == m.EXTERNAL_COMMAND


def test_only_the_customer_or_planning_confirm_in_that_channel(harness: Harness,
                                                               kintone: FakeKintone) -> None:
    h = harness
    ticket_id, blocks = _notified(h)
    before = _tickets(h)
    tried = 0

    # an internal sales rep (a member of the shared channel) may not confirm for them
    for user in (SALES, OTHER_SALES):
        n = len(h.emulator.responses)
        h.driver.click(blocks, VERIFY, user=user, channel=CUSTOMER_CHANNEL)
        assert _answer_after(h, n) == m.CUSTOMER_CONFIRM_INTERNAL
        tried += 1
    # the customer, but in another channel, or on another ticket's button, or an id that
    # cannot be a ticket
    n = len(h.emulator.responses)
    h.driver.click(blocks, VERIFY, user=CUSTOMER, user_team=THEIR_TEAM, channel=OTHER_CHANNEL)
    assert _answer_after(h, n) == m.CUSTOMER_NOT_NOW
    for value in (str(ticket_id + 1), "2147483648", "99999999999999999999999", "-1", "１"):
        forged = [{"type": "actions", "elements": [{**blocks[-1]["elements"][0],
                                                     "value": value}]}]
        n = len(h.emulator.responses)
        reply = h.driver.click(forged, VERIFY, user=CUSTOMER, user_team=THEIR_TEAM,
                               channel=CUSTOMER_CHANNEL)
        assert reply.status_code == 200
        assert _answer_after(h, n) == m.CUSTOMER_NOT_NOW
    # and never the ticket message's internal buttons
    n = len(h.emulator.responses)
    h.driver.click(h.message(ticket_id), "verify", user=CUSTOMER, user_team=THEIR_TEAM)
    assert _answer_after(h, n) == m.CUSTOMER_ONLY_CONFIRM
    tried += 7
    assert _tickets(h) == before and tried == 9

    h.driver.click(blocks, VERIFY, user=CUSTOMER, user_team=THEIR_TEAM,
                   channel=CUSTOMER_CHANNEL)
    h.message(ticket_id, status="verified")
    last = h.wf.get(ticket_id).events[-1]
    assert (last.actor, last.actor_role) == (CUSTOMER, "customer")


def test_planning_may_confirm_in_the_customer_channel(harness: Harness,
                                                      kintone: FakeKintone) -> None:
    h = harness
    ticket_id, blocks = _notified(h)
    h.driver.click(blocks, VERIFY, user=PLANNER, channel=CUSTOMER_CHANNEL)
    h.message(ticket_id, status="verified")
    assert h.wf.get(ticket_id).events[-1].actor_role == "planning"


def test_kintone_request_is_pressed_by_the_requester_or_planning(harness: Harness) -> None:
    h = harness
    ticket_id = h.file()
    assert "request_kintone" not in dump(h.wf.get(ticket_id, actor=h.bot.roles.actor(
        OTHER_SALES)).actions)
    before = _tickets(h)
    n = len(h.emulator.responses)
    h.driver.click(h.message(ticket_id), "request_kintone", user=OTHER_SALES, channel=CHANNEL)
    assert "依頼者ご本人かUSEN企画のみ" in _answer_after(h, n)
    assert _tickets(h) == before
    press(h, ticket_id, "request_kintone", PLANNER, "kintone_requested")
