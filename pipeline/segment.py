"""Sentence segmentation of cleaned text, each sentence tagged with its language.

Rules, one compiled pattern scanned once per line (fast, no model):

- A line break always ends a sentence.
- Chinese (as HanLP's rule splitter): 。！？； end a sentence, and so do
  ! ? ; and … next to a Han character; closing quotes and brackets after
  them stay with the sentence (`他说：“……AGI。”` | `随后……`). An ASCII `"`
  is a closing quote only when it closes one opened in the sentence.
- Latin script: . ! ? (with closing quotes or brackets) end a sentence
  before a space and a capital, a digit or Chinese; not after a title
  (`Mr.`, `Dr.`), an initial (`J.`), an initialism (`U.S.`), `e.g.`, `vs.`,
  or before a number after a month or `No.` (`Jan. 2024`, `No. 3`). A
  decimal point (`$6.6 billion`) has no space after it.
- A quoted whole sentence in another language than the sentence around it
  is a sentence of its own (`拉曼写道:“Vector search belongs inside the
  lakehouse, not next to it.”`): the article holds a sentence in that
  language.

Each sentence keeps its line's language where detection is sure to give
the same answer (language.line_holds), and is detected on its own otherwise.
"""

from __future__ import annotations

import re

from newsx.pipeline import language
from newsx.schemas import Document, Segment

_HAN = language.HAN_CHARS
_CLOSERS = "”’」』）》〉)\\]\"'"
_BOUNDARY = re.compile(
    r"(?=[。！？；!?;.…])"  # every boundary starts with one of these: lets the regex engine skip to them
    rf"(?P<stop>[。！？；]+[{_CLOSERS}]*"
    rf"|(?<=[{_HAN}])(?:[!?;]+|…+|\.\.\.)[{_CLOSERS}]*"
    rf"|(?<![!?])[!?]+[{_CLOSERS}]*(?=[{_HAN}])"
    rf"|(?P<latin>(?<![.!?])[.!?]+|…)[”’\"')\]]*(?=\s+[“‘\"'(\[]*[A-Z0-9{_HAN}]))\s*"
)
# A run of stops is tried from its first character only (the lookbehinds): from inside the run the
# same greedy match would fail the same way, and trying it from every character is quadratic (`....`).

# Abbreviations after which a period does not end the sentence.
_TITLES = frozenset(
    "Mr Mrs Ms Mx Dr Prof Sen Rep Gov Gen Lt Col Sgt Capt Cmdr Adm Rev Hon Pres Supt Messrs Mme Mlle"
    " St Mt Ft Co vs v cf approx e.g i.e".split()
)
# Abbreviations that do not end the sentence when a number follows (`Jan. 2024`, `No. 3`).
_BEFORE_NUMBER = frozenset("Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec No Nos Vol Fig p pp Art Sec Ch".split())
_INITIALISM = re.compile(r"(?:[A-Z]\.)+[A-Z]|[A-Z]")  # U.S, U.K, E.U, or a name's initial J
_TOKEN_OPENERS = "(“‘\"'["
_QUOTE_CHARS = re.compile("[“”「」『』\"]")
_QUOTED_SENTENCE = re.compile(r"[“「『\"]([^“”「」『』\"]+?[.!?。！？…]+)[”」』\"]")


def _ends_latin_sentence(text: str, line_start: int, period: int, next_start: int) -> bool:
    """Whether the period at `period` ends a sentence, given the word before it and what starts at `next_start`."""
    token = text[text.rfind(" ", line_start, period) + 1 : period].lstrip(_TOKEN_OPENERS)
    if token in _TITLES or _INITIALISM.fullmatch(token):
        return False
    return not (token in _BEFORE_NUMBER and text[next_start : next_start + 2].lstrip(_TOKEN_OPENERS)[:1].isdigit())


def _stop_end(text: str, sentence_start: int, match: re.Match[str]) -> int:
    """Where the sentence ends: after the stop, less an ASCII `"` that opens the next sentence."""
    end = match.end("stop")
    if text[end - 1] == '"' and text.count('"', sentence_start, end) % 2:
        return end - 1
    return end


def _sentence_ends(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(end of a sentence, start of the next) for every sentence boundary inside the line text[start:end]."""
    cuts = []
    sentence_start = start
    for match in _BOUNDARY.finditer(text, start, end):
        if match.end() >= end:
            break
        if match.group("latin") == "." and not _ends_latin_sentence(text, start, match.start("latin"), match.end()):
            continue
        stop = _stop_end(text, sentence_start, match)
        next_start = match.end() if stop == match.end("stop") else stop
        cuts.append((stop, next_start))
        sentence_start = next_start
    return cuts


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentences of the line text[start:end] (which has no line break), as (start, end) offsets."""
    spans = []
    cursor = start
    for stop, next_start in _sentence_ends(text, start, end):
        if stop > cursor:
            spans.append((cursor, stop))
        cursor = next_start
    spans.append((cursor, end))
    return [piece for span in spans for piece in _split_foreign_quote(text, *span)]


def _split_foreign_quote(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentence, or its pieces around a quoted whole sentence in another language than the rest."""
    sentence = text[start:end]
    if not (_QUOTE_CHARS.search(sentence) and language.HAN.search(sentence) and language.LATIN_LETTER.search(sentence)):
        return [(start, end)]
    for quote in _QUOTED_SENTENCE.finditer(text, start, end):
        rest = text[start : quote.start()] + " " + text[quote.end() : end]
        if not language.has_letter(rest):
            continue
        if language.primary(language.detect(quote.group(1))) != language.primary(language.detect(rest)):
            after = _split_foreign_quote(text, quote.end(), end)
            pieces = [(start, quote.start()), (quote.start(), quote.end()), *after]
            return [(s, e) for s, e in (_strip(text, s, e) for s, e in pieces) if e > s]
    return [(start, end)]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _sentences_of_line(text: str, line: Segment, chinese_default: str) -> list[Segment]:
    spans = sentence_spans(text, line.start, line.end)
    if spans == [(line.start, line.end)]:
        return [line]
    holds = language.line_holds(text[line.start : line.end], line.language, chinese_default)
    sentences = []
    for start, end in spans:
        sentence = text[start:end]
        if holds and language.shows_script(sentence, line.language):
            tag = line.language
        else:
            tag = language.detect(sentence, chinese_default, line.language)
        sentences.append(Segment(start=start, end=end, language=tag))
    return sentences


def segment(document: Document) -> Document:
    """Split each line segment into sentences, each tagged with its own language.

    `languages` then lists every language that has at least one whole sentence.
    """
    chinese_default = language.document_script(document.text)
    sentences = [
        sentence for line in document.segments for sentence in _sentences_of_line(document.text, line, chinese_default)
    ]
    stages = {**document.stages, "segment": "punctuation rules (Chinese HanLP-like, Latin with abbreviations)"}
    return document.model_copy(
        update={
            "segments": sentences,
            "languages": language.ordered_languages({s.language for s in sentences}),
            "stages": stages,
        }
    )
