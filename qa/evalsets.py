"""Evaluation sets built from data we have: the seeded sample of public questions that we
translated into English, and leave-article-out splits whose held-out questions have no
answer in the index.

Everything here is deterministic for a given seed, so a set can be rebuilt and checked
rather than stored: the repository keeps only ids and our own writing, never the public
data itself.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.errors import RecordError, SourceError

ENGLISH_SAMPLE_SEED = 11
ENGLISH_SAMPLE_SIZE = 125


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The objects of a JSONL file; a broken line is an error with its line number."""
    if not path.is_file():
        raise SourceError(f"file not found: {path}")
    out: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise RecordError(exc.msg, path=str(path), line=number) from None
            if not isinstance(item, dict):
                raise RecordError("expected a JSON object", path=str(path), line=number)
            out.append(item)
    return out


def write_jsonl(path: Path, items: Iterable[dict[str, Any]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
            n += 1
    return n


def doc_of(articles: Sequence[dict[str, Any]]) -> dict[str, str]:
    """article id -> doc_id (the page a paragraph comes from; the article id if none)."""
    return {str(a["id"]): str(a.get("doc_id") or a["id"]) for a in articles}


def _source(q: dict[str, Any]) -> str:
    return str(q.get("source") or "").split(":")[0]


def english_sample(
    questions: Sequence[dict[str, Any]],
    articles: Sequence[dict[str, Any]],
    n: int = ENGLISH_SAMPLE_SIZE,
    seed: int = ENGLISH_SAMPLE_SEED,
) -> list[str]:
    """Ids of ``n`` questions spread over sources and pages: each source gets a share
    proportional to its size, and within a source the pages take turns (in a seeded
    order), one seeded question each, so no page gives a second question before every
    page of its source has given one."""
    docs = doc_of(articles)
    by_source: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for q in questions:
        by_source[_source(q)][docs.get(str(q["article_id"]), str(q["article_id"]))].append(q)
    total = len(questions)
    rng = random.Random(seed)
    names = sorted(by_source)
    # Largest-remainder apportionment, so the shares add up to exactly n.
    exact = {s: n * sum(map(len, by_source[s].values())) / total for s in names}
    quota = {s: int(exact[s]) for s in names}
    by_remainder = sorted(names, key=lambda s: exact[s] - quota[s], reverse=True)
    for s in by_remainder[: n - sum(quota.values())]:
        quota[s] += 1
    chosen: list[str] = []
    for s in names:
        pages = {d: sorted(qs, key=lambda q: str(q["id"])) for d, qs in by_source[s].items()}
        order = sorted(pages)
        rng.shuffle(order)
        for qs in pages.values():
            rng.shuffle(qs)
        picked = 0
        round_ = 0
        while picked < quota[s] and any(len(qs) > round_ for qs in pages.values()):
            for d in order:
                if picked < quota[s] and len(pages[d]) > round_:
                    chosen.append(str(pages[d][round_]["id"]))
                    picked += 1
            round_ += 1
    return chosen


def translated_set(
    translations: Sequence[dict[str, Any]], originals: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Our translations joined with the question each one translates (``source_id``): the
    gold answers, article and source come from the original, so the repository needs to
    keep only ids and our own sentences."""
    by_id = {str(q["id"]): q for q in originals}
    out = []
    for t in translations:
        original = by_id.get(str(t.get("source_id")))
        if original is None:
            raise SourceError(f"translation {t.get('id')!r}: no question {t.get('source_id')!r}")
        merged = {k: v for k, v in original.items() if k != "question"}
        merged.update(t)
        out.append(merged)
    return out


LEAVE_OUT_SEED = 11
LEAVE_OUT_FRACTION = 0.15


@dataclass
class LeaveOut:
    """A corpus with some pages taken out. ``questions`` holds every question: those of the
    held-out pages are flagged ``answerable: false`` (their article is not in the index,
    though a nearby page of the same domain is), the rest keep their gold."""

    held_out_docs: list[str]
    articles: list[dict[str, Any]]
    questions: list[dict[str, Any]]

    @property
    def unanswerable(self) -> int:
        return sum(not q["answerable"] for q in self.questions)


def leave_articles_out(
    articles: Sequence[dict[str, Any]],
    questions: Sequence[dict[str, Any]],
    *,
    fraction: float = LEAVE_OUT_FRACTION,
    seed: int = LEAVE_OUT_SEED,
) -> LeaveOut:
    """Hold out a seeded ``fraction`` of the pages (``doc_id``) of each source, with all
    their paragraphs, so a held-out question cannot be answered from a sibling paragraph
    of its own page. Each source keeps at least one page and gives at least one."""
    if not 0 < fraction < 1:
        raise ValueError("fraction must be between 0 and 1")
    docs = doc_of(articles)
    pages_by_source: dict[str, set[str]] = defaultdict(set)
    for a in articles:
        pages_by_source[str(a.get("source") or "").split(":")[0]].add(docs[str(a["id"])])
    rng = random.Random(seed)
    held: set[str] = set()
    for source in sorted(pages_by_source):
        pages = sorted(pages_by_source[source])
        rng.shuffle(pages)
        k = min(len(pages) - 1, max(1, round(fraction * len(pages))))
        held.update(pages[:k])
    kept = [dict(a) for a in articles if docs[str(a["id"])] not in held]
    out_questions = []
    for q in questions:
        q = dict(q)
        page = docs.get(str(q.get("article_id")), str(q.get("article_id")))
        if page in held:
            q["answerable"] = False
            q["held_out_doc"] = page
        else:
            q.setdefault("answerable", bool(q.get("answers")))
        out_questions.append(q)
    return LeaveOut(sorted(held), kept, out_questions)


def distractor_sources(shared_dir: Path, sample_dir: Path) -> list[Path]:
    """The bigger corpus for calibration: the public slice, our sample articles (with the
    .html/.txt/.md extras) and the raw scraped news page, as sources for ``build``."""
    public = shared_dir / "eval" / "public" / "articles.jsonl"
    sources = [public, sample_dir, shared_dir / "eval" / "raw"]
    missing = [str(p) for p in sources if not p.exists()]
    if missing:
        raise SourceError(f"distractor corpus: not found: {', '.join(missing)}")
    return sources


def distractor_articles(shared_dir: Path, sample_dir: Path) -> list[dict[str, Any]]:
    """The distractor corpus read and cleaned (scraped page included) as article records,
    ready to be written as one JSONL file."""
    from index.readers import read_sources

    result = read_sources(distractor_sources(shared_dir, sample_dir))
    out = []
    for article in result.articles:
        record = article.to_dict()
        # Extra fields (doc_id, ...) go back to the top level, where the reader finds them.
        out.append({**record.pop("metadata"), **record})
    return out


def unanswerable_questions(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Question files of ours with no answer in any corpus (off-topic sets), each flagged
    ``answerable: false`` and tagged with the file it came from."""
    out = []
    for path in paths:
        for q in read_jsonl(path):
            out.append({**q, "answerable": False, "set": path.stem})
    return out


def write_evalsets(
    out: Path,
    shared_dir: Path,
    questions_dir: Path,
    sample_dir: Path,
    *,
    seed: int = LEAVE_OUT_SEED,
    fraction: float = LEAVE_OUT_FRACTION,
) -> dict[str, int]:
    """Write every set as a dataset folder (``questions.jsonl``, and ``articles.jsonl``
    where the set has its own corpus) under ``out``; returns counts for a report."""
    public = shared_dir / "eval" / "public"
    articles = read_jsonl(public / "articles.jsonl")
    questions = read_jsonl(public / "questions.jsonl")

    english = translated_set(read_jsonl(questions_dir / "public_en.jsonl"), questions)
    by_id = {q["id"]: q for q in questions}
    write_jsonl(out / "public-en" / "questions.jsonl", english)
    write_jsonl(out / "public-en-ko" / "questions.jsonl", [by_id[q["source_id"]] for q in english])

    ontopic = read_jsonl(questions_dir / "ontopic.jsonl")
    offtopic = unanswerable_questions(sorted(questions_dir.glob("offtopic*.jsonl")))
    write_jsonl(out / "ontopic" / "questions.jsonl", ontopic)
    # Reported apart: our translations (Korean question -> English) and the English
    # questions as they were.
    ontopic_en = [
        {**q, "source": "translated" if q.get("translated") else "original"}
        for q in read_jsonl(questions_dir / "ontopic_en.jsonl")
    ]
    write_jsonl(out / "ontopic-en" / "questions.jsonl", ontopic_en)
    write_jsonl(
        out / "ontopic-ko" / "questions.jsonl", read_jsonl(questions_dir / "ontopic_ko.jsonl")
    )
    write_jsonl(
        out / "ontopic-mixed" / "questions.jsonl",
        read_jsonl(questions_dir / "ontopic_mixed.jsonl"),
    )
    write_jsonl(out / "offtopic" / "questions.jsonl", offtopic)

    split = leave_articles_out(articles, questions, fraction=fraction, seed=seed)
    write_jsonl(out / "leave-out" / "articles.jsonl", split.articles)
    write_jsonl(out / "leave-out" / "questions.jsonl", split.questions)
    # The English questions over the same corpus: those of held-out pages are unanswerable
    # across languages (the cross-lingual side of abstention).
    held = set(split.held_out_docs)
    docs = doc_of(articles)
    write_jsonl(
        out / "leave-out-en" / "questions.jsonl",
        [{**q, "answerable": docs.get(str(q["article_id"])) not in held} for q in english],
    )
    (out / "leave-out" / "held_out.json").write_text(
        json.dumps(
            {"seed": seed, "fraction": fraction, "docs": split.held_out_docs},
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )

    distractor = distractor_articles(shared_dir, sample_dir)
    write_jsonl(out / "distractor" / "articles.jsonl", distractor)
    write_jsonl(out / "distractor" / "questions.jsonl", questions + ontopic + offtopic)
    return {
        "public_en": len(english),
        "offtopic": len(offtopic),
        "held_out_pages": len(split.held_out_docs),
        "leave_out_articles": len(split.articles),
        "public_articles": len(articles),
        "leave_out_unanswerable": split.unanswerable,
        "leave_out_questions": len(split.questions),
        "leave_out_en_unanswerable": sum(docs.get(str(q["article_id"])) in held for q in english),
        "distractor_articles": len(distractor),
    }
