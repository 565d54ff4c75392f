"""Block Kit as terminal text: what the terminal adapter prints for a message or a modal."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

EMOJI = {
    "white_check_mark": "✔", "arrow_forward": "▶", "white_circle": "○", "warning": "⚠",
    "hourglass_flowing_sand": "⏳", "leftwards_arrow_with_hook": "↩", "no_entry_sign": "⛔",
    "tada": "🎉", "x": "✗", "outbox_tray": "📤",
    "link": "🔗", "page_facing_up": "📄", "memo": "📝", "envelope": "✉", "alarm_clock": "⏰",
}
_EMOJI = re.compile(r":([a-z0-9_+-]+):")
_LINK = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]+))?>")
_URL = re.compile(r"<(https?://[^>|]+)(?:\|([^>]+))?>")


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str
    value: str
    confirm: str = ""  # the button's `confirm` dialog text: the terminal asks y/N first


def plain(mrkdwn: str) -> str:
    """mrkdwn without markup: *bold* → bold, <@U1> → @U1, <https://…|#1> → #1, :tada: → 🎉."""
    text = _LINK.sub(lambda mt: mt.group(1).replace("!", "@") + (mt.group(3) or mt.group(2)),
                     mrkdwn)
    text = _URL.sub(lambda mt: mt.group(2) or mt.group(1), text)
    text = _EMOJI.sub(lambda mt: EMOJI.get(mt.group(1), ""), text)
    text = re.sub(r"(?<![\w*])\*(\S[^*\n]*?)\*(?![\w*])", r"\1", text)
    return unescape(text)


def _text_of(obj: Any) -> str:
    if not isinstance(obj, dict):
        return ""
    return plain(obj.get("text", "")) if obj.get("type") == "mrkdwn" else obj.get("text", "")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _code(text: str, mrkdwn: bool = True) -> list[str]:
    """A section's lines; a ``` block (a text to copy, or one part of it) verbatim, each
    line marked │, with only Slack's three escapes undone: no emoji or bold applied."""
    if "```" not in text:
        return (plain(text) if mrkdwn else text).splitlines() or [""]
    out: list[str] = []
    for i, part in enumerate(text.split("```")):
        if i % 2:
            out += ["    │ " + line for line in unescape(part).strip("\n").split("\n")]
        else:
            out += (plain(part) if mrkdwn else part).strip("\n").splitlines()
    return out


def render(blocks: Sequence[dict[str, Any]] | None, fallback: str = ""
           ) -> tuple[list[str], list[Button]]:
    """Lines to print and the buttons found, in order."""
    if not blocks:
        return plain(fallback).splitlines(), []
    lines: list[str] = []
    buttons: list[Button] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append(f"■ {_text_of(block.get('text'))}")
        elif kind == "section":
            if block.get("text"):
                raw = block["text"].get("text", "")
                lines += _code(raw, block["text"].get("type") == "mrkdwn")
            for field in block.get("fields", []):
                label, _, value = _text_of(field).partition("\n")
                lines.append(f"{label}: {value.replace(chr(10), ' / ')}")
        elif kind == "context":
            lines += [_text_of(e) for e in block.get("elements", [])]
        elif kind == "divider":
            lines.append("─" * 40)
        elif kind == "actions":
            row = []
            for element in block.get("elements", []):
                if element.get("type") == "button":
                    buttons.append(_button(element))
                    row.append(f"[{len(buttons)}] {buttons[-1].label}")
            lines.append("  ".join(row))
        accessory = block.get("accessory") or {}
        if kind == "section" and accessory.get("type") == "button":  # e.g. App Home's 再送
            buttons.append(_button(accessory))
            lines.append(f"[{len(buttons)}] {buttons[-1].label}")
    return lines, buttons


def _button(element: dict[str, Any]) -> Button:
    return Button(_text_of(element.get("text")), element.get("action_id", ""),
                  element.get("value", ""), _text_of((element.get("confirm") or {}).get("text")))
