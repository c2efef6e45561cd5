"""Syndicated copies: near-duplicate articles grouped at build time.

An agency story reappears in many outlets with small edits (a byline, a changed lead,
sentences in another order, a few words changed). The build groups such copies with
MinHash (datasketch) over character 5-grams of the normalized body and an LSH index;
two articles whose estimated Jaccard similarity reaches the threshold are copies if
they also tell the same facts at the same time: published at most ``max_days_apart``
days apart (when both are dated) and sharing most of their numbers. Without these two
checks a recurring report written from one template (the weekly apartment prices, a
company's quarterly results) would be grouped across weeks and quarters. Groups are the
connected copies. The threshold and shingle size were chosen by
``python -m bench.dedup`` on edited copies against distinct stories on the same topic
(docs/dedup.md).

Each group is stored in the version directory (``groups.json``, article ids, earliest
published first) and summarized in the manifest.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from index.models import Article

GROUPS_FILE = "groups.json"

# Chosen by python -m bench.dedup (docs/dedup.md): at 0.3 grouping precision was 1.000
# and recall 0.976 on edited copies, twice the highest similarity of two distinct stories
# on the same topic (0.15).
DEFAULT_THRESHOLD = 0.3
DEFAULT_NUM_PERM = 128
DEFAULT_SHINGLE = 5
_SEED = 1
_NON_WORD = re.compile(r"[\W_]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class DedupOptions:
    threshold: float = DEFAULT_THRESHOLD
    num_perm: int = DEFAULT_NUM_PERM
    shingle: int = DEFAULT_SHINGLE
    # Agency copies appear within hours or days of each other.
    max_days_apart: int = 3
    # Share of the numbers of the text with fewer that the other must have (checked when
    # both have at least two).
    number_overlap: float = 0.7

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": "minhash-lsh",
            "library": "datasketch",
            "shingles": f"character {self.shingle}-grams of the normalized text",
            "threshold": self.threshold,
            "num_perm": self.num_perm,
            "max_days_apart": self.max_days_apart,
            "number_overlap": self.number_overlap,
        }


def normalize(text: str) -> str:
    """Case, width, punctuation and spacing do not make two texts different."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _NON_WORD.sub(" ", text).strip()


def shingles(text: str, size: int = DEFAULT_SHINGLE) -> set[str]:
    norm = normalize(text)
    if len(norm) <= size:
        return {norm} if norm else set()
    return {norm[i : i + size] for i in range(len(norm) - size + 1)}


def numbers(text: str) -> frozenset[str]:
    """The numbers a text states ("1,200" and "1200" alike)."""
    return frozenset(n.replace(",", "") for n in _NUMBER.findall(text))


def numbers_agree(a: str, b: str, options: DedupOptions) -> bool:
    na, nb = numbers(a), numbers(b)
    if min(len(na), len(nb)) < 2:
        return True
    return len(na & nb) / min(len(na), len(nb)) >= options.number_overlap


def _day(published: str | None) -> date | None:
    try:
        return date.fromisoformat((published or "")[:10])
    except ValueError:
        return None


def same_story(a: Article, b: Article, options: DedupOptions) -> bool:
    """Two similar texts are copies of one story only if published close together and
    stating the same numbers."""
    da, db = _day(a.published), _day(b.published)
    if da and db and abs((da - db).days) > options.max_days_apart:
        return False
    return numbers_agree(a.text, b.text, options)


def signatures(texts: Sequence[str], options: DedupOptions) -> list[Any]:
    """One datasketch MinHash per text (texts without shingles get None)."""
    from datasketch import MinHash

    out: list[Any] = []
    for text in texts:
        grams = shingles(text, options.shingle)
        if not grams:
            out.append(None)
            continue
        m = MinHash(num_perm=options.num_perm, seed=_SEED)
        m.update_batch([g.encode("utf-8") for g in grams])
        out.append(m)
    return out


def similar_pairs(texts: Sequence[str], options: DedupOptions) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, similarity)``, i < j, whose estimated Jaccard reaches the threshold."""
    return pairs_of(signatures(texts, options), options.threshold, options.num_perm)


def pairs_of(sigs: Sequence[Any], threshold: float, num_perm: int) -> list[tuple[int, int, float]]:
    """The similar pairs among MinHash signatures (None entries never pair)."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    pairs: list[tuple[int, int, float]] = []
    for i, sig in enumerate(sigs):
        if sig is None:
            continue
        for j in lsh.query(sig):
            sim = float(sig.jaccard(sigs[j]))
            # LSH proposes candidates around the threshold; the estimate decides.
            if sim >= threshold:
                pairs.append((min(i, j), max(i, j), sim))
        lsh.insert(i, sig)
    return pairs


def connected(n: int, pairs: Sequence[tuple[int, int, float]]) -> list[list[int]]:
    """Connected components of two or more of ``range(n)`` under ``pairs``."""
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j, _ in pairs:
        ri, rj = root(i), root(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(root(i), []).append(i)
    return [rows for rows in members.values() if len(rows) > 1]


def _published_key(article: Article, row: int) -> tuple[str, int]:
    # Undated copies sort after dated ones; ties keep corpus order.
    return (article.published or "9999", row)


def find_groups(
    articles: Sequence[Article], options: DedupOptions | None = None
) -> list[list[int]]:
    """Groups of article rows (two or more copies each), every group earliest published
    first, groups ordered by their earliest copy's row."""
    options = options or DedupOptions()
    pairs = [
        (i, j, sim)
        for i, j, sim in similar_pairs([a.text for a in articles], options)
        if same_story(articles[i], articles[j], options)
    ]
    members = connected(len(articles), pairs)
    groups = [sorted(rows, key=lambda r: _published_key(articles[r], r)) for rows in members]
    return sorted(groups, key=min)


class DuplicateGroups:
    """The groups of one index version, by article row."""

    def __init__(self, groups: Sequence[Sequence[int]], options: dict[str, Any] | None = None):
        self.groups = [list(g) for g in groups]
        self.options = dict(options or {})
        self._of: dict[int, int] = {row: g for g, rows in enumerate(self.groups) for row in rows}

    def __len__(self) -> int:
        return len(self.groups)

    def group_of(self, row: int) -> list[int]:
        """The article rows of ``row``'s group, earliest first; ``[]`` when it has none."""
        g = self._of.get(row)
        return list(self.groups[g]) if g is not None else []

    def to_json(self, articles: Sequence[Article]) -> dict[str, Any]:
        return {
            **self.options,
            "groups": [[articles[r].id for r in rows] for rows in self.groups],
        }

    def save(self, folder: Path, articles: Sequence[Article]) -> None:
        text = json.dumps(self.to_json(articles), ensure_ascii=False, indent=1)
        (folder / GROUPS_FILE).write_text(text + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, by_id: dict[str, int]) -> DuplicateGroups:
        """The stored groups; none for a version written before groups were stored."""
        path = folder / GROUPS_FILE
        if not path.is_file():
            return cls([])
        data = json.loads(path.read_text(encoding="utf-8"))
        groups = [[by_id[i] for i in ids] for ids in data.get("groups", [])]
        options = {k: v for k, v in data.items() if k != "groups"}
        return cls(groups, options)


__all__ = [
    "DEFAULT_THRESHOLD",
    "DedupOptions",
    "DuplicateGroups",
    "connected",
    "find_groups",
    "normalize",
    "numbers",
    "numbers_agree",
    "same_story",
    "shingles",
    "pairs_of",
    "signatures",
    "similar_pairs",
]
