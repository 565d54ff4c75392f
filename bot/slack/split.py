"""Cutting a long text into parts that fit a limit, without losing or changing a character.

What people copy (the Kintone 定型文, the 完了報告, the customer text) is delivered whole: when
it is longer than one Slack block it goes out in parts, and pasting the parts one after the
other gives the text back exactly. Parts end at line ends; only a line longer than the limit
is cut inside (the 定型文's ・店舗名 line lists every store on one line).
"""

from __future__ import annotations

from collections.abc import Callable

MRKDWN_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def one(_: str) -> int:
    return 1


def mrkdwn_cost(ch: str) -> int:
    """How many characters `ch` takes once escaped for mrkdwn (&, <, > become entities)."""
    return len(MRKDWN_ESCAPES.get(ch, ch))


def escape_mrkdwn(text: str) -> str:
    """Slack's three mrkdwn escapes, so a store name with < or & shows as written."""
    return "".join(MRKDWN_ESCAPES.get(ch, ch) for ch in text)


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


def split_text(text: str, limit: int, *, cost: Callable[[str], int] = one) -> list[str]:
    """`text` in parts of at most `limit` (each character weighing `cost(ch)`), in order;
    `"".join(parts) == text`. Parts end at a line end ("\\n" kept with its line) unless one
    line alone is over the limit, which is then cut where the limit falls."""
    if limit < max((cost(ch) for ch in set(text)), default=1):
        raise ValueError(f"limit {limit} is smaller than one character")
    parts: list[str] = []
    current, size = "", 0
    for line in _lines(text):
        weight = sum(cost(ch) for ch in line)
        if size + weight <= limit:
            current, size = current + line, size + weight
            continue
        if current:
            parts.append(current)
            current, size = "", 0
        if weight <= limit:
            current, size = line, weight
            continue
        piece: list[str] = []
        piece_size = 0
        for ch in line:  # one line over the limit: cut it where the limit falls
            if piece_size + cost(ch) > limit:
                parts.append("".join(piece))
                piece, piece_size = [], 0
            piece.append(ch)
            piece_size += cost(ch)
        current, size = "".join(piece), piece_size
    if current:
        parts.append(current)
    return parts


def fit_lines(lines: list[str], limit: int, *, more: Callable[[int], str],
              budget: int | None = None, hidden: int = 0) -> list[str]:
    """For a listing: chunks of whole `lines` (joined by "\\n"), each at most `limit`
    characters, together at most `budget`; when not every line fits (or `hidden` more were
    not even offered), the last chunk ends with `more(number of lines left out)`. Nothing is
    cut inside a line but one longer than `limit` alone, which is shortened (a listing is
    browsed, not copied)."""
    budget = budget if budget is not None else (limit + 1) * (len(lines) + 1)
    chunks: list[list[str]] = []
    used = 0
    shown = 0
    for line in lines:
        tail = len(more(len(lines) + hidden)) + 1
        line = line if len(line) <= limit - tail else line[: limit - tail - 1] + "…"
        if used + len(line) + tail > budget:
            break
        if chunks and sum(len(x) + 1 for x in chunks[-1]) + len(line) + tail <= limit:
            chunks[-1].append(line)
        else:
            chunks.append([line])
        used += len(line) + 1
        shown += 1
    if shown < len(lines) or hidden:
        note = more(len(lines) - shown + hidden)
        if chunks:
            chunks[-1].append(note)
        else:
            chunks.append([note])
    return ["\n".join(chunk) for chunk in chunks]
