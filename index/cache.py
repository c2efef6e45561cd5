"""A persistent embedding cache keyed by model and text hash.

SQLite (standard library) holds one row per (model, kind, sha256(text)) with the raw
float32 vector, so a rebuild re-embeds only new or changed text. It lives outside the
index directory: index versions come and go, the cache stays.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger("article_qa.cache")


def _key(model: str, kind: str, text: str) -> bytes:
    return hashlib.sha256(f"{model}\x00{kind}\x00{text}".encode()).digest()


class EmbeddingCache:
    def __init__(self, path: str | Path | None) -> None:
        """``path=None`` keeps the cache in memory (for one process only)."""
        self.path = str(path) if path else ":memory:"
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as exc:
            self._db = self._replace_damaged(exc)

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS vec (key BLOB PRIMARY KEY, v BLOB NOT NULL)")
            db.execute("SELECT key, v FROM vec LIMIT 1").fetchall()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _replace_damaged(self, exc: Exception) -> sqlite3.Connection:
        """A damaged cache is only lost time, never an error: it is set aside (for a
        post-mortem) and a new, empty one takes its place."""
        if self.path == ":memory:":
            raise exc
        aside = f"{self.path}.damaged-{int(time.time())}"
        log.warning("embedding cache %s is damaged (%s); set aside as %s", self.path, exc, aside)
        for suffix in ("", "-wal", "-shm"):
            source = Path(self.path + suffix)
            if source.exists():
                source.replace(aside + suffix)
        return self._open()

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
            try:
                found = self._lookup(keys)
            except sqlite3.DatabaseError as exc:  # damaged while open: start afresh
                self._db.close()
                self._db = self._replace_damaged(exc)
        missing: dict[bytes, list[int]] = {}
        for i, key in enumerate(keys):
            # A vector of the wrong size is damage too: embed the text again.
            if key in found and len(found[key]) == dim * 4:
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

    def _lookup(self, keys: list[bytes]) -> dict[bytes, bytes]:
        found: dict[bytes, bytes] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT key, v FROM vec WHERE key IN ({marks})", chunk)
            found.update(rows.fetchall())
        return found

    def close(self) -> None:
        self._db.close()
