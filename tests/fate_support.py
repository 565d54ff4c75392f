"""The outbox sender as `renkei run` builds it (the Bolt app's notifier and every Outgoing
handler), against the Slack emulator over real HTTP, drained by the test one round at a time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from bot.context import Context
from bot.runtime import add_senders
from bot.slack.app import Bot, build
from tests.dbs import Database
from tests.slack_emulator import Call, Emulator
from tests.slack_harness import CHANNEL, PLANNER, PLANNER2, SALES, settings_for
from workflow import outbox
from workflow.db import utcnow
from workflow.models import OutboxJob
from workflow.service import Workflow


@dataclass
class Sender:
    emulator: Emulator
    bot: Bot
    ctx: Context

    @property
    def wf(self) -> Workflow:
        return self.ctx.workflow

    def drain(self, *, later: float = 0.0) -> outbox.DrainResult:
        """One round of the outbox loop; `later` seconds on, so a backoff is over."""
        def now() -> datetime:
            return max(utcnow(), self.wf.clock()) + timedelta(seconds=later)

        return outbox.drain(self.wf.factory, self.bot.notifier.handlers(), worker="test",
                            now=now, on_dead=self.bot.notifier.on_dead)

    def file(self) -> int:
        raw = {"customer_code": "123456", "company_code": "67890",
               "company_name": "株式会社データ分析", "stores": "0001:目黒本店\n0002:目黒川店",
               "desired_date": "2026-12-07"}
        ticket = self.wf.file_request("new", raw, actor=self.wf.actor(SALES, role="sales"))
        return ticket.id

    def advance(self, ticket_id: int, action: str, user: str = PLANNER) -> None:
        role = "sales" if user == SALES else "planning"
        self.wf.advance(ticket_id, action, actor=self.wf.actor(user, role=role))

    def jobs(self, kind: str | None = None) -> list[OutboxJob]:
        with self.wf.factory() as session:
            query = session.query(OutboxJob).order_by(OutboxJob.id)
            if kind:
                query = query.filter(OutboxJob.kind == kind)
            return list(query)

    def dms(self) -> list[Call]:
        return [c for c in self.emulator.of("chat.postMessage")
                if str(c.args.get("channel", "")).startswith("D")]

    def thread(self) -> list[str]:
        return [str(c.args.get("text", "")) for c in self.emulator.of("chat.postMessage")
                if "thread_ts" in c.args]

    def last_message(self) -> Call:
        calls = [c for c in self.emulator.calls if c.method in ("chat.postMessage", "chat.update")
                 and "thread_ts" not in c.args and c.args.get("channel") == CHANNEL]
        return calls[-1]


def make_sender(database: Database, emulator: Emulator, **extra: str) -> Sender:
    from tests.conftest import NOW

    settings = settings_for(emulator, **extra)
    ctx = Context(settings, database.engine, database.factory,
                  Workflow(database.factory, settings, clock=lambda: NOW))
    bot = build(ctx)
    add_senders(ctx, bot.notifier)
    return Sender(emulator, bot, ctx)


@pytest.fixture
def sender(sqlite_db: Database) -> Iterator[Sender]:
    emulator = Emulator()
    made = make_sender(sqlite_db, emulator)
    try:
        yield made
    finally:
        made.bot.close()
        emulator.close()


__all__ = ["PLANNER", "PLANNER2", "SALES", "Sender", "make_sender", "sender"]
