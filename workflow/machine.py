"""The seven steps of the seed (1-2 / 1-3) as ONE declarative table, plus 差し戻し and 取消.

Read TRANSITIONS as the diagram: each row is a button somebody may press. `roles` says who,
`guards` names the checks `workflow.service` runs before the move (each with a Japanese
message). The `transitions` library enforces the source states; side effects never run in
its callbacks (it has no rollback): the service writes them to the outbox in the same
transaction instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from threading import Lock
from typing import Any

from transitions import Machine, MachineError

# "partner" is ジャストプランニング, acting through its signed link (bot/web), never in Slack.
ROLES = ("sales", "planning", "customer", "partner")
ROLE_LABELS = {"sales": "営業", "planning": "USEN企画", "customer": "お客様",
               "partner": "ジャストプランニング", "system": "システム"}

# (state, 日本語 label of the seed step)
STATES: list[tuple[str, str]] = [
    ("contacted", "連携希望を連絡"),
    ("kintone_requested", "Kintone依頼"),
    ("spec_sent", "設定依頼書送付"),
    ("partner_setup", "連携設定"),
    ("setup_completed", "設定完了連絡"),
    ("customer_notified", "お客様へご連絡"),
    ("verified", "連携の確認"),
    ("returned", "差し戻し"),
    ("cancelled", "取消"),
]
STATE_LABELS = dict(STATES)
STEPS = [name for name, _ in STATES[:7]]  # the progress line: the seven steps in order
TERMINAL = {"verified", "cancelled"}
OPEN_STATES = [name for name, _ in STATES if name not in TERMINAL]

_BEFORE_SETUP = ["contacted", "kintone_requested", "spec_sent"]
_NOT_DONE = list(OPEN_STATES)

TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "request_kintone", "source": "contacted", "dest": "kintone_requested",
     "roles": ("sales", "planning"), "guards": ("requester_or_planning",),
     "label": "Kintone依頼済みにする"},
    {"trigger": "send_spec", "source": "kintone_requested", "dest": "spec_sent",
     "roles": ("planning",), "guards": (), "label": "設定依頼書を送付"},
    {"trigger": "start_setup", "source": "spec_sent", "dest": "partner_setup",
     "roles": ("planning",), "guards": (), "label": "連携設定を開始"},
    {"trigger": "complete_setup", "source": "partner_setup", "dest": "setup_completed",
     "roles": ("planning", "partner"), "guards": ("stores_linked",),
     "label": "設定完了を記録"},
    {"trigger": "notify_customer", "source": "setup_completed", "dest": "customer_notified",
     "roles": ("planning",), "guards": (), "label": "お客様へ連絡済みにする"},
    {"trigger": "verify", "source": "customer_notified", "dest": "verified",
     "roles": ("customer", "planning", "system"), "guards": (),
     "label": "データ連携を確認しました"},
    {"trigger": "send_back", "source": _BEFORE_SETUP, "dest": "returned",
     "roles": ("planning",), "guards": ("has_note",), "label": "差し戻す"},
    {"trigger": "resubmit", "source": "returned", "dest": "contacted",
     "roles": ("sales",), "guards": ("is_requester",), "label": "修正して再提出"},
    {"trigger": "cancel", "source": _NOT_DONE, "dest": "cancelled",
     "roles": ("sales", "planning"), "guards": ("requester_or_planning",), "label": "取り消す"},
]
TRIGGERS = {row["trigger"]: row for row in TRANSITIONS}
ACTION_LABELS = {row["trigger"]: row["label"] for row in TRANSITIONS}


@dataclass(frozen=True)
class Move:
    """One row of the table as the service needs it."""

    trigger: str
    dest: str
    roles: tuple[str, ...]
    guards: tuple[str, ...]
    label: str


def sources(row: dict[str, Any]) -> list[str]:
    src = row["source"]
    return list(src) if isinstance(src, list) else [src]


def move(trigger: str) -> Move | None:
    row = TRIGGERS.get(trigger)
    if row is None:
        return None
    return Move(row["trigger"], row["dest"], tuple(row["roles"]), tuple(row["guards"]),
                row["label"])


def triggers_from(status: str) -> list[str]:
    """Every trigger whose source is `status`, in table order."""
    return [row["trigger"] for row in TRANSITIONS if status in sources(row)]


def _machine_transitions() -> list[dict[str, Any]]:
    return [{"trigger": r["trigger"], "source": r["source"], "dest": r["dest"]}
            for r in TRANSITIONS]


MACHINE = Machine(
    model=None,
    states=[name for name, _ in STATES],
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
    for name, label in STATES:
        lines.append(f"    {name} : {name} ({label})")
    for row in TRANSITIONS:
        who = "/".join(r for r in row["roles"] if r != "system")
        for src in sources(row):
            lines.append(f"    {src} --> {row['dest']} : {row['trigger']} [{who}]")
    lines.append("    verified --> [*]")
    lines.append("    cancelled --> [*]")
    return "\n".join(lines) + "\n"


__all__ = ["MACHINE", "MachineError", "attached", "fire", "mermaid", "move", "triggers_from"]
