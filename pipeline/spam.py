"""Injected SEO spam: phrases spliced into an article's sentences by a hacked or scraped site.

Two kinds are found, both in Chinese text, where such injection is common:

- title fragments: the headline's characters chopped into short chunks and
  spliced into body sentences, chunk after chunk in headline order and round
  again (`大震荡总刚刚,裁停OpenAI联合创始人、工两高管…`);
- keyword phrases: one phrase (`某市某某电梯维修站`, a betting term) repeated
  verbatim across the page, spliced into sentences or prefixed to lines.

Nothing here lists spam strings. A splice is recognised by what it does to
the text and by the company it keeps:

- it reads as a splice: without it the sentence flows better under a
  character bigram model estimated from the Chinese NER training text and
  shipped in data/spam_bigrams.npz (`splice_gain`);
- a title chunk was cut out of the headline blindly: mid-word, often not a
  word itself, sometimes across the headline's punctuation;
- title chunks recur across the page in the headline's order: the page's
  pieces of the headline are linked into the best chain (each link goes on
  where the previous chunk stopped, wrapping round), and a page is attacked
  only when such a chain has four or more splices spelling out half of the
  headline; chunks next to a found one in the same sentence, in the
  headline's order, go with it;
- the article's own use of its headline words is not: a line or a lead
  sentence restating the headline (in its words, with others between) is
  set aside first;
- a keyword is repeated verbatim, alien to the page (its rarer characters
  used nowhere else), glued from unlikely bigrams, and on an attacked page
  shares sentences with the title chunks.

Removing real words is as bad as keeping spam: every rule needs several of
these signs at once; tests/test_spam.py measures precision and recall on its
own spliced test set and checks that real articles lose nothing. Cheap
checks come first (most pages are not attacked), and every search is linear
in the page (bounded phrase growth, windows, sorted spans).
"""

from __future__ import annotations

import json
import math
import re
import sys
from bisect import bisect_left, bisect_right, insort
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from itertools import islice
from importlib import resources
from pathlib import Path

import numpy as np

BIGRAM_FILE = "data/spam_bigrams.npz"
NER_TRAIN_GLOB = "*/train.jsonl"

# Symbols of the bigram model: one per Chinese character or punctuation mark,
# one class for Latin letters and one for digits (their identity says nothing
# about a splice), line start and end.
_BOS, _EOS, _LATIN, _DIGIT, _UNKNOWN = "\x02", "\x03", "A", "0", "\x00"
_DISCOUNT = 0.75  # absolute discounting, the usual value for sparse counts
PMI_CACHE_SIZE = 1 << 20  # bigrams whose PMI is kept

_HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN = re.compile(f"[{_HAN_CHARS}]")
_NOT_HAN = re.compile(f"[^{_HAN_CHARS}]+")
_CLAUSE_PUNCT = frozenset(",，。、;；!！?？:：“”‘’\"()（）《》「」『』【】…—")
_SEPARATORS = frozenset("-–—_|｜,，、:：·")
_OPENS_CLAUSE = frozenset({_BOS}) | _CLAUSE_PUNCT | _SEPARATORS  # what stands before a span that fills a clause
_CLOSES_CLAUSE = frozenset({_EOS}) | _CLAUSE_PUNCT | _SEPARATORS
_SPACES = frozenset(" \t\u00a0\u3000")
# Characters a repeated keyword never spans: it sits inside one clause.
_PHRASE_BREAKS = frozenset("\n,，。、;；!！?？“”\"()（）《》「」【】")
_BREAK_TABLE = np.zeros(0x10000, dtype=np.int8)
_BREAK_TABLE[[ord(c) for c in _PHRASE_BREAKS]] = 1
_NAME_DOT = frozenset("·•・")  # 马克·韦伯: a transliterated name, never an SEO keyword

MIN_TITLE_HAN = 4  # shorter headlines give too few chunks to recognise
SHORT_TITLE_HAN = 5  # a headline this short is spliced whole, not chopped
MAX_TITLE_HAN = 64
RESTATEMENT_PIECES = 4  # a sentence holding this many pieces of the headline in its order...
RESTATEMENT_COVERAGE = 0.6  # ...covering this share of it restates the headline
RESTATEMENT_SHARE = 0.6  # of the headline's length: a shorter run of its Chinese characters may be a chunk
CHAIN_WINDOW = 40  # how many earlier runs of title characters a chain may link back to
MIN_TITLE_COVERAGE = 0.5  # share of the headline an attack's chunks spell out
MIN_ATTACK_SPLICES = 4  # chunks reading as splices an attack needs
MIN_SPLICED_SHARE = 0.6  # of a chain's links
MAX_CHAIN_GAP = 4  # title characters a chain may skip between links: a one-character chunk, chunks the page lacks
GAP_COST = 0.5  # a link that skips characters counts half a fragment less
CUT_WEIGHT = 0.75  # evidence of a chunk cut out of the headline mid-word
COHESION_WEIGHT = 0.25  # evidence against a chunk that is a word by itself
MAX_COHESION = 6.0
EVIDENCE_BIAS = 0.5  # a fragment weighs nothing in a chain at this evidence
MIN_LINKED_EVIDENCE = -3.0  # a fragment in an attack's chain is a chunk above this
ATTACKED_MIN_GAIN = -1.5  # on an attacked page, a keyword reads no better than this where it stands inside a clause, once at least
SPLIT_COST = 0.5  # a chain takes a piece of a longer run of title characters only where it links better
MAX_CHUNK = 8  # characters of a title chunk beside other title characters that a split looks for
MAX_PLACES = 4  # places in the headline a piece of it is looked at in
MAX_SENTENCE_PIECES = 64  # title pieces of one sentence looked at together (bounds the work on a pathological page)
MIN_CHAIN_WEIGHT = 1.0  # of a further chain of an attack already found
FILL_MIN_EVIDENCE = 1.5  # a further occurrence of an attack's chunk, outside its chain, needs this
KEYWORD_GRAM = 4  # repeated keywords are found from repeated 4-character grams
MAX_PHRASE = 32  # characters: a repeated phrase grows no longer (keywords are short; a periodic page would grow one without end)
LATIN_LINE_HAN = 24  # Chinese characters of a line in which a repeated Chinese phrase may be alien by script
PREFIX_REACH = 64  # characters from the page's start in which a repeated phrase may be an SEO prefix
HEADLINE_SEPARATORS = frozenset("-–—_|｜")


