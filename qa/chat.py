"""Multi-turn chat without an LLM: each user turn is answered by the :class:`Answerer`
with verbatim quotes, in the context of the turns before it.

The conversation carries only text, so the context is re-derived on every request,
statelessly, from at most ``ChatConfig.max_context_turns`` earlier user turns:

* the articles a previous turn was answered from are read off the assistant message that
  follows it (its quotes, ``"text [1] text [2]"``, are found verbatim in the index); when
  there is no such message, or none of its quotes is found, the previous question is
  asked again, itself resolved the same way (recursively);
* the *topic* of a turn is the content words of the stand-alone question that opened it
  plus the names the answers gave since (the answer's name is the proper noun of its
  first quote that the question did not contain: "윤정호" for "누가 당선됐어?");
* the *comment* of a question is what it asks about its topic: the words after its
  topic marker ("루미나 월드투어 마지막 공연에는 | 관객이 얼마나 왔어?"), or from its
  interrogative on.

Resolution rule for the last user question Q (the context is the previous resolved
question plus the full text of the articles its answer quoted):

1. **follow-up** when Q has an anaphor (그, 그녀, 그것/그게, 그중, 그날, 그때, 당시, 거기,
   그곳, 그 사람, 이 회사, 해당 ..., it, its, they, them, their, he, his, she, her,
   there, that/those/these used as pronouns); or when Q is a fragment (elliptical: it
   ends in a particle with no predicate, "정부는?", "투어 전체로는?", "What about X?";
   or it opens with 그럼/그러면/and/then) that names nothing new; or when Q is short
   (at most ``short_terms`` content words, interrogatives and pronouns not counted) and
   every one of its words occurs in the context ("요금은 얼마야?", "Who came second?").
2. **shift** when Q is a fragment that names something absent from the context
   ("그럼 LG전자는?"): the topic's names are dropped, its other words are kept.
3. **stand-alone** otherwise, and always for the first turn: a question that names its
   own subject, or has more content words than a fragment, or whose words the previous
   articles do not contain, is asked exactly as written and never steered toward the
   previous topic.

How a follow-up is asked: an elliptical Q without a pronoun takes the previous comment
("투어 전체로는 관객이 얼마나 왔어?"); a person pronoun ("그 사람", "그는", "he", "his")
becomes the last person an answer named, a place pronoun ("거기", "there") the last
place. That text is asked with ``prefer_articles`` = the previous answer's articles; when
its first quote does not come from them, it is asked again with the topic's names (or
words) appended. A shift is asked once, with the topic's words that are not names
appended and no preferred articles. ``ChatReply.resolved_question`` is the text that
was searched for the answer returned.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, Literal

import numpy as np

from index.errors import InputError
from index.text import is_blank
from qa.answerer import Answerer
from qa.followup import (
    Cues,
    Phrase,
    Referent,
    answer_entity,
    comment,
    normalize,
    read_cues,
    seen,
    substitute,
)
from qa.question import answer_type
from qa.retrieval import Filters
from qa.types import Answer, Quote

Mode = Literal["standalone", "follow_up", "shift"]
Role = Literal["user", "assistant", "system"]

_NAMED: tuple[Referent, ...] = ("person", "place")  # pronouns replaced by a name
_MARKED_QUOTE = re.compile(r"(.+?) \[\d+\](?= |$)", re.S)


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True)
class ChatConfig:
    max_context_turns: int = 3  # earlier user turns that can shape the answer
    max_carried_terms: int = 8  # topic words added to a follow-up's search text
    short_terms: int = 2  # a question with at most this many content words is a fragment


@dataclass(frozen=True)
class Resolution:
    """How one user turn is asked: ``search_text`` first; when that answer does not come
    from the preferred articles, ``expanded_text`` (the topic's names added)."""

    question: str
    search_text: str  # the question itself when stand-alone
    mode: Mode
    expanded_text: str | None = None
    prefer_articles: tuple[int, ...] = ()  # article rows of the previous answer
    topic: tuple[Phrase, ...] = ()  # the words this turn hands on to the next
    comment: str = ""  # what an elliptical next turn keeps ("관객이 얼마나 왔어?")
    # The last person / place an answer named, for a later "그 사람", "he", "there".
    referents: tuple[tuple[str, str], ...] = ()


@dataclass
class ChatReply:
    answer: Answer
    resolved_question: str
    mode: Mode
    context_articles: list[str] = field(default_factory=list)  # ids of preferred articles

    def to_dict(self) -> dict[str, Any]:
        """The chat answer object: the answer's fields, then this reply's own (what
        ``POST /v1/chat`` returns; service.schemas.ChatAnswerOut is derived the same way)."""
        own = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "answer"}
        own["context_articles"] = list(self.context_articles)
        return {**self.answer.to_dict(), **own}


