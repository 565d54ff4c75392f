"""Process wiring for `renkei run`: pick the transport, start the background work.

Socket Mode when SLACK_APP_TOKEN is set; else HTTP (waitress) when SLACK_SIGNING_SECRET is
set; else the terminal adapter. Every transport also runs the outbox sender loop (the ticket
message plus Kintone, 設定依頼書, customer message and reminder senders) and an APScheduler
BackgroundScheduler (Asia/Tokyo) for the SLA reminder check and the exporter's jobs.
"""

from __future__ import annotations

import gc
import importlib
import logging
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from bot.context import Context
from bot.slack.notifier import Notifier

log = logging.getLogger(__name__)


def transport(ctx: Context) -> str:
    s = ctx.settings
    if s.slack_app_token:
        return "socket"
    if s.slack_signing_secret:
        return "http"
    return "terminal"


def _optional(module: str) -> Any | None:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is not None and module.startswith(exc.name):
            return None
        raise


def start_scheduler(ctx: Context, worker: str, notifier: Notifier | None = None) -> Any:
    """The SLA reminder check (every RENKEI_REMINDER_CHECK_MINUTES), the hourly prune of old
    Slack request keys, and the exporter's jobs (閉局, hourly 支払種別明細) when it registers
    any."""
    from apscheduler.schedulers.background import BackgroundScheduler

    from bot.integrations import housekeeping, reminders

    scheduler = BackgroundScheduler(timezone=ctx.settings.timezone)
    housekeeping.register(scheduler, ctx.workflow, worker=worker)
    reminders.register(scheduler, ctx.workflow, minutes=ctx.settings.reminder_check_minutes,
                       kick=notifier.kick if notifier is not None else None)
    jobs = _optional("exporter.jobs")
    if jobs is not None and hasattr(jobs, "register"):
        jobs.register(scheduler, ctx.factory, ctx.settings, worker=worker)
    scheduler.start()
    return scheduler


def add_senders(ctx: Context, notifier: Notifier) -> None:
    """The senders of the partner and customer side (Kintone, 設定依頼書, customer message,
    reminders), drained by the same loop as the ticket message."""
    from bot.integrations.outgoing import Outgoing

    notifier.extra.update(Outgoing(notifier, ctx.settings).handlers())


class Background:
    """The outbox loop and the scheduler; `stop()` ends both."""

    def __init__(self, ctx: Context, notifier: Notifier, *, scheduler: bool = True,
                 interval: float = 2.0) -> None:
        self.stop_event = threading.Event()
        self.notifier = notifier
        add_senders(ctx, notifier)
        self.thread = notifier.start(self.stop_event, interval=interval)
        self.scheduler = start_scheduler(ctx, notifier.worker, notifier) if scheduler else None

    def stop(self) -> None:
        self.stop_event.set()
        self.notifier.kick()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
        self.thread.join(10)


def _wait_for_signal(stop: threading.Event) -> None:
    def handler(signum: int, _frame: Any) -> None:
        log.info("signal %s: stopping", signum)
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, handler)
    while not stop.wait(1.0):
        pass


def _sender_process(settings: Any, parent: int) -> None:
    """The child of `renkei run`: the outbox senders and the scheduler, at a lower CPU
    priority than the process that answers Slack, so a burst of clicks is acked first and the
    Slack posts, Kintone records and exports catch up right after (they are in the outbox)."""
    import os

    from bot.context import build as build_context
    from bot.slack.app import build

    os.nice(19)
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    stop = threading.Event()
    ctx = build_context(settings, migrate=False)
    bot = build(ctx)
    # Kicks from the parent cannot cross the process boundary: poll often instead (one indexed
    # query on the outbox per tick).
    background = Background(ctx, bot.notifier, interval=0.25)
    while not stop.wait(1.0):
        if os.getppid() != parent:  # the parent died without telling us
            break
    background.stop()


def start_sender_process(ctx: Context) -> Any:
    """Fork the sender child (before any thread of ours exists) and return it."""
    import multiprocessing
    import os

    child = multiprocessing.get_context("fork").Process(
        target=_sender_process, args=(ctx.settings, os.getpid()), name="renkei-senders",
        daemon=True)
    child.start()
    return child


def start_internal(ctx: Context, host: str, pages: Any = None) -> Any:
    """The internal port (RENKEI_POS_PORT): /pos/close, /healthz and /readyz, no Slack; the
    dashboard and /metrics without the operator token when the web pages are on."""
    from bot.slack.web import HttpServer, WebApp

    server = HttpServer(WebApp(ctx, None, pages=pages, internal=True), host=host,
                        port=ctx.settings.pos_port or 0, threads=4).start()
    if not ctx.settings.pos_token:
        log.warning("RENKEI_POS_PORT is set but RENKEI_POS_TOKEN is not: /pos/close is off")
    log.info("serving POST /pos/close on the internal port %s:%s", host, server.port)
    return server


def run(ctx: Context, *, port: int | None = None, host: str = "0.0.0.0",
        user: str | None = None, on_ready: Callable[[str], None] | None = None,
        single_process: bool = False) -> None:
    """Run the bot until interrupted, on the transport the settings choose."""
    kind = transport(ctx)
    if kind == "terminal":
        from bot.terminal.shell import Shell

        log.info("no Slack settings: starting the terminal adapter (renkei shell)")
        Shell(ctx, user=user or "sales").run()
        return
    from bot.slack.app import build

    # Many threads each make short database and HTTP round trips; with the default 5 ms GIL
    # switch interval every return from I/O can wait a whole slice behind a busy thread
    # (a convoy), which multiplies the latency of an ack. A shorter slice keeps acks quick.
    sys.setswitchinterval(0.0005)
    sender = None if single_process else start_sender_process(ctx)
    bot = build(ctx)
    background = Background(ctx, bot.notifier) if single_process else None
    # Everything built so far lives as long as the process: keep it out of the cyclic
    # collector's full passes, which otherwise stall every thread for tens of ms under load.
    gc.collect()
    gc.freeze()
    stop = threading.Event()
    try:
        if kind == "socket":
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            from bot.web import pages_for

            handler = SocketModeHandler(bot.app, app_token=ctx.settings.slack_app_token)
            handler.connect()
            # No public port in Socket Mode; the register still needs one to call.
            internal = (start_internal(ctx, host, pages_for(ctx))
                        if ctx.settings.pos_port is not None else None)
            log.info("connected to Slack in Socket Mode")
            if on_ready:
                on_ready("socket")
            _wait_for_signal(stop)
            handler.close()
            if internal is not None:
                internal.close()
        else:
            from bot.slack.web import HttpServer, WebApp
            from bot.web import pages_for

            pos_port = ctx.settings.pos_port
            pages = pages_for(ctx)  # None, with a log line, without RENKEI_SECRET_KEY
            server = HttpServer(WebApp(ctx, bot.app, pos=pos_port is None, pages=pages),
                                host=host,
                                port=port if port is not None else ctx.settings.http_port)
            internal = start_internal(ctx, host, pages) if pos_port is not None else None
            log.info("serving POST /slack/events, GET /healthz and /readyz%s on %s:%s "
                     "(waitress)", ", /p/, /c/, /dashboard, /metrics" if pages is not None else "",
                     host, server.port)
            if on_ready:
                on_ready(f"http:{server.port}")
            server.start()
            _wait_for_signal(stop)
            server.close()
            if internal is not None:
                internal.close()
    finally:
        bot.close()
        if background is not None:
            background.stop()
        if sender is not None:
            sender.terminate()
            sender.join(15)