# --- the bigram model ---


@lru_cache(maxsize=1 << 16)
def _symbol(char: str) -> str:
    """The model's symbol for a character: full-width folded, Latin and digits as classes."""
    code = ord(char)
    if 0xFF01 <= code <= 0xFF5E:
        char = chr(code - 0xFEE0)
    if char.isascii() and char.isalpha():
        return _LATIN
    if char.isascii() and char.isdigit():
        return _DIGIT
    return char


def _symbols(text: str) -> list[str]:
    return [_BOS, *(_symbol(char) for char in text if not char.isspace()), _EOS]


def build_bigram_table(sources: Iterable[Path], out: Path) -> dict[str, int]:
    """Count character bigrams of the texts in JSON Lines `sources` (field `text`) into `out` (.npz).

    Run once by a maintainer (`python -m newsx.pipeline.spam build DIR OUT`);
    the table ships with the package, the training text does not.
    """
    unigrams: Counter[str] = Counter()
    bigrams: Counter[tuple[str, str]] = Counter()
    for path in sorted(sources):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                symbols = _symbols(json.loads(line)["text"])
                unigrams.update(symbols)
                bigrams.update(zip(symbols, symbols[1:]))
    vocabulary = _UNKNOWN + "".join(sorted(unigrams))
    index = {symbol: i for i, symbol in enumerate(vocabulary)}
    size = len(vocabulary)
    keys = np.array(sorted(index[a] * size + index[b] for a, b in bigrams), dtype=np.int64)
    counts = np.array([bigrams[vocabulary[k // size], vocabulary[k % size]] for k in keys.tolist()], dtype=np.uint32)
    unigram_counts = np.array([unigrams.get(symbol, 0) for symbol in vocabulary], dtype=np.uint32)
    np.savez_compressed(
        out, vocabulary=np.array(vocabulary), keys=keys.astype(np.int32), counts=counts, unigrams=unigram_counts
    )
    return {"symbols": size, "bigrams": len(keys), "characters": int(unigram_counts.sum())}


class BigramModel:
    """Character bigram probabilities, absolutely discounted and interpolated with unigrams.

    Plain dicts and lists, not arrays: the detector asks for one bigram at a
    time, and a dict lookup is far cheaper than an array search.
    """

    def __init__(
        self,
        index: dict[str, int],
        counts: dict[int, int],
        context_total: list[float],
        context_types: list[int],
        unigram_log: list[float],
    ) -> None:
        self.index = index
        self.size = len(index)
        self.counts = counts
        self.context_total = context_total
        self.context_types = context_types
        self.unigram_log = unigram_log
        self._pmi: dict[tuple[str, str], float] = {}
        self.cohesion: dict[str, float] = {}  # of phrases (see _cohesion): the same names come back page after page

    def log_prob(self, previous: str, current: str) -> float:
        a, b = self.index.get(previous, 0), self.index.get(current, 0)
        total = self.context_total[a]
        if total == 0:
            return self.unigram_log[b]
        count = self.counts.get(a * self.size + b, 0)
        unigram = math.exp(self.unigram_log[b])
        probability = max(count - _DISCOUNT, 0.0) / total + _DISCOUNT * self.context_types[a] / total * unigram
        return math.log(probability)

    def pmi(self, previous: str, current: str) -> float:
        """How much more likely `current` is after `previous` than anywhere (log ratio)."""
        pair = (previous, current)
        value = self._pmi.get(pair)
        if value is None:
            if len(self._pmi) >= PMI_CACHE_SIZE:
                self._pmi.clear()
            value = self._pmi[pair] = self.log_prob(previous, current) - self.unigram_log[self.index.get(current, 0)]
        return value


@cache
def load_model() -> BigramModel:
    with resources.files("newsx.pipeline").joinpath(BIGRAM_FILE).open("rb") as handle:
        data = np.load(handle)
        vocabulary = str(data["vocabulary"])
        keys, counts, unigrams = data["keys"].astype(np.int64), data["counts"], data["unigrams"]
    size = len(vocabulary)
    contexts = keys // size
    total = float(unigrams.sum())
    return BigramModel(
        index={symbol: i for i, symbol in enumerate(vocabulary)},
        counts=dict(zip(keys.tolist(), counts.tolist(), strict=True)),
        context_total=np.bincount(contexts, weights=counts, minlength=size).tolist(),
        context_types=np.bincount(contexts, minlength=size).tolist(),
        unigram_log=np.log((unigrams.astype(np.float64) + 1.0) / (total + size)).tolist(),
    )


# --- splice evidence ---


@dataclass(frozen=True)
class SpamSpan:
    start: int
    end: int
    rule: str


class _Page:
    """The text being searched, with the spans already judged spam, which contexts skip."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.removed: list[tuple[int, int]] = []

    def remove(self, start: int, end: int) -> None:
        insort(self.removed, (start, end))

    def _skip(self, position: int, step: int) -> int:
        """First position from `position` in direction `step` that is neither a space nor removed."""
        text, removed = self.text, self.removed
        while 0 <= position < len(text):
            at = bisect_right(removed, (position, len(text) + 1)) - 1 if removed else -1
            if at >= 0 and removed[at][0] <= position < removed[at][1]:
                position = removed[at][1] if step > 0 else removed[at][0] - 1
            elif text[position] in _SPACES:
                position += step
            else:
                break
        return position

    def neighbour(self, position: int, step: int) -> tuple[str, int]:
        """The model symbol next to a span (line start or end at a line break) and where it is."""
        position = self._skip(position, step)
        if not 0 <= position < len(self.text) or self.text[position] == "\n":
            return (_BOS if step < 0 else _EOS), position
        return _symbol(self.text[position]), position

    def is_standalone(self, start: int, end: int) -> bool:
        """The span fills a clause: punctuation or a line edge on both sides."""
        left, _ = self.neighbour(start - 1, -1)
        right, _ = self.neighbour(end, 1)
        return left in _OPENS_CLAUSE and right in _CLOSES_CLAUSE

    def splice_gain(self, model: BigramModel, start: int, end: int) -> float:
        """Log-likelihood ratio that text[start:end] was spliced in rather than written there.

        PMI of the join the text would have without the span, minus the PMI of
        the span's two edges. A word in its sentence has natural edges and an
        odd join; a splice has odd edges and a natural join. A span between
        punctuation and punctuation is judged by the text after that
        punctuation, which would then be dropped too.
        """
        left, _ = self.neighbour(start - 1, -1)
        right, right_at = self.neighbour(end, 1)
        joined = right
        if (left == _BOS or left in _CLAUSE_PUNCT) and (right in _CLAUSE_PUNCT or right in _SEPARATORS):
            joined, _ = self.neighbour(right_at + 1, 1)
        first, last = _symbol(self.text[start]), _symbol(self.text[end - 1])
        return model.pmi(left, joined) - model.pmi(left, first) - model.pmi(last, right)


def _han_count(text: str) -> int:
    return len(_HAN.findall(text))


# --- repeated keyword phrases ---


def _repeated_phrases(text: str, every: bool = True) -> list[str]:
    """Maximal phrases repeated verbatim within one clause, seeded by repeated 4-grams with Chinese in them.

    Without `every`, only those that a page not attacked may call keywords (see _is_keyword): three
    times or more, near the page's start (a prefix), or in lines that are mostly not Chinese.
    """
    if len(text) < 2 * KEYWORD_GRAM:
        return []
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    han = ((codes >= 0x3400) & (codes <= 0x9FFF)).astype(np.int8)
    breaks = _BREAK_TABLE[np.minimum(codes, 0xFFFF)]
    width = len(codes) - KEYWORD_GRAM + 1
    hashes = np.zeros(width, dtype=np.uint64)
    han_in_gram = np.zeros(width, dtype=np.int8)
    breaks_in_gram = np.zeros(width, dtype=np.int8)
    for offset in range(KEYWORD_GRAM):
        hashes = hashes * np.uint64(1_000_003) + codes[offset : offset + width]
        han_in_gram += han[offset : offset + width]
        breaks_in_gram += breaks[offset : offset + width]
    candidates = np.flatnonzero((han_in_gram >= 2) & (breaks_in_gram == 0))
    if len(candidates) < 2:
        return []
    order = candidates[np.argsort(hashes[candidates], kind="stable")]
    sorted_hashes = hashes[order]
    edges = np.concatenate(([0], np.flatnonzero(np.diff(sorted_hashes) != 0) + 1, [len(order)]))
    sizes = np.diff(edges)
    repeated = np.flatnonzero(sizes >= 2)
    if not every:
        firsts, lasts = order[edges[repeated]], order[edges[repeated + 1] - 1]
        line_starts = np.concatenate(([0], np.flatnonzero(codes == 10) + 1))
        han_before = np.concatenate(([0], np.cumsum(han, dtype=np.int64)))
        line_han = np.diff(np.concatenate((han_before[line_starts], [han_before[-1]])))
        latin_lines = (line_han[np.searchsorted(line_starts, firsts, side="right") - 1] <= LATIN_LINE_HAN) & (
            line_han[np.searchsorted(line_starts, lasts, side="right") - 1] <= LATIN_LINE_HAN
        )
        repeated = repeated[(sizes[repeated] >= 3) | (firsts < PREFIX_REACH) | latin_lines]
    phrases: dict[str, None] = {}
    covered: set[int] = set()  # gram starts inside a phrase already found: their groups give it again
    for group in repeated.tolist():
        positions = sorted(order[edges[group] : edges[group + 1]].tolist())
        if positions[0] in covered:
            continue
        extent = _common_extension(text, positions)
        if extent is None:
            continue
        left, right = extent
        for position in positions:
            covered.update(range(position - left, position + right - KEYWORD_GRAM + 1))
        phrase = text[positions[0] - left : positions[0] + right].strip()
        if phrase:
            phrases.setdefault(phrase, None)
    return list(phrases)


def _common_extension(text: str, positions: list[int]) -> tuple[int, int] | None:
    """How far (left, right of each gram start) every occurrence of a repeated gram shares its text, within its clause."""
    first = positions[0]
    if any(text[p : p + KEYWORD_GRAM] != text[first : first + KEYWORD_GRAM] for p in positions):
        return None  # a hash collision
    left = 0
    while (
        KEYWORD_GRAM + left < MAX_PHRASE
        and all(p - left - 1 >= 0 and text[p - left - 1] == text[first - left - 1] for p in positions)
        and text[first - left - 1] not in _PHRASE_BREAKS
    ):
        left += 1
    right = KEYWORD_GRAM
    while (
        right + left < MAX_PHRASE
        and all(p + right < len(text) and text[p + right] == text[first + right] for p in positions)
        and text[first + right] not in _PHRASE_BREAKS
    ):
        right += 1
    return left, right


def _occurrences(text: str, phrase: str) -> list[tuple[int, int]]:
    """Where the phrase stands in the text, not overlapping."""
    found, at = [], text.find(phrase)
    while at >= 0:
        found.append((at, at + len(phrase)))
        at = text.find(phrase, at + len(phrase))
    return found


def _novelty(model: BigramModel, text: str, phrase: str, occurrences: int) -> float:
    """How alien a phrase is to its page: the share of its Chinese characters, weighted by rarity, used nowhere else.

    Rare characters weigh most: an injected `某市某某空调维修中心` may share
    `市` or `中心` with the article, never its rare ones.
    """
    weights = {char: -float(model.unigram_log[model.index.get(char, 0)]) for char in set(_HAN.findall(phrase))}
    total = sum(weights.values())
    if not total:
        return 0.0
    novel = sum(w for char, w in weights.items() if text.count(char) <= occurrences * phrase.count(char))
    return novel / total


def _opens_line(page: _Page, start: int, end: int) -> str | None:
    """The separator after a span that opens its line (`关键词 - 标题`, `关键词,正文`), else None."""
    left, _ = page.neighbour(start - 1, -1)
    right, _ = page.neighbour(end, 1)
    return right if left == _BOS and right in _SEPARATORS - {":", "：", "·"} else None


def _in_chinese_free_lines(text: str, occurrences: list[tuple[int, int]]) -> bool:
    """The lines of a phrase's occurrences have no other Chinese: a Chinese phrase inside English text."""
    breaks = [m.start() for m in re.finditer("\n", text)]
    by_line: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for start, end in occurrences:
        line = bisect_right(breaks, start)
        bounds = (breaks[line - 1] + 1 if line else 0, breaks[line] if line < len(breaks) else len(text))
        by_line[bounds].append((start, end))
    for (line_start, line_end), inside in by_line.items():
        if any(_HAN.search(text, low, high) for low, high in _subtract_spans(line_start, line_end, inside)):
            return False
    return True


def _cohesion(model: BigramModel, phrase: str) -> float:
    """PMI of the phrase's weakest inner join: low where separate words were glued together."""
    cached = model.cohesion.get(phrase)
    if cached is None:
        if len(model.cohesion) >= PMI_CACHE_SIZE:
            model.cohesion.clear()
        symbols = [_symbol(char) for char in phrase if not char.isspace()]
        cached = model.cohesion[phrase] = min((model.pmi(a, b) for a, b in zip(symbols, symbols[1:])), default=0.0)
    return cached


class KeywordEvidence:
    """What is known about a repeated phrase, each fact worked out when first asked for (most phrases are
    decided by the cheap ones)."""

    def __init__(self, page: _Page, model: BigramModel, phrase: str, occurrences: list[tuple[int, int]]) -> None:
        self.page, self.model, self.phrase, self.occurrences = page, model, phrase, occurrences
        self.han = _han_count(phrase)
        self.beside_fragment = False  # an occurrence shares its sentence with a title fragment found on the page
        self.in_headline = False  # the headline holds it: what the article is about

    @cached_property
    def prefix_separators(self) -> list[str | None]:
        return [_opens_line(self.page, s, e) for s, e in self.occurrences]

    @cached_property
    def gains(self) -> list[float]:
        """Of the occurrences inside a clause; one that fills a clause says nothing."""
        page = self.page
        return [page.splice_gain(self.model, s, e) for s, e in self.occurrences if not page.is_standalone(s, e)]

    @cached_property
    def novelty(self) -> float:
        return _novelty(self.model, self.page.text, self.phrase, len(self.occurrences))

    @cached_property
    def in_latin_text(self) -> bool:
        return _in_chinese_free_lines(self.page.text, self.occurrences)

    @cached_property
    def cohesion(self) -> float:
        """The phrase's least likely inner bigram (PMI)."""
        return _cohesion(self.model, self.phrase)


def _keyword_evidence(page: _Page, model: BigramModel, phrase: str) -> KeywordEvidence | None:
    """Evidence about a repeated phrase, or None where it is not repeated outside the spans already removed."""
    if _han_count(phrase) < 2 or any(c in _NAME_DOT for c in phrase):
        return None
    removed = _merged(page.removed)
    occurrences = [(s, e) for s, e in _occurrences(page.text, phrase) if not _overlaps(removed, s, e)]
    return KeywordEvidence(page, model, phrase, occurrences) if len(occurrences) >= 2 else None


def _is_keyword(evidence: KeywordEvidence, page_attacked: bool) -> bool:
    """Decide a repeated phrase: pieced together, alien to the page, spliced where it stands inside a clause.

    A phrase that opens every line it is on, the headline before a dash or
    bar among them, is an SEO prefix (`关键词 - 标题`, then `关键词,正文`).
    Otherwise it needs five or more Chinese characters joined somewhere by an
    unlikely bigram (an injector's template, `市某某`, `调维`; a name or a set
    phrase such as `首席执行官` is cohesive throughout) and an occurrence
    inside a clause, unless it is Chinese in Latin text, alien by script. On a
    page whose title was chopped and spliced (the same injector adds
    keywords) a phrase half alien to the page that reads as a splice once
    will do, or one mostly alien that shares a sentence with a title
    fragment and reads not much better where it stands; elsewhere it must be
    mostly alien, read as a splice at every occurrence inside a clause, come
    three times, and not be a piece of the headline (the article's subject).
    The cheap facts are asked first.
    """
    if evidence.occurrences[0][0] == 0:
        separators = evidence.prefix_separators
        if all(separators) and separators[0] in HEADLINE_SEPARATORS:
            return True
    if evidence.han < 5:
        return False
    if not page_attacked and len(evidence.occurrences) < 3 and not evidence.in_latin_text:
        return False
    if not evidence.gains:
        return False
    if evidence.in_latin_text:
        return True
    if (evidence.in_headline and not page_attacked) or evidence.cohesion >= 0:
        return False
    if page_attacked:
        if max(evidence.gains) > 0:
            return evidence.novelty >= 0.5
        return evidence.beside_fragment and max(evidence.gains) > ATTACKED_MIN_GAIN and evidence.novelty >= 0.75
    return min(evidence.gains) > 0 and evidence.novelty >= 0.75


def _find_keywords(
    page: _Page, model: BigramModel, phrases: list[str], key: str, fragments: list[SpamSpan] | None = None
) -> list[SpamSpan]:
    """Occurrences of the repeated phrases judged keywords, longest phrases first, not overlapping.

    `key`: the headline's title key; `fragments`: the title fragments found on the page, when it was attacked.
    """
    spans: list[SpamSpan] = []
    ends = _sentence_ends(page.text) if fragments else []
    attacked_sentences = {bisect_right(ends, span.start) for span in fragments or ()}
    for phrase in sorted(phrases, key=lambda p: (-len(p), p)):
        evidence = _keyword_evidence(page, model, phrase)
        if evidence is None:
            continue
        evidence.beside_fragment = any(bisect_right(ends, start) in attacked_sentences for start, _ in evidence.occurrences)
        evidence.in_headline = title_key(phrase) in key
        if not _is_keyword(evidence, page_attacked=fragments is not None):
            continue
        for start, end in evidence.occurrences:
            page.remove(start, end)
            spans.append(SpamSpan(start, end, "spam_keyword"))
    return spans


# --- title fragments ---


class _Fragment(NamedTuple):  # a tuple: made by the ten thousand on a long page
    start: int  # in the page
    end: int
    key_start: int  # in the title key
    key_end: int
    gain: float  # splice_gain where it stands
    cut: float  # PMI of the title bigram its chunk boundaries cut through (the larger): high where a word was cut
    cohesion: float  # of its own characters (see _cohesion): high for a word
    split: bool = False  # part of a longer run of title characters

    @property
    def length(self) -> int:
        return self.end - self.start

    @property
    def evidence(self) -> float:
        """How much the fragment looks spliced: it reads as a splice where it stands, and its chunk was cut
        out of the headline mid-word rather than being a word of it (a word the article may well use).
        """
        return self.gain + CUT_WEIGHT * self.cut - COHESION_WEIGHT * min(self.cohesion, MAX_COHESION)

    @property
    def weight(self) -> float:
        """What the fragment adds to a chain: up to one for a clear splice, less than nothing for a word in its sentence."""
        return (max(min(self.evidence, 3.0), -3.0) - EVIDENCE_BIAS) / 3.0 - (SPLIT_COST if self.split else 0.0)


def title_key(title: str) -> str:
    """The headline's Chinese characters, in order: injectors chop it so, across punctuation."""
    return "".join(_HAN.findall(title))[:MAX_TITLE_HAN]


def _restatements(text: str, headline: str, key: str) -> list[tuple[int, int]]:
    """Spans that restate the headline (its Chinese characters in order, as much else between as the
    headline has), and lines that are a piece of it.

    Never spliced text: the headline line itself, a lead sentence that opens with it.
    """
    least = RESTATEMENT_SHARE * len(headline.strip())
    han = _NOT_HAN.sub("", text)
    spans = []
    at = han.find(key)
    places: list[int] = []  # where the Chinese characters stand, read as far as needed
    characters = _HAN.finditer(text)
    while at >= 0:
        places.extend(m.start() for m in islice(characters, max(0, at + len(key) - len(places))))
        start, end = places[at], places[at + len(key) - 1] + 1
        if end - start >= least and text.find("\n", start, end) < 0:
            spans.append((start, end))
        at = han.find(key, at + 1)
    for line in re.finditer(r"[^\n]+", text):
        if len(line.group()) <= 2 * MAX_TITLE_HAN:
            han = _NOT_HAN.sub("", line.group())
            if 4 <= len(han) <= len(key) and han in key:
                spans.append(line.span())
    return sorted(spans)


def _fragment_candidates(
    page: _Page, model: BigramModel, headline: str, key: str, gate: bool = True
) -> list[list[_Fragment]]:
    """Maximal runs of body text that are pieces (2+ characters) of the title key, in page order, and
    their halves (a chunk spliced next to title characters of the sentence).

    One list per run: a piece the key holds more than once is a fragment of each place. With `gate`,
    none where the pieces could not make an attack (see _is_attack), found before the costlier evidence.
    """
    text = page.text
    pieces = [
        (low, high, split, _places(key, text[low:high]))
        for low, high, split in _spans_with_halves(text, key, _title_pieces(text, key, _restatements(text, headline, key) + page.removed))
    ]
    pieces = _without_restating_sentences(text, pieces, len(key), _title_joins(headline))
    if gate:
        whole = [(low, high, places) for low, high, split, places in pieces if not split]
        covered = {k for low, high, places in whole for i in places for k in range(i, i + high - low)}
        if len(whole) < MIN_ATTACK_SPLICES or len(covered) < MIN_TITLE_COVERAGE * len(key):
            return []  # not even every piece together makes an attack
        chainable = [(low, high, places) for low, high, _, places in pieces]
        if _longest_chain(chainable, len(key), MIN_ATTACK_SPLICES) < MIN_ATTACK_SPLICES:
            return []  # nor do they follow one another in the headline's order
    joins = [model.pmi(_symbol(a), _symbol(b)) for a, b in zip(key, key[1:])]
    result: list[list[_Fragment]] = []
    for low, high, split, places in pieces:
        gain = page.splice_gain(model, low, high)
        cohesion = _cohesion(model, text[low:high])
        run = []
        for i in places:
            j = i + high - low
            cut = max((joins[k - 1] for k in (i, j) if 0 < k < len(key)), default=0.0)
            run.append(_Fragment(low, high, i, j, gain, cut, cohesion, split))
        result.append(run)
    if gate and not _is_attack([f for run in result for f in run], key, any_chain=True):
        return []  # not even every fragment together shows an attack: no chain of them can
    result.sort(key=lambda run: (run[0].start, run[0].end))
    return result


def _longest_chain(pieces: list[tuple[int, int, list[int]]], key_length: int, enough: int) -> int:
    """How many pieces (start, end, places), in page order, at most go on through the title as a chain may
    (counting stops at `enough`)."""
    nodes = [(number, i, i + end - start) for number, (start, end, places) in enumerate(pieces) for i in places]
    numbers = [number for number, _, _ in nodes]
    lengths = [1] * len(nodes)
    for b, (number, key_start, _) in enumerate(nodes):
        for a in range(bisect_left(numbers, number - CHAIN_WINDOW), bisect_left(numbers, number)):
            if lengths[a] >= lengths[b] and (key_start - nodes[a][2]) % key_length <= MAX_CHAIN_GAP:
                lengths[b] = lengths[a] + 1
                if lengths[b] >= enough:
                    return lengths[b]
    return max(lengths, default=0)


def _places(key: str, piece: str) -> list[int]:
    """The starts of `piece` in `key` (the first few: a headline seldom holds a piece more than twice)."""
    places, at = [], key.find(piece)
    while at >= 0 and len(places) < MAX_PLACES:
        places.append(at)
        at = key.find(piece, at + 1)
    return places


def _title_pieces(text: str, key: str, masked: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Maximal runs (2+ characters) of text that are pieces of the key, outside the masked spans, greedily from the left."""
    masked = _merged(masked)
    spans = []
    for start, stop in _runs_of(text, key):
        while start < stop - 1:
            # the longest piece from start: every prefix of a piece of the key is one too, so grow it
            end = start + 1
            while end < stop and text[start : end + 1] in key:
                end += 1
            if end == start + 1:
                start += 1
                continue
            if not _overlaps(masked, start, end):
                spans.append((start, end))
            start = end
    return spans


def _runs_of(text: str, characters: str) -> list[tuple[int, int]]:
    """(start, stop) of the runs of two or more of `characters` (Chinese) in text, by a code point table
    (str.translate with a table is ten times slower, a character class costs a compile per headline)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    table = np.zeros(0x10000, dtype=np.bool_)
    table[np.frombuffer(characters.encode("utf-32-le"), dtype=np.uint32)] = True
    edges = np.flatnonzero(np.diff(table[np.minimum(codes, 0xFFFF)], prepend=False, append=False)).tolist()
    return [(start, stop) for start, stop in zip(edges[::2], edges[1::2]) if stop - start >= 2]


def _spans_with_halves(text: str, key: str, spans: list[tuple[int, int]]) -> list[tuple[int, int, bool]]:
    """Each span, then its prefixes and suffixes of two or more characters that are pieces of the key (marked split).

    Only of spans up to twice a chunk's length, split into a chunk and the rest: a longer run of the
    headline's characters is the article quoting it, not a chunk beside a word.
    """
    result = []
    for start, end in spans:
        result.append((start, end, False))
        if end - start > 2 * MAX_CHUNK:
            continue
        for k in range(start + 2, end - 1):
            if text[start:k] in key:
                result.append((start, k, True))
            if text[k:end] in key:
                result.append((k, end, True))
    return result


def _title_joins(title: str) -> frozenset[int]:
    """Positions k of the title key whose characters k-1 and k stand side by side in the title."""
    places = [m.start() for m in _HAN.finditer(title)][:MAX_TITLE_HAN]
    return frozenset(k for k in range(1, len(places)) if places[k] == places[k - 1] + 1)


def _without_restating_sentences(
    text: str, pieces: list[tuple[int, int, bool, list[int]]], key_length: int, joins: frozenset[int]
) -> list[tuple[int, int, bool, list[int]]]:
    """The pieces (start, end, split, places in the key) less those of sentences that restate the headline in other words.

    A lead sentence often repeats the headline's words in its order with
    others between (`镜湖智能今日宣布完成5亿元B轮融资,由远川资本领投`); an
    injector splices two or three chunks into a sentence, not most of the
    headline in four or more pieces, or chops it blindly: a piece that runs
    across the headline's punctuation (`大震荡!总裁` gives `大震荡总`) is
    never the article's own wording.
    """
    ends = _sentence_ends(text)
    by_sentence: dict[int, list[tuple[int, int, bool, list[int]]]] = defaultdict(list)
    for piece in pieces:
        by_sentence[bisect_right(ends, piece[0])].append(piece)
    restating = set()
    for sentence, members in by_sentence.items():
        if not RESTATEMENT_PIECES <= len(members) <= MAX_SENTENCE_PIECES or any(
            k not in joins for start, end, _, places in members for i in places for k in range(i + 1, i + end - start)
        ):
            continue
        # the most title characters a sequence of pieces covers in the title's order (no wrapping round)
        nodes = [(start, end, i, i + end - start) for start, end, _, places in members for i in places]
        best: list[tuple[int, int]] = []  # (covered characters, pieces) of a sequence ending at each node
        for b, (start, _, key_start, key_end) in enumerate(nodes):
            covered, count = key_end - key_start, 1
            for a in range(b):
                if nodes[a][1] <= start and nodes[a][3] <= key_start and best[a][0] + key_end - key_start > covered:
                    covered, count = best[a][0] + key_end - key_start, best[a][1] + 1
            best.append((covered, count))
        if any(count >= RESTATEMENT_PIECES and covered >= RESTATEMENT_COVERAGE * key_length for covered, count in best):
            restating.add(sentence)
    if not restating:
        return pieces
    return [piece for piece in pieces if bisect_right(ends, piece[0]) not in restating]


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping ones merged: what _overlaps searches."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of the spans (sorted and disjoint: see _merged)."""
    at = bisect_right(spans, (end, -1)) - 1
    return at >= 0 and spans[at][1] > start


def _best_chain(candidates: Sequence[list[_Fragment]], key_length: int) -> list[_Fragment]:
    """The page-ordered run of fragments that goes on through the title chunk after chunk, spliced ones counting most.

    Each link starts where the previous fragment stopped in the title,
    wrapping round to its start (an injector repeats the whole headline); a
    link that skips a character or two (a one-character chunk, a chunk the
    page lacks) costs one fragment's weight.
    """
    nodes = [(number, fragment) for number, run in enumerate(candidates) for fragment in run]
    weights = [fragment.weight for _, fragment in nodes]
    scores = list(weights)
    previous = [-1] * len(nodes)
    numbers = [number for number, _ in nodes]
    key_starts = [fragment.key_start for _, fragment in nodes]
    key_ends = [fragment.key_end for _, fragment in nodes]
    for b, number in enumerate(numbers):
        low, high = bisect_left(numbers, number - CHAIN_WINDOW), bisect_left(numbers, number)
        key_start, weight, best, best_at = key_starts[b], weights[b], scores[b], -1
        for a in range(low, high):
            gap = (key_start - key_ends[a]) % key_length
            if gap > MAX_CHAIN_GAP:
                continue
            score = scores[a] + weight - (GAP_COST if gap else 0.0)
            if score > best:
                best, best_at = score, a
        scores[b], previous[b] = best, best_at
    if not nodes:
        return []
    at = max(range(len(nodes)), key=lambda k: (scores[k], -k))
    chain = []
    while at >= 0:
        chain.append(nodes[at][1])
        at = previous[at]
    return chain[::-1]


def _is_attack(chain: list[_Fragment], key: str, any_chain: bool = False) -> bool:
    """Whether a chain shows an attack: four or more links, most of them splices, spelling out most of the headline.

    With `any_chain`, `chain` is every fragment of a page, in no order: whether some chain of them could
    (four spliced runs of the page, together covering enough of the headline; no share asked).

    A headline's words an article repeats (names, `总裁`) are few, read
    naturally where they stand, and seldom follow one another in the
    headline's order; an injector's chunks do all three. A short headline
    (five characters or fewer) is spliced whole, again and again.
    """
    spliced = [f for f in chain if f.evidence > 0]
    covered = {k for f in spliced for k in range(f.key_start, f.key_end)}
    distinct = len({(f.key_start, f.key_end) for f in spliced})
    links = len({(f.start, f.end) for f in spliced}) if any_chain else len(spliced)  # a chain takes a run once
    return (
        links >= MIN_ATTACK_SPLICES
        and (any_chain or len(spliced) >= MIN_SPLICED_SHARE * len(chain))
        and len(covered) >= MIN_TITLE_COVERAGE * len(key)
        and (distinct >= 3 or len(key) <= SHORT_TITLE_HAN)
    )


def _find_fragments(
    page: _Page, model: BigramModel, key: str, candidates: list[list[_Fragment]], chunks: set[str] | None = None
) -> tuple[list[SpamSpan], set[str]]:
    """The chunks of an attack: the chain's links that do not read as written there, and each further
    occurrence of a chunk the chain holds that reads as a splice. With `chunks` (an attack already
    found), only the further occurrences of those.
    """
    found: set[tuple[int, int]] = set()
    if chunks is None:
        chain = _best_chain(candidates, len(key))
        if not _is_attack(chain, key):
            return [], set()
        # An injector starts at the headline's start: links before the chain first gets there may be the article's words.
        head = next((k for k, fragment in enumerate(chain) if fragment.key_start <= MAX_CHAIN_GAP), 0)
        if head and _is_attack(chain[head:], key):
            chain = chain[head:]
        while chain:
            found |= {(f.start, f.end) for f in chain if f.evidence > MIN_LINKED_EVIDENCE}
            # the rest of the attack: chains broken where chunks are missing
            taken = _merged(found)
            candidates_left = [run for run in candidates if not _overlaps(taken, run[0].start, run[0].end)]
            chain = _best_chain(candidates_left, len(key))
            if len(chain) < 2 or sum(f.weight for f in chain) < MIN_CHAIN_WEIGHT:
                break
        chunks = {page.text[start:end] for start, end in found}
    for run in candidates:
        fragment = run[0]
        if (fragment.start, fragment.end) in found or page.text[fragment.start : fragment.end] not in chunks:
            continue
        if fragment.evidence > FILL_MIN_EVIDENCE:
            found.add((fragment.start, fragment.end))
    found |= _neighbouring_chunks(page.text, candidates, found, len(key))
    for start, end in sorted(found):
        page.remove(start, end)
    return [SpamSpan(start, end, "spam_title_fragment") for start, end in sorted(found)], chunks


def _neighbouring_chunks(
    text: str, candidates: list[list[_Fragment]], found: set[tuple[int, int]], key_length: int
) -> set[tuple[int, int]]:
    """Pieces of the title that continue, in the same sentence, a chunk already found, the way the title does.

    An injector splices two or three consecutive chunks into one sentence; a
    chunk that is also a word (`企业`, `今年`) may read naturally where it
    landed, but it still stands next to its neighbour in the headline's order.
    """
    ends = _sentence_ends(text)
    by_sentence: dict[int, dict[tuple[int, int], list[_Fragment]]] = defaultdict(dict)
    for run in candidates:
        by_sentence[bisect_right(ends, run[0].start)][run[0].start, run[0].end] = run
    added: set[tuple[int, int]] = set()
    for members in by_sentence.values():
        chosen = [span for span in members if span in found]
        if not chosen or len(members) > MAX_SENTENCE_PIECES:
            continue  # a sentence of that many title pieces is no ordinary text: its chain decides
        changed = True
        while changed:
            changed = False
            for span, run in members.items():
                if span in found or span in added or run[0].evidence <= MIN_LINKED_EVIDENCE:
                    continue
                for other in chosen:
                    before = other[0] >= span[1]
                    if any(
                        (f.key_end % key_length == g.key_start) if before else (g.key_end % key_length == f.key_start)
                        for f in run
                        for g in members[other]
                    ):
                        added.add(span)
                        chosen.append(span)
                        changed = True
                        break
    return added


def _sentence_ends(text: str) -> list[int]:
    return [m.end() for m in re.finditer(r"[。！？!?\n]", text)]


# --- the whole page ---


def _first_line(page: _Page) -> str:
    """The first line of the page with spam already found taken out: usually the headline."""
    removed = sorted(page.removed)
    for line in re.finditer(r"[^\n]+", page.text):
        kept = "".join(page.text[start:end] for start, end in _subtract_spans(line.start(), line.end(), removed))
        if kept.strip():
            return kept
    return ""


def _subtract_spans(start: int, end: int, removed: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """[start, end) less the sorted spans `removed`, as pieces."""
    pieces = []
    at = max(bisect_right(removed, (start, start)) - 1, 0)
    for low, high in removed[at:]:
        if low >= end:
            break
        if high <= start:
            continue
        if low > start:
            pieces.append((start, low))
        start = max(start, high)
    if start < end:
        pieces.append((start, end))
    return pieces


def _absorb_separators(text: str, span: SpamSpan) -> SpamSpan:
    """Widen a span over the separator it leaves dangling: `关键词 - 标题`, `关键词,正文`, `标题 - 关键词`."""
    start, end = span.start, span.end
    if _blank_to_line_edge(text, start - 1, -1):
        while end < len(text) and text[end] != "\n" and (text[end] in _SPACES or text[end] in _SEPARATORS):
            end += 1
    elif _blank_to_line_edge(text, end, 1):
        while start > 0 and text[start - 1] != "\n" and (text[start - 1] in _SPACES or text[start - 1] in _SEPARATORS):
            start -= 1
    return SpamSpan(start, end, span.rule)


def _blank_to_line_edge(text: str, position: int, step: int) -> bool:
    """Whether only blanks stand from `position` to the line's edge in direction `step` (read no further than the first other character)."""
    while 0 <= position < len(text) and text[position] != "\n":
        if not text[position].isspace():
            return False
        position += step
    return True


def find_spam(text: str, title: str | None = None) -> list[SpamSpan]:
    """Spans of `text` (an article's kept lines joined by line breaks) that are injected spam.

    `title` is the headline when known; otherwise the first line, with any
    keyword prefix removed, stands for it.
    """
    if not _HAN.search(text):
        return []
    model = load_model()
    page = _Page(text)
    phrases = _repeated_phrases(text, every=False)
    first_line = text[: text.find("\n")] if "\n" in text else text
    spans = _find_keywords(page, model, phrases, title_key(title if title is not None else first_line))
    headline = title if title is not None else _first_line(page)
    key = title_key(headline)
    if len(key) >= MIN_TITLE_HAN:
        fragments, chunks = _find_fragments(page, model, key, _fragment_candidates(page, model, headline, key))
        if fragments:
            spans += fragments
            spans += _find_keywords(page, model, _repeated_phrases(text), key, fragments)
            spans += _find_fragments(page, model, key, _fragment_candidates(page, model, headline, key, gate=False), chunks)[0]
    merged: list[SpamSpan] = []  # a chunk found whole and in halves, a separator taken by two spans: once
    for span in sorted((_absorb_separators(text, span) for span in spans), key=lambda s: (s.start, s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = SpamSpan(last.start, max(last.end, span.end), last.rule)
        else:
            merged.append(span)
    return merged


def main(argv: Sequence[str]) -> int:
    """`python -m newsx.pipeline.spam build NER_DIR OUT.npz`: rebuild the shipped bigram table."""
    if len(argv) != 3 or argv[0] != "build":
        print(main.__doc__, file=sys.stderr)
        return 2
    print(build_bigram_table(Path(argv[1]).glob(NER_TRAIN_GLOB), Path(argv[2])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
