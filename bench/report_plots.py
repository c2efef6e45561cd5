"""The plots of docs/performance.md (docs/img/*.png), from the same results as its tables."""

from __future__ import annotations

from bench.common import IMG


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    IMG.mkdir(parents=True, exist_ok=True)
    return plt


def latency(rows_perf, http_by, comp) -> None:
    if not rows_perf:
        return
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4))
    xs = [r["passages"] for r in rows_perf]
    for key, style in (("p50", "-o"), ("p95", "--o"), ("p99", ":o")):
        ax.plot(
            xs,
            [r["latency_ms"]["total"][key] for r in rows_perf],
            style,
            color="C0",
            label=f"in-process {key}",
        )
        hx = [r["passages"] for r in rows_perf if r["target"] in http_by]
        if hx:
            ax.plot(
                hx,
                [
                    http_by[r["target"]]["client_ms"][key]
                    for r in rows_perf
                    if r["target"] in http_by
                ],
                style,
                color="C1",
                label=f"HTTP {key}",
            )
    ax.plot(
        xs,
        [r["latency_ms"]["embed"]["p50"] for r in rows_perf],
        "-s",
        color="C2",
        label="encoder alone p50",
    )
    if comp:
        ax.plot([comp["passages"]], [comp["p50"]], "D", color="C3", label="1M p50 (composed)")
    ax.set_xscale("log")
    ax.set_xlabel("passages")
    ax.set_ylabel("ms per question")
    ax.set_title("Query latency (1 encoder thread)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(IMG / "latency_by_size.png", dpi=110)
    plt.close(fig)


def faiss(faiss_r) -> None:
    plt = _plt()
    blocks = faiss_r["sizes"][-2:]
    fig, axes = plt.subplots(1, len(blocks), figsize=(6 * len(blocks), 4), squeeze=False)
    for ax, block in zip(axes[0], blocks, strict=True):
        names = sorted({r["index"] for r in block["rows"] if "recall_at_10" in r})
        for i, name in enumerate(names):
            pts = [r for r in block["rows"] if r["index"] == name and "recall_at_10" in r]
            ax.plot(
                [p["latency_ms"]["p50"] for p in pts],
                [p["recall_at_10"] for p in pts],
                "-o",
                color=f"C{i}",
                label=f"{name} ({pts[0]['bytes_per_vector']:.0f} B/vec)",
            )
        ax.axhline(0.95, color="grey", ls=":")
        ax.set_xscale("log")
        ax.set_xlabel("p50 ms per query (1 thread)")
        ax.set_ylabel("recall@10 vs exact")
        ax.set_title(f"{block['n']:,} synthetic vectors")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(IMG / "faiss_recall_latency.png", dpi=110)
    plt.close(fig)


def bm25(rows_perf, large) -> None:
    pts = [
        (r["passages"], r["latency_ms"]["bm25_numpy"]["p50"], r["latency_ms"]["bm25_numba"]["p50"])
        for r in rows_perf
        if "bm25_numba" in r["latency_ms"]
    ]
    pts += [(r["passages"], r["numpy"]["p50"], r["numba"]["p50"]) for r in large]
    if not pts:
        return
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot([p[0] for p in pts], [p[1] for p in pts], "-o", label="numpy (current)")
    ax.plot([p[0] for p in pts], [p[2] for p in pts], "-o", label="numba")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("passages")
    ax.set_ylabel("ms per question (p50)")
    ax.set_title("BM25 scoring, bm25s backend")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(IMG / "bm25_backend.png", dpi=110)
    plt.close(fig)


def threads(threads) -> None:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4))
    rows = threads["rows"]
    labels = [
        f"{r['threads'] or 'default'} thr\n"
        f"{'+2 busy' if r['competing_busy_processes'] else 'no extra'}"
        for r in rows
    ]
    x = range(len(rows))
    ax.bar(
        [i - 0.2 for i in x],
        [r["embed_query_ms"]["p50"] for r in rows],
        0.4,
        label="encode query p50",
    )
    ax.bar(
        [i + 0.2 for i in x],
        [r["embed_query_ms"]["p99"] for r in rows],
        0.4,
        label="encode query p99",
    )
    ax.set_xticks(list(x), labels, fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel("ms")
    ax.set_title("Query encoding by OMP threads and competing load")
    ax.grid(alpha=0.3, axis="y")
    ax.legend()
    fig.tight_layout()
    fig.savefig(IMG / "threads.png", dpi=110)
    plt.close(fig)
