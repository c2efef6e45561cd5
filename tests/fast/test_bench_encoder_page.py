"""docs/encoder.md and docs/dedup.md's figures come from saved results, not from prose.

No model and no benchmark run: the committed results, or small synthetic ones.
"""

from __future__ import annotations

import copy
import json

from bench import dedup, encoder
from bench.common import DOCS

KEPT = DOCS / "results"


def _kept(name: str) -> dict:
    return json.loads((KEPT / f"{name}.json").read_text(encoding="utf-8"))


def test_committed_encoder_page_is_rendered_from_the_committed_results() -> None:
    text = encoder.render_text(_kept("encoder"), _kept("encoder-fidelity"), encoder.load_once())
    assert text == (DOCS / "encoder.md").read_text(encoding="utf-8")


def test_encoder_page_without_the_fidelity_results() -> None:
    text = encoder.render_text(_kept("encoder"), None, encoder.load_once())
    assert "## How far each model moves vectors" not in text
    assert "`python -m bench encoder-fidelity`; its results" in text
    layers = ", ".join(str(n) for n in encoder.mixed_ffn_in_layers())
    assert f"the FFN-in of layers {layers} in 4-bit" in text


def test_encoder_page_without_the_figures_measured_once() -> None:
    text = encoder.render_text(_kept("encoder"), _kept("encoder-fidelity"), {})
    assert "SmoothQuant-style smoothing" in text
    assert "docs/results/one-off.json, which is not on this machine" in text


def _fidelity(by_layer: list[float], q4: float = 0.99996) -> dict:
    row = lambda c: {"int8_matmuls": 1, "questions": {"mean": c}, "texts": {"mean": c}}  # noqa: E731
    return {
        "variants": {"q4": row(q4)},
        "ffn_in_by_layer": [row(c) for c in by_layer],
    }


def test_ffn_in_ranking_picks_the_six_that_moved_vectors_most() -> None:
    # Lost beyond q4's own (0.99996): 1e-5 for even layers, 5e-5 or more for odd ones.
    by_layer = [0.99995 if n % 2 == 0 else 0.99991 - n * 1e-6 for n in range(12)]
    got = encoder.ffn_in_ranking(_fidelity(by_layer))
    assert got["worst"] == [1, 3, 5, 7, 9, 11]
    assert got["rest"] == [0, 2, 4, 6, 8, 10]
    assert round(got["low"], 1) == 5.1 and round(got["high"], 1) == 6.1


def test_the_default_bullet_says_when_the_data_ranks_other_layers() -> None:
    fidelity = copy.deepcopy(_kept("encoder-fidelity"))
    mixed = encoder.mixed_ffn_in_layers()
    others = [n for n in range(12) if n not in mixed]
    for n, row in enumerate(fidelity["ffn_in_by_layer"]):
        row["questions"]["mean"] = 0.9990 if n in others else 0.99995
    text = encoder.render_text(_kept("encoder"), fidelity, encoder.load_once())
    worst = ", ".join(str(n) for n in others[:6])
    assert f"in this one the six that moved vectors most are layers {worst}" in text


def test_dedup_gap_figures() -> None:
    sims = {
        5: {
            "all": [0.2, 0.5],
            "lead": [0.4],
            dedup.SAME_TOPIC: [0.01, 0.1],
            dedup.RECURRING_PAIR: [0.6, 0.7],
        }
    }
    got = dedup.gap_figures(sims, {3: [0.05, 0.07], 5: [0.01]}, 0.3, 128)
    assert got["same_topic_max"] == 0.1 and got["recurring_max"] == 0.7
    assert abs(got["threshold_vs_same_topic"] - 3.0) < 1e-9
    assert abs(got["sigmas"] - 0.2 / (0.1 * 0.9 / 128) ** 0.5) < 1e-9
    assert got["edits_below"] == ["all"]
    assert abs(got["unrelated_3_vs_5"] - 6.0) < 1e-9
    assert dedup.gap_figures(sims, {}, 0.3, 128)["unrelated_3_vs_5"] is None
