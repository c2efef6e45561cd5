"""What a question asks for: its content morphemes and the expected answer type."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from index.lexical import MorphemeAnalyzer
from index.text import is_korean
from qa.keys import HOME_NAMES, KeyText
from qa.transliteration import latin_names

AnswerType = Literal["number", "date", "person", "place", "title", "other"]

# A rate asked for ("득표율은?", "투표율은 어느 정도였어?"), not any word ending in 율/률.
_RATE = (
    r"(?:득표|투표|지지|점유|성장|실업|고용|출산|시청|승|경쟁|합격|상승|증가|감소|인상|인하|할인|세|"
    r"이자|수익|환|물가상승|진학|취업|백신접종|접종|완치|치명|사망|발생)[율률]"
)

# An age asked for; not 몇 세기 (a date) nor the 나이 of 하나이며.
_AGE_ASKED = re.compile(
    r"몇\s*(?:살|세(?!기|대))|(?<![가-힣])나이|\bhow old\b|\bwhat age\b|\bage of\b", re.I
)

# Order matters: "몇 년" asks for a date, "몇 명" for a number, "며칠간" for a duration.
_KO_RULES: list[tuple[re.Pattern[str], AnswerType]] = [
    (re.compile(r"며칠\s*(?:간|동안)"), "number"),
    (_AGE_ASKED, "number"),  # "몇 살", "나이는?", "How old is he?"
    (
        re.compile(
            r"언제|몇\s*(?:년|월|일|시|세기|년도)(?!\s*(?:간|동안|만|째))|며칠|연도|년도는|날짜|"
            r"일자|시기|시점|시간대|기간은|해는|해에|때는\s*\??$"
        ),
        "date",
    ),
    (
        re.compile(
            rf"몇|얼마|액수|규모는|수는|비율|어느\s*정도|{_RATE}(?:은|는|이)?\s*\??$|"
            # a measurement asks for a quantity: "사해의 깊이는?", "자외선의 파장은?"
            r"(?:길이|높이|깊이|넓이|면적|너비|무게|거리|속도|온도|인구|파장|크기)(?:는|은|가)?\s*\??$"
        ),
        "number",
    ),
    (
        re.compile(
            r"누구|누가|인물|사람은|선수는|감독은|대통령은|의장은|회장은|"
            r"(?:디자이너|작가|감독|선수|인물|배우|가수|사상가|화가)의?\s*이름은"
        ),
        "person",
    ),
    (
        re.compile(
            r"어디|장소|지역은|나라는|도시는|국가는|어느\s*(?:나라|지역|도시|국가)|어느\s*도(?=에|의|인|가)|곳은\s*\??$"
        ),
        "place",
    ),
    (
        # The name of a work: an album, a song, a programme, a book ("데뷔 앨범 이름은?",
        # "타이틀 곡은?", "진행을 맡은 프로그램은?"), which articles write between title
        # marks (《화양연화 pt.1》, "I NEED U").
        re.compile(
            r"제목|타이틀\s*곡|"
            # a noun glued to the word before it only where Korean glues it (미니앨범,
            # 타이틀곡, 첫작품), not the 책 of 정책 nor the 곡 of 작곡
            r"(?:(?<![가-힣])(?:음반|싱글|노래|책|저서|소설|시집|영화|드라마|프로그램|방송|"
            r"잡지|논문|게임|뮤지컬|애니메이션|만화)|앨범|작품|(?<![작편왜굴])곡|논쟁서|응원가)"
            r"(?:의|\s)*(?:이름|명칭)?(?:은|는|이|가)?\s*(?:무엇|뭐|\??\s*$)"
        ),
        "title",
    ),
]
_PERSON_NOUNS = (
    r"person|man|woman|player|thinker|writer|author|singer|actor|actress|artist|"
    r"designer|director|king|queen|emperor|president|leader|founder|member|runner|athlete|"
    r"scientist|philosopher|poet|composer|politician|ceo|chairman|coach|manager|pitcher|"
    r"batter|hitter|winner|candidate|mayor|minister|governor|inventor|painter|musician"
)
_PLACE_NOUNS = (
    r"city|cities|country|countries|nation|region|town|village|district|province|state|"
    r"place|island|continent|area|venue|stadium|capital|port|airport|station|county|"
    r"neighbo(?:u)?rhood|location"
)
_WORK_NOUNS = (
    r"albums?|songs?|singles?|tracks?|books?|novels?|films?|movies?|shows?|programs?|"
    r"programmes?|dramas?|series|musicals?|poems?|EPs?|records?|hits?|treatises?"
)
# A measurement or a sum that "what is the ..." asks for: a number.
_MEASURE_NOUNS = (
    r"turnout|rate|score|population|wavelength|lifespan|life expectancy|length|height|depth|"
    r"width|weight|distance|speed|temperature|fee|wage|salary|price|cost|budget|revenue|"
    r"sales|profit|capacity|area|ratio|percentage|volume|size|amount|total|number|margin"
)
# English questions read as a bilingual reader reads their Korean versions (public-en
# against public-en-ko): "when" asks for a date only where it opens the question, since
# inside one it is a conjunction ("the fee when Arsenal signed him"); "which city",
# "what is the capital" ask for a place; "which thinker" for a person; "what was the
# turnout" for a number. Strict rules first; the measurement nouns last, so that "which
# city has the largest population" asks for a place.
_EN_RULES: list[tuple[re.Pattern[str], AnswerType]] = [
    (
        re.compile(
            # "When he extended his contract, what was his wage?" asks for the wage.
            r"^\W*(?:(?:and|so|since|until|till|from|by)\s+)?when\b"
            r"(?![^?]*,\s*(?:what|how|who|whom|which|where)\b)|\b(?:since|until|till) when\b|"
            r"\b(?:what|which) (?:year|date|day|month|time of day|century|decade)\b|"
            r"\b(?:date|birthday)\b",
            re.I,
        ),
        "date",
    ),
    (
        re.compile(
            r"\bhow (?:many|much|long|far|big|old|tall|high|deep|large|wide|heavy|fast|often)\b|"
            r"\b(?:what|by what) (?:percentage|percent|share|proportion|fraction|rank|number)\b",
            re.I,
        ),
        "number",
    ),
    (
        re.compile(
            rf"\bwho(?:m|se)?\b|\b(?:which|what|name of the)\s+(?:[\w'-]+\s+){{0,2}}"
            rf"(?:{_PERSON_NOUNS})\b",
            re.I,
        ),
        "person",
    ),
    (
        re.compile(
            rf"\bwhere\b|\b(?:which|what)\s+(?:[\w'-]+\s+){{0,1}}(?:{_PLACE_NOUNS})\b|"
            r"\bthe capital of\b",
            re.I,
        ),
        "place",
    ),
    (
        # the noun after a determiner or a possessive ("the turnout", "Samsung's sales"),
        # not a verb ("Against which team did Giroud score")
        re.compile(
            r"\b(?:what|which)\b.*(?:\b(?:the|its|his|her|their|average|final)|['’]s?)\s+"
            rf"(?:[\w'-]+\s+){{0,2}}(?:{_MEASURE_NOUNS})\b",
            re.I,
        ),
        "number",
    ),
    (
        re.compile(
            r"\b(?:title|name) of (?:the |his |her |their |its |a )?(?:[\w'-]+\s+){0,3}"
            rf"(?:{_WORK_NOUNS})\b|\b(?:which|what)\s+(?:[\w'-]+\s+){{0,2}}(?:{_WORK_NOUNS})\b|"
            # "What is the title track of Always?", "What is Courtney Love's second album?"
            rf"\btitle (?:track|song)s?\b|^\W*(?:what|which)\b[^?]*\b(?:{_WORK_NOUNS})\s*\??\s*$",
            re.I,
        ),
        "title",
    ),
]


# The unit a "몇 <counter>" question counts in ("몇 명" -> 명), and how a sentence may
# write it. Longer counters first; any other single syllable after 몇 is taken as is.
_COUNTER = re.compile(
    r"몇\s*(번째|인조|부작|관왕|퍼센트|프로|광년|미터|킬로미터|경기|[가-힣])|(며칠)"
)
_COUNTER_FORMS = {
    "퍼센트": r"%|퍼센트|프로",
    "프로": r"%|퍼센트|프로",
    "미터": r"m\b|미터",
    "킬로미터": r"km|킬로미터",
    "도": r"도|℃",
    "며칠": r"일",
    "세": r"살|세",  # an age asked ("몇 살", "몇 세") is met by _AGE instead
    # "몇 번째 대통령" -> "제14대 대통령"; "몇 번째 대회" -> "제3회".
    "번째": r"번째|대|회|차",
    # "행정구역은 몇 개" -> "4구 1군": 개 stands for whatever the things are counted in.
    "개": r"개|곳|종|가지|구|군|시|읍|면|동|국|편|권|채|척|대|기|장",
    "명": r"명|인(?=$|[^가-힣]|의|이|은|을|과|씩)",
}
# A numeral written in Hangul starts a word: the 구 of 연구원 is not nine.
# 수십, 수백 명: a rough count still answers "몇 명".
_NUMERAL = (
    r"(?:\d[\d,.]*|(?<![가-힣])(?:(?:수(?=[십백천만]))?[일이삼사오육칠팔구십백천만억]+|한|두|세|"
    r"네|다섯|여섯|일곱|여덟|아홉|열|열한|열두|스무|첫))"
)
# The thing a "몇" question counts, named just before it ("제자는 몇 명" -> 제자): a
# number may count it without the counter ("열두 제자", "올림포스 12신").
_COUNTED_NOUN = re.compile(
    r"(?<![가-힣])([가-힣]{1,6}?)(?:은|는|이|가)\s*(?:총\s*|모두\s*)?몇\s*[가-힣]"
)
_COUNTS_THINGS = frozenset(
    ("명", "개", "마리", "곳", "종", "가지", "권", "편", "채", "척", "대", "기", "장", "인")
)


# A question that asks for a sum of money ("인수 가격은 얼마야?", "How much is Northwind
# paying?"): its answer is written with a currency, in either language ("$8.4 billion",
# "12조 1,000억 원", "960만 파운드"); "how much" alone also asks for rises and shares.
_MONEY_ASKED = re.compile(
    r"(?:가격|금액|비용|액수|매출액?|영업이익|순이익|이익|예산|투자액|투자금|이적료|몸값|연봉|"
    r"주급|상금|인수가|시가총액|판매가|값)(?:은|는|이|가)?\s*"
    r"(?:얼마(?!나\s*(?:올|오르|내|떨어|상승|하락|증가|감소|늘|줄))|몇)|"
    r"얼마(?:에|를\s*(?:주고|들여|지불|투자|받))|"
    r"\b(?:what|how much)\b(?!.*\b(?:percent|percentage|share|rate|ratio)\b).*\b(?:pay|paid|"
    r"paying|pays|cost|costs|costing|price|priced|spend|spent|spending|worth|invest|invested|"
    r"investing|raise|raised|fee|fees|sell|sold|buy|bought|charge|charges|earn|earned|revenue|"
    r"profit|sales|salary)\b",
    re.I,
)
_CURRENCY = re.compile(
    r"(?:US\$|\$|€|£|¥|₩)\s*\d[\d,.]*(?:\s*(?:million|billion|trillion)\b)?|"
    rf"{_NUMERAL}\s*(?:[만억조]\s*(?:[\d,.]+\s*[만억조천]?\s*)*)?(?:천\s*)?"
    r"(?:million|billion|trillion)?\s*"
    r"(?:원|달러|유로|엔|파운드|위안|프랑|dollars?|euros?|pounds?|yen|won|yuan)"
    # a particle may follow (원으로, 달러를), another syllable may not (원전, 엔진)
    r"(?:(?=으로|로|을|를|이|가|은|는|의|에|와|과|씩|대|가량|정도|어치|짜리|선|수준)|(?![가-힣a-z]))",
    re.I,
)


# What follows a Hangul counter: the end of the word, or a particle ("212편이", "13기의",
# "5만 장씩"); another syllable makes it another word ("3분기" is a quarter, not minutes).
COUNTER_END = (
    r"(?![가-힣])|(?=이|가|은|는|을|를|의|에|로|으로|와|과|도|만|씩|째|쯤|가량|정도|여|안팎|까지|"
    r"부터|보다|당|대|간|동안|짜리|수준|규모|미만|이상|이하|뿐|차|께|밖)"
)
# "How many <things>": the Korean counters the things are counted in. An English word not
# listed here is counted in any of the usual counters; time and measures have their own.
_EN_COUNTED: dict[str, str] = {}
for _counter, _nouns in (
    ("명", "people persons workers employees visitors passengers riders patients residents "
     "members students children volunteers staff fans spectators tourists players voters "
     "soldiers citizens users subscribers customers viewers adults women men victims deaths "
     "doctors nurses teachers officials athletes runners refugees evacuees casualties "
     "survivors migrants immigrants applicants candidates participants attendees guests "
     "travelers travellers commuters protesters troops singers actors artists journalists "
     "reporters scientists researchers farmers pilots infants babies seniors"),
    ("편", "flights films movies episodes"),
    ("기", "satellites turbines reactors rockets"),
    ("개|곳", "stations stores shops branches schools companies items products units plants "
     "factories stops"),
    ("개국|나라|국가|곳", "countries nations"),
    ("장|개", "gpus chips tickets cards sheets"),
    ("가구|채|세대", "homes households houses apartments"),
    ("대", "cars vehicles aircraft planes buses trains machines robots"),
    ("척", "ships boats vessels"),
    ("마리", "animals birds dogs cats"),
    ("그루", "trees"),
    ("골", "goals"),
    ("경기", "games matches"),
    ("번|회|차례", "times"),
    ("권", "books volumes"),
    ("곡", "songs tracks"),
    ("년", "years"),
    ("일", "days"),
    ("주", "weeks"),
    ("개월|달", "months"),
    ("시간", "hours"),
    ("분", "minutes"),
    ("초", "seconds"),
    ("km|킬로미터", "kilometers kilometres"),
    ("m|미터", "meters metres"),
    ("톤", "tons tonnes"),
):  # fmt: skip
    for _noun in _nouns.split():
        _EN_COUNTED[_noun] = _counter
# The other way: the English things a Korean counter counts (기: rockets|satellites|...).
_COUNTED_IN: dict[str, str] = {
    form: "|".join(sorted(n for n, c in _EN_COUNTED.items() if form in c.split("|")))
    for form in {f for c in _EN_COUNTED.values() for f in c.split("|")}
}
# Things not listed: not people (those are listed), so not 명; crops and goods are
# often counted by weight ("How many tangerines" -> "40만 2,000톤").
_ANY_COUNTER = "개|장|편|기|곳|건|번|회|대|채|가구|척|마리|그루|권|곡|차례|종|가지|개국|경기|골|톤"
_HOW_MANY = re.compile(
    r"\bhow many\s+((?:[A-Za-z][\w'-]*\s+){0,3}?[A-Za-z][\w-]*)"
    r"(?=\s+(?:will|did|does|do|are|is|were|was|can|could|have|has|had|would|in|of|on|at|for|"
    r"to|from|make|made|got|get|were|across)\b|\s*\?|\s*$)",
    re.I,
)
_EN_NUMBER = (
    r"(?:\d[\d,]*(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"twenty|thirty|forty|fifty|hundreds|thousands|dozens)"
    r"(?:\s+(?:hundred|thousand|million|billion))?"
)
# A share or a rate is asked for in percent: "what percentage", "what share of the vote",
# "the turnout", "득표율은?", "몇 %". A gap in points ("1.75%포인트") is not a rate,
# unless points are asked for.
_PERCENT_ASKED = re.compile(
    r"\b(?:what|by what|how many) (?:percentage|percent|share|proportion)\b|"
    r"\bthe (?:[\w-]+\s+)?(?:rate|turnout)\b|몇\s*%|"
    rf"{_RATE}(?:은|는|이|가)?\s*(?:\?|$|얼마|몇|어느)",
    re.I,
)
_PERCENT = rf"{_NUMERAL}\s*(?:%|퍼센트|프로|\s?percent\b|\s?per cent\b)"
_NOT_POINTS = r"(?!\s*(?:포인트|p\b|points?\b))"
_POINTS_ASKED = re.compile(r"포인트|\bpoints?\b|%p", re.I)
# The gap between two rates is written in points ("1.75%포인트"), not as a rate.
_GAP_ASKED = re.compile(r"\b(?:gap|difference|spread)\b|차이|격차", re.I)
_POINTS = rf"{_NUMERAL}\s*(?:%\s*포인트|%p\b|포인트|퍼센트\s*포인트|\s?percentage points?\b)"
_LATIN_BEFORE_COUNTER = re.compile(r"([A-Za-z]{3,})(?:은|는|이|가|을|를)?\s*(?:모두\s*|총\s*)?몇")
_DIGIT = re.compile(r"\d")
# A game's score: "몇 대 몇", "the final score" -> "7-3", "7 대 3".
_SCORE_ASKED = re.compile(r"몇\s*대\s*몇|\bscore\b|스코어|점수는", re.I)
_SCORE = re.compile(r"\d{1,3}\s*(?:[-–:]|대)\s*\d{1,3}(?![\d.,])")


def _english_count(things: str) -> str:
    """A number written before the things (``things``: a pattern), a word between allowed:
    "80 turbines", "60,000 Nvidia GPUs"."""
    return rf"\b{_EN_NUMBER}\s+(?:[a-z-]+\s+)?(?:{things})"


def _stem(noun: str) -> str:
    """A pattern for an English noun in any number ("turbine", "turbines")."""
    return re.escape(noun.lower().rstrip("s")[:5]) + "[a-z]*"


def _counted(question: str) -> re.Pattern[str] | None:
    """The number of things an English "how many" question counts, in English ("80
    turbines") or with the Korean counter for them ("13기"), or None."""
    match = _HOW_MANY.search(question)
    if not match:
        return None
    noun = match.group(1).split()[-1].lower()
    english = _english_count(_stem(noun))
    counters = _EN_COUNTED.get(noun, _ANY_COUNTER)
    korean = rf"{_NUMERAL}\s*(?:만\s*)?(?:{counters})(?:{COUNTER_END})"
    return re.compile(rf"{english}|{korean}", re.I)


# An age as Korean news writes it after a name, "젠슨 황(62)", or with its unit ("62세",
# "세 살"; not 20세기 or 3세대), and as English news does ("62-year-old", "aged 62",
# "Huang, 62, said").
_AGE = re.compile(
    r"(?<=[가-힣])\s?\(\d{1,3}(?:세|살)?\)|"
    rf"{_NUMERAL}\s*(?:살|세)(?!기|대|계|금|션|월|력|상|들|요|트)|"
    r"\b\d{1,3}[- ]years?[- ]old\b|\baged \d{1,3}\b|(?<=[a-z]), \d{1,3},",
    re.I,
)


def counter_pattern(question: str) -> re.Pattern[str] | None:
    """A pattern for a number in the unit the question counts in (a currency when it asks
    for money, a percentage for a share or a rate, a score for a game), or None."""
    if _SCORE_ASKED.search(question):
        return _SCORE
    if _AGE_ASKED.search(question):
        return _AGE
    match = _COUNTER.search(question)
    if not match:
        if _MONEY_ASKED.search(question):
            return _CURRENCY
        if _PERCENT_ASKED.search(question):
            if _GAP_ASKED.search(question):
                return re.compile(_POINTS, re.I)
            guard = "" if _POINTS_ASKED.search(question) else _NOT_POINTS
            return re.compile(_PERCENT + guard, re.I)
        return _counted(question)
    counter = match.group(1) or match.group(2)
    forms = _COUNTER_FORMS.get(counter, re.escape(counter))
    guard = ""
    if counter in ("퍼센트", "프로") and _GAP_ASKED.search(question):
        return re.compile(_POINTS, re.I)
    if counter in ("퍼센트", "프로") and not _POINTS_ASKED.search(question):
        guard = _NOT_POINTS
    korean = rf"{_NUMERAL}\s*(?:만\s*)?(?:{forms}){guard}"
    noun = _COUNTED_NOUN.search(question) if counter in _COUNTS_THINGS else None
    if noun:
        korean += rf"|{_NUMERAL}\s*{re.escape(noun.group(1))}"
    # "turbine은 몇 기야?" over an English article: "80 turbines" counts them too.
    thing = _LATIN_BEFORE_COUNTER.search(question)
    if thing:
        return re.compile(rf"{korean}|{_english_count(_stem(thing.group(1)))}", re.I)
    # "터빈이 몇 기야?" over an English article: "80 turbines", the things counted in 기.
    if counter in _COUNTED_IN:
        english = _english_count(_COUNTED_IN[counter]) + r"\b"
        return re.compile(rf"{korean}|{english}", re.I)
    return re.compile(korean)


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
    # For "몇 명/개/위…" questions: a number in that unit.
    counter: re.Pattern[str] | None = None
    # Capitalised word groups of a question in Latin script ("Kim Min-hee"), for matching
    # names across scripts (qa/transliteration.py); empty for a Korean question.
    latin_names: tuple[str, ...] = ()

    # Where the terms stand in ``text``, as (start, end): the words late interaction
    # weighs (qa/late_interaction.py), not "이번", "누가" or "how many".
    term_spans: tuple[tuple[int, int], ...] = ()
    # The names among the keys of a question in Korean ("애플", "Northwind"), for the same
    # match over an English article; empty for an English question.
    korean_names: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The names matched across scripts: Latin ones of an English question, the
        keys of a Korean one."""
        return self.latin_names or self.korean_names


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
    content = [
        (form, t) for form, t in analyzer.content(tokens) if form not in stop and form.strip()
    ]
    terms = tuple(form for form, _ in content)
    term_spans = tuple((t.start, t.start + t.len) for _, t in content)
    keys: list[str] = []
    # Where the last name ended: a name written on to it is the same name ("SK하이닉스"
    # is SK + 하이닉스 to the analyzer, and an article on SK텔레콤 mentions "SK").
    name_end = -1
    for i, tok in enumerate(tokens):
        if (tok.tag == "NNP" and len(tok.form) > 1) or (
            tok.tag == "SL"
            and len(tok.form) > 1
            and tok.form.lower() not in stop
            # Capitalized Latin words are names; lower-case ones are ordinary English words.
            and (tok.form[0].isupper() or not question.isascii())
        ):
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if tok.start == name_end:
                keys[-1] += tok.form
            elif (
                tok.form in HOME_NAMES
                and nxt is not None
                and nxt.tag == "NNG"
                and nxt.start == tok.start + tok.len
            ):
                # "한국시리즈" is a league, not Korea, which a Korean text may leave unsaid
                # (qa/keys.py: HOME_NAMES): the key is the compound, met as written.
                keys.append(tok.form + nxt.form)
            else:
                keys.append(tok.form)
            name_end = tok.start + tok.len
        elif tok.tag == "SN":
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            after = tokens[i + 2].form if i + 2 < len(tokens) else ""
            if after in ("전", "후", "만", "뒤"):
                continue  # "1년 전", "3일 만에": a relative time, not a thing named
            if nxt is not None and nxt.tag in ("NNB", "NNG") and nxt.start == tok.start + tok.len:
                keys.append(tok.form + nxt.form)
            elif len(tok.form) >= 3:
                keys.append(tok.form)
    kind = answer_type(question)
    korean = is_korean(question)
    unique_keys = tuple(dict.fromkeys(keys))
    return ParsedQuestion(
        question,
        kind,
        terms,
        unique_keys,
        counter_pattern(question) if kind == "number" else None,
        () if korean else tuple(latin_names(question)),
        term_spans,
        tuple(k for k in unique_keys if not _DIGIT.search(k)) if korean else (),
    )


def missing_keys(question: ParsedQuestion, evidence: str) -> list[str]:
    """Key terms of the question that the evidence text does not mention, though it is
    written in their script (a Latin name over a Korean article is not known missing)."""
    text = KeyText(evidence)
    return [k for k in question.keys if text.status(k) is False]
