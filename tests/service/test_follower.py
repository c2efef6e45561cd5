"""The reader role's follower (service/replica.py) in process, on a copy of the sample
index: it swaps in a new version, refuses a corrupt one while serving the one before,
does not reload a refused version on every poll, and clears the refusal when CURRENT
goes back."""

from __future__ import annotations

import shutil
from pathlib import Path

from index.store import CURRENT, VERSIONS
from service.components import Components
from service.replica import RETRY_REFUSED_POLLS, IndexFollower
from service.serving import IndexHolder, ServedIndex


def point(index_dir: Path, version: str) -> None:
    tmp = index_dir / ".CURRENT.test"
    tmp.write_text(version + "\n")
    tmp.replace(index_dir / CURRENT)


def copy_version(index_dir: Path, name: str, *, corrupt: bool = False) -> None:
    source = index_dir / VERSIONS / (index_dir / CURRENT).read_text().strip()
    target = index_dir / VERSIONS / name
    shutil.copytree(source, target)
    if corrupt:
        with (target / "passages.npy").open("r+b") as fh:
            fh.seek(-1, 2)
            fh.write(b"\x01")


def test_follower_swaps_refuses_and_recovers(
    components: Components, sample_index_copy: Path
) -> None:
    holder = IndexHolder()
    loads: list[str] = []

    def serve(folder: Path) -> None:
        loads.append(folder.name)
        index = components.open_version(folder)
        holder.swap(ServedIndex(index, components.answerer(index)))

    follower = IndexFollower(sample_index_copy, holder, serve, interval=3600)
    follower.poll()
    first = holder.require().version
    assert follower.status()["refused"] is None

    copy_version(sample_index_copy, "v-good")
    point(sample_index_copy, "v-good")
    follower.poll()
    assert holder.require().version == "v-good"

    copy_version(sample_index_copy, "v-bad", corrupt=True)
    point(sample_index_copy, "v-bad")
    follower.poll()
    assert holder.require().version == "v-good"  # still serving the one before
    refused = follower.status()["refused"]
    assert refused["version"] == "v-bad" and refused["serving"] == "v-good"
    assert "passages.npy" in refused["reason"]

    for _ in range(RETRY_REFUSED_POLLS - 1):
        follower.poll()
    assert loads.count("v-bad") == 1  # not reloaded on every poll
    follower.poll()
    assert loads.count("v-bad") == 2  # but tried again after RETRY_REFUSED_POLLS

    point(sample_index_copy, "v-good")
    follower.poll()
    assert follower.status()["refused"] is None
    assert first != "v-good" and holder.require().version == "v-good"
