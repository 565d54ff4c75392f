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

from sqlalchemy import Select, tuple_
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

StoreKey = tuple[str, str]  # (USEN 企業CD, USEN 店舗CD)
Records = list[dict[str, Any]]
CASH_PAYMENT_CODE = "01"  # 現金
# Above this many stores, reading the whole date and dropping other stores beats a long IN list.
_IN_LIST_LIMIT = 200


def _rows(session: Session, query: Select[Any], model: Any, stores: Sequence[StoreKey],
          business_date: date | None) -> Iterable[Any]:
    if business_date is not None:
        query = query.where(model.business_date == business_date)
    wanted = set(stores)
    if len(stores) <= _IN_LIST_LIMIT:
        query = query.where(tuple_(model.company_code, model.store_code).in_(list(wanted)))
    for row in session.execute(query):
        if (row.company_code, row.store_code) in wanted:
            yield row


def _iso(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).isoformat()


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
    if Kind.SALES in wanted:
        for r in receipts:
            out[(r.company_code, r.store_code)][Kind.SALES].append({
                "receipt_no": r.receipt_no, "sold_at": _iso(r.sold_at, tz),
                "customer_count": r.customer_count, "customer_segment": r.customer_segment,
                "subtotal": r.subtotal, "discount_amount": r.discount_amount,
                "tax_amount": r.tax_amount, "total_amount": r.total_amount,
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
                "unit_price": r.unit_price, "discount_amount": r.discount_amount,
                "amount": r.amount, "tax_rate": r.tax_rate})
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
                "direction": r.direction, "reason": r.reason, "amount": r.amount})
    if Kind.PRODUCT_MASTER in wanted:
        query = PosProduct.__table__.select().order_by(
            PosProduct.company_code, PosProduct.store_code, PosProduct.product_code)
        for r in _rows(session, query, PosProduct, stores, None):
            out[(r.company_code, r.store_code)][Kind.PRODUCT_MASTER].append({
                "product_code": r.product_code, "name": r.name,
                "category_code": r.category_code, "price": r.price, "tax_rate": r.tax_rate,
                "active": r.active})
    if Kind.PRODUCT_CATEGORY_MASTER in wanted:
        query = PosCategory.__table__.select().order_by(
            PosCategory.company_code, PosCategory.store_code, PosCategory.sort_order,
            PosCategory.category_code)
        for r in _rows(session, query, PosCategory, stores, None):
            out[(r.company_code, r.store_code)][Kind.PRODUCT_CATEGORY_MASTER].append({
                "category_code": r.category_code, "name": r.name, "sort_order": r.sort_order})
    payments = [] if not wanted & {Kind.PAYMENT_BREAKDOWN, Kind.SETTLEMENT_REPORT} else list(
        _rows(session, PosPayment.__table__.select().order_by(PosPayment.id), PosPayment,
              stores, business_date))
    if Kind.PAYMENT_BREAKDOWN in wanted:
        in_slot = payments if slot is None else [
            p for p in payments if slot[0] <= p.paid_at < slot[1]]
        for store, records in _payment_breakdown(in_slot).items():
            out[store][Kind.PAYMENT_BREAKDOWN] = records
    if Kind.SETTLEMENT_REPORT in wanted:
        _settle(out, receipts, payments, movements, counts)
    return out


def _payment_breakdown(payments: Iterable[Any]) -> dict[StoreKey, Records]:
    totals: dict[StoreKey, dict[tuple[str, str], list[int]]] = defaultdict(dict)
    for p in payments:
        if p.voided:
            continue
        slot = totals[(p.company_code, p.store_code)].setdefault(
            (p.payment_type_code, p.payment_type_name), [0, 0])
        slot[0] += 1
        slot[1] += p.amount
    return {store: [{"payment_type_code": code, "payment_type_name": name, "count": c,
                     "amount": a} for (code, name), (c, a) in sorted(by_type.items())]
            for store, by_type in totals.items()}


def _settle(out: dict[StoreKey, dict[Kind, Records]], receipts: list[Any], payments: list[Any],
            movements: list[Any], counts: list[Any]) -> None:
    """精算レポート: the register's own arithmetic, one record per store."""
    acc: dict[StoreKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in receipts:
        a = acc[(r.company_code, r.store_code)]
        if r.voided:
            a["void_count"] += 1
            a["void_amount"] += r.total_amount
            continue
        a["receipt_count"] += 1
        a["customer_count"] += r.customer_count
        a["gross_sales"] += r.subtotal
        a["discount_total"] += r.discount_amount
        a["tax_total"] += r.tax_amount
    for p in payments:
        if not p.voided and p.payment_type_code == CASH_PAYMENT_CODE:
            acc[(p.company_code, p.store_code)]["cash_sales"] += p.amount
    for m in movements:
        acc[(m.company_code, m.store_code)]["cash_in" if m.direction == "in" else "cash_out"] \
            += m.amount
    for c in counts:
        acc[(c.company_code, c.store_code)]["counted_cash"] += c.denomination * c.count
    for store, kinds in out.items():
        if Kind.SETTLEMENT_REPORT not in kinds:
            continue
        a = acc[store]
        expected = a["cash_sales"] + a["cash_in"] - a["cash_out"]
        kinds[Kind.SETTLEMENT_REPORT] = [{
            "receipt_count": a["receipt_count"], "customer_count": a["customer_count"],
            "gross_sales": a["gross_sales"], "discount_total": a["discount_total"],
            "net_sales": a["gross_sales"] - a["discount_total"], "tax_total": a["tax_total"],
            "void_count": a["void_count"], "void_amount": a["void_amount"],
            "cash_sales": a["cash_sales"], "cash_in": a["cash_in"], "cash_out": a["cash_out"],
            "expected_cash": expected, "counted_cash": a["counted_cash"],
            "cash_difference": a["counted_cash"] - expected}]
