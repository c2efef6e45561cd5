"""Request and response bodies of the HTTP API (they also document the OpenAPI schema).

Request bodies are strict (no coercion of ``"5"`` to ``5``) and reject unknown fields.
Response models allow extra fields so that the answer object stays exactly what
:meth:`qa.types.Answer.to_dict` returns, even when the core adds a field.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SAMSUNG_QUESTION = "삼성전자의 3분기 영업이익은 얼마야?"
SAMSUNG_ANSWER = "분기 영업이익이 10조 원을 넘어선 것은 다섯 분기 만이다. [1]"

ARTICLE_EXAMPLE: dict[str, Any] = {
    "id": "kr-samsung-q3-2025",
    "title": "삼성전자 3분기 영업이익 12조 1,000억 원…반도체 회복에 30% 넘게 증가",
    "text": "삼성전자가 올해 3분기 연결 기준 영업이익이 12조 1,000억 원으로 잠정 집계됐다고 "
    "14일 공시했다. 분기 영업이익이 10조 원을 넘어선 것은 다섯 분기 만이다.",
    "url": "https://news.example.com/economy/kr-samsung-q3-2025",
    "published": "2025-10-14",
    "source": "한빛경제",
    "lang": "ko",
    "metadata": {"section": "economy"},
}


class _Request(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class FiltersIn(_Request):
    source: str | None = Field(None, description="Only articles of this source.")
    published_from: date | None = Field(None, description="Published on or after this day.")
    published_to: date | None = Field(None, description="Published on or before this day.")

    @field_validator("published_from", "published_to", mode="before")
    @classmethod
    def _iso_day(cls, value: object) -> object:
        if value is None or isinstance(value, date):
            return value
        if not isinstance(value, str):
            raise ValueError("must be a date string (YYYY-MM-DD)")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError("must be a date string (YYYY-MM-DD)") from None

    @model_validator(mode="after")
    def _ordered(self) -> FiltersIn:
        if self.published_from and self.published_to and self.published_from > self.published_to:
            raise ValueError("published_from is after published_to")
        return self


class AskRequest(_Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"question": SAMSUNG_QUESTION},
                {
                    "question": SAMSUNG_QUESTION,
                    "top_k": 3,
                    "filters": {"source": "한빛경제", "published_from": "2025-10-01"},
                },
            ]
        }
    )

    question: str = Field(description="The question; limited to `max_question_chars`.")
    top_k: int | None = Field(
        None, description="Passages returned as context (1 to `max_top_k`; default 5)."
    )
    filters: FiltersIn | None = None


class ChatMessageIn(_Request):
    role: Literal["user", "assistant", "system"] = Field(
        description="`system` messages are accepted and ignored."
    )
    content: str = Field(
        description="A user question (limited to `max_question_chars`), or an earlier "
        "answer exactly as this service gave it (its `answer` text, with `[1]` markers)."
    )


class ChatRequest(_Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "messages": [
                        {"role": "user", "content": SAMSUNG_QUESTION},
                        {
                            "role": "assistant",
                            "content": SAMSUNG_ANSWER,
                        },
                        {"role": "user", "content": "그럼 LG전자는?"},
                    ]
                }
            ]
        }
    )

    messages: list[ChatMessageIn] = Field(
        description="The conversation so far, oldest first; the last message is the user's "
        "question. At most 100 messages."
    )
    top_k: int | None = Field(
        None, description="Passages returned as context (1 to `max_top_k`; default 5)."
    )
    filters: FiltersIn | None = None


class ArticleIn(BaseModel):
    """One article, with the fields of a JSONL source record. Fields not listed here
    are kept in ``metadata``."""

    model_config = ConfigDict(
        strict=True, extra="allow", json_schema_extra={"examples": [ARTICLE_EXAMPLE]}
    )

    id: str | int | None = Field(None, description="Stable id; else derived from url or content.")
    title: str | None = None
    text: str | None = Field(None, description="Plain text (or give `html`).")
    html: str | None = Field(None, description="An HTML page; its main text is extracted.")
    url: str | None = None
    published: str | None = Field(None, description="ISO 8601 date or date-time.")
    source: str | None = None
    lang: str | None = None
    metadata: dict[str, Any] | None = None


class UpsertRequest(_Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"articles": [ARTICLE_EXAMPLE]}]})

    articles: list[ArticleIn] = Field(
        description="Articles to add or replace (by id); at most `max_batch_articles`."
    )


class _Response(BaseModel):
    model_config = ConfigDict(extra="allow")


class Citation(_Response):
    article_id: str
    title: str
    url: str | None
    published: str | None
    passage_id: int
    sentence_index: int
    char_start: int = Field(description="`text[char_start:char_end]` of the article is the quote.")
    char_end: int
    source: str | None = None


class Quote(_Response):
    text: str
    score: float
    citation: Citation


class PassageOut(_Response):
    passage_id: int
    article_id: str
    title: str
    text: str
    score: float
    char_start: int
    char_end: int


class AnswerOut(_Response):
    """The answer object, identical to ``article-qa ask --json``."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "question": SAMSUNG_QUESTION,
                    "answered": True,
                    "answer": "분기 영업이익이 10조 원을 넘어선 것은 다섯 분기 만이다. [1]",
                    "quotes": [
                        {
                            "text": "분기 영업이익이 10조 원을 넘어선 것은 다섯 분기 만이다.",
                            "score": 1.388,
                            "citation": {
                                "article_id": "kr-samsung-q3-2025",
                                "title": ARTICLE_EXAMPLE["title"],
                                "url": ARTICLE_EXAMPLE["url"],
                                "published": "2025-10-14",
                                "passage_id": 2,
                                "sentence_index": 2,
                                "char_start": 106,
                                "char_end": 139,
                                "source": "한빛경제",
                            },
                        }
                    ],
                    "passages": [],
                    "reason": None,
                    "confidence": 0.93,
                    "timings": {
                        "embed_ms": 20.1,
                        "retrieve_ms": 3.2,
                        "select_ms": 40.5,
                        "total_ms": 64.0,
                    },
                }
            ]
        }
    )

    question: str
    answered: bool
    answer: str
    quotes: list[Quote]
    passages: list[PassageOut]
    reason: str | None = None
    confidence: float
    timings: dict[str, float]


