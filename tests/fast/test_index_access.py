"""The loaded index's typed accessors agree with its stored tables, and nothing outside
index/ reads the raw columns."""

from __future__ import annotations

import re

import numpy as np

from index.store import LoadedIndex
from tests.helpers import REPO_ROOT


def test_sentence_refs_agree_with_the_text(fake_index: LoadedIndex) -> None:
    refs = list(fake_index.iter_sentences())
    assert len(refs) == fake_index.sentence_count > 0
    for ref in refs:
        assert fake_index.sentence(ref.row) == ref
        assert fake_index.sentence_article(ref.row) == ref.article
        text = fake_index.articles[ref.article].text
        assert text[ref.start : ref.end] == fake_index.sentence_text(ref.row)
    # Rows run article by article, in text order.
    assert [r.article for r in refs] == sorted(r.article for r in refs)


def test_passage_accessors_agree_with_each_other(fake_index: LoadedIndex) -> None:
    rows = np.arange(fake_index.passage_count)
    sentence_rows, offsets = fake_index.passage_sentence_rows(rows)
    bounds = [*offsets.tolist(), len(sentence_rows)]
    for row in rows.tolist():
        passage = fake_index.passage(row)
        assert fake_index.passage_article(row) == passage.article
        assert int(fake_index.passage_articles[row]) == passage.article
        expected = list(fake_index.sentence_rows(row))
        assert sentence_rows[bounds[row] : bounds[row + 1]].tolist() == expected
        for s in expected:
            ref = fake_index.sentence(s)
            assert ref.article == passage.article
            assert passage.start <= ref.start < ref.end <= passage.end
    vectors = fake_index.sentence_vectors_at(sentence_rows[:3])
    assert vectors.shape == (3, fake_index.sentence_vectors.shape[1])


RAW_ACCESS = re.compile(
    r"\b(sentences|passages|sentence_vectors)\s*\[|article_first_sentence|"
    r"\.(sentences|passages)\.tolist\("
)


def test_no_raw_column_access_outside_index() -> None:
    offenders = []
    for package in ("qa", "service"):
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if RAW_ACCESS.search(line) and "answer.passages" not in line:
                    offenders.append(f"{path.relative_to(REPO_ROOT)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
