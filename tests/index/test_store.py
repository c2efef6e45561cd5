"""The index directory: manifest, checksums, atomic publication of versions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.builder import BuildReport, build_index
from index.errors import (
    ArticleQAError,
    BuildError,
    ChecksumError,
    IndexLoadError,
    ManifestMismatchError,
)
from index.readers import Problem, read_sources
from index.store import CURRENT, MANIFEST, VERSIONS, LoadedIndex, load_index
from service.components import Components
from tests.helpers import SAMPLE_JSONL, assert_quotes_valid, quote_hit


def _version_dir(index_dir: Path) -> Path:
    return index_dir / VERSIONS / (index_dir / CURRENT).read_text().strip()


def test_manifest_describes_the_build(
    sample_index: LoadedIndex, sample_build_report: BuildReport, components: Components
) -> None:
    manifest = sample_index.manifest
    assert manifest["embedder"] == {
        "backend": "onnx",
        "model": components.embedder.model,
        "dim": components.embedder.dim,
        "normalized": True,
        "model_sha256": components.embedder.model_sha256,
    }
    assert manifest["counts"] == {
        "articles": sample_build_report.indexed,
        "passages": sample_build_report.passages,
        "sentences": sample_build_report.sentences,
    }
    assert set(manifest["files"]) >= {
        "articles.jsonl",
        "sentences.npy",
        "passages.npy",
        "sentence_vectors.npy",
        "passages.faiss",
    }
    assert any(name.startswith("bm25/") for name in manifest["files"])
    assert sample_index.faiss_index.ntotal == len(sample_index.passages)
    assert sample_index.sentence_vectors.shape == (
        len(sample_index.sentences),
        components.embedder.dim,
    )


def test_no_pickles(sample_index_dir: Path) -> None:
    for path in _version_dir(sample_index_dir).rglob("*.npy"):
        np.load(path, allow_pickle=False)


def test_passages_are_runs_of_whole_sentences(sample_index: LoadedIndex) -> None:
    for row in range(len(sample_index.passages)):
        p = sample_index.passage(row)
        rows = sample_index.sentence_rows(row)
        assert all(sample_index.sentence(r).article == p.article for r in rows)
        assert sample_index.sentence(rows[0]).start == p.start
        assert sample_index.sentence(rows[-1]).end == p.end
    for row in range(sample_index.sentence_count):
        sentence = sample_index.sentence_text(row)
        assert sentence and sentence == sentence.strip()


@pytest.mark.parametrize(
    "backend, model, named",
    [
        ("sentence-transformers", "sentence-transformers/all-MiniLM-L6-v2", "backend"),
        ("onnx", "onnx/multilingual-e5-small-int8-v0:other", "model"),
    ],
)
def test_other_embedder_configured_is_a_mismatch(
    sample_index_dir: Path, components: Components, backend: str, model: str, named: str
) -> None:
    with pytest.raises(ManifestMismatchError) as info:
        load_index(sample_index_dir, backend=backend, model=model)
    message = str(info.value)
    built = components.embedder.backend if named == "backend" else components.embedder.model
    configured = backend if named == "backend" else model
    assert f"embedder {named} {built!r}" in message
    assert repr(configured) in message
    assert "rebuild" in message
    assert info.value.status == 503 and info.value.code == "index_mismatch"


def test_other_format_version_is_a_mismatch(sample_index_copy: Path) -> None:
    manifest_path = _version_dir(sample_index_copy) / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    manifest["format_version"] = 99
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(ManifestMismatchError, match="index format 99"):
        load_index(sample_index_copy)


def test_flipped_bytes_are_a_checksum_error(
    sample_index_copy: Path, components: Components
) -> None:
    path = _version_dir(sample_index_copy) / "sentences.npy"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF  # array data, not the header: np.load alone would not notice
    data[-5] ^= 0x0F
    path.write_bytes(bytes(data))
    with pytest.raises(ChecksumError) as info:
        components.open_index(sample_index_copy)
    assert "sentences.npy" in str(info.value)
    assert info.value.details["files"] == ["sentences.npy"]


def test_missing_file_is_a_checksum_error(sample_index_copy: Path, components: Components) -> None:
    bm25_file = next(p for p in (_version_dir(sample_index_copy) / "bm25").iterdir())
    bm25_file.unlink()
    with pytest.raises(ChecksumError, match=f"bm25/{bm25_file.name}"):
        components.open_index(sample_index_copy)


def test_no_index_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(IndexLoadError, match="no index at"):
        load_index(tmp_path / "empty")


def test_failed_build_keeps_the_old_index(sample_index_copy: Path, components: Components) -> None:
    current = (sample_index_copy / CURRENT).read_text()
    versions = sorted(p.name for p in (sample_index_copy / VERSIONS).iterdir())
    seen: list[Path] = []

    def verify(folder: Path) -> None:
        seen.append(folder)
        raise RuntimeError("probe failed on purpose")

    articles = read_sources([SAMPLE_JSONL]).articles[:2]
    with pytest.raises(BuildError, match="probe failed on purpose"):
        build_index(
            articles,
            sample_index_copy,
            embedder=components.embedder,
            cache=components.cache,
            splitter=components.splitter,
            verify=verify,
        )
    assert len(seen) == 1 and not seen[0].exists(), "the rejected version is removed"
    assert (sample_index_copy / CURRENT).read_text() == current
    assert sorted(p.name for p in (sample_index_copy / VERSIONS).iterdir()) == versions
    index = components.open_index(sample_index_copy)
    assert len(index.articles) == 19
    answer = components.answerer(index).ask("한국은행이 정한 기준금리는 몇 퍼센트인가요?")
    assert_quotes_valid(answer, index)
    assert quote_hit(answer, ["2.50%"], 3)


def test_build_with_nothing_to_index_is_a_project_error(
    components: Components, tmp_path: Path
) -> None:
    problems = [Problem("input.jsonl", 1, "invalid JSON (Expecting value)")]
    try:
        components.build([], tmp_path / "index", problems=problems, records=1)
    except ArticleQAError as exc:
        assert "input.jsonl:1" in str(exc) or exc.details.get("problems")
    else:
        index = components.open_index(tmp_path / "index")
        assert len(index.articles) == 0


def test_successful_rebuild_switches_current_and_keeps_the_previous(
    sample_index_copy: Path, components: Components
) -> None:
    old = (sample_index_copy / CURRENT).read_text().strip()
    articles = read_sources([SAMPLE_JSONL]).articles[:3]
    report, _ = components.build(articles, sample_index_copy)
    assert (sample_index_copy / CURRENT).read_text().strip() == report.version != old
    assert {p.name for p in (sample_index_copy / VERSIONS).iterdir()} == {old, report.version}
    index = components.open_index(sample_index_copy)
    assert [a.id for a in index.articles] == [a.id for a in articles]
