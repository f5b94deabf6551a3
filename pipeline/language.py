"""Language identification of documents, lines and sentences.

Script decides first, because it is cheap and because lingua cannot tell a
Chinese sentence full of English names from an English one:

- Glosses say nothing about the sentence around them: text in parentheses
  (`米拉·穆拉蒂(Mira Murati)`, `Jack Ma (马云)`), links, e-mail addresses
  and @handles are set aside before counting (and used only when nothing
  else is left).
- A sentence with Han characters is Chinese unless it has more English
  grammar than Chinese: English grammar is lowercase words (`said`, `the`),
  since the Latin words of Chinese news are names (`Mark、Jakub和Josh将向我汇报`),
  which are capitalised. A Chinese word is about 1.7 characters.
- Chinese is `zh-Hant` when Traditional-only characters outnumber
  Simplified-only ones (see chinese_script), else `zh`.
- Latin-script text is English unless it holds a word or letter typical of
  another Latin-script language (`le`, `der`, `el`, `é`) that English
  function words do not outweigh; only then lingua (models ship in the
  package, no download) decides among those languages. One or two words (a
  name, `Sam`) are too few to tell: they take the language around them, the
  line's for a sentence and the document's main language for a line.

Speed matters (the pipeline reads megabytes a second): every test is a
compiled regex or a set lookup, the cheap ones first, and lingua runs only
on the rare Latin sentence that may not be English.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from newsx.pipeline.chinese_script import SIMPLIFIED, TRADITIONAL, has_traditional, script_of
from newsx.schemas import Document, Segment

UNKNOWN = "und"
ENGLISH = "en"
HAN_CHARS_PER_WORD = 1.7  # an average Chinese word is about this many characters
CAPITALISED_WORD_WEIGHT = 0.25  # a capitalised word is mostly a name, only sometimes English grammar
MIN_WORDS_TO_TELL = 3  # fewer Latin words than this take the language around them
LATIN_LANGUAGES = (
    Language.ENGLISH,
    Language.FRENCH,
    Language.GERMAN,
    Language.SPANISH,
    Language.PORTUGUESE,
    Language.ITALIAN,
    Language.DUTCH,
)

_LETTERS = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_KANA_CHARS = "\u3040-\u30ff"
_HANGUL_CHARS = "\uac00-\ud7af"
HAN = re.compile(f"[{HAN_CHARS}]")
_HAN_RUN = re.compile(f"[{HAN_CHARS}]+")
LATIN_LETTER = re.compile(f"[{_LETTERS}]")
_ANY_LETTER = re.compile(f"[{_LETTERS}{HAN_CHARS}{_KANA_CHARS}{_HANGUL_CHARS}]")
_NOT_LATIN_LETTER = re.compile(f"[{HAN_CHARS}{_KANA_CHARS}{_HANGUL_CHARS}]")
_KANA_OR_HANGUL = re.compile(f"[{_KANA_CHARS}{_HANGUL_CHARS}]")
_KANA = re.compile(f"[{_KANA_CHARS}]")
_HANGUL = re.compile(f"[{_HANGUL_CHARS}]")
_LINE = re.compile(r"\S(?:[^\n]*\S)?")  # a line without its leading and trailing spaces
_LATIN_WORD = re.compile(f"[{_LETTERS}]+(?:['’.-][{_LETTERS}]+)*")
_LOWERCASE_WORD = re.compile(f"(?<![{_LETTERS}])[a-z\u00df-\u00f6\u00f8-\u00ff]+(?![{_LETTERS}])")
_CAPITALISED_WORD = re.compile(f"(?<![{_LETTERS}])[A-Z\u00c0-\u00d6\u00d8-\u00de][{_LETTERS}]*")
_URL_CHARS = r"[A-Za-z0-9._~:/?#@!$&'*+,;=%-]"
# Parenthesised glosses, links, and @handles or e-mail domains (`press@example.com` leaves `press`).
_GLOSS = re.compile(rf"\([^()]*\)|（[^（）]*）|https?://{_URL_CHARS}+|www\.{_URL_CHARS}+|@[A-Za-z0-9_.-]+")
# Function words and letters of the other Latin-script languages that English text seldom has
# (names aside: `Charles de Gaulle`, `Tomás`), and English function words, which outweigh them in English.
_NOT_ENGLISH_WORDS = frozenset(
    "le la les des du de et est une pour dans qui sur avec pas au aux cette sont nous vous ont été"
    " der die das und ist nicht mit von den dem ein eine zu auf für sich auch wird hat im nach bei"
    " el los las y que es un por con para del se su al como más fue"
    " não uma da dos das em foi il lo gli di che della sono het een en van dat te zijn niet voor".split()
)
_NOT_ENGLISH_LETTER = re.compile("[àâçèéêëîïôùûüÿœæäößñáíóúãõìò]")
_ENGLISH_WORDS = frozenset(
    "the of and to in a an is was were be been has have had it its that this which who with by for from on at as"
    " said will would he she they his her their but not".split()
)
ENGLISH_WORDS_PER_CLUE = 3  # English function words that outweigh one word or letter of another language


@cache
def latin_detector() -> LanguageDetector:
    """One detector per process: its models load on first use (about 2 s), then a sentence takes under a millisecond."""
    return LanguageDetectorBuilder.from_languages(*LATIN_LANGUAGES).build()


def without_glosses(text: str) -> str:
    """The text without parenthesised glosses, links and handles (the text itself if that leaves no letter)."""
    if not _GLOSS.search(text):
        return text
    core = _GLOSS.sub(" ", text)
    return core if _ANY_LETTER.search(core) else text


def _has_not_english_clue(text: str, words: list[str]) -> bool:
    return not _NOT_ENGLISH_WORDS.isdisjoint(words) or _NOT_ENGLISH_LETTER.search(text) is not None


def _maybe_not_english(text: str, words: list[str]) -> bool:
    """Whether another Latin-script language's words or letters appear, not outweighed by English function words."""
    if not _has_not_english_clue(text, words):
        return False
    clues = 1 + sum(map(_NOT_ENGLISH_WORDS.__contains__, words))
    return sum(map(_ENGLISH_WORDS.__contains__, words)) < ENGLISH_WORDS_PER_CLUE * clues


