"""The ``group`` of ``GET /v1/articles/{id}``: the syndicated copies of an article."""

from __future__ import annotations

from typing import Any

from index.store import LoadedIndex


def article_group(index: LoadedIndex, article_id: str) -> dict[str, Any] | None:
    """The copies of the article's story, earliest first (itself included); None when it
    has none."""
    rows = index.groups.group_of(index.article_index(article_id))
    if not rows:
        return None
    members = [index.articles[r] for r in rows]
    return {
        "earliest": members[0].id,
        "articles": [
            {
                "id": a.id,
                "title": a.title,
                "url": a.url,
                "source": a.source,
                "published": a.published,
            }
            for a in members
        ],
    }
