"""Whether a text mentions a question's key terms (names and numbered things).

A key absent from the article a quote comes from is the clearest sign that the quote
answers a neighbouring question ("LG전자의 3분기 영업이익" over an article on Samsung's).
People spell names loosely, though ("예맨" for 예멘, "헐리우드" for 할리우드, "구리야마
히데키" where the article writes the name with a middle name), and an exact match called
those missing: 53 of the 627 public questions had a key missing from their own gold
article, against 23 with the tolerances below (docs/ranking.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from functools import cached_property

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z]")
_HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]+")
_NOT_WORD = re.compile(r"[\W_]+")
# Names that an article writes in their long form.
_ALIASES = {"한국": ("대한민국",), "미국": ("미합중국",), "북한": ("조선민주주의인민공화국",)}
_PARTICLES = "이가은는을를의에"
# Korea, which a Korean text takes for granted: a Korean page on 박정희 or on Korea's
# winters need not write 한국 (5 of the 17 public questions naming it do not find it in
# their own page).
HOME_NAMES = frozenset(("한국", "대한민국", "우리나라"))


def squash(text: str) -> str:
    """Lower-cased, without spaces and punctuation ("쇼! 음악중심" -> "쇼음악중심")."""
    return _NOT_WORD.sub("", text).lower()


def main_script(text: str) -> str:
    return "hangul" if len(_HANGUL.findall(text)) >= len(_LATIN.findall(text)) else "latin"


class KeyText:
    """A text that a question's keys are checked against: its squashed form, script and
    Hangul words are read once for all the keys (a question has several, and each
    candidate article is checked for all of them)."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def squashed(self) -> str:
        return squash(self.text)

    @cached_property
    def script(self) -> str:
        return main_script(self.text)

    @cached_property
    def words(self) -> set[str]:
        return set(_HANGUL_WORD.findall(self.text))

    def status(self, key: str) -> bool | None:
        """True when the text mentions the key; False when it is missing though the
        text is written in the key's script; None when the scripts differ (a Korean
        passage for "Nvidia", an English one for "엔비디아") and so nothing can be told."""
        if self.mentions(key):
            return True
        if not (_HANGUL.search(key) or _LATIN.search(key)):
            return False  # digits are written alike in every script
        key_script = "hangul" if _HANGUL.search(key) else "latin"
        if key_script != self.script or (key in HOME_NAMES and self.script == "hangul"):
            return None
        return False

    def mentions(self, key: str) -> bool:
        """The key, or a spelling of it one letter (jamo) away, or each word of a name of
        several words, or the key less a particle that stuck to it ("빅뱅이"), or a family
        name and pen name written the other way round."""
        if squash(key) in self.squashed:
            return True
        if any(alias in self.text for alias in _ALIASES.get(key, ())):
            return True
        parts = [p for p in key.split() if len(p) > 1]
        if len(parts) > 1:
            return all(self.mentions(p) for p in parts)
        if not _HANGUL_WORD.fullmatch(key) or len(key) < 2:
            return False  # Latin words and digits are matched exactly
        if len(key) > 2 and key[-1] in _PARTICLES and squash(key[:-1]) in self.squashed:
            return True
        # A family name and a pen name (號) call a Korean figure as the page's "pen name
        # full name" does: 강증산 for "증산 강일순", 이율곡 for "율곡 이이".
        if len(key) == 3 and re.search(rf"{key[1:]}\s*{key[0]}[가-힣]", self.text):
            return True
        return _near_spelling(key, self.words) or _abbreviated(key, self.words)


def key_status(key: str, evidence: str) -> bool | None:
    """:meth:`KeyText.status` of one key."""
    return KeyText(evidence).status(key)


def mentions(key: str, text: str) -> bool:
    """:meth:`KeyText.mentions` of one key."""
    return KeyText(text).mentions(key)


