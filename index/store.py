"""The index directory on disk, and the loaded index.

Layout (plain files, no pickles)::

    INDEX_DIR/
      CURRENT                 name of the version being served (swapped atomically)
      versions/<version>/
        manifest.json         embedder, counts, options, package versions, sha256 of files
        articles.jsonl        canonical articles (offsets point into their ``text``)
        sentences.npy         int32 (S, 3): article, start, end
        passages.npy          int32 (P, 5): article, first sentence, last sentence, start, end
        sentence_vectors.npy  float32 (S, dim)
        morphs.txt            what sentence selection needs of each sentence's morphemes
        morphs_offsets.npy    int64 (S + 1): byte offset of each line of morphs.txt
        passages.faiss        FAISS index over passage vectors (id = passage row)
        bm25/                 bm25s index over passage text
        groups.json           groups of syndicated copies (article ids, earliest first)
        minhash.npy           uint32 (A, 128): each article's MinHash signature, with
        minhash_keys.txt      the text hash it belongs to (the next build reuses them)

A new version is written beside the served one and only becomes ``CURRENT`` once it is
complete and verified, so a failed or killed build never breaks the served index.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from index.dedup import DuplicateGroups
from index.errors import ChecksumError, IndexLoadError, ManifestMismatchError, NotFoundError
from index.lexical import Bm25Index
from index.models import Article, Passage, SentenceRef
from index.morphs import MorphTable

# 2: sentence morphemes are stored (morphs.txt) instead of analysed at query time.
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
CURRENT = "CURRENT"
VERSIONS = "versions"
KEEP_VERSIONS = 2  # the served one and the one before it


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def checksums(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): sha256_file(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def current_version_dir(index_dir: Path) -> Path:
    pointer = index_dir / CURRENT
    if not pointer.is_file():
        raise IndexLoadError(
            f"no index at {index_dir} (run: article-qa build SOURCE --index-dir {index_dir})",
            details={"index_dir": str(index_dir)},
        )
    version = pointer.read_text().strip()
    folder = index_dir / VERSIONS / version
    if not folder.is_dir():
        raise IndexLoadError(f"index version {version!r} named by {pointer} is missing")
    return folder


def publish_version(index_dir: Path, version: str) -> None:
    """Point CURRENT at ``version`` atomically, then drop all but the newest versions."""
    tmp = index_dir / f".{CURRENT}.tmp"
    tmp.write_text(version + "\n")
    os.replace(tmp, index_dir / CURRENT)
    versions = sorted((index_dir / VERSIONS).iterdir(), key=lambda p: p.stat().st_mtime)
    stale = [p for p in versions if p.name != version][: max(0, len(versions) - KEEP_VERSIONS)]
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class IndexData:
    """Everything a version directory holds, in memory."""

    manifest: dict[str, Any]
    articles: list[Article]
    sentences: np.ndarray
    passages: np.ndarray
    sentence_vectors: np.ndarray
    morphs: MorphTable
    faiss_index: Any
    bm25: Bm25Index
    groups: DuplicateGroups | None = None  # None: a version written before groups existed


def write_version(folder: Path, data: IndexData) -> None:
    import faiss

    folder.mkdir(parents=True)
    with (folder / "articles.jsonl").open("w", encoding="utf-8") as fh:
        for article in data.articles:
            fh.write(json.dumps(article.to_dict(), ensure_ascii=False) + "\n")
    np.save(folder / "sentences.npy", data.sentences.astype(np.int32))
    np.save(folder / "passages.npy", data.passages.astype(np.int32))
    np.save(folder / "sentence_vectors.npy", data.sentence_vectors.astype(np.float32))
    data.morphs.save(folder)
    faiss.write_index(data.faiss_index, str(folder / "passages.faiss"))
    data.bm25.save(folder / "bm25")
    if data.groups is not None:
        data.groups.save(folder, data.articles)
    manifest = dict(data.manifest)
    manifest["files"] = checksums(folder)
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")


def _try_ivf(index: Any) -> Any:
    import faiss

    return faiss.try_extract_index_ivf(index)


class LoadedIndex:
    """A read-only, loaded index version. Safe to share between threads."""

    def __init__(self, folder: Path, data: IndexData) -> None:
        self.folder = folder
        self.manifest = data.manifest
        self.articles = data.articles
        self.sentences = data.sentences
        self.passages = data.passages
        self.sentence_vectors = data.sentence_vectors
        self.morphs = data.morphs
        self.faiss_index = data.faiss_index
        ivf = _try_ivf(self.faiss_index)
        if ivf is not None:
            # reconstruct() (used to score passages found by BM25 only) needs the map.
            ivf.make_direct_map()
        self.bm25 = data.bm25
        self._by_id = {a.id: i for i, a in enumerate(self.articles)}
        self.groups = data.groups or DuplicateGroups([])
        # sentence rows of each passage's article start here: passage sentence i is
        # row article_first_sentence[article] + i
        first = np.full(len(self.articles) + 1, len(self.sentences), dtype=np.int64)
        if len(self.sentences):
            arts = self.sentences[:, 0]
            uniq, idx = np.unique(arts, return_index=True)
            first[uniq] = idx
        self.article_first_sentence = first

    @property
    def version(self) -> str:
        return self.folder.name

    def __len__(self) -> int:
        return len(self.passages)

    def article_index(self, article_id: str) -> int:
        try:
            return self._by_id[article_id]
        except KeyError:
            raise NotFoundError(f"unknown article id {article_id!r}") from None

    def article(self, article_id: str) -> Article:
        return self.articles[self.article_index(article_id)]

    def passage(self, row: int) -> Passage:
        a, first, last, start, end = (int(x) for x in self.passages[row])
        return Passage(a, first, last, start, end)

    def passage_text(self, row: int) -> str:
        p = self.passage(row)
        return self.articles[p.article].text[p.start : p.end]

    def sentence_rows(self, passage_row: int) -> range:
        p = self.passage(passage_row)
        base = int(self.article_first_sentence[p.article])
        return range(base + p.first_sentence, base + p.last_sentence)

    def sentence(self, row: int) -> SentenceRef:
        a, start, end = (int(x) for x in self.sentences[row])
        return SentenceRef(row, a, start, end)

    def sentence_text(self, row: int) -> str:
        a, start, end = (int(x) for x in self.sentences[row])
        return self.articles[a].text[start:end]

    def sentence_article(self, row: int) -> int:
        """The article row of sentence ``row``."""
        return int(self.sentences[row, 0])

    def passage_article(self, row: int) -> int:
        """The article row of passage ``row``."""
        return int(self.passages[row, 0])

    def article_sentence_rows(self, article: int) -> range:
        """The sentence rows of article row ``article``."""
        first = self.article_first_sentence
        return range(int(first[article]), int(first[article + 1]))

    def article_passage_rows(self, article: int) -> range:
        """The passage rows of article row ``article`` (passages are stored by article)."""
        lo, hi = np.searchsorted(self.passages[:, 0], [article, article + 1])
        return range(int(lo), int(hi))

    def sentence_articles(self, rows: np.ndarray | Sequence[int]) -> np.ndarray:
        """The article row of each sentence in ``rows``."""
        return self.sentences[np.asarray(rows, dtype=np.int64), 0]

    def sentence_index_in_article(self, row: int) -> int:
        return row - int(self.article_first_sentence[int(self.sentences[row, 0])])

    @property
    def sentence_count(self) -> int:
        return len(self.sentences)

    @property
    def passage_count(self) -> int:
        return len(self.passages)

    def iter_sentences(self) -> Iterator[SentenceRef]:
        """Every sentence, in row order (articles in order, sentences in text order)."""
        for row, (a, start, end) in enumerate(self.sentences.tolist()):
            yield SentenceRef(row, a, start, end)

    # Vectorized access for the hot paths: arrays in, arrays out.

    @property
    def passage_articles(self) -> np.ndarray:
        """The article row of every passage (a view, not a copy)."""
        return self.passages[:, 0]

    @cached_property
    def korean_articles(self) -> np.ndarray:
        """Whether each article is Korean, by its ``lang`` (given, or guessed from its text
        when it was read: index.text.is_korean)."""
        return np.array(
            [(a.lang or "").lower().startswith("ko") for a in self.articles], dtype=bool
        )

    def sentence_vectors_at(self, rows: np.ndarray | Sequence[int]) -> np.ndarray:
        """(len(rows), dim) vectors of those sentences (one gather from the memory map)."""
        return np.asarray(self.sentence_vectors[rows])

    def passage_sentence_rows(
        self, rows: np.ndarray | Sequence[int]
    ) -> tuple[np.ndarray, np.ndarray]:
        """The sentence rows of the passages ``rows``, concatenated, and the offset where
        each passage's sentences start in that array (for ``np.maximum.reduceat``)."""
        p = self.passages[np.asarray(rows, dtype=np.int64)]
        starts = self.article_first_sentence[p[:, 0]] + p[:, 1]
        lengths = (p[:, 2] - p[:, 1]).astype(np.int64)
        offsets = np.cumsum(lengths) - lengths
        sentence_rows = np.repeat(starts - offsets, lengths) + np.arange(int(lengths.sum()))
        return sentence_rows, offsets

    @cached_property
    def published_days(self) -> np.ndarray:
        """Each article's publication day as ``date.toordinal()``; -1 when it has none (or
        none that parses). Used by dates in questions (qa/time_scope.py)."""
        days = np.full(len(self.articles), -1, dtype=np.int64)
        for i, article in enumerate(self.articles):
            try:
                days[i] = date.fromisoformat((article.published or "")[:10]).toordinal()
            except ValueError:
                continue
        return days


