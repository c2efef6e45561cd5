"""Render docs/scale.md from var/bench/results/scale.json (``python -m bench.scale``).

Every figure is either *measured* (in the run recorded in the JSON) or *composed*:
arithmetic on measured figures, with the arithmetic written next to it. Assumptions that
are not measurements (articles per day, node size) are named as such.
"""

from __future__ import annotations

import math
from typing import Any

from bench.common import DOCS

TARGET_ARTICLES = 10_000_000
TARGET_PASSAGES = 50_000_000  # the issue's ~5 passages per article
ARTICLES_PER_DAY = 20_000  # an assumption (a large news service), not a measurement
SHARDS = 8
ACTOR_CORES = 64  # an assumption: the Ray cluster's encoder cores for a full build


def _gb(n: float) -> str:
    return f"{n / 1e9:,.1f} GB" if n >= 1e9 else f"{n / 1e6:,.0f} MB"


def _n(x: float, digits: int = 0) -> str:
    return f"{x:,.{digits}f}"


def _build(b: dict[str, Any]) -> tuple[list[str], dict[str, float]]:
    rows = {r["build"]: r for r in b["rows"]}
    local = rows["local"]
    lines = [
        "| build | Ray actors | articles | texts embedded | wall s | texts/s | × local | "
        "load before → after |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in b["rows"]:
        lines.append(
            f"| {r['build']} | {r['workers'] if r['build'] != 'local' else '– (in process)'} | "
            f"{r['articles']} | {r['embedded']} | {r['seconds']} | {r['texts_per_s']:.2f} | "
            f"{r['texts_per_s'] / local['texts_per_s']:.2f} | "
            f"{r['load_before'][0]} → {r['load_after'][0]} |"
        )
    lines.append("")
    lines.append(
        f"Vectors of both Ray builds identical to the local build's: "
        f"**{'yes' if b['identical_vectors'] else 'NO'}** (compared byte for byte; the "
        f"test suite checks the whole version, tests/index/test_ray_build.py)."
    )
    if "ray-1" in rows:
        overhead = rows["ray-1"]["seconds"] - local["seconds"]
        lines.append("")
        lines.append(
            f"Ray's fixed cost on this corpus (composed): ray-1 wall − local wall = "
            f"{rows['ray-1']['seconds']} − {local['seconds']} = {overhead:.1f} s (scheduling, "
            "starting the actor process, loading its encoder), paid once per build; on a "
            "corpus worth distributing it is small next to the embedding."
        )
    per_thread = round(local["texts_per_s"], 2)
    facts = {
        "per_thread": per_thread,
        "ray2": rows.get("ray-2", local)["texts_per_s"],
        "sent_per_passage": local["sentences"] / max(1, local["passages"]),
    }
    return lines, facts


def _faiss(f: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    lines: list[str] = []
    facts: dict[str, Any] = {}
    for size in f["sizes"]:
        lines += [
            f"#### {size['n']:,} vectors (measured; nlist {size['nlist']})",
            "",
            "| index | nprobe | bytes/vector | recall@10 | recall@10, top-100 re-ranked | "
            "search p50 ms | re-rank p50 ms | build s |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in size["rows"]:
            lines.append(
                f"| {r['index']} | {r['nprobe'] or '–'} | {_n(r['bytes_per_vector'], 1)} | "
                f"{r['recall_at_10']:.3f} | {r['recall_at_10_reranked']:.3f} | "
                f"{r['search_ms']['p50']} | {r['rerank_ms']['p50']} | {r['build_s']} |"
            )
        lines.append("")
        facts[size["n"]] = size
    return lines, facts


def render(results: dict[str, Any]) -> None:
    b_lines, b = _build(results["build"])
    f_lines, sizes = _faiss(results["faiss"])
    big = max(sizes)
    best_name = results["faiss"]["best_spec"].format(nlist=sizes[big]["nlist"])
    best_rows = [r for r in sizes[big]["rows"] if r["index"] == best_name]
    best = min(
        (r for r in best_rows if r["recall_at_10_reranked"] >= 0.95),
        key=lambda r: r["search_ms"]["p50"],
        default=max(best_rows, key=lambda r: r["recall_at_10_reranked"]),
    )
    # The PQ settings (all within 64 B/vector at scale: codes + 8-byte id).
    small = [
        r
        for size in sizes.values()
        for r in size["rows"]
        if r["nprobe"] and not r["index"].endswith("SQ8")
    ]
    raw_ok = sorted(
        {f"{r['index']} (nprobe {r['nprobe']})" for r in small if r["recall_at_10"] >= 0.95}
    )
    raw_best = max(r["recall_at_10"] for r in small)
    sq8 = min(
        (r for r in sizes[big]["rows"] if r["index"].endswith("SQ8") and r["nprobe"] == 16),
        key=lambda r: r["search_ms"]["p50"],
    )
    flat = next(r for r in sizes[big]["rows"] if r["index"].startswith("Flat"))
    bm = results["bm25"]["rows"][-1]
    bm_pp = bm["array_bytes"] / bm["passages"]
    bm_disk_pp = bm["disk_bytes"] / bm["passages"]
    scale10 = 10_000_000 / big
    sqrt10 = math.sqrt(scale10)
    machine = results["machine"]

    texts_per_article = (1 + b["sent_per_passage"]) * TARGET_PASSAGES / TARGET_ARTICLES
    total_texts = TARGET_ARTICLES * texts_per_article
    core_hours = total_texts / b["per_thread"] / 3600
    day_texts = ARTICLES_PER_DAY * texts_per_article
    day_core_hours = day_texts / b["per_thread"] / 3600
    shard_passages = TARGET_PASSAGES / SHARDS
    sentences = TARGET_PASSAGES * b["sent_per_passage"]
    shard_ram = shard_passages * (best["bytes_per_vector"] + bm_pp)

    out = [
        "# Scale: builds on Ray, read replicas, and a plan for 10M articles",
        "",
        "Regenerated by `python -m bench.scale` (also `python -m bench scale`); the raw "
        "results are in `var/bench/results/scale.json`. "
        f"Machine: {machine['nproc']} cores ({machine['cpu']}), {machine['mem_gib']} GiB, "
        f"measured {machine['at']}. **The machine was shared with other work during the "
        f"run** (1-minute load averages are listed with each figure; on 2 cores a load "
        f"above 2 means the benchmark had less than the whole machine), so the throughput "
        f"figures are lower bounds and the ratios between them are rough.",
        "",
        "Every number below is marked **measured** (in this run) or **composed** "
        "(arithmetic on measured numbers, the arithmetic shown). Assumptions that are not "
        f"measurements: {ARTICLES_PER_DAY:,} new articles a day, ~5 passages per article "
        f"({TARGET_PASSAGES:,} passages for {TARGET_ARTICLES:,} articles, the issue's "
        f"figure), {SHARDS} shards, {ACTOR_CORES} encoder cores in a Ray cluster.",
        "",
        "## Build throughput: local vs Ray (measured)",
        "",
        "The same small corpus (the first articles of `data/sample`), empty embedding "
        "cache each time, so every text is embedded: in process with one encoder thread, "
        "and on a local Ray (`ray.init(num_cpus=2)`) with 1 and 2 actors of one encoder "
        "thread each. Wall time covers the whole build (splitting, embedding, FAISS, "
        "BM25, writing, checksums) and, for Ray, starting the actors and loading one "
        "encoder in each.",
        "",
        *b_lines,
        "",
        "With 2 cores and other work running, 2 actors cannot reach 2× here: the gain "
        "shown is what this busy machine allowed. Each actor is one process with its own "
        "encoder, so actors scale with cores across machines; the "
        "driver only reads, splits, and writes the index.",
        "",
        "## FAISS at 1M and 10M vectors",
        "",
        "Synthetic clustered unit vectors, 384 dimensions (a 64-d latent space with "
        "4,096 topic centres mapped into 384-d, plus noise: `bench/scale.py`, "
        "`clustered_vectors`); queries drawn from the same distribution; recall@10 "
        "against exact search on the same vectors; one query at a time on one thread. "
        "bytes/vector from the serialised index (codes plus 8-byte ids plus the "
        "quantizers). *Re-ranked*: FAISS returns 100 candidates, re-scored exactly from "
        "the float vectors (in a deployment a memory-mapped file on local disk, like "
        "`sentence_vectors.npy`: disk, not RAM).",
        "",
        *f_lines,
        "**Which IVF-PQ / OPQ settings keep recall@10 ≥ 0.95 at ≤ 64 bytes per vector** "
        "(measured above): on their own codes, "
        + (", ".join(raw_ok) if raw_ok else f"none (the best reached {raw_best:.3f})")
        + ". With the top 100 re-ranked from float "
        f"vectors on disk, **{best['index']} at nprobe {best['nprobe']}** reaches "
        f"recall@10 {best['recall_at_10_reranked']:.3f} at {best['bytes_per_vector']} "
        f"bytes/vector in RAM, {best['search_ms']['p50']} ms search + "
        f"{best['rerank_ms']['p50']} ms re-rank (p50, {big:,} vectors, measured). The "
        "sweep table shows every setting that passes. (At the sweep size the coarse "
        "quantizer, nlist × 1,536 B, still adds "
        f"{min(sizes) and sizes[min(sizes)]['nlist'] * 1536 / min(sizes):.1f} B per vector "
        "to the measured bytes; every PQ setting swept stores 48 or 56 bytes of code plus "
        "an 8-byte id.)",
        "",
        f"**10M vectors (composed from the {big:,} run):**",
        "",
        "| index | RAM for vectors | on disk for re-ranking | search p50 |",
        "|---|---|---|---|",
        f"| Flat (exact) | {_gb(flat['bytes_per_vector'] * 1e7)} (1,536 B × 10M) | – | "
        f"~{flat['search_ms']['p50'] * scale10:,.0f} ms ({flat['search_ms']['p50']} ms × "
        f"{scale10:.0f}: linear in N) |",
        f"| {sq8['index'].split(',')[-1]} (today's rule ≥ 500k), nprobe 16 | "
        f"{_gb(sq8['bytes_per_vector'] * 1e7)} ({sq8['bytes_per_vector']} B × 10M) | – | "
        f"~{sq8['search_ms']['p50'] * sqrt10:.1f} ms ({sq8['search_ms']['p50']} ms × "
        f"√{scale10:.0f}: with nlist ≈ 2√N and fixed nprobe a query scans ∝ √N vectors) |",
        f"| {best['index'].split(',', 1)[-1]} + re-rank, nprobe {best['nprobe']} | "
        f"{_gb(best['bytes_per_vector'] * 1e7)} ({best['bytes_per_vector']} B × 10M) | "
        f"{_gb(1536 * 1e7)} float32 | ~{best['search_ms']['p50'] * sqrt10:.1f} ms + "
        f"{best['rerank_ms']['p50']} ms re-rank (× √{scale10:.0f} for the scan; the "
        "re-rank reads 100 vectors whatever N) |",
        "",
        "A 10M build was not run (1M float vectors are 1.5 GB; 10M would be 15 GB beside "
        "the index being built on a 24 GiB machine shared with others).",
        "",
        "## BM25 memory (bm25s)",
        "",
        "| passages | postings | vocabulary | arrays in memory | on disk | build s | load |",
        "|---|---|---|---|---|---|---|",
        *[
            f"| {r['passages']:,} | {r['postings']:,} | {r['vocabulary']:,} | "
            f"{_gb(r['array_bytes'])} ({r['array_bytes'] / r['passages']:.0f} B/passage) | "
            f"{_gb(r['disk_bytes'])} | {r['build_s']} | {results['bm25']['load'][0]} |"
            for r in results["bm25"]["rows"]
        ],
        "",
        "Measured: bm25s over character bigrams of passages from `data/sample`, replicated "
        "with one distinct token each (so postings per passage are those of real Korean "
        "news text; the vocabulary is smaller than a real corpus's, but bigram "
        "vocabularies stay in the low millions and cost little next to the postings). "
        f"**Composed:** {bm_pp:.0f} B/passage × 10M = {_gb(bm_pp * 1e7)}; × 50M = "
        f"{_gb(bm_pp * 5e7)} (on disk {_gb(bm_disk_pp * 5e7)}). The index is "
        "memory-mapped when served, so this is page cache, shared by every server "
        "process on a node, not private memory.",
        "",
        f"## A plan for {TARGET_ARTICLES:,} articles (~{TARGET_PASSAGES:,} passages)",
        "",
        "**Size (composed).** Passages × bytes from the measurements above:",
        "",
        f"- dense passage index, {best['index'].split(',', 1)[-1]}: "
        f"{best['bytes_per_vector']} B × 50M = {_gb(best['bytes_per_vector'] * 5e7)} RAM, "
        f"plus float vectors for re-ranking {_gb(1536 * 5e7)} on disk "
        f"(today's IVF-SQ8 would need {_gb(sq8['bytes_per_vector'] * 5e7)} RAM);",
        f"- sentence vectors (memory-mapped, float32): {b['sent_per_passage']:.2f} sentences "
        f"per passage (measured on the build corpus) × 50M × 1,536 B = "
        f"{_gb(sentences * 1536)} on disk — the largest item; 8-bit codes would make it "
        f"{_gb(sentences * 384)};",
        f"- BM25: {_gb(bm_pp * 5e7)} (above);",
        f"- texts to embed: {texts_per_article:.1f} per article (1 passage + "
        f"{b['sent_per_passage']:.2f} sentences per passage, 5 passages per article) × 10M "
        f"= {total_texts / 1e6:,.0f}M texts.",
        "",
        f"**Shards.** {SHARDS} shards of ~{shard_passages / 1e6:.2f}M passages, by "
        f"publication date (a shard holds a range of dates). A shard's resident memory is "
        f"about {_gb(shard_ram)} (PQ codes {best['bytes_per_vector']} B + BM25 "
        f"{bm_pp:.0f} B per passage, composed) plus the article store; sentence and "
        "re-rank vectors are memory-mapped from local disk, so a 32–64 GB node serves a "
        "shard with room for the page cache. Each shard is an index directory of today's "
        "format (version folders, `CURRENT`); a query fans out to one replica of every "
        "shard (or only to the shards inside a date filter), and the router merges the "
        "shards' candidates by the same reciprocal-rank fusion before sentence selection. "
        "The router is not built yet; everything below the router is what this release "
        "does.",
        "",
        "**Replicas.** Each shard has one writer and N readers (`ARTICLE_QA_ROLE=reader`) "
        "on shared storage; the readers follow the shard's `CURRENT` and swap a verified "
        "version in without failing a request (tests/service/test_replicas.py measures "
        "the lag on loopback; see the test run's notes). Add readers for query load; a "
        "reader's memory is the shard's resident size above.",
        "",
        "**Staged rebuild.** Shards are rebuilt one at a time, each as a new version beside "
        "the served one: embed on Ray (only texts missing from the embedding cache), write, "
        "verify (checksums and a probe), then flip that shard's `CURRENT`; readers follow. "
        "A failed shard build leaves that shard's served version alone (tested). A model "
        "change re-embeds everything: "
        f"{total_texts / 1e6:,.0f}M texts ÷ {b['per_thread']} texts/s per encoder thread "
        f"(measured, local) = {core_hours:,.0f} core-hours, i.e. ~"
        f"{core_hours / ACTOR_CORES / 24:,.1f} days on {ACTOR_CORES} actor cores "
        "(composed; with the ONNX encoder the lead is adding, divide by its measured "
        "speed-up).",
        "",
        f"**A day of new articles (composed).** {ARTICLES_PER_DAY:,} articles × "
        f"{texts_per_article:.1f} texts = {day_texts:,.0f} texts ÷ {b['per_thread']} texts/s "
        f"= {day_core_hours:,.1f} core-hours of embedding, all in the newest shard. That "
        "shard is rebuilt from the embedding cache (old texts cost a cache read, not an "
        "encoder call), so its daily cost is the embedding above plus one shard's FAISS "
        f"build (~{best['build_s'] * shard_passages / big / 60:,.0f} min: {best['build_s']} s "
        f"at {big:,} × {shard_passages / big:,.2f}, composed, on these 2 cores) and BM25 "
        f"build (~{bm['build_s'] * shard_passages / bm['passages'] / 60:,.0f} min: "
        f"{bm['build_s']} s at {bm['passages']:,} passages, scaled linearly, composed); "
        "splitting the shard's articles again (Kiwi) is not measured here; the older "
        "shards do not change. Encoding the day's texts on the 2 cores of this "
        f"machine would take {day_core_hours / 2:,.1f} h: a daily build fits one machine, "
        "the initial build of 10M articles does not.",
        "",
        "**Limits of this release.** The Ray build returns every vector to the driver, "
        "which writes one version: 1.5 KB per text, so the driver needs ~"
        f"{_gb(1536 * total_texts / SHARDS)} for one shard of the plan above, and a "
        "corpus must be split into shards before one build no longer fits a machine. "
        "Routing across shards is the next piece to build.",
        "",
    ]
    (DOCS / "scale.md").write_text("\n".join(out), encoding="utf-8")
