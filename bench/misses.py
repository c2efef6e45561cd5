"""``python -m bench.misses`` — the hit@1 misses on the public slice, with what the
error analysis in docs/quality.md needs to read each one: the quotes given, the score
parts of the top sentence and of the best sentence holding the answer, and where the
answer occurs in the corpus. Writes every miss and a random sample (for reading by hand)
as JSON under ``var/bench/``.

    python -m bench.misses --index-dir var/eval-index --sample 20 --seed 5
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

from bench.quality import PUBLIC

OUT = Path(__file__).resolve().parents[1] / "var" / "bench"
DOC = Path(__file__).resolve().parents[1] / "docs" / "misses.md"


def _parts(s: Any) -> dict[str, float]:
    return {
        "score": round(s.score, 3),
        "dense": round(s.dense, 3),
        "lexical": round(s.lexical, 3),
        "passage": round(s.passage_score, 3),
    }


def collect(index_dir: Path) -> list[dict[str, Any]]:
    from qa.answerer import Answerer
    from qa.evaluation import load_questions
    from service.components import Components
    from service.settings import get_settings

    components = Components.load(get_settings(index_dir=index_dir))
    index = components.open_index(index_dir)
    config = components.answer_config()
    config.min_confidence = 0.0
    answerer = Answerer(index, components.embedder, components.analyzer, config)
    out = []
    for q in load_questions(PUBLIC / "questions.jsonl"):
        if not q.answerable:
            continue
        answer = answerer.ask(q.question, top_k=20)

        def holds(text: str, q=q) -> bool:
            return any(g in text for g in q.answers)

        if answer.quotes and holds(answer.quotes[0].text):
            continue
        evidence = answerer.evidence(q.question)
        parsed, scored = evidence.parsed, evidence.candidates
        rank = next((i for i, s in enumerate(scored) if holds(index.sentence_text(s.row))), None)
        gold = scored[rank] if rank is not None else None
        anywhere = [
            {
                "article_title": index.articles[index.sentence_article(r)].title,
                "sentence": index.sentence_text(r),
            }
            for r in range(index.sentence_count)
            if holds(index.sentence_text(r))
        ][:3]
        out.append(
            {
                "id": q.id,
                "question": q.question,
                "gold_answers": q.answers,
                "answer_type": parsed.kind,
                "question_terms": list(parsed.terms),
                "hit_at_3": any(holds(x.text) for x in answer.quotes[:3]),
                "gold_passage_rank": next(
                    (i for i, p in enumerate(answer.passages) if holds(p.text)), None
                ),
                "quotes": [
                    {"text": x.text, "article_title": x.citation.title} for x in answer.quotes
                ],
                "top_sentence_scores": _parts(scored[0]) if scored else None,
                "gold_sentence_rank_among_candidates": rank,
                "gold_sentence": index.sentence_text(gold.row) if gold else None,
                "gold_sentence_scores": _parts(gold) if gold else None,
                "gold_sentence_is_adjacent_to_top": bool(
                    gold
                    and abs(gold.row - scored[0].row) == 1
                    and index.sentence_article(gold.row) == index.sentence_article(scored[0].row)
                ),
                "sentences_containing_gold_anywhere": anywhere,
            }
        )
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.misses", description=__doc__)
    parser.add_argument("--index-dir", type=Path, default=Path("var/fit/public"))
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    misses = collect(args.index_dir)
    random.seed(args.seed)
    sample = random.sample(misses, min(args.sample, len(misses)))
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in (("misses.json", misses), (f"misses-sample{args.sample}.json", sample)):
        (OUT / name).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    at3 = sum(m["hit_at_3"] for m in misses)
    print(f"{len(misses)} hit@1 misses ({at3} of them hits at 3); wrote {OUT}/misses*.json")
    DOC.write_text(render(misses, sample, args), encoding="utf-8")
    print(f"wrote {DOC}")


def kind(m: dict[str, Any]) -> str:
    if m["gold_sentence_rank_among_candidates"] is None:
        return "gold not among the candidates"
    if m["gold_sentence_is_adjacent_to_top"]:
        return "gold in the sentence next to the quote"
    if m["gold_passage_rank"] == 0:
        return "right passage first, another sentence quoted"
    return "another passage ranked first"


def render(misses: list[dict[str, Any]], sample: list[dict[str, Any]], args) -> str:
    def cell(text: str, n: int = 70) -> str:
        text = text.replace("|", "/").replace("\n", " ")
        return text[:n] + ("…" if len(text) > n else "")

    counts: dict[str, int] = {}
    for m in sample:
        counts[kind(m)] = counts.get(kind(m), 0) + 1
    lines = [
        "# Misses of the served model: 20 sampled",
        "",
        "Generated by `python -m bench.misses` (bench/misses.py); do not edit by hand.",
        f"Index: `{args.index_dir}`; the public slice's {len(misses)} hit@1 misses with",
        f"abstention off ({sum(m['hit_at_3'] for m in misses)} of them hits at 3), of the",
        "fitted model as served (in-sample: it was fitted on these questions, so held-out",
        f"misses are a little more common, docs/ranking.md); {len(sample)} drawn with seed",
        f"{args.seed}.",
        "",
        "| kind | sampled misses |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in sorted(counts.items(), key=lambda x: -x[1])),
        "",
        "| question | gold | first quote | kind |",
        "|---|---|---|---|",
        *(
            f"| {cell(m['question'], 50)} | {cell(m['gold_answers'][0], 25)} | "
            f"{cell(m['quotes'][0]['text']) if m['quotes'] else '–'} | {kind(m)} |"
            for m in sample
        ),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