def load_index(
    index_dir: str | Path,
    *,
    backend: str | None = None,
    model: str | None = None,
    verify: bool = True,
) -> LoadedIndex:
    """Load the served version. A different embedder than the configured one, or a file
    whose checksum differs from the manifest, is an error rather than wrong answers."""
    folder = current_version_dir(Path(index_dir))
    return load_version(folder, backend=backend, model=model, verify=verify)


def load_version(
    folder: Path, *, backend: str | None = None, model: str | None = None, verify: bool = True
) -> LoadedIndex:
    import faiss

    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise IndexLoadError(f"cannot read {folder / MANIFEST}: {exc}") from exc
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ManifestMismatchError(
            f"index format {manifest.get('format_version')} is not {FORMAT_VERSION}; rebuild it"
        )
    built = manifest.get("embedder", {})
    for key, want in (("backend", backend), ("model", model)):
        if want is not None and built.get(key) != want:
            raise ManifestMismatchError(
                f"index was built with embedder {key} {built.get(key)!r} but {want!r} is "
                f"configured; rebuild the index or configure the same embedder",
                details={"index": built, "configured": {"backend": backend, "model": model}},
            )
    if verify:
        expected = manifest.get("files", {})
        actual = checksums(folder)
        bad = sorted(k for k in expected.keys() | actual.keys() if expected.get(k) != actual.get(k))
        if bad:
            raise ChecksumError(
                f"index files do not match the manifest checksums: {', '.join(bad)}",
                details={"files": bad, "folder": str(folder)},
            )
    try:
        with (folder / "articles.jsonl").open(encoding="utf-8") as fh:
            articles = [Article.from_dict(json.loads(line)) for line in fh]
        by_id = {a.id: i for i, a in enumerate(articles)}
        data = IndexData(
            manifest=manifest,
            articles=articles,
            sentences=np.load(folder / "sentences.npy", allow_pickle=False),
            passages=np.load(folder / "passages.npy", allow_pickle=False),
            sentence_vectors=np.load(
                folder / "sentence_vectors.npy", allow_pickle=False, mmap_mode="r"
            ),
            morphs=MorphTable.load(folder),
            faiss_index=faiss.read_index(str(folder / "passages.faiss")),
            bm25=Bm25Index.load(folder / "bm25", size=int(manifest["counts"]["passages"])),
            groups=DuplicateGroups.load(folder, by_id),
        )
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise IndexLoadError(f"cannot load index from {folder}: {exc}") from exc
    return LoadedIndex(folder, data)
