"""One business day of one demo store: receipts with the arithmetic a register does.

Tax per rate follows the register's rules: a receipt's 値割引 is shared out over its rates in
proportion to their amounts; 内税 takes the tax out of the tax-included amount
(floor(amount * r / (100 + r))), 外税 adds floor(base * r / 100) per rate, and a 外税 store
rounds the total down to 10 yen (端数処理). So for every receipt
total = amount_excluding_tax + tax + rounding = Σ tenders, which the tests reconcile.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from exporter.pos import (
    EXCLUSIVE,
    FLOAT_REASON,
    INCLUSIVE,
    RETURN,
    SALE,
    VOID,
    PosCashCount,
    PosCashMovement,
    PosPayment,
    PosReceipt,
    PosReceiptLine,
)
from exporter.timing import parse_close_time

Rows = dict[Any, list[dict[str, Any]]]
Product = tuple[str, str, int, int]  # (code, name, price in the store's tax mode, tax rate)
OPEN = time(11, 0)
DENOMINATIONS = [10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 1]
STAFF = [("101", "佐藤"), ("102", "鈴木"), ("103", "高橋"), ("104", "田中")]
LINE_DISCOUNT = ("201", "タイムサービス50円引", 50)
RECEIPT_DISCOUNTS = [("101", "学割10%引", 10), ("102", "会員割引5%引", 5)]
CASH, POINTS = "01", "07"


@dataclass(frozen=True)
class Masters:
    """What the day draws from: the company's (and store's) 支払科目, 値割引 and 客層."""

    payments: list[tuple[str, str, int]]  # code, name, weight
    segments: list[tuple[str, str]]
    receipt_discounts: list[tuple[str, str, int]] = field(
        default_factory=lambda: list(RECEIPT_DISCOUNTS))
    discount_share: float = 0.1  # the share of receipts with a receipt 値割引


@dataclass
class Receipt:
    """A receipt being built; `finish` computes its tax and totals."""

    tax_mode: str
    lines: list[dict[str, Any]] = field(default_factory=list)
    discount: tuple[str, str, int] | None = None  # code, name, percent

    def totals(self) -> dict[str, int]:
        by_rate = {10: 0, 8: 0}
        for line in self.lines:
            by_rate[line["tax_rate"]] += line["amount"]
        subtotal = sum(by_rate.values())
        discount = subtotal * self.discount[2] // 100 // 10 * 10 if self.discount else 0
        share8 = discount * by_rate[8] // subtotal if subtotal else 0
        parts = {10: by_rate[10] - (discount - share8), 8: by_rate[8] - share8}
        out = {"subtotal": subtotal, "discount_amount": discount}
        for rate, amount in parts.items():
            if self.tax_mode == INCLUSIVE:
                tax = amount * rate // (100 + rate)
                out[f"taxable_{rate}"], out[f"tax_{rate}"] = amount - tax, tax
            else:
                out[f"taxable_{rate}"], out[f"tax_{rate}"] = amount, amount * rate // 100
        out["amount_excluding_tax"] = out["taxable_10"] + out["taxable_8"]
        out["tax_amount"] = out["tax_10"] + out["tax_8"]
        before = out["amount_excluding_tax"] + out["tax_amount"]
        out["rounding"] = -(before % 10) if self.tax_mode == EXCLUSIVE else 0
        out["total_amount"] = before + out["rounding"]
        return out


def negate(values: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {**values, **{k: -values[k] for k in keys}}


_MONEY = ("subtotal", "discount_amount", "taxable_10", "tax_10", "taxable_8", "tax_8",
          "amount_excluding_tax", "tax_amount", "rounding", "total_amount", "customer_count",
          "points_used", "points_earned")


def tenders(rng: random.Random, masters: Masters, total: int,
            points: int) -> list[tuple[str, str, int, int, int]]:
    """(code, name, amount, tendered, change): points first, the rest by one 支払科目."""
    out = []
    if points:
        name = next((n for c, n, _ in masters.payments if c == POINTS), "ポイント")
        out.append((POINTS, name, points, points, 0))
    usable = [p for p in masters.payments if p[0] != POINTS]
    code, name, _ = rng.choices(usable, weights=[w for *_, w in usable])[0]
    rest = total - points
    if code == CASH:
        tendered = -(-rest // 1000) * 1000 if rng.random() < 0.7 else rest
        out.append((code, name, rest, tendered, tendered - rest))
    else:
        out.append((code, name, rest, rest, 0))
    return out


def generate_day(rows: Rows, rng: random.Random, company: str, store: Any, day: date,
                 tz: ZoneInfo, receipts_per_day: int | None, menu: list[Product],
                 tax_mode: str, masters: Masters) -> None:
    """Receipts (sales, some returns and voids), payments, 入出金 and the drawer count."""
    key = {"company_code": company, "store_code": store.store_code, "business_date": day}
    close = parse_close_time(store.close_time)
    opened = datetime.combine(day, OPEN, tzinfo=tz)
    closing = datetime.combine(day + timedelta(days=1) if close < OPEN else day, close, tzinfo=tz)
    span = (closing - opened).total_seconds() - 1800
    n = receipts_per_day if receipts_per_day is not None else rng.randint(40, 90)
    times = sorted(opened + timedelta(seconds=rng.uniform(0, span)) for _ in range(n))
    sales: list[tuple[str, dict[str, Any], list[dict[str, Any]], list[tuple[Any, ...]]]] = []
    cash = 0
    for i, sold_at in enumerate(times, 1):
        receipt_no = f"{i:05d}"
        staff = rng.choice(STAFF)
        head = {**key, "receipt_no": receipt_no, "sold_at": sold_at,
                "terminal_code": rng.choice(("01", "01", "02")), "staff_code": staff[0],
                "staff_name": staff[1], "tax_mode": tax_mode}
        if sales and ((i == n and n >= 6) or rng.random() < 0.03):
            # 返品: an earlier sale of the day comes back whole, refunded the way it was paid
            original_no, original, lines, paid = sales.pop(rng.randrange(len(sales)))
            rows[PosReceipt].append({**negate(original, _MONEY), **head,
                                     "transaction_type": RETURN,
                                     "original_receipt_no": original_no, "voided": False})
            for line in lines:
                rows[PosReceiptLine].append({**line, "receipt_no": receipt_no,
                                             "quantity": -line["quantity"],
                                             "discount_amount": -line["discount_amount"],
                                             "amount": -line["amount"]})
            for code, name, amount, _, _ in paid:
                rows[PosPayment].append({**key, "receipt_no": receipt_no, "paid_at": sold_at,
                                         "payment_type_code": code, "payment_type_name": name,
                                         "amount": -amount, "tendered": -amount, "change": 0,
                                         "voided": False})
                cash -= amount if code == CASH else 0
            continue
        receipt = Receipt(tax_mode)
        for line_no in range(1, rng.randint(1, 5) + 1):
            code, name, price, rate = rng.choice(menu)
            qty = rng.choice((1, 1, 1, 2, 2, 3))
            disc = LINE_DISCOUNT if rng.random() < 0.05 else None
            off = disc[2] * qty if disc else 0
            receipt.lines.append({
                **key, "receipt_no": receipt_no, "line_no": line_no, "product_code": code,
                "product_name": name, "category_code": code[0] + "0", "quantity": qty,
                "unit_price": price, "discount_code": disc[0] if disc else None,
                "discount_name": disc[1] if disc else None, "discount_amount": off,
                "amount": price * qty - off, "tax_rate": rate, "tax_division": tax_mode,
                "reduced_rate": rate == 8})
        if rng.random() < masters.discount_share:
            receipt.discount = rng.choice(masters.receipt_discounts)
        totals = receipt.totals()
        member = rng.random() < 0.3
        points = min(totals["total_amount"], rng.choice((100, 200, 500))) \
            if member and rng.random() < 0.3 else 0
        segment = rng.choice(masters.segments)
        voided = rng.random() < 0.02
        values = {**totals, "customer_count": rng.randint(1, 4),
                  "customer_segment_code": segment[0], "customer_segment": segment[1],
                  "discount_code": receipt.discount[0] if receipt.discount else None,
                  "discount_name": receipt.discount[1] if receipt.discount else None,
                  "points_used": points,
                  "points_earned": totals["total_amount"] // 100 if member else 0}
        rows[PosReceipt].append({**head, **values, "transaction_type": VOID if voided else SALE,
                                 "original_receipt_no": None, "voided": voided})
        rows[PosReceiptLine].extend(receipt.lines)
        paid = tenders(rng, masters, totals["total_amount"], points)
        for code, name, amount, tendered, change in paid:
            rows[PosPayment].append({**key, "receipt_no": receipt_no, "paid_at": sold_at,
                                     "payment_type_code": code, "payment_type_name": name,
                                     "amount": amount, "tendered": tendered, "change": change,
                                     "voided": voided})
        if not voided:
            cash += sum(a for c, _, a, _, _ in paid if c == CASH)
            sales.append((receipt_no, values, receipt.lines, paid))
    drawer(rows, rng, key, opened, cash)


def drawer(rows: Rows, rng: random.Random, key: dict[str, Any], opened: datetime,
           cash_sales: int) -> None:
    """入出金 (the float, now and then a purchase or a 両替) and the count at 閉局."""
    float_in = 30000
    rows[PosCashMovement].append({**key, "movement_no": "001", "occurred_at": opened,
                                  "direction": "in", "reason_code": FLOAT_REASON,
                                  "reason": "釣銭準備金", "amount": float_in})
    out = extra = 0
    if rng.random() < 0.3:
        out = rng.randrange(1000, 5000, 10)
        rows[PosCashMovement].append({**key, "movement_no": "002",
                                      "occurred_at": opened + timedelta(hours=2),
                                      "direction": "out", "reason_code": "11",
                                      "reason": "仕入れ（食材）", "amount": out})
    if rng.random() < 0.2:
        extra = 10000
        rows[PosCashMovement].append({**key, "movement_no": "003",
                                      "occurred_at": opened + timedelta(hours=4),
                                      "direction": "in", "reason_code": "02",
                                      "reason": "両替金補充", "amount": extra})
    counted = max(0, float_in + extra + cash_sales - out + rng.choice((0, 0, 0, 0, -100, 10, -5)))
    for denomination in DENOMINATIONS:
        count, counted = divmod(counted, denomination)
        rows[PosCashCount].append({**key, "denomination": denomination, "count": count})
