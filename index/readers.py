"""Reading articles from JSONL files and folders of .txt / .md / .html files.

Every record either becomes an :class:`Article` or a :class:`Problem` naming the file,
the line and the reason; nothing is dropped silently.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.errors import RecordError, SourceError
from index.fetching import Fetcher, is_url
from index.models import Article
from index.scraped import clean_scraped_text
from index.text import canonicalize, guess_lang, iso_date

KNOWN_FIELDS = {"id", "title", "text", "html", "url", "published", "source", "lang", "metadata"}
FILE_SUFFIXES = {".jsonl", ".txt", ".md", ".html", ".htm"}
MAX_ID_LENGTH = 200
_ISO_DATE = re.compile(
    r"^(\d{4})[-./](\d{1,2})[-./](\d{1,2})\.?(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)
_MD_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


@dataclass
class ReadResult:
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    records: int = 0  # records seen (lines of JSONL, files, fetched pages)
    fetched: dict[str, int] = field(default_factory=dict)  # URL sources: request counts


def normalize_date(value: str | None) -> str | None:
    """ISO 8601 (``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM:SS``) when recognisable, else as given."""
    if value is None:
        return None
    value = value.strip()
    m = _ISO_DATE.match(value)
    if not m:
        return value or None
    return iso_date(*m.groups())


def stable_id(*, given: Any = None, url: str | None = None, title: str = "", text: str = "") -> str:
    """The given id, else one derived from the URL, else one derived from the content."""
    if given is not None and str(given).strip():
        return str(given).strip()
    if url:
        return "u-" + hashlib.sha256(url.strip().encode()).hexdigest()[:16]
    return "c-" + hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()[:16]


def extract_html(html: str) -> tuple[str, dict[str, Any]]:
    """Main text and metadata (title, date, author) of an HTML page, via trafilatura."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    if doc is None:
        return "", {}
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = data.get("text") or ""
    title = data.get("title") or ""
    # trafilatura repeats the <h1> as the first line of the text.
    first, _, rest = text.partition("\n")
    if title and first.strip() == title.strip():
        text = rest
    meta = {
        "title": title,
        "published": data.get("date"),
        "author": data.get("author"),
        "sitename": data.get("sitename"),
    }
    if not meta["author"]:
        m = re.search(r'<meta[^>]+name=["\']author["\'][^>]+content=["\']([^"\']+)', html, re.I)
        meta["author"] = m.group(1).strip() if m else None
    return text, {k: v for k, v in meta.items() if v}


def article_from_record(record: Any, *, path: str = "<input>", line: int | None = None) -> Article:
    """Validate one JSON record and turn it into a canonical article (raises RecordError)."""
    if not isinstance(record, dict):
        raise RecordError("record is not a JSON object", path=path, line=line)
    for key in ("title", "text", "html", "url", "published", "source", "lang"):
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            raise RecordError(f"field {key!r} must be a string", path=path, line=line)
    given_id = record.get("id")
    if given_id is not None and not isinstance(given_id, str | int):
        raise RecordError("field 'id' must be a string", path=path, line=line)
    if given_id is not None and len(str(given_id)) > MAX_ID_LENGTH:
        raise RecordError(f"field 'id' is longer than {MAX_ID_LENGTH}", path=path, line=line)
    metadata = {k: v for k, v in record.items() if k not in KNOWN_FIELDS}
    if isinstance(record.get("metadata"), dict):
        metadata.update(record["metadata"])
    title = record.get("title") or ""
    published = record.get("published")
    if record.get("text"):
        text = record["text"]
    elif record.get("html"):
        text, meta = extract_html(record["html"])
        title = title or meta.get("title", "")
        published = published or meta.get("published")
        if meta.get("author"):
            metadata.setdefault("author", meta["author"])
    else:
        raise RecordError("missing text (neither 'text' nor 'html')", path=path, line=line)
    text = canonicalize(text)
    if not text:
        raise RecordError("empty after cleaning", path=path, line=line)
    title = canonicalize(title).replace("\n", " ")
    url = record.get("url") or None
    return Article(
        id=stable_id(given=given_id, url=url, title=title, text=text),
        title=title,
        text=text,
        url=url,
        published=normalize_date(published),
        source=record.get("source") or None,
        lang=record.get("lang") or guess_lang(text),
        metadata=metadata,
    )


