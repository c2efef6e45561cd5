"""Build options are saved in the manifest and kept by every server-side rebuild,
upsert and delete (a rebuild at the default 400 characters after
`build --max-chars 600` was a bug)."""

from __future__ import annotations

import json
from pathlib import Path

from index.builder import BuildOptions
from index.models import Article
from service.indexer import IndexManager
from service.metrics import Metrics
from service.serving import IndexHolder
from tests.fakes import fake_components, fake_settings

CUSTOM = BuildOptions(max_chars=120, overlap=0, sentence_title=False, ivf_threshold=5_000)


def test_options_round_trip_through_the_manifest() -> None:
    assert BuildOptions.from_manifest({"build_options": CUSTOM.to_manifest()}) == CUSTOM
    # Manifests from before build_options still name the passage size and sentence text.
    old = {"passages": {"max_chars": 600, "overlap": 2}, "sentence_vectors": {"text": "sentence"}}
    assert BuildOptions.from_manifest(old) == BuildOptions(
        max_chars=600, overlap=2, sentence_title=False
    )
    assert BuildOptions.from_manifest({}) == BuildOptions()


def test_upsert_delete_and_rebuild_keep_the_options_of_the_index(
    kiwi, sample_articles: list[Article], tmp_path: Path
) -> None:
    settings = fake_settings(tmp_path, sources=[str(tmp_path / "src.jsonl")])
    comps = fake_components(settings, kiwi=kiwi)
    (tmp_path / "src.jsonl").write_text(
        "\n".join(
            json.dumps({"id": a.id, "title": a.title, "text": a.text}, ensure_ascii=False)
            for a in sample_articles[:3]
        ),
        encoding="utf-8",
    )
    try:
        report = comps.build_from_sources(
            [tmp_path / "src.jsonl"], settings.index_dir, options=CUSTOM
        )
        manager = IndexManager(settings, comps, IndexHolder(), Metrics())
        manager.start()
        assert BuildOptions.from_manifest(manager.holder.require().index.manifest) == CUSTOM

        extra = Article(id="new-one", title="새 기사", text="새 문장이다. 둘째 문장이다.")
        result = manager.upsert([extra])
        assert result["index"]["version"] != report.version
        after_upsert = manager.holder.require().index
        assert BuildOptions.from_manifest(after_upsert.manifest) == CUSTOM
        assert after_upsert.manifest["passages"]["max_chars"] == 120
        # The passages really are cut at 120 characters, not the default 400.
        longest_multi = max(
            (int(p[4] - p[3]) for p in after_upsert.passages if p[2] - p[1] > 1), default=0
        )
        assert longest_multi <= 120

        manager.delete("new-one")
        assert BuildOptions.from_manifest(manager.holder.require().index.manifest) == CUSTOM

        job = manager.request_rebuild()
        manager._executor.shutdown(wait=True)  # waits for the queued rebuild to finish
        assert manager.jobs.get(job.id).status == "succeeded"
        assert BuildOptions.from_manifest(manager.holder.require().index.manifest) == CUSTOM
    finally:
        comps.cache.close()
