"""Request checks that depend on settings: limits and the text a question may hold."""

from __future__ import annotations

import re
import unicodedata

from index.text import is_blank
from service.errors import InvalidRequestError, LimitError
from service.settings import Settings

# C0 and C1 control characters other than tab, newline and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def over_limit(field: str, limit: int, actual: int, message: str) -> LimitError:
    return LimitError(message, details={"field": field, "limit": limit, "actual": actual})


# Most messages in one chat request (only the last few turns shape an answer).
MAX_CHAT_MESSAGES = 100


def check_question(question: str, settings: Settings, field: str = "question") -> str:
    """The question, stripped; rejects empty, over-long and control-character input.
    ``field`` names it in errors (``messages[2].content`` for a chat message)."""
    if len(question) > settings.max_question_chars:
        limit = settings.max_question_chars
        raise over_limit(field, limit, len(question), f"{field} is longer than {limit} characters")
    if _CONTROL.search(question):
        raise InvalidRequestError(f"{field} contains control characters", details={"field": field})
    if any(unicodedata.category(c) == "Cs" for c in question):
        raise InvalidRequestError(f"{field} contains unpaired surrogates", details={"field": field})
    stripped = question.strip()
    if is_blank(stripped):
        raise InvalidRequestError(f"{field} is empty", details={"field": field})
    return stripped


def check_messages(messages: list[tuple[str, str]], settings: Settings) -> list[tuple[str, str]]:
    """A conversation of ``(role, content)`` pairs: at most ``MAX_CHAT_MESSAGES``, ending
    with a user message; every user message passes :func:`check_question` and assistant
    messages must be free of unpaired surrogates. System messages are kept (and ignored
    by the chat)."""
    if len(messages) > MAX_CHAT_MESSAGES:
        raise over_limit(
            "messages",
            MAX_CHAT_MESSAGES,
            len(messages),
            f"more than {MAX_CHAT_MESSAGES} messages in one request",
        )
    if not messages or messages[-1][0] != "user":
        raise InvalidRequestError(
            "the last message must be a user message", details={"field": "messages"}
        )
    out = []
    for i, (role, content) in enumerate(messages):
        field = f"messages[{i}].content"
        if role == "user":
            content = check_question(content, settings, field)
        elif any(unicodedata.category(c) == "Cs" for c in content):
            raise InvalidRequestError(
                f"{field} contains unpaired surrogates", details={"field": field}
            )
        out.append((role, content))
    return out


def check_top_k(top_k: int | None, settings: Settings) -> int | None:
    if top_k is not None and not 1 <= top_k <= settings.max_top_k:
        raise InvalidRequestError(
            f"top_k must be between 1 and {settings.max_top_k}",
            details={"field": "top_k", "limit": settings.max_top_k, "actual": top_k},
        )
    return top_k


def check_batch(size: int, settings: Settings) -> None:
    if size > settings.max_batch_articles:
        limit = settings.max_batch_articles
        raise over_limit("articles", limit, size, f"more than {limit} articles in one request")
    if size == 0:
        raise InvalidRequestError("articles is empty", details={"field": "articles"})
