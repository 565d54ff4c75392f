"""The eight data kinds of seed section 1-1 (連携データAPI項目), as pydantic models.

Each kind has a stable English identifier (the `kind` of every delivery) and one record
model. Money is whole yen (int), tax rates whole percent, times ISO 8601 in Asia/Tokyo.
`python -m exporter.kinds docs/export-schema` writes the JSON Schema of every kind and of the
webhook envelope; a test keeps those files equal to what the models generate.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Kind(StrEnum):
    """連携データAPI項目, in the seed's order. The value is the wire identifier."""

    SALES = "sales"                                        # 1 売上データ
    SALES_DETAIL = "sales_detail"                          # 2 売上データ詳細
    CASH_DENOMINATION = "cash_denomination"                # 3 金種別現金在高
    CASH_MOVEMENT = "cash_movement"                        # 4 入出金データ
    PRODUCT_MASTER = "product_master"                      # 5 商品マスタ
    PRODUCT_CATEGORY_MASTER = "product_category_master"    # 6 商品カテゴリマスタ
    PAYMENT_BREAKDOWN = "payment_breakdown"                # 7 支払種別明細 ※毎時
    SETTLEMENT_REPORT = "settlement_report"                # 8 精算レポート

    @property
    def label(self) -> str:
        """The seed's Japanese name of the kind."""
        return LABELS[self]


LABELS: dict[Kind, str] = {
    Kind.SALES: "売上データ",
    Kind.SALES_DETAIL: "売上データ詳細",
    Kind.CASH_DENOMINATION: "金種別現金在高",
    Kind.CASH_MOVEMENT: "入出金データ",
    Kind.PRODUCT_MASTER: "商品マスタ",
    Kind.PRODUCT_CATEGORY_MASTER: "商品カテゴリマスタ",
    Kind.PAYMENT_BREAKDOWN: "支払種別明細",
    Kind.SETTLEMENT_REPORT: "精算レポート",
}
ALL_KINDS: tuple[Kind, ...] = tuple(Kind)
HOURLY_KINDS: tuple[Kind, ...] = (Kind.PAYMENT_BREAKDOWN,)


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


SCHEMA_VERSION = 2  # v1 (until 0003_exdata): see docs/exporter.md "Schema versions"
TransactionType = Literal["sale", "return", "void"]
TaxDivision = Literal["inclusive", "exclusive", "exempt"]


class TaxLine(_Record):
    """Tax of one rate on a receipt or a business day."""

    rate: int = Field(description="税率 in percent (10 or 8)")
    reduced: bool = Field(description="軽減税率 (the 8% rate)")
    taxable_amount: int = Field(description="課税対象額, tax excluded (yen; negative on returns)")
    tax_amount: int = Field(description="消費税額 (yen; negative on returns)")


class Tender(_Record):
    """One 支払科目 used on a receipt (split payments have several)."""

    payment_type_code: str = Field(description="支払科目 code (as mapped on the partner side)")
    payment_type_name: str = Field(description="支払科目, e.g. 現金, クレジットカード")
    amount: int = Field(description="充当額 applied to the receipt = tendered - change "
                                    "(yen; negative: 返金 on a return)")
    tendered: int = Field(description="預かり (yen)")
    change: int = Field(ge=0, description="お釣り (yen)")


class SalesRecord(_Record):
    """売上データ: one receipt (会計) of the business day: a sale, a return or a void.

    total_amount = amount_excluding_tax + tax_amount + rounding, and equals the sum of the
    tenders' amounts. A return carries negative amounts; a void keeps the voided receipt's
    amounts and is left out of every total.
    """

    receipt_no: str = Field(description="レシート番号, unique per store and business date")
    transaction_type: TransactionType = Field(
        description="取引区分: sale = 売上, return = 返品, void = 取消")
    original_receipt_no: str | None = Field(
        description="For a return: the レシート番号 returned (same business date); else null")
    sold_at: datetime = Field(description="会計日時 (Asia/Tokyo)")
    terminal_code: str = Field(description="レジ端末番号")
    staff_code: str = Field(description="担当者コード")
    staff_name: str = Field(description="担当者名")
    customer_count: int = Field(description="客数 (negative on returns)")
    customer_segment_code: str = Field(description="客層コード (as mapped on the partner side)")
    customer_segment: str = Field(description="客層名")
    tax_mode: Literal["inclusive", "exclusive"] = Field(
        description="inclusive = 内税 (prices include tax), exclusive = 外税 (tax added)")
    subtotal: int = Field(description="商品合計 = Σ line amounts, in the lines' tax mode, "
                                      "before the receipt's 値割引 (yen)")
    discount_code: str | None = Field(description="値割引コード of the receipt discount, or null")
    discount_name: str | None = Field(description="値割引名 of the receipt discount, or null")
    discount_amount: int = Field(description="値割引 on the receipt (yen, positive, "
                                             "negative on returns)")
    amount_excluding_tax: int = Field(description="税抜金額 = Σ taxes.taxable_amount (yen)")
    tax_amount: int = Field(description="消費税合計 = Σ taxes.tax_amount (yen)")
    taxes: list[TaxLine] = Field(description="課税対象額 and 消費税 per rate on this receipt")
    rounding: int = Field(description="端数処理, added to the total (yen, usually <= 0)")
    total_amount: int = Field(description="売上金額, tax included (yen)")
    points_used: int = Field(description="ポイント利用 (yen; also a tender)")
    points_earned: int = Field(description="ポイント付与")
    tenders: list[Tender] = Field(description="支払: one entry per 支払科目 used")
    voided: bool = Field(description="取消 (same as transaction_type == \"void\"; kept from v1)")


