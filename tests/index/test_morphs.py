"""Sentence morphemes: computed once by the splitter at build time, stored beside the
vectors (memory-mapped), and read back per sentence row at answer time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.morphs import MorphTable, SentenceMorphs
from index.sentences import SentenceSplitter
from index.store import LoadedIndex
from service.components import Components


@pytest.fixture(scope="module")
def splitter(components: Components) -> SentenceSplitter:
    return components.splitter


def test_korean_sentences_carry_their_content_morphemes(splitter: SentenceSplitter) -> None:
    text = "삼성전자는 1일 3분기 실적을 발표했다. 4일 뒤 다시 영업이익 전망을 올렸다."
    analyzed = splitter.analyze(text)
    assert [span for span, _ in analyzed] == splitter.split(text)
    first, second = (m for _, m in analyzed)
    assert {"삼성전자", "실적", "발표"} <= first.forms
    assert "는" not in first.forms and "다" not in first.forms  # particles and endings
    assert "삼성전자" in first.names
    assert not first.elided_subject  # "삼성전자는" is the topic
    assert second.elided_subject  # no subject: it continues the sentence before
    assert {"영업", "이익", "전망"} <= second.forms
    # Character bigrams of Hangul words, whole other words, as BM25 tokenizes.
    assert {"삼성", "성전", "전자", "3분", "분기"} <= first.bigrams


def test_other_text_is_analysed_after_the_rule_split(splitter: SentenceSplitter) -> None:
    (_, morphs), *_ = splitter.analyze("Apple said on Monday it will buy Beats soon. Shares rose.")
    assert {"apple", "monday", "beats"} <= morphs.forms  # matched case-insensitively
    assert {"Apple", "Monday", "Beats"} <= morphs.names
    assert not morphs.elided_subject


def test_table_round_trips_through_files(tmp_path: Path) -> None:
    items = [
        SentenceMorphs(
            frozenset({"한국", "수출"}), frozenset({"한국"}), True, frozenset({"한국", "수출"})
        ),
        SentenceMorphs(frozenset(), frozenset(), False),
        SentenceMorphs(frozenset({"u.s.", "3.5"}), frozenset({"U.S."}), False),
    ]
    MorphTable.from_morphs(items).save(tmp_path)
    table = MorphTable.load(tmp_path)
    assert len(table) == 3
    assert [table[i] for i in range(3)] == items


def test_truncated_file_is_refused(tmp_path: Path) -> None:
    items = [SentenceMorphs(frozenset({"한국"}), frozenset(), False)] * 4
    MorphTable.from_morphs(items).save(tmp_path)
    path = tmp_path / "morphs.txt"
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(ValueError, match="offsets"):
        MorphTable.load(tmp_path)


def test_index_stores_one_entry_per_sentence(
    sample_index: LoadedIndex, splitter: SentenceSplitter
) -> None:
    assert len(sample_index.morphs) == sample_index.sentence_count
    # Every stored entry is what the splitter finds for that sentence of its article.
    rows = np.random.default_rng(0).choice(sample_index.sentence_count, 25, replace=False)
    for row in rows.tolist():
        ref = sample_index.sentence(row)
        article = sample_index.articles[ref.article]
        analyzed = dict(splitter.analyze(article.text))
        span = next(s for s in analyzed if s.start == ref.start)
        assert sample_index.morphs[row] == analyzed[span]
