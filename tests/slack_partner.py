"""Shared pieces of the partner/customer Slack tests: a fake Kintone and a local SMTP server
wired into the harness's settings, and helpers to read what the bot did."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.factories import jobs as factory_jobs
from tests.kintone_fake import FakeKintone
from tests.slack_emulator import Call
from tests.slack_harness import DATE, PLANNER, Harness
from tests.smtp_fake import Inbox, LocalSMTP
from workflow.models import OutboxJob


@pytest.fixture
def slack_settings(kintone: FakeKintone, smtp: tuple[LocalSMTP, Inbox]) -> dict[str, str]:
    return {"KINTONE_BASE_URL": kintone.url, "KINTONE_APP_ID": kintone.app_id,
            "KINTONE_API_TOKEN": kintone.token, "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp[0].port), "SMTP_FROM": "renkei@usen.example",
            "SMTP_STARTTLS": "false"}


def dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def press(h: Harness, ticket_id: int, action: str, user: str, status: str) -> None:
    """Press a button of the ticket's message and wait until the message shows `status`."""
    assert h.driver.click(h.message(ticket_id), action, user=user).status_code == 200
    h.message(ticket_id, status=status)


def link_stores(h: Harness, ticket_id: int, *, user: str = PLANNER) -> None:
    """設定完了を記録 through its modal, both stores with codes and dates."""
    opened = len(h.emulator.of("views.open"))
    h.driver.click(h.message(ticket_id, status="partner_setup"), "complete_setup", user=user)
    view = h.opened_view(opened)
    # One まかせてネット企業コード per company: its 店舗コード are unique only within it.
    company = h.wf.get(ticket_id).company_code
    values = {"makasete_company_code": "12345" if company == "67890" else company[-5:]}
    for i, code in enumerate(("0001", "0002")):
        values |= {f"makasete_store_code:{code}": f"6789{i}", f"start_date:{code}": DATE,
                   f"end_date:{code}": "2027-11-30"}
    response = h.driver.submit(view, values, user=user)
    assert response.status_code == 200 and not response.content.strip(), response.text
    h.message(ticket_id, status="setup_completed")


def thread_texts(h: Harness) -> list[str]:
    return [str(c.args.get("text", "")) for c in h.thread_posts()]


def wait_thread(h: Harness, needle: str, count: int = 1) -> list[str]:
    """Wait until `count` thread posts contain `needle`; returns them."""
    h.emulator.wait_for(lambda e: sum(needle in t for t in thread_texts(h)) >= count)
    return [t for t in thread_texts(h) if needle in t]


def workbook_rows(data: bytes) -> list[list[Any]]:
    wb = load_workbook(io.BytesIO(data))
    ws = wb["設定依頼書"]
    return [[c for c in row if c is not None] for row in ws.iter_rows(values_only=True)]


def posts_in(h: Harness, channel: str) -> list[Call]:
    return [c for c in h.emulator.of("chat.postMessage") if c.args.get("channel") == channel]


def jobs(h: Harness, kind: str) -> list[OutboxJob]:
    return factory_jobs(h.wf.factory, kind)
