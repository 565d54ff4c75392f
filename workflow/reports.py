"""The figures operators and planning look at: tickets per step, overdue, cycle time per step,
the partner's SLA per month, exporter health per store, dead outgoing work, and the counters
`/metrics` serves. One module for the dashboard (bot/web), `renkei report` and the metrics
collector, so the three always agree.

Pure reads. The exporter's table is described here as a Core table of the columns read (the
workflow does not import the exporter); a table another part has not created yet (drift
drafts) is reported as "not available", never guessed.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Column, Date, Integer, MetaData, String, Table, Text, func, inspect, select
from sqlalchemy.orm import Session

from workflow.db import UTCDateTime
from workflow.labels import step_label
from workflow.machine import OPEN_STATES, STATES, STEPS
from workflow.mapping import OPEN as DRAFT_OPEN
from workflow.mapping import MappingDraft, MappingDraftItem
from workflow.models import OutboxJob, Ticket, TicketEvent

EXPORT_BATCHES = Table(
    "export_batches", MetaData(),
    Column("id", Integer, primary_key=True), Column("company_code", String),
    Column("store_code", String), Column("kind", String), Column("business_date", Date),
    Column("revision", Integer), Column("state", String), Column("attempts", Integer),
    Column("last_error", Text), Column("created_at", UTCDateTime),
    Column("delivered_at", UTCDateTime))
LATENCY_BUCKETS = (1.0, 5.0, 30.0, 60.0, 300.0, 900.0, 3600.0, 6 * 3600.0, 24 * 3600.0)


@dataclass(frozen=True)
class StepCount:
    state: str
    label: str
    count: int


@dataclass(frozen=True)
class CycleTime:
    """How long tickets stayed in a step (hours), for stays that ended in the period."""

    state: str
    label: str
    n: int
    median_hours: float | None
    p90_hours: float | None


@dataclass(frozen=True)
class SlaMonth:
    """連携設定 finished in a month (JST): how many within their due date."""

    month: str  # YYYY-MM
    done: int
    kept: int

    @property
    def percent(self) -> float:
        return 100.0 * self.kept / self.done if self.done else 0.0


@dataclass(frozen=True)
class StoreHealth:
    company_code: str
    store_code: str
    last_delivered: date | None
    backlog: int
    dead: int
    late_revisions: int  # batches sent again as a later revision of a frozen day
    drift_items: int  # new 支払科目/値割引/客層 seen at the store, in an open drift draft


@dataclass(frozen=True)
class DeadJob:
    source: str  # "outbox" (Slack, Kintone, mail) or "export"
    id: int
    kind: str
    ticket_id: int | None
    what: str  # ticket number, or store and business date
    attempts: int
    reason: str


@dataclass(frozen=True)
class Report:
    period_from: date
    period_to: date
    counts: list[StepCount]
    overdue: int
    cycle: list[CycleTime]
    sla: list[SlaMonth]
    health: list[StoreHealth]
    dead: list[DeadJob]
    exporter_available: bool
    notes: list[str] = field(default_factory=list)


def _has(session: Session, table: str) -> bool:
    return bool(inspect(session.connection()).has_table(table))


def step_counts(session: Session) -> list[StepCount]:
    """Tickets standing at each state (the seven steps, then 差し戻し and 取消)."""
    have = {status: int(n) for status, n in session.execute(
        select(Ticket.status, func.count()).group_by(Ticket.status))}
    return [StepCount(name, step_label(name, None), have.get(name, 0)) for name in STATES]


def overdue_count(session: Session, today: date) -> int:
    """Tickets in 連携設定 past their SLA due date."""
    return int(session.scalar(select(func.count()).select_from(Ticket).where(
        Ticket.status == "partner_setup", Ticket.sla_due < today)) or 0)


def _pct(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def cycle_times(session: Session, *, start: datetime, end: datetime) -> list[CycleTime]:
    """Per step, the median and p90 stay (hours) of the stays that ended in [start, end)."""
    rows = session.execute(
        select(TicketEvent.ticket_id, TicketEvent.at, TicketEvent.from_status,
               TicketEvent.to_status)
        .where(TicketEvent.at < end).order_by(TicketEvent.ticket_id, TicketEvent.id)).all()
    stays: dict[str, list[float]] = defaultdict(list)
    entered: dict[int, tuple[str, datetime]] = {}
    for ticket_id, at, from_status, to_status in rows:
        before = entered.get(ticket_id)
        if before and from_status == before[0] and to_status != from_status and at >= start:
            stays[before[0]].append((at - before[1]).total_seconds() / 3600)
        if to_status != from_status or before is None:
            entered[ticket_id] = (to_status, at)
    out = []
    for state in STEPS[:-1]:  # the last step is where tickets end: no stay to measure
        values = sorted(stays.get(state, []))
        out.append(CycleTime(state, step_label(state, None), len(values),
                             statistics.median(values) if values else None,
                             _pct(values, 90) if values else None))
    return out


def sla_by_month(session: Session, *, start: datetime, end: datetime, tz: ZoneInfo
                 ) -> list[SlaMonth]:
    """Per month (JST) of completion, tickets whose 連携設定 ended by their due date."""
    rows = session.execute(
        select(TicketEvent.at, Ticket.sla_due).join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(TicketEvent.from_status == "partner_setup",
               TicketEvent.to_status == "setup_completed",
               TicketEvent.at >= start, TicketEvent.at < end)).all()
    done: dict[str, int] = defaultdict(int)
    kept: dict[str, int] = defaultdict(int)
    for at, due in rows:
        day = at.astimezone(tz).date()
        month = day.strftime("%Y-%m")
        done[month] += 1
        if due is None or day <= due:
            kept[month] += 1
    return [SlaMonth(month, done[month], kept[month]) for month in sorted(done)]


def store_health(session: Session) -> list[StoreHealth]:
    """Per store with export batches: last delivered business date, backlog, dead, late
    revisions, and the items of open drift drafts seen there (not yet told the partner)."""
    if not _has(session, "export_batches"):
        return []
    t = EXPORT_BATCHES
    per: dict[tuple[str, str], _Acc] = {}
    query = (select(t.c.company_code, t.c.store_code, t.c.state, func.count(),
                    func.max(t.c.business_date), func.sum((t.c.revision > 1).cast(Integer)))
             .group_by(t.c.company_code, t.c.store_code, t.c.state))
    for company, store, state, n, last, late in session.execute(query):
        acc = per.setdefault((company, store), _Acc())
        acc.late += int(late or 0)
        if state == "done":
            acc.last = last
        elif state == "pending":
            acc.backlog = int(n)
        elif state == "dead":
            acc.dead = int(n)
    drifting = open_drift_items(session)
    return [StoreHealth(c, s, a.last, a.backlog, a.dead, a.late, drifting.get((c, s), 0))
            for (c, s), a in sorted(per.items())]


def open_drift_items(session: Session) -> dict[tuple[str, str], int]:
    """(企業CD, 店舗CD) -> how many items of open drift drafts were seen at that store."""
    found: dict[tuple[str, str], int] = defaultdict(int)
    query = (select(MappingDraftItem.company_code, MappingDraftItem.stores)
             .join(MappingDraft, MappingDraft.id == MappingDraftItem.draft_id)
             .where(MappingDraft.state == DRAFT_OPEN))
    for company, stores in session.execute(query):
        for store in stores or []:
            found[(company, str(store))] += 1
    return dict(found)


@dataclass
class _Acc:
    last: date | None = None
    backlog: int = 0
    dead: int = 0
    late: int = 0


def dead_jobs(session: Session, limit: int = 200) -> list[DeadJob]:
    """Outgoing work that gave up, with its reason: outbox jobs, then export batches."""
    out = [DeadJob("outbox", j.id, j.kind, j.ticket_id,
                   f"#{j.ticket_id}" if j.ticket_id else "", j.attempts, j.last_error)
           for j in session.scalars(select(OutboxJob).where(OutboxJob.state == "dead")
                                    .order_by(OutboxJob.id).limit(limit))]
    if _has(session, "export_batches"):
        t = EXPORT_BATCHES
        for row in session.execute(select(t).where(t.c.state == "dead").order_by(t.c.id)
                                   .limit(limit)):
            out.append(DeadJob("export", row.id, row.kind, None,
                               f"{row.company_code}/{row.store_code} {row.business_date}",
                               row.attempts, row.last_error))
    return out


def day_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def report(session: Session, *, today: date, tz: ZoneInfo, period_from: date | None = None,
           period_to: date | None = None) -> Report:
    """Every figure of the dashboard and `renkei report`; the period defaults to the 90 days
    up to today (JST), both ends included."""
    period_to = period_to or today
    period_from = period_from or period_to - timedelta(days=89)
    start, end = day_start(period_from, tz), day_start(period_to + timedelta(days=1), tz)
    return Report(
        period_from=period_from, period_to=period_to, counts=step_counts(session),
        overdue=overdue_count(session, today), cycle=cycle_times(session, start=start, end=end),
        sla=sla_by_month(session, start=start, end=end, tz=tz), health=store_health(session),
        dead=dead_jobs(session), exporter_available=_has(session, "export_batches"))


# ---- counters for /metrics -------------------------------------------------------------------

@dataclass(frozen=True)
class Histogram:
    buckets: list[tuple[float, int]]  # (upper bound, cumulative count), +Inf last
    count: int
    total: float


def histogram(values: list[float], bounds: tuple[float, ...] = LATENCY_BUCKETS) -> Histogram:
    cumulative = [(b, sum(1 for v in values if v <= b)) for b in bounds]
    cumulative.append((float("inf"), len(values)))
    return Histogram(cumulative, len(values), float(sum(values)))


@dataclass(frozen=True)
class Counters:
    outbox: dict[tuple[str, str], int]  # (kind, state) -> jobs
    exports: dict[tuple[str, str], int]  # (kind, state) -> batches
    export_failures: int  # failed attempts of batches (retries and dead)
    delivery_latency: Histogram  # seconds from freezing a batch to its delivery
    tickets: dict[str, int]
    overdue: int
    open_tickets: int


def counters(session: Session, *, today: date) -> Counters:
    """What `/metrics` serves, read from the database at scrape time."""
    outbox = {(k, s): int(n) for k, s, n in session.execute(
        select(OutboxJob.kind, OutboxJob.state, func.count())
        .group_by(OutboxJob.kind, OutboxJob.state))}
    exports: dict[tuple[str, str], int] = {}
    failures = 0
    latencies: list[float] = []
    if _has(session, "export_batches"):
        t = EXPORT_BATCHES
        exports = {(k, s): int(n) for k, s, n in session.execute(
            select(t.c.kind, t.c.state, func.count()).group_by(t.c.kind, t.c.state))}
        failures = int(session.scalar(select(func.coalesce(func.sum(
            t.c.attempts - (t.c.state == "done").cast(Integer)), 0))) or 0)
        latencies = [max(0.0, (done - made).total_seconds()) for made, done in session.execute(
            select(t.c.created_at, t.c.delivered_at).where(t.c.delivered_at.is_not(None)))]
    tickets = {c.state: c.count for c in step_counts(session)}
    return Counters(outbox=outbox, exports=exports, export_failures=max(0, failures),
                    delivery_latency=histogram(latencies), tickets=tickets,
                    overdue=overdue_count(session, today),
                    open_tickets=sum(tickets[s] for s in OPEN_STATES))
