"""Block Kit for what the bot posts besides the ticket message and its modals: the thread
posts of each transition (with the 定型文 to copy), `/renkei list`, `/renkei show` and help.

Pure functions. Within Slack's limits for any ticket (1–300 stores, long notes): texts people
copy are whole (views_copy), listings show what fits and say 「ほかN件」 and where the rest is.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot import messages as m
from bot.slack import limits
from bot.slack.split import fit_lines
from bot.slack.views import (
    MAX_LIST_LINES,
    Block,
    _context,
    _header,
    _md,
    _md_parts,
    ticket_blocks,
    when,
)
from bot.slack.views_copy import Message, copy_blocks, copy_messages, fits
from workflow.machine import ROLE_LABELS
from workflow.schemas import ActionView, EventView, TicketView

# What one history entry may show in `/renkei show` (the thread has it whole).
HISTORY_ENTRY_CHARS = 1500


def event_text(e: EventView, tz: ZoneInfo) -> str:
    who = f"<@{e.actor}>"
    role = ROLE_LABELS.get(e.actor_role, e.actor_role)
    if e.from_status is None:
        line = m.filed_line(who, role, when(e.at, tz))
    else:
        line = m.event_line(who, role, e.action_label, e.to_label, when(e.at, tz))
    if e.note:
        line += "\n" + "\n".join(m.note_line(n) for n in e.note.splitlines())
    return line


def kintone_blocks(text: str) -> list[Block]:
    """The 定型文 under its heading, in as many labelled parts as it takes (one message's
    worth: callers check `views_copy.fits`, or use `kintone_messages`)."""
    return [_md(m.KINTONE_HEADER), *copy_blocks(text)]


def kintone_messages(text: str) -> list[Message]:
    """The 定型文 whole, over as many messages as Slack needs."""
    return copy_messages(m.KINTONE_HEADER, text)


def _fallback(text: str) -> str:
    return text if len(text) <= limits.MESSAGE_TEXT_KEEP else text.split("\n", 1)[0]


SECTIONS_PER_POST = 3  # 3 × 3,000 stays under limits.MESSAGE_TEXT_BUDGET


def _event_posts(e: EventView, tz: ZoneInfo) -> list[Message]:
    # A note may be long (the CLI takes any length): whole, over as many posts as it takes.
    text = event_text(e, tz)
    sections = _md_parts(text)
    return [(_fallback(text) if i == 0 else m.parts_fallback(i + 1, i + 1, len(sections)),
             sections[i:i + SECTIONS_PER_POST])
            for i in range(0, len(sections), SECTIONS_PER_POST)]


def thread_post(e: EventView, tz: ZoneInfo) -> Message:
    """The reply in the ticket's thread for one transition: who did what, when (the first
    post of `thread_messages`)."""
    return _event_posts(e, tz)[0]


def thread_messages(e: EventView, tz: ZoneInfo, kintone: str | None = None
                    ) -> list[Message]:
    """The thread posts of one transition: the event, with the 定型文 to copy when given (in
    the same message when it fits, else in the messages after it)."""
    posts = _event_posts(e, tz)
    if not kintone:
        return posts
    copies = kintone_messages(kintone)
    text, blocks = posts[-1]
    if len(copies) == 1 and fits(blocks, copies[0][1]):
        return [*posts[:-1], (text, blocks + copies[0][1])]
    return [*posts, *copies]


# ---- list, show, help ---------------------------------------------------------------------
def ticket_line(t: TicketView) -> str:
    late = f" :warning: {t.days_overdue}営業日超過" if t.days_overdue > 0 else ""
    return (f"*#{t.id}* 【{t.kind_label}】{t.company_name}（{len(t.stores)}店舗）"
            f" {t.date_label} {t.desired_date:%m/%d} — {t.status_label}{late}")


def line_sections(lines: list[str], *, more: str, budget: int,
                  limit: int = MAX_LIST_LINES) -> list[Block]:
    """Listing lines in sections of whole lines, as many as `budget` characters and `limit`
    lines allow; then 「ほかN件は <more> で」."""
    chunks = fit_lines(lines[:limit], limits.SECTION_TEXT, budget=budget,
                       more=lambda n: m.listing_more(n, more),
                       hidden=max(0, len(lines) - limit))
    return [_md(chunk) for chunk in chunks]


def ticket_list(title: str, tickets: Sequence[TicketView], *, more: str = "renkei tickets list"
                ) -> list[Block]:
    blocks: list[Block] = [_header(title)]
    if not tickets:
        return [*blocks, _md(m.LIST_EMPTY)]
    budget = limits.MESSAGE_TEXT_BUDGET - limits.text_size(blocks)
    return blocks + line_sections([ticket_line(t) for t in tickets], more=more, budget=budget)


def _entry(e: EventView, tz: ZoneInfo) -> str:
    text = event_text(e, tz)
    if len(text) > HISTORY_ENTRY_CHARS:  # browsed here; the thread post has it whole
        text = text[:HISTORY_ENTRY_CHARS] + m.reason_more(len(text))
    return text


def history_blocks(t: TicketView, tz: ZoneInfo, budget: int) -> list[Block]:
    """The ticket's events, newest first, as many as fit `budget`; then where the rest is."""
    entries = [_entry(e, tz) for e in reversed(t.events)]
    chunks = fit_lines(entries, limits.SECTION_TEXT, budget=budget,
                       more=lambda n: m.history_more(n, t.id))
    return [_md(chunk) for chunk in chunks]


def ticket_detail(t: TicketView, actions: Sequence[ActionView], kintone: str,
                  tz: ZoneInfo, *, kintone_url: str | None = None) -> list[Block]:
    """`/renkei show`: the ticket, its history (newest first) and the 定型文 when it fits the
    one message; otherwise a line saying where it is whole."""
    blocks = [*ticket_blocks(t, actions, kintone_url=kintone_url), {"type": "divider"}]
    copy = kintone_blocks(kintone)
    pointer = _context(m.kintone_too_long(len(kintone)))
    room = limits.MESSAGE_TEXT_BUDGET - limits.text_size(blocks)
    tail = copy if fits(blocks, copy) and limits.text_size(copy) < room // 2 else [pointer]
    budget = room - limits.text_size(tail)
    return [*blocks, *history_blocks(t, tz, budget), *tail]


def help_blocks(command: str) -> list[Block]:
    return [_header(m.HELP_TITLE), _md("\n".join(m.help_lines(command))),
            _md(f"*{m.SUPPORT_TITLE}*\n" + "\n".join(m.SUPPORT_LINES))]