@dataclass(frozen=True)
class _Turn:
    question: str
    reply: str | None  # the assistant message that followed it, if any


@dataclass(frozen=True)
class _Context:
    """What an earlier turn leaves for the next: its resolution, the articles and first
    quote of its answer, and the text a follow-up's words are looked up in."""

    resolution: Resolution
    articles: tuple[int, ...]
    topic: tuple[Phrase, ...]
    referents: dict[str, str]
    comment: str
    text: str


class Chat:
    """Answers the last user message of a conversation. Cheap to construct; holds no state
    between requests besides its answerer."""

    def __init__(
        self, answerer: Answerer, config: ChatConfig | None = None, *, as_of: date | None = None
    ) -> None:
        self.answerer = answerer
        self.config = config or ChatConfig()
        self.as_of = as_of  # the day dates in the questions resolve against (None: today)

    def reply(
        self,
        messages: Sequence[ChatMessage | Mapping[str, Any] | Any],
        *,
        top_k: int | None = None,
        filters: Filters | None = None,
    ) -> ChatReply:
        resolution = self.resolve(messages, filters=filters)
        answer, searched = self._ask(resolution, top_k, filters)
        index = self.answerer.index
        return ChatReply(
            answer=answer,
            resolved_question=searched,
            mode=resolution.mode,
            context_articles=[index.articles[a].id for a in resolution.prefer_articles],
        )

    def resolve(
        self,
        messages: Sequence[ChatMessage | Mapping[str, Any] | Any],
        *,
        filters: Filters | None = None,
    ) -> Resolution:
        """How the last user message is asked (earlier turns may be asked again to find
        the articles they were answered from)."""
        turns = _turns(messages)
        return self._resolve(turns, len(turns) - 1, self.config.max_context_turns, filters)

    def _ask(
        self, resolution: Resolution, top_k: int | None, filters: Filters | None
    ) -> tuple[Answer, str]:
        """The answer and the text searched: the first answer quoted from a preferred
        article, else the first answered one, else the last."""
        prefer = resolution.prefer_articles
        texts = [resolution.search_text]
        if resolution.expanded_text:
            texts = [*texts, resolution.expanded_text] if prefer else [resolution.expanded_text]
        tried: list[tuple[Answer, str]] = []
        for text in texts:
            answer = self.answerer.ask(
                resolution.question,
                top_k=top_k,
                filters=filters,
                prefer_articles=prefer,
                search_text=None if text == resolution.question else text,
                as_of=self.as_of,
            )
            if answer.answered and (not prefer or self._article(answer.quotes[0]) in prefer):
                return answer, text
            tried.append((answer, text))
        return next((t for t in tried if t[0].answered), tried[-1])

    def _article(self, quote: Quote) -> int:
        return self.answerer.index.article_index(quote.citation.article_id)

    def _resolve(
        self, turns: list[_Turn], i: int, depth: int, filters: Filters | None
    ) -> Resolution:
        question = turns[i].question
        analyzer = self.answerer.analyzer
        cues = read_cues(question, analyzer)
        if i == 0 or depth <= 0:
            return _standalone(question, cues, comment(question, analyzer))
        context = self._context(turns, i - 1, depth - 1, filters)
        return self._decide(question, cues, context)

    def _decide(self, question: str, cues: Cues, context: _Context) -> Resolution:
        cfg = self.config
        own_comment = comment(question, self.answerer.analyzer)
        unseen = [p for p in cues.phrases if not seen(p, context.text)]
        fragment = (cues.elliptical or cues.continuation) and not cues.anaphors
        if fragment and any(p.name for p in unseen):
            mode: Mode = "shift"
        elif cues.anaphors or fragment or (len(cues.phrases) <= cfg.short_terms and not unseen):
            mode = "follow_up"
        else:
            return _standalone(question, cues, own_comment)
        # An elliptical question keeps what the previous one asked about its topic
        # ("투어 전체로는?" + "관객이 얼마나 왔어?"), unless a pronoun makes it ask about
        # something else ("그 사람의 공약은?"); "그중 네이버 몫은?" keeps it.
        keeps = cues.elliptical and all(a.referent == "part" for a in cues.anaphors)
        inherited = context.comment if keeps else ""
        base = f"{question.rstrip(' ?？.!')} {inherited}" if inherited else question
        turn_comment = own_comment or inherited
        if mode == "shift":
            carried = [p for p in context.topic if not p.name]
            return Resolution(
                question,
                _join(base, carried, cfg.max_carried_terms),
                "shift",
                topic=(*cues.phrases, *carried),
                comment=turn_comment,
            )
        for referent in _NAMED:
            if referent in context.referents:
                base = substitute(base, cues.anaphors, referent, context.referents[referent])
        names = [p for p in context.topic if p.name] or list(context.topic)
        expanded = _join(base, names, cfg.max_carried_terms)
        return Resolution(
            question,
            base,
            "follow_up",
            expanded_text=expanded if expanded != base else None,
            prefer_articles=context.articles,
            topic=context.topic,
            comment=turn_comment,
            referents=tuple(context.referents.items()),
        )

    def _context(self, turns: list[_Turn], j: int, depth: int, filters: Filters | None) -> _Context:
        resolution = self._resolve(turns, j, depth, filters)
        quotes = self._quoted(turns[j].reply)
        searched = resolution.expanded_text or resolution.search_text
        if not quotes:
            answer, searched = self._ask(resolution, None, filters)
            quotes = [(q.text, self._article(q)) for q in answer.quotes]
        articles = tuple(dict.fromkeys(a for _, a in quotes)) or resolution.prefer_articles
        kind = answer_type(searched)
        entity = None
        if quotes and kind in ("person", "place", "title", "other"):
            entity = answer_entity(quotes[0][0], searched, kind, self.answerer.analyzer)
        referents = dict(resolution.referents)
        topic = resolution.topic
        if entity:
            if kind in ("person", "place"):
                referents[kind] = entity
            if not any(normalize(p.text) == normalize(entity) for p in topic):
                topic = (Phrase(entity, name=True), *topic)
        index = self.answerer.index
        parts = [searched] + [index.articles[a].titled_text for a in articles]
        return _Context(
            resolution, articles, topic, referents, resolution.comment,
            normalize("\n".join(parts)),
        )  # fmt: skip

    def _quoted(self, reply: str | None) -> list[tuple[str, int]]:
        """The quotes of an assistant message in our answer format, with the article row
        each is verbatim text of; quotes that match no article are skipped."""
        if not reply:
            return []
        index = self.answerer.index
        out = []
        for match in _MARKED_QUOTE.finditer(reply.strip()):
            quote = match.group(1).strip()
            scores = index.bm25.scores(quote)
            if not quote or not len(scores):
                continue
            for row in np.argsort(-scores)[:5]:
                article = index.passage_article(int(row))
                if quote in index.articles[article].text:
                    out.append((quote, article))
                    break
        return out


