"""Clean: from a crawled page's text to the article, with a map back to the raw text.

Three passes: line rules drop page furniture (breadcrumbs, captions,
widgets, related-article lists; see data/clean_rules.yaml) and, inside kept
lines, markdown markup and trailing bare links; the spam detector (spam.py)
takes out injected SEO phrases; then characters are normalised (HTML
entities, full-width ASCII, invisible and control characters, whitespace).
Nothing else is changed: misspellings stay.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from newsx.pipeline.offsets import MappedText
from newsx.pipeline.spam import find_spam
from newsx.schemas import Document, Provenance, RawDocument

# Invisible or direction-changing characters: never part of an article, and a bidi
# override (U+202E) could make output read differently from what it holds.
_INVISIBLE = re.compile("[\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad\ufff9-\ufffb\U000e0000-\U000e007f]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ENTITY = re.compile(r"&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_FULLWIDTH_ALNUM = str.maketrans(
    {chr(c): chr(c - 0xFEE0) for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}
)
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2000-\u200a]+")
_HIDDEN = re.compile(f"{_INVISIBLE.pattern}|{_CONTROL.pattern}")
# Blanks that change: a run of two or more, or one that is not a plain space (a lone space stays as it is).
_SPACES_TO_FOLD = re.compile(r"[ \t\u00a0\u3000\u2000-\u200a]{2,}|[\t\u00a0\u3000\u2000-\u200a]")
# Anything normalisation changes; a piece without any is copied as it is.
_TO_NORMALISE = re.compile(
    f"{_ENTITY.pattern}|{_SPACES_TO_FOLD.pattern}|{_HIDDEN.pattern}|[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]"
)
_BLANK = re.compile(f"{_SPACES.pattern[:-1]}|{_HIDDEN.pattern}")

# Markdown markup, dropped from kept lines of markdown input: block prefixes
# (quote marks, heading hashes, bullets), images, the bracket and URL halves
# of links, strong-emphasis and code marks. Each group is one dropped piece.
_MARKDOWN_BLOCK = re.compile(r"^[ \t]*(?:(?:>[ \t]?)+|#{1,6}[ \t]+|[-*+][ \t]+)+", re.M)
# Linear on any line: a link text never holds a bracket and a URL never an unbalanced parenthesis, so
# every attempt stops at the next delimiter instead of scanning to the end of the line (which made a
# line of many `[` or `](` quadratic).
_URL = r"(?:[^()\n]|\([^()\n]*\))"  # one level of parentheses: `wiki/Foo_(bar)`
_MARKDOWN_INLINE = re.compile(
    rf"(!\[[^\[\]\n]*\]\({_URL}*\))"  # an image: all of it
    rf"|(\[)(?=[^\[\]\n]+\]\({_URL}+\))"  # a link's opening bracket
    rf"|(?<=[^\[\n])(\]\({_URL}+\))"  # a link's closing bracket and URL
    r"|(\*\*|__|`)"
)
# A URL closing a line after a space: the bare short link of an embedded post (see _trailing_link).
_LINK_AT_END = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Rules:
    line_rules: tuple[tuple[str, re.Pattern[str]], ...]
    any_line_rule: re.Pattern[str]  # all of them in one pattern, a named group per rule, in order
    related_headings: re.Pattern[str]
    list_line: re.Pattern[str]
    trailer_headings: re.Pattern[str]
    trailer_max_lines: int


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


@cache
def load_rules() -> Rules:
    data = yaml.safe_load(resources.files("newsx.pipeline").joinpath("data/clean_rules.yaml").read_text("utf-8"))
    return Rules(
        line_rules=tuple((name, _alternation(patterns)) for name, patterns in data["line_rules"].items()),
        any_line_rule=re.compile(
            "|".join(f"(?P<{name}>{_alternation(patterns).pattern})" for name, patterns in data["line_rules"].items()),
            re.I,
        ),
        related_headings=_alternation(data["related_headings"]),
        list_line=_alternation(data["list_line"]),
        trailer_headings=_alternation(data["trailer_headings"]),
        trailer_max_lines=int(data["trailer_max_lines"]),
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


def is_markdown(raw: RawDocument) -> bool:
    """Markdown input, or a text file that opens with front matter (a markdown page saved as text)."""
    return raw.format == "md" or (raw.format == "txt" and _front_matter_end(raw.raw_text) > 0)


def _markdown_view(line: str) -> str:
    """A line as it reads with markdown markup removed, for the line rules."""
    line = _MARKDOWN_BLOCK.sub("", line)
    return _MARKDOWN_INLINE.sub(lambda m: "", line).strip()


def classify_lines(text: str, markdown: bool = False) -> list[tuple[int, int, str | None]]:
    """Every line with the rule that drops it, or None where it is kept."""
    rules = load_rules()
    spans = _lines(text)
    views = [text[start:end].strip() for start, end in spans]
    if markdown:
        views = [_markdown_view(view) for view in views]
    result: list[tuple[int, int, str | None]] = []
    skip_to = _front_matter_end(text)
    in_related = False
    trailer_from = _trailer_start(views, rules)
    for number, ((start, end), line) in enumerate(zip(spans, views, strict=True)):
        if end <= skip_to:
            result.append((start, end, "front_matter"))
            continue
        if not line:
            result.append((start, end, None))
            continue
        if number >= trailer_from:
            result.append((start, end, "byline"))
            continue
        match = rules.any_line_rule.fullmatch(line)
        reason = match.lastgroup if match else None
        if reason is None and rules.related_headings.fullmatch(line):
            in_related, reason = True, "related_list"
        elif reason is None and in_related:
            if rules.list_line.fullmatch(line):
                reason = "related_list"
            else:
                in_related = False
        result.append((start, end, reason))
    return result


def _trailer_start(views: list[str], rules: Rules) -> int:
    """Index of a by-line heading that opens an author or outlet block closing the page (len(views) if none).

    Such a heading (`Singapore Reporter/s`) and the few lines after it, up to
    the end, are about the outlet, not the story.
    """
    filled = [i for i, view in enumerate(views) if view]
    for position in filled[-(rules.trailer_max_lines + 1) :]:
        if rules.trailer_headings.fullmatch(views[position]):
            return position
    return len(views)


def _inline_drops(text: str, start: int, end: int, markdown: bool) -> list[tuple[int, int, str]]:
    """Pieces of a kept line that go: markdown markup and a trailing bare link."""
    drops: list[tuple[int, int, str]] = []
    position = start
    if markdown:
        block = _MARKDOWN_BLOCK.match(text, start, end)
        if block and block.end() > start:
            drops.append((start, block.end(), "markdown"))
            position = block.end()
        for match in _MARKDOWN_INLINE.finditer(text, position, end):
            group = next(i for i in range(1, 5) if match.group(i) is not None)
            drops.append((match.start(group), match.end(group), "image_file" if group == 1 else "markdown"))
    link = _trailing_link(text, position, end)
    if link and not any(s < link[1] and link[0] < e for s, e, _ in drops):
        drops.append((*link, "bare_link"))
    return sorted(drops)


def _trailing_link(text: str, start: int, end: int) -> tuple[int, int] | None:
    """A URL that closes text[start:end] after spaces or tabs, with those blanks: (start, end), else None.

    Found from the line's end backwards, in linear time (a search from each blank was quadratic on a
    line of blanks).
    """
    blank = max(text.rfind(" ", start, end), text.rfind("\t", start, end))
    if blank < 0 or not _LINK_AT_END.fullmatch(text, blank + 1, end):
        return None
    first = blank
    while first > start and text[first - 1] in " \t":
        first -= 1
    return first, end


def _subtract(pieces: list[tuple[int, int]], drops: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Raw pieces with the dropped intervals cut out (both sorted)."""
    kept: list[tuple[int, int]] = []
    for start, end in pieces:
        for drop_start, drop_end in drops:
            if drop_end <= start or drop_start >= end:
                continue
            if drop_start > start:
                kept.append((start, drop_start))
            start = max(start, drop_end)
        if start < end:
            kept.append((start, end))
    return kept