class ChatAnswerOut(AnswerOut):
    """The answer object of the last question, plus how the conversation shaped it."""

    resolved_question: str = Field(
        description="The text searched for this answer: the question itself, or a follow-up "
        "completed from the conversation."
    )
    mode: Literal["standalone", "follow_up", "shift"]
    context_articles: list[str] = Field(
        description="Ids of the articles of the previous answer that a follow-up preferred."
    )


class ArticleOut(_Response):
    model_config = ConfigDict(json_schema_extra={"examples": [ARTICLE_EXAMPLE]})

    id: str
    title: str
    text: str = Field(description="Canonical text: every citation offset points into it.")
    url: str | None = None
    published: str | None = None
    source: str | None = None
    lang: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class IndexCounts(_Response):
    articles: int
    passages: int
    sentences: int


class IndexSummary(_Response):
    version: str
    counts: IndexCounts


class UpsertResponse(_Response):
    ids: list[str] = Field(description="Ids of the upserted articles, in request order.")
    created: int
    updated: int
    unchanged: int
    embedded: int = Field(description="Texts embedded by this write (new or changed text only).")
    cached: int = Field(description="Texts whose vectors came from the embedding cache.")
    index: IndexSummary


class DeleteResponse(_Response):
    deleted: str
    index: IndexSummary


JobStatus = Literal["queued", "running", "succeeded", "failed"]


class JobProgress(_Response):
    stage: str
    done: int
    total: int


class JobError(_Response):
    code: str
    message: str


class JobOut(_Response):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "4f1c2e0b9a7d4a53b3c1f0e2d9a8b7c6",
                    "kind": "rebuild",
                    "status": "running",
                    "created_at": "2025-11-30T14:00:00+00:00",
                    "started_at": "2025-11-30T14:00:01+00:00",
                    "finished_at": None,
                    "progress": {"stage": "embedding", "done": 120, "total": 195},
                    "error": None,
                    "result": None,
                }
            ]
        }
    )

    id: str
    kind: str
    status: JobStatus
    created_at: str
    started_at: str | None
    finished_at: str | None
    progress: JobProgress
    error: JobError | None
    result: dict[str, Any] | None


class IndexStatus(_Response):
    ready: bool
    version: str | None = Field(description="The served version (folder under versions/).")
    format_version: int | None = Field(description="Index format of the manifest.")
    built_at: str | None
    model: dict[str, Any] | None = Field(description="Embedder recorded in the manifest.")
    counts: IndexCounts | None
    api_articles: dict[str, int] = Field(
        description="Articles upserted and deleted through the API (kept across rebuilds)."
    )
    building: bool = Field(description="A build or rebuild is queued or running.")
    role: Literal["writer", "reader"] = Field(
        "writer", description="`writer`, or `reader` (a read replica that follows CURRENT)."
    )


class Health(_Response):
    status: str


class Ready(_Response):
    status: str
    version: str
    details: dict[str, Any] = Field(
        default_factory=dict,
        description="`role`; a reader adds `following`, `poll_seconds`, `checked_at` and "
        "`refused` (the last version it would not serve, and why).",
    )


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any]


class ErrorOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": {
                        "code": "limit_exceeded",
                        "message": "question is longer than 1000 characters",
                        "details": {"field": "question", "limit": 1000, "actual": 1500},
                    }
                }
            ]
        }
    )

    error: ErrorDetail
