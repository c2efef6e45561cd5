"""The README's settings table names every setting, and only real ones."""

from __future__ import annotations

import re

import pytest

from service.settings import Settings
from tests.service.server import REPO_ROOT

README = REPO_ROOT / "README.md"
ROW = re.compile(r"^\|\s*`(ARTICLE_QA_[A-Z0-9_]+)`\s*\|")


def documented_settings(markdown: str) -> list[str]:
    """Names in the first column of the table under ``## Settings``."""
    section = re.search(r"^## Settings\s*$(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    if section is None:
        return []
    return [m.group(1) for line in section.group(1).splitlines() if (m := ROW.match(line.strip()))]


def test_settings_table_matches_the_settings() -> None:
    if not README.is_file():
        pytest.skip("README.md is not written yet")
    documented = documented_settings(README.read_text(encoding="utf-8"))
    assert documented, "README.md has no '## Settings' table"
    expected = {f"ARTICLE_QA_{name.upper()}" for name in Settings.model_fields}
    assert len(documented) == len(set(documented)), "a setting is listed twice"
    assert sorted(expected - set(documented)) == [], "settings missing from the README"
    assert sorted(set(documented) - expected) == [], "README lists settings that do not exist"


def test_parser_reads_only_the_settings_section() -> None:
    markdown = (
        "# x\n\n| `ARTICLE_QA_NOT_HERE` | no |\n\n## Settings\n\n| Variable | Default |\n"
        "|---|---|\n| `ARTICLE_QA_INDEX_DIR` | `var/index` |\n| `ARTICLE_QA_SOURCES` | `[]` |\n\n"
        "## API\n\n| `ARTICLE_QA_LATER` | no |\n"
    )
    assert documented_settings(markdown) == ["ARTICLE_QA_INDEX_DIR", "ARTICLE_QA_SOURCES"]
