"""``python -m bench.evalsets [--out var/evalsets]`` — write the evaluation sets as dataset
folders for ``article-qa build`` and ``article-qa eval``.

    public-en/          our English translations of 125 public questions (gold joined)
    public-en-ko/       the same 125 questions in the original Korean, for comparison
    ontopic/, ontopic-en/, ontopic-ko/, offtopic/
                        our sample-corpus sets; offtopic/ holds every offtopic*.jsonl,
                        flagged unanswerable
    leave-out/          articles.jsonl without the held-out pages, questions.jsonl with
                        their questions flagged unanswerable, held_out.json
    distractor/         articles.jsonl = public slice + sample + raw scraped page;
                        questions.jsonl = public + on-topic (answerable) + off-topic

Then e.g.::

    article-qa build var/evalsets/leave-out/articles.jsonl --index-dir var/loo-index
    article-qa eval var/evalsets/leave-out --index-dir var/loo-index
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from qa.evalsets import (
    LEAVE_OUT_FRACTION,
    LEAVE_OUT_SEED,
    distractor_articles,
    leave_articles_out,
    read_jsonl,
    translated_set,
    unanswerable_questions,
    write_jsonl,
)

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "data" / "questions"
SAMPLE = ROOT / "data" / "sample"
SHARED = ROOT.parent / "shared"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.evalsets", description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "evalsets")
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--seed", type=int, default=LEAVE_OUT_SEED)
    parser.add_argument("--fraction", type=float, default=LEAVE_OUT_FRACTION)
    args = parser.parse_args(argv)
    out: Path = args.out
    public = args.shared / "eval" / "public"
    articles = read_jsonl(public / "articles.jsonl")
    questions = read_jsonl(public / "questions.jsonl")

    english = translated_set(read_jsonl(QUESTIONS / "public_en.jsonl"), questions)
    by_id = {q["id"]: q for q in questions}
    write_jsonl(out / "public-en" / "questions.jsonl", english)
    write_jsonl(out / "public-en-ko" / "questions.jsonl", [by_id[q["source_id"]] for q in english])

    ontopic = read_jsonl(QUESTIONS / "ontopic.jsonl")
    offtopic = unanswerable_questions(sorted(QUESTIONS.glob("offtopic*.jsonl")))
    write_jsonl(out / "ontopic" / "questions.jsonl", ontopic)
    write_jsonl(out / "ontopic-en" / "questions.jsonl", read_jsonl(QUESTIONS / "ontopic_en.jsonl"))
    write_jsonl(out / "ontopic-ko" / "questions.jsonl", read_jsonl(QUESTIONS / "ontopic_ko.jsonl"))
    write_jsonl(out / "offtopic" / "questions.jsonl", offtopic)

    split = leave_articles_out(articles, questions, fraction=args.fraction, seed=args.seed)
    write_jsonl(out / "leave-out" / "articles.jsonl", split.articles)
    write_jsonl(out / "leave-out" / "questions.jsonl", split.questions)
    (out / "leave-out" / "held_out.json").write_text(
        json.dumps(
            {"seed": args.seed, "fraction": args.fraction, "docs": split.held_out_docs},
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )

    write_jsonl(out / "distractor" / "articles.jsonl", distractor_articles(args.shared, SAMPLE))
    write_jsonl(out / "distractor" / "questions.jsonl", questions + ontopic + offtopic)

    print(
        f"{len(english)} English public questions; {len(offtopic)} off-topic; leave-out: "
        f"{len(split.held_out_docs)} pages held out, {len(split.articles)} of {len(articles)} "
        f"articles kept, {split.unanswerable} of {len(split.questions)} questions "
        f"unanswerable -> {out}"
    )


if __name__ == "__main__":
    main()