def detect_latin(text: str) -> str | None:
    """Language of Latin-script text: English unless another language's words or letters appear
    and English function words do not outweigh them; then lingua.

    None when the text is too short to tell (a name, `Sam`), 'und' when it has no word.
    """
    words = _LATIN_WORD.findall(text)
    if not words:
        return UNKNOWN
    if len(words) < MIN_WORDS_TO_TELL:
        return None
    if not _maybe_not_english(text, words):
        return ENGLISH
    language = latin_detector().detect_language_of(text)
    return language.iso_code_639_1.name.lower() if language else ENGLISH


def _mostly_chinese(core: str) -> bool:
    """Whether the Han characters outweigh the English grammar (lowercase words; capitalised ones a little)."""
    if not _LOWERCASE_WORD.search(core):
        return True
    han = sum(map(len, _HAN_RUN.findall(core)))
    lowercase = len(_LOWERCASE_WORD.findall(core))
    capitalised = len(_CAPITALISED_WORD.findall(core))
    return han / HAN_CHARS_PER_WORD >= lowercase + CAPITALISED_WORD_WEIGHT * capitalised


def _japanese_or_korean(core: str) -> str | None:
    han = sum(map(len, _HAN_RUN.findall(core)))
    if len(_KANA.findall(core)) * 2 >= han:
        return "ja"
    if len(_HANGUL.findall(core)) > han:
        return "ko"
    return None


def chinese_script(text: str, chinese_default: str) -> str:
    """'zh' or 'zh-Hant' of a Chinese text; `chinese_default` when it has no character of either script alone."""
    if chinese_default == SIMPLIFIED and not has_traditional(text):
        return SIMPLIFIED
    return script_of(text, chinese_default)


