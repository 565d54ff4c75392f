"""Block Kit of the drift drafts (seed 1-3 started by the data): the requests-channel message
with 「この内容で設定変更を依頼」 and 「対象外にする」, the 対象外 modal, the pre-filled 設定変更
form and the App Home lines. Pure: data in, dicts out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot import messages as m
from bot.slack.views import Block, _context, _md, _modal, _text_input
from workflow.drafts import DraftView
from workflow.mapping import FILED, IGNORED, TYPE_LABELS

FILE_ACTION = "renkei_drift_file"
IGNORE_ACTION = "renkei_drift_ignore"
IGNORE_CALLBACK = "renkei_drift_ignore_modal"
SECTION_CHARS = 2900  # under Slack's 3,000 a section
MAX_HOME_LINES = 30
MAX_STORES_A_LINE = 10


def _sections(lines: list[str]) -> list[Block]:
    """Lines split over as many sections as needed: nothing a person reads is cut."""
    out: list[Block] = []
    chunk: list[str] = []
    for line in lines:
        if chunk and len("\n".join([*chunk, line])) > SECTION_CHARS:
            out.append(_md("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        out.append(_md("\n".join(chunk)))
    return out


def item_lines(draft: DraftView) -> list[str]:
    """One line an item; a long store list names the first stores and says how many more
    (the 設定変更 form carries every store)."""
    names = dict(draft.stores)
    lines = []
    for item in draft.items:
        seen = item["stores"]
        where = "、".join(f"{c}:{names.get(c, '')}" for c in seen[:MAX_STORES_A_LINE]) \
            or m.DRIFT_COMPANY_MASTER
        if len(seen) > MAX_STORES_A_LINE:
            where += m.drift_more_stores(len(seen) - MAX_STORES_A_LINE)
        lines.append(m.drift_item(TYPE_LABELS[item["item_type"]], item["code"], item["name"],
                                  where, item["since"]))
    return lines


def draft_message(draft: DraftView, mention: str) -> tuple[str, list[Block]]:
    """The draft's message in the requests channel: fallback text and blocks."""
    title = m.drift_title(mention, draft.company_name, draft.company_code)
    blocks: list[Block] = [_md(title), *_sections(item_lines(draft))]
    if draft.state == FILED and draft.ticket_id is not None:
        blocks.append(_context(m.drift_filed(draft.ticket_id, draft.closed_by or "")))
    elif draft.state == IGNORED:
        blocks.append(_context(m.drift_ignored(draft.closed_by or "", draft.reason)))
    else:
        if draft.earliest_date is not None:
            blocks.append(_context(m.drift_earliest(draft.earliest_date.isoformat())))
        value = str(draft.id)
        blocks.append({"type": "actions", "block_id": f"drift:{draft.id}", "elements": [
            {"type": "button", "action_id": FILE_ACTION, "style": "primary", "value": value,
             "text": {"type": "plain_text", "text": m.DRIFT_FILE}},
            {"type": "button", "action_id": IGNORE_ACTION, "value": value,
             "text": {"type": "plain_text", "text": m.DRIFT_IGNORE}}]})
    return title, blocks


def intake_initial(draft: DraftView) -> dict[str, str]:
    """The 設定変更 form pre-filled from the draft: codes, name, stores seen, additions and the
    earliest acceptable 設定変更日."""
    by_type: dict[str, list[str]] = {"payment": [], "discount": [], "segment": []}
    for item in draft.items:
        by_type[item["item_type"]].append(item["name"])
    return {"customer_code": draft.customer_code, "company_code": draft.company_code,
            "company_name": draft.company_name,
            "stores": "\n".join(f"{c}:{n}" for c, n in draft.stores),
            "desired_date": draft.earliest_date.isoformat() if draft.earliest_date else "",
            "payment_items": "\n".join(by_type["payment"]),
            "discounts": "\n".join(by_type["discount"]),
            "customer_segments": "\n".join(by_type["segment"]), "remarks": ""}


def ignore_modal(draft: DraftView, meta: Mapping[str, Any]) -> dict[str, Any]:
    """「対象外にする」: the reason (required, kept on the draft)."""
    blocks: list[Block] = [_md(f"*{draft.company_name}（企業CD {draft.company_code}）*\n"
                               f"{m.DRIFT_IGNORE_INTRO}"),
                           *_sections(item_lines(draft)),
                           _text_input("reason", m.field_label("reason"), multiline=True,
                                       placeholder=m.DRIFT_IGNORE_PLACEHOLDER,
                                       max_length=1000)]
    return _modal(IGNORE_CALLBACK, m.DRIFT_IGNORE_TITLE, m.DRIFT_IGNORE_SUBMIT, blocks, meta)


def home_blocks(drafts: list[DraftView]) -> list[Block]:
    """App Home: the open drafts, each linked to its message."""
    lines = []
    for d in drafts[:MAX_HOME_LINES]:
        line = m.drift_home_line(d.id, d.company_name, d.company_code, len(d.items))
        if d.slack_channel and d.slack_ts:
            link = f"https://slack.com/archives/{d.slack_channel}/p{d.slack_ts.replace('.', '')}"
            line = f"<{link}|{line}>"
        lines.append(line)
    if len(drafts) > MAX_HOME_LINES:
        lines.append(m.drift_more(len(drafts) - MAX_HOME_LINES))
    return [{"type": "divider"}, _md(f"*{m.DRIFT_HOME}*"),
            *(_sections(lines) or [_md(m.DRIFT_NONE)])]
