"""Clean: from a crawled page's text to the article, with a map back to the raw text.

Two passes: line rules drop page furniture (breadcrumbs, captions, widgets,
related-article lists; see data/clean_rules.yaml), then characters are
normalised (HTML entities, full-width ASCII, invisible and control
characters, whitespace). Nothing else is changed: misspellings stay.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from newsx.pipeline.offsets import MappedText
from newsx.schemas import Document, Provenance, RawDocument

# Invisible or direction-changing characters: never part of an article, and a bidi
# override (U+202E) could make output read differently from what it holds.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ENTITY = re.compile(r"&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_FULLWIDTH_ALNUM = str.maketrans(
    {chr(c): chr(c - 0xFEE0) for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}
)
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2000-\u200a]+")
_HIDDEN = re.compile(f"{_INVISIBLE.pattern}|{_CONTROL.pattern}")
_BLANK = re.compile(f"{_SPACES.pattern[:-1]}|{_HIDDEN.pattern}")


@dataclass(frozen=True)
class Rules:
    line_rules: tuple[tuple[str, re.Pattern[str]], ...]
    related_headings: re.Pattern[str]
    list_line: re.Pattern[str]


@cache
def load_rules() -> Rules:
    data = yaml.safe_load(resources.files("newsx.pipeline").joinpath("data/clean_rules.yaml").read_text("utf-8"))
    line_rules = tuple(
        (name, re.compile("|".join(f"(?:{p})" for p in patterns), re.I))
        for name, patterns in data["line_rules"].items()
    )
    return Rules(
        line_rules=line_rules,
        related_headings=re.compile("|".join(f"(?:{p})" for p in data["related_headings"]), re.I),
        list_line=re.compile("|".join(f"(?:{p})" for p in data["list_line"]), re.I),
    )


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, without its line break."""
    spans, start = [], 0
    for match in re.finditer(r"\r\n|\r|\n", text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _front_matter_end(text: str) -> int:
    """Length of a YAML front-matter block at the top of a plain-text page (0 if none)."""
    match = re.match(r"\A\ufeff?---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(\r?\n|\Z)", text, re.S)
    return match.end() if match else 0


def classify_lines(text: str) -> list[tuple[int, int, str | None]]:
    """Every line with the rule that drops it, or None where it is kept."""
    rules = load_rules()
    result: list[tuple[int, int, str | None]] = []
    skip_to = _front_matter_end(text)
    in_related = False
    for start, end in _lines(text):
        line = text[start:end].strip()
        if end <= skip_to:
            result.append((start, end, "front_matter"))
            continue
        if not line:
            result.append((start, end, None))
            continue
        reason = next((name for name, pattern in rules.line_rules if pattern.fullmatch(line)), None)
        if reason is None and rules.related_headings.fullmatch(line):
            in_related, reason = True, "related_list"
        elif reason is None and in_related:
            if rules.list_line.fullmatch(line):
                reason = "related_list"
            else:
                in_related = False
        result.append((start, end, reason))
    return result


def normalise_into(out: MappedText, raw: str, start: int, end: int, removed: Counter[str]) -> None:
    """Append raw[start:end] to `out`, character-normalised, keeping offsets."""
    position = start
    for match in _ENTITY.finditer(raw, start, end):
        _normalise_plain(out, raw, position, match.start(), removed)
        decoded = html.unescape(match.group(0))
        decoded = _SPACES.sub(" ", _INVISIBLE.sub("", _CONTROL.sub("", decoded))).translate(_FULLWIDTH_ALNUM)
        if decoded:
            out.append(decoded, match.start(), match.end())
        removed["html_entity"] += len(match.group(0)) - len(decoded)
        position = match.end()
    _normalise_plain(out, raw, position, end, removed)


def _normalise_plain(out: MappedText, raw: str, start: int, end: int, removed: Counter[str]) -> None:
    """Fold each run of spaces to one, and drop invisible and control characters."""
    position = start
    for match in _SPACES.finditer(raw, start, end):
        _copy_visible(out, raw, position, match.start(), removed)
        out.append(" ", match.start(), match.end())
        removed["whitespace"] += match.end() - match.start() - 1
        position = match.end()
    _copy_visible(out, raw, position, end, removed)


def _copy_visible(out: MappedText, raw: str, start: int, end: int, removed: Counter[str]) -> None:
    position = start
    for match in _HIDDEN.finditer(raw, start, end):
        out.append(raw[position : match.start()].translate(_FULLWIDTH_ALNUM), position)
        removed["invisible"] += match.end() - match.start()
        position = match.end()
    out.append(raw[position:end].translate(_FULLWIDTH_ALNUM), position)


def _strip_bounds(raw: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of raw[start:end] without leading and trailing spaces or invisible characters."""
    while start < end and _BLANK.match(raw, start):
        start += 1
    while end > start and _BLANK.match(raw, end - 1):
        end -= 1
    return start, end


def clean(raw: RawDocument, provenance: Provenance) -> Document:
    """Cleaned Document of a RawDocument: furniture dropped, text normalised, offsets mapped.

    Kept lines are joined by one line break; `removed` counts the raw
    characters each rule took out.
    """
    removed: Counter[str] = Counter()
    out = MappedText()
    text = raw.raw_text
    for start, end, reason in classify_lines(text):
        if reason is not None:
            removed[reason] += end - start
            continue
        first, last = _strip_bounds(text, start, end)
        removed["whitespace"] += (end - start) - (last - first)
        if first >= last:
            continue
        if len(out):
            out.append("\n", start, start)
        normalise_into(out, text, first, last, removed)
    return Document(
        document_id=raw.document_id,
        source=raw.source,
        external_id=raw.external_id,
        title=raw.title,
        author=raw.author,
        published=raw.published,
        text=out.text,
        offset_map=out.runs,
        removed=dict(sorted((rule, count) for rule, count in removed.items() if count > 0)),
        stages={"clean": "line rules + character normalisation"},
        provenance=provenance,
    )
