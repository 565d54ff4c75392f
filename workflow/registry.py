"""The store registry: the companies and stores renkei knows (USEN 企業CD / 店舗CD), with the
linkage state seed section 2 gives them. Rules for entering linkage are `workflow.linkage`'s."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from workflow.errors import NotFound
from workflow.models import Company, Store
from workflow.schemas import StoreLinkView, TicketView

MANAGEMENT_STORE = ("0000", "企業管理店舗")  # the company's own record on the USEN admin screen
LINKED, UNLINKED = "連携済", "未連携"


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


def link_views(session: Session, company_code: str | None = None) -> list[StoreLinkView]:
    """The linkage screen as rows: each store with its codes, dates and 連携状態."""
    return [
        StoreLinkView(company_code=c.company_code, company_name=c.name,
                      makasete_company_code=c.makasete_company_code,
                      destination=c.destination, store_code=s.store_code,
                      store_name=s.name, makasete_store_code=s.makasete_store_code,
                      start_date=s.start_date, end_date=s.end_date, state=state_label(s))
        for c in list_companies(session, company_code) for s in c.stores
    ]


def ticket_link_views(session: Session, ticket: TicketView) -> list[StoreLinkView]:
    """The linkage of a ticket's own stores, in the ticket's order and named as the ticket
    filed them (code and name).

    The company's registry keeps the latest spelling of each store, which another ticket
    of the same company may have changed; every per-ticket text (完了報告, 設定依頼書,
    the customer's message) reads its stores here, never from the registry's names.
    A store the registry has no row for is listed 未連携 with no codes.
    """
    recorded = {r.store_code: r for r in link_views(session, ticket.company_code)}
    rows = []
    for store in ticket.stores:
        known = recorded.get(store.code)
        if known is not None:
            rows.append(known.model_copy(update={"store_name": store.name,
                                                 "company_name": ticket.company_name}))
        else:
            rows.append(StoreLinkView(
                company_code=ticket.company_code, company_name=ticket.company_name,
                makasete_company_code=next(
                    (r.makasete_company_code for r in recorded.values()), None),
                destination=next((r.destination for r in recorded.values()), "ex"),
                store_code=store.code, store_name=store.name, makasete_store_code=None,
                start_date=None, end_date=None, state=UNLINKED))
    return rows
