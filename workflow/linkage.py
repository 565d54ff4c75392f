"""Store linkage (seed section 2).

まかせてネット企業コード, 店舗コード, 連携開始日/終了日 and 連携状態, with the screen's rules.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from workflow.errors import FieldError, NotFound, ValidationFailed
from workflow.models import Company, Store

MANAGEMENT_STORE = ("0000", "企業管理店舗")
# Which partner service the company uses (seed 1-1: まかせてネットEX, or まかせてネット).
SERVICES = {"ex": "まかせてネットEX", "net": "まかせてネット"}
DEFAULT_SERVICE = "ex"  # the company's own record on the USEN admin screen
LINKED, UNLINKED = "連携済", "未連携"


def _norm(value: str | None) -> str:
    return unicodedata.normalize("NFKC", value or "").strip()


@dataclass(frozen=True)
class StoreLink:
    """What planning enters for one store on 設定完了 (seed 2-2 ②〜⑤)."""

    store_code: str
    makasete_store_code: str
    start_date: date | None
    end_date: date | None
    name: str = ""


def validate_company_code(raw: str, *, field: str = "makasete_company_code") -> str:
    """① まかせてネット企業コード: 1〜5桁の半角数字 (full-width digits are normalised)."""
    code = _norm(raw)
    if not code:
        raise ValidationFailed([FieldError(field, "まかせてネット企業コードを入力してください")])
    if not re.fullmatch(r"[0-9]{1,5}", code):
        raise ValidationFailed(
            [FieldError(field, "まかせてネット企業コードは半角数字1〜5桁で入力してください")])
    return code


def validate_service(raw: str | None, *, field: str = "service") -> str:
    """"ex" (まかせてネットEX) or "net" (まかせてネット); empty means the default, EX."""
    service = _norm(raw).lower() or DEFAULT_SERVICE
    if service not in SERVICES:
        raise ValidationFailed([FieldError(
            field,
            "連携サービスは ex（まかせてネットEX）または net（まかせてネット）を選んでください")])
    return service


def validate_store_link(link: StoreLink, *, today: date, prefix: str = "") -> list[FieldError]:
    """②〜⑤ for one store; every problem at once. `prefix` names the store in messages."""
    errors: list[FieldError] = []
    code = _norm(link.makasete_store_code)
    label = f"{prefix}" if prefix else ""
    if not code:
        errors.append(FieldError("makasete_store_code",
                                 f"{label}まかせてネット店舗コードを入力してください"))
    elif not re.fullmatch(r"[0-9]{1,6}", code):
        errors.append(FieldError(
            "makasete_store_code",
            f"{label}まかせてネット店舗コードは半角数字1〜6桁で入力してください（例: 67890）"))
    if link.start_date is None:
        errors.append(FieldError("start_date", f"{label}連携開始日を入力してください"))
    elif link.start_date < today:
        errors.append(FieldError("start_date",
                                 f"{label}連携開始日は本日以降の日付を選択してください"))
    if link.end_date is None:
        errors.append(FieldError("end_date", f"{label}連携終了日を入力してください"))
    elif link.end_date <= today:
        errors.append(FieldError("end_date", f"{label}連携終了日は未来の日付を選択してください"))
    elif link.start_date is not None and link.end_date < link.start_date:
        errors.append(FieldError("end_date",
                                 f"{label}連携終了日は連携開始日以降の日付を選択してください"))
    return errors


def get_or_create_company(session: Session, company_code: str, name: str = "") -> Company:
    company = session.scalar(select(Company).where(Company.company_code == company_code))
    if company is None:
        company = Company(company_code=company_code, name=name)
        company.stores.append(Store(store_code=MANAGEMENT_STORE[0], name=MANAGEMENT_STORE[1]))
        session.add(company)
        session.flush()
    elif name and not company.name:
        company.name = name
    return company


def ensure_stores(session: Session, company: Company, stores: list[tuple[str, str]]) -> None:
    """Make sure each (店舗CD, 店舗名) has a row (未連携 until linked)."""
    known = {s.store_code: s for s in company.stores}
    for code, name in stores:
        if code in known:
            if name and not known[code].name:
                known[code].name = name
            continue
        store = Store(store_code=code, name=name)
        company.stores.append(store)
        known[code] = store


def link_stores(session: Session, *, company_code: str, makasete_company_code: str,
                links: list[StoreLink], today: date, company_name: str = "",
                service: str | None = None) -> Company:
    """Record codes and dates and set the stores 連携済 (only when all is valid: ⑤).
    `service` ("ex"/"net") says where the company's data goes; None keeps what it was."""
    errors: list[FieldError] = []
    if service is not None:
        try:
            service = validate_service(service)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    try:
        mk_company = validate_company_code(makasete_company_code)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
        mk_company = ""
    for link in links:
        prefix = f"店舗{link.store_code}: " if len(links) > 1 else ""
        errors.extend(validate_store_link(link, today=today, prefix=prefix))
    if errors:
        raise ValidationFailed(errors)
    company = get_or_create_company(session, company_code, company_name)
    company.makasete_company_code = mk_company
    if service is not None:
        company.destination = service
    ensure_stores(session, company, [(link.store_code, link.name) for link in links])
    by_code = {s.store_code: s for s in company.stores}
    for link in links:
        store = by_code[link.store_code]
        store.makasete_store_code = _norm(link.makasete_store_code)
        store.start_date = link.start_date
        store.end_date = link.end_date
        store.linked = True
    return company


def unlink_company(session: Session, company_code: str) -> Company:
    """⑥ 連携解除: the whole company goes back to the 連携開始 screen (every store 未連携)."""
    company = session.scalar(select(Company).where(Company.company_code == company_code))
    if company is None:
        raise NotFound(f"企業CD {company_code} の連携設定はありません")
    company.makasete_company_code = None
    for store in company.stores:
        store.linked = False
    return company


def state_label(store: Store) -> str:
    return LINKED if store.linked else UNLINKED


def list_companies(session: Session, company_code: str | None = None) -> list[Company]:
    query = select(Company).options(selectinload(Company.stores)).order_by(Company.company_code)
    if company_code:
        query = query.where(Company.company_code == company_code)
    return list(session.scalars(query))


def linked_stores_on(session: Session, business_date: date) -> list[Store]:
    """Stores the exporter sends for `business_date`: 連携済 and inside their window."""
    query = (
        select(Store).join(Company)
        .where(Store.linked.is_(True), Company.makasete_company_code.is_not(None),
               Store.start_date <= business_date, Store.end_date >= business_date)
        .order_by(Company.company_code, Store.store_code)
    )
    return list(session.scalars(query))


def all_linked(session: Session, company_code: str, store_codes: list[str]) -> list[str]:
    """Store codes among `store_codes` that are not yet 連携済 (empty when all are)."""
    company = session.scalar(select(Company).where(Company.company_code == company_code))
    if company is None or not company.makasete_company_code:
        return list(store_codes)
    linked = {s.store_code for s in company.stores if s.linked}
    return [code for code in store_codes if code not in linked]
