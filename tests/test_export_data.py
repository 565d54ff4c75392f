"""Schema v2: the register data a partner books with, delivered through the webhook, and
reconciling the way the partner's books must (sales − returns = net; tax per rate sums)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from exporter import outbox
from exporter.batches import enqueue_close
from exporter.destinations import Sender
from exporter.kinds import RECORD_MODELS, SCHEMA_VERSION, Envelope, Kind, validate_records
from tests.dbs import Database
from tests.export_support import DAY, TZ, receiver, sender, setup_stores
from tests.webhook_receiver import Receiver

__all__ = ["receiver", "sender"]  # fixtures

# Fields schema v2 added, per kind (docs/exporter.md "Schema versions").
V2_FIELDS: dict[Kind, set[str]] = {
    Kind.SALES: {"transaction_type", "original_receipt_no", "terminal_code", "staff_code",
                 "staff_name", "customer_segment_code", "tax_mode", "discount_code",
                 "discount_name", "amount_excluding_tax", "taxes", "rounding", "points_used",
                 "points_earned", "tenders"},
    Kind.SALES_DETAIL: {"discount_code", "discount_name", "tax_division", "reduced_rate"},
    Kind.CASH_MOVEMENT: {"reason_code"},
    Kind.PRODUCT_MASTER: {"tax_division", "reduced_rate", "cost"},
    Kind.PRODUCT_CATEGORY_MASTER: {"parent_code", "level"},
    Kind.PAYMENT_BREAKDOWN: {"sales_count", "sales_amount", "refund_count", "refund_amount"},
    Kind.SETTLEMENT_REPORT: {"sales_total", "return_count", "return_total",
                             "amount_excluding_tax", "taxes", "rounding_total",
                             "non_cash_sales", "float_amount"},
}


def _deliver(db: Database, receiver: Receiver, sender: Sender) -> dict[tuple[str, str], Any]:
    """Close DAY for every store, drain to the webhook; records per (store, kind)."""
    setup_stores(db, stores=7, days=1, receipts=60)
    enqueue_close(db.factory, TZ, DAY)
    while outbox.drain(db.factory, sender, worker="t", max_seconds=30).sent:
        pass
    out: dict[tuple[str, str], Any] = {}
    for key in receiver.keys_in_order():
        env = receiver.accepted[key]
        assert env is not None
        parsed = Envelope.model_validate(env)
        assert parsed.schema_version == SCHEMA_VERSION == 2
        validate_records(parsed.kind, parsed.records)
        out[(env["store_code"], env["kind"])] = env["records"]
    assert len(out) == 7 * 8
    return out


def test_every_new_field_is_in_the_schema_and_in_a_delivery(
        sqlite_db: Database, receiver: Receiver, sender: Sender) -> None:
    for kind, fields in V2_FIELDS.items():
        props = RECORD_MODELS[kind].model_json_schema()["properties"]
        assert fields <= set(props), kind
    assert "schema_version" in Envelope.model_json_schema()["properties"]
    delivered = _deliver(sqlite_db, receiver, sender)
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for (_, name), records in delivered.items():
        by_kind.setdefault(name, []).extend(records)
    for kind, fields in V2_FIELDS.items():
        for field in fields:  # each new field carries a real value somewhere in the delivery
            values = [r[field] for r in by_kind[kind.value]]
            assert any(v not in (None, 0, "", [], False) for v in values), (kind, field)
    sales = by_kind["sales"]
    assert Counter(s["transaction_type"] for s in sales).keys() == {"sale", "return", "void"}
    assert {s["tax_mode"] for s in sales} == {"inclusive", "exclusive"}  # 0007 (family) is 外税
    assert {t["payment_type_code"] for s in sales for t in s["tenders"]} >= {
        "01", "02", "03", "04", "07"}
    assert any(t["change"] > 0 and t["tendered"] == t["amount"] + t["change"]
               for s in sales for t in s["tenders"])
    lines = by_kind["sales_detail"]
    assert any(d["reduced_rate"] and d["tax_rate"] == 8 for d in lines)
    assert any(d["discount_code"] == "201" for d in lines)
    counts = by_kind["cash_denomination"]
    assert any(c["denomination"] == 2000 and c["count"] > 0 for c in counts)
    assert {m["reason_code"] for m in by_kind["cash_movement"]} >= {"01", "11"}
    cats = {c["category_code"]: c for c in by_kind["product_category_master"]}
    assert cats["20"]["parent_code"] == "B0" and cats["20"]["level"] == 2
    assert cats["B0"]["parent_code"] is None and cats["B0"]["level"] == 1
    assert any(r["refund_count"] for r in by_kind["payment_breakdown"])
    assert all(r["non_cash_sales"] for r in by_kind["settlement_report"])


def test_returns_and_reduced_rate_reconcile(sqlite_db: Database, receiver: Receiver,
                                            sender: Sender) -> None:
    delivered = _deliver(sqlite_db, receiver, sender)
    stores = sorted({store for store, _ in delivered})
    for store in stores:
        sales = delivered[(store, "sales")]
        (report,) = delivered[(store, "settlement_report")]
        counted = [s for s in sales if s["transaction_type"] != "void"]
        returns = [s for s in sales if s["transaction_type"] == "return"]
        assert returns, store
        for s in counted + [s for s in sales if s["transaction_type"] == "void"]:
            assert s["total_amount"] == s["amount_excluding_tax"] + s["tax_amount"] \
                + s["rounding"] == sum(t["amount"] for t in s["tenders"])
            assert sum(t["tax_amount"] for t in s["taxes"]) == s["tax_amount"]
            assert sum(t["taxable_amount"] for t in s["taxes"]) == s["amount_excluding_tax"]
        by_no = {s["receipt_no"]: s for s in sales}
        for r in returns:  # a return gives back exactly what its sale took
            original = by_no[r["original_receipt_no"]]
            assert original["transaction_type"] == "sale"
            assert r["total_amount"] == -original["total_amount"] < 0
            assert r["taxes"] == [{**t, "taxable_amount": -t["taxable_amount"],
                                   "tax_amount": -t["tax_amount"]} for t in original["taxes"]]
        sold = sum(s["total_amount"] for s in counted if s["transaction_type"] == "sale")
        returned = -sum(s["total_amount"] for s in returns)
        assert report["sales_total"] == sold and report["return_total"] == returned
        assert report["net_sales"] == sold - returned
        assert sum(t["tax_amount"] for t in report["taxes"]) == report["tax_total"]
        assert report["net_sales"] == report["amount_excluding_tax"] + report["tax_total"] \
            + report["rounding_total"]
        for rate in (10, 8):
            per_receipt = sum(t["tax_amount"] for s in counted for t in s["taxes"]
                              if t["rate"] == rate)
            in_report = sum(t["tax_amount"] for t in report["taxes"] if t["rate"] == rate)
            assert per_receipt == in_report, (store, rate)
        breakdown = delivered[(store, "payment_breakdown")]
        assert sum(b["amount"] for b in breakdown) == report["net_sales"]
        assert sum(b["refund_amount"] for b in breakdown) == returned
        non_cash = sum(n["amount"] for n in report["non_cash_sales"])
        assert report["cash_sales"] + non_cash == report["net_sales"]
        assert report["expected_cash"] == report["float_amount"] + report["cash_sales"] \
            + report["cash_in"] - report["cash_out"]
        counted_cash = sum(c["amount"] for c in delivered[(store, "cash_denomination")])
        assert report["cash_difference"] == counted_cash - report["expected_cash"]
    reduced = [d for s in stores for d in delivered[(s, "sales_detail")] if d["reduced_rate"]]
    assert reduced and all(d["tax_rate"] == 8 for d in reduced)
    with_8 = {(s, d["receipt_no"]) for s in stores for d in delivered[(s, "sales_detail")]
              if d["reduced_rate"]}
    for store, receipt_no in with_8:  # a receipt with a reduced-rate item taxes it at 8%
        sale = next(x for x in delivered[(store, "sales")] if x["receipt_no"] == receipt_no)
        assert any(t["rate"] == 8 and t["reduced"] for t in sale["taxes"])


def test_the_envelope_says_its_schema_version(sqlite_db: Database) -> None:
    setup_stores(sqlite_db, stores=1, days=1, receipts=6)
    (first, *_) = enqueue_close(sqlite_db.factory, TZ, DAY)
    with sqlite_db.factory() as session:
        from exporter.models import ExportBatch
        batch = session.query(ExportBatch).filter_by(idempotency_key=first.idempotency_key).one()
        assert json.loads(batch.body)["schema_version"] == 2
