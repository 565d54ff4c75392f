"""POS source: the register data of USEN Reji stores, as SQLAlchemy tables.

Rows are keyed by the USEN codes (企業CD, 店舗CD) and the business date (営業日), so one
query per table and date feeds every store's export; receipt lines and payments refer to
their receipt by (store, business date, receipt number) rather than a surrogate id, which lets
the demo generator bulk-insert them without a round trip per receipt.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Index, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, UTCDateTime, utcnow


class Arrival:
    """When the register made a row and when it reached renkei: a register that was offline
    sends its rows late, and `exporter.late` re-sends the days they belong to."""

    made_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # null: the register did not say
    # Indexed: the late-data scan reads only rows received since its last run.
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow,
                                                  server_default=func.now(), index=True)


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
    amount: Mapped[int] = mapped_column(Integer)
    voided: Mapped[bool] = mapped_column(Boolean, default=False)


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
