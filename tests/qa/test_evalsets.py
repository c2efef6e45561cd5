"""The evaluation sets we wrote or derive: English translations, leave-article-out splits,
off-topic questions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qa.evalsets import english_sample, read_jsonl, translated_set

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "data" / "questions"
PUBLIC = ROOT.parent / "shared" / "eval" / "public"
HANGUL = re.compile(r"[\uac00-\ud7a3]")

needs_public = pytest.mark.skipif(
    not (PUBLIC / "questions.jsonl").is_file(), reason="../shared/eval/public is not present"
)


def test_english_public_set_is_english_and_unique() -> None:
    rows = read_jsonl(QUESTIONS / "public_en.jsonl")
    assert len(rows) >= 120
    assert len({r["source_id"] for r in rows}) == len(rows)
    for r in rows:
        assert r["question"].strip() and not HANGUL.search(r["question"]), r
        assert r["id"] == "en:" + r["source_id"]
        # Only ids and our own sentences: no copied gold answers in the repository.
        assert "answers" not in r


def test_english_ontopic_set_keeps_answers() -> None:
    originals = {r["id"]: r for r in read_jsonl(QUESTIONS / "ontopic.jsonl")}
    rows = read_jsonl(QUESTIONS / "ontopic_en.jsonl")
    assert [r["source_id"] for r in rows] == list(originals)
    for r in rows:
        original = originals[r["source_id"]]
        assert not HANGUL.search(r["question"]), r
        assert r["answers"] == original["answers"]
        assert r["article_id"] == original["article_id"]
        assert r["translated"] == bool(HANGUL.search(original["question"]))
    for r in read_jsonl(QUESTIONS / "ontopic_ko.jsonl"):
        assert HANGUL.search(r["question"]) and r["answers"] == originals[r["source_id"]]["answers"]


@needs_public
def test_english_public_set_is_the_seeded_sample() -> None:
    articles = read_jsonl(PUBLIC / "articles.jsonl")
    questions = read_jsonl(PUBLIC / "questions.jsonl")
    rows = read_jsonl(QUESTIONS / "public_en.jsonl")
    assert [r["source_id"] for r in rows] == english_sample(questions, articles)
    joined = translated_set(rows, questions)
    by_id = {q["id"]: q for q in questions}
    for r in joined:
        assert r["answers"] == by_id[r["source_id"]]["answers"]
        assert r["article_id"] == by_id[r["source_id"]]["article_id"]
        assert not HANGUL.search(r["question"])
    # Spread: every source, and many pages.
    sources = {r["source"] for r in joined}
    assert sources == {q["source"] for q in questions}
    assert len({r["article_id"] for r in joined}) >= 60


def test_english_sample_is_deterministic_and_spread() -> None:
    articles = [{"id": f"a{i}", "doc_id": f"d{i // 2}"} for i in range(20)]
    questions = [
        {"id": f"q{i}", "article_id": f"a{i % 20}", "source": "x:wiki" if i < 60 else "y:wiki"}
        for i in range(80)
    ]
    first = english_sample(questions, articles, n=20, seed=3)
    assert first == english_sample(questions, articles, n=20, seed=3)
    assert first != english_sample(questions, articles, n=20, seed=4)
    assert len(set(first)) == 20
    by_id = {q["id"]: q for q in questions}
    assert sum(by_id[i]["source"] == "x:wiki" for i in first) == 15  # 60 of 80
    docs = [by_id[i]["article_id"] for i in first]
    assert len({int(a[1:]) // 2 for a in docs}) == 10  # every page before any repeats