class SalesDetailRecord(_Record):
    """売上データ詳細: one line of a receipt."""

    receipt_no: str
    line_no: int = Field(ge=1)
    product_code: str = Field(description="商品コード")
    product_name: str = Field(description="商品名 at the time of sale")
    category_code: str = Field(description="商品カテゴリコード")
    quantity: int = Field(description="数量 (negative for returns)")
    unit_price: int = Field(description="単価 in the line's tax division (yen)")
    discount_code: str | None = Field(description="値割引コード on this line, or null")
    discount_name: str | None = Field(description="値割引名 on this line, or null")
    discount_amount: int = Field(description="値割引 on this line (yen)")
    amount: int = Field(description="金額 = quantity * unit_price - discount_amount (yen)")
    tax_rate: int = Field(description="税率 in percent (10, 8 or 0)")
    tax_division: TaxDivision = Field(
        description="税区分: inclusive = 内税, exclusive = 外税, exempt = 非課税")
    reduced_rate: bool = Field(description="軽減税率対象 (8%)")


class CashDenominationRecord(_Record):
    """金種別現金在高: the cash counted in the drawer at 閉局, per denomination."""

    denomination: int = Field(description="金種 in yen: 10000, 5000, 2000, 1000, 500, ... 1")
    count: int = Field(ge=0, description="枚数")
    amount: int = Field(ge=0, description="金額 = denomination * count (yen)")


class CashMovementRecord(_Record):
    """入出金データ: cash put into or taken out of the drawer outside sales."""

    movement_no: str
    occurred_at: datetime = Field(description="入出金日時 (Asia/Tokyo)")
    direction: Literal["in", "out"] = Field(description="in = 入金, out = 出金")
    reason_code: str = Field(description="入出金理由コード (01 = 釣銭準備金)")
    reason: str = Field(description="理由, e.g. 釣銭準備金, 仕入れ")
    amount: int = Field(ge=0, description="金額 (yen)")


class ProductRecord(_Record):
    """商品マスタ: one product as registered on the store's register."""

    product_code: str
    name: str
    category_code: str
    price: int = Field(description="売価 in the product's tax division (yen)")
    tax_rate: int = Field(description="税率 in percent")
    tax_division: TaxDivision = Field(
        description="税区分: inclusive = 内税, exclusive = 外税, exempt = 非課税")
    reduced_rate: bool = Field(description="軽減税率対象 (8%)")
    cost: int | None = Field(description="原価, tax excluded (yen), null when not registered")
    active: bool = Field(description="販売中")


class ProductCategoryRecord(_Record):
    """商品カテゴリマスタ: one product category; `parent_code` builds the hierarchy."""

    category_code: str
    name: str
    parent_code: str | None = Field(description="親カテゴリコード, null at the top level")
    level: int = Field(ge=1, description="階層 (1 = top level)")
    sort_order: int


class PaymentBreakdownRecord(_Record):
    """支払種別明細: totals per 支払科目種 for the hour (hourly) or the business day (閉局)."""

    payment_type_code: str = Field(description="支払科目種 code")
    payment_type_name: str = Field(description="支払科目種, e.g. 現金, クレジットカード")
    count: int = Field(ge=0, description="件数 (sales and refunds, voids excluded)")
    amount: int = Field(description="金額 = sales_amount - refund_amount (yen)")
    sales_count: int = Field(ge=0, description="売上件数")
    sales_amount: int = Field(description="売上金額 (yen)")
    refund_count: int = Field(ge=0, description="返金件数 (returns)")
    refund_amount: int = Field(ge=0, description="返金金額 (yen, positive)")


class NonCashSales(_Record):
    """Sales of one non-cash 支払科目 on the business day."""

    payment_type_code: str
    payment_type_name: str
    amount: int = Field(description="金額 net of refunds (yen)")