def _detect(text: str, chinese_default: str) -> str | None:
    core = without_glosses(text)
    if _KANA_OR_HANGUL.search(core):
        other = _japanese_or_korean(core)
        if other:
            return other
    if HAN.search(core) and _mostly_chinese(core):
        return chinese_script(text, chinese_default)
    return detect_latin(core)


def detect(text: str, chinese_default: str = SIMPLIFIED, short_default: str = ENGLISH) -> str:
    """Language code of a piece of text: 'zh', 'zh-Hant', 'en', 'fr', ..., or 'und' when it has no letters.

    `chinese_default` is the script of Chinese text that has no character of
    either script alone (公司表示), `short_default` the language of Latin
    text too short to tell (`Sam`): both the surrounding text's.
    """
    return _detect(text, chinese_default) or short_default


def has_letter(text: str) -> bool:
    """Whether the text has a letter of any script this module knows (a sentence of digits and dashes has none)."""
    return _ANY_LETTER.search(text) is not None


def line_holds(line: str, language: str, chinese_default: str) -> bool:
    """Whether the line's language holds for each of its sentences that shows the line's script (see shows_script).

    So it is for a Simplified Chinese line with no lowercase Latin word, no
    kana or Hangul and no Traditional character, in a Simplified document;
    and for an English line with no other script and no word or letter of
    another Latin-script language. Those sentences then need no detection:
    detect would give the same answer.
    """
    if language == SIMPLIFIED:
        return (
            chinese_default == SIMPLIFIED
            and not _LOWERCASE_WORD.search(line)
            and not _KANA_OR_HANGUL.search(line)
            and not has_traditional(line)
        )
    if language == ENGLISH:
        return not _NOT_LATIN_LETTER.search(line) and not _has_not_english_clue(line, _LATIN_WORD.findall(line))
    return False


def shows_script(sentence: str, language: str) -> bool:
    """Whether a sentence of a line for which line_holds shows the line's script: Han outside parentheses, or Latin."""
    if language == ENGLISH:
        return LATIN_LETTER.search(sentence) is not None
    return HAN.search(sentence) is not None and "(" not in sentence and "（" not in sentence


def document_script(text: str) -> str:
    """The document's Chinese script, the default for its sentences that do not show theirs."""
    return script_of(text, SIMPLIFIED) if has_traditional(text) else SIMPLIFIED


def primary(code: str) -> str:
    """The language of a language tag, without its script: 'zh' for 'zh-Hant'."""
    return code.split("-", 1)[0]


def ordered_languages(codes: set[str]) -> list[str]:
    """Languages in a stable order: Chinese (zh, then zh-Hant), English, then the rest alphabetically."""
    return sorted(codes - {UNKNOWN}, key=lambda code: (code not in (SIMPLIFIED, TRADITIONAL), code != ENGLISH, code))


def main_language(spans: list[tuple[int, int, str | None]]) -> str:
    """The language of most characters among the spans whose language is known (English if none is)."""
    sizes: Counter[str] = Counter()
    for start, end, language in spans:
        if language and language != UNKNOWN:
            sizes[language] += end - start
    return min(sizes, key=lambda language: (-sizes[language], language)) if sizes else ENGLISH


def identify(document: Document) -> Document:
    """Tag each line of the cleaned text with its language; the segment stage refines to sentences.

    A line too short to tell (a lone name) takes the language of most of the document.
    """
    default = document_script(document.text)
    lines = [(line.start(), line.end(), _detect(line.group(), default)) for line in _LINE.finditer(document.text)]
    context = main_language(lines)
    segments = [Segment(start=start, end=end, language=language or context) for start, end, language in lines]
    stages = {**document.stages, "language": "script rules (Han; Traditional via OpenCC) + lingua for Latin text"}
    return document.model_copy(
        update={"segments": segments, "languages": ordered_languages({s.language for s in segments}), "stages": stages}
    )
