"""Mapping drift: codes in a day's register data or masters the partner was never told.

For each linked store, the 支払科目 / 値割引 / 客層 in use on the business date (the masters in
force that day, and the codes the day's receipts, lines and payments carry) are compared with
the mapping registry (workflow.mapping). New ones go into the company's open draft, one draft
per company however many stores and days show them; an item already drafted (open, filed or
ignored) is never drafted again. Runs after every close, hourly for the current business
date, and on `renkei mapping scan`. Reads set-wise, one query per table and date.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from exporter.batches import targets_on
from exporter.pos import (
    DISCOUNT,
    PAYMENT,
    SEGMENT,
    PosMasterItem,
    PosPayment,
    PosReceipt,
    PosReceiptLine,
)
from workflow import mapping
from workflow.db import transaction
from workflow.drafts import latest_requester
from workflow.models import Company

Key = tuple[str, str]  # (item type, code)


@dataclass
class _Seen:
    name: str
    since: date
    stores: set[str]


@dataclass(frozen=True)
class Drafted:
    """What one scan added to a company's draft."""

    company_code: str
    draft_id: int
    items: list[mapping.SeenItem]


def seen_on(session: Session, day: date,
            stores: dict[str, set[str]]) -> dict[str, dict[Key, _Seen]]:
    """Per company: every item in use on `day` by its linked `stores` (company -> 店舗CDs)."""
    out: dict[str, dict[Key, _Seen]] = defaultdict(dict)

    def add(company: str, store: str, item_type: str, code: str | None, name: str | None,
            since: date) -> None:
        if not code or company not in stores or (store and store not in stores[company]):
            return
        found = out[company].get((item_type, code))
        if found is None:
            found = out[company][(item_type, code)] = _Seen(name or code, since, set())
        found.since = min(found.since, since)
        if store:
            found.stores.add(store)

    for m in session.scalars(select(PosMasterItem).where(PosMasterItem.since <= day)):
        add(m.company_code, m.store_code, m.item_type, m.code, m.name, m.since)
    p = PosPayment
    for pay in session.execute(select(p.company_code, p.store_code, p.payment_type_code,
                                      p.payment_type_name).where(p.business_date == day)
                               .distinct()):
        add(pay[0], pay[1], PAYMENT, pay[2], pay[3], day)
    r = PosReceipt
    for row in session.execute(select(r.company_code, r.store_code, r.discount_code,
                                      r.discount_name, r.customer_segment_code,
                                      r.customer_segment).where(r.business_date == day)
                               .distinct()):
        add(row[0], row[1], DISCOUNT, row[2], row[3], day)
        add(row[0], row[1], SEGMENT, row[4], row[5], day)
    line = PosReceiptLine
    for ln in session.execute(select(line.company_code, line.store_code, line.discount_code,
                                      line.discount_name)
                               .where(line.business_date == day,
                                      line.discount_code.is_not(None)).distinct()):
        add(ln[0], ln[1], DISCOUNT, ln[2], ln[3], day)
    return out


def scan(factory: sessionmaker[Session], day: date, *,
         company_codes: set[str] | None = None) -> list[Drafted]:
    """Compare `day`'s data of every linked store (of `company_codes`) with the registry and
    draft what is new, in one transaction."""
    with transaction(factory) as session:
        stores: dict[str, set[str]] = defaultdict(set)
        for t in targets_on(session, day):
            if company_codes is None or t.company_code in company_codes:
                stores[t.company_code].add(t.store_code)
        if not stores:
            return []
        known = mapping.known(session, sorted(stores))
        names = dict(session.execute(select(Company.company_code, Company.name)
                                     .where(Company.company_code.in_(sorted(stores)))).all())
        out = []
        for company, items in sorted(seen_on(session, day, stores).items()):
            k = known[company]
            new = [mapping.SeenItem(t, code, s.name, tuple(sorted(s.stores)), s.since)
                   for (t, code), s in sorted(items.items()) if k.is_new(t, code, s.name)]
            if not new:
                continue
            requester, customer = latest_requester(session, company)
            draft = mapping.add_to_draft(session, company_code=company,
                                         company_name=names.get(company, ""),
                                         customer_code=customer, requester=requester,
                                         items=new)
            if draft is not None:
                out.append(Drafted(company, draft.id, new))
        return out
