"""Block Kit for the partner and customer side: the customer's message in their Slack Connect
channel (with its one button), and the thread posts of the outbox senders. Pure functions.

The customer's message carries only what `workflow.notices` wrote for them: no ticket
number, no internal notes, and one button whose action id is not renkei's internal prefix.
"""

from __future__ import annotations

from typing import Any

from bot.slack.views import Block, _context, _header, _md, _plain
from workflow.notices import CONFIRM_BUTTON_LABEL, CustomerMessage

CUSTOMER_VERIFY_ACTION = "renkei_customer_verify"
_BODY_LIMIT = 2900


def _plain_section(text: str) -> Block:
    return {"type": "section", "text": _plain(text[:_BODY_LIMIT])}


def _body_blocks(message: CustomerMessage) -> list[Block]:
    # Plain text, not mrkdwn: a company name with * or < must show as written.
    paragraphs, chunk = [], ""
    for line in message.body.rstrip("\n").split("\n"):
        if len(chunk) + len(line) + 1 > _BODY_LIMIT:
            paragraphs.append(chunk)
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    paragraphs.append(chunk)
    return [_header(message.subject), *(_plain_section(p) for p in paragraphs if p.strip())]


def customer_message(message: CustomerMessage, ticket_id: int) -> tuple[str, list[Block]]:
    """お客様へご連絡 in the customer's channel, with 「データ連携を確認しました」."""
    button = {"type": "button", "action_id": CUSTOMER_VERIFY_ACTION, "style": "primary",
              "text": _plain(CONFIRM_BUTTON_LABEL), "value": str(ticket_id)}
    return message.subject, [*_body_blocks(message),
                             {"type": "actions", "block_id": "customer_verify",
                              "elements": [button]}]


def customer_confirmed(message: CustomerMessage, note: str) -> tuple[str, list[Block]]:
    """The same message once confirmed: the button becomes a thank-you line."""
    return message.subject, [*_body_blocks(message), _context(note)]


def text_to_copy(intro: str, text: str) -> tuple[str, list[Block]]:
    """A thread post asking a person to send `text` themselves (a code block to copy)."""
    return intro, [_md(intro), _md(f"```{text}```")]


def customer_text_to_copy(intro: str, message: CustomerMessage) -> tuple[str, list[Block]]:
    return text_to_copy(intro, f"件名: {message.subject}\n\n{message.body}")


def spec_upload(files: list[tuple[str, bytes]]) -> list[dict[str, Any]]:
    """`file_uploads` for files_upload_v2: one item per (file name, bytes)."""
    return [{"filename": name, "content": data, "title": name} for name, data in files]
