"""The Bolt App, built from settings by one factory, with its handlers and outbox sender."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bot.context import Context
from bot.slack.guard import external_users
from bot.slack.handlers import Handlers
from bot.slack.notifier import Notifier
from bot.slack.pace import ChannelPace, PacedClient
from bot.slack.roles import Roles
from bot.slack.views_home import DASHBOARD_ACTION
from workflow import outbox
from workflow.settings import Settings

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")
SHUTDOWN_GRACE_SECONDS = 10.0  # a SIGTERM waits this long for queued answers after acks


def make_client(settings: Settings, *, rate_limit_retries: int = 3) -> WebClient:
    """The Web API client: base URL from SLACK_API_URL (a proxy or an emulator may stand in),
    retrying dropped connections and, when `rate_limit_retries`, 429s (honouring Retry-After
    by sleeping — never in the outbox's client, see `sender_client`)."""
    handlers: list[Any] = [ConnectionErrorRetryHandler(max_retry_count=2)]
    if rate_limit_retries:
        handlers.append(RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries))
    return WebClient(token=settings.slack_bot_token or None, base_url=settings.slack_api_url,
                     timeout=10, retry_handlers=handlers)


def sender_client(settings: Settings, client: WebClient | None = None) -> PacedClient:
    """The outbox's client: a 429 is raised, not slept (the job waits its Retry-After in its
    row while the loop goes on), and posts keep each channel's pace."""
    raw = client or make_client(settings, rate_limit_retries=0)
    return PacedClient(raw, ChannelPace(settings.slack_channel_rate,
                                        settings.slack_channel_burst))


@dataclass
class Bot:
    app: App
    handlers: Handlers
    notifier: Notifier
    roles: Roles
    client: WebClient
    executor: Pool
    priority: Pool | None = None

    def close(self, grace: float = SHUTDOWN_GRACE_SECONDS) -> int:
        """Stop taking work; let what is queued run for `grace` seconds, then drop the rest
        (answers after an ack: ephemerals, modal updates; ticket posts are in the outbox)
        so a SIGTERM during a Slack slowdown does not wait out the whole backlog. Returns
        how many queued answers were dropped."""
        self.roles.close()
        return stop_pools([p for p in (self.executor, self.priority) if p is not None], grace)


def stop_pools(pools: list[Pool], grace: float) -> int:
    """Shut the pools down, waiting at most `grace` seconds for their queued and running
    work; cancel what has not started by then (work already running finishes on its own).
    Returns how many were cancelled."""
    deadline = time.monotonic() + grace
    for pool in pools:
        pool.shutdown(wait=False)
    while time.monotonic() < deadline and any(p.unfinished for p in pools):
        time.sleep(0.05)
    dropped = sum(p.waiting for p in pools)
    for pool in pools:  # idle threads end by themselves; a running one is not waited for
        pool.shutdown(wait=False, cancel_futures=True)
    if dropped:
        log.warning("stopping: %d Slack answers still queued after %.0f s were dropped "
                    "(ticket messages are in the outbox and go out after the restart)",
                    dropped, grace)
    return dropped


