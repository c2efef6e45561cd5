"""Reading sources: bad records are reported with file and line, ids are stable."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.builder import BuildReport
from index.errors import RecordError, SourceError
from index.readers import article_from_record, read_sources, stable_id
from index.store import LoadedIndex
from service.components import Components
from tests.helpers import (
    BAD_JSONL,
    GOOD_BARE,
    GOOD_WITH_ID,
    GOOD_WITH_URL,
    SAMPLE_DIR,
    SAMPLE_JSONL,
    json_line,
    read_jsonl,
    write_bad_source,
)


@pytest.fixture(scope="module")
def bad_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_bad_source(tmp_path_factory.mktemp("bad-source"))


@pytest.fixture(scope="module")
def bad_build(
    components: Components, bad_source: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[BuildReport, LoadedIndex]:
    index_dir = tmp_path_factory.mktemp("bad-index")
    report = components.build_from_sources([bad_source], index_dir)
    return report, components.open_index(index_dir)


def test_each_bad_record_is_reported_with_file_and_line(
    bad_source: Path, bad_build: tuple[BuildReport, LoadedIndex]
) -> None:
    report, _ = bad_build
    jsonl = str(bad_source / "articles.jsonl")
    by_line = {p.line: p for p in report.skipped if p.path == jsonl}
    expected = {n: reason for n, (_, reason) in enumerate(BAD_JSONL, start=1) if reason}
    assert sorted(by_line) == sorted(expected)
    for number, reason in expected.items():
        assert reason in by_line[number].reason
        assert str(by_line[number]).startswith(f"{jsonl}:{number}: ")


def test_unsupported_file_is_reported(
    bad_source: Path, bad_build: tuple[BuildReport, LoadedIndex]
) -> None:
    report, _ = bad_build
    (problem,) = [p for p in report.skipped if p.path.endswith("notes.pdf")]
    assert problem.path == str(bad_source / "notes.pdf")
    assert problem.line is None
    assert "unsupported file type '.pdf'" in problem.reason


def test_good_records_are_indexed_and_counts_add_up(
    bad_build: tuple[BuildReport, LoadedIndex],
) -> None:
    report, index = bad_build
    ids = {a.id for a in index.articles}
    assert "good-1" in ids
    assert stable_id(url=GOOD_WITH_URL["url"]) in ids
    assert stable_id(title=GOOD_BARE["title"], text=GOOD_BARE["text"]) in ids
    assert any(a.title == "Seoul Subway Adds Trains" for a in index.articles)
    bad_lines = sum(1 for _, reason in BAD_JSONL if reason)
    good_lines = sum(1 for line, reason in BAD_JSONL if line and not reason)
    assert report.indexed == good_lines + 1 == len(index.articles)
    assert report.records == good_lines + bad_lines + 1  # + the .txt file
    # Nothing dropped silently: every record is either indexed or reported.
    record_problems = [p for p in report.skipped if "unsupported" not in p.reason]
    assert report.records == report.indexed + len(record_problems)
    assert len(report.skipped) == bad_lines + 1
    assert sum(report.counts_by_reason.values()) == len(report.skipped)
    assert report.to_dict()["problems"] == [str(p) for p in report.skipped]


def test_missing_source_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="source not found"):
        read_sources([tmp_path / "nowhere.jsonl"])


def test_duplicate_ids_keep_the_last_and_report_the_first(tmp_path: Path) -> None:
    path = tmp_path / "dup.jsonl"
    first = {"id": "same", "text": "첫 번째 판이다."}
    second = {"id": "same", "text": "두 번째 판이다."}
    path.write_bytes(json_line(first) + b"\n" + json_line(second) + b"\n")
    result = read_sources([path])
    assert [a.text for a in result.articles] == ["두 번째 판이다."]
    assert len(result.problems) == 1 and "duplicate id 'same'" in result.problems[0].reason


@pytest.mark.parametrize(
    "record, reason",
    [
        ({"id": {"nested": 1}, "text": "본문."}, "field 'id' must be a string"),
        ({"id": "x" * 201, "text": "본문."}, "longer than"),
        ({"text": 42}, "field 'text' must be a string"),
        ("just a string", "not a JSON object"),
    ],
)
def test_record_validation(record: object, reason: str) -> None:
    with pytest.raises(RecordError, match=reason) as info:
        article_from_record(record, path="input.jsonl", line=7)
    assert (info.value.path, info.value.line) == ("input.jsonl", 7)
    assert str(info.value).startswith("input.jsonl:7: ")


# Stable ids ---------------------------------------------------------------------------


def test_given_id_is_kept() -> None:
    article = article_from_record({**GOOD_WITH_ID, "id": "my-id"})
    assert article.id == "my-id"
    assert article_from_record({**GOOD_WITH_ID, "id": 42}).id == "42"
    assert article_from_record({**GOOD_WITH_ID, "id": "  padded  "}).id == "padded"


def test_url_derived_id_when_no_id() -> None:
    a = article_from_record(GOOD_WITH_URL)
    assert a.id.startswith("u-")
    assert a.id == stable_id(url=GOOD_WITH_URL["url"])
    # Same URL, edited text: the same article.
    edited = article_from_record({**GOOD_WITH_URL, "text": "Busan Port set a new record."})
    assert edited.id == a.id
    other = article_from_record({**GOOD_WITH_URL, "url": "https://news.example.com/other"})
    assert other.id != a.id
    # An empty id counts as no id.
    assert article_from_record({**GOOD_WITH_URL, "id": ""}).id == a.id


def test_content_derived_id_otherwise() -> None:
    a = article_from_record(GOOD_BARE)
    assert a.id.startswith("c-")
    assert article_from_record(dict(GOOD_BARE)).id == a.id
    assert article_from_record({**GOOD_BARE, "text": "Different text."}).id != a.id
    assert article_from_record({**GOOD_BARE, "title": "Another title"}).id != a.id


def test_same_input_twice_gives_the_same_ids() -> None:
    first = [a.id for a in read_sources([SAMPLE_DIR]).articles]
    second = [a.id for a in read_sources([SAMPLE_DIR]).articles]
    assert first == second
    assert len(set(first)) == len(first) == 19
    given = [r["id"] for r in read_jsonl(SAMPLE_JSONL)]
    assert set(given) <= set(first)
    # Files carry no id or URL: their ids derive from their content.
    files = [a for a in read_sources([SAMPLE_DIR / "extra"]).articles]
    assert len(files) == 3 and all(a.id.startswith("c-") for a in files)


def test_index_ids_match_the_sources(sample_index: LoadedIndex) -> None:
    assert sorted(a.id for a in sample_index.articles) == sorted(
        a.id for a in read_sources([SAMPLE_DIR]).articles
    )


def test_sample_files_metadata() -> None:
    by_file = {
        Path(a.metadata["file"]).name: a for a in read_sources([SAMPLE_DIR / "extra"]).articles
    }
    battery = by_file["battery.html"]
    assert battery.title.startswith("가온배터리, 오창에 LFP 배터리 공장 착공")
    assert battery.published == "2025-11-20"
    assert battery.metadata.get("author") == "김하늘 기자"
    jeju = by_file["jeju-tangerine.md"]
    assert jeju.title == "제주 노지감귤 수확 시작…올해 생산량 40만 톤 안팎 전망"
    assert not jeju.text.startswith("#")
