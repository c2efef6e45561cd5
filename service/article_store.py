"""Articles written through the API, kept durably beside the index.

``<index_dir>/api-articles.jsonl`` holds one line per article id touched through the
API: ``{"op": "upsert", "article": {...}}`` (the canonical article) or
``{"op": "delete", "id": "..."}`` (a tombstone). The file is rewritten atomically
(temporary file, fsync, rename) before the index that reflects the change is built, and
restored if that build fails.

Every full rebuild applies it on top of the configured sources: upserted articles
replace source articles with the same id (or are added), tombstoned ids are left out.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.errors import IndexLoadError
from index.models import Article

STORE_NAME = "api-articles.jsonl"


@dataclass(frozen=True)
class Overlay:
    """Upserts (id -> article, in the order they were first written) and tombstones."""

    upserts: dict[str, Article] = field(default_factory=dict)
    deletions: frozenset[str] = frozenset()

    def __len__(self) -> int:
        return len(self.upserts) + len(self.deletions)

    def with_upserts(self, articles: Iterable[Article]) -> Overlay:
        upserts = dict(self.upserts)
        deletions = set(self.deletions)
        for article in articles:
            upserts[article.id] = article
            deletions.discard(article.id)
        return Overlay(upserts, frozenset(deletions))

    def with_deletions(self, ids: Iterable[str]) -> Overlay:
        upserts = dict(self.upserts)
        deletions = set(self.deletions)
        for article_id in ids:
            upserts.pop(article_id, None)
            deletions.add(article_id)
        return Overlay(upserts, frozenset(deletions))

    def apply(self, articles: Sequence[Article]) -> list[Article]:
        """``articles`` with the overlay applied: order kept, upserts replace in place,
        new ones are appended, tombstoned ids are dropped."""
        out: list[Article] = []
        seen: set[str] = set()
        for article in articles:
            if article.id in self.deletions or article.id in seen:
                continue
            seen.add(article.id)
            out.append(self.upserts.get(article.id, article))
        out.extend(a for a in self.upserts.values() if a.id not in seen)
        return out

    def pending(self, articles: Sequence[Article]) -> bool:
        """True when ``articles`` (an index's) do not reflect this overlay yet."""
        by_id = {a.id: a for a in articles}
        if any(i in by_id for i in self.deletions):
            return True
        return any(by_id.get(i) != a for i, a in self.upserts.items())

    def counts(self) -> dict[str, int]:
        return {"upserted": len(self.upserts), "deleted": len(self.deletions)}


class ArticleStore:
    """The overlay file. Callers serialize writes (the index writer lock)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._cached: Overlay | None = None

    @classmethod
    def for_index(cls, index_dir: Path) -> ArticleStore:
        return cls(Path(index_dir) / STORE_NAME)

    def load(self) -> Overlay:
        with self._lock:
            if self._cached is None:
                self._cached = self._read()
            return self._cached

    def save(self, overlay: Overlay) -> None:
        lines = [{"op": "upsert", "article": a.to_dict()} for a in overlay.upserts.values()] + [
            {"op": "delete", "id": i} for i in sorted(overlay.deletions)
        ]
        text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.tmp")
            with tmp.open("w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
            _fsync_dir(self.path.parent)
            self._cached = overlay

    def _read(self) -> Overlay:
        if not self.path.is_file():
            return Overlay()
        upserts: dict[str, Article] = {}
        deletions: set[str] = set()
        with self.path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    entry: dict[str, Any] = json.loads(line)
                    if entry["op"] == "upsert":
                        article = Article.from_dict(entry["article"])
                        upserts[article.id] = article
                        deletions.discard(article.id)
                    elif entry["op"] == "delete":
                        deletions.add(str(entry["id"]))
                        upserts.pop(str(entry["id"]), None)
                    else:
                        raise ValueError(f"unknown op {entry['op']!r}")
                except (ValueError, KeyError, TypeError) as exc:
                    raise IndexLoadError(
                        f"{self.path}:{number}: unreadable API article entry ({exc})",
                        details={"path": str(self.path), "line": number},
                    ) from exc
        return Overlay(upserts, frozenset(deletions))


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
