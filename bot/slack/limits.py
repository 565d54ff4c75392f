"""Slack's documented limits, as data, and one checker every builder is tested against.

Numbers are from Slack's Block Kit and Web API reference (docs.slack.dev): blocks per message /
modal / Home tab, text lengths per block and element, view fields, chat.postMessage text.
`MESSAGE_BLOCKS_TEXT` is the one undocumented limit: chat.postMessage answers
`msg_blocks_too_long` when the texts of a message's blocks add up to about 12,000 characters
(slackapi/bolt-js#2509, #2867); builders keep under `MESSAGE_TEXT_BUDGET` to leave room for
the block containers.

The checker is pure (dicts in, messages out): the Slack emulator of the tests refuses what it
reports, and tests/test_slack_limits.py runs it over every builder beside slack_sdk's models.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

MESSAGE_BLOCKS = 50
MODAL_BLOCKS = 100
HOME_BLOCKS = 100
SURFACE_BLOCKS = {"message": MESSAGE_BLOCKS, "modal": MODAL_BLOCKS, "home": HOME_BLOCKS}

SECTION_TEXT = 3000
SECTION_FIELDS = 10
FIELD_TEXT = 2000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
CONTEXT_TEXT = 3000
ACTIONS_ELEMENTS = 25
BLOCK_ID = 255

INPUT_LABEL = 2000
INPUT_HINT = 2000
INPUT_VALUE = 3000  # a plain_text_input's initial_value and its max_length
PLACEHOLDER = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ACTION_ID = 255
OPTION_TEXT = 75
OPTIONS = 100

VIEW_TITLE = 24  # title, submit and close alike
PRIVATE_METADATA = 3000
CALLBACK_ID = 255
ERROR_TEXT = 2000  # a response_action "errors" message under one input (kept short)

MESSAGE_TEXT = 40_000  # chat.postMessage `text`: longer is msg_too_long
MESSAGE_TEXT_KEEP = 4_000  # "for best results" the top-level text stays under this
MESSAGE_BLOCKS_TEXT = 12_000  # sum of block texts: longer is msg_blocks_too_long
MESSAGE_TEXT_BUDGET = 11_000  # what our builders allow themselves (containers count too)


def _text(obj: Any) -> str:
    return str(obj.get("text", "")) if isinstance(obj, Mapping) else ""


def _element(e: Mapping[str, Any], where: str) -> list[str]:
    out: list[str] = []
    kind = e.get("type")
    if len(str(e.get("action_id", ""))) > ACTION_ID:
        out.append(f"{where}: action_id over {ACTION_ID}")
    if len(_text(e.get("placeholder"))) > PLACEHOLDER:
        out.append(f"{where}: placeholder over {PLACEHOLDER}")
    if kind == "button":
        if len(_text(e.get("text"))) > BUTTON_TEXT:
            out.append(f"{where}: button text over {BUTTON_TEXT}")
        if len(str(e.get("value", ""))) > BUTTON_VALUE:
            out.append(f"{where}: button value over {BUTTON_VALUE}")
    elif kind == "plain_text_input":
        value = str(e.get("initial_value") or "")
        limit = min(int(e.get("max_length") or INPUT_VALUE), INPUT_VALUE)
        if int(e.get("max_length") or 0) > INPUT_VALUE:
            out.append(f"{where}: max_length over {INPUT_VALUE}")
        if len(value) > limit:
            out.append(f"{where}: initial_value of {len(value)} over {limit}")
    options = list(e.get("options") or [])
    if len(options) > OPTIONS:
        out.append(f"{where}: {len(options)} options over {OPTIONS}")
    out += [f"{where}: option text over {OPTION_TEXT}" for o in options
            if len(_text(o.get("text"))) > OPTION_TEXT]
    return out


def _block(b: Mapping[str, Any], where: str) -> list[str]:
    out: list[str] = []
    kind = b.get("type")
    if len(str(b.get("block_id", ""))) > BLOCK_ID:
        out.append(f"{where}: block_id over {BLOCK_ID}")
    if kind == "section":
        if len(_text(b.get("text"))) > SECTION_TEXT:
            out.append(f"{where}: section text of {len(_text(b.get('text')))} over "
                       f"{SECTION_TEXT}")
        fields = list(b.get("fields") or [])
        if len(fields) > SECTION_FIELDS:
            out.append(f"{where}: {len(fields)} fields over {SECTION_FIELDS}")
        out += [f"{where}: field text over {FIELD_TEXT}" for f in fields
                if len(_text(f)) > FIELD_TEXT]
        if isinstance(b.get("accessory"), Mapping):
            out += _element(b["accessory"], where + " accessory")
    elif kind == "header":
        if len(_text(b.get("text"))) > HEADER_TEXT:
            out.append(f"{where}: header text over {HEADER_TEXT}")
    elif kind == "context":
        elements = list(b.get("elements") or [])
        if len(elements) > CONTEXT_ELEMENTS:
            out.append(f"{where}: {len(elements)} context elements over {CONTEXT_ELEMENTS}")
        out += [f"{where}: context text over {CONTEXT_TEXT}" for e in elements
                if len(_text(e)) > CONTEXT_TEXT]
    elif kind == "input":
        if len(_text(b.get("label"))) > INPUT_LABEL:
            out.append(f"{where}: label over {INPUT_LABEL}")
        if len(_text(b.get("hint"))) > INPUT_HINT:
            out.append(f"{where}: hint over {INPUT_HINT}")
        out += _element(b.get("element") or {}, where + " element")
    elif kind == "actions":
        elements = list(b.get("elements") or [])
        if len(elements) > ACTIONS_ELEMENTS:
            out.append(f"{where}: {len(elements)} actions over {ACTIONS_ELEMENTS}")
        for i, e in enumerate(elements):
            out += _element(e, f"{where} element {i}")
    return out


def texts(blocks: Iterable[Any]) -> Iterable[str]:
    """Every text string inside `blocks` (what Slack adds up for msg_blocks_too_long)."""
    for obj in blocks:
        if isinstance(obj, Mapping):
            for key, value in obj.items():
                if key == "text" and isinstance(value, str):
                    yield value
                elif isinstance(value, Mapping | list):
                    yield from texts([value] if isinstance(value, Mapping) else value)
        elif isinstance(obj, list):
            yield from texts(obj)


def text_size(blocks: Iterable[Any]) -> int:
    return sum(len(t) for t in texts(blocks))


def block_violations(blocks: Sequence[Mapping[str, Any]], *, surface: str = "message"
                     ) -> list[str]:
    """What in `blocks` Slack would refuse on `surface` (message, modal or home)."""
    out: list[str] = []
    limit = SURFACE_BLOCKS[surface]
    if len(blocks) > limit:
        out.append(f"{len(blocks)} blocks over {limit} for a {surface}")
    for i, block in enumerate(blocks):
        out += _block(block, f"block {i} ({block.get('type')})")
    return out


def message_violations(text: str | None, blocks: Sequence[Mapping[str, Any]] | None
                       ) -> list[str]:
    """A chat.postMessage / chat.update / chat.postEphemeral / response_url message."""
    out: list[str] = []
    if text and len(text) > MESSAGE_TEXT:
        out.append(f"text of {len(text)} over {MESSAGE_TEXT} (msg_too_long)")
    if blocks:
        out += block_violations(blocks)
        if (size := text_size(blocks)) > MESSAGE_BLOCKS_TEXT:
            out.append(f"block texts of {size} over {MESSAGE_BLOCKS_TEXT} "
                       "(msg_blocks_too_long)")
    return out


def view_violations(view: Mapping[str, Any]) -> list[str]:
    """A modal or Home tab for views.open / update / push / publish."""
    out: list[str] = []
    for key in ("title", "submit", "close"):
        if len(_text(view.get(key))) > VIEW_TITLE:
            out.append(f"{key} over {VIEW_TITLE}")
    if len(str(view.get("private_metadata") or "")) > PRIVATE_METADATA:
        out.append(f"private_metadata over {PRIVATE_METADATA}")
    if len(str(view.get("callback_id") or "")) > CALLBACK_ID:
        out.append(f"callback_id over {CALLBACK_ID}")
    surface = "home" if view.get("type") == "home" else "modal"
    return out + block_violations(list(view.get("blocks") or []), surface=surface)
