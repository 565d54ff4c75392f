"""App Home: my open tickets, counts per step, overdue tickets; each line links to the
ticket's message. Pure: data in, a `views.publish` view out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot import messages as m
from bot.slack.views import Block, _context, _header, _md, ticket_line
from workflow.machine import STATE_LABELS, STEPS
from workflow.schemas import TicketView

MAX_LINES = 30


@dataclass(frozen=True)
class HomeData:
    """What one user's App Home shows; `everyone` only for planning."""

    mine: Sequence[TicketView]
    counts: Mapping[str, int]  # status -> number of tickets (the seven steps)
    overdue: Sequence[TicketView]
    everyone: Sequence[TicketView] | None = None
    counts_are_mine: bool = False
    updated: str = ""
    dead_jobs: int = 0  # outgoing work that could not go out (planning only)


def message_link(t: TicketView) -> str | None:
    """The ticket message's permalink, built from channel + ts (no API call):
    https://slack.com/archives/C…/p<ts without the dot>."""
    if not t.slack_channel or not t.slack_ts:
        return None
    return f"https://slack.com/archives/{t.slack_channel}/p{t.slack_ts.replace('.', '')}"


def linked_line(t: TicketView) -> str:
    """A ticket's list line whose number links to its message."""
    line = ticket_line(t)
    link = message_link(t)
    return line.replace(f"*#{t.id}*", f"*<{link}|#{t.id}>*", 1) if link else line


def _lines(tickets: Sequence[TicketView]) -> Block:
    text = "\n".join(linked_line(t) for t in tickets[:MAX_LINES]) or m.LIST_EMPTY
    return _md(text)


def counts_text(counts: Mapping[str, int]) -> str:
    return "　".join(m.home_count(STATE_LABELS[s], counts.get(s, 0)) for s in STEPS)


def home_view(data: HomeData) -> dict[str, Any]:
    """The Home tab of one user."""
    title = m.HOME_COUNTS_MINE if data.counts_are_mine else m.HOME_COUNTS
    blocks: list[Block] = [_header(m.HOME_TITLE)]
    if data.dead_jobs:
        blocks.append(_md(m.home_dead(data.dead_jobs)))
    blocks += [
        _md(f"*{m.HOME_MINE}*"), _lines(data.mine),
        {"type": "divider"},
        _md(f"*{title}*\n{counts_text(data.counts)}"),
        {"type": "divider"},
        _md(f"*{m.HOME_OVERDUE}*"),
        _md("\n".join(f"{linked_line(t)}" for t in data.overdue[:MAX_LINES])
            or m.LIST_EMPTY),
    ]
    if data.everyone is not None:
        blocks += [{"type": "divider"}, _md(f"*{m.HOME_OPEN}*"), _lines(data.everyone)]
    if data.updated:
        blocks.append(_context(m.home_updated(data.updated)))
    return {"type": "home", "blocks": blocks}
