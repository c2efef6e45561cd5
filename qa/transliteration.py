"""Names across scripts: does a Korean text mention "Jensen Huang" (젠슨 황)?

An English question over Korean articles shares no word with them, but its names are
usually transliterated there: Seoul 서울, Nvidia 엔비디아, Kim Min-hee 김민희. Both sides
are reduced to a consonant skeleton in a few sound classes (g/k/c/q -> K, b/p/f/v -> P,
d/t -> T, j/z/ch -> J, s/sh -> S, l/r -> L, ...) with the vowels dropped, since Korean
spelling adds and changes vowels (젠슨: jen-seu-n) and has no f, v, z or th. A Latin
name matches when its skeleton equals that of a Hangul word (a trailing particle
stripped) or of two adjacent words ("젠슨 황"); a long skeleton (4 or more) may also be
the start of a word. No library covers this: romanizers go from Hangul to Latin letters
(김 -> gim), which then still differ from how names are written in English (Kim).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from difflib import SequenceMatcher
from functools import lru_cache

from qa.keys import korean_place_names

_NAME_GROUP = re.compile(r"[A-Z][A-Za-z'’]*(?:-[A-Za-z]+)*(?:\s+[A-Z][A-Za-z'’]*(?:-[A-Za-z]+)*)*")
# Capitalised words that open a question or are common in English questions, not names.
_NOT_NAMES = frozenset((
    "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "is", "are", "was",
    "were", "did", "does", "do", "can", "could", "will", "would", "should", "in", "on", "at",
    "for", "of", "the", "a", "an", "and", "by", "to", "from", "during", "after", "before",
    "since", "i", "it", "its", "this", "that", "these", "those", "there", "as",
))  # fmt: skip
# Words an English question capitalises as it opens ("Against which team...", "According
# to CNBC") or by rule (months, days); never names.
_OPENERS = frozenset((
    "against", "among", "amongst", "according", "once", "within", "between", "under",
    "over", "about", "into", "through", "without", "upon", "while", "although", "though",
    "despite", "following", "besides", "unlike", "like", "except", "along", "around",
    "behind", "beyond", "near", "toward", "towards", "if", "name", "list", "give", "tell",
    "please", "throughout", "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday",
))  # fmt: skip
# The generic word of a name, translated rather than transliterated in Korean (the Battle
# of Noryang: 노량 해전; the Kingdom of Wessex: 웨식스 왕국), and words like them
# capitalised as a title (Best Actress, Earth): a group of only these is no name to find.
_GENERIC = frozenset((
    "battle", "war", "kingdom", "empire", "republic", "emperor", "empress", "king", "queen",
    "prince", "princess", "saint", "st", "party", "government", "province", "city",
    "university", "river", "mountain", "mount", "lake", "island", "sea", "ocean", "dynasty",
    "church", "council", "army", "navy", "treaty", "award", "awards", "prize", "festival",
    "park", "palace", "temple", "museum", "union", "federation", "confederation",
    "association", "league", "cup", "games", "earth", "moon", "sun", "world",
    "international", "national", "best", "actor", "actress", "bank",
))  # fmt: skip
# Nationality words, translated in Korean (Japanese: 일본의, Greek: 그리스의).
_DEMONYMS = frozenset((
    "japanese", "korean", "chinese", "american", "english", "british", "french", "german",
    "swedish", "greek", "arabic", "roman", "russian", "spanish", "italian", "indian",
    "canadian", "european", "asian", "african", "soviet", "persian", "turkish", "dutch",
    "mongolian",
))  # fmt: skip
_HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]+")
_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z'’]+")
_PARTICLE = re.compile(
    r"(?:으로서|으로써|에서는|에서의|으로는|에게서|이라는|라는|이라고|라고|에서|에게|까지|부터|"
    r"으로|로서|로써|와의|과의|에는|에도|에서|보다|처럼|이다|였다|이며|이고|"
    r"은|는|이|가|을|를|의|에|와|과|도|로|만|께)$"
)

_ADMIN = re.compile(r"(?:특별자치시|특별자치도|특별시|광역시|시|군|구)$")

_DIGRAPHS = (
    ("tch", "J"),  # watch 워치, match 매치
    ("ph", "P"),
    ("th", "T"),
    ("sh", "S"),
    ("ch", "J"),
    ("ck", "K"),
    ("kh", "K"),
    ("gh", ""),
    ("ng", "NK"),
    ("x", "KS"),
)
_LATIN = {
    "b": "P", "p": "P", "f": "P", "v": "P",
    "d": "T", "t": "T",
    "g": "K", "k": "K", "q": "K", "c": "K",
    "j": "J", "z": "J",
    "s": "S",
    "l": "L", "r": "L",
    "m": "M", "n": "N", "h": "H",
}  # fmt: skip
_VOWELS = set("aeiouyw")

# Initial consonants in Unicode order: ㄱ ㄲ ㄴ ㄷ ㄸ ㄹ ㅁ ㅂ ㅃ ㅅ ㅆ ㅇ ㅈ ㅉ ㅊ ㅋ ㅌ ㅍ ㅎ
# (ㅇ opens a syllable silently).
_INITIAL = ("K", "K", "N", "T", "T", "L", "M", "P", "P", "S", "S", "",
            "J", "J", "J", "K", "T", "P", "H")  # fmt: skip
# Finals; ㅅ/ㅆ/ㅈ/ㅊ/ㅌ sound as t at the end of a syllable (인터넷: internet).
_FINAL = ("", "K", "K", "KS", "N", "NJ", "N", "T", "L", "LK", "LM", "LP", "LS", "LT", "LP",
          "L", "M", "P", "PS", "T", "T", "NK", "T", "T", "K", "T", "P", "")  # fmt: skip


# Revised Romanization, letter by letter (no sound changes across syllables): initials,
# vowels and finals in Unicode order. Only to tell apart Hangul words of one skeleton
# (광주 gwangju, 경주 gyeongju: Gwangju); korean-romanizer does more but is GPL.
_RR_INITIAL = ("g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj",
               "ch", "k", "t", "p", "h")  # fmt: skip
_RR_VOWEL = ("a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo",
             "u", "wo", "we", "wi", "yu", "eu", "ui", "i")  # fmt: skip
_RR_FINAL = ("", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l",
             "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t")  # fmt: skip


def is_hangul_word(word: str) -> bool:
    return bool(_HANGUL_WORD.fullmatch(word))


def romanized(word: str) -> str:
    """A Hangul word in Revised Romanization, syllable by syllable ("광주" -> "gwangju");
    other characters are dropped."""
    out: list[str] = []
    for ch in word:
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            out += (_RR_INITIAL[code // 588], _RR_VOWEL[code % 588 // 28], _RR_FINAL[code % 28])
    return "".join(out)


def _collapse(skeleton: str) -> str:
    out: list[str] = []
    for ch in skeleton:
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


def latin_skeleton(word: str) -> str:
    """The consonant skeleton of a Latin-script word or name ("Nvidia" -> "NPT")."""
    w = re.sub(r"[^a-z]", "", word.lower())
    out: list[str] = []
    i = 0
    while i < len(w):
        head = w[i : i + 3]
        done = False
        for digraph, sound in _DIGRAPHS:
            if head.startswith(digraph):
                out.append(sound)
                i += len(digraph)
                done = True
                break
        if done:
            continue
        ch = w[i]
        nxt = w[i + 1] if i + 1 < len(w) else ""
        if ch in _VOWELS:
            pass
        elif ch == "r" and (nxt not in _VOWELS or (nxt == "w" and i > 0)):
            pass  # Korean drops an r that no vowel follows (Naver 네이버, Carter 카터,
            # Overwatch 오버워치)
        elif ch == "h" and i > 0 and nxt not in _VOWELS:
            pass
        elif ch == "c" and nxt in ("e", "i", "y"):
            out.append("S")
        else:
            out.append(_LATIN.get(ch, ""))
        i += 1
    return _collapse("".join(out))


# A French name's final consonants after two vowels are silent, and Korean leaves them
# out (Giroud 지루, Renault 르노, Peugeot 푸조).
_SILENT_END = re.compile(r"(?<=[aeiou][aeiou])(?:[dtsxz]|[dt]s|l[dtx])$")


@lru_cache(maxsize=8192)
def latin_skeletons(word: str) -> frozenset[str]:
    """:func:`latin_skeleton` and the skeletons of the word read as Korean may also
    hear it: "th" as s (Korean writes th as ㅅ as often as ㄷ: Northwind 노스윈드, Smith
    스미스), g before e, i or y as j (Giroud 지루, George 조지, Geneva 제네바), and each
    word without a silent French ending (Giroud 지루). Cached: the same names and
    capitalised words are read for every candidate of a question (up to ~100 calls)."""
    variants = {word.lower()}
    if "th" in word.lower():
        variants.add(word.lower().replace("th", "s"))
    variants |= {re.sub(r"g(?=[eiy])", "j", v) for v in variants}
    variants |= {" ".join(_SILENT_END.sub("", w) for w in v.split()) for v in variants}
    return frozenset(latin_skeleton(v) for v in variants)


def hangul_skeleton(word: str) -> str:
    """The consonant skeleton of a Hangul word ("엔비디아" -> "NPT")."""
    out: list[str] = []
    for ch in word:
        code = ord(ch) - 0xAC00
        if not 0 <= code < 11172:
            continue
        out.append(_INITIAL[code // 588])
        out.append(_FINAL[code % 28])
    return _collapse("".join(out))


def latin_names(question: str) -> list[str]:
    """Groups of capitalised words in an English question ("Kim Min-hee", "KBS") that a
    Korean text would transliterate. Accents are dropped (Hernán Cortés: Hernan Cortes).

    Left out: opening words and months, groups of generic words only ("Battle" of the
    Battle of Noryang, "Best Actress"), nationality words, and countries whose Korean name
    is a translation (Japan: 일본, the United States: 미국). None of these can be found by
    sound, so each would make every Korean passage look as if it missed a name; Canada
    (캐나다) stays."""
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", question) if not unicodedata.combining(c)
    )
    groups: list[str] = []
    for match in _NAME_GROUP.finditer(plain):
        words = [
            re.sub(r"['’]s?$", "", w)
            for w in match.group(0).split()
            if w.lower() not in _NOT_NAMES and w.lower() not in _OPENERS
        ]
        if not words or all(w.lower() in _GENERIC for w in words):
            continue
        group = " ".join(words)
        if len(words) == 1 and group.lower() in _DEMONYMS:
            continue
        korean = korean_place_names(group)
        if korean and not any(HangulSkeletons(k).mentions(group) for k in korean):
            continue
        groups.append(group)
    return groups


def stem_forms(stem: str) -> set[str]:
    """A Hangul word (its particle stripped) as English may write it: whole, and without
    a suffix English leaves off."""
    out = {stem}
    if stem.endswith("호") and len(stem) >= 3:
        # A rocket's or ship's name carries 호, which English leaves off (누리호: Nuri);
        # "번호" and "보호" keep theirs.
        out.add(stem[:-1])
    admin = _ADMIN.search(stem)
    if admin and admin.start() >= 2:
        # English leaves off the administrative unit (김포시: Gimpo, 울산광역시: Ulsan,
        # 서울특별시: Seoul, 강남구: Gangnam); held out it moved English hit@1 by less than
        # a question. Stripping 도 and 산 as well, and folding ㄴ+ㄹ to ㄹ (한라: Halla),
        # lowered it 0.750 -> 0.739 (bench.fit, measured once, s27).
        out.add(stem[: admin.start()])
    return out


def stem_skeletons(stem: str) -> set[str]:
    """The skeletons a Hangul word (its particle stripped) may be matched by."""
    return {hangul_skeleton(form) for form in stem_forms(stem)}


class HangulSkeletons:
    """The skeletons of a Korean text's words, each with a trailing particle stripped,
    and of each pair of adjacent words; built once per text, matched per name."""

    def __init__(self, text: str) -> None:
        words = _HANGUL_WORD.findall(text)
        stems = [_PARTICLE.sub("", w) or w for w in words]
        self.exact: set[str] = set()
        self.starts: list[str] = []
        for i, (word, stem) in enumerate(zip(words, stems, strict=True)):
            self.exact |= stem_skeletons(stem)
            self.starts.append(hangul_skeleton(word))
            if i + 1 < len(words):
                self.exact.add(hangul_skeleton(word + stems[i + 1]))
        self.exact.discard("")

    def mentions(self, name: str) -> bool:
        """Whether a Latin-script name (one word or several) is written here in Hangul."""
        for whole in latin_skeletons(name):
            if len(whole) < 2:
                continue
            if whole in self.exact:
                return True
            if len(whole) >= 4 and any(s.startswith(whole) for s in self.starts):
                return True
        # "Kim Min-hee" may be written as its given name alone.
        parts = [latin_skeletons(w) for w in name.split()]
        return len(parts) > 1 and any(
            len(p) >= 3 and p in self.exact for part in parts[1:] for p in part
        )


class LatinSkeletons:
    """The other way round: the skeletons of an English text's capitalised words (its
    names) and of each pair of them, matched against a Korean question's names (애플:
    Apple, 노스윈드: Northwind, 삼성전자: Samsung Electronics). Only capitalised words,
    since a short skeleton matches many ordinary words (애플 "PL": play, pool)."""

    def __init__(self, text: str) -> None:
        names = [re.sub(r"['’]s?$", "", w) for w in _CAPITALISED.findall(text)]
        self.exact: set[str] = set()
        self.words: set[str] = set()
        for i, word in enumerate(names):
            self.words |= latin_skeletons(word)
            if i + 1 < len(names):
                self.exact |= latin_skeletons(word + names[i + 1])
        self.exact |= self.words
        self.exact.discard("")

    def mentions(self, name: str) -> bool:
        """Whether a Hangul name is written here in Latin letters."""
        stem = _PARTICLE.sub("", name) or name
        whole = hangul_skeleton(stem)
        if len(whole) < 2:
            return False
        if whole in self.exact:
            return True
        if stem.endswith("호") and len(stem) >= 3 and hangul_skeleton(stem[:-1]) in self.exact:
            return True  # 누리호: Nuri, as in HangulSkeletons
        # 삼성전자: "Samsung" and more; the English word is long enough to tell.
        return any(len(w) >= 4 and whole.startswith(w) for w in self.words)


COMMON_CLOSENESS = 0.6


class Spellings:
    """Hangul words by consonant skeleton, each with how often it is written: where the
    Hangul spelling of an English name is looked up."""

    def __init__(self, counts: Mapping[str, int], proper: Collection[str] = ()) -> None:
        self.proper = frozenset(proper)
        self.by_skeleton: dict[str, Counter[str]] = {}
        for word, n in counts.items():
            # A pair of words ("젠슨 황") is matched whole; one word also without a suffix.
            skeletons = {hangul_skeleton(word)} if " " in word else stem_skeletons(word)
            for skeleton in skeletons:
                self.by_skeleton.setdefault(skeleton, Counter())[word] += n

    def spell(self, name: str, min_closeness: float = 0.35) -> str | None:
        """Of the words alike in skeleton, the one nearest in romanization, then a proper
        noun, then the most frequent: 광주 for Gwangju (경주 reads K-NK-J too); None when
        none is or fewer than ``min_closeness`` of their letters are alike (Hideki: 호
        도기, 0.33; Naver: 네이버, 0.36, is kept). A common noun must be nearer, at
        COMMON_CLOSENESS: it is more often another word of the same sounds (Gangneung:
        공공, 0.59; Ochang: 예정) than a name the analyzer did not know (Seungri: 승리, 1.0).
        """
        alike: Counter[str] = Counter()
        for whole in latin_skeletons(name):
            if len(whole) >= 2:
                alike.update(self.by_skeleton.get(whole, Counter()))
        plain = re.sub(r"[^a-z]", "", name.lower())
        near = {
            w: c
            for w in alike
            if (c := _closeness(plain, w))
            >= (min_closeness if w in self.proper else max(min_closeness, COMMON_CLOSENESS))
        }
        if not near:
            return None
        return max(near, key=lambda w: (near[w], w in self.proper, alike[w]))

    def spell_words(self, name: str) -> str | None:
        """A name of several words spelled word by word, when every word is spelled:
        Korean writes a Japanese or Chinese name family name first (Hirotoshi Kitagawa:
        기타가와 히로토시), so the whole name's skeleton is met nowhere."""
        words = name.split()
        if len(words) < 2:
            return None
        spelled = [self.spell(w) for w in words]
        return " ".join(spelled) if all(spelled) else None


