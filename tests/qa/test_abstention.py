"""Abstention: questions the articles do not answer are refused, with the reason and the
nearest passages; questions they do answer are answered.

The confidence threshold is being calibrated; these floors are the target.
"""

from __future__ import annotations

import statistics

from index.store import LoadedIndex
from tests.helpers import Asked, assert_quotes_valid, note

# The 40 questions of offtopic.jsonl are the hard kind: about the sample's own companies
# and people. The fitted confidence (qa/ranking.py) refuses a few fewer of them than the
# hand rule's 30 (docs/quality.md), while it refuses far more of the other unanswerable
# sets (leave-article-out, questions about now; cross-validated in docs/ranking.md).
REFUSAL_FLOOR = 0.65
# Questions about now, prices, weather and predictions (offtopic_realtime.jsonl): the
# issue's target for off-topic sets; held out the fitted model refuses 0.96 of them.
REALTIME_FLOOR = 0.9
ANSWERED_FLOOR = 0.8


def _confidences(asked: list[Asked]) -> str:
    values = sorted(a.answer.confidence for a in asked)
    return f"min {values[0]:.3f}, median {statistics.median(values):.3f}, max {values[-1]:.3f}"


def _best_threshold(on: list[Asked], off: list[Asked]) -> str:
    """For the calibration: the threshold on today's confidence that best meets both
    floors (highest refusal rate among those keeping on-topic answered >= the floor)."""
    best = None
    for t in sorted({a.answer.confidence for a in on + off}):
        answered = sum(a.answer.confidence >= t for a in on) / len(on)
        refused = sum(a.answer.confidence < t for a in off) / len(off)
        if answered >= ANSWERED_FLOOR and (best is None or refused > best[2]):
            best = (t, answered, refused)
    if best is None:
        return "  no confidence threshold keeps the on-topic floor"
    t, answered, refused = best
    return (
        f"  best threshold on current confidence: {t:.3f} -> on-topic answered {answered:.0%}, "
        f"off-topic refused {refused:.0%}"
    )


def test_offtopic_questions_are_refused(
    offtopic_answers: list[Asked], ontopic_answers: list[Asked], sample_index: LoadedIndex
) -> None:
    for asked in offtopic_answers:
        assert_quotes_valid(asked.answer, sample_index)
        if not asked.answer.answered:
            assert asked.answer.reason and asked.answer.passages
    refused = [a for a in offtopic_answers if not a.answer.answered]
    rate = len(refused) / len(offtopic_answers)
    note(
        f"off-topic refused {len(refused)}/{len(offtopic_answers)} ({rate:.0%}); "
        f"confidence off-topic {_confidences(offtopic_answers)}; "
        f"on-topic {_confidences(ontopic_answers)}"
    )
    answered = sorted(
        (a for a in offtopic_answers if a.answer.answered), key=lambda a: -a.answer.confidence
    )
    note(_best_threshold(ontopic_answers, offtopic_answers))
    for asked in answered[:5]:
        note(
            f"  answered off-topic {asked.item['id']} ({asked.answer.confidence:.3f}): "
            f"{asked.item['question']}"
        )
    assert rate >= REFUSAL_FLOOR


def test_ontopic_questions_are_answered(ontopic_answers: list[Asked]) -> None:
    answered = [a for a in ontopic_answers if a.answer.answered]
    rate = len(answered) / len(ontopic_answers)
    refused = [a.item["id"] for a in ontopic_answers if not a.answer.answered]
    note(
        f"on-topic answered {len(answered)}/{len(ontopic_answers)} ({rate:.0%}); "
        f"refused: {refused or 'none'}"
    )
    assert rate >= ANSWERED_FLOOR


def test_questions_about_now_are_refused(
    realtime_answers: list[Asked], sample_index: LoadedIndex
) -> None:
    for asked in realtime_answers:
        assert_quotes_valid(asked.answer, sample_index)
    answered = [a for a in realtime_answers if a.answer.answered]
    rate = 1 - len(answered) / len(realtime_answers)
    note(
        f"questions about now refused {len(realtime_answers) - len(answered)}/"
        f"{len(realtime_answers)} ({rate:.0%}); answered: "
        f"{[a.item['id'] for a in answered] or 'none'}"
    )
    assert rate >= REALTIME_FLOOR


def test_a_refusal_for_another_quarter_measure_or_place_says_so(
    offtopic_answers: list[Asked],
) -> None:
    # The sample's Samsung story gives the 3rd quarter's operating profit and sales:
    # asked for the 2nd quarter's, and for the net profit of the 4th. The Aurora Fold's
    # price is given for the United States, asked for Europe; Australia's capital is
    # asked over a Busan port story naming other countries. Nvidia's revenue, Busan's
    # population and the world's largest wind farm are given by no article found.
    conflicts = (
        *("off-ko-05", "off-en-10", "off-en-06", "off-en-14"),
        *("off-ko-01", "off-en-02", "off-en-08", "off-en-09"),
    )
    for asked in offtopic_answers:
        said = "another quarter, measure, place or year" in (asked.answer.reason or "")
        assert said == (asked.item["id"] in conflicts), asked.item["question"]
        if said:
            assert not asked.answer.answered


def test_a_refusal_for_another_companys_number_says_whose(
    offtopic_answers: list[Asked],
) -> None:
    # The sample's merger story gives DataHarbor's headcount, not Northwind's.
    for asked in offtopic_answers:
        said = "the number quoted is DataHarbor's" in (asked.answer.reason or "")
        assert said == (asked.item["id"] == "off-en-04"), asked.item["question"]
        if said:
            assert not asked.answer.answered


def test_a_refusal_for_names_no_article_mentions_says_which(
    offtopic_answers: list[Asked],
) -> None:
    # The sample's phone story is about another maker's phone, in English: neither 애플
    # nor Apple, 아이폰 nor iPhone is written anywhere near. A Korean question's names are
    # met as written, so their absence refuses by rule.
    asked = next(a for a in offtopic_answers if a.item["id"] == "off-ko-19")
    assert not asked.answer.answered
    assert "none of the articles found mentions 애플, 아이폰" in (asked.answer.reason or "")
