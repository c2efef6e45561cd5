"""What a chat question says about the turn before it: anaphora, ellipsis, its own words,
and the name an earlier answer gave.

Pure functions over Kiwi tokens (Korean) or plain words (English); :mod:`qa.chat` decides
with them, and its docstring states the rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from index.lexical import MorphemeAnalyzer
from index.text import is_korean
from qa.answer_span import title_spans

Referent = Literal["person", "place", "thing", "part"]  # "part": 그중, among them


@dataclass(frozen=True)
class Phrase:
    """A word of a question as written ("삼성전자", "3분기", "Harbor"); ``name`` for proper
    names, which a follow-up about another topic replaces rather than keeps."""

    text: str
    name: bool = False


@dataclass(frozen=True)
class Anaphor:
    """A pronoun or demonstrative phrase and the span it covers in the question, its
    trailing particle included (so a substitute can take the right particle form)."""

    referent: Referent
    start: int
    end: int
    particle: str = ""


@dataclass(frozen=True)
class Cues:
    anaphors: tuple[Anaphor, ...]
    continuation: bool  # "그럼", "then", "what about"
    elliptical: bool  # no predicate: "정부는?", "투어 전체로는?"
    phrases: tuple[Phrase, ...]  # own content words (no interrogatives, pronouns)


_KO_INTERROGATIVE = {"누구", "얼마", "얼마나", "몇", "무엇", "뭐", "어디", "언제", "어느", "무슨"}
_KO_ASKING = re.compile(r"누구|누가|얼마|몇|무엇|뭐|어디|언제|어느|무슨|어떻게|어떤|왜")
_KO_GENERIC = {"이번", "지금", "현재", "최근", "오늘", "것", "곳", "중", "때", "수", "등", "경우"}
_KO_ANAPHOR_NOUNS = {"그날", "그때", "그해", "그중", "당시", "이날", "해당", "그동안"}
_KO_PARTITIVE = {"중", "그중", "이중", "가운데"}
_KO_PERSON_NP = {"그", "그녀", "그분", "이분"}
_KO_PLACE_NP = {"거기", "그곳", "이곳", "여기", "저기", "저곳"}
_KO_THING_NP = {"그것", "그거", "이것", "이거", "저것", "이"}
_KO_DEMONSTRATIVE = {"그", "이", "저", "해당"}
_KO_PERSON_NOUNS = {"사람", "분", "인물", "선수", "후보", "감독", "당선자", "당선인"}
_KO_PLACE_NOUNS = {"곳", "지역", "도시", "장소", "나라"}
_KO_CONTINUATION = {"그럼", "그러면", "그리고", "그런데", "또"}
# Nouns after a name that mark it as a person ("윤정호 후보가", "이재명 대통령을").
PERSON_TITLES = {
    "후보", "씨", "대통령", "감독", "선수", "회장", "대표", "의원", "장관", "총리", "시장",
    "사장", "위원장", "교수", "타자", "투수", "당선인", "당선자",
}  # fmt: skip
_NOUN_START = ("NNG", "NNP", "SN", "SL", "SH", "XR", "NR", "XPN")
_NOMINAL = (*_NOUN_START, "NNB", "XSN", "W_SERIAL")
_PREDICATE = ("VV", "VA", "VX", "VCP", "VCN", "XSV", "XSA", "EF")
# A particle and its form after a final consonant / after a vowel.
_PARTICLES = {
    "은": ("은", "는"), "는": ("은", "는"), "이": ("이", "가"), "가": ("이", "가"),
    "을": ("을", "를"), "를": ("을", "를"), "과": ("과", "와"), "와": ("과", "와"),
}  # fmt: skip

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*%?")
_EN_PERSON = {"he": "", "him": "", "she": "", "his": "'s", "her": "'s"}
_EN_THING = {"it", "its", "they", "them", "their", "those", "these", "that"}
_EN_BE = {"is", "are", "was", "were", "be", "will", "has", "have", "had", "'s", "a", "an", "any",
          "some", "no", "many", "much"}  # fmt: skip
# "that" points back after these (or first, or last): "How does that compare?"
_EN_THAT_AFTER = {"is", "was", "are", "were", "does", "did", "do", "will", "would", "can",
                  "could", "has", "have", "had", "about", "of", "with", "after", "before", "by",
                  "for", "from", "in", "on", "since", "than", "like", "what", "when", "where",
                  "why", "how", "who"}  # fmt: skip
_EN_CONTINUATION = re.compile(
    r"^\s*(?:and|so|then|also|what about|how about)\b|\bthen\s*\??$", re.I
)
_EN_STOP = {
    "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "many", "much",
    "the", "a", "an", "is", "are", "was", "were", "be", "been", "being", "do", "does", "did",
    "will", "would", "can", "could", "should", "shall", "may", "might", "must", "has", "have",
    "had", "of", "in", "on", "at", "by", "for", "to", "from", "with", "about", "into", "than",
    "and", "or", "but", "so", "then", "also", "it", "its", "they", "them", "their", "he",
    "him", "his", "she", "her", "there", "that", "this", "those", "these", "as", "if", "not",
    "get", "got", "come", "came", "go", "went", "make", "made", "happen", "happened", "kind",
    "year", "now", "else", "other", "any", "some", "time", "one",
}  # fmt: skip


def normalize(text: str) -> str:
    """Lower-cased, without spaces: how words are looked up in context text."""
    return re.sub(r"\s+", "", text.lower())


def stem(word: str) -> str:
    word = word.lower()
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def read_cues(question: str, analyzer: MorphemeAnalyzer) -> Cues:
    if is_korean(question):
        return _korean_cues(question, analyzer)
    return _english_cues(question)


def _eojeols(tokens: list) -> list[list]:
    """Tokens grouped by the space-separated words (eojeol) they come from."""
    groups: list[list] = []
    last_end = -1
    for tok in tokens:
        if groups and tok.start <= last_end:
            groups[-1].append(tok)
        else:
            groups.append([tok])
        last_end = max(last_end, tok.start + tok.len)
    return groups


def _nominal_run(word: list) -> list:
    """The noun part of one eojeol ("영업이익" of "영업이익은")."""
    first = next((i for i, t in enumerate(word) if t.tag in _NOUN_START), None)
    if first is None:
        return []
    end = first
    while end < len(word) and word[end].tag in _NOMINAL:
        end += 1
    return word[first:end]


def korean_phrases(text: str, analyzer: MorphemeAnalyzer) -> list[Phrase]:
    out: list[Phrase] = []
    for word in _eojeols(analyzer.tokens(text)):
        run = _nominal_run(word)
        if not run:
            continue
        surface = text[run[0].start : run[-1].start + run[-1].len]
        if surface in _KO_INTERROGATIVE | _KO_GENERIC | _KO_ANAPHOR_NOUNS or all(
            t.tag == "NNB" for t in run
        ):
            continue
        name = any(t.tag == "NNP" or (t.tag == "SL" and t.form[:1].isupper()) for t in run)
        out.append(Phrase(surface, name))
    return out


def _korean_cues(question: str, analyzer: MorphemeAnalyzer) -> Cues:
    tokens = analyzer.tokens(question)
    anaphors: list[Anaphor] = []
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        referent: Referent | None = None
        last = tok
        if tok.tag == "NP" and tok.form in _KO_PERSON_NP | _KO_PLACE_NP | _KO_THING_NP:
            referent = (
                "person" if tok.form in _KO_PERSON_NP
                else "place" if tok.form in _KO_PLACE_NP else "thing"
            )  # fmt: skip
        elif tok.tag == "MM" and tok.form in _KO_DEMONSTRATIVE and nxt is not None:
            last = nxt
            referent = (
                "person" if nxt.form in _KO_PERSON_NOUNS
                else "place" if nxt.form in _KO_PLACE_NOUNS
                else "part" if nxt.form in _KO_PARTITIVE else "thing"
            )  # fmt: skip
        elif tok.tag.startswith("NN") and tok.form in _KO_ANAPHOR_NOUNS:
            referent = "part" if tok.form in _KO_PARTITIVE else "thing"
        if referent is None:
            continue
        end = last.start + last.len
        j = tokens.index(last) + 1
        particle = ""
        if j < len(tokens) and tokens[j].form in _PARTICLES and tokens[j].start == end:
            particle = tokens[j].form
            end += tokens[j].len
        anaphors.append(Anaphor(referent, tok.start, end, particle))
    body = [t for t in tokens if not t.tag.startswith("S") or t.tag in ("SN", "SL", "SH")]
    elliptical = (
        bool(body)
        and body[-1].tag.startswith("J")
        and not any(t.tag.startswith(_PREDICATE) for t in body)
    )
    continuation = any(t.tag == "MAJ" and t.form in _KO_CONTINUATION for t in tokens[:2])
    phrases = tuple(
        p for p in korean_phrases(question, analyzer) if not _inside(question, p, anaphors)
    )
    return Cues(tuple(anaphors), continuation, elliptical, phrases)


def _inside(question: str, phrase: Phrase, anaphors: list[Anaphor]) -> bool:
    """Whether the phrase is the noun of an anaphor ("사람" of "그 사람")."""
    at = question.find(phrase.text)
    return any(a.start <= at < a.end for a in anaphors)


def _english_cues(question: str) -> Cues:
    words = list(_WORD.finditer(question))
    anaphors: list[Anaphor] = []
    for i, m in enumerate(words):
        w = m.group().lower()
        before = words[i - 1].group().lower() if i else None
        after = words[i + 1].group().lower() if i + 1 < len(words) else None
        if w in _EN_PERSON:
            anaphors.append(Anaphor("person", m.start(), m.end(), _EN_PERSON[w]))
        elif w == "there" and (after is None or after not in _EN_BE):
            anaphors.append(Anaphor("place", m.start(), m.end()))
        elif w in _EN_THING and (w != "that" or before is None or before in _EN_THAT_AFTER):
            anaphors.append(Anaphor("thing", m.start(), m.end()))
    phrases = tuple(
        Phrase(m.group(), name=m.group()[0].isupper() and i > 0)
        for i, m in enumerate(words)
        if m.group().lower() not in _EN_STOP and len(m.group()) > 1
    )
    elliptical = bool(re.match(r"^\s*(?:what|how) about\b", question, re.I))
    return Cues(tuple(anaphors), bool(_EN_CONTINUATION.search(question)), elliptical, phrases)


def comment(question: str, analyzer: MorphemeAnalyzer) -> str:
    """What a question says about its topic, which an elliptical follow-up keeps: the
    words after its topic ("루미나 월드투어 마지막 공연에는 | 관객이 얼마나 왔어?"), or
    from its interrogative on when it has no topic ("엔비디아가 한국에 GPU를 |
    얼마나 공급하기로 했어?"). English questions are kept whole."""
    if not is_korean(question):
        return question.strip()
    tokens = analyzer.tokens(question)
    body = [t for t in tokens if not t.tag.startswith("S") or t.tag in ("SN", "SL", "SH")]
    for tok in reversed(body[:-1]):
        if tok.tag == "JX" and tok.form in ("은", "는"):
            return question[tok.start + tok.len :].strip()
    asked = _KO_ASKING.search(question)
    return question[asked.start() :].strip() if asked else ""


def seen(phrase: Phrase, context: str) -> bool:
    """Whether a word of the question occurs in the (normalized) context text."""
    if normalize(phrase.text) in context:
        return True
    return not is_korean(phrase.text) and stem(phrase.text) in context


def answer_entity(quote: str, question: str, kind: str, analyzer: MorphemeAnalyzer) -> str | None:
    """The name an answer gave: the proper name in its quote that the question did not
    already contain. For a "who" question, the name next to a title or subject particle."""
    asked = normalize(question)
    korean = is_korean(quote)
    if kind == "title":
        # "그 앨범은 언제 나왔어?" after "첫 정규 앨범은?": the title quoted is the topic.
        titles = title_spans(question, quote)
        return quote[titles[0][0] : titles[0][1]] if titles else None
    if kind == "person" and korean:
        # The last subject of the first sentence that has one: a quote of two sentences
        # ("윤정호 후보가 당선됐다. 김미경 후보는 …") names the answer first.
        for sentence in _SENTENCE_END.split(quote):
            marked = [
                n
                for n, person in _korean_names(sentence, analyzer)
                if person and normalize(n) not in asked
            ]
            if marked:
                return marked[-1]
        return None
    candidates = _korean_names(quote, analyzer) if korean else _english_names(quote)
    candidates = [(n, p) for n, p in candidates if normalize(n) not in asked]
    if not candidates:
        return None
    if kind == "person":
        return next((n for n, person in candidates if person), None)
    return candidates[0][0]


_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+")


def _korean_names(text: str, analyzer: MorphemeAnalyzer) -> list[tuple[str, bool]]:
    """Runs of adjacent name words ("충북 청주시 오창읍"), each with whether a title or a
    subject particle follows it ("윤정호 후보가", "최민혁이")."""
    words = _eojeols(analyzer.tokens(text))
    spans: list[tuple[int, int, bool]] = []
    extendable = False
    for k, word in enumerate(words):
        run = _nominal_run(word)
        tags = {t.tag for t in run}
        if not run or "NNP" not in tags or not tags <= {"NNP", "SL", "SN", "NNB"}:
            extendable = False
            continue
        start, end = run[0].start, run[-1].start + run[-1].len
        rest = word[word.index(run[-1]) + 1 :]
        after = rest[0] if rest else None
        nxt = words[k + 1][0] if k + 1 < len(words) else None
        person = (after is not None and after.tag in ("JKS", "JX")) or (
            after is None and nxt is not None and nxt.form in PERSON_TITLES
        )
        if extendable and spans:
            start = spans.pop()[0]
        spans.append((start, end, person))
        extendable = after is None
    return [(text[s:e], person) for s, e, person in spans]


_NOT_NAMES = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January",
    "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "The", "A", "An", "It", "He", "She", "They", "This", "That",
}  # fmt: skip


