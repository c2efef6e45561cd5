"""Faults under load (tests/service/faults.py), with short phases: queries never fail
outside a SIGKILL's window, no acknowledged write is lost, and the old version serves
until a good one is ready. `python -m bench.reliability` runs the same scenarios longer
and writes docs/reliability.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.service import faults


@pytest.mark.slow
def test_faults_under_load(embedding_cache_dir: Path, tmp_path: Path) -> None:
    outcomes = faults.run_all(tmp_path, embedding_cache_dir, seconds=6, rate=3)
    assert [o.name for o in outcomes] == [
        "baseline",
        "writes",
        "kill",
        "corrupt",
        "cache",
        "full disk",
    ]
    problems = [o.row() for o in outcomes if not o.passed]
    assert not problems, problems
    assert all(o.samples for o in outcomes if not o.fault.startswith("not run"))