def hangul_spellings(
    names: Sequence[str],
    text: str,
    forms: Collection[str] | None = None,
    proper: Collection[str] = (),
    fallback: Callable[[str], str | None] | None = None,
) -> dict[str, str]:
    """Each Latin-script name of ``names`` that ``text`` writes in Hangul only, with the
    word (or two adjacent words) that spells it there (Spellings.spell): Arsenal ->
    아스널, Kim Min-hee -> 김민희. Names ``text`` also writes in Latin letters are left
    out, as are skeletons shorter than two sounds ("Lee") and words of one syllable.
    ``forms``: the text's morphemes, of which a spelling must be one (or two adjacent
    ones), as a verb's inflected form sounds like a name too (이끌었다 reads K-L-T, as
    Giroud does); ``proper``: its proper nouns, preferred over common words (the analyzer
    tags many a transliterated name as a common noun, 승리: Seungri, so those count too).
    ``fallback`` spells a name ``text`` neither spells nor writes (the corpus's proper
    nouns, qa/answerer.py).
    """

    def known(word: str) -> bool:
        return forms is None or word in forms

    words = _HANGUL_WORD.findall(text)
    stems = [_PARTICLE.sub("", w) or w for w in words]
    counts: Counter[str] = Counter()
    for i, (word, stem) in enumerate(zip(words, stems, strict=True)):
        # A name may end in what reads as a particle (기타가와: 와), so the word whole
        # counts where its stem is no morpheme.
        form = stem if known(stem) else word if known(word) else ""
        if len(form) >= 2:  # one syllable: 만 or 해 more often than a name
            counts[form] += 1
        if i + 1 < len(words) and known(words[i]) and known(stems[i + 1]):
            counts[f"{words[i]} {stems[i + 1]}"] += 1
    spellings = Spellings(counts, proper)
    lowered = text.lower()
    out: dict[str, str] = {}
    for name in names:
        if name.lower() in lowered:
            continue
        word = (
            spellings.spell(name)
            or spellings.spell_words(name)
            or (fallback(name) if fallback else None)
            or _spell_some(name, spellings, fallback)
        )
        if word:
            out[name] = word
    return out


