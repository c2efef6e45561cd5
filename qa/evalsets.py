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
    for s in sorted(names, key=lambda s: exact[s] - quota[s], reverse=True)[: n - sum(quota.values())]:
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