class Pool(ThreadPoolExecutor):
    """A thread pool that counts its work: queued and not started (`waiting`), and not
    finished (`unfinished`), so a shutdown can wait for it with a deadline."""

    def __init__(self, workers: int, *, thread_name_prefix: str) -> None:
        super().__init__(workers, thread_name_prefix=thread_name_prefix)
        self._count_lock = threading.Lock()
        self.waiting = 0
        self.unfinished = 0

    def _count(self, waiting: int, unfinished: int) -> None:
        with self._count_lock:
            self.waiting += waiting
            self.unfinished += unfinished

    def submit(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> Future[R]:
        self._count(1, 1)

        def run() -> R:
            self._count(-1, 0)
            try:
                return fn(*args, **kwargs)
            finally:
                self._count(0, -1)

        try:
            future = super().submit(run)
        except RuntimeError:  # shut down: nothing was queued
            self._count(-1, -1)
            raise
        future.add_done_callback(self._forget_cancelled)
        return future

    def _forget_cancelled(self, future: Future[Any]) -> None:
        if future.cancelled():  # dropped at shutdown: it never ran
            self._count(-1, -1)


def _submitter(pool: ThreadPoolExecutor) -> Any:
    def submit(work: Any) -> None:
        def guarded() -> None:
            try:
                work()
            except Exception:  # after the ack nobody else would see it
                log.exception("work after the ack failed")

        pool.submit(guarded)

    return submit


def build(ctx: Context, *, client: WebClient | None = None, socket_mode: bool = False,
          token_verification: bool = True, listener_threads: int = 2,
          modal_threads: int = 32) -> Bot:
    """One Bolt App for `ctx.settings`: signature-checked (HTTP), deduplicating Slack's
    event retries in the database, with renkei's listeners registered."""
    settings = ctx.settings
    given = client
    client = client or make_client(settings)
    executor = Pool(listener_threads, thread_name_prefix="renkei-slack")
    # Modal openings only: a trigger_id lives 3 s, so they never queue behind plain clicks.
    priority = Pool(modal_threads, thread_name_prefix="renkei-modal")
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret or ("unused" if socket_mode else None),
        request_verification_enabled=not socket_mode,
        token_verification_enabled=token_verification,
        # Listeners run in the request thread, so an ack is answered the moment it is given
        # (no 10 ms polling); button and event work runs after it as Bolt lazy listeners.
        process_before_response=True,
        listener_executor=executor,
        logger=logging.getLogger("bot.bolt"),
    )
    install_log_redaction(settings)
    app.middleware(_dedupe_events(ctx))
    roles = Roles(settings, client)
    roles.keep_warm()  # the planning group is read ahead, never inside an ack
    # Customers (Slack Connect users of another workspace) reach only their one button.
    app.middleware(external_users(roles, executor))
    paced = sender_client(settings, given)
    notifier = Notifier(ctx.workflow, paced, settings.slack_requests_channel,
                        direct_client=paced.client)
    handlers = Handlers(ctx.workflow, roles, notifier, settings.slack_command)
    handlers.soon, handlers.later = _submitter(priority), _submitter(executor)
    handlers.register(AckFirst(app, handlers))
    app.action(DASHBOARD_ACTION)(_ack)  # the App Home link button opens the browser
    # App Home follows the requester's and the actor's tickets, refreshed by the sender.
    # (with the outbox's client: a 429 there leaves a Home stale, it never sleeps the loop)
    notifier.after_send = lambda ticket, event: handlers.home_tab.refresh(paced.client, ticket,
                                                                          event)
    return Bot(app, handlers, notifier, roles, client, executor, priority)


def _ack(ack: Any) -> None:
    ack()


def _no_ack(**_: Any) -> None:
    pass


class AckFirst:
    """Registers button presses and events as ack-now, work-later.

    A press is acknowledged in the request thread, then its work goes to the handlers'
    `soon` pool when it opens a modal and to `later` otherwise; events use Bolt's lazy
    listeners. Commands and modal submissions register as they are: their handlers ack first
    themselves (their answer may be part of the ack: help text, field errors).
    """

    def __init__(self, app: App, handlers: Handlers) -> None:
        self.app = app
        self.handlers = handlers

    def command(self, *args: Any, **kwargs: Any) -> Any:
        return self.app.command(*args, **kwargs)

    def view(self, *args: Any, **kwargs: Any) -> Any:
        return self.app.view(*args, **kwargs)

    def action(self, *args: Any, **kwargs: Any) -> Any:
        register = self.app.action(*args, **kwargs)
        handlers = self.handlers

        def wrap(work: Any) -> Any:
            def ack_now(ack: Any, body: dict[str, Any], client: Any, respond: Any) -> None:
                ack()
                run = handlers.soon if handlers.opens_modal(body) else handlers.later
                run(lambda: work(ack=_no_ack, body=body, client=client, respond=respond))

            return register(ack_now)

        return wrap

    def event(self, *args: Any, **kwargs: Any) -> Any:
        register = self.app.event(*args, **kwargs)
        return lambda work: register(ack=_ack, lazy=[work])

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)


def _dedupe_events(ctx: Context) -> Any:
    def dedupe_events(body: dict[str, Any], next: Any) -> BoltResponse | None:
        # Slack retries an event (x-slack-retry-num) it thinks we missed; any replica may get
        # the retry, so the event id is claimed in the database.
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not outbox.once(ctx.factory, f"slack:event:{event_id}"):
            return BoltResponse(status=200, body="")
        next()
        return None

    return dedupe_events


_SECRET_SHAPES = re.compile(r"\bx(?:ox[abpors]|app)-[A-Za-z0-9-]+")


class RedactSecrets(logging.Filter):
    """Blanks Slack tokens and the signing secret in any log line, whoever logs it."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if len(s) >= 8]

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "(redacted)")
        return _SECRET_SHAPES.sub("(redacted)", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self._clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install_log_redaction(settings: Settings) -> None:
    """Attach the filter to every root handler (once per secret set)."""
    secrets = [settings.slack_bot_token, settings.slack_app_token,
               settings.slack_signing_secret]
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(RedactSecrets(secrets))
