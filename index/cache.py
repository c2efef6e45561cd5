"""A persistent embedding cache keyed by model and text hash.

SQLite (standard library) holds one row per (model, kind, sha256(text)) with the raw
float32 vector, so a rebuild re-embeds only new or changed text. It lives outside the
index directory: index versions come and go, the cache stays.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np


def _key(model: str, kind: str, text: str) -> bytes:
    return hashlib.sha256(f"{model}\x00{kind}\x00{text}".encode()).digest()


class EmbeddingCache:
    def __init__(self, path: str | Path | None) -> None:
        """``path=None`` keeps the cache in memory (for one process only)."""
        self.path = str(path) if path else ":memory:"
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vec (key BLOB PRIMARY KEY, v BLOB NOT NULL)")
        self.hits = 0
        self.misses = 0

    def get_or_embed(
        self,
        model: str,
        kind: str,
        texts: Sequence[str],
        embed: Callable[[list[str]], np.ndarray],
        dim: int,
        *,
        batch_size: int = 64,
        on_progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Vectors for ``texts``; only the ones not cached are passed to ``embed``."""
        out = np.zeros((len(texts), dim), dtype=np.float32)
        keys = [_key(model, kind, t) for t in texts]
        found: dict[bytes, bytes] = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(f"SELECT key, v FROM vec WHERE key IN ({marks})", chunk)
                found.update(rows.fetchall())
        missing: dict[bytes, list[int]] = {}
        for i, key in enumerate(keys):
            if key in found:
                out[i] = np.frombuffer(found[key], dtype=np.float32)
                if on_progress:
                    on_progress(1)
            else:
                missing.setdefault(key, []).append(i)
        self.hits += len(texts) - sum(len(v) for v in missing.values())
        # Shortest first, so every batch holds texts of similar length and the encoder
        # spends (almost) nothing on padding; vectors go back to their input rows.
        todo = sorted(missing.items(), key=lambda item: len(texts[item[1][0]]))
        for start in range(0, len(todo), batch_size):
            batch = todo[start : start + batch_size]
            vectors = embed([texts[idx[0]] for _, idx in batch])
            with self._lock:
                self._db.executemany(
                    "INSERT OR REPLACE INTO vec VALUES (?, ?)",
                    [
                        (key, vectors[j].astype(np.float32).tobytes())
                        for j, (key, _) in enumerate(batch)
                    ],
                )
                self._db.commit()
            for j, (_, idx) in enumerate(batch):
                out[idx] = vectors[j]
                if on_progress:
                    on_progress(len(idx))
            self.misses += sum(len(idx) for _, idx in batch)
        return out

    def close(self) -> None:
        self._db.close()
