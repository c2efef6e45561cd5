"""Grouping syndicated copies (index/dedup.py) on the fixture sets: no model needed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from index.dedup import (
    DedupOptions,
    DuplicateGroups,
    Signatures,
    find_groups,
    numbers,
    same_story,
    signatures,
)
from index.models import Article
from index.store import current_version_dir
from service.components import Components
from tests.helpers import REPO_ROOT

FIXTURES = REPO_ROOT / "data" / "fixtures"
# The copies of data/fixtures/syndicated.jsonl, earliest first.
EXPECTED_GROUPS = [
    ["ko-ev-plant-wire", "ko-ev-plant-hanbit", "ko-ev-plant-sample"],
    ["en-rail-wire", "en-rail-times", "en-rail-daily"],
    ["ko-map-wire", "ko-map-busan"],
]


def read(name: str) -> list[Article]:
    with (FIXTURES / name).open(encoding="utf-8") as fh:
        return [Article.from_dict(json.loads(line)) for line in fh]


def test_every_syndicated_group_is_found_at_the_chosen_threshold() -> None:
    articles = read("syndicated.jsonl")
    groups = [[articles[r].id for r in g] for g in find_groups(articles)]
    assert groups == EXPECTED_GROUPS


def test_groups_are_ordered_by_publication_not_by_input_order() -> None:
    articles = list(reversed(read("syndicated.jsonl")))
    groups = sorted([articles[r].id for r in g] for g in find_groups(articles))
    assert groups == sorted(EXPECTED_GROUPS)


def test_recurring_reports_from_one_template_are_not_copies() -> None:
    # Weekly price reports and quarterly results look alike but are other weeks' stories.
    articles = read("dated.jsonl")
    assert find_groups(articles) == []
    # MinHash alone would group them: the checks are what keeps them apart.
    loose = DedupOptions(max_days_apart=10_000, number_overlap=0.0)
    assert find_groups(articles, loose)


def test_copies_must_be_close_in_time_and_state_the_same_numbers() -> None:
    opts = DedupOptions()
    text = "한빛모터스가 울산에 연간 20만 대 규모의 공장을 준공했다. 직원 1,200명이 근무한다."
    a = Article("a", "", text, published="2025-11-03")
    assert same_story(a, Article("b", "", text, published="2025-11-05"), opts)
    assert not same_story(a, Article("c", "", text, published="2025-11-20"), opts)
    other = text.replace("20만", "35만").replace("1,200", "2,400")
    assert not same_story(a, Article("d", "", other, published="2025-11-03"), opts)
    assert numbers("1,200명과 1200명, 0.5%") == {"1200", "0.5"}


def test_groups_round_trip_through_the_version_folder(tmp_path: Path) -> None:
    articles = read("syndicated.jsonl")
    groups = DuplicateGroups(find_groups(articles), DedupOptions().to_dict())
    groups.save(tmp_path, articles)
    by_id = {a.id: i for i, a in enumerate(articles)}
    loaded = DuplicateGroups.load(tmp_path, by_id)
    assert loaded.groups == groups.groups
    assert loaded.options["threshold"] == DedupOptions().threshold
    assert loaded.group_of(by_id["ko-ev-plant-sample"]) == [by_id[i] for i in EXPECTED_GROUPS[0]]
    assert loaded.group_of(by_id["ko-ev-plant-own"]) == []
    # A version written before groups were stored has none.
    assert len(DuplicateGroups.load(tmp_path / "missing", by_id)) == 0


def test_signatures_of_unchanged_texts_are_taken_from_the_previous_version() -> None:
    opts = DedupOptions()
    texts = [a.text for a in read("syndicated.jsonl")]
    first = signatures(texts, opts)
    # Mark the stored rows: a reused row keeps the mark, a recomputed one cannot have it.
    marked = Signatures(first.keys, np.full_like(first.values, 7))
    again = signatures([*texts[:3], texts[3] + " 정정.", *texts[4:]], opts, marked)
    assert (again.values[[0, 1, 2, 4]] == 7).all()
    assert (again.values[3] != 7).any()
    assert again.keys[3] != first.keys[3] and again.keys[0] == first.keys[0]


def test_a_build_keeps_signatures_for_the_next(components: Components, tmp_path: Path) -> None:
    articles = read("syndicated.jsonl")
    components.build(articles, tmp_path)
    first = Signatures.load(current_version_dir(tmp_path))
    components.build(
        [*articles, Article("new", "새 기사", "완전히 새로운 기사 본문이다.")], tmp_path
    )
    folder = current_version_dir(tmp_path)
    second = Signatures.load(folder)
    assert first is not None and second is not None
    assert second.keys[: len(articles)] == first.keys
    assert (np.asarray(second.values[: len(articles)]) == np.asarray(first.values)).all()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert {"groups.json", "minhash.npy", "minhash_keys.txt"} <= set(manifest["files"])
    assert manifest["dedup"]["groups"] == 3
