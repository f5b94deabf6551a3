"""Language identification of documents and their segments.

Han script decides Chinese: a Chinese sentence routinely carries Latin-script
names (`米拉·穆拉蒂(Mira Murati)宣布离职`), so a segment is Chinese when its
Han characters outweigh its Latin words. Latin-script text goes to lingua,
whose models ship inside the package (no download).
"""

from __future__ import annotations

import re
from functools import cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from newsx.schemas import Document, Segment

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+(?:['’.-][A-Za-z\u00c0-\u024f]+)*")
HAN_CHARS_PER_WORD = 1.7  # an average Chinese word is about this many characters
LATIN_LANGUAGES = (Language.ENGLISH, Language.FRENCH, Language.GERMAN, Language.SPANISH, Language.PORTUGUESE, Language.ITALIAN, Language.DUTCH)
UNKNOWN = "und"


@cache
def latin_detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*LATIN_LANGUAGES).build()


def detect(text: str) -> str:
    """ISO 639-1 code of a piece of text ('zh', 'en', ...), or 'und' when it has no letters."""
    han = len(_HAN.findall(text))
    kana = len(_KANA.findall(text))
    if kana and kana * 2 >= han:
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    latin_words = _LATIN_WORD.findall(text)
    if han and han / HAN_CHARS_PER_WORD >= len(latin_words):
        return "zh"
    if not latin_words:
        return "zh" if han else UNKNOWN
    if len(latin_words) < 3:
        return "en"  # a name or a headline fragment: too short to tell; English is the Latin-script default here
    language = latin_detector().detect_language_of(text)
    return language.iso_code_639_1.name.lower() if language else "en"


def ordered_languages(codes: set[str]) -> list[str]:
    """Languages in a stable order: Chinese, English, then the rest alphabetically."""
    return sorted(codes - {UNKNOWN}, key=lambda code: (code != "zh", code != "en", code))


def identify(document: Document) -> Document:
    """Tag each line of the cleaned text with its language; the segment stage refines to sentences."""
    segments = [
        Segment(start=line.start(), end=line.end(), language=detect(line.group()))
        for line in re.finditer(r"[^\n]+", document.text)
    ]
    stages = {**document.stages, "language": "Han script share + lingua (bundled models)"}
    return document.model_copy(
        update={"segments": segments, "languages": ordered_languages({s.language for s in segments}), "stages": stages}
    )