def _near_spelling(key: str, words: set[str]) -> bool:
    """Some word starts with a spelling of ``key`` at most one jamo away (two for keys of
    four syllables or more): 예맨/예멘, 헐리우드/할리우드, 멕스코/멕시코."""
    cap = 1 if len(key) < 4 else 2
    target = _jamo(key)
    syllables = set(key)
    for word in words:
        if len(word) < len(key) - 1 or not syllables & set(word):
            continue
        for size in (len(key) - 1, len(key), len(key) + 1):
            if size <= len(word) and _within(target, _jamo(word[:size]), cap):
                return True
    return False


def _abbreviated(key: str, words: set[str]) -> bool:
    """``key`` is the short form of a word, or a word the short form of ``key``
    (:func:`is_short_form`): Korean news and its readers shorten a compound to the first
    syllable of each part (한은 for 한국은행, 금통위 for 금융통화위원회)."""
    for word in words:
        word = strip_particle(word)
        short, long = (key, word) if len(key) < len(word) else (word, key)
        if is_short_form(short, long):
            return True
    return False


def is_short_form(short: str, long: str) -> bool:
    """Whether ``short`` shortens ``long`` as a Korean compound is shortened (삼전 for
    삼성전자, 현대차 for 현대자동차): both start alike, the short one's syllables come in
    order in the long one, and the long one has at least two more ("한국은" is 한국 and a
    particle, not 한은) and at most twice as many and one. A two-syllable short form takes
    its second syllable from the third of the long one, as a compound of two two-syllable
    words does (수요자원 is not 수원)."""
    if not len(short) + 2 <= len(long) <= 2 * len(short) + 1 or short[0] != long[0]:
        return False
    if len(short) == 2 and long[2] != short[1]:
        return False
    return _in_order(short[1:], long[1:])


def strip_particle(word: str, particles: str = _PARTICLES) -> str:
    """A Hangul word less a one-syllable particle (one of ``particles``) stuck to its
    end ("한국은행은")."""
    return word[:-1] if len(word) > 2 and word[-1] in particles else word


def _in_order(short: str, long: str) -> bool:
    rest = iter(long)
    return all(ch in rest for ch in short)


def _jamo(text: str) -> list[int]:
    """Hangul syllables as their initial, medial and (if any) final jamo."""
    out: list[int] = []
    for ch in text:
        code = ord(ch) - 0xAC00
        out += [code // 588, 19 + (code % 588) // 28]
        if code % 28:
            out.append(40 + code % 28)
    return out


def _within(a: list[int], b: list[int], cap: int) -> bool:
    """Levenshtein distance of ``a`` and ``b`` is at most ``cap``."""
    if abs(len(a) - len(b)) > cap:
        return False
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y))
        if min(cur) > cap:
            return False
        prev = cur
    return prev[-1] <= cap


# -- qualifiers ------------------------------------------------------------------------
# "삼성전자의 2분기 영업이익" over an article that reports the 3rd quarter's: the quarter
# asked for is missing and the article names another, so its figure answers a
# neighbouring question. In both scripts ("fourth quarter", "Q4", "4분기"). A year is
# checked only where it names an event (below): "1960년 일본 천황은?" is answered by an
# article that gives a reign's first and last years only (6 such public questions).
_EN_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_QUARTER = re.compile(
    r"(?<!\d)([1-4])\s*분기|\b(first|second|third|fourth|[1-4](?:st|nd|rd|th))[\s-]+quarter\b|"
    r"\bQ([1-4])\b",
    re.I,
)


def quarters(text: str) -> set[int]:
    """The quarters of a year that ``text`` names."""
    out: set[int] = set()
    for m in _QUARTER.finditer(text):
        digit, word, q = m.groups()
        if digit or q:
            out.add(int(digit or q))
        else:
            out.add(_EN_ORDINAL.get(word.lower()) or int(word[0]))
    return out


# The same for the measure of a company's results: "What was Samsung's net profit?" over
# an article that gives its operating profit and sales only. "sales" alone may count units
# in a question ("전기차 판매량" is not 매출), so it stands for revenue in English only.
_MEASURES = (
    re.compile(r"영업\s*(?:이익|손실|적자)|\boperating (?:profit|income|loss)", re.I),
    re.compile(r"(?<!단)순\s*(?:이익|손실)|\bnet (?:profit|income|loss|earnings)\b", re.I),
    re.compile(r"매출|\b(?:revenue|sales|turnover)\b", re.I),
    # Not a company's, but as much a measure that only a text giving it answers.
    re.compile(r"인구|\b(?:population|inhabitants)\b", re.I),
)


