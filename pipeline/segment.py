"""Sentence segmentation of cleaned text, each sentence tagged with its language.

A line break always ends a sentence. Within a line, Chinese ends sentences
at 。！？!?； (with any closing quotes or brackets after them); Latin-script
text ends them at . ! ? followed by a space and a capital, except after the
usual abbreviations.
"""

from __future__ import annotations

import re

from newsx.pipeline.language import detect, ordered_languages
from newsx.schemas import Document, Segment

_CJK_END = re.compile(r"[。！？!?；;…]+[”’」』）)》\"']*")
_LATIN_END = re.compile(r"(?<=[.!?])[”’\"')\]]*\s+(?=[\"“‘(\[]?[A-Z0-9\u4e00-\u9fff])")
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Sr|Jr|St|Inc|Ltd|Co|Corp|vs|etc|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|U\.S|U\.K|e\.g|i\.e)|\b[A-Z])\.$"
)


def _split_line(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    cursor = start
    boundaries = sorted({m.end() for m in _CJK_END.finditer(text, start, end)} | {m.start() for m in _LATIN_END.finditer(text, start, end)})
    for boundary in boundaries:
        if boundary <= cursor or boundary >= end:
            continue
        if _ABBREVIATIONS.search(text[max(cursor, boundary - 8) : boundary].rstrip()):
            continue
        spans.append((cursor, boundary))
        cursor = boundary
    spans.append((cursor, end))
    result = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            result.append((s, e))
    return result


def segment(document: Document) -> Document:
    """Split each language segment into sentences, each tagged with its own language.

    `languages` then lists every language that has at least one whole sentence.
    """
    sentences = []
    for line in document.segments:
        for start, end in _split_line(document.text, line.start, line.end):
            language = line.language if (start, end) == (line.start, line.end) else detect(document.text[start:end])
            sentences.append(Segment(start=start, end=end, language=language))
    stages = {**document.stages, "segment": "punctuation rules"}
    return document.model_copy(
        update={"segments": sentences, "languages": ordered_languages({s.language for s in sentences}), "stages": stages}
    )
