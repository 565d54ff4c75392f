"""bot.slack.app's pools at shutdown: a SIGTERM during a Slack slowdown waits a bounded grace
for the answers queued after acks, then drops the rest instead of waiting out the backlog."""

from __future__ import annotations

import threading
import time

from bot.slack.app import Pool, stop_pools


def test_work_that_finishes_within_the_grace_all_runs() -> None:
    pool = Pool(2, thread_name_prefix="t")
    ran: list[int] = []
    for i in range(6):
        pool.submit(lambda i=i: (time.sleep(0.01), ran.append(i)))
    assert stop_pools([pool], grace=30) == 0
    assert sorted(ran) == list(range(6))  # all of it done when stop_pools returns
    assert (pool.waiting, pool.unfinished) == (0, 0)


def test_what_has_not_started_after_the_grace_is_dropped() -> None:
    pool, modal = Pool(1, thread_name_prefix="t"), Pool(1, thread_name_prefix="m")
    release, started = threading.Event(), threading.Event()
    ran: list[str] = []

    def stuck() -> None:  # a Web API call that takes its time
        started.set()
        release.wait(30)
        ran.append("stuck")

    pool.submit(stuck)
    assert started.wait(5)
    for i in range(5):
        pool.submit(ran.append, f"queued {i}")
    modal.submit(ran.append, "modal")  # the other pool's quick work still runs
    try:
        assert stop_pools([pool, modal], grace=0.3) == 5
    finally:
        release.set()
    pool.shutdown(wait=True)
    assert ran == ["modal", "stuck"]  # the running call finished; the five queued never ran
    assert (pool.waiting, pool.unfinished, modal.waiting, modal.unfinished) == (0, 0, 0, 0)


def test_a_shut_pool_refuses_new_work_and_keeps_its_counts() -> None:
    pool = Pool(1, thread_name_prefix="t")
    stop_pools([pool], grace=1)
    try:
        pool.submit(print)
    except RuntimeError as exc:
        assert "shutdown" in str(exc)
    else:
        raise AssertionError("a shut pool took work")
    assert (pool.waiting, pool.unfinished) == (0, 0)
