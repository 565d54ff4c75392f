"""What tests share: raw form inputs as an adapter collects them, a settable clock, settings
without the developer's .env, outbox jobs by kind, and the happy-path walk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from workflow import machine
from workflow.linkage import StoreLink
from workflow.models import OutboxJob
from workflow.service import Workflow
from workflow.settings import Settings

# A fixed "now" for workflow tests: Tuesday 2026-11-24 10:00 JST.
NOW = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


class Clock:
    """A clock a test sets and moves: the workflow's, the notifier's, the exporter's."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def settings_for(**env: object) -> Settings:
    """Settings from these values only (never the developer's .env or environment files)."""
    return Settings(_env_file=None, **env)  # type: ignore[call-arg]


def jobs(factory: sessionmaker[Session], kind: str) -> list[OutboxJob]:
    """The outbox jobs of one kind, oldest first."""
    with factory() as session:
        return list(session.query(OutboxJob).filter(OutboxJob.kind == kind)
                    .order_by(OutboxJob.id))

SEED_STORES = (
    "0001:居酒屋データ分析 目黒本店\n"
    "0002:データ分析カフェ 目黒川店\n"
    "0003:ラーメン・つけめん札幌店\n"
)


def new_raw(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "customer_code": "123456",
        "company_code": "６７８９０",  # full-width on purpose: normalised, not rejected
        "company_name": "株式会社データ分析",
        "stores": SEED_STORES,
        "desired_date": "2026-12-07",
        "remarks": "",
    }
    raw.update(overrides)
    return raw


def change_raw(**overrides: Any) -> dict[str, Any]:
    raw = new_raw(payment_items="PayPay\n楽天ペイ", discounts="学割10%引", customer_segments="")
    raw.update(overrides)
    return raw


def walk_to(wf: Workflow, ticket_id: int, status: str) -> None:
    """Drive a ticket along the happy path, from wherever it stands, until it reaches `status`."""
    sales = wf.actor("tanaka", "田中")
    planner = wf.actor("kikaku", "企画 佐藤")
    while (view := wf.get(ticket_id)).status != status:
        action = machine.triggers_from(view.status)[0]  # the happy path comes first
        extra: dict[str, Any] = {}
        if action == "complete_setup":
            extra = planner_links(wf, view)
        actor = sales if action == "request_kintone" else planner
        wf.advance(ticket_id, action, actor=actor, **extra)


def planner_links(wf: Workflow, view: Any, default_company: str = "12345") -> dict[str, Any]:
    """設定完了's linkage as a planner enters it with the pre-filled modal: what is linked
    stays; a new store gets a まかせてネット店舗コード of its own (unique within the company
    code, which demo-data's stores may share)."""
    today = wf.today()
    recorded = {r.store_code: r for r in wf.store_links(view.company_code)
                if r.state == "連携済"}
    company = next((r.makasete_company_code for r in recorded.values()), None) \
        or default_company
    taken = {r.makasete_store_code for r in wf.store_links()
             if r.makasete_company_code == company and r.state == "連携済"}
    fresh = (code for n in range(67890, 999999) if (code := str(n)) not in taken)
    return {"makasete_company_code": company, "links": [
        StoreLink(s.code, r.makasete_store_code or "", r.start_date, r.end_date)
        if (r := recorded.get(s.code)) else
        StoreLink(s.code, next(fresh), today, today.replace(year=today.year + 1))
        for s in view.stores]}
