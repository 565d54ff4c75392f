"""精算レポート: the register's own closing arithmetic, from the day's rows of every store.

Kept apart from `exporter.extract` because it is the one kind that is computed rather than
copied: sales, returns and voids are told apart (voids count nowhere but in void_*), tax is
summed per rate, and the cash side separates the float (釣銭準備金) from other 入金 so 過不足
reads as the register prints it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from exporter.kinds import Kind
from exporter.pos import FLOAT_REASON, RETURN, VOID

if TYPE_CHECKING:
    from exporter.extract import Records, StoreKey

CASH_PAYMENT_CODE = "01"  # 現金


def settle(out: dict[StoreKey, dict[Kind, Records]], receipts: list[Any], payments: list[Any],
           movements: list[Any], counts: list[Any]) -> None:
    """Fill `out[store][SETTLEMENT_REPORT]` with one record per store."""
    acc: dict[StoreKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    non_cash: dict[StoreKey, dict[tuple[str, str], int]] = defaultdict(dict)
    for r in receipts:
        a = acc[(r.company_code, r.store_code)]
        if r.transaction_type == VOID or r.voided:
            a["void_count"] += 1
            a["void_amount"] += r.total_amount
            continue
        if r.transaction_type == RETURN:
            a["return_count"] += 1
            a["return_total"] -= r.total_amount
        else:
            a["receipt_count"] += 1
            a["gross_sales"] += r.subtotal
            a["discount_total"] += r.discount_amount
            a["sales_total"] += r.total_amount
        a["customer_count"] += r.customer_count
        for field in ("amount_excluding_tax", "tax_amount", "taxable_10", "tax_10",
                      "taxable_8", "tax_8", "rounding"):
            a[field] += getattr(r, field)
    for p in payments:
        if p.voided:
            continue
        store = (p.company_code, p.store_code)
        if p.payment_type_code == CASH_PAYMENT_CODE:
            acc[store]["cash_sales"] += p.amount
        else:
            by_type = non_cash[store]
            key = (p.payment_type_code, p.payment_type_name)
            by_type[key] = by_type.get(key, 0) + p.amount
    for m in movements:
        a = acc[(m.company_code, m.store_code)]
        if m.direction == "in":
            a["float_amount" if m.reason_code == FLOAT_REASON else "cash_in"] += m.amount
        else:
            a["cash_out"] += m.amount
    for c in counts:
        acc[(c.company_code, c.store_code)]["counted_cash"] += c.denomination * c.count
    for store, kinds in out.items():
        if Kind.SETTLEMENT_REPORT not in kinds:
            continue
        a = acc[store]
        expected = a["float_amount"] + a["cash_sales"] + a["cash_in"] - a["cash_out"]
        taxes = [{"rate": rate, "reduced": reduced, "taxable_amount": a[f"taxable_{rate}"],
                  "tax_amount": a[f"tax_{rate}"]}
                 for rate, reduced in ((10, False), (8, True))
                 if a[f"taxable_{rate}"] or a[f"tax_{rate}"]]
        kinds[Kind.SETTLEMENT_REPORT] = [{
            "receipt_count": a["receipt_count"], "customer_count": a["customer_count"],
            "gross_sales": a["gross_sales"], "discount_total": a["discount_total"],
            "sales_total": a["sales_total"], "return_count": a["return_count"],
            "return_total": a["return_total"],
            "net_sales": a["sales_total"] - a["return_total"],
            "amount_excluding_tax": a["amount_excluding_tax"], "tax_total": a["tax_amount"],
            "taxes": taxes, "rounding_total": a["rounding"],
            "void_count": a["void_count"], "void_amount": a["void_amount"],
            "cash_sales": a["cash_sales"],
            "non_cash_sales": [{"payment_type_code": code, "payment_type_name": name,
                                "amount": amount}
                               for (code, name), amount in sorted(non_cash[store].items())],
            "float_amount": a["float_amount"], "cash_in": a["cash_in"],
            "cash_out": a["cash_out"], "expected_cash": expected,
            "counted_cash": a["counted_cash"],
            "cash_difference": a["counted_cash"] - expected}]
