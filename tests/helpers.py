"""Shared checks and paths for the core tests (no fixtures here; see conftest.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from index.models import Article
from index.store import LoadedIndex
from qa.chat import ChatReply
from qa.types import Answer, Citation

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = REPO_ROOT / "data" / "sample"
SAMPLE_JSONL = SAMPLE_DIR / "articles.jsonl"
QUESTIONS_DIR = REPO_ROOT / "data" / "questions"
SHARED_DIR = REPO_ROOT / ".." / "shared"
RAW_PAGE = SHARED_DIR / "eval" / "raw" / "000_8ec8d2ca407bf98c.txt"

# Derived from the one answer model (qa/types.py), never typed twice.
CITATION_FIELDS = tuple(f.name for f in fields(Citation))
ANSWER_FIELDS = tuple(f.name for f in fields(Answer))
CHAT_ANSWER_FIELDS = ANSWER_FIELDS + tuple(f.name for f in fields(ChatReply) if f.name != "answer")

ArticleSource = LoadedIndex | Mapping[str, Article] | Iterable[Article]


@dataclass(frozen=True)
class Asked:
    """One question of a question file and the answer it got."""

    item: dict[str, Any]
    answer: Answer
    gold_article: str | None = None  # the expected article's id in the index


# Numbers worth seeing on every run (hit rates, refusal rates); conftest prints them in
# the terminal summary, since print() output is captured.
QUALITY_NOTES: list[str] = []


def note(line: str) -> None:
    print(line)
    QUALITY_NOTES.append(line)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _as_dict(answer: Any) -> dict[str, Any]:
    return answer if isinstance(answer, dict) else answer.to_dict()


def _articles_by_id(source: ArticleSource) -> dict[str, Article]:
    if isinstance(source, LoadedIndex):
        return {a.id: a for a in source.articles}
    if isinstance(source, Mapping):
        return dict(source)
    return {a.id: a for a in source}


def _check_sentence_alignment(index: LoadedIndex, citation: dict[str, Any], quote: str) -> None:
    """The cited sentence index names the sentence the quote starts with, and the quote
    ends on a sentence boundary of the same article."""
    a = index.article_index(citation["article_id"])
    rows = index.article_sentence_rows(a)
    starts = [index.sentence(r).start for r in rows]
    ends = {index.sentence(r).end for r in rows}
    i = citation["sentence_index"]
    assert 0 <= i < len(rows), f"sentence_index {i} out of range for {citation['article_id']}"
    assert starts[i] == citation["char_start"], f"sentence_index {i} does not start the quote"
    assert citation["char_end"] in ends, f"quote {quote!r} does not end on a sentence boundary"
    passage_article = int(index.passages[citation["passage_id"], 0])
    assert passage_article == a, "passage_id names a passage of another article"


# Bad input records ------------------------------------------------------------------


def json_line(record: object) -> bytes:
    """One JSONL line (UTF-8 bytes)."""
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


GOOD_WITH_ID = {
    "id": "good-1",
    "title": "한국은행 기준금리 동결",
    "text": "한국은행이 기준금리를 연 2.50%로 동결했다. 시장은 이를 예상했다.",
    "url": "https://news.example.com/good-1",
}
GOOD_WITH_URL = {
    "title": "Port news",
    "text": "Busan Port handled a record volume. Officials were pleased.",
    "url": "https://news.example.com/port",
}
GOOD_BARE = {"title": "No url", "text": "A record without an id or a url. It has two sentences."}

# (line content, expected reason) in file order; None marks a good line.
BAD_JSONL = [
    (json_line(GOOD_WITH_ID), None),
    (b'{"id": "broken", "text": ', "invalid JSON"),
    (json_line({"id": "no-text", "title": "제목만 있다"}), "missing text"),
    (b'{"id": "latin1", "text": "caf\xe9 au lait"}', "unreadable encoding"),
    (json_line({"id": "blank", "text": "  \u200b\u00ad \n\n "}), "empty after cleaning"),
    (b"[1, 2, 3]", "record is not a JSON object"),
    (b"", None),  # a blank line is not a record
    (json_line(GOOD_WITH_URL), None),
    (
        json_line({"id": "bad-title", "title": ["not", "a", "string"], "text": "본문이다."}),
        "field 'title'",
    ),
    (json_line(GOOD_BARE), None),
]
TXT_ARTICLE = "Seoul Subway Adds Trains\n\nThe city added ten trains. Riders welcomed the change.\n"


def write_bad_source(folder: Path) -> Path:
    """A source folder with every kind of bad record beside good ones: ``articles.jsonl``
    (see ``BAD_JSONL``), an unsupported ``notes.pdf`` and a good ``subway.txt``."""
    (folder / "articles.jsonl").write_bytes(b"\n".join(line for line, _ in BAD_JSONL) + b"\n")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4 not an article")
    (folder / "subway.txt").write_text(TXT_ARTICLE, encoding="utf-8")
    return folder


def assert_clean_failure(result: Any, *fragments: str) -> None:
    """A CLI run that failed the way a user should see it: non-zero exit, the given
    message fragments on stderr, and no Python traceback anywhere."""
    output = result.stdout + result.stderr
    assert result.returncode != 0, f"expected a failure, got exit 0:\n{output}"
    assert "Traceback" not in output, output
    for fragment in fragments:
        assert fragment in result.stderr, f"{fragment!r} not in stderr:\n{result.stderr}"


def assert_quotes_valid(answer: Any, index_or_articles: ArticleSource) -> None:
    """The invariant every answer must keep, whether it is an ``Answer`` or its JSON form.

    Answered: at least one quote; each quote is exactly ``article.text[char_start:char_end]``;
    every citation field is present and agrees with the article; the answer text holds
    each quote verbatim followed by its ``[n]`` marker. Not answered: no quotes and a
    reason (the nearest passages are checked where a test expects some: a filter can
    leave none). Every listed passage is verbatim article text too. An ``answer_span``,
    where given, lies inside its quote.
    """
    data = _as_dict(answer)
    articles = _articles_by_id(index_or_articles)
    index = index_or_articles if isinstance(index_or_articles, LoadedIndex) else None
    question = data.get("question")
    if data["answered"]:
        assert data["quotes"], f"answered without quotes: {question!r}"
        position = 0
        for n, quote in enumerate(data["quotes"], start=1):
            citation = quote["citation"]
            missing = [f for f in CITATION_FIELDS if f not in citation]
            assert not missing, f"citation lacks {missing}"
            article = articles.get(citation["article_id"])
            assert article is not None, f"unknown cited article {citation['article_id']!r}"
            start, end = citation["char_start"], citation["char_end"]
            assert 0 <= start < end <= len(article.text), (start, end, len(article.text))
            assert article.text[start:end] == quote["text"], (
                f"quote is not verbatim: {quote['text']!r} != {article.text[start:end]!r}"
            )
            assert citation["title"] == article.title
            assert citation["url"] == article.url
            assert citation["published"] == article.published
            assert isinstance(citation["passage_id"], int) and citation["passage_id"] >= 0
            assert isinstance(citation["sentence_index"], int) and citation["sentence_index"] >= 0
            if index is not None:
                _check_sentence_alignment(index, citation, quote["text"])
            span = quote.get("answer_span")
            if span is not None:  # the answer inside the quote: a non-empty, trimmed slice
                assert 0 <= span["start"] < span["end"] <= len(quote["text"]), span
                inside = quote["text"][span["start"] : span["end"]]
                assert inside == inside.strip(), f"answer span not trimmed: {inside!r}"
            marked = f"{quote['text']} [{n}]"
            found = data["answer"].find(marked, position)
            assert found >= 0, f"answer lacks {marked!r} in order: {data['answer']!r}"
            position = found + len(marked)
    else:
        assert not data["quotes"], "an unanswered question carries quotes"
        assert not data["answer"], "an unanswered question carries an answer text"
        assert data["reason"], "an unanswered question carries no reason"
    for passage in data["passages"]:
        article = articles[passage["article_id"]]
        text = article.text[passage["char_start"] : passage["char_end"]]
        assert text == passage["text"], f"passage {passage['passage_id']} is not verbatim"


def quote_hit(answer: Any, gold: Iterable[str], k: int, article_id: str | None = None) -> bool:
    """A gold string lies in one of the first ``k`` quotes (of the expected article)."""
    data = _as_dict(answer)
    if not data["answered"]:
        return False
    gold = list(gold)
    for quote in data["quotes"][:k]:
        if article_id is not None and quote["citation"]["article_id"] != article_id:
            continue
        if any(g in quote["text"] for g in gold):
            return True
    return False


def span_problems(text: str, spans: Iterable[Any]) -> list[str]:
    """What is wrong with sentence spans over ``text`` (empty when nothing is): each span
    is trimmed and non-empty, within one line, in order, not overlapping, and together
    they cover every non-space character."""
    problems = []
    covered = [False] * len(text)
    last_end = 0
    for span in spans:
        start, end = span.start, span.end
        piece = text[start:end]
        if not (0 <= start < end <= len(text)):
            problems.append(f"span {start}:{end} out of range")
            continue
        if piece != piece.strip():
            problems.append(f"span {start}:{end} is not trimmed: {piece!r}")
        if "\n" in piece:
            problems.append(f"span {start}:{end} crosses a line: {piece!r}")
        if start < last_end:
            problems.append(f"span {start}:{end} overlaps or precedes the one before")
        last_end = end
        for i in range(start, end):
            covered[i] = True
    lost = "".join(c for c, ok in zip(text, covered, strict=True) if not ok and not c.isspace())
    if lost:
        problems.append(f"characters outside every sentence: {lost!r}")
    return problems


def naive_sentences(paragraph: str) -> list[str]:
    """An independent reference split for plain news prose: after . ! ? and whitespace."""
    return [s for s in re.split(r"(?<=[.!?])\s+", paragraph.strip()) if s]
