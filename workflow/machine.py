"""The seven steps of the seed (1-2 / 1-3) as ONE declarative table, plus 差し戻し and 取消.

Read TRANSITIONS as the diagram: each row is a button somebody may press. `roles` says who,
`guards` names checks in GUARDS below (small functions, each with its Japanese message);
ON_ENTER lists what entering a state sets on the ticket. The `transitions` library enforces
the source states; side effects never run in its callbacks (it has no rollback): the service
writes them to the outbox in the same transaction instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from threading import Lock
from typing import Any

from sqlalchemy.orm import Session
from transitions import Machine, MachineError

from workflow import mapping, permissions, registry
from workflow.calendar import BusinessCalendar
from workflow.errors import FieldError, NotAllowed, RenkeiError, ValidationFailed
from workflow.labels import STEP_LABELS, action_label, step_label

# "partner" is ジャストプランニング, acting through its signed link (bot/web), never in Slack.
ROLES = ("sales", "planning", "customer", "partner")

STATES: list[str] = list(STEP_LABELS)  # the seven steps of the seed, then 差し戻し and 取消
STEPS = STATES[:7]  # the progress line: the seven steps in order
TERMINAL = {"verified", "cancelled"}
OPEN_STATES = [name for name in STATES if name not in TERMINAL]

_BEFORE_SETUP = ["contacted", "kintone_requested", "spec_sent"]
_NOT_DONE = list(OPEN_STATES)

# Labels of states and buttons live in workflow/labels.py (per kind, in the seed's words).
TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "request_kintone", "source": "contacted", "dest": "kintone_requested",
     "roles": ("sales", "planning"), "guards": ("requester_or_planning",)},
    {"trigger": "send_spec", "source": "kintone_requested", "dest": "spec_sent",
     "roles": ("planning",), "guards": ()},
    {"trigger": "start_setup", "source": "spec_sent", "dest": "partner_setup",
     "roles": ("planning",), "guards": ()},
    {"trigger": "complete_setup", "source": "partner_setup", "dest": "setup_completed",
     "roles": ("planning", "partner"), "guards": ("stores_linked",)},
    {"trigger": "notify_customer", "source": "setup_completed", "dest": "customer_notified",
     "roles": ("planning",), "guards": ()},
    {"trigger": "verify", "source": "customer_notified", "dest": "verified",
     "roles": ("customer", "planning", "system"), "guards": ()},
    {"trigger": "send_back", "source": _BEFORE_SETUP, "dest": "returned",
     "roles": ("planning",), "guards": ("has_note",)},
    {"trigger": "resubmit", "source": "returned", "dest": "contacted",
     "roles": ("sales",), "guards": ("is_requester",)},
    {"trigger": "cancel", "source": _NOT_DONE, "dest": "cancelled",
     "roles": ("sales", "planning"), "guards": ("requester_or_planning", "has_note")},
]
TRIGGERS = {row["trigger"]: row for row in TRANSITIONS}


# ---- guards: small checks named by the table's rows ---------------------------------------
@dataclass(frozen=True)
class GuardContext:
    """What a guard may look at: the ticket, who acts, the note, and (on a move) the session."""

    trigger: str
    ticket: Any  # a Ticket or a TicketView: requester, company_code, store codes
    actor: Any  # an Actor: id, role
    note: str = ""
    session: Session | None = None


def _store_codes(ticket: Any) -> list[str]:
    return [getattr(s, "store_code", None) or s.code for s in ticket.stores]


def has_note(ctx: GuardContext) -> RenkeiError | None:
    if ctx.note.strip():
        return None
    what = "取り消し" if ctx.trigger == "cancel" else "差し戻し"
    return ValidationFailed([FieldError("note", f"{what}の理由を入力してください")])


def is_requester(ctx: GuardContext) -> RenkeiError | None:
    if ctx.actor.id == ctx.ticket.requester:
        return None
    return NotAllowed("再提出できるのは依頼者ご本人のみです")


def requester_or_planning(ctx: GuardContext) -> RenkeiError | None:
    if permissions.requester_or_planning(ctx.ticket, ctx.actor):
        return None
    label = action_label(ctx.trigger, getattr(ctx.ticket, "kind", "new"))
    return NotAllowed(f"「{label}」は依頼者ご本人かUSEN企画のみ操作できます")


def stores_linked(ctx: GuardContext) -> RenkeiError | None:
    if ctx.session is None:
        return None
    missing = registry.all_linked(ctx.session, ctx.ticket.company_code, _store_codes(ctx.ticket))
    if not missing:
        return None
    return ValidationFailed([FieldError(
        "makasete_store_code",
        "設定完了の前に、まかせてネット企業コードと各店舗のまかせてネット店舗コード・"
        f"連携開始日・連携終了日を登録してください（未登録の店舗: {'、'.join(missing)}）")])


@dataclass(frozen=True)
class Guard:
    """A named check. `who` guards decide whether the actor sees the button at all; the others
    check what comes with the press (a note, the recorded linkage)."""

    check: Callable[[GuardContext], RenkeiError | None]
    who: bool = False


GUARDS: dict[str, Guard] = {
    "has_note": Guard(has_note),
    "is_requester": Guard(is_requester, who=True),
    "requester_or_planning": Guard(requester_or_planning, who=True),
    "stores_linked": Guard(stores_linked),
}


def may_press(trigger: str, ticket: Any, actor: Any) -> bool:
    """True when `actor` may see `trigger`'s button on `ticket`: role and `who` guards."""
    row = TRIGGERS[trigger]
    if actor.role not in row["roles"]:
        return False
    ctx = GuardContext(trigger, ticket, actor)
    return all(GUARDS[g].check(ctx) is None for g in row["guards"] if GUARDS[g].who)


