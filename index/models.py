"""Plain data types shared by the index and the answering code."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Article:
    """An article in canonical form: ``text`` is what every offset points into."""

    id: str
    title: str
    text: str
    url: str | None = None
    published: str | None = None
    source: str | None = None
    lang: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def titled_text(self) -> str:
        """The title and the text, one line apart: what a question's names are looked for
        in (an article need not repeat in its body the name its title gives)."""
        return self.title + "\n" + self.text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        return cls(
            id=data["id"],
            title=data.get("title") or "",
            text=data["text"],
            url=data.get("url"),
            published=data.get("published"),
            source=data.get("source"),
            lang=data.get("lang"),
            metadata=dict(data.get("metadata") or {}),
        )


@dataclass(frozen=True)
class Span:
    """A half-open character range ``[start, end)`` into an article's text."""

    start: int
    end: int


@dataclass(frozen=True)
class Passage:
    """A run of whole sentences ``[first_sentence, last_sentence)`` of one article."""

    article: int
    first_sentence: int
    last_sentence: int
    start: int
    end: int


@dataclass(frozen=True)
class SentenceRef:
    """One stored sentence: its row in the index, the row of its article, and its span
    ``[start, end)`` in that article's canonical text."""

    row: int
    article: int
    start: int
    end: int
