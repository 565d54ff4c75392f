"""The mapping registry: what the partner has been told (支払科目 / 値割引 / 客層), per company.

Seed 1-3: USEN Reji has no mapping-update function, so every 支払科目, 値割引 or 客層 a store
starts using must reach the partner as a 設定変更. The registry records what was told, when and
by which ticket:
- a 新規・増店 ticket reaching 設定完了 (or a store linked outside a ticket) tells the masters
  of its stores at that moment;
- a 設定変更 ticket reaching 設定完了 tells its added items (ticket.additions), matched to
  master codes by NFKC-normalised name; an item with no match is kept by name.
Drift (exporter.drift) compares the register data with the registry and opens a draft per
company: `MappingDraft`, whose items (`MappingDraftItem`) are unique per company, type and
code, so the same item is never drafted twice. The workflow does not read register data: the
masters come through a `MasterSource` the composition root passes in.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from workflow import outbox
from workflow.db import Base, UTCDateTime, utcnow
from workflow.errors import AlreadyMoved, FieldError, NotFound, ValidationFailed

PAYMENT, DISCOUNT, SEGMENT = "payment", "discount", "segment"
ITEM_TYPES = (PAYMENT, DISCOUNT, SEGMENT)
TYPE_LABELS = {PAYMENT: "支払科目", DISCOUNT: "値割引", SEGMENT: "客層"}
# how an entry was told: a 新規・増店 / 設定変更 reaching 設定完了, or stores linked outside one
SOURCE_LABELS = {"new": "新規・増店", "change": "設定変更", "link": "店舗連携（依頼外）"}
# ticket.additions field -> item type (workflow.forms CHANGE_LIST_FIELDS)
ADDITION_TYPES = {"payment_items": PAYMENT, "discounts": DISCOUNT, "customer_segments": SEGMENT}
OPEN, FILED, IGNORED = "open", "filed", "ignored"
DRAFT_JOB = "mapping.draft"  # outbox: post (or update) the draft in the requests channel


def norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


@dataclass(frozen=True)
class MasterItem:
    """One master entry of a store (or of the company when store_code is "")."""

    item_type: str
    code: str
    name: str
    store_code: str = ""
    since: date | None = None


class MasterSource(Protocol):
    """Reads the register masters of a company's stores (store_codes None: all)."""

    def __call__(self, session: Session, company_code: str,
                 store_codes: Sequence[str] | None) -> list[MasterItem]: ...


class MappingEntry(Base):
    """One item the partner has been told; `code` "" when only its name is known."""

    __tablename__ = "mapping_entries"
    __table_args__ = (UniqueConstraint("company_code", "item_type", "code", "norm_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_code: Mapped[str] = mapped_column(String(20), index=True)  # USEN 企業CD
    item_type: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(10), default="")
    name: Mapped[str] = mapped_column(String(100))
    norm_name: Mapped[str] = mapped_column(String(100))
    told_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(10))  # new | change | link


class MappingDraft(Base):
    """A 設定変更 renkei prepared from drift, one open per company at most."""

    __tablename__ = "mapping_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_code: Mapped[str] = mapped_column(String(20), index=True)
    company_name: Mapped[str] = mapped_column(String(200), default="")
    customer_code: Mapped[str] = mapped_column(String(20), default="")
    requester: Mapped[str | None] = mapped_column(String(64))  # of the company's latest ticket
    state: Mapped[str] = mapped_column(String(8), default=OPEN, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")  # why 対象外 (the audit of ignore)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    slack_channel: Mapped[str | None] = mapped_column(String(64))
    slack_ts: Mapped[str | None] = mapped_column(String(32))

    items: Mapped[list[MappingDraftItem]] = relationship(
        back_populates="draft", order_by="MappingDraftItem.id", cascade="all, delete-orphan")


class MappingDraftItem(Base):
    """An item drift found; unique per company, type and code: never drafted twice."""

    __tablename__ = "mapping_draft_items"
    __table_args__ = (UniqueConstraint("company_code", "item_type", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("mapping_drafts.id", ondelete="CASCADE"),
                                          index=True)
    company_code: Mapped[str] = mapped_column(String(20))
    item_type: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100))
    stores: Mapped[list[str]] = mapped_column(JSON, default=list)  # USEN 店舗CD where seen
    since: Mapped[date] = mapped_column(Date)  # first business date seen

    draft: Mapped[MappingDraft] = relationship(back_populates="items")