def check_guards(ctx: GuardContext) -> None:
    """Raise the first guard's error of the move `ctx.trigger`, in table order."""
    for name in TRIGGERS[ctx.trigger]["guards"]:
        error = GUARDS[name].check(ctx)
        if error is not None:
            raise error


# ---- on-enter effects: what a state sets on the ticket when it is entered -----------------
@dataclass(frozen=True)
class EnterContext:
    ticket: Any  # the Ticket row being moved
    note: str
    today: date
    calendar: BusinessCalendar
    sla_days: int  # 連携設定's business days for this ticket's store count
    session: Session | None = None  # the move's transaction (effects that write rows)
    masters: mapping.MasterSource | None = None  # the register's masters (mapping registry)
    at: datetime | None = None  # the move's time


def start_sla(ctx: EnterContext) -> None:
    ctx.ticket.sla_due = ctx.calendar.add_business_days(ctx.today, ctx.sla_days)
    ctx.ticket.last_reminder_at = None


def keep_return_reason(ctx: EnterContext) -> None:
    ctx.ticket.return_reason = ctx.note


def clear_return_reason(ctx: EnterContext) -> None:
    ctx.ticket.return_reason = None


def tell_mappings(ctx: EnterContext) -> None:
    # 設定完了: what the partner now knows (masters of new stores, a change's additions).
    if ctx.session is not None and ctx.at is not None:
        mapping.tell_at_setup(ctx.session, ctx.ticket, ctx.masters, at=ctx.at)


ON_ENTER: dict[str, tuple[Callable[[EnterContext], None], ...]] = {
    "partner_setup": (start_sla,),
    "setup_completed": (tell_mappings,),
    "returned": (keep_return_reason,),
    "contacted": (clear_return_reason,),
}


def enter(ctx: EnterContext) -> None:
    """Run the on-enter effects of the state the ticket just entered."""
    for effect in ON_ENTER.get(ctx.ticket.status, ()):
        effect(ctx)


@dataclass(frozen=True)
class Move:
    """One row of the table as the service needs it."""

    trigger: str
    dest: str
    roles: tuple[str, ...]
    guards: tuple[str, ...]

    def label(self, kind: str | None = "new") -> str:
        return action_label(self.trigger, kind)


def sources(row: dict[str, Any]) -> list[str]:
    src = row["source"]
    return list(src) if isinstance(src, list) else [src]


def move(trigger: str) -> Move | None:
    row = TRIGGERS.get(trigger)
    if row is None:
        return None
    return Move(row["trigger"], row["dest"], tuple(row["roles"]), tuple(row["guards"]))


def triggers_from(status: str) -> list[str]:
    """Every trigger whose source is `status`, in table order."""
    return [row["trigger"] for row in TRANSITIONS if status in sources(row)]


def _machine_transitions() -> list[dict[str, Any]]:
    return [{"trigger": r["trigger"], "source": r["source"], "dest": r["dest"]}
            for r in TRANSITIONS]


MACHINE = Machine(
    model=None,
    states=STATES,
    transitions=_machine_transitions(),
    initial="contacted",
    model_attribute="status",
    auto_transitions=False,
    send_event=True,
)


_MACHINE_LOCK = Lock()  # the shared machine's model list is not thread-safe


@contextmanager
def attached(ticket: Any) -> Iterator[Any]:
    """Attach a ticket to the shared machine at its current status; always detach after."""
    with _MACHINE_LOCK:
        MACHINE.add_model(ticket, initial=ticket.status)
        try:
            yield ticket
        finally:
            MACHINE.remove_model(ticket)


def fire(ticket: Any, trigger: str) -> None:
    """Move `ticket` by `trigger`; MachineError if the table has no such move from its status."""
    with attached(ticket):
        ticket.trigger(trigger)


def mermaid() -> str:
    """The state diagram, generated from the table (README embeds it verbatim)."""
    lines = ["stateDiagram-v2", "    [*] --> contacted"]
    for name in STATES:
        # 設定変更 spells step 3 設定情報送付 (seed 1-3): the diagram shows both spellings.
        lines.append(f"    {name} : {name} ({step_label(name, None)})")
    for row in TRANSITIONS:
        who = "/".join(r for r in row["roles"] if r != "system")
        for src in sources(row):
            lines.append(f"    {src} --> {row['dest']} : {row['trigger']} [{who}]")
    lines.append("    verified --> [*]")
    lines.append("    cancelled --> [*]")
    return "\n".join(lines) + "\n"


__all__ = ["GUARDS", "MACHINE", "ON_ENTER", "MachineError", "attached",
           "check_guards", "enter", "fire", "may_press", "mermaid", "move", "triggers_from"]
