"""Quotes side by side: two of the best sentences that follow each other in a paragraph
are quoted as one run of text, never more than ``most`` sentences."""

from __future__ import annotations

from qa.selection import join_adjacent

# Rows 10-12 are one paragraph; 13 opens the next; 20 is elsewhere.
PARAGRAPH = {10, 11}.__contains__  # row r joins row r + 1


def test_a_next_or_previous_sentence_joins_the_quote() -> None:
    quotes = [[11]]
    assert join_adjacent(quotes, [12], lambda r: r in (10, 11), most=2) == 0
    assert quotes == [[11, 12]]
    quotes = [[11]]
    assert join_adjacent(quotes, [10], PARAGRAPH, most=2) == 0
    assert quotes == [[10, 11]]


def test_no_join_across_a_paragraph_far_away_or_past_the_limit() -> None:
    quotes = [[12]]
    assert join_adjacent(quotes, [13], PARAGRAPH, most=2) is None  # 12 and 13: two paragraphs
    assert join_adjacent(quotes, [20], PARAGRAPH, most=2) is None
    quotes = [[10, 11]]
    assert join_adjacent(quotes, [12], lambda r: True, most=2) is None
    assert quotes == [[10, 11]]


def test_the_first_quote_it_continues_takes_it() -> None:
    quotes = [[5], [11]]
    assert join_adjacent(quotes, [10], PARAGRAPH, most=2) == 1
    assert quotes == [[5], [10, 11]]