def measures(text: str) -> set[int]:
    """The measures (operating profit, net profit, revenue, population) ``text``
    names."""
    return {i for i, pattern in enumerate(_MEASURES) if pattern.search(text)}


# The same for a place: "How much does the Aurora Fold cost in Europe?" over an article
# that gives the price in the United States and names Germany only as a market. Countries
# and continents, by their names as nouns: "Korean" or "English" often names a language
# ("What is his Korean name?"). A Korean name counts alone or with a particle, not inside
# a longer noun: 한국은행, 한국시리즈 and 중국어 name a bank, a league and a language. A
# country asked for stands for its continent too ("독일 가격" is met by a European price),
# but a country written does not answer for its continent: a German price is not the
# European one.
_JOSA = (
    r"(?:에서(?:는|도|의)?|에게|에(?:는|도)?|의|은|는|이|가|을|를|와(?:의)?|과(?:의)?|도|"
    r"로|으로|만|까지|보다|처럼|산|내)?(?![가-힣])"
)
# Each place: the continent it lies in (None for a continent), its Korean names, its
# English ones.
_PLACE_NAMES: dict[str, tuple[str | None, str, str]] = {
    "europe": (None, "유럽연합|유럽", r"\b(?:Europe|EU)\b"),
    "asia": (None, "아시아", r"\bAsia\b"),
    "africa": (None, "아프리카", r"\bAfrica\b"),
    "north america": (None, "북미|북아메리카", r"\bNorth America\b"),
    "south america": (None, r"남미|남아메리카|중남미|라틴\s*아메리카",
                      r"\b(?:South|Latin) America\b"),
    "middle east": (None, "중동", r"\bMiddle East\b"),
    "oceania": (None, "오세아니아", r"\bOceania\b"),
    "united states": ("north america", "미국|미합중국",
                      r"\b(?:United States|U\.S\.A?|USA|US)\b|"
                      r"\bAmerica\b(?<!(?:North|South|Latin) America)"),
    "canada": ("north america", "캐나다", r"\bCanada\b"),
    "korea": ("asia", "(?<!북)한국|대한민국|남한", r"\b(?<!North )Korea\b"),
    "north korea": ("asia", "북한", r"\bNorth Korea\b"),
    "china": ("asia", "중국", r"\bChina\b"),
    "japan": ("asia", "일본", r"\bJapan\b"),
    "taiwan": ("asia", "대만|타이완", r"\bTaiwan\b"),
    "india": ("asia", "(?<![가-힣])인도", r"\bIndia\b"),
    "vietnam": ("asia", "베트남", r"\bVietnam\b"),
    "united kingdom": ("europe", "영국", r"\b(?:United Kingdom|UK|U\.K\.|Britain|England)\b"),
    "france": ("europe", "프랑스", r"\bFrance\b"),
    "germany": ("europe", "독일", r"\bGermany\b"),
    "russia": ("europe", "러시아", r"\bRussia\b"),
    "australia": ("oceania", "호주|오스트레일리아", r"\bAustralia\b"),
}  # fmt: skip
_PLACES = {
    name: re.compile(f"(?:{korean}){_JOSA}|{latin}")
    for name, (_, korean, latin) in _PLACE_NAMES.items()
}


def korean_place_names(latin: str) -> tuple[str, ...]:
    """The Korean names of the country or continent that ``latin`` names in English
    ("Japan": 일본; "Latin America": 남미, 남아메리카, ...); empty for any other word."""
    for _, korean, pattern in _PLACE_NAMES.values():
        if re.fullmatch(pattern, latin):
            bare = re.sub(r"\(\?<!?[^)]*\)", "", korean).replace(r"\s*", "")
            return tuple(bare.split("|"))
    return ()


def places(text: str) -> set[str]:
    """The countries and continents ``text`` names."""
    return {name for name, pattern in _PLACES.items() if pattern.search(text)}


