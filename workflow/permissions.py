"""Who may act on a ticket beyond the role table: the one rule that the requester and
planning share (Kintone依頼, 取消, the customer's contact)."""

from __future__ import annotations

from typing import Protocol

from workflow.schemas import Actor


class HasRequester(Protocol):
    @property
    def requester(self) -> str: ...


def requester_or_planning(ticket: HasRequester, actor: Actor) -> bool:
    """True for planning staff (USEN企画) and for the sales rep who filed the ticket."""
    return actor.role == "planning" or actor.id == ticket.requester
