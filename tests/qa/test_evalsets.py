"""The evaluation sets we wrote or derive: English translations, leave-article-out splits,
off-topic questions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.errors import SourceError
from qa.evalsets import (
    distractor_articles,
    distractor_sources,
    english_sample,
    leave_articles_out,
    read_jsonl,
    translated_set,
    unanswerable_questions,
    write_evalsets,
)
from qa.evaluation import load_questions

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
    mixed = read_jsonl(QUESTIONS / "ontopic_mixed.jsonl")
    assert len(mixed) >= 12
    for r in mixed:  # both scripts in every question
        assert HANGUL.search(r["question"]) and re.search(r"[A-Za-z]{2}", r["question"]), r
        assert r["answers"] == originals[r["source_id"]]["answers"]


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


def _toy_corpus() -> tuple[list[dict], list[dict]]:
    articles = [
        {"id": f"a{i}", "doc_id": f"{src}/page{i // 3}", "source": f"{src}:wiki"}
        for src in ("x", "y")
        for i in range(30)
    ]
    for i, a in enumerate(articles):
        a["id"] = f"a{i}"
    questions = [
        {"id": f"q{i}", "article_id": f"a{i % 60}", "answers": ["gold"]} for i in range(120)
    ]
    return articles, questions


def test_leave_articles_out_holds_out_whole_pages() -> None:
    articles, questions = _toy_corpus()
    split = leave_articles_out(articles, questions, fraction=0.2, seed=5)
    assert split == leave_articles_out(articles, questions, fraction=0.2, seed=5)
    assert split.held_out_docs != leave_articles_out(articles, questions, seed=6).held_out_docs
    # 10 pages per source, 20% of each source held out.
    assert sum(d.startswith("x/") for d in split.held_out_docs) == 2
    assert sum(d.startswith("y/") for d in split.held_out_docs) == 2
    kept_docs = {a["doc_id"] for a in split.articles}
    assert not kept_docs & set(split.held_out_docs)
    assert len(split.articles) == 60 - 4 * 3  # every paragraph of a held-out page goes
    doc = {a["id"]: a["doc_id"] for a in articles}
    for q in split.questions:
        assert q["answerable"] == (doc[q["article_id"]] not in split.held_out_docs)
        assert q["answers"] == ["gold"]  # the gold stays, for inspection
    assert split.unanswerable == 4 * 3 * 2  # 12 paragraphs, 2 questions each
    with pytest.raises(ValueError):
        leave_articles_out(articles, questions, fraction=1.0)


@needs_public
def test_leave_out_split_of_the_public_slice() -> None:
    articles = read_jsonl(PUBLIC / "articles.jsonl")
    questions = read_jsonl(PUBLIC / "questions.jsonl")
    split = leave_articles_out(articles, questions)
    assert 20 <= len(split.held_out_docs) <= 35
    assert 40 <= split.unanswerable <= 200
    kept_ids = {a["id"] for a in split.articles}
    for q in split.questions:
        assert q["answerable"] == (q["article_id"] in kept_ids)


def test_offtopic_sets() -> None:
    files = sorted(QUESTIONS.glob("offtopic*.jsonl"))
    realtime = read_jsonl(QUESTIONS / "offtopic_realtime.jsonl")
    assert len(realtime) >= 40
    assert {q["kind"] for q in realtime} == {"price", "weather", "now", "prediction"}
    assert {q["lang"] for q in realtime} == {"ko", "en"}
    for q in realtime:
        assert bool(HANGUL.search(q["question"])) == (q["lang"] == "ko"), q
    everything = unanswerable_questions(files)
    assert len({q["id"] for q in everything}) == len(everything)
    assert len({q["question"] for q in everything}) == len(everything)
    assert all(q["answerable"] is False for q in everything)


@needs_public
def test_distractor_corpus_has_every_part() -> None:
    articles = distractor_articles(PUBLIC.parent.parent, ROOT / "data" / "sample")
    ids = {a["id"] for a in articles}
    public = {a["id"] for a in read_jsonl(PUBLIC / "articles.jsonl")}
    sample = {a["id"] for a in read_jsonl(ROOT / "data" / "sample" / "articles.jsonl")}
    assert public | sample <= ids
    extra = ids - public - sample
    assert len(extra) == 4  # three sample files of other formats and the scraped page
    scraped = [a for a in articles if a["id"] in extra and "엔비디아" in a["title"]]
    assert scraped and "글자크기" not in scraped[0]["text"]  # cleaned, not the raw page
    assert all(a.get("doc_id") for a in articles if a["id"] in public)


def test_distractor_sources_missing_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not found"):
        distractor_sources(tmp_path, ROOT / "data" / "sample")


@needs_public
def test_write_evalsets(tmp_path: Path) -> None:
    counts = write_evalsets(tmp_path, PUBLIC.parent.parent, QUESTIONS, ROOT / "data" / "sample")
    assert counts["public_en"] == 125 and counts["distractor_articles"] == 306
    folders = ["public-en", "public-en-ko", "ontopic", "ontopic-en", "ontopic-mixed"]
    for folder in [*folders, "offtopic", "leave-out"]:
        questions = load_questions(tmp_path / folder / "questions.jsonl")
        assert questions, folder
    english = load_questions(tmp_path / "public-en" / "questions.jsonl")
    korean = load_questions(tmp_path / "public-en-ko" / "questions.jsonl")
    assert [q.answers for q in english] == [q.answers for q in korean]
    assert all(q.answerable for q in english)
    offtopic = load_questions(tmp_path / "offtopic" / "questions.jsonl")
    assert not any(q.answerable for q in offtopic)
    assert {q.source for q in offtopic} == {"offtopic", "offtopic_realtime"}
    ontopic_en = load_questions(tmp_path / "ontopic-en" / "questions.jsonl")
    assert sorted(q.source for q in ontopic_en) == ["original"] * 10 + ["translated"] * 30
    loo = load_questions(tmp_path / "leave-out" / "questions.jsonl")
    assert sum(not q.answerable for q in loo) == counts["leave_out_unanswerable"]
    assert (tmp_path / "leave-out" / "articles.jsonl").is_file()
