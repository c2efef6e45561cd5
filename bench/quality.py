"""``python -m bench.quality`` — answer quality, regenerating docs/quality.md.

Measures, in one run:
- the public Korean QA slice (``../shared/eval/public``): passage recall@1/5/20, quote
  hit@1/3 and the share answered, overall and by source, with abstention off and as
  served; a recall@k curve;
- abstention: the share of answerable questions answered (public slice and our own
  on-topic set) against the share of our off-topic questions refused, as the threshold
  moves, with the chosen operating point marked;
- the follow-up chat set (``data/questions/conversations.jsonl``).

Answers are computed once with the threshold at 0; an answer "as served" at threshold t
is the same answer when its confidence is at least t (the threshold only decides whether
the quotes are shown), so the whole curve costs one pass.

The prose is bench/quality_template.md. Its ``{name}`` placeholders are this run's
figures; its ``{h.NAME}`` placeholders are figures measured once by code that has changed
since, kept in docs/results/quality-history.json. Each of those sits in a block marked
``<!-- once -->`` … ``<!-- /once -->`` whose ``{at}`` is filled with the commits and dates
at which its figures were measured (from their ``how``), so the page labels every
historical table and paragraph. A format spec ending in ``~`` drops the leading zero
(``{h.x:.3f~}`` -> ``.993``), as the error analysis writes scores.

``python -m bench.quality --render-only`` rewrites the page from saved results
(docs/results/quality.json by default) without measuring anything.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import string
import subprocess
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = ROOT.parent / "shared" / "eval" / "public"
DOCS = ROOT / "docs"
IMG = DOCS / "img"
TEMPLATE = ROOT / "bench" / "quality_template.md"
KEPT = DOCS / "results" / "quality.json"  # `python -m bench readme` copies the last run here
HISTORY = DOCS / "results" / "quality-history.json"
ONCE = re.compile(r"^<!-- once -->\n(.*?)^<!-- /once -->\n", re.M | re.S)
MEASURED_AT = re.compile(r"^commit ([0-9a-f]{7,40}), (\d{4}-\d{2}-\d{2})\b")


@dataclass
class Row:
    confidence: float
    recall: dict[int, bool]
    hit: dict[int, bool]
    source: str
    quote_chars: list[int] = field(default_factory=list)  # each quote's length
    total_ms: float = 0.0
    late_ms: float = 0.0


def _components(index_dir: Path, cache_dir: Path | None):
    from service.components import Components
    from service.settings import get_settings

    # The sample questions were written at the end of 2025: their "올해" is 2025.
    overrides: dict[str, Any] = {
        "index_dir": index_dir,
        "min_confidence": 0.0,
        "as_of": "2025-12-31",
    }
    if cache_dir:
        overrides["cache_dir"] = cache_dir
    return Components.load(get_settings(**overrides))


def _ensure_index(comps, sources: list[Path], index_dir: Path) -> None:
    from index.errors import IndexLoadError

    try:
        comps.open_index(index_dir, verify=False)
    except IndexLoadError:
        comps.build_from_sources(sources, index_dir)


def public_rows(comps, index) -> list[Row]:
    from qa.evaluation import load_questions

    answerer = comps.answerer(index)
    rows = []
    for q in load_questions(PUBLIC / "questions.jsonl"):
        if not q.answerable or not q.answers:
            continue
        ans = answerer.ask(q.question, top_k=20)
        rows.append(
            Row(
                ans.confidence,
                {
                    k: any(g in p.text for p in ans.passages[:k] for g in q.answers)
                    for k in range(1, 21)
                },
                {k: any(g in x.text for x in ans.quotes[:k] for g in q.answers) for k in (1, 3)},
                q.source,
                [len(x.text) for x in ans.quotes],
                ans.timings.get("total_ms", 0.0),
                ans.timings.get("late_ms", 0.0),
            )
        )
    return rows


def latency(rows: list[Row]) -> dict[str, float]:
    """In-process time of an answer over the public slice, and the share of it that late
    interaction takes (token states of the best passages; its cache fills as the run goes,
    as a served index's does)."""
    total = [r.total_ms for r in rows]
    late = [r.late_ms for r in rows]
    return {
        "total_p50": float(np.percentile(total, 50)),
        "total_p95": float(np.percentile(total, 95)),
        "late_p50": float(np.percentile(late, 50)),
        "late_p95": float(np.percentile(late, 95)),
    }


def quote_lengths(rows: list[Row]) -> dict[str, float]:
    """How much text an answer quotes (abstention off): hit@k rewards longer quotes, so
    their length is reported with it."""
    first = [r.quote_chars[0] for r in rows if r.quote_chars]
    every = [n for r in rows for n in r.quote_chars]
    return {
        "first_median": float(np.median(first)) if first else 0.0,
        "first_mean": float(np.mean(first)) if first else 0.0,
        "per_answer": len(every) / len(first) if first else 0.0,
        "chars_per_answer": sum(every) / len(first) if first else 0.0,
    }


def own_confidences(comps, index_dir: Path) -> dict[str, list[float]]:
    answerer = comps.answerer(comps.open_index(index_dir))
    out = {}
    for name in ("ontopic", "offtopic"):
        path = ROOT / "data" / "questions" / f"{name}.jsonl"
        qs = [json.loads(line)["question"] for line in path.open(encoding="utf-8") if line.strip()]
        out[name] = [answerer.ask(q).confidence for q in qs]
    return out


def table(rows: list[Row], threshold: float) -> dict[str, dict[str, float]]:
    groups: dict[str, list[Row]] = {"overall": rows}
    for r in rows:
        groups.setdefault(r.source, []).append(r)
    out = {}
    for name, rs in groups.items():
        n = len(rs)
        ok = [r.confidence >= threshold for r in rs]
        out[name] = {
            "questions": n,
            **{f"recall@{k}": sum(r.recall[k] for r in rs) / n for k in (1, 5, 20)},
            **{
                f"hit@{k}": sum(r.hit[k] and a for r, a in zip(rs, ok, strict=True)) / n
                for k in (1, 3)
            },
            "answered": sum(ok) / n,
        }
    return out


def _md_table(t: dict[str, dict[str, float]]) -> str:
    cols = ["questions", "recall@1", "recall@5", "recall@20", "hit@1", "hit@3", "answered"]
    lines = ["| source | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for name, m in t.items():
        cells = [str(m[c]) if c == "questions" else f"{m[c]:.3f}" for c in cols]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plots(rows: list[Row], own: dict[str, list[float]], chosen: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    IMG.mkdir(parents=True, exist_ok=True)
    ks = list(range(1, 21))
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot(ks, [sum(r.recall[k] for r in rows) / len(rows) for k in ks], marker="o")
    ax.set_xlabel("k (passages)")
    ax.set_ylabel("passage recall@k")
    ax.set_title("Public slice: passage recall@k (hybrid, RRF)")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(IMG / "recall_at_k.png", dpi=110)
    plt.close(fig)

    thresholds = np.round(np.arange(0.05, 1.0, 0.01), 2)
    pub = np.array([r.confidence for r in rows])
    on, off = np.array(own["ontopic"]), np.array(own["offtopic"])
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(
        [(off < t).mean() for t in thresholds],
        [(pub >= t).mean() for t in thresholds],
        label="public slice answered",
        marker=".",
    )
    ax.plot(
        [(off < t).mean() for t in thresholds],
        [(on >= t).mean() for t in thresholds],
        label="our on-topic answered",
        marker=".",
    )
    ax.scatter(
        [(off < chosen).mean()],
        [(pub >= chosen).mean()],
        color="red",
        zorder=5,
        label=f"chosen threshold {chosen}",
    )
    ax.scatter([(off < chosen).mean()], [(on >= chosen).mean()], color="red", zorder=5)
    ax.set_xlabel("share of off-topic questions refused")
    ax.set_ylabel("share of answerable questions answered")
    ax.set_title(f"Abstention as the threshold moves ({thresholds[0]:.2f} … {thresholds[-1]:.2f})")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left")
    fig.tight_layout()
    fig.savefig(IMG / "abstention_curve.png", dpi=110)
    plt.close(fig)


def chat_numbers(comps, index_dir: Path) -> dict[str, Any]:
    from qa.chat import Chat
    from qa.chat_eval import evaluate_conversations

    chat = Chat(comps.answerer(comps.open_index(index_dir)))
    return evaluate_conversations(chat, ROOT / "data" / "questions" / "conversations.jsonl")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.quality")
    parser.add_argument("--eval-index", type=Path, default=ROOT / "var" / "eval-index")
    parser.add_argument("--sample-index", type=Path, default=ROOT / "var" / "index")
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "quality.json")
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="write the page from saved results (--results) and quality-history.json; "
        "measures nothing, draws no plots",
    )
    parser.add_argument(
        "--results", type=Path, default=KEPT, help="the saved results --render-only reads"
    )
    parser.add_argument("--page", type=Path, default=DOCS / "quality.md")
    args = parser.parse_args(argv)
    if args.render_only:
        write_markdown(json.loads(args.results.read_text(encoding="utf-8")), args.page)
        print(f"wrote {args.page} from {args.results}")
        return
    if not PUBLIC.is_dir():
        raise SystemExit(f"the public evaluation set is not at {PUBLIC}")

    from qa.ranking import default_model

    started = time.perf_counter()
    comps = _components(args.eval_index, args.cache_dir)
    chosen = default_model(comps.embedder.backend).threshold
    _ensure_index(comps, [PUBLIC / "articles.jsonl"], args.eval_index)
    eval_index = comps.open_index(args.eval_index)
    rows = public_rows(comps, eval_index)
    # The model fitted without late interaction (ARTICLE_QA_LATE_INTERACTION=false), on
    # the same questions: what the speed costs.
    fast_comps = replace(
        comps, settings=comps.settings.model_copy(update={"late_interaction": False})
    )
    fast_threshold = fast_comps.answer_config().model.threshold
    fast_rows = public_rows(fast_comps, eval_index)
    _ensure_index(comps, [ROOT / "data" / "sample"], args.sample_index)
    own = own_confidences(comps, args.sample_index)
    chat = chat_numbers(comps, args.sample_index)
    plots(rows, own, chosen)
    result = {
        "threshold": chosen,
        "abstention_off": table(rows, 0.0),
        "as_served": table(rows, chosen),
        "quotes": quote_lengths(rows),
        "latency": latency(rows),
        "fast": {
            "threshold": fast_threshold,
            "abstention_off": table(fast_rows, 0.0),
            "as_served": table(fast_rows, fast_threshold),
            "latency": latency(fast_rows),
        },
        "own": {
            "ontopic_answered": float(np.mean(np.array(own["ontopic"]) >= chosen)),
            "offtopic_refused": float(np.mean(np.array(own["offtopic"]) < chosen)),
            "n_ontopic": len(own["ontopic"]),
            "n_offtopic": len(own["offtopic"]),
        },
        "curve": [
            {
                "threshold": float(t),
                "public_answered": float(np.mean([r.confidence >= t for r in rows])),
                "ontopic_answered": float(np.mean(np.array(own["ontopic"]) >= t)),
                "offtopic_refused": float(np.mean(np.array(own["offtopic"]) < t)),
            }
            # The fitted confidence is a probability; the served threshold is among these.
            for t in sorted({*np.round(np.arange(0.30, 1.0, 0.05), 2), round(chosen, 4)})
        ],
        "chat": {k: v for k, v in chat.items() if k != "turns"},
        "seconds": round(time.perf_counter() - started, 1),
        "commit": _git_rev(),
        "python": platform.python_version(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    write_markdown(result, args.page)
    print(f"wrote {args.page} ({result['seconds']} s)")


def _git_rev() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


class Figure:
    """A figure measured once, formatted like a number; a spec ending in ``~`` drops the
    leading zero (``.993``)."""

    def __init__(self, value: float | int) -> None:
        self.value = value

    def __format__(self, spec: str) -> str:
        bare = spec.endswith("~")
        text = format(self.value, spec[:-1] if bare else spec)
        return re.sub(r"^(-?)0\.", r"\1.", text) if bare else text


class History:
    """The figures of docs/results/quality-history.json, as ``{h.NAME}``."""

    def __init__(self, figures: dict[str, dict[str, Any]]) -> None:
        self._figures = figures

    def __getattr__(self, name: str) -> Figure:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._figures:
            raise KeyError(f"{{h.{name}}}: no figure {name!r} in {HISTORY.name}")
        return Figure(self._figures[name]["value"])


def load_history(path: Path = HISTORY) -> dict[str, dict[str, Any]]:
    """The figures measured once, by name (value, what, how)."""
    return json.loads(path.read_text(encoding="utf-8"))["figures"]


def history_names(text: str) -> list[str]:
    """The ``h.NAME`` placeholders of a piece of template, in order, each once."""
    names: list[str] = []
    for _, name, _, _ in string.Formatter().parse(text):
        if name and name.startswith("h.") and name[2:] not in names:
            names.append(name[2:])
    return names


def measured_at(names: list[str], history: dict[str, dict[str, Any]]) -> str:
    """'commit abc1234, 2026-11-30' or 'commits a, b and c, 2026-11-30': where the named
    figures were measured, from their ``how``, in the order they are first used."""
    by_date: dict[str, list[str]] = {}
    for name in names:
        if name not in history:
            raise KeyError(f"{{h.{name}}}: no figure {name!r} in {HISTORY.name}")
        m = MEASURED_AT.match(history[name]["how"])
        if not m:
            raise ValueError(f"{name}: its 'how' does not start with 'commit <hash>, <date>'")
        commits = by_date.setdefault(m.group(2), [])
        if m.group(1) not in commits:
            commits.append(m.group(1))
    parts = []
    for date, commits in by_date.items():
        if len(commits) == 1:
            parts.append(f"commit {commits[0]}, {date}")
        else:
            parts.append(f"commits {', '.join(commits[:-1])} and {commits[-1]}, {date}")
    return "; ".join(parts)


def _label_blocks(template: str, history: dict[str, dict[str, Any]]) -> str:
    """Each ``<!-- once -->`` block with its ``{at}`` filled and its markers removed."""
    outside = history_names(ONCE.sub("", template))
    if outside:
        raise ValueError(f"figures measured once outside a <!-- once --> block: {outside}")

    def block(m: re.Match[str]) -> str:
        body, names = m.group(1), history_names(m.group(1))
        if body.count("{at}") != 1 or not names:
            raise ValueError("a <!-- once --> block needs one {at} and its figures: " + body[:80])
        return body.replace("{at}", measured_at(names, history))

    return ONCE.sub(block, template)


def render_text(
    r: dict[str, Any], history: dict[str, dict[str, Any]], template: str | None = None
) -> str:
    """The page from one run's results and the figures measured once."""
    own = r["own"]
    curve = "\n".join(
        f"| {c['threshold']:.2f} | {c['public_answered']:.3f} | {c['ontopic_answered']:.3f} | "
        f"{c['offtopic_refused']:.3f} |"
        for c in r["curve"]
    )
    chat = r["chat"]
    chat_rows = "\n".join(
        f"| {name} | {g['turns']} | {g['hit@1']:.3f} | {g['hit@3']:.3f} |"
        for name, g in chat.items()
        if isinstance(g, dict) and "turns" in g
    )
    text = _label_blocks(template or TEMPLATE.read_text(encoding="utf-8"), history)
    return text.format(
        commit=r.get("commit", "unknown"),
        python=r.get("python", "unknown"),
        threshold=r["threshold"],
        table_off=_md_table(r["abstention_off"]),
        table_served=_md_table(r["as_served"]),
        quotes=_quotes_line(r.get("quotes")),
        latency=_latency_line(r.get("latency")),
        fast=_fast_line(r.get("fast")),
        questions=r["abstention_off"]["overall"]["questions"],
        ontopic=f"{own['ontopic_answered']:.3f}",
        offtopic=f"{own['offtopic_refused']:.3f}",
        n_on=own["n_ontopic"],
        n_off=own["n_offtopic"],
        curve=curve,
        conversations=chat["conversations"],
        chat_rows=chat_rows,
        seconds=r["seconds"],
        h=History(history),
    )


def _latency_line(t: dict[str, float] | None) -> str:
    if not t:
        return "Answer time was not measured in this run."
    return (
        f"An answer took {t['total_p50']:.0f} ms at the median ({t['total_p95']:.0f} ms at "
        f"p95) in process on this run's machine; late interaction took {t['late_p50']:.0f} "
        f"ms of it at the median ({t['late_p95']:.0f} ms at p95)."
    )


def _fast_line(f: dict[str, Any] | None) -> str:
    if not f:
        return "The model without late interaction was not measured in this run."
    served, t = f["as_served"]["overall"], f["latency"]
    return (
        "Without late interaction (`ARTICLE_QA_LATE_INTERACTION=false`, the model fitted "
        f"without it, threshold {f['threshold']}): hit@1 {served['hit@1']:.3f}, hit@3 "
        f"{served['hit@3']:.3f}, answered {served['answered']:.3f} as served; an answer took "
        f"{t['total_p50']:.0f} ms at the median ({t['total_p95']:.0f} ms at p95)."
    )


def _quotes_line(q: dict[str, float] | None) -> str:
    if not q:
        return "Quote lengths were not measured in this run."
    return (
        f"The first quote is {q['first_median']:.0f} characters long at the median "
        f"(mean {q['first_mean']:.0f}); an answer gives {q['per_answer']:.2f} quotes, "
        f"{q['chars_per_answer']:.0f} characters in all."
    )


def write_markdown(r: dict[str, Any], page: Path = DOCS / "quality.md") -> None:
    page.write_text(render_text(r, load_history()), encoding="utf-8")


if __name__ == "__main__":
    main()
