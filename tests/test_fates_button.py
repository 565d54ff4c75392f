"""Issue 9 part 6 over real HTTP: a dead job shows on the ticket message with 「再送する」;
planning's press requeues it (audited) and it goes out; a sales rep's press is refused;
planning's App Home counts the dead jobs."""

from __future__ import annotations

from tests.slack_driver import buttons
from tests.slack_harness import PLANNER, SALES, Harness, clock, harness, slack_settings
from tests.slack_partner import dump, jobs, wait_thread
from workflow.models import TicketEvent

__all__ = ["clock", "harness", "slack_settings"]


def _dead_update(h: Harness) -> int:
    ticket_id = h.file()
    h.emulator.fail("chat.update", error="missing_scope")
    assert h.driver.click(h.message(ticket_id), "request_kintone", user=SALES).status_code == 200
    h.emulator.wait_for(lambda e: "送信できませんでした" in dump(h.message(ticket_id)))
    return ticket_id


def test_retry_button_brings_the_dead_job_back(harness: Harness) -> None:
    h = harness
    ticket_id = _dead_update(h)
    blocks = h.message(ticket_id)
    assert "outbox_retry" in buttons(blocks)
    assert "ボットに必要な権限（スコープ）がありません" in dump(blocks)
    assert "missing_scope" not in dump(blocks)
    wait_thread(h, f"依頼 #{ticket_id} の「依頼メッセージ・スレッド投稿」を送信できませんでした")

    # planning's App Home counts it
    assert h.driver.event({"type": "app_home_opened", "user": PLANNER, "tab": "home"},
                          event_id="Ev-home-1").status_code == 200
    h.emulator.wait_for(lambda e: any(
        "送信できなかった送信が 1 件" in dump(c.args.get("view"))
        for c in e.of("views.publish") if c.args.get("user_id") == PLANNER))

    # a sales rep may not retry
    assert h.driver.click(blocks, "outbox_retry", user=SALES).status_code == 200
    h.emulator.wait_for(lambda e: any("再送できるのはUSEN企画のみです" in a for a in h.answers()))
    assert [j.state for j in jobs(h, "ticket.event")].count("dead") == 1

    # planning retries: requeued, audited, sent; the line goes away
    assert h.driver.click(blocks, "outbox_retry", user=PLANNER).status_code == 200
    h.emulator.wait_for(lambda e: any("を再送します" in a for a in h.answers()))
    h.settled()
    assert all(j.state == "done" for j in jobs(h, "ticket.event"))
    h.emulator.wait_for(lambda e: "送信できませんでした" not in dump(h.message(ticket_id)))
    with h.wf.factory() as session:
        audit = session.query(TicketEvent).filter(TicketEvent.action == "outbox_retry").one()
    assert (audit.actor, audit.actor_role, audit.to_status) == (PLANNER, "planning",
                                                               "kintone_requested")
    # pressing again: nothing dead any more
    assert h.driver.click(blocks, "outbox_retry", user=PLANNER).status_code == 200
    h.emulator.wait_for(lambda e: any("再送が必要な送信はありません" in a for a in h.answers()))