def _english_names(text: str) -> list[tuple[str, bool]]:
    """Runs of capitalized words; one capitalized word opening the sentence is not a name."""
    runs: list[list[re.Match[str]]] = []
    for m in re.finditer(r"[A-Za-z][A-Za-z'’.-]*", text):
        word = m.group()
        if word[0].isupper() and word not in _NOT_NAMES:
            if runs and text[runs[-1][-1].end() : m.start()] == " ":
                runs[-1].append(m)
            else:
                runs.append([m])
    out = []
    for run in runs:
        if len(run) == 1 and run[0].start() == 0:
            continue
        name = text[run[0].start() : run[-1].end()].rstrip(".")
        out.append((name, len(run) > 1))
    return out


def substitute(question: str, anaphors: tuple[Anaphor, ...], referent: Referent, name: str) -> str:
    """The question with each anaphor of the given referent replaced by ``name``
    ("그 사람의 공약은?" -> "윤정호의 공약은?", "his time" -> "Daniel Kiprono's time")."""
    out = question
    for a in sorted(anaphors, key=lambda a: -a.start):
        if a.referent != referent:
            continue
        if is_korean(question):
            text = name + _particle(name, a.particle)
        elif referent == "place":
            text = "in " + name
        else:
            text = name + a.particle
        out = out[: a.start] + text + out[a.end :]
    return out


def _particle(name: str, particle: str) -> str:
    if particle not in _PARTICLES:
        return particle
    last = name[-1]
    code = ord(last) - 0xAC00
    if not 0 <= code < 11172:
        return particle
    after_consonant, after_vowel = _PARTICLES[particle]
    return after_consonant if code % 28 else after_vowel
