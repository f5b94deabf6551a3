"""Ingest: turn files, folders, globs and JSON Lines into RawDocuments.

Every input ends up as exactly one of: a RawDocument, or a QuarantineRecord
saying why it could not be read. Nothing is dropped silently.
"""

from __future__ import annotations

import codecs
import datetime as dt
import glob
import hashlib
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import charset_normalizer
import frontmatter
import orjson
import trafilatura
import yaml

from newsx.pipeline.timex import chinese_number
from newsx.schemas import QuarantineRecord, RawDocument

SUPPORTED_SUFFIXES = {".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".jsonl": "jsonl"}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024  # one article; larger inputs are not articles
MIN_HTML_TEXT = 10  # characters: less is a menu or a button the extractor fell back to, not an article

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# charset-normalizer names GBK-family text by its narrowest code page; decode with the superset.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "hz": "gb18030", "big5": "big5hkscs", "ascii": "utf-8"}


class InputError(Exception):
    """An input that cannot become a document; `reason` is a short machine-readable code."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class IngestLimits:
    max_bytes: int = DEFAULT_MAX_BYTES


def document_id(text: str) -> str:
    """Stable id of an article: a hash of its text, normalised so that width, spacing and wrapping do not matter."""
    normalised = "".join(unicodedata.normalize("NFKC", text).split())
    return "doc_" + hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:24]


# --- finding inputs ---


HIDDEN_FILE = "hidden-file"
HIDDEN_FOLDER = "hidden-folder"


def iter_inputs(source: str | os.PathLike[str]) -> Iterator[Path | QuarantineRecord]:
    """Every input of a source in a stable order: the files to read, and a quarantine record for each
    hidden file (`.DS_Store`, `.article.txt`) and each hidden folder (`.git`, `.cache`) of a folder walked.

    A hidden folder is not read (version-control and tool data, not articles): it gives one record
    counting its files. A file or glob named explicitly is read even if hidden (a glob matches names
    starting with a dot only when its pattern spells the dot, as in the shell). Symlinked folders are
    not followed, so a link loop cannot trap the walk.
    """
    path = Path(source)
    if path.is_file():
        yield path
        return
    if path.is_dir():
        for root, dirs, files in os.walk(path, followlinks=False):
            for name in sorted(d for d in dirs if d.startswith(".")):
                folder = Path(root) / name
                if folder.is_symlink():
                    continue
                count = sum(len(inside) for _, _, inside in os.walk(folder, followlinks=False))
                yield QuarantineRecord(
                    source=str(folder), stage="ingest", reason=HIDDEN_FOLDER,
                    detail=f"hidden folder not read ({count} file{'s' if count != 1 else ''} inside)",
                )
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.startswith("."):
                    yield QuarantineRecord(
                        source=str(Path(root) / name), stage="ingest", reason=HIDDEN_FILE,
                        detail="hidden file (name starts with a dot) not read; name it explicitly to read it",
                    )
                else:
                    yield Path(root) / name
        return
    matches = sorted(glob.glob(str(source), recursive=True))
    if not matches:
        raise FileNotFoundError(f"no input at {source!s}: not a file, a folder or a glob that matches anything")
    for match in matches:
        if Path(match).is_file():
            yield Path(match)


def iter_paths(source: str | os.PathLike[str]) -> Iterator[Path]:
    """The files of a source that are read (see iter_inputs), in a stable order."""
    return (item for item in iter_inputs(source) if isinstance(item, Path))


# --- decoding ---


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes of unknown encoding; return (text, encoding) or raise InputError."""
    if not data.strip():
        raise InputError("empty", "the input holds no text")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise InputError("undecodable", f"{encoding} byte-order mark but invalid {encoding}: {exc}") from None
    if b"\x00" in data[:8192]:
        raise InputError("binary", "NUL bytes without a UTF-16/32 byte-order mark: not a text file")
    try:
        return _text_only(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":  # UTF-8 cut inside its last character (a truncated crawl)
            return _text_only(data[: exc.start].decode("utf-8"), "utf-8")
    best = charset_normalizer.from_bytes(data).best()
    if best is None or best.encoding is None:
        raise InputError("undecodable", "no text encoding fits these bytes")
    encoding = _SUPERSETS.get(best.encoding, best.encoding)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputError("undecodable", f"detected {best.encoding} but decoding failed: {exc}") from None
    return _text_only(text, encoding)


def _text_only(text: str, encoding: str) -> tuple[str, str]:
    """Refuse text that is mostly control characters: bytes that decode but are no text."""
    sample = text[:20000]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    if controls > 0.05 * len(sample):
        raise InputError("binary", f"decodes as {encoding} only to control characters: not a text file")
    return text, encoding


# --- publication dates ---

_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_ZH_FULL = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ZH_DATELINE = re.compile(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:消息|电|讯|报道|晚间|早间|下午|上午|晚|,|，|:|：|\s)")
_EN_DATE = re.compile(
    r"\b(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?\s+(\d{1,2}),?\s+((?:19|20)\d{2})\b", re.I
)
_EN_DATE_DMY = re.compile(
    r"\b(\d{1,2})\s+(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?,?\s+((?:19|20)\d{2})\b", re.I
)
# A year the article names, unless it is a plan (`预计2025年实现`): plans point past the publication.
_YEAR_IN_TEXT = re.compile(r"(?<!预计)(?<!计划)(?<!将于)(?<!有望)(?<!目标)(?<!争取)((?:19|20)\d{2})\s*年")
_EN_YEAR_IN_TEXT = re.compile(
    r"\b(?:in|since|from|until|during|of|by)\s+(?:(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?\s+(?:\d{1,2},?\s+)?)?((?:19|20)\d{2})\b",
    re.I,
)
_LABELLED_DATE = re.compile(
    r"(?:Published|Posted|Date|发布时间|发布日期|发表时间|日期)\s*[:：]?\s*((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", re.I
)
# A count of years back from the article's present: `9年前`, `加入OpenAI九年以来`, `至今已有九年`, `nine years ago`.
_YEARS_BACK = re.compile(
    r"(?<![\d〇零一二两三四五六七八九十])(\d{1,3}|[一二两三四五六七八九十]{1,3})\s*年(?:前|以来|来)|已有\s*(\d{1,3}|[一二两三四五六七八九十]{1,3})\s*年"
    r"|\b(\d{1,3}|[a-z]+) years ago\b",
    re.I,
)
_ENGLISH_COUNTS = {word: value for value, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split()
)}
DATELINE_WINDOW = 400


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def dateline_date(text: str) -> str | None:
    """Publication date from a dateline near the top (`智东西8月6日消息`, `May 7, 2025 --`).

    A Chinese dateline without a year takes the article's present year when it
    counts years back from it (`present_year`), else the latest year it names
    (`2019年以来`); with no year anywhere, nothing tells, so None.
    """
    head = text[:DATELINE_WINDOW]
    match = _LABELLED_DATE.search(head) or _ZH_FULL.search(head)
    if match:
        return _iso(*(int(g) for g in match.groups()))
    match = _EN_DATE.search(head)
    if match:
        return _iso(int(match.group(3)), _MONTHS[match.group(1).lower()], int(match.group(2)))
    match = _EN_DATE_DMY.search(head)
    if match:
        return _iso(int(match.group(3)), _MONTHS[match.group(2).lower()], int(match.group(1)))
    match = _ZH_DATELINE.search(head)
    if match:
        year = present_year(text) if _YEARS_BACK.search(text) else max(named_years(text), default=None)
        if year is not None:
            return _iso(year, int(match.group(1)), int(match.group(2)))
    return None


def publication_from_text(text: str) -> tuple[str | None, str | None]:
    """(date, how) from the article's own words: its dateline, else the year it counts back from."""
    published = dateline_date(text)
    if published is not None:
        return published, "dateline"
    year = present_year(text)
    return (f"{year:04d}", "inferred") if year is not None else (None, None)


def named_years(text: str) -> list[int]:
    """The years an article names as past or present (`2015年`, `in 2003`), not those of plans (`预计2030年`)."""
    return [int(year) for year in _YEAR_IN_TEXT.findall(text) + _EN_YEAR_IN_TEXT.findall(text)]


def present_year(text: str) -> int | None:
    """The article's own year, when it counts years back from it and names a year it counts from.

    `2015年……成为OpenAI一员` and `近9年前，我加入OpenAI` put the article in 2024:
    of the named years plus the counts, the earliest that is no earlier than
    every named year (the present is not before the past it tells of).
    """
    years = named_years(text)
    counts = {count for match in _YEARS_BACK.finditer(text) if (count := _years_count(match)) and 0 < count <= 100}
    if not years or not counts:
        return None
    latest = max(years)
    return min((year + count for year in set(years) for count in counts if year + count >= latest), default=None)


def _years_count(match: re.Match[str]) -> int | None:
    words = next(group for group in match.groups() if group)
    return _ENGLISH_COUNTS.get(words.lower()) or chinese_number(words)


def metadata_date(value: object) -> str | None:
    """A date from front matter or metadata (a date, a datetime, or an ISO-like string)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        match = re.match(r"^\s*(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?", value)
        if match:
            year, month, day = match.groups()
            if int(year) < 1:  # year 0000 is no date (and fails the schema's IsoDate)
                return None
            if day:
                return _iso(int(year), int(month), int(day))
            if month and 1 <= int(month) <= 12:
                return f"{int(year):04d}-{int(month):02d}"
            return f"{int(year):04d}"
    return None


def _external_id(value: object) -> str | None:
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip() else None


# Invisible, bidi and control characters: cleaning takes them out of the text, and a title or an
# author goes into records as it stands, so they go here (a U+202E would make it read reversed).
_HIDDEN_IN_FIELDS = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad\u061c\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _text_field(value: object) -> str | None:
    """A metadata text field on one line, without hidden characters; None if nothing is left."""
    return " ".join(_HIDDEN_IN_FIELDS.sub("", value).split()) or None if isinstance(value, str) else None


def _make(source: str, fmt: str, encoding: str, text: str, meta: dict) -> RawDocument:
    if not text.strip():
        raise InputError("empty", "no article text after reading")
    published, published_from = metadata_date(meta.get("date") or meta.get("published")), "metadata"
    if published is None:
        published, published_from = publication_from_text(text)
    return RawDocument(
        document_id=document_id(text),
        source=source,
        external_id=_external_id(meta.get("id")),
        format=fmt,
        encoding=encoding,
        raw_text=text,
        title=_text_field(meta.get("title")),
        author=_text_field(meta.get("author")),
        published=published,
        published_from=published_from if published else None,
    )


# --- readers per format ---


def read_text(source: str, data: bytes) -> RawDocument:
    text, encoding = decode(data)
    return _make(source, "txt", encoding, text, {})


def read_markdown(source: str, data: bytes) -> RawDocument:
    text, encoding = decode(data)
    try:
        post = frontmatter.loads(text)
    except (yaml.YAMLError, ValueError) as exc:
        raise InputError("bad-front-matter", f"YAML front matter does not parse: {str(exc).splitlines()[0]}") from None
    if not isinstance(post.metadata, dict):
        raise InputError("bad-front-matter", "front matter is not a mapping of fields")
    return _make(source, "md", encoding, post.content, post.metadata)


def read_html(source: str, data: bytes) -> RawDocument:
    html, encoding = decode(data)
    text = trafilatura.extract(
        html, include_comments=False, include_tables=False, include_images=False, favor_recall=True, deduplicate=False
    )
    if not text or len("".join(text.split())) < MIN_HTML_TEXT:
        raise InputError("no-main-text", "the HTML extractor found no article text in the page")
    meta = trafilatura.extract_metadata(html)
    fields = {"title": meta.title, "author": meta.author, "date": meta.date} if meta else {}
    return _make(source, "html", encoding, text, fields)


def read_jsonl_line(source: str, line: bytes) -> RawDocument:
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise InputError("bad-jsonl-line", f"not valid JSON: {exc}") from None
    if not isinstance(record, dict):
        raise InputError("bad-jsonl-line", f"a line must be a JSON object, not {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str):
        raise InputError("bad-jsonl-line", f"field 'text' must be a string, not {type(text).__name__}")
    for key in ("title", "author", "source"):
        if key in record and record[key] is not None and not isinstance(record[key], str):
            raise InputError("bad-jsonl-line", f"field {key!r} must be a string")
    return _make(source, "jsonl", "utf-8", text, record)


_READERS = {"txt": read_text, "md": read_markdown, "html": read_html}


def _quarantine(source: str, error: InputError) -> QuarantineRecord:
    return QuarantineRecord(source=source, stage="ingest", reason=error.reason, detail=error.detail)


_SKIP_CHUNK = 1 << 20


def _bounded_lines(handle: BinaryIO, max_bytes: int) -> Iterator[bytes | int]:
    """The lines of a binary file; a line over `max_bytes` is skipped in chunks and yields its size instead.

    Iterating the file itself would build each line whole (twice over, while joining the buffered
    chunks): a 50 MB single-line file would cost 100 MB before its size is even checked.
    """
    while line := handle.readline(max_bytes + 1):
        if len(line) <= max_bytes:
            yield line
            continue
        size, ended = len(line), line.endswith(b"\n")
        del line
        while not ended and (chunk := handle.readline(_SKIP_CHUNK)):
            size, ended = size + len(chunk), chunk.endswith(b"\n")
        yield size


def iter_jsonl(path: Path, limits: IngestLimits) -> Iterator[RawDocument | QuarantineRecord]:
    """Stream a JSON Lines file: one article per line, bad lines quarantined one by one."""
    with path.open("rb") as handle:
        for number, line in enumerate(_bounded_lines(handle, limits.max_bytes), start=1):
            source = f"{path}:{number}"
            if isinstance(line, int):
                yield _quarantine(source, InputError("too-large", f"{line} bytes, over the {limits.max_bytes}-byte limit"))
                continue
            if not line.strip():
                continue  # blank separator lines are not inputs
            try:
                yield read_jsonl_line(source, line.removeprefix(codecs.BOM_UTF8) if number == 1 else line)
            except InputError as error:
                yield _quarantine(source, error)
            except Exception as exc:  # e.g. a metadata field that fails validation
                yield _quarantine(source, InputError("bad-jsonl-line", f"{type(exc).__name__}: {exc}"[:500]))


def read_path(path: Path, limits: IngestLimits = IngestLimits()) -> Iterator[RawDocument | QuarantineRecord]:
    """All documents (or quarantine records) one file yields."""
    source = str(path)
    fmt = SUPPORTED_SUFFIXES.get(path.suffix.lower())
    try:
        if fmt is None:
            raise InputError("unsupported-format", f"{path.suffix or 'no extension'}: not one of {sorted(SUPPORTED_SUFFIXES)}")
        if fmt == "jsonl":
            yield from iter_jsonl(path, limits)
            return
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise InputError("too-large", f"{size} bytes, over the {limits.max_bytes}-byte limit")
        yield _READERS[fmt](source, path.read_bytes())
    except InputError as error:
        yield _quarantine(source, error)
    except OSError as exc:
        yield _quarantine(source, InputError("unreadable", f"{type(exc).__name__}: {exc.strerror or exc}"))
    except Exception as exc:  # a reader bug or a library failure: this input only, never the run
        yield _quarantine(source, InputError("reader-error", f"{type(exc).__name__}: {exc}"[:500]))


def ingest(source: str | os.PathLike[str], limits: IngestLimits = IngestLimits()) -> Iterator[RawDocument | QuarantineRecord]:
    """Stream every document of a source, in a stable order."""
    for item in iter_inputs(source):
        if isinstance(item, QuarantineRecord):
            yield item
        else:
            yield from read_path(item, limits)
