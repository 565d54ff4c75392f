"""The sender of "ticket.event" outbox jobs: the ticket's one message and its thread.

The first event posts the message in the requests channel and records where it is; later
events update it in place. Every event is also posted in the thread (who, what, when). It runs
after the commit (never inside a service call), from the outbox, so a Slack outage only
delays it. The same code drives the terminal adapter: there `client` prints instead.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError

from bot import views
from workflow import outbox
from workflow.errors import NotFound
from workflow.machine import triggers_from
from workflow.models import OutboxJob
from workflow.schemas import ActionView, Actor, EventView, TicketView
from workflow.service import Workflow

log = logging.getLogger(__name__)
KIND = "ticket.event"
# Errors retrying cannot fix: the job goes to the dead state for an operator.
PERMANENT = {"channel_not_found", "not_in_channel", "invalid_auth", "account_inactive",
             "token_revoked", "is_archived", "invalid_blocks", "msg_too_long", "no_permission"}


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def message_actions(wf: Workflow, ticket: TicketView) -> list[ActionView]:
    """The buttons of a ticket's shared message: what its requester may do plus what planning
    may do, in the table's order (each press is checked again against the presser's role)."""
    seen: dict[str, ActionView] = {}
    for actor in (Actor(id=ticket.requester, role="sales"),
                  Actor(id="planning", role="planning")):
        for action in wf.available_actions(ticket, actor):
            seen.setdefault(action.action, action)
    return [seen[t] for t in triggers_from(ticket.status) if t in seen]


class Notifier:
    def __init__(self, wf: Workflow, client: Any, channel: str, *,
                 worker: str | None = None) -> None:
        self.wf = wf
        self.client = client
        self.channel = channel
        self.worker = worker or worker_name()
        self.tz = ZoneInfo(wf.settings.timezone)
        self._locks: dict[int, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._wake = threading.Event()
        self.extra: dict[str, Callable[[OutboxJob], None]] = {}

    # ---- one job ------------------------------------------------------------------------
    def handle(self, job: OutboxJob) -> None:
        if not self.channel:
            raise outbox.Skip("SLACK_REQUESTS_CHANNEL is not set")
        ticket_id = int(job.payload["ticket_id"])
        event = self._event(int(job.payload["event_id"]))
        with self._lock(ticket_id):
            try:
                self._send(ticket_id, event)
            except SlackApiError as exc:
                error = str(exc.response.get("error", ""))
                if error in PERMANENT:
                    raise outbox.Permanent(f"Slack: {error}") from None
                raise

    def _send(self, ticket_id: int, event: EventView | None) -> None:
        ticket = self.wf.get(ticket_id)
        text, blocks = views.ticket_message(ticket, message_actions(self.wf, ticket))
        channel, ts = ticket.slack_channel, ticket.slack_ts
        if ts is None or channel is None:
            resp = self.client.chat_postMessage(channel=self.channel, text=text, blocks=blocks)
            channel, ts = str(resp["channel"]), str(resp["ts"])
            if not self.wf.record_message(ticket_id, channel, ts):
                # another replica posted first: keep theirs, drop ours
                self.client.chat_delete(channel=channel, ts=ts)
                ticket = self.wf.get(ticket_id)
                channel, ts = ticket.slack_channel, ticket.slack_ts
                self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        else:
            self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        if event is not None:
            kintone = self.wf.kintone_text(ticket_id) if event.to_status == "contacted" else None
            reply, reply_blocks = views.thread_post(event, self.tz, kintone)
            self.client.chat_postMessage(channel=channel, thread_ts=ts, text=reply,
                                         blocks=reply_blocks)

    def _event(self, event_id: int) -> EventView | None:
        try:
            return self.wf.event(event_id)
        except NotFound:
            return None

    def _lock(self, ticket_id: int) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(ticket_id, threading.Lock())

    # ---- draining -----------------------------------------------------------------------
    def handlers(self) -> Mapping[str, Callable[[OutboxJob], None]]:
        return {KIND: self.handle, **self.extra}

    def drain(self) -> outbox.DrainResult:
        return outbox.drain(self.wf.factory, self.handlers(), worker=self.worker)

    def kick(self) -> None:
        """Ask the background loop to send now (after a transition), instead of at its tick."""
        self._wake.set()

    def run(self, stop: threading.Event, *, interval: float = 2.0) -> None:
        """Drain until `stop` is set: at once when kicked, else every `interval` seconds."""
        while not stop.is_set():
            self._wake.clear()
            try:
                result = self.drain()
                if result.sent or result.retried:
                    continue  # there may be more right behind
            except Exception:
                log.exception("outbox drain failed; trying again")
            self._wake.wait(interval)
            if stop.is_set():
                return

    def start(self, stop: threading.Event, *, interval: float = 2.0) -> threading.Thread:
        thread = threading.Thread(target=self.run, args=(stop,), kwargs={"interval": interval},
                                  name="renkei-outbox", daemon=True)
        thread.start()
        return thread