def _places_asked(question: str) -> set[str]:
    named = places(question)
    return named | {c for n in named if (c := _PLACE_NAMES[n][0]) is not None}


# The same for the year of an event: "Who won the 2022 World Cup?" over an article on the
# 2002 one. Only a year that names an event (2022 월드컵, the 2018 season, 2020년 총선) is
# checked, as said above; any year the article writes may meet it.
_EVENT = (
    r"(?:FIFA\s*|하계\s*|동계\s*|(?:summer|winter)\s+)?"
    r"(?:월드컵|올림픽|아시안\s*게임|시즌|대선|총선|지방\s*선거|선거|시상식|선수권|엑스포|"
    r"그랑프리|슈퍼볼|월드\s*시리즈|한국\s*시리즈|\b(?:World Cup|Olympics?|Olympic Games|"
    r"Asian Games|season|elections?|Super Bowl|World Series|Expo|Grand Prix|championships?)\b)"
)
_EVENT_YEAR = re.compile(
    rf"(?<!\d)((?:19|20)\d\d)(?:년|\s*-\s*\d\d)?\s*{_EVENT}|{_EVENT}\s*(?:in\s+)?((?:19|20)\d\d)(?!\d)",
    re.I,
)
_YEAR = re.compile(r"(?<!\d)(1\d\d\d|20\d\d)(?!\d)")


def event_years(text: str) -> set[str]:
    """The years of events ``text`` names ("2022 World Cup", "2018 시즌")."""
    return {a or b for a, b in _EVENT_YEAR.findall(text)}


def years(text: str) -> set[str]:
    """The years ``text`` writes in digits (1000-2099)."""
    return set(_YEAR.findall(text))


# The same for a record the world over: "the largest offshore wind farm in the world"
# is not told by an article on one wind farm that never compares it with the world's.
_WORLD_RECORD = re.compile(
    r"세계\s*(?:최대|최고|최초|최다|최장|최소|1위|에서\s*(?:가장|제일|처음))|"
    r"\bworld'?s (?:largest|biggest|highest|tallest|longest|oldest|first|most|best)\b|"
    r"\b(?:largest|biggest|highest|tallest|longest|oldest|first|most|best)\b.*\bin the world\b",
    re.I,
)
_WORLD = re.compile(r"세계|지구상|\b(?:world|global|worldwide)\b", re.I)


def world_records(text: str) -> set[str]:
    """{"world"} when ``text`` asks for a record the world over ("세계 최대", "the
    largest ... in the world")."""
    return {"world"} if _WORLD_RECORD.search(text) else set()


def world_scope(text: str) -> set[str]:
    """{"world"} when ``text`` speaks of the world at all."""
    return {"world"} if _WORLD.search(text) else set()


_Named = Callable[[str], AbstractSet[object]]
# Each qualifier: what the question asks, what the text writes, and whether the text
# must write what is asked even where it writes nothing of the kind. A measure must: a
# company's revenue is told in a sentence that says 매출 or revenue, and an article that
# names no measure (엔비디아's GPU supply, "업계는 공급 물량의 가치를 약 14조 원으로
# 추산했다") does not give it; so must a world record. A quarter, place or year may go
# unsaid ("올해 4~6월", a domestic story's country, a dated article's year).
_QUALIFIERS: tuple[tuple[_Named, _Named, bool], ...] = (
    (quarters, quarters, False),
    (measures, measures, True),
    (_places_asked, places, False),
    (event_years, years, False),
    (world_records, world_scope, True),
)


def qualifier_conflict(question: str, text: str) -> bool:
    """Whether ``text`` names a quarter, but never the one the question asks about
    ("2분기" asked, only "3분기" written), no measure of results asked ("net profit"
    asked, only 영업이익 and 매출 written, or no measure at all), a country or continent,
    but never the one asked ("in Europe" asked, only the United States written),
    years, but never the year of the event asked ("the 2022 World Cup" over the 2002
    one), or never the world when a record the world over is asked ("세계 최대")."""
    for asked_in, written_in, required in _QUALIFIERS:
        asked = asked_in(question)
        if asked:
            written = written_in(text)
            if (written or required) and not asked & written:
                return True
    return False
