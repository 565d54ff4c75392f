"""Walking a ticket along the happy path from wherever it stands (tests.factories.walk_to
starts from 連携希望を連絡 only)."""

from __future__ import annotations

from typing import Any

from workflow import machine
from workflow.linkage import StoreLink
from workflow.service import Workflow


def walk_on(wf: Workflow, ticket_id: int, status: str) -> None:
    """tests.factories.walk_to, continued from wherever the ticket stands."""
    planner = wf.actor("kikaku", "企画 佐藤")
    while wf.get(ticket_id).status != status:
        view = wf.get(ticket_id)
        action = machine.triggers_from(view.status)[0]  # the happy path comes first
        extra: dict[str, Any] = {}
        if action == "complete_setup":
            today = wf.today()
            extra = {"makasete_company_code": "12345",
                     "links": [StoreLink(s.code, f"6789{i}", today,
                                         today.replace(year=today.year + 1))
                               for i, s in enumerate(view.stores)]}
        wf.advance(ticket_id, action, actor=planner, **extra)
