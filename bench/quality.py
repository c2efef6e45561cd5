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
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = ROOT.parent / "shared" / "eval" / "public"
DOCS = ROOT / "docs"
IMG = DOCS / "img"


@dataclass
class Row:
    confidence: float
    recall: dict[int, bool]
    hit: dict[int, bool]
    source: str


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


def public_rows(comps, index_dir: Path) -> list[Row]:
    from qa.evaluation import load_questions

    answerer = comps.answerer(comps.open_index(index_dir))
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
            )
        )
    return rows


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
    ax.set_title("Abstention as the threshold moves (0.70 … 1.14)")
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
    args = parser.parse_args(argv)
    if not PUBLIC.is_dir():
        raise SystemExit(f"the public evaluation set is not at {PUBLIC}")

    from qa.ranking import default_model

    started = time.perf_counter()
    comps = _components(args.eval_index, args.cache_dir)
    chosen = default_model(comps.embedder.backend).threshold
    _ensure_index(comps, [PUBLIC / "articles.jsonl"], args.eval_index)
    rows = public_rows(comps, args.eval_index)
    _ensure_index(comps, [ROOT / "data" / "sample"], args.sample_index)
    own = own_confidences(comps, args.sample_index)
    chat = chat_numbers(comps, args.sample_index)
    plots(rows, own, chosen)
    result = {
        "threshold": chosen,
        "abstention_off": table(rows, 0.0),
        "as_served": table(rows, chosen),
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
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    write_markdown(result)
    print(f"wrote {DOCS / 'quality.md'} ({result['seconds']} s)")


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


def write_markdown(r: dict[str, Any]) -> None:
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
    template = (ROOT / "bench" / "quality_template.md").read_text(encoding="utf-8")
    text = template.format(
        commit=_git_rev(),
        python=platform.python_version(),
        threshold=r["threshold"],
        table_off=_md_table(r["abstention_off"]),
        table_served=_md_table(r["as_served"]),
        ontopic=f"{own['ontopic_answered']:.3f}",
        offtopic=f"{own['offtopic_refused']:.3f}",
        n_on=own["n_ontopic"],
        n_off=own["n_offtopic"],
        curve=curve,
        chat_rows=chat_rows,
        seconds=r["seconds"],
    )
    (DOCS / "quality.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
