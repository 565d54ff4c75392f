"""The whole bot on a real waitress port with the web pages mounted, the Slack emulator, the
outbox senders running, and a local SMTP server catching the partner's and customer's mail.

Nothing of renkei is mocked: Slack and the mail server are replaced at their network boundary.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from bot import context
from bot.cli.app import app
from bot.context import Context
from bot.runtime import Background
from bot.slack.app import Bot, build
from bot.slack.web import HttpServer, WebApp
from bot.web import create_app
from bot.web.tokens import Links
from tests.dbs import Database
from tests.factories import new_raw, planner_links
from tests.slack_emulator import Emulator
from tests.slack_harness import PLANNER, SALES, Clock, settings_for
from tests.smtp_fake import Inbox, LocalSMTP
from workflow import machine
from workflow.machine import STATES
from workflow.models import TicketEvent
from workflow.service import Workflow
from workflow.settings import get_settings

SECRET_KEY = "test-secret-key-for-links-0123456789abcdef"
OPERATOR_TOKEN = "op-token-abc"
PARTNER_EMAIL = "setup@justplanning.example"
CUSTOMER_EMAIL = "keiri@example.co.jp"
LINK = re.compile(r"https?://[^\s]+/(?:p|c)/[A-Za-z0-9_.\-]+")


@dataclass
class Site:
    ctx: Context
    bot: Bot
    server: HttpServer
    emulator: Emulator
    inbox: Inbox
    links: Links
    http: httpx.Client

    @property
    def wf(self) -> Workflow:
        return self.ctx.workflow

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def file(self) -> int:
        return self.wf.file_request("new", new_raw(), actor=self.wf.actor(SALES, "田中"),
                                    customer_email=CUSTOMER_EMAIL).id

    def move(self, ticket_id: int, *actions: str) -> None:
        for action in actions:
            who = SALES if action == "request_kintone" else PLANNER
            note = "テストのため取り消し" if action in ("cancel", "send_back") else ""
            self.wf.advance(ticket_id, action, actor=self.wf.actor(who, "企画 佐藤"), note=note)

    def walk(self, ticket_id: int, status: str, *, step: timedelta | None = None) -> None:
        """Along the happy path to `status`, the clock moving `step` before each move."""
        while (view := self.wf.get(ticket_id)).status != status:
            if step is not None:
                self.wf.clock.now += step  # type: ignore[attr-defined]
            action = machine.triggers_from(view.status)[0]
            if action == "complete_setup":
                self.link_and_complete(ticket_id)
            else:
                self.move(ticket_id, action)

    def link_and_complete(self, ticket_id: int) -> None:
        """Planning's own 設定完了 (the Slack modal's path), for the states after it."""
        # not demo-data's 12345 when nothing is linked yet: 店舗コード are unique within one
        extra = planner_links(self.wf, self.wf.get(ticket_id), default_company="23456")
        self.wf.advance(ticket_id, "complete_setup", actor=self.wf.actor(PLANNER), **extra)

    def mail_to(self, address: str, timeout: float = 20.0) -> EmailMessage:
        """The first message to `address` (bounded poll while the sender works)."""
        found = wait(lambda: next((msg for rcpt, msg in self.inbox.messages
                                   if address in rcpt), None), timeout)
        return found

    def events(self, ticket_id: int) -> int:
        with self.ctx.factory() as session:
            return session.query(TicketEvent).filter_by(ticket_id=ticket_id).count()


def wait(probe: Callable[[], Any], timeout: float = 20.0) -> Any:
    """Poll `probe` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"nothing after {timeout}s: {probe}")


def body_text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def link_in(message: EmailMessage) -> str:
    match = LINK.search(body_text(message))
    assert match, body_text(message)
    return match[0]


@pytest.fixture
def site(database: Database) -> Iterator[Site]:
    emulator = Emulator()
    inbox = Inbox()
    smtp = LocalSMTP(inbox)
    smtp.start()
    settings = settings_for(emulator, RENKEI_SECRET_KEY=SECRET_KEY,
                            RENKEI_OPERATOR_TOKEN=OPERATOR_TOKEN, PARTNER_EMAIL=PARTNER_EMAIL,
                            SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.port),
                            SMTP_FROM="renkei@usen.example", SMTP_STARTTLS="false")
    ctx = Context(settings, database.engine, database.factory,
                  Workflow(database.factory, settings, clock=Clock()))
    bot = build(ctx)
    links = Links(settings)
    server = HttpServer(WebApp(ctx, bot.app, pages=create_app(ctx, links)),
                        host="127.0.0.1", port=0, threads=8).start()
    # Links in mails point at this server (the address people would reach renkei at).
    settings.public_url = f"http://127.0.0.1:{server.port}"
    background = Background(ctx, bot.notifier, scheduler=False, interval=0.2)
    http = httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=15)
    try:
        yield Site(ctx, bot, server, emulator, inbox, links, http)
    finally:
        http.close()
        server.close()
        background.stop()
        bot.close()
        emulator.close()
        smtp.stop()


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database: Database
        ) -> Iterator[CliRunner]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database.url)
    monkeypatch.setenv("EXPORT_DESTINATION", str(tmp_path / "exports"))
    get_settings.cache_clear()
    context.default.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()
    context.default.cache_clear()


def invoke(cli: CliRunner, *args: str) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def demo(cli: CliRunner) -> None:
    invoke(cli, "demo-data", "--end", "2026-11-20", "--days", "5", "--stores", "4")
    invoke(cli, "export", "backfill", "--from", "2026-11-16", "--to", "2026-11-20")


def every_state(s: Site) -> dict[str, int]:
    """One ticket standing at each state, with hours passing between moves."""
    wf, clock = s.wf, s.wf.clock
    assert isinstance(clock, Clock)
    made: dict[str, int] = {}
    for state in STATES:
        ticket_id = s.file()
        clock.now += timedelta(hours=3)
        if state == "returned":
            s.move(ticket_id, "request_kintone")
            wf.advance(ticket_id, "send_back", actor=wf.actor("UPLAN1"), note="店舗が不足")
        elif state == "cancelled":
            s.move(ticket_id, "cancel")
        else:
            s.walk(ticket_id, state, step=timedelta(hours=5))
        made[state] = ticket_id
    return made
