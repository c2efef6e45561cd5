"""``python -m bench.focus [--index-dir var/sample-index]`` — on the sample corpus, how the
question-focus check (qa/focus.py) and the answer span (qa/answer_span.py) behave on our
question sets, with abstention off (every question gets its first quote).

Prints, per set, how many questions a simple focus rule flags (the topic asked for is not
in the quote, or the question asks about this moment, or asks for a prediction the quote
does not make), and for the on-topic questions how often the answer span is given and
overlaps the gold. Builds the sample index first when the folder has none.

With ``--public-index var/fit/public`` (the public slice's index, built by
``python -m bench.fit``), it also reports the spans over the public questions and their
English versions (``var/evalsets/public-en``, from ``python -m bench.evalsets``): the
public slice has a gold answer for every question, so there the span's precision is
measured on 627 + 125 questions, not on the sample's 40. ``--misses`` prints each span
that misses the gold, with its quote.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

from qa.answerer import Answerer
from qa.evaluation import load_questions
from qa.focus import check_focus
from qa.question import parse_question

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "data" / "questions"


def _rows(name: str) -> list[dict]:
    with (QUESTIONS / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main(argv: list[str] | None = None) -> None:
    from service.components import Components
    from service.settings import get_settings

    parser = argparse.ArgumentParser(prog="python -m bench.focus", description=__doc__)
    parser.add_argument("--index-dir", type=Path, default=ROOT / "var" / "sample-index")
    parser.add_argument("--public-index", type=Path, default=None)
    parser.add_argument(
        "--misses", action="store_true", help="also print each span that misses the gold"
    )
    args = parser.parse_args(argv)
    settings = get_settings(index_dir=args.index_dir, num_threads=1)
    comps = Components.load(settings)
    if not (args.index_dir / "CURRENT").exists():
        comps.build_from_sources([ROOT / "data" / "sample"], args.index_dir)
    probe = _probe(comps.answerer(comps.open_index(args.index_dir)))
    sets = {
        "ontopic": _rows("ontopic.jsonl"),
        "ontopic_en (translated)": [r for r in _rows("ontopic_en.jsonl") if r["translated"]],
        "offtopic": _rows("offtopic.jsonl"),
        "offtopic_realtime": _rows("offtopic_realtime.jsonl"),
    }
    for name, questions in sets.items():
        print(_report(probe, name, questions, args.misses))
    if args.public_index is not None:
        public = _probe(comps.answerer(comps.open_index(args.public_index, verify=False)))
        for name, path in (
            ("public", ROOT.parent / "shared" / "eval" / "public" / "questions.jsonl"),
            ("public-en", ROOT / "var" / "evalsets" / "public-en" / "questions.jsonl"),
        ):
            rows = [{"question": q.question, "answers": q.answers} for q in load_questions(path)]
            print(_report(public, name, rows, args.misses))


def _probe(served: Answerer) -> Answerer:
    """The served answerer with abstention off: every question gets its first quote."""
    return Answerer(
        served.index,
        served.embedder,
        served.analyzer,
        replace(served.config, min_confidence=float("-inf")),
    )


def _report(probe: Answerer, name: str, questions: list[dict], misses: bool = False) -> str:
    flagged = 0
    spans = {"quotes with gold": 0, "span given": 0, "span on gold": 0}
    kinds: dict[str, list[int]] = {}  # answer type -> [spans given, on gold]
    for q in questions:
        answer = probe.ask(q["question"])
        quote = answer.quotes[0]
        passage = next(
            (p.text for p in answer.passages if p.passage_id == quote.citation.passage_id),
            "",
        )
        parsed = parse_question(q["question"], probe.analyzer)
        evidence = check_focus(parsed, quote.text, passage)
        flagged += (
            evidence.topic_in_quote is False
            or evidence.focus.asks_moment
            or evidence.prediction_in_quote is False
        )
        gold = q.get("answers") or []
        if gold and any(g in quote.text for g in gold):
            spans["quotes with gold"] += 1
            span = quote.answer_span
            if span is not None:
                spans["span given"] += 1
                got = quote.text[span.start : span.end]
                on_gold = any(g in got or got in g for g in gold)
                spans["span on gold"] += on_gold
                kind = kinds.setdefault(parsed.kind, [0, 0])
                kind[0] += 1
                kind[1] += on_gold
                if misses and not on_gold:
                    print(f"  miss [{parsed.kind}] {q['question']} -> {got!r} (gold {gold[0]!r})")
                    print(f"    in: {quote.text[:300]}")
    line = f"{name}: {len(questions)} questions, focus rule flags {flagged}"
    if any(spans.values()):
        line += "; first quotes holding the gold: " + ", ".join(
            f"{k} {v}" for k, v in spans.items()
        )
        line += " (" + ", ".join(f"{k} {on}/{given}" for k, (given, on) in sorted(kinds.items()))
        line += " on gold)"
    return line


if __name__ == "__main__":
    main()
