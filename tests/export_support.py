"""Shared set-up of the exporter tests: linked stores with register data, the fake partner,
settings pointing at it, and a clock the tests move by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from exporter import demo
from exporter.destinations import Sender
from exporter.models import ExportBatch
from exporter.settings import ExporterSettings
from tests.dbs import Database
from tests.factories import Clock
from tests.factories import settings_for as base_settings
from tests.webhook_receiver import Receiver
from workflow.linkage import StoreLink
from workflow.linkage_record import link_stores
from workflow.settings import Settings

TZ = ZoneInfo("Asia/Tokyo")
COMPANY = "10001"
MK_COMPANY = "12345"
LINKED_ON = date(2026, 11, 1)  # the day planning linked the stores (連携開始日 >= this)
DAY = date(2026, 11, 20)  # a business date inside every window below


AT_CLOSE = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)  # 23:30 JST on DAY, after the close
__all__ = ["AT_CLOSE", "Clock"]  # the one Clock (tests/factories.py), re-exported here


def setup_stores(db: Database, *, stores: int = 4, days: int = 2, end: date = DAY,
                 receipts: int = 6, windows: dict[str, tuple[date, date]] | None = None,
                 unlinked: tuple[str, ...] = ()) -> None:
    """Register data for stores 0001..N over `days` dates up to `end`, then link them the
    way planning does (workflow.linkage_record.link_stores), except `unlinked`."""
    demo.generate(db.factory, company_code=COMPANY, stores=stores, days=days, end=end, tz=TZ,
                  receipts_per_day=receipts, link=False)
    windows = windows or {}
    links = [StoreLink(s.store_code, s.makasete_store_code,
                       *windows.get(s.store_code, (date(2026, 11, 2), date(2027, 3, 31))))
             for s in demo.demo_stores(stores) if s.store_code not in unlinked]
    with db.factory() as session, session.begin():
        link_stores(session, company_code=COMPANY, makasete_company_code=MK_COMPANY,
                    links=links, today=LINKED_ON)


def settings_for(url: str) -> Settings:
    """Workflow settings exporting to `url` (both destinations)."""
    return base_settings(EXPORT_DESTINATION=url, EXPORT_DESTINATION_NET=url)


def fast_settings(**overrides: object) -> ExporterSettings:
    values: dict[str, object] = {
        "EXPORT_TIMEOUT_SECONDS": 0.5, "EXPORT_CONCURRENCY": 4, "EXPORT_CLAIM_SIZE": 50,
        "EXPORT_RETRY_BASE_SECONDS": 1, "EXPORT_RETRY_CAP_SECONDS": 120,
        "EXPORT_LEASE_SECONDS": 30}
    values.update(overrides)
    return ExporterSettings(_env_file=None, **values)  # type: ignore[arg-type]


def batches(db: Database) -> list[ExportBatch]:
    with db.factory() as session:
        return list(session.scalars(select(ExportBatch).order_by(ExportBatch.id)))


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def sender(receiver: Receiver) -> Iterator[Sender]:
    s = Sender(settings_for(receiver.url), fast_settings())
    yield s
    s.close()
