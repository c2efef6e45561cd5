"""Cleaning of news pages saved as plain text by a scraper.

A scraped page wraps the body in page furniture: a masthead, a byline card, an
"입력 2025-10-31 17:10:25" stamp, a font-size control, photo captions printed twice
(once under the image, once in the caption layer), a promo footnote, the reporter's
card again at the end, related headlines, and a comment counter. The rules below
remove each of these by its shape rather than by site-specific strings, so they hold
for other pages of the same kind; a clean plain-text article passes through intact.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from index.text import iso_date

_DATE = re.compile(
    r"(?:입력|등록|기사입력|작성|발행|승인|Published|Posted)\s*[:：]?\s*"
    r"(\d{4})[-./]\s?(\d{1,2})[-./]\s?(\d{1,2})\.?(?:\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?",
    re.IGNORECASE,
)
_UPDATED = re.compile(r"^(?:수정|업데이트|Updated)\s*[:：]?\s*\d{4}[-./]", re.IGNORECASE)
_BYLINE = re.compile(
    r"^([가-힣]{2,4}(?:\s?[가-힣]{1,3})?)\s?(기자|특파원|선임기자|논설위원|에디터|객원기자|통신원)$"
)
_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")
# Page controls and counters: whole lines that carry no article content.
_FURNITURE = re.compile(
    r"^(?:[•·▶►■□◆◇\-*]\s*)?(?:reporterImage|글자크기\s*설정.*|글자\s*크기.*|닫기|"
    r"댓글\s*\d*|공유하기?|스크랩|인쇄|URL\s*복사|좋아요\s*\d*|구독|"
    r"기사\s*저장|목록|이전\s*기사|다음\s*기사|\.{2,}|[•·▶►■□◆◇\-*])$",
    re.IGNORECASE,
)
_FOOTNOTE = re.compile(r"^[*※]")
_SENTENCE_END = re.compile(r"[.!?。…]\s*$|[.!?。…][\"'”’)]\s*$")


@dataclass
class ScrapedPage:
    title: str
    text: str
    published: str | None = None
    byline: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


def clean_scraped_text(raw: str) -> ScrapedPage:
    """Recover title, date, byline and body paragraphs from a scraped page."""
    lines = [line.strip() for line in raw.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return ScrapedPage(title="", text="")

    # Captions are printed twice; a long line seen twice is page furniture, not prose
    # (a writer does not repeat a 20-character sentence verbatim).
    counts = Counter(line for line in lines if len(line) >= 20)
    repeated = {line for line, n in counts.items() if n > 1}

    published = byline = email = None
    header_end = None  # index of the first line of the byline/date block
    for i, line in enumerate(lines[:40]):
        if published is None and (m := _DATE.search(line)):
            published = iso_date(*m.groups())
            header_end = i if header_end is None else header_end
        elif byline is None and _BYLINE.match(line):
            byline = line
            header_end = i if header_end is None else header_end
        elif email is None and _EMAIL.match(line):
            email = line

    title = ""
    subtitle_lines: list[str] = []
    body_start = 0
    if header_end is not None:
        header = [ln for ln in lines[:header_end] if not _FURNITURE.match(ln)]
        # The masthead ("주간동아 1512") is short; the headline is the first long line.
        long_lines = [ln for ln in header if len(ln) >= 12]
        if long_lines:
            title = long_lines[0]
            subtitle_lines = header[header.index(title) + 1 :]
        body_start = header_end
    else:
        title = lines[0]
        body_start = 1

    body: list[str] = []
    for line in lines[body_start:]:
        if byline and line == byline and body:
            break  # the reporter card at the end: what follows is page furniture
        if re.match(r"^댓글\s*\d+$", line):
            break
        if (
            line in repeated
            or _FURNITURE.match(line)
            or _EMAIL.match(line)
            or _DATE.search(line)
            or _UPDATED.match(line)
            or (byline and line == byline)
            or _FOOTNOTE.match(line)
        ):
            continue
        body.append(line)
    # Related headlines trail the body: lines that are not sentences, after the last one.
    while body and not _SENTENCE_END.search(body[-1]):
        body.pop()

    metadata: dict[str, str] = {}
    if subtitle_lines:
        metadata["subtitle"] = " ".join(subtitle_lines)
    if byline:
        metadata["author"] = byline
    if email:
        metadata["author_email"] = email
    # The deck (subtitle) is the article's own summary: keep it as the first paragraph.
    paragraphs = subtitle_lines + body
    return ScrapedPage(
        title=title,
        text="\n\n".join(paragraphs),
        published=published,
        byline=byline,
        metadata=metadata,
    )