@dataclass
class _Kept:
    """The kept pieces of the page, line by line, and the text they read as together."""

    lines: list[list[tuple[int, int]]]

    def joined(self, raw: str) -> tuple[str, list[tuple[int, int]]]:
        """The pieces joined (lines by a line break) and the (joined_start, raw_start) of each piece."""
        parts: list[str] = []
        starts: list[tuple[int, int]] = []
        length = 0
        for number, pieces in enumerate(self.lines):
            if number:
                parts.append("\n")
                length += 1
            for start, end in pieces:
                starts.append((length, start))
                parts.append(raw[start:end])
                length += end - start
        return "".join(parts), starts


def _remove_spam(raw: str, kept: _Kept, title: str | None, removed: Counter[str]) -> _Kept:
    """Kept pieces less the injected spam the detector finds in the text they make."""
    joined, starts = kept.joined(raw)
    spans = find_spam(joined, title)
    if not spans:
        return kept
    drops: list[tuple[int, int]] = []
    for span in spans:
        removed[span.rule] += len(joined[span.start : span.end].replace("\n", ""))
        drops.extend(_to_raw(starts, joined, span.start, span.end))
    drops.sort()
    return _Kept([piece for piece in (_subtract(pieces, drops) for pieces in kept.lines) if piece])


def _to_raw(starts: list[tuple[int, int]], joined: str, start: int, end: int) -> list[tuple[int, int]]:
    """Raw intervals of joined[start:end], one per piece it touches."""
    intervals = []
    at = bisect_right(starts, (start, float("inf"))) - 1
    while at < len(starts) and starts[at][0] < end:
        piece_start, raw_start = starts[at]
        piece_end = starts[at + 1][0] if at + 1 < len(starts) else len(joined)
        low, high = max(start, piece_start), min(end, piece_end)
        if low < high:
            intervals.append((raw_start + low - piece_start, raw_start + high - piece_start))
        at += 1
    return intervals


