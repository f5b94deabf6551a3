"""Traditional and Simplified Chinese: telling them apart, and Simplified text for the models.

The NER and event models are trained on Simplified Chinese, while offsets must
point into the cleaned original (`Document.text`). OpenCC's Traditional to
Simplified conversion (`t2s`, dictionaries bundled in the `opencc` wheel, no
download) maps every entry of its phrase and character dictionaries to a
string of the same length (checked for OpenCC 1.4.2: TSPhrases,
TSCharacters, TSCharactersExt and CJK_Compatibility_Ideographs have no
length-changing entry). So `simplified` keeps phrase-level conversion, which
picks the right character in context (乾隆 stays, 乾燥 becomes 干燥), and
guarantees `len(simplified(x)) == len(x)`: should a future dictionary change
a length, the text is converted character by character instead, keeping
unchanged any character whose conversion is not one character. Offsets into
the Simplified text are then offsets into the original, with no map.

Which script a text is in comes from OpenCC too: a character that `t2s`
changes but `s2t` does not exists only in Traditional text (發, 這, 鏡), one
that `s2t` changes but `t2s` does not exists only in Simplified text (发, 这,
镜). Characters shared by both scripts (公, 司, 人) say nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import opencc

from newsx.schemas import Document

TRADITIONAL = "zh-Hant"
SIMPLIFIED = "zh"
# The Han blocks of the Basic Multilingual Plane. The few hundred script-specific characters
# beyond it are left out: a character class with them is matched by a linear scan, 80 times slower.
_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


@dataclass(frozen=True)
class ScriptMarkers:
    """Regexes matching characters found in only one of the two scripts."""

    traditional: re.Pattern[str]
    simplified: re.Pattern[str]


def _char_class(chars: set[str]) -> re.Pattern[str]:
    return re.compile("[" + "".join(sorted(chars)) + "]")


@cache
def markers() -> ScriptMarkers:
    """Derive the script-specific characters from OpenCC itself (about 0.2 s, once per process)."""
    chars = [chr(code) for first, last in _HAN_RANGES for code in range(first, last + 1)]
    joined = "\n".join(chars)  # one character per line, so no phrase spans two of them
    to_simplified = _converter("t2s").convert(joined).split("\n")
    to_traditional = _converter("s2t").convert(joined).split("\n")
    changed_by_t2s = {char for char, out in zip(chars, to_simplified, strict=True) if out != char}
    changed_by_s2t = {char for char, out in zip(chars, to_traditional, strict=True) if out != char}
    return ScriptMarkers(
        traditional=_char_class(changed_by_t2s - changed_by_s2t),
        simplified=_char_class(changed_by_s2t - changed_by_t2s),
    )


def has_traditional(text: str) -> bool:
    """Whether any Traditional-only character occurs: when none does, the text is Simplified."""
    return markers().traditional.search(text) is not None


def script_of(text: str, default: str = SIMPLIFIED) -> str:
    """'zh-Hant' or 'zh' by which script's own characters are more numerous; `default` on a tie."""
    found = markers()
    traditional_count = len(found.traditional.findall(text))
    simplified_count = len(found.simplified.findall(text))
    if traditional_count == simplified_count:
        return default
    return TRADITIONAL if traditional_count > simplified_count else SIMPLIFIED


def simplified(text: str) -> str:
    """Simplified Chinese of `text`, with exactly as many characters, so offsets carry over unchanged."""
    converted = _converter("t2s").convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(_one_char(char) for char in text)


def _one_char(char: str) -> str:
    converted = _converter("t2s").convert(char)
    return converted if len(converted) == 1 else char


def model_text(document: Document) -> str:
    """The document text for models trained on Simplified Chinese: every zh-Hant segment converted.

    Same length as `document.text` and aligned with it character for
    character, so a span found in it is the same span of `document.text`.
    Other segments (Simplified, English, ...) are left exactly as they are.
    """
    pieces, cursor = [], 0
    for segment in document.segments:
        if segment.language == TRADITIONAL:
            pieces.append(document.text[cursor : segment.start])
            pieces.append(simplified(document.text[segment.start : segment.end]))
            cursor = segment.end
    if not pieces:
        return document.text
    pieces.append(document.text[cursor:])
    return "".join(pieces)
