"""The FAISS index type follows corpus size; the IVF path answers like the exact one.

The sample corpus is small, so the IVF threshold is lowered for these tests; the vectors
are the real model's."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.builder import BuildOptions
from index.readers import read_sources
from index.store import LoadedIndex
from qa.retrieval import Filters
from service.components import Components
from tests.helpers import assert_quotes_valid, quote_hit

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


@pytest.fixture(scope="module")
def ivf_index(components: Components, tmp_path_factory: pytest.TempPathFactory) -> LoadedIndex:
    folder = tmp_path_factory.mktemp("ivf-index")
    _, index = components.build(
        read_sources([SAMPLE]).articles, folder, options=BuildOptions(ivf_threshold=10)
    )
    return index


def test_small_corpus_uses_exact_search(sample_index: LoadedIndex) -> None:
    assert sample_index.manifest["faiss"]["index"] == "FlatIP"


def test_ivf_index_is_recorded_and_answers(ivf_index: LoadedIndex, components: Components) -> None:
    assert ivf_index.manifest["faiss"]["index"].startswith("IVF")
    answer = components.answerer(ivf_index).ask("엔비디아가 한국에 공급하는 GPU는 몇 장이야?")
    assert_quotes_valid(answer, ivf_index)
    assert quote_hit(answer, ["26만 장"], 3)


def test_ivf_index_honours_filters(ivf_index: LoadedIndex, components: Components) -> None:
    answerer = components.answerer(ivf_index)
    source = ivf_index.article("kr-samsung-q3-2025").source
    answer = answerer.ask("영업이익은 얼마야?", filters=Filters(source=source))
    assert answer.passages
    assert {ivf_index.article(p.article_id).source for p in answer.passages} == {source}