def _standalone(question: str, cues: Cues, own_comment: str) -> Resolution:
    return Resolution(question, question, "standalone", topic=cues.phrases, comment=own_comment)


def _join(question: str, carried: Sequence[Phrase], limit: int) -> str:
    """The question followed by the carried words it does not already contain."""
    have = normalize(question)
    extra: list[str] = []
    for phrase in carried:
        key = normalize(phrase.text)
        if key and key not in have and key not in (normalize(e) for e in extra):
            extra.append(phrase.text)
        if len(extra) >= limit:
            break
    return " ".join([question, *extra]) if extra else question


def _turns(messages: Sequence[ChatMessage | Mapping[str, Any] | Any]) -> list[_Turn]:
    """User turns, each with the assistant message that followed it. System messages are
    ignored; the last message must come from the user."""
    turns: list[_Turn] = []
    role = ""
    for message in messages:
        if isinstance(message, Mapping):
            role, content = message.get("role"), message.get("content")
        else:
            role, content = getattr(message, "role", None), getattr(message, "content", None)
        if role not in ("user", "assistant", "system") or not isinstance(content, str):
            raise InputError("each message needs a role (user, assistant or system) and content")
        if role == "user":
            if is_blank(content):
                raise InputError("a user message is empty")
            turns.append(_Turn(content.strip(), None))
        elif role == "assistant" and turns and turns[-1].reply is None:
            turns[-1] = _Turn(turns[-1].question, content)
    if not turns or role != "user":
        raise InputError("the last message must be a user message")
    return turns


__all__ = ["Chat", "ChatConfig", "ChatMessage", "ChatReply", "Mode", "Resolution"]
