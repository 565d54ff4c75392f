"""Outgoing work that could not go out, as the ticket message shows it: one line per dead job
with the reason in Japanese (bot/integrations/failures.py) and the retry button for planning.
Pure: data in, blocks out."""

from __future__ import annotations

from bot import messages as m
from bot.integrations.failures import reason
from workflow.schemas import TicketView

RETRY = "outbox_retry"  # the trigger after ACTION_PREFIX; handled by Handlers.press

Block = dict[str, object]


def dead_lines(t: TicketView) -> list[str]:
    """「送信できませんでした: <what>（<why>）」 for each dead job of the ticket."""
    return [m.dead_line(m.job_label(j.kind, t.kind), reason(j.code)) for j in t.dead_jobs]


def dead_blocks(t: TicketView, action_prefix: str) -> list[Block]:
    if not t.dead_jobs:
        return []
    text = "\n".join(dead_lines(t))[:2900]
    return [{"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {"type": "actions", "block_id": "outbox_retry", "elements": [{
                "type": "button", "action_id": action_prefix + RETRY, "style": "danger",
                "text": {"type": "plain_text", "text": m.OUTBOX_RETRY_BUTTON},
                "value": f"{t.id}::"}]}]
