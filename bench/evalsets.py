"""``python -m bench.evalsets [--out var/evalsets]`` — write the evaluation sets as dataset
folders for ``article-qa build`` and ``article-qa eval`` (qa.evalsets.write_evalsets).

    public-en/          our English translations of 125 public questions (gold joined)
    public-en-ko/       the same 125 questions in the original Korean, for comparison
    ontopic/, ontopic-en/, ontopic-ko/, ontopic-mixed/, offtopic/
                        our sample-corpus sets; ontopic-en/ tells our translations
                        (source "translated") from the English originals; offtopic/ holds
                        every offtopic*.jsonl, flagged unanswerable
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
from pathlib import Path

from qa.evalsets import LEAVE_OUT_FRACTION, LEAVE_OUT_SEED, write_evalsets

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.evalsets",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "evalsets")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--seed", type=int, default=LEAVE_OUT_SEED)
    parser.add_argument("--fraction", type=float, default=LEAVE_OUT_FRACTION)
    args = parser.parse_args(argv)
    counts = write_evalsets(
        args.out,
        args.shared,
        ROOT / "data" / "questions",
        ROOT / "data" / "sample",
        seed=args.seed,
        fraction=args.fraction,
    )
    print(
        f"{counts['public_en']} English public questions; {counts['offtopic']} off-topic; "
        f"leave-out: {counts['held_out_pages']} pages held out, "
        f"{counts['leave_out_articles']} of {counts['public_articles']} articles kept, "
        f"{counts['leave_out_unanswerable']} of {counts['leave_out_questions']} questions "
        f"unanswerable; distractor corpus {counts['distractor_articles']} articles -> {args.out}"
    )


if __name__ == "__main__":
    main()
