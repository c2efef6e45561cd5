"""Request and response bodies of the HTTP API (they also document the OpenAPI schema).

Request bodies are strict (no coercion of ``"5"`` to ``5``) and reject unknown fields.
The answer models are derived from the dataclasses of :mod:`qa.types` (see
``_response_model``); response models allow extra fields.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import fields as dataclass_fields
from datetime import date
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

from qa import types as qa_types
from qa.chat import ChatReply

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


def _iso_day(value: object) -> object:
    if value is None or isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a date string (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("must be a date string (YYYY-MM-DD)") from None


AS_OF_DESCRIPTION = (
    "The day that dates in the question (`어제`, `지난주`, `올해 3분기`, `last week`) "
    "resolve against (YYYY-MM-DD); default: `ARTICLE_QA_AS_OF`, else today."
)


class FiltersIn(_Request):
    source: str | None = Field(None, description="Only articles of this source.")
    published_from: date | None = Field(None, description="Published on or after this day.")
    published_to: date | None = Field(None, description="Published on or before this day.")

    _days = field_validator("published_from", "published_to", mode="before")(_iso_day)

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

    question: str = Field(
        min_length=1, description="The question; limited to `max_question_chars`."
    )
    top_k: int | None = Field(
        None, description="Passages returned as context (1 to `max_top_k`; default 5)."
    )
    filters: FiltersIn | None = None
    as_of: date | None = Field(None, description=AS_OF_DESCRIPTION)

    _as_of = field_validator("as_of", mode="before")(_iso_day)


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
        min_length=1,
        description="The conversation so far, oldest first; the last message is the user's "
        "question. At most 100 messages.",
    )
    top_k: int | None = Field(
        None, description="Passages returned as context (1 to `max_top_k`; default 5)."
    )
    filters: FiltersIn | None = None
    as_of: date | None = Field(None, description=AS_OF_DESCRIPTION)

    _as_of = field_validator("as_of", mode="before")(_iso_day)


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
    group: Any = Field(
        None,
        exclude=True,
        description="Read-only (`GET /v1/articles/{id}` shows it): ignored, so that an "
        "article read can be written back as it is.",
    )


class UpsertRequest(_Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"articles": [ARTICLE_EXAMPLE]}]})

    articles: list[ArticleIn] = Field(
        min_length=1,
        description="Articles to add or replace (by id); at most `max_batch_articles`.",
    )


class FetchSourcesRequest(_Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"urls": ["https://news.example.com/rss.xml"]}]}
    )

    urls: list[str] = Field(
        min_length=1,
        description="Article pages, RSS/Atom feeds and sitemaps (http or https); at most "
        "`max_batch_articles`.",
    )


class _Response(BaseModel):
    model_config = ConfigDict(extra="allow")


class TimeWindowOut(_Response):
    start: str = Field(description="First day of the period (YYYY-MM-DD).")
    end: str = Field(description="Last day of the period, included.")
    phrase: str = Field(description="The words of the question that name it.")
    explicit: bool = Field(
        description="The phrase fixes the period (`어제`, `2025년 3분기`); a partial one "
        "(`3분기`, `in March`, `최근`) leaves the year open."
    )
    granularity: Literal["day", "week", "month", "quarter", "half", "year", "recent"]
    applied: Literal["filter", "boost"] = Field(
        description="`filter`: only articles published in the period (for a quarter or "
        "half year, up to the end of the following quarter) are searched; `boost`: "
        "articles published in it rank higher."
    )


# The answer object has one definition: the dataclasses of qa/types.py (and the chat
# fields of qa.chat.ChatReply). The response models below are derived from them, so the
# OpenAPI schema, `article-qa ask --json`, HTTP answers and the OpenAI adapter's
# `article_qa` field cannot drift apart (tests/fast/test_answer_model.py checks all four).
# Add a field to the dataclass; describe it here if it needs words.
_DESCRIPTIONS: dict[tuple[str, str], str] = {
    ("Citation", "char_start"): "`text[char_start:char_end]` of the article is the quote.",
    ("Citation", "sentence_index"): "Index of the (first) quoted sentence in the article.",
    ("Citation", "passage_id"): "The passage the quote was found in.",
    ("Citation", "also_reported_by"): "Other outlets' copies of the same syndicated story; the "
    "quote is from the earliest one.",
    ("AnswerOut", "time_window"): "The period a date in the question names, if any.",
    ("ChatAnswerOut", "time_window"): "The period a date in the question names, if any.",
    ("AnswerOut", "read_as"): "Short forms in the question, and names of an English question, "
    "with what the articles write for them (삼전: 삼성전자; Kim Min-hee: 김민희).",
    ("ChatAnswerOut", "read_as"): "Short forms in the question, and names of an English "
    "question, with what the articles write for them (삼전: 삼성전자; Kim Min-hee: 김민희).",
    ("Quote", "answer_span"): "Where the number, date, name or title asked for is in the "
    "quote; null when the question's answer type does not find one.",
    ("AnswerOut", "answered"): "False when the service abstains (`reason` says why).",
    ("AnswerOut", "answer"): "The quoted sentences, each followed by its `[n]` marker.",
    ("AnswerOut", "passages"): "The best passages, as context (the nearest ones on abstention).",
    ("ChatAnswerOut", "resolved_question"): "The text searched for this answer: the question "
    "itself, or a follow-up completed from the conversation.",
    ("ChatAnswerOut", "context_articles"): "Ids of the articles of the previous answer that a "
    "follow-up preferred.",
}


def _response_model(
    name: str,
    sources: Sequence[tuple[type, Collection[str]]],
    nested: Mapping[type, type[BaseModel]],
    *,
    doc: str,
    examples: list[dict[str, Any]] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> type[BaseModel]:
    """A response model with the fields of the dataclasses in ``sources`` (in order,
    minus the names listed with each), nested dataclasses replaced by their models, and
    the types in ``overrides`` for fields the dataclass keeps as a plain dict.
    Every field is required: the service always sends every field."""

    def translate(tp: Any) -> Any:
        if tp in nested:
            return nested[tp]
        origin, args = get_origin(tp), get_args(tp)
        if origin in (list, tuple) and args:
            return list[translate(args[0])]  # type: ignore[misc]
        if origin is dict and args:
            return dict[args[0], translate(args[1])]  # type: ignore[misc,valid-type]
        if origin in (UnionType, Union):
            translated = [translate(a) for a in args]
            out = translated[0]
            for t in translated[1:]:
                out = out | t
            return out
        return tp

    definitions: dict[str, Any] = {}
    for source, excluded in sources:
        hints = get_type_hints(source)
        for f in dataclass_fields(source):
            if f.name in excluded:
                continue
            description = _DESCRIPTIONS.get((name, f.name))
            tp = (overrides or {}).get(f.name) or translate(hints[f.name])
            definitions[f.name] = (tp, Field(description=description))
    config = ConfigDict(extra="allow")
    if examples:
        config["json_schema_extra"] = {"examples": examples}
    model = create_model(name, __config__=config, __doc__=doc, **definitions)
    model.__module__ = __name__
    return model


_ANSWER_EXAMPLE: dict[str, Any] = {
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
    "timings": {"embed_ms": 20.1, "retrieve_ms": 3.2, "select_ms": 40.5, "total_ms": 64.0},
}

ReportedCopy = _response_model(
    "ReportedCopy",
    [(qa_types.ReportedCopy, ())],
    {},
    doc="Another outlet's copy of a syndicated story.",
)
Citation = _response_model(
    "Citation",
    [(qa_types.Citation, ())],
    {qa_types.ReportedCopy: ReportedCopy},
    doc="Where a quote comes from.",
)
AnswerSpan = _response_model(
    "AnswerSpan",
    [(qa_types.AnswerSpan, ())],
    {},
    doc="Where the answer is within the quote: `quote.text[start:end]`.",
)
Quote = _response_model(
    "Quote",
    [(qa_types.Quote, ())],
    {qa_types.Citation: Citation, qa_types.AnswerSpan: AnswerSpan},
    doc="One quoted sentence (or two that belong together), verbatim.",
)
PassageOut = _response_model(
    "PassageOut", [(qa_types.PassageResult, ())], {}, doc="A retrieved passage, verbatim."
)
# qa.types.Answer keeps the window as the plain dict qa/dates.py makes; the schema names
# its fields.
_TIME_WINDOW = {"time_window": TimeWindowOut | None}
_ANSWER_PARTS: dict[type, type[BaseModel]] = {
    qa_types.Quote: Quote,
    qa_types.PassageResult: PassageOut,
}
AnswerOut = _response_model(
    "AnswerOut",
    [(qa_types.Answer, ())],
    _ANSWER_PARTS,
    doc="The answer object, identical to `article-qa ask --json`.",
    examples=[_ANSWER_EXAMPLE],
    overrides=_TIME_WINDOW,
)
ChatAnswerOut = _response_model(
    "ChatAnswerOut",
    [(qa_types.Answer, ()), (ChatReply, ("answer",))],
    _ANSWER_PARTS,
    doc="The answer object of the last question, plus how the conversation shaped it.",
    overrides=_TIME_WINDOW,
)


class GroupMember(_Response):
    id: str
    title: str
    url: str | None = None
    source: str | None = None
    published: str | None = None


class ArticleGroup(_Response):
    earliest: str = Field(description="Id of the earliest-published copy (quotes come from it).")
    articles: list[GroupMember] = Field(
        description="Every copy, this one included, earliest first."
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
    group: ArticleGroup | None = Field(
        None, description="The syndicated copies of this story (null when it has none)."
    )


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


class FetchSourcesResponse(_Response):
    records: int = Field(description="Article pages tried, and URLs that failed outright.")
    articles: int = Field(description="Articles read from the URLs.")
    skipped: int = Field(description="URLs skipped; `problems` says why (at most 20 listed).")
    problems: list[str]
    fetched: dict[str, int] = Field(
        description="Requests made: `requests`, `downloaded`, `not_modified` (a 304 reused "
        "the stored copy), `failed`."
    )
    upsert: UpsertResponse | None = Field(
        description="The write, as `POST /v1/articles` reports it; null when no article was read."
    )


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


class RankingSummary(_Response):
    name: str = Field(
        description="`fitted`, `fitted-fast` (ARTICLE_QA_LATE_INTERACTION=false) or `hand`."
    )
    late_passages: int = Field(description="Passages re-ranked by late interaction (0: off).")
    threshold: float = Field(
        description="The abstention threshold (the model's, or ARTICLE_QA_MIN_CONFIDENCE)."
    )


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
    ranking: RankingSummary | None = Field(
        None, description="The ranking model that answers (qa/params, docs/ranking.md)."
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
