"""Block Kit for the partner and customer side: the customer's message in their Slack Connect
channel (with its one button), and the thread posts of the outbox senders. Pure functions.

The customer's message carries only what `workflow.notices` wrote for them: no ticket
number, no internal notes, and one button whose action id is not renkei's internal prefix.
"""

from __future__ import annotations

from typing import Any

from bot.slack import limits
from bot.slack.split import split_text
from bot.slack.views import Block, _context, _header, _plain
from workflow.notices import CONFIRM_BUTTON_LABEL, CustomerMessage

CUSTOMER_VERIFY_ACTION = "renkei_customer_verify"
_BODY_LIMIT = limits.SECTION_TEXT - 100
_SECTIONS_PER_MESSAGE = 3  # 3 × 2,900 stays under limits.MESSAGE_TEXT_BUDGET


def _plain_section(text: str) -> Block:
    return {"type": "section", "text": _plain(text)}


def _body_messages(message: CustomerMessage) -> list[list[Block]]:
    # Plain text, not mrkdwn: a company name with * or < must show as written. A long body
    # (hundreds of stores) goes over several messages, cut at line ends, nothing left out.
    parts = [p for p in split_text(message.body.rstrip("\n"), _BODY_LIMIT) if p.strip()]
    sections = [_plain_section(p.rstrip("\n")) for p in parts]
    groups = [sections[i:i + _SECTIONS_PER_MESSAGE]
              for i in range(0, len(sections), _SECTIONS_PER_MESSAGE)] or [[]]
    groups[0].insert(0, _header(message.subject))
    return groups


def customer_messages(message: CustomerMessage, ticket_id: int) -> list[tuple[str, list[Block]]]:
    """お客様へご連絡 in the customer's channel, with 「データ連携を確認しました」 under the
    last part (one message unless the store list is long)."""
    button = {"type": "button", "action_id": CUSTOMER_VERIFY_ACTION, "style": "primary",
              "text": _plain(CONFIRM_BUTTON_LABEL), "value": str(ticket_id)}
    groups = _body_messages(message)
    groups[-1] = [*groups[-1], {"type": "actions", "block_id": "customer_verify",
                                "elements": [button]}]
    return [(message.subject, blocks) for blocks in groups]


def customer_confirmed(message: CustomerMessage, note: str) -> tuple[str, list[Block]]:
    """The button's message once confirmed: the button becomes a thank-you line."""
    return message.subject, [*_body_messages(message)[-1], _context(note)]


def customer_copy_text(message: CustomerMessage) -> str:
    """The customer text a planner sends by hand: subject, then body."""
    return f"件名: {message.subject}\n\n{message.body}"


def spec_upload(files: list[tuple[str, bytes]]) -> list[dict[str, Any]]:
    """`file_uploads` for files_upload_v2: one item per (file name, bytes)."""
    return [{"filename": name, "content": data, "title": name} for name, data in files]
