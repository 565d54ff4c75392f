"""The export outbox: one row per frozen batch (store, kind, business date, hour, revision)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Base, UTCDateTime, utcnow

PENDING, DONE, DEAD = "pending", "done", "dead"


class ExportBatch(Base):
    """A delivery waiting for (or done with) its destination.

    `body` is the envelope serialised at enqueue time, so what goes out is exactly what was
    frozen when the register closed, however often it is retried. `stream` (store + kind)
    orders deliveries: a batch is sent only when no older batch of its stream is pending or
    dead.
    """

    __tablename__ = "export_batches"
    __table_args__ = (
        Index("ix_export_batches_stream_state", "stream", "state", "id"),
        Index("ix_export_batches_due", "state", "next_attempt_at"),
        Index("ix_export_batches_store", "company_code", "store_code", "state"),
        # late data (exporter.late) looks up when each day was frozen, date by date
        Index("ix_export_batches_day", "business_date", "hour"),
        # The drain's heartbeat renews the leases of its claim token every second or so.
        Index("ix_export_batches_claim_token", "claim_token"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    stream: Mapped[str] = mapped_column(String(80))
    destination: Mapped[str] = mapped_column(String(8))  # Company.destination: "ex" | "net"
    company_code: Mapped[str] = mapped_column(String(20))  # USEN 企業CD
    store_code: Mapped[str] = mapped_column(String(20))  # USEN 店舗CD
    makasete_company_code: Mapped[str] = mapped_column(String(5))
    makasete_store_code: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(32))
    business_date: Mapped[date] = mapped_column(Date)
    hour: Mapped[int | None] = mapped_column(Integer)  # None: the whole business day (閉局)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    content_hash: Mapped[str] = mapped_column(String(64))
    record_count: Mapped[int] = mapped_column(Integer, default=0)
    body: Mapped[str] = mapped_column(Text)

    state: Mapped[str] = mapped_column(String(8), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(64))
    # HTTP status of the last failed attempt; 0 when no response came (refused, timeout).
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # -- late data and retention (0003_exlate) ------------------------------------------
    # the key of the revision this one replaces (null for revision 1)
    supersedes: Mapped[str | None] = mapped_column(String(120))
    # set when the retention prune emptied `body`; the row stays for status and idempotency
    pruned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ExportScanMark(Base):
    """Up to when a periodic scan (the late-data check) has read; the next reads from there."""

    __tablename__ = "export_scan_marks"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    scanned_to: Mapped[datetime] = mapped_column(UTCDateTime)
