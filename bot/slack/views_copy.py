"""Texts people copy, as Slack messages: whole, in labelled parts when long.

A text that fits one section goes out as one code block, as before. A longer one is cut by
`split.split_text` at line ends into parts of `PART_CHARS` (escaped), each its own section
labelled （1/3）, （2/3）…, at most `PARTS_PER_MESSAGE` a message so every message stays within
Slack's limits (`limits.MESSAGE_TEXT_BUDGET`); the senders then attach the whole text as a
.txt file too (`needs_file`). Pure functions: data in, dicts out.
"""

from __future__ import annotations

from typing import Any

from bot import messages as m
from bot.slack import limits
from bot.slack.split import escape_mrkdwn, mrkdwn_cost, split_text

Block = dict[str, Any]
Message = tuple[str, list[Block]]  # (top-level fallback text, blocks)
LABEL_ROOM = 40  # the part label, its line end and the two ``` fences
PART_CHARS = limits.SECTION_TEXT - LABEL_ROOM
PARTS_PER_MESSAGE = 3  # 3 × 2,960 stays under the 11,000 characters we allow a message


def copy_parts(text: str) -> list[str]:
    """`text` as the parts shown; joining them gives `text` back."""
    return split_text(text, PART_CHARS, cost=mrkdwn_cost) or [""]


def needs_file(text: str) -> bool:
    """True when the text is shown in parts: the thread then also gets it as a .txt."""
    return len(copy_parts(text)) > 1


def part_block(part: str, number: int, total: int) -> Block:
    label = f"*{m.part_label(number, total)}*\n" if total > 1 else ""
    return {"type": "section",
            "text": {"type": "mrkdwn", "text": f"{label}```{escape_mrkdwn(part)}```"}}


def copy_blocks(text: str) -> list[Block]:
    parts = copy_parts(text)
    return [part_block(p, i, len(parts)) for i, p in enumerate(parts, start=1)]


def _intro(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def copy_messages(intro: str, text: str) -> list[Message]:
    """The messages that carry `text` whole after `intro` (the first message's heading):
    one when it fits, else several, each saying which parts it holds."""
    blocks = copy_blocks(text)
    total = len(blocks)
    head = intro if total == 1 else f"{intro}\n{m.split_notice(total)}"
    messages: list[Message] = []
    for start in range(0, total, PARTS_PER_MESSAGE):
        chunk = blocks[start:start + PARTS_PER_MESSAGE]
        if start == 0:
            messages.append((m.plain_fallback(intro), [_intro(head), *chunk]))
        else:
            end = start + len(chunk)
            messages.append((m.parts_fallback(start + 1, end, total), chunk))
    return messages


def fits(blocks: list[Block], extra: list[Block]) -> bool:
    """Whether `extra` can join `blocks` in one message."""
    together = [*blocks, *extra]
    return (len(together) <= limits.MESSAGE_BLOCKS
            and limits.text_size(together) <= limits.MESSAGE_TEXT_BUDGET)


def txt_name(ticket_id: int, what: str) -> str:
    """The .txt file of a copied text (no '#', which some tools treat as a fragment)."""
    return f"renkei-{ticket_id}-{what}.txt"
