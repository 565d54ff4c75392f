"""Issue 9 part 6, Slack rows of the failure table: each error Slack answers (over real HTTP,
from the emulator) → the job's fate, what the ticket message shows and what planning is told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk.models.blocks import Block

from bot import messages as m
from bot.integrations import failures
from bot.slack import views
from bot.slack.views_fate import RETRY
from tests.fate_support import PLANNER, PLANNER2, Sender, sender
from tests.slack_driver import buttons
from workflow.db import utcnow
from workflow.fates import Fate

__all__ = ["sender"]

PERMANENT = ["channel_not_found", "not_in_channel", "is_archived", "invalid_blocks",
             "token_revoked", "missing_scope", "invalid_arguments", "msg_too_long",
             "invalid_auth", "account_inactive", "no_permission"]
TRANSIENT = [(429, "ratelimited"), (500, "internal_error"), (503, "service_unavailable"),
             (200, "fatal_error"), (200, "internal_error")]


def test_the_table_names_every_code_of_the_issue() -> None:
    for code in PERMANENT:
        assert failures.slack_fate(code) == Fate.PERMANENT, code
    for status, code in TRANSIENT:
        assert failures.slack_fate(code, status) == Fate.TRANSIENT, code
    assert failures.slack_fate("message_not_found") == Fate.REPAIRABLE
    assert failures.slack_fate("", 502) == Fate.TRANSIENT
    for code in [*PERMANENT, "ratelimited", "message_not_found"]:
        text = failures.reason(f"slack:{code}")
        assert text.isascii() is False and code not in text  # Japanese, no raw code


@pytest.mark.parametrize("code", PERMANENT)
def test_a_refused_first_post_is_dead_and_planners_get_a_dm(sender: Sender, code: str) -> None:
    ticket_id = sender.file()
    sender.emulator.fail("chat.postMessage", error=code)
    result = sender.drain()
    assert (result.dead, result.retried, result.sent) == (1, 0, 0)
    [job] = sender.jobs("ticket.event")
    assert (job.state, job.last_error_code, job.attempts) == ("dead", f"slack:{code}", 1)
    # The message does not exist, so no thread: each planner is told once, by DM.
    dms = sender.dms()
    assert sorted(c.args["channel"] for c in dms) == sorted(["D" + PLANNER, "D" + PLANNER2])
    for dm in dms:
        text = dm.args["text"]
        assert f"依頼 #{ticket_id}" in text and "送信できませんでした" in text
        assert failures.reason(f"slack:{code}") in text and code not in text
    assert [j.code for j in sender.wf.get(ticket_id).dead_jobs] == [f"slack:{code}"]
    sender.drain(later=3600)  # nothing more: dead stays dead, nobody told twice
    assert len(sender.dms()) == 2


@pytest.mark.parametrize("code", ["channel_not_found", "invalid_blocks", "missing_scope"])
def test_a_refused_update_shows_on_the_message_with_a_retry_button(sender: Sender,
                                                                   code: str) -> None:
    ticket_id = sender.file()
    assert sender.drain().sent == 1
    sender.advance(ticket_id, "request_kintone", user="USALES1")
    sender.emulator.fail("chat.update", error=code)
    assert sender.drain().dead == 1
    message = sender.last_message()  # refreshed by the dead report
    blocks = message.args["blocks"]
    text = str(blocks)
    assert "送信できませんでした: 依頼メッセージ・スレッド投稿" in text
    assert failures.reason(f"slack:{code}") in text
    assert views.ACTION_PREFIX + RETRY in [e.get("action_id") for b in blocks
                                           if b.get("type") == "actions"
                                           for e in b.get("elements", [])]
    assert RETRY in buttons(blocks)
    told = [t for t in sender.thread() if "送信できませんでした" in t]
    assert len(told) == 1 and f"--ticket {ticket_id}" in told[0] and code not in told[0]
    assert sender.dms() == []  # the thread could be posted: no DM


@pytest.mark.parametrize(("status", "code"), TRANSIENT)
def test_transient_errors_retry_and_429_waits_its_retry_after(sender: Sender, status: int,
                                                              code: str) -> None:
    sender.file()
    sender.emulator.fail("chat.postMessage", status=status, error=code, retry_after=30)
    before = utcnow()
    result = sender.drain()
    assert (result.retried, result.dead) == (1, 0)
    [job] = sender.jobs("ticket.event")
    assert job.state == "pending" and job.last_error_code == f"slack:{code}"
    if status == 429:
        assert job.retry_after == 30.0
        assert job.next_attempt_at >= before + timedelta(seconds=29)
        assert sender.drain(later=10).sent == 0  # not before its Retry-After
        assert sender.drain(later=31).sent == 1
    else:
        assert sender.drain(later=3600).sent == 1
    assert sender.jobs("ticket.event")[0].state == "done"


def test_a_connection_error_is_transient(sender: Sender) -> None:
    sender.file()
    sender.emulator.close()  # Slack unreachable
    assert sender.drain().retried == 1
    assert sender.jobs("ticket.event")[0].last_error_code == "slack:connection"


def test_a_deleted_ticket_message_is_posted_afresh_and_the_thread_goes_on(sender: Sender
                                                                          ) -> None:
    ticket_id = sender.file()
    sender.drain()
    old_ts = sender.wf.get(ticket_id).slack_ts
    sender.advance(ticket_id, "request_kintone", user="USALES1")
    sender.emulator.fail("chat.update", error="message_not_found")
    result = sender.drain()
    assert (result.sent, result.dead, result.retried) == (1, 0, 0)
    ticket = sender.wf.get(ticket_id)
    assert ticket.slack_ts != old_ts
    reposts = [c for c in sender.emulator.of("chat.postMessage") if "thread_ts" not in c.args]
    assert len(reposts) == 2 and reposts[-1].args["text"].startswith(f"依頼 #{ticket_id}")
    latest_thread = [c for c in sender.emulator.of("chat.postMessage") if "thread_ts" in c.args]
    assert latest_thread[-1].args["thread_ts"] == ticket.slack_ts
    # the new thread opens with the history so far (the old thread went with the message)
    [history] = [c for c in latest_thread if c.args["text"] == m.REPOSTED_HISTORY]
    assert history.args["thread_ts"] == ticket.slack_ts
    text = str(history.args["blocks"])
    for block in history.args["blocks"]:
        Block.parse(block).validate_json()  # type: ignore[union-attr]
    assert "JST" in text and text.index("Kintone依頼") < text.index("依頼を登録しました")


def test_thread_posts_of_a_ticket_whose_message_is_dead_die_with_it(sender: Sender) -> None:
    ticket_id = sender.file()
    sender.emulator.fail("chat.postMessage", error="not_in_channel")
    sender.drain()
    sender.advance(ticket_id, "request_kintone", user="USALES1")
    sender.advance(ticket_id, "send_spec")  # 設定依頼書 goes into the thread: there is none
    sender.emulator.fail("chat.postMessage", error="not_in_channel", count=5)
    sender.drain()
    spec = sender.jobs("spec.document")[0]
    assert (spec.state, spec.last_error_code) == ("dead", "depends:ticket.event")
    assert "依頼メッセージ・スレッド投稿" in failures.reason(spec.last_error_code)
