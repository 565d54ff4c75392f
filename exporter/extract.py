"""POS tables → records of the eight kinds, for many stores at once.

One query per table and business date serves every store of a fire (10,000 stores close in
the same few minutes), so this reads set-wise and groups in Python. Records are plain dicts
shaped exactly like the models in `exporter.kinds` (tests validate them against the models);
building pydantic objects here would only cost time on the hot path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, or_, tuple_
from sqlalchemy.orm import Session

from exporter.kinds import Kind
from exporter.pos import (
    PosCashCount,
    PosCashMovement,
    PosCategory,
    PosPayment,
    PosProduct,
    PosReceipt,
    PosReceiptLine,
)
from exporter.settle import settle

StoreKey = tuple[str, str]  # (USEN 企業CD, USEN 店舗CD)
Records = list[dict[str, Any]]
# Above this many stores, reading the whole date and dropping other stores beats a narrower read.
_IN_LIST_LIMIT = 200


def _store_ranges(model: Any, stores: set[StoreKey]) -> ColumnElement[bool]:
    """Per company, the range of its wanted 店舗CDs. An IN list of (company, store) pairs was
    planned (with the statistics of a freshly loaded day) as a scan of the company's whole day
    filtered by store: per table and per 200-store chunk of a 閉局, quadratic in stores. A
    range on the store column of the (date, company, store) indexes is always an index
    condition; the IN list still drops the stores in between (scattered stores, such as
    registers back from offline, span most of a company: shipping its whole day to Python to
    drop them there tripled the late-data scan)."""
    codes: dict[str, list[str]] = defaultdict(list)
    for company, store in stores:
        codes[company].append(store)
    return or_(*(and_(model.company_code == company, model.store_code.between(min(s), max(s)))
                 for company, s in sorted(codes.items())))


def _rows(session: Session, query: Select[Any], model: Any, stores: Sequence[StoreKey],
          business_date: date | None) -> Iterable[Any]:
    if business_date is not None:
        query = query.where(model.business_date == business_date)
    wanted = set(stores)
    if len(stores) <= _IN_LIST_LIMIT:  # the range for the index, the list to filter in SQL
        query = query.where(_store_ranges(model, wanted), tuple_(
            model.company_code, model.store_code).in_(list(wanted)))
    for row in session.execute(query):
        if (row.company_code, row.store_code) in wanted:
            yield row


def _iso(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).isoformat()


def _taxes(r: Any) -> Records:
    """Per-rate tax of a receipt (or a day's totals), rates that occur only."""
    out: Records = []
    for rate, reduced, base, tax in ((10, False, r.taxable_10, r.tax_10),
                                     (8, True, r.taxable_8, r.tax_8)):
        if base or tax:
            out.append({"rate": rate, "reduced": reduced, "taxable_amount": base,
                        "tax_amount": tax})
    return out


def _tender(p: Any) -> dict[str, Any]:
    return {"payment_type_code": p.payment_type_code, "payment_type_name": p.payment_type_name,
            "amount": p.amount, "tendered": p.tendered, "change": p.change}


def extract(session: Session, business_date: date, stores: Sequence[StoreKey],
            kinds: Sequence[Kind], tz: ZoneInfo,
            slot: tuple[datetime, datetime] | None = None) -> dict[StoreKey, dict[Kind, Records]]:
    """Records per store and kind. `slot` limits 支払種別明細 to payments made in [start, end)
    (the hourly delivery); without it every kind covers the whole business date."""
    out: dict[StoreKey, dict[Kind, Records]] = {s: {k: [] for k in kinds} for s in stores}
    wanted = set(kinds)
    need_receipts = wanted & {Kind.SALES, Kind.SETTLEMENT_REPORT}
    receipts = [] if not need_receipts else list(_rows(
        session, PosReceipt.__table__.select().order_by(
            PosReceipt.company_code, PosReceipt.store_code, PosReceipt.receipt_no),
        PosReceipt, stores, business_date))
    payments = [] if not wanted & {Kind.SALES, Kind.PAYMENT_BREAKDOWN,
                                   Kind.SETTLEMENT_REPORT} else list(
        _rows(session, PosPayment.__table__.select().order_by(PosPayment.id), PosPayment,
              stores, business_date))
    if Kind.SALES in wanted:
        tenders: dict[tuple[str, str, str], Records] = defaultdict(list)
        for p in payments:
            tenders[(p.company_code, p.store_code, p.receipt_no)].append(_tender(p))
        for r in receipts:
            out[(r.company_code, r.store_code)][Kind.SALES].append({
                "receipt_no": r.receipt_no, "transaction_type": r.transaction_type,
                "original_receipt_no": r.original_receipt_no, "sold_at": _iso(r.sold_at, tz),
                "terminal_code": r.terminal_code, "staff_code": r.staff_code,
                "staff_name": r.staff_name, "customer_count": r.customer_count,
                "customer_segment_code": r.customer_segment_code,
                "customer_segment": r.customer_segment, "tax_mode": r.tax_mode,
                "subtotal": r.subtotal, "discount_code": r.discount_code,
                "discount_name": r.discount_name, "discount_amount": r.discount_amount,
                "amount_excluding_tax": r.amount_excluding_tax, "tax_amount": r.tax_amount,
                "taxes": _taxes(r), "rounding": r.rounding, "total_amount": r.total_amount,
                "points_used": r.points_used, "points_earned": r.points_earned,
                "tenders": tenders[(r.company_code, r.store_code, r.receipt_no)],
                "voided": r.voided})
    if Kind.SALES_DETAIL in wanted:
        query = PosReceiptLine.__table__.select().order_by(
            PosReceiptLine.company_code, PosReceiptLine.store_code, PosReceiptLine.receipt_no,
            PosReceiptLine.line_no)
        for r in _rows(session, query, PosReceiptLine, stores, business_date):
            out[(r.company_code, r.store_code)][Kind.SALES_DETAIL].append({
                "receipt_no": r.receipt_no, "line_no": r.line_no,
                "product_code": r.product_code, "product_name": r.product_name,
                "category_code": r.category_code, "quantity": r.quantity,
                "unit_price": r.unit_price, "discount_code": r.discount_code,
                "discount_name": r.discount_name, "discount_amount": r.discount_amount,
                "amount": r.amount, "tax_rate": r.tax_rate, "tax_division": r.tax_division,
                "reduced_rate": r.reduced_rate})
    counts = [] if not wanted & {Kind.CASH_DENOMINATION, Kind.SETTLEMENT_REPORT} else list(_rows(
        session, PosCashCount.__table__.select().order_by(
            PosCashCount.company_code, PosCashCount.store_code,
            PosCashCount.denomination.desc()), PosCashCount, stores, business_date))
    if Kind.CASH_DENOMINATION in wanted:
        for r in counts:
            out[(r.company_code, r.store_code)][Kind.CASH_DENOMINATION].append({
                "denomination": r.denomination, "count": r.count,
                "amount": r.denomination * r.count})
    movements = [] if not wanted & {Kind.CASH_MOVEMENT, Kind.SETTLEMENT_REPORT} else list(_rows(
        session, PosCashMovement.__table__.select().order_by(
            PosCashMovement.company_code, PosCashMovement.store_code,
            PosCashMovement.movement_no), PosCashMovement, stores, business_date))
    if Kind.CASH_MOVEMENT in wanted:
        for r in movements:
            out[(r.company_code, r.store_code)][Kind.CASH_MOVEMENT].append({
                "movement_no": r.movement_no, "occurred_at": _iso(r.occurred_at, tz),
                "direction": r.direction, "reason_code": r.reason_code, "reason": r.reason,
                "amount": r.amount})
    if Kind.PRODUCT_MASTER in wanted:
        query = PosProduct.__table__.select().order_by(
            PosProduct.company_code, PosProduct.store_code, PosProduct.product_code)
        for r in _rows(session, query, PosProduct, stores, None):
            out[(r.company_code, r.store_code)][Kind.PRODUCT_MASTER].append({
                "product_code": r.product_code, "name": r.name,
                "category_code": r.category_code, "price": r.price, "tax_rate": r.tax_rate,
                "tax_division": r.tax_division, "reduced_rate": r.reduced_rate,
                "cost": r.cost, "active": r.active})
    if Kind.PRODUCT_CATEGORY_MASTER in wanted:
        query = PosCategory.__table__.select().order_by(
            PosCategory.company_code, PosCategory.store_code, PosCategory.sort_order,
            PosCategory.category_code)
        by_store: dict[StoreKey, list[Any]] = defaultdict(list)
        for r in _rows(session, query, PosCategory, stores, None):
            by_store[(r.company_code, r.store_code)].append(r)
        for store, cats in by_store.items():
            out[store][Kind.PRODUCT_CATEGORY_MASTER] = _categories(cats)
    if Kind.PAYMENT_BREAKDOWN in wanted:
        in_slot = payments if slot is None else [
            p for p in payments if slot[0] <= p.paid_at < slot[1]]
        for store, records in _payment_breakdown(in_slot).items():
            out[store][Kind.PAYMENT_BREAKDOWN] = records
    if Kind.SETTLEMENT_REPORT in wanted:
        settle(out, receipts, payments, movements, counts)
    return out


def _categories(cats: list[Any]) -> Records:
    parents = {c.category_code: c.parent_code for c in cats}

    def level(code: str) -> int:
        depth, seen = 1, {code}
        while (parent := parents.get(code)) and parent not in seen:  # a cycle stops, not hangs
            depth, code = depth + 1, parent
            seen.add(code)
        return depth
    return [{"category_code": c.category_code, "name": c.name, "parent_code": c.parent_code,
             "level": level(c.category_code), "sort_order": c.sort_order} for c in cats]


def _payment_breakdown(payments: Iterable[Any]) -> dict[StoreKey, Records]:
    totals: dict[StoreKey, dict[tuple[str, str], list[int]]] = defaultdict(dict)
    for p in payments:
        if p.voided:
            continue
        slot = totals[(p.company_code, p.store_code)].setdefault(
            (p.payment_type_code, p.payment_type_name), [0, 0, 0, 0])
        if p.amount < 0:
            slot[2] += 1
            slot[3] -= p.amount
        else:
            slot[0] += 1
            slot[1] += p.amount
    return {store: [{"payment_type_code": code, "payment_type_name": name, "count": sc + rc,
                     "amount": sa - ra, "sales_count": sc, "sales_amount": sa,
                     "refund_count": rc, "refund_amount": ra}
                    for (code, name), (sc, sa, rc, ra) in sorted(by_type.items())]
            for store, by_type in totals.items()}
