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

import hashlib
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

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


SIGNATURES_FILE = "minhash.npy"
SIGNATURE_KEYS_FILE = "minhash_keys.txt"
# datasketch's 32-bit hashing scheme (its default since 2.0), named so that stored hash
# values are read back the way they were made.
_SCHEME = "affine32"


def signature_key(text: str, options: DedupOptions) -> str:
    """What a signature depends on: the text and the shingling and hashing settings."""
    head = f"{options.shingle}/{options.num_perm}/{_SEED}/{_SCHEME}\n"
    return hashlib.sha1((head + text).encode("utf-8")).hexdigest()


@dataclass
class Signatures:
    """The MinHash hash values of a version's articles (row = article row), kept in its
    folder so that the next build (an API write rebuilds every version) hashes only new
    or changed texts: hashing costs ~6 ms per 2,000-character article."""

    keys: list[str]
    values: np.ndarray  # uint32 (N, num_perm); an all-max row has no shingles

    def save(self, folder: Path) -> None:
        np.save(folder / SIGNATURES_FILE, np.asarray(self.values, dtype=np.uint32))
        (folder / SIGNATURE_KEYS_FILE).write_text("".join(k + "\n" for k in self.keys))

    @classmethod
    def load(cls, folder: Path) -> Signatures | None:
        """A version's signatures, or None when it has none (or unreadable ones)."""
        try:
            keys = (folder / SIGNATURE_KEYS_FILE).read_text().split()
            values = np.load(folder / SIGNATURES_FILE, mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError):
            return None
        return cls(keys, values) if len(keys) == len(values) else None

    def minhashes(self) -> list[Any]:
        from datasketch import LeanMinHash

        empty = np.iinfo(np.uint32).max
        return [
            None
            if bool((row == empty).all())
            else LeanMinHash(seed=_SEED, hashvalues=np.asarray(row), scheme=_SCHEME)
            for row in self.values
        ]


def signatures(
    texts: Sequence[str], options: DedupOptions, previous: Signatures | None = None
) -> Signatures:
    """The MinHash signature of each text; those ``previous`` has are taken from it."""
    from datasketch import MinHash

    keys = [signature_key(t, options) for t in texts]
    known = {k: i for i, k in enumerate(previous.keys)} if previous is not None else {}
    values = np.empty((len(texts), options.num_perm), dtype=np.uint32)
    for i, (text, key) in enumerate(zip(texts, keys, strict=True)):
        row = known.get(key)
        if row is not None and previous is not None:
            values[i] = previous.values[row]
            continue
        m = MinHash(num_perm=options.num_perm, seed=_SEED, scheme=_SCHEME)
        m.update_batch([g.encode("utf-8") for g in shingles(text, options.shingle)])
        values[i] = m.hashvalues
    return Signatures(keys, values)


def similar_pairs(
    texts: Sequence[str], options: DedupOptions, previous: Signatures | None = None
) -> tuple[list[tuple[int, int, float]], Signatures]:
    """Pairs ``(i, j, similarity)``, i < j, whose estimated Jaccard reaches the
    threshold, and the texts' signatures."""
    sigs = signatures(texts, options, previous)
    return pairs_of(sigs.minhashes(), options.threshold, options.num_perm), sigs


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


def group_copies(
    articles: Sequence[Article], options: DedupOptions, previous: Signatures | None = None
) -> tuple[list[list[int]], Signatures]:
    """Groups of article rows (two or more copies each), every group earliest published
    first, groups ordered by their earliest copy's row; and the articles' signatures."""
    found, sigs = similar_pairs([a.text for a in articles], options, previous)
    pairs = [(i, j, sim) for i, j, sim in found if same_story(articles[i], articles[j], options)]
    members = connected(len(articles), pairs)
    groups = [sorted(rows, key=lambda r: _published_key(articles[r], r)) for rows in members]
    return sorted(groups, key=min), sigs


def find_groups(
    articles: Sequence[Article], options: DedupOptions | None = None
) -> list[list[int]]:
    """The groups of :func:`group_copies`."""
    return group_copies(articles, options or DedupOptions())[0]


class DuplicateGroups:
    """The groups of one index version, by article row."""

    def __init__(
        self,
        groups: Sequence[Sequence[int]],
        options: dict[str, Any] | None = None,
        signatures: Signatures | None = None,
    ):
        self.groups = [list(g) for g in groups]
        self.options = dict(options or {})
        self.signatures = signatures  # only while building: saved with the groups
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
        if self.signatures is not None:
            self.signatures.save(folder)

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
    "Signatures",
    "connected",
    "find_groups",
    "group_copies",
    "normalize",
    "numbers",
    "numbers_agree",
    "same_story",
    "shingles",
    "pairs_of",
    "signatures",
    "similar_pairs",
]