def _spell_some(
    name: str, spellings: Spellings, fallback: Callable[[str], str | None] | None
) -> str | None:
    """A name of several words with those spelled that can be, the rest left as
    written (Gwisil Boksin: "Gwisil 부여복신", which finds the page on 귀실복신, whose
    other name is 부여복신). Only a word of three sounds or more whose letters are near
    (COMMON_CLOSENESS): a word alone matches more by chance than a whole name (Defense:
    도피안사, 0.4; Pearl: 파리; Silla: 서울)."""
    words = name.split()
    if len(words) < 2:
        return None

    def spell(word: str) -> str | None:
        if all(len(s) < 3 for s in latin_skeletons(word)):
            return None
        return spellings.spell(word, COMMON_CLOSENESS) or (fallback(word) if fallback else None)

    spelled = [spell(w) for w in words]
    if not any(spelled):
        return None
    return " ".join(s or w for s, w in zip(spelled, words, strict=True))


def _closeness(latin: str, hangul: str) -> float:
    """How alike a name's letters and a Hangul word's romanization are, the word read
    as English may write it (울산광역시: ulsan)."""
    forms = {hangul} if " " in hangul else stem_forms(hangul)
    return max(SequenceMatcher(None, latin, romanized(form)).ratio() for form in forms)


def spell_names(question: str, spellings: dict[str, str]) -> str:
    """``question`` with each name written as ``spellings`` gives it, whole words only
    ("Mani", not the Mani of "Manichaeism"); an English possessive becomes 의."""
    for name, hangul in sorted(spellings.items(), key=lambda kv: -len(kv[0])):
        pattern = re.compile(rf"(?<![\w]){re.escape(name)}(['’]s)?(?![\w])")
        question = pattern.sub(lambda m, h=hangul: h + ("의" if m.group(1) else ""), question)
    return question


def names_mentioned(names: Sequence[str], text: str) -> float:
    """Share of ``names`` that ``text`` mentions: written alike, or a Latin name in
    Hangul, or a Hangul name in Latin letters."""
    if not names:
        return 0.0
    lowered = text.lower()
    hangul: HangulSkeletons | None = None
    latin: LatinSkeletons | None = None
    found = 0
    for name in names:
        # Acronyms are written in Latin letters in Korean text too (KBS, BTS).
        if name.lower() in lowered or any(
            len(w) > 1 and w.isupper() and w.lower() in lowered for w in name.split()
        ):
            found += 1
        elif _HANGUL_WORD.search(name):
            latin = latin or LatinSkeletons(text)
            found += latin.mentions(name)
        else:
            hangul = hangul or HangulSkeletons(text)
            found += hangul.mentions(name)
    return found / len(names)