def _decode(data: bytes, path: str, line: int | None = None) -> str:
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RecordError("unreadable encoding (neither UTF-8 nor CP949)", path=path, line=line)


def _read_jsonl(path: Path, result: ReadResult) -> None:
    name = str(path)
    for number, raw in enumerate(path.read_bytes().splitlines(), start=1):
        if not raw.strip():
            continue
        result.records += 1
        try:
            try:
                line = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise RecordError(
                    "unreadable encoding (not UTF-8)", path=name, line=number
                ) from None
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise RecordError(f"invalid JSON ({exc.msg})", path=name, line=number) from None
            result.articles.append(article_from_record(record, path=name, line=number))
        except RecordError as exc:
            result.problems.append(Problem(name, number, exc.reason))


def read_file_article(path: Path, *, display: str | None = None) -> Article:
    """One article from a .txt (possibly a scraped page), .md or .html file."""
    name = display or str(path)
    raw = _decode(path.read_bytes(), name)
    suffix = path.suffix.lower()
    metadata: dict[str, Any] = {"file": name}
    published = None
    if suffix in (".html", ".htm"):
        text, meta = extract_html(raw)
        title = meta.get("title", "")
        published = meta.get("published")
        if meta.get("author"):
            metadata["author"] = meta["author"]
    elif suffix == ".md":
        lines = raw.strip().splitlines()
        m = _MD_HEADING.match(lines[0]) if lines else None
        title = m.group(1) if m else (lines[0].strip() if lines else "")
        text = "\n".join(lines[1:])
    else:
        page = clean_scraped_text(raw)
        title, text, published = page.title, page.text, page.published
        metadata.update(page.metadata)
    record = {"title": title, "text": canonicalize(text), "published": published}
    article = article_from_record(record, path=name)
    return Article(**{**article.to_dict(), "metadata": {**metadata, **article.metadata}})


def _walk(path: Path) -> Iterator[Path]:
    if path.is_file():
        yield path
        return
    for child in sorted(path.rglob("*")):
        hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
        if child.is_file() and not hidden:
            yield child


def read_sources(sources: Iterable[str | Path], *, fetcher: Fetcher | None = None) -> ReadResult:
    """Read every article of the given files, folders and URLs (pages, feeds, sitemaps:
    :mod:`index.feeds`, fetched with ``fetcher``). Raises SourceError only when a source
    path does not exist; bad records and failed URLs become problems and the rest is
    read."""
    result = ReadResult()
    sources = list(sources)
    for source in sources:
        if is_url(source):
            continue
        root = Path(source)
        if not root.exists():
            raise SourceError(f"source not found: {source}", details={"path": str(source)})
        for path in _walk(root):
            suffix = path.suffix.lower()
            if suffix not in FILE_SUFFIXES:
                result.problems.append(
                    Problem(str(path), None, f"unsupported file type {suffix!r}")
                )
                continue
            if suffix == ".jsonl":
                _read_jsonl(path, result)
                continue
            result.records += 1
            try:
                result.articles.append(read_file_article(path))
            except RecordError as exc:
                result.problems.append(Problem(str(path), None, exc.reason))
    urls = [str(source) for source in sources if is_url(source)]
    if urls:
        from index.feeds import read_urls

        fetched = read_urls(urls, fetcher)
        result.articles.extend(fetched.articles)
        result.problems.extend(fetched.problems)
        result.records += fetched.records
        result.fetched = fetched.fetched
    return _dedupe(result)


def _dedupe(result: ReadResult) -> ReadResult:
    """The last record with a given id wins; earlier ones are reported."""
    last: dict[str, int] = {a.id: i for i, a in enumerate(result.articles)}
    kept = []
    for i, article in enumerate(result.articles):
        if last[article.id] == i:
            kept.append(article)
        else:
            result.problems.append(
                Problem(
                    "<sources>", None, f"duplicate id {article.id!r}: a later record replaces it"
                )
            )
    result.articles = kept
    return result