class SettlementReportRecord(_Record):
    """精算レポート: the register's closing report (one record per business day).

    net_sales = sales_total - return_total = Σ taxes (taxable + tax) + rounding_total, and
    Σ taxes.tax_amount = tax_total.
    """

    receipt_count: int = Field(ge=0, description="会計数 (sales, not voided)")
    customer_count: int = Field(description="客数 (net of returns)")
    gross_sales: int = Field(description="総売上, the sales' 商品合計 before receipt 値割引 (yen)")
    discount_total: int = Field(description="値割引合計 of the sales (yen)")
    sales_total: int = Field(description="売上合計 of the sales, tax included (yen)")
    return_count: int = Field(ge=0, description="返品件数")
    return_total: int = Field(ge=0, description="返品金額 (yen, positive)")
    net_sales: int = Field(description="純売上 = sales_total - return_total (yen)")
    amount_excluding_tax: int = Field(description="税抜純売上 (yen)")
    tax_total: int = Field(description="消費税合計 (yen)")
    taxes: list[TaxLine] = Field(description="課税対象額 and 消費税 per rate, net of returns")
    rounding_total: int = Field(description="端数処理合計 (yen)")
    void_count: int = Field(ge=0, description="取消件数")
    void_amount: int = Field(description="取消金額 (yen)")
    cash_sales: int = Field(description="現金売上, net of cash refunds (yen)")
    non_cash_sales: list[NonCashSales] = Field(description="現金以外の売上 per 支払科目")
    float_amount: int = Field(description="釣銭準備金 (入金 with reason_code 01, yen)")
    cash_in: int = Field(description="入金合計 other than the float (yen)")
    cash_out: int = Field(description="出金合計 (yen)")
    expected_cash: int = Field(
        description="理論在高 = float_amount + cash_sales + cash_in - cash_out (yen)")
    counted_cash: int = Field(description="実在高, the 金種別現金在高 total (yen)")
    cash_difference: int = Field(description="過不足 = counted_cash - expected_cash (yen)")


RECORD_MODELS: dict[Kind, type[_Record]] = {
    Kind.SALES: SalesRecord,
    Kind.SALES_DETAIL: SalesDetailRecord,
    Kind.CASH_DENOMINATION: CashDenominationRecord,
    Kind.CASH_MOVEMENT: CashMovementRecord,
    Kind.PRODUCT_MASTER: ProductRecord,
    Kind.PRODUCT_CATEGORY_MASTER: ProductCategoryRecord,
    Kind.PAYMENT_BREAKDOWN: PaymentBreakdownRecord,
    Kind.SETTLEMENT_REPORT: SettlementReportRecord,
}


class Envelope(BaseModel):
    """One delivery (batch) as the webhook receives it and as one JSON Lines row in files."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = Field(
        description="Version of the record schemas: 2 since the 0003_exdata release; "
                    "a missing value means 1 (see docs/exporter.md)")
    kind: Kind = Field(description="The data kind (see the kind schemas)")
    company_code: str = Field(description="まかせてネット企業コード (1-5 digits)")
    store_code: str = Field(description="まかせてネット店舗コード (1-6 digits)")
    business_date: date = Field(description="営業日 (Asia/Tokyo)")
    hour: int | None = Field(
        ge=0, le=23, description="For hourly 支払種別明細: the hour (0-23) covered, "
                                 "[hour:00, hour+1:00); null for the whole business day (閉局)")
    idempotency_key: str = Field(
        description="Deterministic per store, kind, business date, hour and revision; the "
                    "same key is sent again only on a retry (also in the Idempotency-Key header)")
    revision: int = Field(
        default=1, ge=1, description="1 for the first delivery of this store, kind, business "
        "date and hour; each later revision is the whole day (or hour) again and REPLACES "
        "every earlier one (data that reached renkei late, a register reopened)")
    supersedes: str | None = Field(
        default=None, description="The idempotency key of the revision this one replaces "
        "(null for revision 1): drop that delivery's records and keep these")
    records: list[dict[str, Any]] = Field(description="Records of `kind` (see its schema)")


def validate_records(kind: Kind, records: list[dict[str, Any]]) -> list[_Record]:
    """Parse records of `kind` with its model (used by tests and the file reader)."""
    model = RECORD_MODELS[kind]
    return [model.model_validate(r) for r in records]


def schemas() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema for every kind and for the envelope."""
    out: dict[str, dict[str, Any]] = {"envelope.schema.json": Envelope.model_json_schema()}
    for kind, model in RECORD_MODELS.items():
        schema = model.model_json_schema()
        schema["title"] = f"{kind.value} ({kind.label})"
        schema["x-kind"] = kind.value
        out[f"{kind.value}.schema.json"] = schema
    return out


def write_schemas(folder: Path) -> list[Path]:
    """Write `schemas()` into `folder` (docs/export-schema), one file each."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas().items():
        path = folder / name
        path.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write_schemas(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/export-schema")):
        print(p)
