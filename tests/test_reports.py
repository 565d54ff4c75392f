"""The figures (workflow.reports) for a history with known times; the dashboard and /metrics on
a database made by `renkei demo-data` plus tickets in every state; `renkei report`."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from bot.cli.app import app
from tests.conftest import NOW
from tests.dbs import Database
from tests.factories import new_raw, walk_to
from tests.slack_driver import Driver
from tests.slack_harness import SALES, SECRET, Clock
from tests.web_support import OPERATOR_TOKEN, Site, cli, demo, every_state, invoke, site
from workflow import reports
from workflow.machine import STATES
from workflow.service import Workflow
from workflow.settings import Settings

TZ = ZoneInfo("Asia/Tokyo")
AUTH = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}

__all__ = ["cli", "site"]  # fixtures


def history(wf: Workflow, clock: Clock, hours: list[float], *, late: bool = False) -> int:
    """A ticket walked to 連携の確認, staying `hours[i]` in the i-th step."""
    ticket_id = wf.file_request("new", new_raw(), actor=wf.actor("tanaka")).id
    for step, stay in zip(STATES[1:7], hours, strict=True):
        clock.now += timedelta(hours=stay)
        if step == "setup_completed" and late:
            clock.now += timedelta(days=14)  # past the 5-business-day SLA
        walk_to(wf, ticket_id, step)
    return ticket_id


def test_cycle_times_and_sla_of_a_known_history(database: Database, settings: Settings) -> None:
    clock = Clock(NOW)
    wf = Workflow(database.factory, settings, clock=clock)
    history(wf, clock, [2, 1, 1, 24, 1, 1])
    history(wf, clock, [4, 1, 1, 48, 1, 1], late=True)
    with database.factory() as session:
        r = reports.report(session, today=clock.now.astimezone(TZ).date(), tz=TZ)
    cycle = {c.state: c for c in r.cycle}
    assert cycle["contacted"].n == 2
    assert cycle["contacted"].median_hours == pytest.approx(3.0)
    assert cycle["contacted"].p90_hours == pytest.approx(3.8)  # 2 + 0.9 * (4 - 2)
    assert cycle["partner_setup"].median_hours == pytest.approx((24 + 48 + 14 * 24) / 2)
    assert [(s.month, s.done, s.kept) for s in r.sla] == [("2026-11", 1, 1), ("2026-12", 1, 0)]
    assert {c.state: c.count for c in r.counts}["verified"] == 2
    # the period bounds what is counted
    with database.factory() as session:
        early = reports.report(session, today=date(2026, 12, 31), tz=TZ,
                               period_from=date(2026, 12, 1), period_to=date(2026, 12, 31))
    assert [s.month for s in early.sla] == ["2026-12"]


def test_dashboard_and_metrics_on_demo_data_with_every_state(cli: CliRunner, site: Site
                                                             ) -> None:
    demo(cli)
    invoke(cli, "demo-data", "--new-items", "--store", "0002")  # a 支払科目, 値割引, 客層
    assert ": 3 new items in draft " in invoke(cli, "mapping", "scan")
    made = every_state(site)
    Driver(site.url, SECRET, site.emulator).command("help", user=SALES)  # one Slack ack timed
    site.wf.clock.now += timedelta(days=14)  # type: ignore[attr-defined]  # partner_setup overdue

    page = site.http.get("/dashboard", headers=AUTH)
    assert page.status_code == 200
    html = page.text
    assert html.count("<svg") == 3 and "<script" not in html
    for section in ("steps", "cycle", "sla"):
        chart = html.split(f'id="{section}"')[1].split("</section>")[0]
        bars = re.findall(r'<rect[^>]*class="rect reactive tooltip-trigger"', chart)
        assert bars, f"{section} chart has no bars"
    steps = html.split('id="steps"')[1].split("</section>")[0]
    assert len(re.findall(r'<rect[^>]*class="rect reactive tooltip-trigger"', steps)) == 9
    assert 'id="overdue">1<' in html
    health = html.split('id="health"')[1].split("</section>")[0]
    assert health.count("<tr>") == 1 + 4  # header and the four demo stores
    assert "2026/11/20" in health
    rows = {r.split("</td>")[1].split(">")[-1]: r for r in health.split("<tr>")[2:]}
    assert "未連絡の項目 3件" in rows["0002"] and "なし" in rows["0001"]  # the open draft

    text = site.http.get("/metrics", headers=AUTH).text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    tickets = {s.labels["state"]: s.value for s in families["renkei_tickets"].samples}
    assert tickets == {state: 1.0 for state in made}
    assert families["renkei_tickets_overdue"].samples[0].value == 1.0
    depth = {(s.labels["kind"], s.labels["state"]): s.value
             for s in families["renkei_outbox_jobs"].samples}
    # one "ticket.event" job per audit event, whatever state the sender has them in now
    events = sum(site.events(ticket_id) for ticket_id in made.values())
    assert sum(n for (kind, _), n in depth.items() if kind == "ticket.event") == events
    delivered = sum(s.value for s in families["renkei_export_deliveries"].samples)
    assert delivered > 0
    latency = {s.name: s.value for s in
               families["renkei_export_delivery_latency_seconds"].samples
               if s.name.endswith(("_count", "_sum"))}
    assert latency["renkei_export_delivery_latency_seconds_count"] == delivered
    acks = {s.name: s.value for s in families["renkei_slack_ack_seconds"].samples}
    assert acks["renkei_slack_ack_seconds_count"] >= 1


def test_report_cli_prints_the_figures_and_writes_png(cli: CliRunner, tmp_path: Path,
                                                      database: Database) -> None:
    demo(cli)
    settings = Settings(_env_file=None, RENKEI_PLANNING_USERS="kikaku")  # type: ignore[call-arg]
    clock = Clock(datetime.now(TZ) - timedelta(days=10))
    wf = Workflow(database.factory, settings, clock=clock)
    history(wf, clock, [2, 1, 1, 24, 1, 1])
    out = invoke(cli, "report", "--png", str(tmp_path / "charts"))
    for title in ("Tickets per step", "Cycle time per step", "Partner SLA kept per month",
                  "Exporter health per store", "Dead outgoing jobs"):
        assert title in out
    assert re.search(r"連携設定\s*│\s*1\s*│\s*24\.0", out)  # the stay in 連携設定, in hours
    for name in ("steps", "cycle", "sla"):
        assert (tmp_path / "charts" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = cli.invoke(app, ["report", "--from", "2026-13-01"])
    assert bad.exit_code == 2 and "は日付ではありません" in bad.output
