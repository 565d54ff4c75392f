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


class SalesRecord(_Record):
    """売上データ: one receipt (会計) of the business day."""

    receipt_no: str = Field(description="レシート番号, unique per store and business date")
    sold_at: datetime = Field(description="会計日時 (Asia/Tokyo)")
    customer_count: int = Field(ge=0, description="客数")
    customer_segment: str = Field(description="客層 (as mapped on the partner side)")
    subtotal: int = Field(description="商品合計 before 値割引, tax included (yen)")
    discount_amount: int = Field(ge=0, description="値割引 (yen)")
    tax_amount: int = Field(ge=0, description="内消費税 (yen)")
    total_amount: int = Field(description="売上金額 = subtotal - discount_amount (yen)")
    voided: bool = Field(description="取消 (the receipt was voided)")


class SalesDetailRecord(_Record):
    """売上データ詳細: one line of a receipt."""

    receipt_no: str
    line_no: int = Field(ge=1)
    product_code: str = Field(description="商品コード")
    product_name: str = Field(description="商品名 at the time of sale")
    category_code: str = Field(description="商品カテゴリコード")
    quantity: int = Field(description="数量 (negative for returns)")
    unit_price: int = Field(description="単価, tax included (yen)")
    discount_amount: int = Field(ge=0, description="値割引 on this line (yen)")
    amount: int = Field(description="金額 = quantity * unit_price - discount_amount (yen)")
    tax_rate: int = Field(description="税率 in percent (10 or 8)")


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
    reason: str = Field(description="理由, e.g. 釣銭準備金, 仕入れ")
    amount: int = Field(ge=0, description="金額 (yen)")


class ProductRecord(_Record):
    """商品マスタ: one product as registered on the store's register."""

    product_code: str
    name: str
    category_code: str
    price: int = Field(description="売価, tax included (yen)")
    tax_rate: int = Field(description="税率 in percent")
    active: bool = Field(description="販売中")


class ProductCategoryRecord(_Record):
    """商品カテゴリマスタ: one product category."""

    category_code: str
    name: str
    sort_order: int


class PaymentBreakdownRecord(_Record):
    """支払種別明細: totals per 支払科目種 for the hour (hourly) or the business day (閉局)."""

    payment_type_code: str = Field(description="支払科目種 code")
    payment_type_name: str = Field(description="支払科目種, e.g. 現金, クレジットカード")
    count: int = Field(ge=0, description="件数")
    amount: int = Field(description="金額 (yen)")


class SettlementReportRecord(_Record):
    """精算レポート: the register's closing report (one record per business day)."""

    receipt_count: int = Field(ge=0, description="会計数 (not voided)")
    customer_count: int = Field(ge=0, description="客数")
    gross_sales: int = Field(description="総売上, before 値割引 (yen)")
    discount_total: int = Field(description="値割引合計 (yen)")
    net_sales: int = Field(description="純売上 = gross_sales - discount_total (yen)")
    tax_total: int = Field(description="内消費税合計 (yen)")
    void_count: int = Field(ge=0, description="取消件数")
    void_amount: int = Field(description="取消金額 (yen)")
    cash_sales: int = Field(description="現金売上 (yen)")
    cash_in: int = Field(description="入金合計 (yen)")
    cash_out: int = Field(description="出金合計 (yen)")
    expected_cash: int = Field(description="理論在高 = cash_sales + cash_in - cash_out (yen)")
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
