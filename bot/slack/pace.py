"""Slack's pace: about one post a second per channel, short bursts allowed.

A token bucket per channel (SLACK_CHANNEL_POSTS_PER_SECOND, SLACK_CHANNEL_BURST). The outbox's
client asks it before every post; a post over the pace is not sent and not slept for: the job
is `Deferred` to the moment a token is due, and the outbox goes on with jobs of other channels.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from workflow.fates import Deferred


class ChannelPace:
    def __init__(self, rate: float, burst: int, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # channel -> (tokens, at)

    def take(self, channel: str) -> float:
        """0.0 and one token spent when `channel` may be posted to now; else the seconds
        until it may (nothing spent)."""
        with self._lock:
            now = self.clock()
            tokens, at = self._buckets.get(channel, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens >= 1.0:
                self._buckets[channel] = (tokens - 1.0, now)
                return 0.0
            self._buckets[channel] = (tokens, now)
            return (1.0 - tokens) / self.rate

    def peek(self, channel: str) -> float:
        """The seconds until `channel` may be posted to (0.0: now); nothing spent."""
        with self._lock:
            now = self.clock()
            tokens, at = self._buckets.get(channel, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate


class PacedClient:
    """A Web API client whose posts keep each channel's pace (others pass straight through)."""

    def __init__(self, client: Any, pace: ChannelPace) -> None:
        self.client = client
        self.pace = pace

    def _check(self, channel: Any) -> None:
        wait = self.pace.take(str(channel or ""))
        if wait > 0:
            raise Deferred(wait, f"channel {channel} paced")

    def peek(self, channel: str) -> float:
        return self.pace.peek(channel)

    def chat_postMessage(self, **kwargs: Any) -> Any:
        self._check(kwargs.get("channel"))
        return self.client.chat_postMessage(**kwargs)

    def files_upload_v2(self, **kwargs: Any) -> Any:
        self._check(kwargs.get("channel"))
        return self.client.files_upload_v2(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)
