"""What a question asks for: its content morphemes and the expected answer type."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from index.lexical import MorphemeAnalyzer

AnswerType = Literal["number", "date", "person", "place", "other"]

# Order matters: "몇 년" asks for a date, "몇 명" for a number.
_KO_RULES: list[tuple[re.Pattern[str], AnswerType]] = [
    (re.compile(r"언제|몇\s*(?:년|월|일|세기|년도)|연도|날짜|시기|기간은"), "date"),
    (re.compile(r"몇|얼마|액수|규모는|수는|비율"), "number"),
    (re.compile(r"누구|누가|인물|사람은|선수는|감독은|대통령은|의장은|회장은"), "person"),
    (re.compile(r"어디|장소|지역은|나라는|도시는|국가는"), "place"),
]
_EN_RULES: list[tuple[re.Pattern[str], AnswerType]] = [
    (re.compile(r"\bwhen\b|\bwhat (?:year|date|day|month)\b", re.I), "date"),
    (
        re.compile(r"\bhow (?:many|much|long|far|big|old)\b|\bwhat (?:percentage|share)\b", re.I),
        "number",
    ),
    (re.compile(r"\bwho(?:m|se)?\b", re.I), "person"),
    (re.compile(r"\bwhere\b", re.I), "place"),
]


def answer_type(question: str) -> AnswerType:
    for pattern, kind in _KO_RULES + _EN_RULES:
        if pattern.search(question):
            return kind
    return "other"


@dataclass(frozen=True)
class ParsedQuestion:
    text: str
    kind: AnswerType
    terms: tuple[str, ...]  # content morphemes (forms)
    # Names and numbered things ("LG전자", "Boston", "2분기"): an answer must be about them.
    keys: tuple[str, ...] = ()


def parse_question(question: str, analyzer: MorphemeAnalyzer) -> ParsedQuestion:
    # Interrogatives are not content: "누구", "얼마", "몇", "what"...
    stop = {
        "누구",
        "얼마",
        "몇",
        "무엇",
        "어디",
        "언제",
        "어느",
        "무슨",
        "what",
        "which",
        "who",
        "when",
        "where",
        "how",
        "many",
        "much",
        "the",
        "is",
        "was",
        "did",
        "does",
        "do",
        "are",
        "were",
        "of",
        "in",
        "a",
        "an",
        "to",
        "for",
        "and",
        "on",
        "at",
        "by",
        "it",
        "they",
        "that",
        "this",
        "with",
        "from",
        "be",
        "will",
        "has",
        "have",
    }
    tokens = analyzer.tokens(question)
    terms = tuple(form for form, _ in analyzer.content(tokens) if form not in stop and form.strip())
    keys: list[str] = []
    for i, tok in enumerate(tokens):
        if tok.tag == "NNP" and len(tok.form) > 1:
            keys.append(tok.form)
        elif tok.tag == "SL" and len(tok.form) > 1 and tok.form.lower() not in stop:
            # Capitalized Latin words are names; lower-case ones are ordinary English words.
            if tok.form[0].isupper() or not question.isascii():
                keys.append(tok.form)
        elif tok.tag == "SN":
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            after = tokens[i + 2].form if i + 2 < len(tokens) else ""
            if after in ("전", "후", "만", "뒤"):
                continue  # "1년 전", "3일 만에": a relative time, not a thing named
            if nxt is not None and nxt.tag in ("NNB", "NNG") and nxt.start == tok.start + tok.len:
                keys.append(tok.form + nxt.form)
            elif len(tok.form) >= 3:
                keys.append(tok.form)
    return ParsedQuestion(question, answer_type(question), terms, tuple(dict.fromkeys(keys)))


def missing_keys(question: ParsedQuestion, evidence: str) -> list[str]:
    """Key terms of the question that the evidence text does not mention."""
    haystack = evidence.lower().replace(" ", "")
    return [k for k in question.keys if k.lower().replace(" ", "") not in haystack]