def _trim(raw: str, pieces: list[tuple[int, int]], removed: Counter[str]) -> list[tuple[int, int]]:
    """Pieces without blanks at the line's ends or doubled where two pieces meet."""
    trimmed: list[tuple[int, int]] = []
    after_blank = True  # the line start counts as a blank: no leading spaces
    for start, end in pieces:
        first = start
        if after_blank:
            while first < end and _BLANK.match(raw, first):
                first += 1
        removed["whitespace"] += first - start
        if first < end:
            trimmed.append((first, end))
            after_blank = bool(_BLANK.match(raw, end - 1))
    while trimmed:
        start, end = trimmed[-1]
        last = end
        while last > start and _BLANK.match(raw, last - 1):
            last -= 1
        removed["whitespace"] += end - last
        if last > start:
            trimmed[-1] = (start, last)
            break
        trimmed.pop()
    return trimmed


def normalise_into(out: MappedText, raw: str, start: int, end: int, removed: Counter[str]) -> None:
    """Append raw[start:end] to `out`, character-normalised, keeping offsets."""
    if not _TO_NORMALISE.search(raw, start, end):
        out.append(raw[start:end], start)  # most pieces: nothing to change
        return
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
    for match in _SPACES_TO_FOLD.finditer(raw, start, end):
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


_CREDIT_LINE = re.compile(
    r"\s*(?:作者|编辑|編輯|责编|責編|撰文|记者|記者|文|采写|采访)\s*[:：|｜丨/]?\s*"
    r"((?:[\u4e00-\u9fff·]{2,4})(?:\s*[ 、,，]\s*[\u4e00-\u9fff·]{2,4}){0,3})\s*"
    r"|\s*By\s+([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){1,2}(?:\s*(?:,|and)\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){1,2})*)\s*"
)
_CREDIT_SEPARATOR = re.compile(r"\s*(?:[ 、,，]|\band\b)\s*")


def byline_names(line: str) -> list[str]:
    """The people a byline line credits: `作者香草` -> [香草], `文|袁滢靓 常敏潇`, `By Eleanor Price`."""
    match = _CREDIT_LINE.fullmatch(line.strip())
    if match is None:
        return []
    if match.group(1):
        return [name for name in _CREDIT_SEPARATOR.split(match.group(1)) if name]
    return [name.strip() for name in re.split(r"\s*,\s*|\s+and\s+", match.group(2)) if name.strip()]


def clean(raw: RawDocument, provenance: Provenance) -> Document:
    """Cleaned Document of a RawDocument: furniture and spam dropped, text normalised, offsets mapped.

    Kept lines are joined by one line break; `removed` counts the raw
    characters each rule took out.
    """
    removed: Counter[str] = Counter()
    text = raw.raw_text
    markdown = is_markdown(raw)
    lines: list[list[tuple[int, int]]] = []
    credits: list[str] = []
    for start, end, reason in classify_lines(text, markdown):
        if reason is not None:
            removed[reason] += end - start
            if reason == "byline":
                credits.extend(byline_names(text[start:end]))
            continue
        drops = _inline_drops(text, start, end, markdown)
        for drop_start, drop_end, rule in drops:
            removed[rule] += drop_end - drop_start
        pieces = _trim(text, _subtract([(start, end)], [(s, e) for s, e, _ in drops]), removed)
        if pieces:
            lines.append(pieces)
    kept = _remove_spam(text, _Kept(lines), raw.title, removed)
    out = MappedText()
    for pieces in kept.lines:
        pieces = _trim(text, pieces, removed)
        if not pieces:
            continue
        if len(out):
            out.append("\n", pieces[0][0], pieces[0][0])
        for start, end in pieces:
            normalise_into(out, text, start, end, removed)
    return Document(
        document_id=raw.document_id,
        source=raw.source,
        external_id=raw.external_id,
        title=raw.title,
        author=raw.author,
        credits=list(dict.fromkeys(credits)),
        published=raw.published,
        text=out.text,
        offset_map=out.runs,
        removed=dict(sorted((rule, count) for rule, count in removed.items() if count > 0)),
        stages={"clean": "line rules + markdown + spam detection + character normalisation"},
        provenance=provenance,
    )
