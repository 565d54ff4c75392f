"""App Home: my open tickets, counts per step, overdue tickets; each line links to the
ticket's message. Pure: data in, a `views.publish` view out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot import messages as m
from bot.slack import limits
from bot.slack.views import Block, _context, _header, _md
from bot.slack.views_text import line_sections, ticket_line
from workflow.labels import step_label
from workflow.machine import STEPS
from workflow.schemas import TicketView

MAX_LINES = 30
RETRY_ALL_ACTION = "renkei_home_retry_dead"  # planning: requeue every dead job
DASHBOARD_ACTION = "open_dashboard"  # a link button: Slack still sends the press, to be acked
# What one list of the Home tab may take: a few sections, so the three lists fit the tab.
LIST_BUDGET = 2 * limits.SECTION_TEXT


@dataclass(frozen=True)
class HomeData:
    """What one user's App Home shows; `everyone` only for planning."""

    mine: Sequence[TicketView]
    counts: Mapping[str, int]  # status -> number of tickets (the seven steps)
    overdue: Sequence[TicketView]
    everyone: Sequence[TicketView] | None = None
    counts_are_mine: bool = False
    updated: str = ""
    dashboard_url: str | None = None  # planning's signed link to the web dashboard (1 hour)
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


def _lines(tickets: Sequence[TicketView], more: str) -> list[Block]:
    """A list of tickets: what fits, then 「ほかN件は <more> で」."""
    if not tickets:
        return [_md(m.LIST_EMPTY)]
    return line_sections([linked_line(t) for t in tickets], more=more, budget=LIST_BUDGET,
                         limit=MAX_LINES)


def counts_text(counts: Mapping[str, int]) -> str:
    # The counts cover both kinds: step 3 shows both of the seed's names (設定依頼書／設定情報).
    return "　".join(m.home_count(step_label(s, None), counts.get(s, 0)) for s in STEPS)


def home_view(data: HomeData) -> dict[str, Any]:
    """The Home tab of one user."""
    title = m.HOME_COUNTS_MINE if data.counts_are_mine else m.HOME_COUNTS
    blocks: list[Block] = [_header(m.HOME_TITLE)]
    if data.dead_jobs:
        blocks.append({**_md(m.home_dead(data.dead_jobs)), "accessory": {
            "type": "button", "action_id": RETRY_ALL_ACTION, "value": "dead",
            "text": {"type": "plain_text", "text": m.HOME_RETRY_ALL}}})
    blocks += [
        _md(f"*{m.HOME_MINE}*"), *_lines(data.mine, m.HOME_MORE_MINE),
        {"type": "divider"},
        _md(f"*{title}*\n{counts_text(data.counts)}"),
        {"type": "divider"},
        _md(f"*{m.HOME_OVERDUE}*"),
        *_lines(data.overdue, m.HOME_MORE_OVERDUE),
    ]
    if data.everyone is not None:
        blocks += [{"type": "divider"}, _md(f"*{m.HOME_OPEN}*"),
                   *_lines(data.everyone, m.HOME_MORE_OPEN)]
    if data.dashboard_url:
        blocks.append({"type": "actions", "elements": [{
            "type": "button", "action_id": DASHBOARD_ACTION, "url": data.dashboard_url,
            "text": {"type": "plain_text", "text": m.DASHBOARD_BUTTON}}]})
    if data.updated:
        blocks.append(_context(m.home_updated(data.updated)))
    return {"type": "home", "blocks": blocks}


def external_home() -> dict[str, Any]:
    """The Home tab of a user of another workspace: a short note and nothing else."""
    return {"type": "home", "blocks": [_md(m.EXTERNAL_HOME)]}
