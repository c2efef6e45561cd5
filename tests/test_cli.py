"""The ``article-qa`` command, run as a subprocess like a user runs it."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from index.store import CURRENT, VERSIONS, LoadedIndex
from qa.ranking import default_model
from service.components import Components
from tests.helpers import (
    BAD_JSONL,
    QUESTIONS_DIR,
    SAMPLE_JSONL,
    assert_clean_failure,
    assert_quotes_valid,
    json_line,
    quote_hit,
    read_jsonl,
    write_bad_source,
)

RunCli = Callable[..., subprocess.CompletedProcess[str]]


def test_help_lists_the_commands(run_cli: RunCli) -> None:
    result = run_cli("--help")
    assert result.returncode == 0, result.stderr
    for command in ("build", "ask", "eval", "serve"):
        assert command in result.stdout


# build --------------------------------------------------------------------------------


def test_build_reports_bad_records_and_indexes_the_rest(
    run_cli: RunCli, tmp_path: Path, components: Components
) -> None:
    (tmp_path / "source").mkdir()
    source = write_bad_source(tmp_path / "source")
    index_dir = tmp_path / "index"
    result = run_cli("build", source, "--index-dir", index_dir)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    jsonl = source / "articles.jsonl"
    for number, (_, reason) in enumerate(BAD_JSONL, start=1):
        if reason:
            assert f"skipped {jsonl}:{number}: {reason}" in result.stderr
    assert f"skipped {source / 'notes.pdf'}: unsupported file type" in result.stderr
    good = sum(1 for line, reason in BAD_JSONL if line and not reason) + 1
    bad = sum(1 for _, reason in BAD_JSONL if reason)
    assert f"read {good + bad} records; indexed {good} articles" in result.stdout
    assert f"skipped {bad + 1} (" in result.stdout
    index = components.open_index(index_dir)
    assert len(index.articles) == good


def test_build_json_report(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("build", SAMPLE_JSONL, "--index-dir", tmp_path / "index", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["records"] == report["indexed"] == 16
    assert report["skipped"] == 0 and report["problems"] == []
    # The session cache already holds every text of the sample.
    assert report["embedded"] == 0 and report["cached"] > 0
    assert (tmp_path / "index" / CURRENT).is_file()


def test_build_missing_source_fails_cleanly(run_cli: RunCli, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    result = run_cli("build", missing, "--index-dir", tmp_path / "index")
    assert_clean_failure(result, "error:", f"source not found: {missing}")
    assert result.returncode == 2
    assert not (tmp_path / "index" / CURRENT).exists()


def test_build_with_only_bad_records_reports_them(run_cli: RunCli, tmp_path: Path) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_bytes(b'{"id": "x", "text": \n[1, 2]\n')
    result = run_cli("build", source, "--index-dir", tmp_path / "index")
    output = result.stdout + result.stderr
    assert "Traceback" not in output and "internal error" not in output
    assert f"{source}:1: invalid JSON" in output
    assert f"{source}:2: record is not a JSON object" in output


# ask ----------------------------------------------------------------------------------


def test_ask_json(run_cli: RunCli, sample_index_dir: Path, sample_index: LoadedIndex) -> None:
    question = "네이버는 엔비디아 GPU를 몇 장 받게 되나요?"
    result = run_cli("ask", question, "--json", "--index-dir", sample_index_dir)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["question"] == question
    assert_quotes_valid(answer, sample_index)
    assert answer["answered"] and quote_hit(answer, ["6만 장"], 3)


def test_ask_plain_text(run_cli: RunCli, sample_index_dir: Path, sample_index: LoadedIndex) -> None:
    question = "How much is Northwind paying for DataHarbor?"
    result = run_cli("ask", question, "--index-dir", sample_index_dir)
    assert result.returncode == 0, result.stderr
    answer, *citations = result.stdout.splitlines()
    assert "$8.4 billion" in answer and "[1]" in answer
    assert citations[0].strip().startswith("[1] Northwind Software to Buy DataHarbor")
    # Each citation line ends in article_id:start-end; that span is quoted verbatim.
    for n, line in enumerate(citations, start=1):
        m = re.fullmatch(rf"\s*\[{n}\] .* (\S+):(\d+)-(\d+)", line)
        assert m, line
        quote = sample_index.article(m[1]).text[int(m[2]) : int(m[3])]
        assert f"{quote} [{n}]" in answer


def test_ask_batch(
    run_cli: RunCli, sample_index_dir: Path, sample_index: LoadedIndex, tmp_path: Path
) -> None:
    questions = tmp_path / "questions.jsonl"
    questions.write_bytes(
        b"\n".join(
            [
                json_line(
                    {"id": "q-nvidia", "question": "네이버는 엔비디아 GPU를 몇 장 받게 되나요?"}
                ),
                json_line(
                    {"id": "q-rate", "question": "한국은행이 정한 기준금리는 몇 퍼센트인가요?"}
                ),
                b'{"id": "q-broken", "question": ',
                json_line({"id": "q-off", "question": "김치찌개 맛있게 끓이는 방법 알려줘."}),
                b"",
                json_line({"question": "How much is Northwind paying for DataHarbor?"}),
            ]
        )
        + b"\n"
    )
    result = run_cli("ask", "--questions", questions, "--json", "--index-dir", sample_index_dir)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, "a bad line makes the batch exit non-zero"
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["id"] for row in rows] == ["q-nvidia", "q-rate", 3, "q-off", 6]
    assert "error" in rows[2] and "Expecting value" in rows[2]["error"]
    assert f"{questions}:3:" in result.stderr
    for row in rows[:2] + rows[3:]:
        assert "error" not in row
        assert_quotes_valid(row, sample_index)
    assert quote_hit(rows[0], ["6만 장"], 3)
    assert quote_hit(rows[1], ["2.50%"], 3)
    assert quote_hit(rows[4], ["$8.4 billion"], 3)


def test_ask_batch_error_keeps_the_question_id(
    run_cli: RunCli, sample_index_dir: Path, tmp_path: Path
) -> None:
    questions = tmp_path / "questions.jsonl"
    questions.write_bytes(
        json_line({"id": "q-empty", "question": "   "})
        + b"\n"
        + json_line({"id": "q-number", "question": 42})
        + b"\n"
    )
    result = run_cli("ask", "--questions", questions, "--json", "--index-dir", sample_index_dir)
    assert "Traceback" not in result.stderr and result.returncode == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert all("error" in row for row in rows)
    assert [row["id"] for row in rows] == ["q-empty", "q-number"]


def test_ask_without_a_question_fails_cleanly(run_cli: RunCli, sample_index_dir: Path) -> None:
    result = run_cli("ask", "--index-dir", sample_index_dir)
    assert_clean_failure(result, "give a QUESTION or --questions FILE")
    assert result.returncode == 2


def test_ask_without_an_index_fails_cleanly(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("ask", "아무 질문", "--index-dir", tmp_path / "empty")
    assert_clean_failure(result, "error:", "no index at", "article-qa build")
    assert result.returncode == 1


def test_ask_on_a_corrupted_index_fails_cleanly(run_cli: RunCli, sample_index_copy: Path) -> None:
    version = (sample_index_copy / CURRENT).read_text().strip()
    path = sample_index_copy / VERSIONS / version / "sentences.npy"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    result = run_cli("ask", "네이버는 GPU를 몇 장 받나?", "--index-dir", sample_index_copy)
    assert_clean_failure(result, "error:", "do not match the manifest checksums", "sentences.npy")
    assert result.returncode == 1


# eval ---------------------------------------------------------------------------------

TINY_ARTICLE_IDS = ["kr-bok-rate-2025-10", "kr-kbo-kia-samsung-0615", "en-harbor-city-marathon"]


@pytest.fixture(scope="module")
def tiny_dataset(
    components: Components, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """A dataset folder in the format of shared/eval/public, and an index over it."""
    folder = tmp_path_factory.mktemp("tiny-dataset")
    articles = {r["id"]: r for r in read_jsonl(SAMPLE_JSONL)}
    with (folder / "articles.jsonl").open("w", encoding="utf-8") as fh:
        for article_id in TINY_ARTICLE_IDS:
            a = articles[article_id]
            record = {"id": a["id"], "title": a["title"], "text": a["text"], "source": "tiny"}
            fh.write(json.dumps({**record, "doc_id": a["id"]}, ensure_ascii=False) + "\n")
    with (folder / "questions.jsonl").open("w", encoding="utf-8") as fh:
        for q in read_jsonl(QUESTIONS_DIR / "ontopic.jsonl"):
            if q["article_id"] in TINY_ARTICLE_IDS:
                record = {**q, "answerable": True, "source": "tiny:news"}
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        unanswerable = {
            "id": "tiny-unanswerable",
            "question": "내일 서울 날씨는 어때?",
            "article_id": None,
            "answers": [],
            "answerable": False,
            "source": "tiny:news",
        }
        fh.write(json.dumps(unanswerable, ensure_ascii=False) + "\n")
    index_dir = folder / "index"
    components.build_from_sources([folder / "articles.jsonl"], index_dir)
    return folder, index_dir


def test_eval_prints_recall_and_hit(run_cli: RunCli, tiny_dataset: tuple[Path, Path]) -> None:
    folder, index_dir = tiny_dataset
    result = run_cli("eval", folder, "--index-dir", index_dir)
    assert result.returncode == 0, result.stderr
    served, header, _, overall, by_source, *rest = result.stdout.splitlines()
    # The served threshold is the fitted model's (qa/params/ranking-e5-small.json).
    threshold = default_model("onnx").threshold
    assert served.startswith(f"as served (threshold {threshold};")
    assert header.split("|")[2:-1] == [
        " questions ",
        " recall@1 ",
        " recall@5 ",
        " recall@20 ",
        " hit@1 ",
        " hit@3 ",
        " answered ",
        " answered_precision ",
    ]
    questions = sum(1 for q in read_jsonl(folder / "questions.jsonl") if q["answerable"])
    assert overall.startswith(f"| overall | {questions} |")
    assert by_source.startswith(f"| tiny | {questions} |")
    assert rest[0].startswith("unanswerable questions: 1, refused ")
    assert rest[3].startswith("| tiny | 1 | ")
    assert rest[4] == "by threshold (from the same run):"
    assert rest[5] == "| threshold | answered | hit@1 | answered_precision | refusal_rate |"
    assert f"| {threshold} |" in result.stdout
    assert rest[-1].startswith("latency per question:")


def test_eval_json(run_cli: RunCli, tiny_dataset: tuple[Path, Path]) -> None:
    folder, index_dir = tiny_dataset
    result = run_cli("eval", folder, "--index-dir", index_dir, "--json")
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    overall = metrics["overall"]
    questions = sum(1 for q in read_jsonl(folder / "questions.jsonl") if q["answerable"])
    assert overall["questions"] == questions == 6
    assert overall["recall@20"] == 1.0
    for key in ("recall@1", "recall@5", "hit@1", "hit@3", "answered"):
        assert 0.0 <= overall[key] <= 1.0
    assert overall["recall@1"] <= overall["recall@5"] <= overall["recall@20"]
    assert overall["hit@1"] <= overall["hit@3"]
    assert list(metrics["by_source"]) == ["tiny"]
    assert metrics["unanswerable"]["questions"] == 1
    assert metrics["unanswerable"]["refusal_rate"] in (0.0, 1.0)
    served = next(row for row in metrics["curve"] if row["threshold"] == metrics["threshold"])
    assert served["answered"] == overall["answered"]
    assert served["hit@1"] == overall["hit@1"]
    assert served["refusal_rate"] == metrics["unanswerable"]["refusal_rate"]
    assert len(metrics["per_question"]) == questions + 1


def test_eval_without_questions_fails_cleanly(
    run_cli: RunCli, tiny_dataset: tuple[Path, Path], tmp_path: Path
) -> None:
    _, index_dir = tiny_dataset
    result = run_cli("eval", tmp_path, "--index-dir", index_dir)
    assert_clean_failure(result, "error:", "questions file not found")
    assert result.returncode == 2


def _malformed_dataset(folder: Path) -> Path:
    (folder / "questions.jsonl").write_text(
        '{"id": "ok", "question": "한국은행 기준금리는?", "answers": ["2.50%"]}\n{"id": "bad", \n',
        encoding="utf-8",
    )
    return folder


def test_eval_malformed_questions_fails_without_traceback(
    run_cli: RunCli, tiny_dataset: tuple[Path, Path], tmp_path: Path
) -> None:
    _, index_dir = tiny_dataset
    result = run_cli("eval", _malformed_dataset(tmp_path), "--index-dir", index_dir)
    assert_clean_failure(result, "error")


def test_eval_malformed_questions_names_the_line(
    run_cli: RunCli, tiny_dataset: tuple[Path, Path], tmp_path: Path
) -> None:
    _, index_dir = tiny_dataset
    result = run_cli("eval", _malformed_dataset(tmp_path), "--index-dir", index_dir)
    assert_clean_failure(result, f"{tmp_path / 'questions.jsonl'}:2")
    assert result.returncode == 2
    assert "internal error" not in result.stderr
