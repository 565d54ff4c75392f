"""Tables of the workflow: tickets, their stores and audit events, store linkage, and the
shared plumbing (idempotency keys, outbox jobs, scheduled-fire claims)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import Base, UTCDateTime, utcnow


class Ticket(Base):
    """One integration request (新規・増店 or 設定変更) and where it stands in the seven steps."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    customer_code: Mapped[str] = mapped_column(String(20))
    company_code: Mapped[str] = mapped_column(String(20), index=True)
    company_name: Mapped[str] = mapped_column(String(200))
    desired_date: Mapped[date] = mapped_column(Date)
    remarks: Mapped[str] = mapped_column(Text, default="")
    additions: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)

    requester: Mapped[str] = mapped_column(String(64), index=True)
    requester_name: Mapped[str] = mapped_column(String(200), default="")
    customer_channel: Mapped[str | None] = mapped_column(String(64))
    customer_email: Mapped[str | None] = mapped_column(String(254))
    return_reason: Mapped[str | None] = mapped_column(Text)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When each step was entered (the latest time, after a 差し戻し and resubmit).
    step_times: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    sla_due: Mapped[date | None] = mapped_column(Date)
    last_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    kintone_record_id: Mapped[str | None] = mapped_column(String(32))
    slack_channel: Mapped[str | None] = mapped_column(String(64))
    slack_ts: Mapped[str | None] = mapped_column(String(32))

    stores: Mapped[list[TicketStore]] = relationship(
        back_populates="ticket", order_by="TicketStore.position", cascade="all, delete-orphan"
    )
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy's own idiom)


class TicketStore(Base):
    """A target store of a ticket, as the requester named it (USEN 店舗CD + 店舗名)."""

    __tablename__ = "ticket_stores"
    __table_args__ = (UniqueConstraint("ticket_id", "store_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    store_code: Mapped[str] = mapped_column(String(20))
    store_name: Mapped[str] = mapped_column(String(200))

    ticket: Mapped[Ticket] = relationship(back_populates="stores")


class TicketEvent(Base):
    """The audit trail: one row per transition or edit, written in the same transaction."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    actor_role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")

    ticket: Mapped[Ticket] = relationship(back_populates="events")


class Company(Base):
    """A USEN Reji company and its まかせてネット link (seed section 2)."""

    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_code: Mapped[str] = mapped_column(String(20), unique=True)  # USEN 企業CD
    name: Mapped[str] = mapped_column(String(200), default="")
    makasete_company_code: Mapped[str | None] = mapped_column(String(5))
    # Which partner system receives its data: "ex" (まかせてネットEX) or "net" (まかせてネット).
    destination: Mapped[str] = mapped_column(String(8), default="ex")

    stores: Mapped[list[Store]] = relationship(
        back_populates="company", order_by="Store.store_code", cascade="all, delete-orphan"
    )


class Store(Base):
    """One store's linkage: まかせてネット店舗コード, 連携開始日, 連携終了日, 連携状態."""

    __tablename__ = "stores"
    __table_args__ = (UniqueConstraint("company_id", "store_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    store_code: Mapped[str] = mapped_column(String(20))  # USEN 店舗CD, e.g. 0001
    name: Mapped[str] = mapped_column(String(200), default="")
    makasete_store_code: Mapped[str | None] = mapped_column(String(6))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    linked: Mapped[bool] = mapped_column(Boolean, default=False)  # 連携済 when true
    close_time: Mapped[str] = mapped_column(String(5), default="23:00")  # 閉局, Asia/Tokyo

    company: Mapped[Company] = relationship(back_populates="stores")


class ProcessedRequest(Base):
    """Keys of requests already handled (Slack retries, double clicks): shared by replicas."""

    __tablename__ = "processed_requests"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboxJob(Base):
    """Outgoing work (Slack post, Kintone record, e-mail, file) written with the transition
    that caused it and sent after the commit, retried until it goes out."""

    __tablename__ = "outbox_jobs"
    # claim() looks for an older pending job of the same ticket and kind (ordered threads).
    __table_args__ = (Index("ix_outbox_jobs_ticket_kind", "ticket_id", "kind", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), index=True
    )
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who holds the job now (workflow.outbox.claim); its outcome is written only by them.
    claim_token: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str] = mapped_column(Text, default="")
    # The failure's code (bot/integrations/failures.py): what people are told, translated.
    last_error_code: Mapped[str] = mapped_column(String(64), default="")
    retry_after: Mapped[float | None] = mapped_column(Float)  # seconds the service asked for
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ScheduledFire(Base):
    """A scheduled job's fire, claimed by the first process: runs once across replicas."""

    __tablename__ = "scheduled_fires"

    job_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    fire_time: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    claimed_by: Mapped[str] = mapped_column(String(120))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
