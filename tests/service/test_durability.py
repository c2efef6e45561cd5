"""Restarts: API writes survive them, a killed rebuild leaves the old index serving and
its job reported as failed, and a failed rebuild is visible without breaking serving."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.store import CURRENT, FORMAT_VERSION, MANIFEST, VERSIONS
from tests.service.server import ADMIN_TOKEN, SAMPLE_DIR, Server, assert_error
from tests.service.test_articles import unique_article, upsert

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
SAMSUNG = "삼성전자의 3분기 영업이익은 얼마야?"


@pytest.fixture(scope="module")
def extra_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("extra-source") / "extra"
    folder.mkdir()
    shutil.copy(SAMPLE_DIR / "extra" / "jeju-tangerine.md", folder)
    return folder


@pytest.fixture(scope="module")
def restartable(
    server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory, extra_source: Path
) -> Iterator[Server]:
    settings = {
        "sources": [str(SAMPLE_DIR / "articles.jsonl"), str(extra_source)],
        "admin_token": ADMIN_TOKEN,
    }
    srv = Server(tmp_path_factory.mktemp("restartable-server"), server_env, settings)
    with srv.serving():
        yield srv


def answered(server: Server) -> bool:
    response = server.client.post("/v1/ask", json={"question": SAMSUNG})
    return response.status_code == 200 and response.json()["answered"]


def test_upserts_and_deletes_survive_a_restart(restartable: Server) -> None:
    srv = restartable
    kept, dropped = unique_article(), unique_article()
    upsert(srv, ADMIN, kept, dropped)
    assert srv.client.delete(f"/v1/articles/{dropped['id']}", headers=ADMIN).status_code == 200
    assert srv.client.delete("/v1/articles/kr-flu-advisory-2025", headers=ADMIN).status_code == 200
    before = srv.client.get("/v1/index").json()

    srv.restart()
    srv.wait_ready()
    after = srv.client.get("/v1/index").json()
    assert after["version"] == before["version"]
    assert after["counts"] == before["counts"]
    assert after["api_articles"] == before["api_articles"]
    assert srv.client.get(f"/v1/articles/{kept['id']}").json()["text"] == kept["text"]
    assert_error(srv.client.get(f"/v1/articles/{dropped['id']}"), 404)
    assert_error(srv.client.get("/v1/articles/kr-flu-advisory-2025"), 404)

    # A rebuild after the restart still applies them.
    job = srv.client.post("/v1/index/rebuild", headers=ADMIN).json()
    assert srv.wait_job(job["id"], ADMIN)["status"] == "succeeded"
    assert srv.client.get(f"/v1/articles/{kept['id']}").status_code == 200
    assert_error(srv.client.get("/v1/articles/kr-flu-advisory-2025"), 404)


def test_failed_rebuild_leaves_the_index_serving(restartable: Server, extra_source: Path) -> None:
    srv = restartable
    before = srv.client.get("/v1/index").json()
    moved = extra_source.with_name("moved-away")
    extra_source.rename(moved)
    try:
        job = srv.client.post("/v1/index/rebuild", headers=ADMIN).json()
        final = srv.wait_job(job["id"], ADMIN)
    finally:
        moved.rename(extra_source)
    assert final["status"] == "failed"
    assert final["error"]["code"] == "bad_source"
    assert str(extra_source) in final["error"]["message"]
    assert srv.client.get("/v1/index").json()["version"] == before["version"]
    assert srv.client.get("/readyz").status_code == 200
    assert answered(srv)
    metrics = srv.client.get("/metrics").text
    assert 'article_qa_index_builds_total{kind="rebuild",outcome="failed"} 1.0' in metrics


def test_killed_rebuild_leaves_the_old_index_and_a_failed_job(
    restartable: Server, extra_source: Path
) -> None:
    """SIGKILL during a rebuild (here: while it embeds new text). Whether the kill lands
    before or after the swap, the server comes back serving a complete index, and the
    job does not stay "running"."""
    srv = restartable
    lines = [f"제주 감귤 농가의 기록 {uuid.uuid4().hex}번째 문장이다." for _ in range(40)]
    (extra_source / "slow.md").write_text("# 감귤 일지\n\n" + " ".join(lines), encoding="utf-8")
    try:
        before = srv.client.get("/v1/index").json()["version"]
        job = srv.client.post("/v1/index/rebuild", headers=ADMIN).json()
        while srv.client.get(f"/v1/index/jobs/{job['id']}", headers=ADMIN).json()["status"] == (
            "queued"
        ):
            pass
        srv.kill()
        srv.start()
        srv.wait_ready()
        final = srv.client.get(f"/v1/index/jobs/{job['id']}", headers=ADMIN).json()
        version = srv.client.get("/v1/index").json()["version"]
        if final["status"] == "failed":
            assert final["error"]["code"] == "interrupted"
            assert version == before
        else:
            assert final["status"] == "succeeded"
            assert version == final["result"]["version"]
        assert answered(srv)
        assert srv.client.get("/v1/articles/kr-samsung-q3-2025").status_code == 200
    finally:
        (extra_source / "slow.md").unlink()


def test_api_articles_return_after_an_offline_cli_build(restartable: Server) -> None:
    """`article-qa build` knows nothing of API articles; the next start notices that the
    index is behind the stored API articles and applies them again."""
    srv = restartable
    article = unique_article()
    upsert(srv, ADMIN, article)
    srv.stop()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "service",
            "build",
            str(SAMPLE_DIR / "articles.jsonl"),
            "--index-dir",
            str(srv.index_dir),
        ],
        env=srv.env,
        cwd=srv.workdir,
        capture_output=True,
        check=True,
        timeout=600,
    )
    srv.start()
    srv.wait_ready()
    deadline = time.monotonic() + 300
    while srv.client.get(f"/v1/articles/{article['id']}").status_code != 200:
        assert time.monotonic() < deadline, srv.log()
        time.sleep(0.1)
    assert_error(srv.client.get("/v1/articles/kr-flu-advisory-2025"), 404)
    metrics = srv.client.get("/metrics").text
    assert 'article_qa_index_builds_total{kind="sync",outcome="succeeded"} 1.0' in metrics


def test_an_index_of_an_older_format_is_rebuilt_from_the_sources(restartable: Server) -> None:
    """After an upgrade that changes the index format, a server with sources rebuilds
    (from the embedding cache) instead of refusing to serve."""
    srv = restartable
    srv.stop()
    old = (srv.index_dir / CURRENT).read_text().strip()
    manifest_path = srv.index_dir / VERSIONS / old / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    manifest["format_version"] = FORMAT_VERSION - 1
    manifest_path.write_text(json.dumps(manifest))
    srv.start()
    srv.wait_ready()
    assert answered(srv)
    assert srv.client.get("/v1/index").json()["format_version"] == FORMAT_VERSION
    assert (srv.index_dir / CURRENT).read_text().strip() != old
    assert "rebuilding from the configured sources" in srv.log()
