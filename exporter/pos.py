"""POS source: the register data of USEN Reji stores, as SQLAlchemy tables.

Rows are keyed by the USEN codes (企業CD, 店舗CD) and the business date (営業日), so one
query per table and date feeds every store's export; receipt lines and payments refer to
their receipt by (store, business date, receipt number) rather than a surrogate id, which lets
the demo generator bulk-insert them without a round trip per receipt.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, Integer, String, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, MappedColumn, mapped_column

from workflow.db import Base, UTCDateTime, utcnow


class Arrival:
    """When the register made a row and when it reached renkei: a register that was offline
    sends its rows late, and `exporter.late` re-sends the days they belong to."""

    made_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # null: the register did not say
    # Indexed: the late-data scan reads only rows received since its last run.
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow,
                                                  server_default=func.now(), index=True)

SALE, RETURN, VOID = "sale", "return", "void"  # 取引区分
INCLUSIVE, EXCLUSIVE, EXEMPT = "inclusive", "exclusive", "exempt"  # 内税 / 外税 / 非課税
FLOAT_REASON = "01"  # 釣銭準備金: the float, shown apart from other 入金 in the 精算レポート
# The three master kinds a partner maps (seed 1-3: 支払科目種 / 値割引 / 客層).
PAYMENT, DISCOUNT, SEGMENT = "payment", "discount", "segment"
MASTER_TYPES = (PAYMENT, DISCOUNT, SEGMENT)


# Columns added by schema v2 carry a server default, so rows of v1 stay valid.
def _text(length: int, default: str) -> MappedColumn[str]:
    return mapped_column(String(length), default=default, server_default=default)


def _int() -> MappedColumn[int]:
    return mapped_column(Integer, default=0, server_default=text("0"))


def _flag() -> MappedColumn[bool]:
    return mapped_column(Boolean, default=False, server_default=text("false"))


class PosCategory(Base):
    """商品カテゴリ of a store."""

    __tablename__ = "pos_categories"
    __table_args__ = (UniqueConstraint("company_code", "store_code", "category_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_code: Mapped[str] = mapped_column(String(20))
    store_code: Mapped[str] = mapped_column(String(20))
    category_code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # -- schema v2 (0003_exdata) --
    parent_code: Mapped[str | None] = mapped_column(String(20))  # None: a top-level category


class PosProduct(Base):
    """商品 of a store (its current master)."""

    __tablename__ = "pos_products"
    __table_args__ = (UniqueConstraint("company_code", "store_code", "product_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_code: Mapped[str] = mapped_column(String(20))
    store_code: Mapped[str] = mapped_column(String(20))
    product_code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    category_code: Mapped[str] = mapped_column(String(20))
    price: Mapped[int] = mapped_column(Integer)
    tax_rate: Mapped[int] = mapped_column(Integer, default=10)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # -- schema v2 (0003_exdata) --
    tax_division: Mapped[str] = _text(10, INCLUSIVE)  # 内税 / 外税 / 非課税
    reduced_rate: Mapped[bool] = _flag()  # 軽減税率 (8%)
    cost: Mapped[int | None] = mapped_column(Integer)  # 原価, tax excluded


class PosReceipt(Arrival, Base):
    """One 会計 (receipt) of a business day."""

    __tablename__ = "pos_receipts"
    __table_args__ = (
        UniqueConstraint("company_code", "store_code", "business_date", "receipt_no"),
        Index("ix_pos_receipts_day", "business_date", "company_code", "store_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_code: Mapped[str] = mapped_column(String(20))
    store_code: Mapped[str] = mapped_column(String(20))
    business_date: Mapped[date] = mapped_column(Date)
    receipt_no: Mapped[str] = mapped_column(String(20))
    sold_at: Mapped[datetime] = mapped_column(UTCDateTime)
    customer_count: Mapped[int] = mapped_column(Integer, default=1)
    customer_segment: Mapped[str] = mapped_column(String(40), default="一般")
    subtotal: Mapped[int] = mapped_column(Integer)
    discount_amount: Mapped[int] = mapped_column(Integer, default=0)
    tax_amount: Mapped[int] = mapped_column(Integer)
    total_amount: Mapped[int] = mapped_column(Integer)
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    # -- schema v2 (0003_exdata): what a partner books with --
    transaction_type: Mapped[str] = _text(8, SALE)  # sale / return / void
    original_receipt_no: Mapped[str | None] = mapped_column(String(20))  # what a return returns
    terminal_code: Mapped[str] = _text(10, "01")  # レジ端末
    staff_code: Mapped[str] = _text(20, "")
    staff_name: Mapped[str] = _text(40, "")
    customer_segment_code: Mapped[str] = _text(10, "")  # 客層コード (name: customer_segment)
    tax_mode: Mapped[str] = _text(10, INCLUSIVE)  # 内税 inclusive / 外税 exclusive
    discount_code: Mapped[str | None] = mapped_column(String(10))  # receipt 値割引
    discount_name: Mapped[str | None] = mapped_column(String(40))
    amount_excluding_tax: Mapped[int] = _int()  # 税抜金額 = Σ taxable_*
    taxable_10: Mapped[int] = _int()  # 10% 対象額 (tax excluded)
    tax_10: Mapped[int] = _int()
    taxable_8: Mapped[int] = _int()  # 8% 軽減 対象額 (tax excluded)
    tax_8: Mapped[int] = _int()
    rounding: Mapped[int] = _int()  # 端数処理, added to the total
    points_used: Mapped[int] = _int()
    points_earned: Mapped[int] = _int()


class PosReceiptLine(Arrival, Base):
    """One line of a receipt."""

    __tablename__ = "pos_receipt_lines"
    __table_args__ = (
        UniqueConstraint("company_code", "store_code", "business_date", "receipt_no", "line_no"),
        Index("ix_pos_receipt_lines_day", "business_date", "company_code", "store_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_code: Mapped[str] = mapped_column(String(20))
    store_code: Mapped[str] = mapped_column(String(20))
    business_date: Mapped[date] = mapped_column(Date)
    receipt_no: Mapped[str] = mapped_column(String(20))
    line_no: Mapped[int] = mapped_column(Integer)
    product_code: Mapped[str] = mapped_column(String(20))
    product_name: Mapped[str] = mapped_column(String(100))
    category_code: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(Integer)
    discount_amount: Mapped[int] = mapped_column(Integer, default=0)
    amount: Mapped[int] = mapped_column(Integer)
    tax_rate: Mapped[int] = mapped_column(Integer, default=10)
    # -- schema v2 (0003_exdata) --
    tax_division: Mapped[str] = _text(10, INCLUSIVE)
    reduced_rate: Mapped[bool] = _flag()
    discount_code: Mapped[str | None] = mapped_column(String(10))  # line 値割引
    discount_name: Mapped[str | None] = mapped_column(String(40))


class PosPayment(Arrival, Base):
    """How a receipt was paid: one row per 支払科目種 used (split payments have several)."""

    __tablename__ = "pos_payments"
    __table_args__ = (
        Index("ix_pos_payments_day", "business_date", "company_code", "store_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_code: Mapped[str] = mapped_column(String(20))
    store_code: Mapped[str] = mapped_column(String(20))
    business_date: Mapped[date] = mapped_column(Date)
    receipt_no: Mapped[str] = mapped_column(String(20))
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime)
    payment_type_code: Mapped[str] = mapped_column(String(10))
    payment_type_name: Mapped[str] = mapped_column(String(40))
    amount: Mapped[int] = mapped_column(Integer)  # applied to the receipt; negative: refund
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    # -- schema v2 (0003_exdata) --
    tendered: Mapped[int] = _int()  # 預かり
    change: Mapped[int] = _int()  # お釣り (amount = tendered - change)


class PosCashMovement(Arrival, Base):
    """入出金: cash in or out of the drawer outside sales."""

    __tablename__ = "pos_cash_movements"
    __table_args__ = (
        UniqueConstraint("company_code", "store_code", "business_date", "movement_no"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_code: Mapped[str] = mapped_column(String(20))
    store_code: Mapped[str] = mapped_column(String(20))
    business_date: Mapped[date] = mapped_column(Date)
    movement_no: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    direction: Mapped[str] = mapped_column(String(3))  # "in" | "out"
    reason: Mapped[str] = mapped_column(String(100))
    amount: Mapped[int] = mapped_column(Integer)
    # -- schema v2 (0003_exdata) --
    reason_code: Mapped[str] = _text(10, "")  # 入出金理由コード; FLOAT_REASON = 釣銭準備金


class PosCashCount(Arrival, Base):
    """金種別現金在高: the drawer counted at 閉局."""

    __tablename__ = "pos_cash_counts"
    __table_args__ = (
        UniqueConstraint("company_code", "store_code", "business_date", "denomination"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_code: Mapped[str] = mapped_column(String(20))
    store_code: Mapped[str] = mapped_column(String(20))
    business_date: Mapped[date] = mapped_column(Date)
    denomination: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer)


class PosMasterItem(Base):
    """A register master a partner maps: 支払科目 (payment), 値割引 (discount), 客層 (segment).

    `store_code` "" is the company's master (every store); a store may add its own. `since` is
    the first business date the item is in use, which drift reports as "seen since".
    """

    __tablename__ = "pos_master_items"
    __table_args__ = (
        UniqueConstraint("company_code", "store_code", "item_type", "code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_code: Mapped[str] = mapped_column(String(20))
    store_code: Mapped[str] = mapped_column(String(20), default="")
    item_type: Mapped[str] = mapped_column(String(10))  # payment / discount / segment
    code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(40))
    since: Mapped[date] = mapped_column(Date)