# ---- the registry --------------------------------------------------------------------------
def tell(session: Session, company_code: str, items: Iterable[tuple[str, str, str]], *,
         source: str, ticket_id: int | None = None, at: datetime | None = None) -> int:
    """Record (item_type, code, name) as told; known ones are skipped. Returns how many."""
    known = {(e.item_type, e.code, e.norm_name) for e in entries(session, company_code)}
    known_codes = {(t, c) for t, c, _ in known if c}
    added = 0
    for item_type, code, name in items:
        code, key = norm(code), norm(name)
        if (code and (item_type, code) in known_codes) or (item_type, code, key) in known:
            continue
        session.add(MappingEntry(company_code=company_code, item_type=item_type, code=code,
                                 name=norm(name), norm_name=key, told_at=at or utcnow(),
                                 ticket_id=ticket_id, source=source))
        known.add((item_type, code, key))
        if code:
            known_codes.add((item_type, code))
        added += 1
    session.flush()
    return added


def seed_from_masters(session: Session, company_code: str, masters: Sequence[MasterItem], *,
                      source: str, ticket_id: int | None = None,
                      at: datetime | None = None) -> int:
    """新規・増店 設定完了 or a link outside a ticket: the masters of that moment are told."""
    return tell(session, company_code, ((m.item_type, m.code, m.name) for m in masters),
                source=source, ticket_id=ticket_id, at=at)


def extend_from_additions(session: Session, company_code: str,
                          additions: Mapping[str, Sequence[str]],
                          masters: Sequence[MasterItem], *, ticket_id: int | None,
                          at: datetime | None = None) -> int:
    """設定変更 設定完了: its added items, matched to master codes by NFKC name."""
    by_name = {(m.item_type, norm(m.name)): m.code for m in masters}
    items = []
    for field, item_type in ADDITION_TYPES.items():
        for name in additions.get(field, []):
            items.append((item_type, by_name.get((item_type, norm(name)), ""), name))
    return tell(session, company_code, items, source="change", ticket_id=ticket_id, at=at)


def entries(session: Session, company_code: str | None = None) -> list[MappingEntry]:
    query = select(MappingEntry).order_by(MappingEntry.company_code, MappingEntry.item_type,
                                          MappingEntry.code, MappingEntry.id)
    if company_code is not None:
        query = query.where(MappingEntry.company_code == company_code)
    return list(session.scalars(query))


@dataclass(frozen=True)
class Known:
    """What drift must not report for one company: told codes, told names, drafted codes."""

    codes: set[tuple[str, str]]
    names: set[tuple[str, str]]
    drafted: set[tuple[str, str]]

    def is_new(self, item_type: str, code: str, name: str) -> bool:
        return ((item_type, code) not in self.codes and (item_type, code) not in self.drafted
                and (item_type, norm(name)) not in self.names)


def known(session: Session, company_codes: Sequence[str]) -> dict[str, Known]:
    """Per company, what is told or drafted already (one query per table)."""
    out = {c: Known(set(), set(), set()) for c in company_codes}
    wanted = set(company_codes)
    for e in session.execute(select(MappingEntry.company_code, MappingEntry.item_type,
                                    MappingEntry.code, MappingEntry.norm_name)):
        if e.company_code in wanted:
            k = out[e.company_code]
            if e.code:
                k.codes.add((e.item_type, e.code))
            k.names.add((e.item_type, e.norm_name))
    for d in session.execute(select(MappingDraftItem.company_code, MappingDraftItem.item_type,
                                    MappingDraftItem.code)):
        if d.company_code in wanted:
            out[d.company_code].drafted.add((d.item_type, d.code))
    return out


def tell_at_setup(session: Session, ticket: Any, masters: MasterSource | None, *,
                  at: datetime) -> int:
    """設定完了 of `ticket`: 新規・増店 tells its stores' masters, 設定変更 its additions."""
    stores = [s.store_code for s in ticket.stores]
    found = masters(session, ticket.company_code, None if ticket.kind == "change" else stores) \
        if masters is not None else []
    if ticket.kind == "change":
        return extend_from_additions(session, ticket.company_code, ticket.additions or {},
                                     found, ticket_id=ticket.id, at=at)
    return seed_from_masters(session, ticket.company_code, found, source="new",
                             ticket_id=ticket.id, at=at)


