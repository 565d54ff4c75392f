"""The exporter's verbs, shared by the CLI, the HTTP handler and the scheduled jobs."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from exporter.batches import Enqueued, enqueue_close
from exporter.destinations import Sender
from exporter.settings import ExporterSettings
from workflow.calendar import read_date
from workflow.db import make_engine, make_sessionmaker
from workflow.errors import FieldError, ValidationFailed
from workflow.migrate import upgrade
from workflow.models import Company, Store
from workflow.settings import Settings, get_settings


@dataclass
class Runtime:
    """What a CLI command needs: settings, database and a sender."""

    settings: Settings
    xsettings: ExporterSettings
    engine: Engine
    factory: sessionmaker[Session]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    def sender(self) -> Sender:
        return Sender(self.settings, self.xsettings)


def runtime(settings: Settings | None = None) -> Runtime:
    """Engine and sessions from DATABASE_URL; the embedded SQLite file is migrated on first
    use (PostgreSQL only by `renkei db upgrade`, so replicas do not race on start)."""
    settings = settings or get_settings()
    if settings.database_url.startswith("sqlite"):
        upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    return Runtime(settings, ExporterSettings(), engine, make_sessionmaker(engine))


def _norm(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value or "")).strip()


def parse_close_request(raw: dict[str, Any]) -> tuple[str, str, date]:
    """Validate {company_code, store_code, business_date}; every problem at once (English)."""
    errors: list[FieldError] = []
    company, store = _norm(raw.get("company_code")), _norm(raw.get("store_code"))
    if not re.fullmatch(r"[0-9]{1,20}", company):
        errors.append(FieldError("company_code", "company_code (企業CD) must be 1-20 "
                                                 "half-width digits"))
    if not re.fullmatch(r"[0-9]{1,20}", store):
        errors.append(FieldError("store_code", "store_code (店舗CD) must be 1-20 half-width "
                                               "digits, e.g. 0001"))
    day = None
    try:
        day = read_date(raw.get("business_date"), field="business_date", label="営業日")
    except ValidationFailed as exc:
        errors.extend(exc.errors)
    if errors or day is None:
        raise ValidationFailed(errors)
    return company, store, day


def check_exportable(session: Session, company_code: str, store_code: str, day: date) -> None:
    """The store must exist, be 連携済 and be inside its window on `day`."""
    store = session.scalar(select(Store).join(Company).where(
        Company.company_code == company_code, Store.store_code == store_code))
    if store is None:
        raise ValidationFailed([FieldError(
            "store_code",
            f"企業CD {company_code} の店舗CD {store_code} は renkei に登録されていません")])
    if not store.linked or not store.company.makasete_company_code:
        raise ValidationFailed([FieldError(
            "store_code", f"企業CD {company_code} の店舗CD {store_code} は未連携です")])
    if store.start_date is None or store.end_date is None \
            or not store.start_date <= day <= store.end_date:
        raise ValidationFailed([FieldError(
            "business_date",
            f"{day} はこの店舗の連携期間外です（連携開始日 {store.start_date or '未設定'}"
            f"〜連携終了日 {store.end_date or '未設定'}）")])


def close_store(factory: sessionmaker[Session], tz: ZoneInfo, company_code: str,
                store_code: str, day: date) -> list[Enqueued]:
    """A register-close event: validate, then enqueue the eight kinds for the store and date."""
    with factory() as session:
        check_exportable(session, company_code, store_code, day)
    return enqueue_close(factory, tz, day, company_code=company_code, store_code=store_code)
