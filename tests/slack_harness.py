"""The bot on a real HTTP port (waitress), talking to the Slack emulator, on a test database.

Nothing of renkei is mocked: only Slack's servers are replaced, at the HTTP boundary.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from bot import messages as m
from bot.context import Context
from bot.runtime import Background
from bot.slack.app import Bot, build
from bot.slack.web import HttpServer, WebApp
from exporter.masters import read_masters
from tests.dbs import Database
from tests.factories import Clock
from tests.factories import settings_for as base_settings
from tests.slack_driver import Driver
from tests.slack_emulator import Call, Emulator
from workflow.models import OutboxJob
from workflow.service import Workflow
from workflow.settings import Settings

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-1234-5678-abcdefghijklmnop"
SALES, OTHER_SALES = "USALES1", "USALES2"
PLANNER, PLANNER2 = "UPLAN1", "UPLAN2"
CHANNEL = "CREQ"
DATE = "2026-12-07"  # 9 business days after NOW (Tue 2026-11-24)


@dataclass
class Harness:
    emulator: Emulator
    driver: Driver
    ctx: Context
    bot: Bot
    server: HttpServer
    background: Background

    @property
    def wf(self) -> Workflow:
        return self.ctx.workflow

    # ---- reading what the bot did in "Slack" ---------------------------------------------
    def opened_view(self, after: int = 0) -> dict[str, Any]:
        """The latest modal opened (as `views.open` got it, plus the id Slack gave it)."""
        self.emulator.wait_for(lambda e: len(e.of("views.open")) > after)
        call = self.emulator.of("views.open")[-1]
        view = dict(call.args["view"])
        view["id"] = f"VOPEN{len(self.emulator.of('views.open'))}"
        return view

    def ticket_posts(self) -> list[Call]:
        return [c for c in self.emulator.of("chat.postMessage") if "thread_ts" not in c.args]

    def thread_posts(self) -> list[Call]:
        return [c for c in self.emulator.of("chat.postMessage") if "thread_ts" in c.args]

    def message(self, ticket_id: int, *, status: str | None = None) -> list[dict[str, Any]]:
        """The ticket message's blocks as last posted or updated (waiting until it shows
        `status`, when given)."""
        def latest(e: Emulator) -> Call | None:
            calls = [c for c in e.calls if c.method in ("chat.postMessage", "chat.update")
                     and "thread_ts" not in c.args
                     and f"依頼 #{ticket_id} " in str(c.args.get("text", ""))]
            return calls[-1] if calls else None

        def ready(e: Emulator) -> bool:
            call = latest(e)
            if call is None:
                return False
            return status is None or (self.wf.get(ticket_id).status == status and \
                str(call.args.get("text", "")).endswith(self.wf.get(ticket_id).status_label))

        self.emulator.wait_for(ready)
        call = latest(self.emulator)
        assert call is not None
        return list(call.args["blocks"])

    def submit_late(self, view: dict[str, Any], values: dict[str, Any], *, user: str
                    ) -> dict[str, Any]:
        """Submit a modal whose answer needs a file download (bot/slack/late_answer.py): the
        reply turns it into 読み込み中 at once; returns the view it is updated with after."""
        def updates(e: Emulator) -> list[Call]:
            return [c for c in e.of("views.update") if c.args.get("view_id") == view["id"]]

        before = len(updates(self.emulator))
        response = self.driver.submit(view, values, user=user)
        body = response.json()
        assert body["response_action"] == "update", body
        assert m.LATE_READING in str(body["view"]["blocks"]), body
        self.emulator.wait_for(lambda e: len(updates(e)) > before)
        final = updates(self.emulator)[-1].args["view"]
        return dict(json.loads(final) if isinstance(final, str) else final)

    def settled(self) -> None:
        """Wait until the outbox has no pending job left (every sender has finished)."""
        def idle(_: Emulator) -> bool:
            with self.wf.factory() as session:
                return not session.scalar(select(func.count()).select_from(OutboxJob)
                                          .where(OutboxJob.state == "pending"))

        self.emulator.wait_for(idle)

    def answers(self) -> list[str]:
        """Texts posted to response_url (ephemeral answers), oldest first."""
        return [str(c.args.get("text", "")) for c in self.emulator.responses]

    # ---- doing ------------------------------------------------------------------------------
    def file(self, kind: str = "new", *, user: str = SALES, **values: str) -> int:
        opened = len(self.emulator.of("views.open"))
        assert self.driver.command(kind, user=user).status_code == 200
        view = self.opened_view(opened)
        fields = {"customer_code": "123456", "company_code": "67890",
                  "company_name": "株式会社データ分析",
                  "stores": "0001:居酒屋データ分析 目黒本店\n0002:データ分析カフェ 目黒川店",
                  "desired_date": DATE, "remarks": ""}
        if kind == "change":
            fields["payment_items"] = "PayPay"
        fields.update(values)
        response = self.driver.submit(view, fields, user=user)
        assert response.status_code == 200 and not response.content.strip(), response.text
        ticket = self.wf.list_tickets(requester=user)[0]
        self.message(ticket.id)
        return ticket.id


def settings_for(emulator: Emulator, **extra: str) -> Settings:
    # Flows post many messages into one channel in a second; Slack's pace (1/s) is tested on
    # its own (tests/test_slack_pace.py), so here it is set out of the way.
    values = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
              "SLACK_API_URL": emulator.api_url, "SLACK_REQUESTS_CHANNEL": CHANNEL,
              "RENKEI_PLANNING_USERS": f"{PLANNER},{PLANNER2}",
              "SLACK_CHANNEL_POSTS_PER_SECOND": "1000", "SLACK_CHANNEL_BURST": "1000", **extra}
    return base_settings(**values)


@pytest.fixture
def slack_settings() -> dict[str, str]:
    """Extra settings for the harness (tests override this fixture)."""
    return {}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def harness(request: pytest.FixtureRequest, database: Database, slack_settings: dict[str, str],
            clock: Clock) -> Iterator[Harness]:
    emulator = Emulator(token=TOKEN)
    # @pytest.mark.emulator(enterprise_id=...): what the workspace is before Bolt's start-up
    # auth.test reads it
    marker = request.node.get_closest_marker("emulator")
    for name, value in (marker.kwargs if marker else {}).items():
        assert hasattr(emulator, name), name
        setattr(emulator, name, value)
    settings = settings_for(emulator, **slack_settings)
    ctx = Context(settings, database.engine, database.factory,
                  Workflow(database.factory, settings, clock=clock, masters=read_masters))
    bot = build(ctx)
    server = HttpServer(WebApp(ctx, bot.app), host="127.0.0.1", port=0, threads=24).start()
    background = Background(ctx, bot.notifier, scheduler=False)
    driver = Driver(f"http://127.0.0.1:{server.port}", SECRET, emulator)
    try:
        yield Harness(emulator, driver, ctx, bot, server, background)
    finally:
        driver.close()
        server.close()
        background.stop()
        bot.close()
        emulator.close()
    # Every test through the emulator also checks Slack's limits: nothing may be refused.
    assert not emulator.refused, [(c.method, error, why[:3]) for c, error, why in
                                  emulator.refused]
