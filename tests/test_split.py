"""bot.slack.split: what people copy is cut into parts that give the text back exactly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.slack.split import escape_mrkdwn, fit_lines, mrkdwn_cost, one, split_text

# Japanese, ASCII, the three characters mrkdwn escapes, and line ends of every kind.
TEXT = st.text(alphabet=st.sampled_from(list("店舗ab1 、・：&<>*\n\r\t")) | st.characters(),
               max_size=400)


def _size(text: str, cost=one) -> int:
    return sum(cost(ch) for ch in text)


def _line_of(text: str, at: int) -> str:
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return text[start:] if end < 0 else text[start:end + 1]


@settings(max_examples=400)
@given(text=TEXT, limit=st.integers(min_value=5, max_value=120),
       escaped=st.booleans())
def test_parts_join_back_fit_and_end_at_line_ends(text: str, limit: int, escaped: bool) -> None:
    cost = mrkdwn_cost if escaped else one
    parts = split_text(text, limit, cost=cost)
    assert "".join(parts) == text
    assert all(part and _size(part, cost) <= limit for part in parts)
    at = 0
    for part in parts[:-1]:
        at += len(part)
        if not part.endswith("\n"):
            # cut inside a line only when that line alone is over the limit
            assert _size(_line_of(text, at - 1), cost) > limit


@given(text=TEXT)
def test_escaped_parts_fit_a_section(text: str) -> None:
    for part in split_text(text * 20, 2960, cost=mrkdwn_cost):
        assert len(escape_mrkdwn(part)) <= 2960


def test_a_store_line_of_300_names_is_cut_only_where_it_must() -> None:
    names = "、".join(f"店{i:03d}" for i in range(300))
    text = f"・店舗CD：0001\n・店舗名：{names}\n・備考：\n"
    parts = split_text(text, 500)
    assert "".join(parts) == text
    assert parts[0] == "・店舗CD：0001\n"  # the short line before the long one stays whole
    assert parts[-1].endswith("・備考：\n")


def test_empty_text_has_no_parts() -> None:
    assert split_text("", 10) == []


@given(lines=st.lists(st.text(alphabet="abc店", min_size=1, max_size=80), max_size=60),
       budget=st.integers(min_value=0, max_value=3000), hidden=st.integers(0, 5))
def test_fit_lines_shows_whole_lines_and_says_how_many_more(lines: list[str], budget: int,
                                                            hidden: int) -> None:
    chunks = fit_lines(lines, 300, more=lambda n: f"ほか{n}件", budget=budget, hidden=hidden)
    shown = [x for c in chunks for x in c.split("\n") if not x.startswith("ほか")]
    assert shown == lines[:len(shown)]
    assert all(len(c) <= 300 for c in chunks)
    left = len(lines) - len(shown) + hidden
    if left:
        assert chunks[-1].endswith(f"ほか{left}件")
    else:
        assert not any("ほか" in c for c in chunks)
