"""Issue 9 part 7: the outbox's Slack client never sleeps on a 429 (the job waits its
Retry-After in its row), and posts into one channel keep Slack's pace (1/s, small bursts)
while other channels go on."""

from __future__ import annotations

import pytest
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.slack.app import make_client, sender_client
from bot.slack.pace import ChannelPace, PacedClient
from tests.slack_emulator import Emulator
from tests.slack_harness import settings_for
from workflow.fates import Deferred


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_channel_gets_its_burst_then_one_a_second_and_others_are_not_held() -> None:
    clock = Clock()
    pace = ChannelPace(1.0, 3, clock=clock)
    assert [pace.take("C1") for _ in range(3)] == [0.0, 0.0, 0.0]  # the burst
    assert pace.take("C1") == pytest.approx(1.0)  # then wait a second
    assert pace.take("C2") == 0.0  # another channel is not held back
    clock.now += 0.5
    assert pace.peek("C1") == pytest.approx(0.5)
    clock.now += 0.5
    assert pace.take("C1") == 0.0 and pace.take("C1") > 0


def test_the_paced_client_defers_instead_of_posting() -> None:
    emulator = Emulator()
    try:
        clock = Clock()
        client = PacedClient(make_client(settings_for(emulator), rate_limit_retries=0),
                             ChannelPace(1.0, 1, clock=clock))
        client.chat_postMessage(channel="C1", text="a")
        with pytest.raises(Deferred) as deferred:
            client.chat_postMessage(channel="C1", text="b")
        assert deferred.value.seconds == pytest.approx(1.0)
        client.chat_postMessage(channel="C2", text="c")
        client.chat_update(channel="C1", ts="1.1", text="d")  # updates are not posts
        assert [c.args["text"] for c in emulator.calls if c.method.startswith("chat.")] == [
            "a", "c", "d"]
    finally:
        emulator.close()


def test_the_outbox_client_raises_a_429_at_once() -> None:
    emulator = Emulator()
    try:
        settings = settings_for(emulator)
        paced = sender_client(settings)
        assert not any(isinstance(h, RateLimitErrorRetryHandler)
                       for h in paced.client.retry_handlers)
        assert any(isinstance(h, RateLimitErrorRetryHandler)
                   for h in make_client(settings).retry_handlers)  # the listeners' client
        emulator.fail("chat.postMessage", status=429, retry_after=30)
        from slack_sdk.errors import SlackApiError
        with pytest.raises(SlackApiError) as failed:
            paced.chat_postMessage(channel="C1", text="x")
        assert failed.value.response.status_code == 429
        assert len(emulator.of("chat.postMessage!fault")) == 1  # asked once, not slept on
    finally:
        emulator.close()
