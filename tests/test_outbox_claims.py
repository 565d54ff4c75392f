"""Issue 9 parts 7 and 9 for the workflow outbox, on SQLite and PostgreSQL: the claim token
decides who records an outcome; a running handler keeps its lease by heartbeat; Retry-After is
stored; a paced job waits without losing an attempt; a ticket's jobs of one kind go in order."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import new_raw
from workflow import outbox
from workflow.db import utcnow
from workflow.fates import Deferred, Transient
from workflow.models import OutboxJob
from workflow.service import Workflow

KIND = "test.kind"


def _enqueue(factory: sessionmaker[Session], n: int, ticket_id: int | None = None) -> None:
    with factory() as session, session.begin():
        for i in range(n):
            outbox.enqueue(session, kind=KIND, dedupe_key=f"k{i}:{ticket_id}",
                           payload={"n": i}, ticket_id=ticket_id)


def _jobs(factory: sessionmaker[Session]) -> list[OutboxJob]:
    with factory() as session:
        return list(session.query(OutboxJob).filter(OutboxJob.kind == KIND)
                    .order_by(OutboxJob.id))


def test_an_outcome_counts_only_for_the_claim_that_holds_the_job(wf: Workflow) -> None:
    _enqueue(wf.factory, 1)
    [stale] = outbox.claim(wf.factory, kinds=[KIND], worker="a", lease_seconds=0.01)
    time.sleep(0.05)  # a's lease ran out (no heartbeat: a is stuck)
    runs: list[str] = []
    assert outbox.drain(wf.factory, {KIND: lambda job: runs.append("b")}, worker="b").sent == 1
    what, _ = outbox.finish(wf.factory, stale, str(stale.claim_token),
                            Transient("late", code="x"), now=utcnow())
    assert what == "lost"
    [job] = _jobs(wf.factory)
    assert (job.state, job.last_error, runs) == ("done", "", ["b"])


def test_a_long_handler_keeps_its_lease_and_runs_once(wf: Workflow) -> None:
    _enqueue(wf.factory, 1)
    runs: list[str] = []
    started = threading.Event()

    def slow(job: OutboxJob) -> None:
        runs.append("first")
        started.set()
        time.sleep(1.2)  # four leases long

    first = threading.Thread(target=lambda: outbox.drain(
        wf.factory, {KIND: slow}, worker="first", lease_seconds=0.3))
    first.start()
    started.wait(10)
    rival = 0
    while first.is_alive():
        rival += outbox.drain(wf.factory, {KIND: lambda job: runs.append("rival")},
                              worker="rival", lease_seconds=0.3).sent
        time.sleep(0.05)
    first.join()
    assert (runs, rival) == (["first"], 0)
    assert _jobs(wf.factory)[0].state == "done"


def test_retry_after_is_stored_and_honoured(wf: Workflow) -> None:
    _enqueue(wf.factory, 1)

    def limited(job: OutboxJob) -> None:
        raise Transient("429", code="slack:ratelimited", retry_after=30)

    now = utcnow()
    assert outbox.drain(wf.factory, {KIND: limited}, worker="w", now=lambda: now).retried == 1
    [job] = _jobs(wf.factory)
    assert job.retry_after == 30 and job.next_attempt_at == now + timedelta(seconds=30)
    ok = {KIND: lambda job: None}
    assert outbox.drain(wf.factory, ok, worker="w", now=lambda: now + timedelta(seconds=29)
                        ).sent == 0
    assert outbox.drain(wf.factory, ok, worker="w", now=lambda: now + timedelta(seconds=30)
                        ).sent == 1


def test_a_paced_job_waits_without_spending_an_attempt(wf: Workflow) -> None:
    _enqueue(wf.factory, 1)

    def paced(job: OutboxJob) -> None:
        raise Deferred(0.5)

    start = utcnow()
    for i in range(3):  # each round a second later: the pace's wait is over
        at = start + timedelta(seconds=i)
        assert outbox.drain(wf.factory, {KIND: paced}, worker="w",
                            now=lambda at=at: at).deferred == 1
    [job] = _jobs(wf.factory)
    assert (job.state, job.attempts) == ("pending", 0)


def test_a_tickets_jobs_of_one_kind_go_in_order(wf: Workflow) -> None:
    ticket_id = wf.file_request("new", new_raw(), actor=wf.actor("tanaka")).id
    _enqueue(wf.factory, 3, ticket_id=ticket_id)
    order: list[int] = []

    def first_fails(job: OutboxJob) -> None:
        if job.payload["n"] == 0 and not order:
            order.append(-1)
            raise Transient("down", code="x")
        order.append(int(job.payload["n"]))

    result = outbox.drain(wf.factory, {KIND: first_fails}, worker="w")
    assert (result.retried, result.sent) == (1, 0)  # 1 and 2 wait behind 0
    later = utcnow() + timedelta(hours=1)
    for _ in range(3):
        outbox.drain(wf.factory, {KIND: first_fails}, worker="w", now=lambda: later)
    assert order == [-1, 0, 1, 2]


def test_run_once_sends_a_step_once_and_not_when_it_fails(wf: Workflow) -> None:
    sent: list[str] = []

    def refused() -> None:
        raise Transient("Slack 503", code="slack:service_unavailable")

    with pytest.raises(Transient):
        outbox.run_once(wf.factory, "outbox.done:test:part:0", refused)
    outbox.run_once(wf.factory, "outbox.done:test:part:0", lambda: sent.append("a"))
    outbox.run_once(wf.factory, "outbox.done:test:part:0", lambda: sent.append("again"))
    outbox.run_once(wf.factory, "outbox.done:test:part:1", lambda: sent.append("b"))
    assert sent == ["a", "b"]  # the refused try was not recorded; a done one is not repeated
