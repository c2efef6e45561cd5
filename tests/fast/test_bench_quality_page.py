"""docs/quality.md's template: every figure comes from a results file, none is typed.

No model and no benchmark run: the committed results (docs/results/quality.json) and the
figures measured once (docs/results/quality-history.json).
"""

from __future__ import annotations

import json
import re

import pytest

from bench import quality

# A placeholder left in the text: {name}, {h.name}, {at}, with or without a format spec.
LEFT_OVER = re.compile(r"\{[a-z_][\w.]*(:[^}]*)?\}")
# Figures as this project writes them: 0.829, .993 (a score in the error analysis).
THREE_DECIMALS = re.compile(r"\d\.\d{3}")
LEADING_DOT = re.compile(r"(?<![\w.])\.\d")
# Leading-dot numbers that are proposals, not measurements.
ALLOWED_LEADING_DOT = ("(lexical ≥ .5)",)


def _kept() -> dict:
    return json.loads(quality.KEPT.read_text(encoding="utf-8"))


def _template() -> str:
    return quality.TEMPLATE.read_text(encoding="utf-8")


def test_template_renders_from_the_committed_results() -> None:
    text = quality.render_text(_kept(), quality.load_history())
    assert not LEFT_OVER.search(text), LEFT_OVER.search(text)
    assert "<!-- once -->" not in text and "<!-- /once -->" not in text
    # Every historical table and paragraph says when it was measured.
    labels = re.findall(r"[Mm]easured once, at\s+commits? [0-9a-f]{7}", text)
    assert len(labels) == len(quality.ONCE.findall(_template())) == 7
    assert "| weighted score fusion (0.7 × cosine + 0.3 × BM25 / max) | 0.829 | 0.963 |" in text
    assert "(533 of 627, the least that rounds to 0.85)" in text
    assert "tied with it (1.372, passage .993 vs 1.0)" in text


def test_every_history_figure_is_used_and_every_placeholder_is_in_the_history() -> None:
    used = set(quality.history_names(_template()))
    assert used == set(quality.load_history())


def test_history_entries_say_what_was_measured_how_and_when() -> None:
    data = json.loads(quality.HISTORY.read_text(encoding="utf-8"))
    assert data["about"]
    for name, entry in data["figures"].items():
        assert set(entry) == {"value", "what", "how"}, name
        assert isinstance(entry["value"], int | float) and not isinstance(entry["value"], bool)
        assert entry["what"].strip(), name
        assert quality.MEASURED_AT.match(entry["how"]), (name, entry["how"])


def test_no_measured_figure_is_typed_into_the_template() -> None:
    """Outside the placeholders, the template holds settings and targets only."""
    bare = LEFT_OVER.sub("", _template())
    assert not THREE_DECIMALS.findall(bare), THREE_DECIMALS.findall(bare)
    for allowed in ALLOWED_LEADING_DOT:
        bare = bare.replace(allowed, "")
    assert not LEADING_DOT.findall(bare), [
        bare[m.start() - 40 : m.end() + 10] for m in LEADING_DOT.finditer(bare)
    ]


def test_a_figure_missing_from_the_history_is_an_error() -> None:
    history = quality.load_history()
    del history["fusion_dense_recall1"]
    with pytest.raises(KeyError, match="fusion_dense_recall1"):
        quality.render_text(_kept(), history)


def test_history_figures_must_sit_in_a_labelled_block() -> None:
    history = {"x": {"value": 0.5, "what": "x", "how": "commit abc1234, 2026-11-30: by hand"}}
    with pytest.raises(ValueError, match="outside"):
        quality.render_text(_kept(), history, "x = {h.x}\n")
    with pytest.raises(ValueError, match="needs one"):
        quality.render_text(_kept(), history, "<!-- once -->\nx = {h.x}\n<!-- /once -->\n")
    text = quality.render_text(
        _kept(), history, "<!-- once -->\nx = {h.x:.3f~} ({at})\n<!-- /once -->\n"
    )
    assert text == "x = .500 (commit abc1234, 2026-11-30)\n"


def test_measured_at_lists_commits_by_date() -> None:
    history = {
        "a": {"value": 1, "what": "", "how": "commit aaaaaaa, 2026-11-30: x"},
        "b": {"value": 1, "what": "", "how": "commit bbbbbbb, 2026-11-30: x"},
        "c": {"value": 1, "what": "", "how": "commit ccccccc, 2026-12-01: x"},
    }
    assert quality.measured_at(["a", "b", "a", "c"], history) == (
        "commits aaaaaaa and bbbbbbb, 2026-11-30; commit ccccccc, 2026-12-01"
    )


def test_the_figure_format() -> None:
    assert format(quality.Figure(0.993), ".3f~") == ".993"
    assert format(quality.Figure(-0.3), ".2f~") == "-.30"
    assert format(quality.Figure(1.372), ".3f~") == "1.372"
    assert format(quality.Figure(0.85), ".3f") == "0.850"
    assert format(quality.Figure(21), "") == "21"
