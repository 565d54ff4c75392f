"""EX or NET per company: the linkage says which service the company uses, and its exports go
to EXPORT_DESTINATION or EXPORT_DESTINATION_NET; from the service, the CLI and Slack."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from bot.cli import app
from exporter import demo, outbox
from exporter.batches import enqueue_close
from exporter.destinations import Sender
from tests.dbs import Database
from tests.export_support import TZ, fast_settings
from tests.factories import new_raw
from tests.slack_harness import DATE, PLANNER, Harness, clock, harness, slack_settings
from tests.webhook_receiver import Receiver
from workflow.errors import ValidationFailed
from workflow.linkage import StoreLink
from workflow.service import Workflow
from workflow.settings import Settings

__all__ = ["clock", "harness", "slack_settings"]  # fixtures
TODAY = date(2026, 11, 24)


@pytest.fixture
def partners() -> Iterator[tuple[Receiver, Receiver]]:
    ex, net = Receiver().start(), Receiver().start()
    yield ex, net
    ex.stop()
    net.stop()


def _sender(ex: Receiver, net: Receiver) -> Sender:
    settings = Settings(_env_file=None, EXPORT_DESTINATION=ex.url,  # type: ignore[call-arg]
                        EXPORT_DESTINATION_NET=net.url)
    return Sender(settings, fast_settings())


def _deliver(factory: sessionmaker[Session], sender: Sender, day: date) -> None:
    enqueue_close(factory, TZ, day)
    try:
        while outbox.drain(factory, sender, worker="t", max_seconds=30).sent:
            pass
    finally:
        sender.close()


def _demo(factory: sessionmaker[Session], company: str, day: date) -> None:
    demo.generate(factory, company_code=company, company_name=f"企業{company}", stores=2,
                  days=1, end=day, tz=TZ, receipts_per_day=5, link=False)


def test_each_company_goes_to_its_service(sqlite_db: Database,
                                          partners: tuple[Receiver, Receiver]) -> None:
    ex, net = partners
    wf = Workflow(sqlite_db.factory, Settings(_env_file=None),  # type: ignore[call-arg]
                  clock=lambda: datetime(2026, 11, 24, 3, tzinfo=UTC))
    day = date(2026, 11, 30)
    for company, mk, service in (("10001", "111", "ex"), ("20002", "222", None),
                                 ("30003", "333", "net")):
        _demo(sqlite_db.factory, company, day)
        wf.link_stores(company_code=company, makasete_company_code=mk, service=service,
                       links=[StoreLink(s.store_code, s.makasete_store_code, TODAY,
                                        date(2027, 3, 31)) for s in demo.demo_stores(2)])
    with pytest.raises(ValidationFailed) as bad:
        wf.link_stores(company_code="10001", makasete_company_code="111", service="ＥＸＸ",
                       links=[])
    assert bad.value.by_field()["service"].startswith("連携サービスは")
    assert {r.company_code: r.destination for r in wf.store_links()} == {
        "10001": "ex", "20002": "ex", "30003": "net"}  # EX unless told otherwise
    _deliver(sqlite_db.factory, _sender(ex, net), day)
    ex_companies = {env["company_code"] for env in ex.accepted.values() if env}
    net_companies = {env["company_code"] for env in net.accepted.values() if env}
    assert ex_companies == {"111", "222"} and net_companies == {"333"}
    assert len(net.accepted) == 2 * 8 and len(ex.accepted) == 2 * 2 * 8
    assert all(k.startswith("net-") for k in net.accepted)
    assert all(k.startswith("ex-") for k in ex.accepted)


def test_cli_link_says_the_service(sqlite_db: Database, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from bot import context
    from workflow.settings import get_settings
    monkeypatch.setenv("DATABASE_URL", sqlite_db.url)
    get_settings.cache_clear()
    context.default.cache_clear()
    try:
        runner = CliRunner()
        form = tmp_path / "form.json"  # stores link is for companies renkei knows
        form.write_text(json.dumps(new_raw(company_code="40004", desired_date="2030-01-07")),
                        encoding="utf-8")
        assert runner.invoke(app, ["request", "new", "--json", str(form)]).exit_code == 0
        start = datetime.now(TZ).date().isoformat()
        base = ["stores", "link", "--company", "40004", "--store", "0001",
                "--makasete-company", "444", "--makasete-store", "1", "--start", start,
                "--end", "2099-12-31"]
        result = runner.invoke(app, [*base, "--service", "net"])
        assert result.exit_code == 0, result.output
        listed = runner.invoke(app, ["stores", "list", "--company", "40004"])
        assert "連携サービス: まかせてネット\n" in listed.output
        result = runner.invoke(app, [*base, "--service", "mail"])
        assert result.exit_code == 2 and "連携サービスは" in result.output
        result = runner.invoke(app, base)  # omitted: EX
        assert "まかせてネットEX" in runner.invoke(app, ["stores", "list"]).output
    finally:
        get_settings.cache_clear()
        context.default.cache_clear()


def test_the_setup_modal_chooses_net_and_exports_follow(
        harness: Harness, partners: tuple[Receiver, Receiver]) -> None:
    h, (ex, net) = harness, partners
    ticket_id = h.file()
    for action, user, status in (("request_kintone", "USALES1", "kintone_requested"),
                                 ("send_spec", PLANNER, "spec_sent"),
                                 ("start_setup", PLANNER, "partner_setup")):
        h.driver.click(h.message(ticket_id), action, user=user)
        h.message(ticket_id, status=status)
    opened = len(h.emulator.of("views.open"))
    h.driver.click(h.message(ticket_id, status="partner_setup"), "complete_setup", user=PLANNER)
    view = h.opened_view(opened)
    (select,) = [b for b in view["blocks"] if b.get("block_id") == "service"]
    assert select["element"]["initial_option"]["value"] == "ex"  # the default
    assert [o["value"] for o in select["element"]["options"]] == ["ex", "net"]
    values = {"makasete_company_code": "12345", "service": "net"}
    for i, code in enumerate(("0001", "0002")):
        values[f"makasete_store_code:{code}"] = f"6789{i}"
        values[f"start_date:{code}"] = DATE
        values[f"end_date:{code}"] = "2027-11-30"
    response = h.driver.submit(view, values, user=PLANNER)
    assert response.status_code == 200 and not response.content.strip(), response.text
    h.message(ticket_id, status="setup_completed")
    assert {r.destination for r in h.wf.store_links("67890")} == {"net"}
    day = date.fromisoformat(DATE)
    _demo(h.ctx.factory, "67890", day)
    _deliver(h.ctx.factory, _sender(ex, net), day)
    assert len(net.accepted) == 2 * 8 and not ex.accepted
