"""bench.fit: the confidence calibration (one threshold, a share answered per script pair)
and the sentence fit's sign bounds."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.fit import (
    CONFIDENCE_FIXED,
    Asked,
    _conditional_logit,
    calibrate,
    fit_confidence,
    fit_sentence,
    found_labels,
    mean_figures,
    rank,
)
from qa.ranking import CONFIDENCE_COLUMN, CONFIDENCE_FEATURES, SENTENCE_FEATURES, LinearModel


def _asked(n: int, answerable: np.ndarray) -> list[Asked]:
    return [
        Asked("set", str(i), str(i), bool(answerable[i]), np.zeros((1, 1)), np.zeros(1), [])
        for i in range(n)
    ]


def test_each_script_pair_answers_its_share_at_one_threshold() -> None:
    rng = np.random.default_rng(0)
    n = 400
    q = np.zeros((n, len(CONFIDENCE_FEATURES)))
    cross = np.arange(n) % 4 == 0  # a quarter quoted across scripts
    q[:, CONFIDENCE_COLUMN["cross_script"]] = cross
    # Across scripts the evidence reads weaker: the model's raw confidence runs lower.
    q[:, CONFIDENCE_COLUMN["top_dense"]] = rng.normal(0.0, 1.0, n) - 1.5 * cross
    answerable = rng.random(n) < 0.9
    asked = _asked(n, answerable)
    weights = np.zeros(len(CONFIDENCE_FEATURES))
    weights[CONFIDENCE_COLUMN["top_dense"]] = 2.0
    model = LinearModel(CONFIDENCE_FEATURES, tuple(weights), 0.0, logistic=True)

    calibrated, threshold = calibrate(model, q, asked, 0.98, 0.95)

    conf = calibrated(q)
    same_rows, cross_rows = answerable & ~cross, answerable & cross
    assert abs(np.mean(conf[same_rows] >= threshold) - 0.98) < 0.02
    assert abs(np.mean(conf[cross_rows] >= threshold) - 0.95) < 0.03
    # Only the cross-script weight moved; same-script confidence is the model's own.
    assert np.allclose(conf[~cross], model(q)[~cross])
    pairs = zip(calibrated.weights, model.weights, strict=True)
    moved = [i for i, (a, b) in enumerate(pairs) if a != b]
    assert moved == [CONFIDENCE_COLUMN["cross_script"]]


def test_a_rule_feature_keeps_its_set_weight_and_refuses() -> None:
    rng = np.random.default_rng(1)
    n = 300
    q = np.zeros((n, len(CONFIDENCE_FEATURES)))
    q[:, CONFIDENCE_COLUMN["top_dense"]] = rng.normal(0.0, 1.0, n)
    # In training the rule fires on answered questions only: fitted, its weight would
    # come out positive; set, it stays what the rule says.
    col = CONFIDENCE_COLUMN["qualifier_conflict"]
    q[:5, col] = 1.0
    y = q[:, CONFIDENCE_COLUMN["top_dense"]] > 0
    y[:5] = True
    model = fit_confidence(q, _asked(n, np.ones(n, dtype=bool)), y, 1.0)
    assert model.weights[col] == CONFIDENCE_FIXED["qualifier_conflict"] <= -10
    assert (model(q[:5]) < 0.01).all()


def test_the_label_is_a_right_quote_of_an_answerable_question() -> None:
    asked = _asked(3, np.array([True, True, False]))
    ranked = [(False, True, True), (False, False, True), (True, True, True)]
    # hit@3 of an answerable question; an unanswerable one is never right.
    assert found_labels(asked, ranked).tolist() == [True, False, False]


def test_splits_are_averaged_with_their_range() -> None:
    runs = [
        {"public": {"questions": 627, "hit1": 0.84, "answered": 0.97}},
        {"public": {"questions": 627, "hit1": 0.86, "answered": 0.98}},
    ]
    mean = mean_figures(runs)["public"]
    assert mean["questions"] == 627
    assert mean["hit1"] == 0.85
    assert mean["hit1_range"] == [0.84, 0.86]
    assert mean["answered"] == 0.975


def test_the_fit_quotes_as_serving_does() -> None:
    """The best sentence (row 10) and the second (row 11, which holds the answer) stand
    side by side: serving quotes them as one, so the first quote holds the answer."""
    x = np.array([[3.0], [2.0], [1.0]])
    a = Asked(
        "set", "q", "q", True, x, np.array([False, True, False]), [],
        rows=[10, 11, 30], units=[(10,), (11,), (30,)], joinable=frozenset({10}),
        row_labels={10: False, 11: True, 30: False},
    )  # fmt: skip
    order, _, hit1, hit3 = rank(a, lambda m: m[:, 0], lambda score, best: True)
    assert order.tolist() == [0, 1, 2]
    assert hit1 and hit3
    apart = replace(a, joinable=frozenset())  # two paragraphs: the answer is the 2nd quote
    assert rank(apart, lambda m: m[:, 0], lambda score, best: True)[2:] == (False, True)


def test_monotone_sentence_features_keep_their_sign() -> None:
    """Two correlated signals: alone, the fit would give ``lexical`` a negative weight
    beside ``late``; bounded, it stays at zero or above, and ``key_missing`` at or below."""
    rng = np.random.default_rng(1)
    col = {name: i for i, name in enumerate(SENTENCE_FEATURES)}
    asked = []
    for i in range(300):
        x = np.zeros((4, len(SENTENCE_FEATURES)))
        late = rng.normal(0.0, 1.0, 4)
        x[:, col["late"]] = late
        # lexical tracks late, minus a part that (in this data) marks the wrong sentence.
        noise = rng.normal(0.0, 1.0, 4)
        x[:, col["lexical"]] = late + noise
        x[:, col["key_missing"]] = rng.random(4)
        labels = np.zeros(4, dtype=bool)
        labels[int(np.argmax(late - 0.8 * noise + 0.5 * x[:, col["key_missing"]]))] = True
        asked.append(Asked("public", str(i), str(i), True, x, labels, []))
    free = _conditional_logit([a.x for a in asked], [a.labels for a in asked], 0.1)[0]
    assert free[col["lexical"]] < 0 and free[col["key_missing"]] > 0
    bounded = fit_sentence(asked, 10.0)
    assert bounded.weights[col["lexical"]] >= 0
    assert bounded.weights[col["key_missing"]] <= 0
    assert bounded.weights[col["late"]] > 0


def test_the_fast_fit_sees_what_serving_without_late_interaction_computes() -> None:
    from bench.fit import Asked, fast_path, without_late
    from qa.ranking import LATE_FEATURES, SENTENCE_COLUMN, SENTENCE_FEATURES

    x = np.arange(3 * len(SENTENCE_FEATURES), dtype=float).reshape(3, -1) + 1.0
    asked = Asked("public", "q1", "g1", True, x, np.array([True, False, False]), [{}] * 3)
    (zeroed,) = without_late([asked])
    late = [SENTENCE_COLUMN[f] for f in LATE_FEATURES]
    rest = [i for i in range(len(SENTENCE_FEATURES)) if i not in late]
    assert not zeroed.x[:, late].any()
    assert np.array_equal(zeroed.x[:, rest], x[:, rest])
    assert asked.x[:, late].all()  # the asked questions are left as they were
    assert fast_path(Path("qa/params/ranking-e5-small.json")) == Path(
        "qa/params/ranking-e5-small-fast.json"
    )
