"""Where in a quote the answer is: the number in the unit asked for, the date, the name,
the title of a work.

The span is found with the same answer-type cues that rank sentences (qa/selection.py,
qa/question.py); what the question itself already says is not the answer, so a number,
date or name that occurs in the question is passed over. Of several candidates, the one
nearest the question's words wins (a range's second date for a death or an end). No span
(None) is better than a wrong one: an "other" question, a number in the wrong unit, or a
name with nothing to say it is a person, gets none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from qa.keys import places
from qa.question import COUNTER_END, ParsedQuestion
from qa.transliteration import names_mentioned
from qa.types import AnswerSpan

_MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
# The longest date written: "2006년 9월 23일", "1990년 10월 3일", "18세기", "1980년대",
# "October 3, 2025", "3 October", "오후 3시", a bare year "1871".
_DATE = re.compile(
    r"(?:기원전\s*|기원후\s*)?\d{1,4}\s*년(?:대)?(?:\s*\d{1,2}\s*월)?(?:\s*\d{1,2}\s*일)?"
    r"|\d{1,2}\s*월(?:\s*\d{1,2}\s*일)?|\d{1,2}\s*일(?=[^가-힣]|$|[에까부은는의])"
    r"|\d{1,2}\s*세기"
    rf"|{_MONTHS}\s+\d{{1,2}}(?:,\s*\d{{4}})?|\d{{1,2}}\s+{_MONTHS}(?:\s+\d{{4}})?"
    rf"|{_MONTHS}\s+\d{{4}}"
    r"|(?:오전|오후|새벽|저녁|밤)\s*\d{1,2}\s*시(?:\s*\d{1,2}\s*분)?(?:경|께|쯤)?"
    r"|\b(?:1[0-9]|20)\d{2}\b"
)
# A quantity with its unit: "12조 1,000억 원", "40만 2,000톤", "26만 장", "31.8%",
# "1.75%포인트", "$8.4 billion", "960만 파운드", "2.14 million", "약 2주".
_UNIT = (
    r"%\s*포인트|%p|%|퍼센트|원|달러|파운드|유로|엔|위안|명|개월|개|장|편|기|곳|건|번|배|위|세|살|"
    r"톤|대|채|가구|척|마리|그루|경기|승|패|골|점|층|주일?|시간|분|초|℃|도|"
    r"(?:km|mm|cm|kg|m|TEU|MW|GW|GWh|MWh)(?![A-Za-z])"
)
_QUANTITY = re.compile(
    r"(?P<sign>[$€£₩])?\d[\d,]*(?:\.\d+)?"
    r"(?P<scale>\s*(?:조|억|만|천)(?:\s*\d[\d,]*(?:\.\d+)?\s*(?:조|억|만|천)?)*)?"
    r"(?P<word>\s*(?:trillion|billion|million|thousand)\b)?"
    rf"(?P<unit>\s*(?:{_UNIT})(?:{COUNTER_END}))?"
    r"(?P<percent>\s*(?:percent|per cent)\b)?"
)
_WORD_END = re.compile(COUNTER_END)
# A clause or a list item ends: "…3관왕과 12월 2일 멜론 뮤직 어워즈에서 …5관왕을".
_CLAUSE = re.compile(r"[,;:]|(?:고|며|지만|는데|과|와)\s")
# A name that closes a title (《악타 아르켈라이(Acta Archelai)》) names a work, not a person.
_TITLE_CLOSE = re.compile(r"\)?\s*[》〉」』’”]")
# ... or starts inside one (the 리버 of 주디스리버), or a Latin one runs on (XM of XM1).
_GLUED_BEFORE = re.compile(r"[가-힣A-Za-z0-9]$")
_GLUED_AFTER = re.compile(r"[A-Za-z0-9]")
_MARKS = ("sign", "scale", "word", "unit", "percent")
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_YEAR = re.compile(r"(?:1[0-9]|20)\d{2}")
_FOOTNOTE = re.compile(r"\[\d+\]")
# A question for a total wants the number written as one ("…12기 등 모두 13기").
_TOTAL_ASKED = re.compile(r"총|모두|전체|합계|합쳐|\bin total\b|\baltogether\b|\ball\b", re.I)
_TOTAL_BEFORE = re.compile(r"(?:총|모두|전체|합계|등|all|total(?: of)?)\s*$", re.I)
# "언제까지" wants the date written with 까지; "언제부터" the one with 부터.
_UNTIL_ASKED = re.compile(r"까지|\buntil\b|\btill\b|\bthrough\b", re.I)
_UNTIL_AFTER = re.compile(r"^\s*까지")
_UNTIL_BEFORE = re.compile(r"(?:until|till|through)\s*$", re.I)
_SINCE_ASKED = re.compile(r"부터|\bsince\b|\bfrom when\b", re.I)
_SINCE_AFTER = re.compile(r"^\s*부터")
_SINCE_BEFORE = re.compile(r"(?:since|from)\s*$", re.I)
_END_ASKED = re.compile(
    r"사망|죽|숨[지진을]|별세|서거|멸망|폐망|패망|망한|사라[지진졌]|무너|끝[나난났]|해체|폐지|퇴위|"
    r"\b(?:die|died|death|end|ended|fall|fell|collapse|collapsed)\b",
    re.I,
)
_START_ASKED = re.compile(
    r"태어|출생|탄생|건국|설립|창립|창건|세워|즉위|\b(?:born|birth|founded|established)\b", re.I
)
_RANGE = re.compile(r"[~〜–—]|\s-\s|^-$")
# A title after a name, written apart from it ("윤정호 후보"): glued on, it makes an office
# of a place ("강릉시장", the mayor of Gangneung). Only 씨 is often written on.
_PERSON_AFTER = re.compile(
    r"\s+(?:대통령|총리|장관|의원|회장|대표|사장|부회장|CEO|감독|선수|관장|시장|위원장|교수|박사|"
    r"씨|작가|가수|배우|당선인|후보|총재|원장|청장|코치|기자)|씨"
)
_PLACE_END = re.compile(
    r"(?:시|도|군|구|동|읍|면|역|항|공항|돔|경기장|센터|대학교?|섬|산|강|호|국|City|Port|Airport|"
    r"Stadium|University)$"
)
# "멕시코의 수도는 어디인가요?" -> "수도는 멕시코시티이며": the word after the thing asked
# for and a topic particle or copula is the answer, a name or not.
_ASKED_HEAD = re.compile(r"(?<![가-힣])([가-힣]{2,})(?:은|는|이|가)\s*(?:어디|누구)")
_VAGUE_HEADS = frozenset(("사람", "이름", "장소", "지역", "나라", "국가", "도시", "인물"))
_WORD = r"[가-힣A-Za-z][가-힣A-Za-z·-]*"
_WORD_TAIL = re.compile(
    r"(?:이었다|였다|입니다|이다|이며|이고|에서|으로|이|가|은|는|을|를|에|의|로|와|과)$"
)
# A gloss in parentheses after a Hangul name: "존 맥도날드(John A. Macdonald)".
_PARENS = re.compile(r"\([^()]*\)")
_LATIN_GLOSS = re.compile(r"[A-Z][\w'.-]*(?:\s+[\w'.-]+)+")
_QUOTE_MARKS = {"‘": "’", "“": "”", "«": "»", "《": "》", "〈": "〉", "「": "」", "『": "』"}
# A title between title or quotation marks ("《화양연화 pt.1》", "I NEED U", '봄날',
# <화양연화 Young Forever>): what a question for an album, a song or a programme wants.
# A straight single quote opens only after a space or a bracket, so that "Let's" and
# "Arsenal's" open none.
_TITLE = re.compile(
    r"《([^《》\n]{1,80})》|〈([^〈〉\n]{1,80})〉|「([^「」\n]{1,80})」|『([^『』\n]{1,80})』|"
    r"“([^“”\n]{1,80})”|‘([^‘’\n]{1,80})’|<([^<>\n]{1,80})>|"
    r"(?:^|(?<=[\s(\[]))\"([^\"\n]{1,80})\"|(?:^|(?<=[\s(\[]))'([^'\n]{1,80})'(?![A-Za-z])"
)
# Capitalised at the start of a sentence, not a name.
_NOT_NAMES = frozenset(
    (  # noqa: SIM905 (one string reads better than 56 quoted words)
        "A An The In On At By For From To Of As It Its He She His Her They Their This That "
        "These Those There Then But And Or So If When While After Before With Without About "
        "Over Under Since During Also However More Most Some Many Each Every All Both Mr Mrs "
        "Ms Dr"
    ).split()
)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def _new(
    matches: Iterable[re.Match[str]], question: ParsedQuestion, quote: str
) -> list[tuple[int, int]]:
    """The matches, trimmed, that are not footnote markers and that the question does
    not already contain, in the quote's sentence that shares most of the question's
    words (a quote of two sentences: "관람객이 45% …. 외국인 관람객도 38% 증가했다")."""
    asked = _squash(question.text)
    footnotes = [m.span() for m in _FOOTNOTE.finditer(quote)]
    out = []
    for m in matches:
        text = m.group(0).strip()
        if not text or any(a <= m.start() < b for a, b in footnotes):
            continue
        if _squash(text) in asked:
            continue
        end = m.start() + len(m.group(0).rstrip())
        out.append((end - len(text), end))
    return _best_sentence(out, question, quote)


def _best_sentence(
    spans: list[tuple[int, int]], question: ParsedQuestion, quote: str
) -> list[tuple[int, int]]:
    bounds = [0, *(m.end() for m in _SENTENCE_END.finditer(quote)), len(quote) + 1]
    if len(bounds) <= 2 or not spans:
        return spans

    def sentence(span: tuple[int, int]) -> int:
        return next(i for i in range(len(bounds) - 1) if span[0] < bounds[i + 1])

    def shared(i: int) -> int:
        # Longer terms weigh more, as in sentence selection: 외국인 says more than 늘.
        # An English question's names count where the sentence writes them in Hangul
        # ("How many GPUs will Naver get?": the sentence with 네이버).
        text = quote[bounds[i] : bounds[i + 1]]
        lowered = text.lower()
        score = sum(len(t) for t in question.terms if t.lower() in lowered)
        if question.latin_names and _HANGUL.search(text):
            score += sum(len(n) for n in question.latin_names if names_mentioned([n], text))
        return score

    scores = {i: shared(i) for i in {sentence(s) for s in spans}}
    best = max(scores.values())
    return [s for s in spans if scores[sentence(s)] == best]


def _nearest(
    spans: Sequence[tuple[int, int]], question: ParsedQuestion, quote: str
) -> tuple[int, int] | None:
    """The span that stands nearest the question's words in the quote: in "따라서 브리티시
    컬럼비아가 1871년 연방에 가입하는 계기가 되었다", the year of joining is the one beside
    컬럼비아 and 가입, not the 1881년 the sentence opens with. Each word found counts by
    its length and falls off with its distance in characters; ties go to the first."""
    if len(spans) < 2:
        return spans[0] if spans else None
    lowered = quote.lower()
    places: list[tuple[int, int, int]] = []  # start, end, weight
    for term in {t.lower() for t in question.terms if len(t) > 1}:
        start = lowered.find(term)
        while start >= 0:
            places.append((start, start + len(term), len(term)))
            start = lowered.find(term, start + 1)
    if not places:
        return spans[0]

    def score(span: tuple[int, int]) -> float:
        total = 0.0
        for start, end, weight in places:
            if start < span[1] and span[0] < end:
                continue  # the word is inside the span: the answer, not beside it
            gap = span[0] - end if end <= span[0] else start - span[1]
            between = quote[end : span[0]] if end <= span[0] else quote[span[1] : start]
            # a word across a clause boundary says less ("…가장 많이 올랐고 마포구가 뒤를
            # 이었다": 가장 belongs to the clause before 마포구)
            near = 0.5 if _CLAUSE.search(between) else 1.0
            total += weight * near / (1.0 + max(gap, 0) / 20.0)
        return total

    return max(spans, key=lambda s: (score(s), -s[0]))


def _prefer(
    spans: Sequence[tuple[int, int]],
    quote: str,
    before: re.Pattern[str] | None = None,
    after: re.Pattern[str] | None = None,
) -> tuple[int, int] | None:
    """The first span with the wanted word just before or after it, else None."""
    for start, end in spans:
        if before is not None and before.search(quote[max(0, start - 12) : start]):
            return start, end
        if after is not None and after.search(quote[end : end + 6]):
            return start, end
    return None


def _date_span(parsed: ParsedQuestion, quote: str) -> tuple[int, int] | None:
    question = parsed.text
    spans = _new(_DATE.finditer(quote), parsed, quote)
    if not spans:
        return None
    if _UNTIL_ASKED.search(question):
        return _prefer(spans, quote, _UNTIL_BEFORE, _UNTIL_AFTER) or spans[0]
    if _SINCE_ASKED.search(question):
        return _prefer(spans, quote, _SINCE_BEFORE, _SINCE_AFTER) or spans[0]
    # "1813년 5월 22일 라이프치히~1883년 2월 13일": a death or an end is the range's second
    # date, a birth or a founding its first.
    asks_end = bool(_END_ASKED.search(question))
    if asks_end or _START_ASKED.search(question):
        for first, second in zip(spans, spans[1:], strict=False):
            between = quote[first[1] : second[0]]
            if len(between) <= 25 and _RANGE.search(between) and "." not in between:
                return second if asks_end else first
    # A date in parentheses beside a name is a lifetime or a reign ("존 벨 해처(1861-1904)에
    # 의해 1888년 … 발견되었다"): the event's date stands outside them, where there is one.
    parens = _parens(quote)
    outside = [s for s in spans if not any(a < s[0] < b for a, b in parens)]
    return _nearest(outside or spans, parsed, quote)


def _pick_number(
    spans: list[tuple[int, int]], question: ParsedQuestion, quote: str
) -> tuple[int, int] | None:
    if not spans:
        return None
    if _TOTAL_ASKED.search(question.text):
        return _prefer(spans, quote, _TOTAL_BEFORE) or spans[-1]
    return _nearest(spans, question, quote)


def _widen(span: tuple[int, int], quote: str) -> tuple[int, int]:
    """The whole quantity a counter match ends ("12조 1,000억 원", not "1,000억 원")."""
    for m in _QUANTITY.finditer(quote):
        if m.start() <= span[0] < m.end() and m.end() >= span[1]:
            return m.start(), len(quote[: m.end()].rstrip())
    return span


def _number_span(question: ParsedQuestion, quote: str) -> tuple[int, int] | None:
    text = question.text
    if question.counter is not None:
        found = _new(question.counter.finditer(quote), question, quote)
        span = _pick_number(found, question, quote)
        return _widen(span, quote) if span else None
    matches = list(_QUANTITY.finditer(quote))
    marked = [m for m in matches if any(m.group(g) for g in _MARKS)]
    span = _pick_number(_new(marked, question, quote), question, quote)
    if span is None and text.isascii() and not _HANGUL.search(quote):
        # English units are often words ("80 turbines"): a bare number, not a year.
        bare = [m for m in matches if not _YEAR.fullmatch(m.group(0).strip())]
        span = _pick_number(_new(bare, question, quote), question, quote)
    return span


def _after_head(question: ParsedQuestion, quote: str) -> tuple[int, int] | None:
    """The word the quote gives after the noun the question asks about ("수도는 소피아다":
    소피아), or None."""
    asked = _squash(question.text)
    for head in _ASKED_HEAD.finditer(question.text):
        if head.group(1) in _VAGUE_HEADS:
            continue
        pattern = rf"(?<![가-힣]){re.escape(head.group(1))}(?:은|는|인|이)\s+({_WORD})"
        for m in re.finditer(pattern, quote):
            word = m.group(1)
            if quote.startswith(".", m.end(1)) and word.endswith("다"):
                word = word[:-1]  # "소피아다."
            word = _WORD_TAIL.sub("", word) if len(word) > 2 else word
            if len(word) >= 2 and _squash(word) not in asked:
                return m.start(1), m.start(1) + len(word)
    return None


def _parens(quote: str) -> list[tuple[int, int]]:
    return [m.span() for m in _PARENS.finditer(quote)]


def _inside(quote: str, pos: int, parens: list[tuple[int, int]]) -> bool:
    """Whether ``pos`` lies inside parentheses or quotation marks: a gloss, or a title
    ("‘2015 BTS LIVE TRILOGY’"), not the person or place asked for."""
    if any(a < pos < b for a, b in parens):
        return True
    before = quote[:pos]
    if before.count('"') % 2:
        return True
    return any(before.rfind(o) > before.rfind(c) for o, c in _QUOTE_MARKS.items())


def _glossed_names(quote: str) -> list[tuple[int, int]]:
    """The Hangul names that a Latin gloss follows, as many words as the gloss has ("존
    맥도날드(John A. Macdonald)", "벤저(Seymour Benzer)"): the names of people and works
    that Korean text writes in both scripts."""
    out = []
    for m in _PARENS.finditer(quote):
        gloss = m.group(0)[1:-1].split(",")[0].strip()
        if not _LATIN_GLOSS.fullmatch(gloss) or _HANGUL.search(gloss):
            continue
        words = [w for w in gloss.split() if not re.fullmatch(r"[A-Z]\.", w)]
        start = m.start()
        for _ in words:
            word = re.search(r"(?:^|\s)([가-힣]+)\s*$", quote[:start])
            if not word:
                break
            start = word.start(1)
        if start < m.start():
            out.append((start, m.start()))
    return out


def title_spans(question: str, quote: str) -> list[tuple[int, int]]:
    """The titles the quote writes between marks (their text, without the marks) that
    the question does not already name."""
    spans = [
        (m.start(g), m.end(g))
        for m in _TITLE.finditer(quote)
        for g in range(1, m.re.groups + 1)
        if m.group(g) is not None and m.group(g).strip()
    ]
    # Word for word, spaces kept: "Bigbang" is the answer to "the name of Big Bang's
    # first single", not a title the question names.
    asked = _spaced(question)
    return [s for s in spans if _spaced(quote[s[0] : s[1]]) not in asked]


def _spaced(text: str) -> str:
    return " ".join(text.lower().split())


def _title_span(question: ParsedQuestion, quote: str) -> tuple[int, int] | None:
    spans = _best_sentence(title_spans(question.text, quote), question, quote)
    return _nearest(spans, question, quote)


def _name_span(
    names: Iterable[str], question: ParsedQuestion, quote: str, strict: bool = True
) -> tuple[int, int] | None:
    head = _after_head(question, quote)
    if head is not None:
        return head
    asked = _squash(question.text)
    wanted = {
        n
        for n in names
        if len(n) > 1
        and n not in _NOT_NAMES
        and _squash(n) not in asked
        and n not in question.terms
        # nor the question's own names in the other script (Ceratops: 케라톱스)
        and not (question.names and names_mentioned(question.names, n))
    }
    found: list[tuple[int, int]] = []
    for name in wanted:
        found.extend(m.span() for m in re.finditer(re.escape(name), quote))
    parens = _parens(quote)
    glossed = [
        g
        for g in _glossed_names(quote)
        if _squash(quote[g[0] : g[1]]) not in asked and not _inside(quote, g[0], parens)
    ]
    found = [f for f in found if not _inside(quote, f[0], parens)]
    found.extend(glossed)
    if not found:
        return None
    # "Daniel" + " " + "Kiprono": a name written as several words is one answer.
    longest: dict[int, int] = {}
    for start, end in found:
        longest[start] = max(end, longest.get(start, end))
    runs: list[tuple[int, int]] = []
    for start in sorted(longest):
        end = longest[start]
        if runs and runs[-1][1] + 1 == start and quote[runs[-1][1]] == " ":
            runs[-1] = (runs[-1][0], end)
        elif not runs or start >= runs[-1][1]:
            runs.append((start, end))
    # A person only with a title after the name ("이재명 대통령") or written in several
    # Latin words ("Daniel Kiprono"): over the public slice, any other name in the quote
    # was the person asked for 20 times in 58 (`python -m bench.focus`). A place with a
    # place ending first ("성동구", "고척스카이돔"), else the name nearest the question's
    # words.
    if question.kind == "person":
        typed = [
            r
            for r in runs
            if _PERSON_AFTER.match(quote[r[1] : r[1] + 8])
            or (" " in quote[r[0] : r[1]] and not _HANGUL.search(quote[r[0] : r[1]]))
            or r in glossed
        ]
    else:
        typed = [r for r in runs if _PLACE_END.search(quote[r[0] : r[1]])]
    # A name that runs on into a longer Hangul word is part of another name: the 한국 of
    # 한국부동산원 is not the place asked for.
    runs = [
        r
        for r in runs
        if r in glossed
        or (
            _WORD_END.match(quote, r[1])
            and not _TITLE_CLOSE.match(quote, r[1])
            and not _GLUED_BEFORE.search(quote, 0, r[0])
            and not _GLUED_AFTER.match(quote, r[1])
        )
    ]
    if not runs:
        return None
    runs = _best_sentence(runs, question, quote)
    typed = [r for r in typed if r in runs]
    shown = typed if question.kind == "person" and strict else (typed or runs)
    return _nearest(shown, question, quote)


def find_answer_span(
    question: ParsedQuestion, quote: str, names: Iterable[str] = (), *, strict: bool = True
) -> AnswerSpan | None:
    """The span of the answer in ``quote`` for the question's answer type, or None.
    ``names`` are the proper nouns of the quoted sentences (stored at build time).
    ``strict=False`` asks only whether an answer may be there, as the focus check does: a
    person asked for may be any name the question lacks, not only one with a title."""
    span: tuple[int, int] | None = None
    if question.kind == "date":
        span = _date_span(question, quote)
    elif question.kind == "number":
        span = _number_span(question, quote)
    elif question.kind in ("person", "place"):
        span = _name_span(names, question, quote, strict)
    elif question.kind == "title":
        span = _title_span(question, quote)
    if span is None or span[0] >= span[1]:
        return None
    return AnswerSpan(*span)


# Whose number a quote gives: "DataHarbor's 3,200 employees", "LG전자의 직원 3만 명" (the
# owner, a possessive, then at most three words before the number).
_OWNER_EN = re.compile(
    r"\b([A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)*)['’]s\s+(?:[a-z-]+\s+){0,3}(?:of\s+)?$"
)
_OWNER_KO = re.compile(r"([가-힣A-Za-z0-9]{2,})의\s+(?:[가-힣]+\s+){0,2}$")
_NOT_OWNERS = frozenset(("It", "That", "This", "There", "Here", "What", "Who", "Its"))


def number_owner(
    question: ParsedQuestion, quote: str, span: AnswerSpan | None, names: Iterable[str] = ()
) -> str | None:
    """The name whose number the quote gives at ``span`` (:func:`find_answer_span`) when it
    is not one the question asks about, else None. "How many employees does Northwind
    have?" over "She added that DataHarbor's 3,200 employees would join Northwind's cloud
    division": DataHarbor. A merger, a rivalry or a comparison puts two companies' figures
    in one article, and the quote then answers the question about the other one.

    Only a possessive right before the number counts (DataHarbor's, LG전자의), of a
    question that names what it asks about; a country is context, not an owner (대한민국의
    7인조 보이 그룹), and a Korean owner must be a proper noun of the sentence."""
    if question.kind != "number" or not question.keys or span is None:
        return None
    left = quote[: span.start]
    match = _OWNER_EN.search(left)
    korean = match is None
    if korean:
        match = _OWNER_KO.search(left)
    if match is None:
        return None
    owner = match.group(1)
    if owner in _NOT_OWNERS or owner in question.text or places(owner):
        return None
    if any(owner in key or key in owner for key in question.keys):
        return None
    if korean and not any(len(n) > 1 and n in owner for n in names):
        return None
    return owner