# ---- drafts -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SeenItem:
    """An item drift found in a company's data or masters, not told to the partner."""

    item_type: str
    code: str
    name: str
    stores: tuple[str, ...]
    since: date


def add_to_draft(session: Session, *, company_code: str, company_name: str,
                 customer_code: str, requester: str | None,
                 items: Sequence[SeenItem]) -> MappingDraft | None:
    """The company's open draft (created when there is none) gets `items`; the message job is
    enqueued in the same transaction. None when nothing is added."""
    if not items:
        return None
    draft = session.scalar(select(MappingDraft).where(
        MappingDraft.company_code == company_code, MappingDraft.state == OPEN))
    if draft is None:
        draft = MappingDraft(company_code=company_code, company_name=company_name,
                             customer_code=customer_code, requester=requester, state=OPEN)
        session.add(draft)
    for item in items:
        draft.items.append(MappingDraftItem(
            company_code=company_code, item_type=item.item_type, code=item.code,
            name=item.name, stores=list(item.stores), since=item.since))
    session.flush()
    outbox.enqueue(session, kind=DRAFT_JOB, dedupe_key=f"{DRAFT_JOB}:{draft.id}:{len(draft.items)}",
                   payload={"draft_id": draft.id})
    return draft


def get_draft(session: Session, draft_id: int) -> MappingDraft:
    draft = session.get(MappingDraft, draft_id)
    if draft is None:
        raise NotFound(f"設定変更の下書き {draft_id} はありません")
    return draft


def _close(session: Session, draft_id: int, state: str, actor: str, *,
           ticket_id: int | None = None, reason: str = "") -> MappingDraft:
    draft = get_draft(session, draft_id)
    if draft.state != OPEN:
        done = "依頼済み" if draft.state == FILED else "対象外"
        raise AlreadyMoved(f"この下書きはすでに{done}です（{draft.closed_by}）",
                           status=draft.state, by=draft.closed_by)
    draft.state, draft.closed_by, draft.closed_at = state, actor, utcnow()
    draft.ticket_id, draft.reason = ticket_id, reason
    session.flush()
    outbox.enqueue(session, kind=DRAFT_JOB, dedupe_key=f"{DRAFT_JOB}:{draft.id}:{state}",
                   payload={"draft_id": draft.id})
    return draft


def file_draft(session: Session, draft_id: int, *, ticket_id: int, actor: str) -> MappingDraft:
    """The draft became a 設定変更 ticket: closed, its items stay drafted."""
    return _close(session, draft_id, FILED, actor, ticket_id=ticket_id)


def ignore_draft(session: Session, draft_id: int, *, reason: str, actor: str) -> MappingDraft:
    """対象外: closed with the reason (kept on the draft as its audit); items stay drafted."""
    if not norm(reason):
        raise ValidationFailed([FieldError("reason", "対象外にする理由を入力してください")])
    return _close(session, draft_id, IGNORED, actor, reason=norm(reason))


def drafts(session: Session, *, state: str | None = OPEN) -> list[MappingDraft]:
    query = select(MappingDraft).order_by(MappingDraft.id)
    if state is not None:
        query = query.where(MappingDraft.state == state)
    return list(session.scalars(query))


def additions_of(draft: MappingDraft) -> dict[str, list[str]]:
    """The draft's items as a 設定変更 form's additions (names, per field)."""
    out: dict[str, list[str]] = {field: [] for field in ADDITION_TYPES}
    field_of = {t: f for f, t in ADDITION_TYPES.items()}
    for item in draft.items:
        out[field_of[item.item_type]].append(item.name)
    return out


def draft_payload(draft: MappingDraft) -> dict[str, Any]:
    """A plain view of a draft for adapters and the CLI's --json."""
    return {"id": draft.id, "company_code": draft.company_code,
            "company_name": draft.company_name, "customer_code": draft.customer_code,
            "requester": draft.requester, "state": draft.state,
            "created_at": draft.created_at.isoformat(), "ticket_id": draft.ticket_id,
            "reason": draft.reason, "closed_by": draft.closed_by,
            "items": [{"item_type": i.item_type, "label": TYPE_LABELS[i.item_type],
                       "code": i.code, "name": i.name, "stores": list(i.stores),
                       "since": i.since.isoformat()} for i in draft.items]}
