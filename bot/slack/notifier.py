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
from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError

from bot import messages as m
from bot.integrations.failures import reason, repairable, slack_errors
from bot.integrations.senders import kintone_configured, kintone_url
from bot.slack import limits, views, views_copy, views_text
from bot.slack.views import _md
from workflow import outbox, partner, repair
from workflow.db import utcnow
from workflow.errors import NotFound
from workflow.fates import Deferred, JobFailed, Permanent, Transient, dependency_code
from workflow.machine import triggers_from
from workflow.models import OutboxJob
from workflow.schemas import ActionView, Actor, EventView, TicketView
from workflow.service import Workflow

log = logging.getLogger(__name__)
KIND = "ticket.event"


class MessageNotPosted(Transient):
    """A thread reply is due before the ticket's message exists: retried later."""


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
                 worker: str | None = None, direct_client: Any | None = None) -> None:
        self.wf = wf
        self.client = client
        # Unpaced: telling planning about a dead job happens once, outside any job's retry.
        self.direct_client = direct_client or client
        self.channel = channel
        self.worker = worker or worker_name()
        self.tz = ZoneInfo(wf.settings.timezone)
        self._locks: dict[int, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._wake = threading.Event()
        self.extra: dict[str, Callable[[OutboxJob], None]] = {}
        # Called after a ticket's message changed (App Home refresh); never fails a job.
        self.after_send: Callable[[TicketView, EventView | None], None] | None = None

    # ---- one job ------------------------------------------------------------------------
    def handle(self, job: OutboxJob) -> None:
        if not self.channel:
            raise outbox.Skip("SLACK_REQUESTS_CHANNEL is not set")
        ticket_id = int(job.payload["ticket_id"])
        event = self._event(int(job.payload["event_id"]))
        with self._lock(ticket_id), slack_errors():
            ticket = self._send(ticket_id, event, job.dedupe_key)
        if self.after_send is not None:
            try:
                self.after_send(ticket, event)
            except Exception as exc:
                log.info("after-send hook failed for ticket %s: %s", ticket_id, exc)

    def render(self, ticket: TicketView) -> tuple[str, list[dict[str, Any]]]:
        """The ticket's message as it should look now."""
        return views.ticket_message(ticket, message_actions(self.wf, ticket),
                                    kintone_url=kintone_url(self.wf.settings, ticket))

    def refresh(self, ticket_id: int, *, sent: str | None = None) -> None:
        """Update the ticket's message in place (no thread post), e.g. once a Kintone record or
        a file went out. `sent` is the kind of the job being finished: its row is still
        pending while its handler runs, so one of that kind is not shown as waiting."""
        with self._lock(ticket_id):
            ticket = self.wf.get(ticket_id)
            if ticket.slack_channel is None or ticket.slack_ts is None:
                return
            if sent in ticket.pending_jobs:
                pending = list(ticket.pending_jobs)
                pending.remove(sent)
                ticket = ticket.model_copy(update={"pending_jobs": pending})
            text, blocks = self.render(ticket)
            with slack_errors():
                self._update(ticket, text, blocks)

    def _update(self, ticket: TicketView, text: str, blocks: list[dict[str, Any]]
                ) -> tuple[str, str]:
        """chat.update of the ticket's message; a deleted message is posted afresh."""
        assert ticket.slack_channel is not None and ticket.slack_ts is not None
        try:
            self.client.chat_update(channel=ticket.slack_channel, ts=ticket.slack_ts,
                                    text=text, blocks=blocks)
        except SlackApiError as exc:
            if not repairable(exc):
                raise
            return self._repost(ticket, text, blocks)
        return ticket.slack_channel, ticket.slack_ts

    def _repost(self, ticket: TicketView, text: str, blocks: list[dict[str, Any]]
                ) -> tuple[str, str]:
        """Someone deleted the ticket's message: post it again where it was and remember the
        new one (the thread goes on under it)."""
        log.warning("ticket %s: its Slack message %s is gone; posting it afresh", ticket.id,
                    ticket.slack_ts)
        resp = self.client.chat_postMessage(channel=ticket.slack_channel or self.channel,
                                            text=text, blocks=blocks)
        channel, ts = str(resp["channel"]), str(resp["ts"])
        if repair.replace_message(self.wf, ticket.id, old_ts=ticket.slack_ts, channel=channel,
                                  ts=ts):
            self._history_under(ticket.id, channel, ts)
            return channel, ts
        self.client.chat_delete(channel=channel, ts=ts)  # another sender repaired it first
        fresh = self.wf.get(ticket.id)
        return str(fresh.slack_channel), str(fresh.slack_ts)

    def _history_under(self, ticket_id: int, channel: str, ts: str) -> None:
        """The new message's thread starts with what the old thread held: the history so
        far (newest first), so nobody has to find the deleted message. Best effort: the
        repost itself is what the job needed."""
        header = [_md(m.REPOSTED_HISTORY)]
        budget = limits.MESSAGE_TEXT_BUDGET - limits.text_size(header)
        blocks = header + views_text.history_blocks(self.wf.get(ticket_id), self.tz, budget)
        try:
            self.direct_client.chat_postMessage(channel=channel, thread_ts=ts,
                                                text=m.REPOSTED_HISTORY, blocks=blocks)
        except Exception as exc:
            log.info("ticket %s: history not posted under its new message: %s", ticket_id, exc)

    def in_thread(self, ticket_id: int, send: Callable[[str, str], None]) -> None:
        """Run `send(channel, thread_ts)` in the ticket's thread; when the message was deleted,
        post it afresh and send under the new one."""
        ticket, channel, ts = self.thread_of(ticket_id)
        with slack_errors():
            try:
                send(channel, ts)
                return
            except SlackApiError as exc:
                if not repairable(exc):
                    raise
            with self._lock(ticket_id):
                text, blocks = self.render(self.wf.get(ticket_id))
                channel, ts = self._repost(ticket, text, blocks)
            send(channel, ts)

    def _paced(self, ticket: TicketView) -> None:
        """Wait (Deferred) before touching the message when its channel has no post to spare,
        so a paced thread post does not repeat the chat.update each time it is tried."""
        peek = getattr(self.client, "peek", None)
        if peek is None:
            return
        wait = float(peek(ticket.slack_channel or self.channel))
        if wait > 0:
            raise Deferred(wait, "channel paced")

    def _send(self, ticket_id: int, event: EventView | None, key: str = "") -> TicketView:
        ticket = self.wf.get(ticket_id)
        self._paced(ticket)
        text, blocks = self.render(ticket)
        channel, ts = ticket.slack_channel, ticket.slack_ts
        if ts is None or channel is None:
            resp = self.client.chat_postMessage(channel=self.channel, text=text, blocks=blocks)
            channel, ts = str(resp["channel"]), str(resp["ts"])
            if not self.wf.record_message(ticket_id, channel, ts):
                # another replica posted first: keep theirs, drop ours
                self.client.chat_delete(channel=channel, ts=ts)
                ticket = self.wf.get(ticket_id)
                channel, ts = self._update(ticket, text, blocks)
        else:
            channel, ts = self._update(ticket, text, blocks)
        if event is not None:
            # The text to paste into Kintone, unless the bot posts the record itself; a long
            # one also goes into the thread as a .txt (whole in one piece, either way).
            filed = event.to_status == "contacted"
            copy = filed and not kintone_configured(self.wf.settings)
            kintone = self.wf.kintone_text(ticket_id) if filed else ""
            posts = views_text.thread_messages(event, self.tz, kintone if copy else None)

            def post_all(channel: str, ts: str) -> None:
                for i, (reply, blocks_i) in enumerate(posts):
                    self.once(f"{key}:post:{i}", partial(
                        self.client.chat_postMessage, channel=channel, thread_ts=ts,
                        text=reply, blocks=blocks_i))

            try:
                post_all(str(channel), str(ts))
            except SlackApiError as exc:
                if not repairable(exc):
                    raise
                channel, ts = self._repost(self.wf.get(ticket_id), text, blocks)
                post_all(channel, ts)
            if kintone and views_copy.needs_file(kintone):
                self.once(f"{key}:txt", partial(
                    self.upload_txt, str(channel), str(ts),
                    views_copy.txt_name(ticket_id, "kintone"), m.TXT_KINTONE, kintone))
        return ticket

    # ---- long texts ---------------------------------------------------------------------
    def once(self, key: str, send: Callable[[], Any]) -> None:
        """Run `send` unless `key` was done before (a retried job does not post twice);
        without a job key (`key` starting with ':'), just run it."""
        if key.startswith(":"):
            send()
            return
        outbox.run_once(self.wf.factory, f"outbox.done:slack:{key}", send)

    def upload_txt(self, channel: str, ts: str, filename: str, what: str, text: str) -> None:
        """The whole text as a UTF-8 .txt file in the thread (files_upload_v2)."""
        self.client.files_upload_v2(
            file_uploads=[{"filename": filename, "content": text.encode("utf-8"),
                           "title": filename}],
            channel=channel, thread_ts=ts, initial_comment=m.txt_comment(what))

    def post_copy(self, key: str, ticket_id: int, intro: str, text: str, *, what: str,
                  name: str) -> None:
        """A text a person copies, in the ticket's thread: whole, in labelled parts over as
        many messages as it takes, plus a .txt when it is in parts. Each message is sent
        once per `key`, so a retry after a failure sends only what is missing."""
        def send(channel: str, ts: str) -> None:
            for i, (fallback, blocks) in enumerate(views_copy.copy_messages(intro, text)):
                self.once(f"{key}:part:{i}", partial(
                    self.client.chat_postMessage, channel=channel, thread_ts=ts,
                    text=fallback, blocks=blocks))
            if views_copy.needs_file(text):
                self.once(f"{key}:txt", lambda: self.upload_txt(
                    channel, ts, views_copy.txt_name(ticket_id, name), what, text))

        self.in_thread(ticket_id, send)

    def _event(self, event_id: int) -> EventView | None:
        try:
            return self.wf.event(event_id)
        except NotFound:
            return None

    def thread_of(self, ticket_id: int) -> tuple[TicketView, str, str]:
        """The ticket and where its thread is; raises (to retry) while its message is not
        posted yet, and Skip when there is no requests channel at all."""
        if not self.channel:
            raise outbox.Skip("SLACK_REQUESTS_CHANNEL is not set")
        ticket = self.wf.get(ticket_id)
        if ticket.slack_channel is None or ticket.slack_ts is None:
            if any(j.kind == KIND for j in ticket.dead_jobs):
                # The message itself could not be posted: nothing will come to wait for.
                raise Permanent(f"ticket #{ticket_id}: its Slack message could not be posted",
                                code=dependency_code(KIND))
            raise MessageNotPosted(f"ticket #{ticket_id}: its Slack message is not posted yet",
                                   code="slack:message_not_posted")
        return ticket, ticket.slack_channel, ticket.slack_ts

    def _lock(self, ticket_id: int) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(ticket_id, threading.Lock())

    # ---- draining -----------------------------------------------------------------------
    def handlers(self) -> Mapping[str, Callable[[OutboxJob], None]]:
        return {KIND: self.handle, **self.extra}

    def now(self) -> datetime:
        # Due by either clock: the workflow's (a test may move it forward; transitions stamp
        # their jobs with it) or the wall clock (jobs enqueued outside a transition).
        return max(utcnow(), self.wf.clock())

    def drain(self) -> outbox.DrainResult:
        return outbox.drain(self.wf.factory, self.handlers(), worker=self.worker, now=self.now,
                            on_dead=self.on_dead)

    # ---- dead jobs: shown on the ticket, planning told once ------------------------------
    def planning_mention(self) -> str:
        group = self.wf.settings.planning_group
        if group:
            return f"<!subteam^{group}>"
        return " ".join(f"<@{u}>" for u in self.wf.settings.planning_users[:5])

    def on_dead(self, job: OutboxJob, failure: JobFailed) -> None:
        """The ticket message gets its 「送信できませんでした」 line and retry button; planning
        is told once, in the thread, or by DM when the thread cannot be posted."""
        ticket_id = job.ticket_id or int((job.payload or {}).get("ticket_id") or 0)
        key = f"outbox.dead-told:{job.id}:{job.attempts}"
        if not self.channel or partner.is_done(self.wf, key):
            return
        if not ticket_id:  # a drift draft's post: no ticket, no thread — planning by DM
            text = m.dead_notice_unticketed(self.planning_mention(), m.job_label(job.kind),
                                            reason(failure.code), job.id)
            if self._dm_planners(text) or self._post_in_channel(text):
                outbox.once(self.wf.factory, key)
            return
        label = m.job_label(job.kind, self.wf.get(ticket_id).kind)
        text = m.dead_notice(self.planning_mention(), ticket_id, label,
                             reason(failure.code), self.wf.settings.slack_command)
        told = False
        try:
            self.refresh(ticket_id)
        except Exception as exc:
            log.info("ticket %s message not refreshed for dead job %s: %s", ticket_id, job.id,
                     exc)
        ticket = self.wf.get(ticket_id)
        if ticket.slack_channel and ticket.slack_ts:
            try:
                self.direct_client.chat_postMessage(channel=ticket.slack_channel,
                                                    thread_ts=ticket.slack_ts, text=text)
                told = True
            except Exception as exc:
                log.info("dead job %s: thread of ticket %s not postable (%s); DMs instead",
                         job.id, ticket_id, exc)
        if not told:
            told = self._dm_planners(text)
        if told:
            outbox.once(self.wf.factory, key)

    def _post_in_channel(self, text: str) -> bool:
        """No planner to DM (only a user group is set): the requests channel, mentioning it."""
        try:
            self.direct_client.chat_postMessage(channel=self.channel, text=text)
            return True
        except Exception as exc:
            log.warning("could not tell planning about a dead job: %s", exc)
            return False

    def _dm_planners(self, text: str) -> bool:
        sent = False
        for user in self.wf.settings.planning_users:
            try:
                dm = self.direct_client.conversations_open(users=user)["channel"]["id"]
                self.direct_client.chat_postMessage(channel=dm, text=text)
                sent = True
            except Exception as exc:
                log.warning("could not DM planner %s about a dead job: %s", user, exc)
        return sent

    def kick(self) -> None:
        """Ask the background loop to send now (after a transition), instead of at its tick."""
        self._wake.set()

    def run(self, stop: threading.Event, *, interval: float = 2.0) -> None:
        """Drain until `stop` is set: at once when kicked, else every `interval` seconds."""
        while not stop.is_set():
            self._wake.clear()
            pause = interval
            try:
                result = self.drain()
                if result.sent or result.retried or result.dead or result.skipped:
                    continue  # there may be more right behind
                if result.deferred:
                    pause = min(interval, 0.2)  # a paced channel frees a token soon
            except Exception:
                log.exception("outbox drain failed; trying again")
            self._wake.wait(pause)
            if stop.is_set():
                return

    def start(self, stop: threading.Event, *, interval: float = 2.0) -> threading.Thread:
        thread = threading.Thread(target=self.run, args=(stop,), kwargs={"interval": interval},
                                  name="renkei-outbox", daemon=True)
        thread.start()
        return thread
