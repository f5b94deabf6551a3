"""Injected SEO spam: phrases spliced into an article's sentences by a hacked or scraped site.

Two kinds are found, both in Chinese text, where such injection is common:

- title fragments: the headline's characters chopped into short chunks and
  spliced into body sentences, chunk after chunk in headline order
  (`大震荡总刚刚,裁停OpenAI联合创始人、工两高管…`);
- keyword phrases: one phrase (`某市某某电梯维修站`, a betting term) repeated
  verbatim across the page, spliced into sentences or prefixed to lines.

Nothing here lists spam strings. A splice is recognised by what it does to
the text: read without it, the sentence flows better (a character bigram
model, estimated from the Chinese NER training text and shipped in
data/spam_bigrams.npz, scores the joins); its characters repeat the title's
in order, chunk after chunk, or it repeats verbatim while sharing nothing
with the rest of the page. Removing real words is as bad as keeping spam, so
every rule needs several signs at once, and a title-fragment rule fires only
when the chunks of a page spell out most of the headline.
"""

from __future__ import annotations

import json
import re
import sys
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
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

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CLAUSE_PUNCT = frozenset(",，。、;；!！?？:：“”‘’\"()（）《》「」『』【】…—")
_SEPARATORS = frozenset("-–—_|｜,，、:：·")
_SPACES = frozenset(" \t\u00a0\u3000")
# Characters a repeated keyword never spans: it sits inside one clause.
_PHRASE_BREAKS = frozenset("\n,，。、;；!！?？“”\"()（）《》「」【】")
_NAME_DOT = frozenset("·•・")  # 马克·韦伯: a transliterated name, never an SEO keyword

MIN_TITLE_HAN = 6  # shorter headlines give too few chunks to recognise
MAX_TITLE_HAN = 64
CHAIN_WINDOW = 40  # how many earlier fragment candidates a chain may link back to
MIN_TITLE_COVERAGE = 0.6  # share of the headline an attack's chunks spell out
MIN_CUT_COHESION = 1.0  # PMI of a title bigram that makes a chunk boundary there a cut through a word
MAX_CHAIN_GAP = 4  # title characters a chain may skip between links: chunks the page lacks
KEYWORD_GRAM = 4  # repeated keywords are found from repeated 4-character grams
HEADLINE_SEPARATORS = frozenset("-–—_|｜")
FRAGMENT_MIN_GAIN = 0.0  # an attack's chunk goes where the sentence reads better without it


# --- the bigram model ---


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


@dataclass(frozen=True, eq=False)
class BigramModel:
    """Character bigram probabilities, absolutely discounted and interpolated with unigrams."""

    index: dict[str, int]
    size: int
    keys: np.ndarray
    counts: np.ndarray
    context_total: np.ndarray
    context_types: np.ndarray
    unigram_log: np.ndarray

    def log_prob(self, previous: str, current: str) -> float:
        a, b = self.index.get(previous, 0), self.index.get(current, 0)
        unigram = float(np.exp(self.unigram_log[b]))
        total = float(self.context_total[a])
        if total == 0:
            return float(self.unigram_log[b])
        key = a * self.size + b
        at = int(np.searchsorted(self.keys, key))
        count = float(self.counts[at]) if at < len(self.keys) and self.keys[at] == key else 0.0
        probability = max(count - _DISCOUNT, 0.0) / total + _DISCOUNT * float(self.context_types[a]) / total * unigram
        return float(np.log(probability))

    def pmi(self, previous: str, current: str) -> float:
        """How much more likely `current` is after `previous` than anywhere (log ratio)."""
        return _pmi(self, previous, current)


@lru_cache(maxsize=1 << 18)
def _pmi(model: BigramModel, previous: str, current: str) -> float:
    return model.log_prob(previous, current) - float(model.unigram_log[model.index.get(current, 0)])


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
        size=size,
        keys=keys,
        counts=counts,
        context_total=np.bincount(contexts, weights=counts, minlength=size),
        context_types=np.bincount(contexts, minlength=size),
        unigram_log=np.log((unigrams.astype(np.float64) + 1.0) / (total + size)),
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
        self.removed.append((start, end))
        self.removed.sort()

    def _skip(self, position: int, step: int) -> int:
        """First position from `position` in direction `step` that is neither a space nor removed."""
        text = self.text
        while 0 <= position < len(text):
            at = bisect_right(self.removed, (position, len(text) + 1)) - 1
            if at >= 0 and self.removed[at][0] <= position < self.removed[at][1]:
                position = self.removed[at][1] if step > 0 else self.removed[at][0] - 1
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
        return left in (_BOS, *_CLAUSE_PUNCT, *_SEPARATORS) and right in (_EOS, *_CLAUSE_PUNCT, *_SEPARATORS)

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


def _line_bounds(text: str, position: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return start, len(text) if end < 0 else end


# --- repeated keyword phrases ---


def _repeated_phrases(text: str) -> list[str]:
    """Maximal phrases repeated verbatim within one clause, seeded by repeated 4-grams with Chinese in them."""
    if len(text) < 2 * KEYWORD_GRAM:
        return []
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    han = ((codes >= 0x3400) & (codes <= 0x9FFF)).astype(np.int8)
    breaks = np.isin(codes, np.array([ord(c) for c in _PHRASE_BREAKS], dtype=np.uint64)).astype(np.int8)
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
    repeated = np.flatnonzero(np.diff(edges) >= 2)
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
    while all(p - left - 1 >= 0 and text[p - left - 1] == text[first - left - 1] for p in positions) and (
        text[first - left - 1] not in _PHRASE_BREAKS
    ):
        left += 1
    right = KEYWORD_GRAM
    while all(p + right < len(text) and text[p + right] == text[first + right] for p in positions) and (
        text[first + right] not in _PHRASE_BREAKS
    ):
        right += 1
    return left, right


def _occurrences(text: str, phrase: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(re.escape(phrase), text)]


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


def _in_chinese_free_line(text: str, start: int, end: int) -> bool:
    """The span's line has no other Chinese: a Chinese phrase inside English text."""
    line_start, line_end = _line_bounds(text, start)
    return not _HAN.search(text, line_start, start) and not _HAN.search(text, end, line_end)


def _cohesion(model: BigramModel, phrase: str) -> float:
    """PMI of the phrase's weakest inner join: low where separate words were glued together."""
    symbols = [_symbol(char) for char in phrase if not char.isspace()]
    return min((model.pmi(a, b) for a, b in zip(symbols, symbols[1:])), default=0.0)


@dataclass(frozen=True)
class KeywordEvidence:
    phrase: str
    occurrences: list[tuple[int, int]]
    gains: list[float]  # of the occurrences inside a clause; one that fills a clause says nothing
    novelty: float
    prefix_separators: list[str | None]
    in_latin_text: bool
    cohesion: float  # the phrase's least likely inner bigram (PMI)


def _keyword_evidence(page: _Page, model: BigramModel, phrase: str) -> KeywordEvidence | None:
    """Evidence about a repeated phrase, or None where no rule could call it a keyword (checked cheaply first)."""
    if _han_count(phrase) < 2 or any(c in _NAME_DOT for c in phrase):
        return None
    occurrences = [
        (s, e) for s, e in _occurrences(page.text, phrase) if not any(rs < e and s < re for rs, re in page.removed)
    ]
    if len(occurrences) < 2:
        return None
    separators = [_opens_line(page, s, e) for s, e in occurrences]
    if _han_count(phrase) < 5 and not all(separators):
        return None
    return KeywordEvidence(
        phrase=phrase,
        occurrences=occurrences,
        gains=[page.splice_gain(model, s, e) for s, e in occurrences if not page.is_standalone(s, e)],
        novelty=_novelty(model, page.text, phrase, len(occurrences)),
        prefix_separators=separators,
        in_latin_text=all(_in_chinese_free_line(page.text, s, e) for s, e in occurrences),
        cohesion=_cohesion(model, phrase),
    )


def _is_keyword(evidence: KeywordEvidence, page_attacked: bool) -> bool:
    """Decide a repeated phrase: pieced together, alien to the page, spliced where it stands inside a clause.

    A phrase that opens every line it is on, the headline before a dash or
    bar among them, is an SEO prefix (`关键词 - 标题`, then `关键词,正文`).
    Otherwise it needs five or more Chinese characters joined somewhere by an
    unlikely bigram (an injector's template, `市某某`, `调维`; a name or a set
    phrase such as `首席执行官` is cohesive throughout) and an occurrence
    inside a clause, unless it is Chinese in Latin text, alien by script. On a
    page whose title was chopped and spliced (the same injector adds
    keywords) a phrase half alien to the page, the text not reading worse
    without it, will do; elsewhere it must be mostly alien, read as a splice
    at every occurrence inside a clause, and come three times.
    """
    separators = evidence.prefix_separators
    if all(separators) and evidence.occurrences[0][0] == 0 and separators[0] in HEADLINE_SEPARATORS:
        return True
    if _han_count(evidence.phrase) < 5 or not evidence.gains:
        return False
    if evidence.in_latin_text:
        return True
    if evidence.cohesion >= 0:
        return False
    if page_attacked:
        return evidence.novelty >= 0.5 and min(evidence.gains) > -1.5
    return evidence.novelty >= 0.75 and min(evidence.gains) > 0 and len(evidence.occurrences) >= 3


def _find_keywords(page: _Page, model: BigramModel, phrases: list[str], page_attacked: bool) -> list[SpamSpan]:
    """Occurrences of the repeated phrases judged keywords, longest phrases first, not overlapping."""
    spans: list[SpamSpan] = []
    for phrase in sorted(phrases, key=lambda p: (-len(p), p)):
        evidence = _keyword_evidence(page, model, phrase)
        if evidence is None or not _is_keyword(evidence, page_attacked):
            continue
        for start, end in evidence.occurrences:
            page.remove(start, end)
            spans.append(SpamSpan(start, end, "spam_keyword"))
    return spans


# --- title fragments ---


@dataclass(frozen=True)
class _Fragment:
    start: int  # in the page
    end: int
    key_start: int  # in the title key
    key_end: int
    gain: float

    @property
    def length(self) -> int:
        return self.end - self.start


def title_key(title: str) -> str:
    """The headline's Chinese characters, in order: injectors chop it so, across punctuation."""
    return "".join(_HAN.findall(title))[:MAX_TITLE_HAN]


def _is_title_line(line: str, key: str) -> bool:
    """The headline itself (or a piece of it) standing as a line: never spliced text."""
    han = "".join(_HAN.findall(line))
    return key in han or (len(han) >= 4 and han in key)


def _fragment_candidates(page: _Page, model: BigramModel, key: str) -> list[_Fragment]:
    """Maximal runs of body text that are pieces (2+ characters) of the title key, in page order."""
    places: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for i in range(len(key)):
        for j in range(i + 2, len(key) + 1):
            places[key[i:j]].append((i, j))
    run = re.compile(f"[{re.escape(''.join(sorted(set(key))))}]{{2,}}")
    fragments: list[_Fragment] = []
    for line in re.finditer(r"[^\n]+", page.text):
        if _is_title_line(line.group(), key):
            continue
        for match in run.finditer(page.text, line.start(), line.end()):
            start = match.start()
            while start < match.end() - 1:
                end = match.end()
                while end > start + 1 and page.text[start:end] not in places:
                    end -= 1
                if end == start + 1:
                    start += 1
                    continue
                if not any(s < end and start < e for s, e in page.removed):
                    gain = page.splice_gain(model, start, end)
                    fragments.extend(_Fragment(start, end, i, j, gain) for i, j in places[page.text[start:end]])
                start = end
    return fragments


def _best_chain(fragments: Sequence[_Fragment], key_length: int) -> list[_Fragment]:
    """The page-ordered run of fragments that continues the title chunk after chunk, spliced ones counting most.

    Each link goes on where the previous fragment stopped in the title (a
    few characters may be skipped: a one-character chunk, or chunks the
    page lacks), wrapping round to its start: an injector repeats the whole
    headline.
    """
    weights = [1 if f.gain > 0 else -1 for f in fragments]
    scores = list(weights)
    previous = [-1] * len(fragments)
    for b, later in enumerate(fragments):
        for a in range(max(0, b - CHAIN_WINDOW), b):
            earlier = fragments[a]
            if (
                earlier.end <= later.start
                and (later.key_start - earlier.key_end) % key_length <= MAX_CHAIN_GAP
                and scores[a] + weights[b] > scores[b]
            ):
                scores[b], previous[b] = scores[a] + weights[b], a
    if not fragments:
        return []
    at = max(range(len(fragments)), key=lambda k: scores[k])
    chain = []
    while at >= 0:
        chain.append(fragments[at])
        at = previous[at]
    return chain[::-1]


def _title_joins(title: str) -> frozenset[int]:
    """Positions k of the title key whose characters k-1 and k stand side by side in the title."""
    places = [m.start() for m in _HAN.finditer(title)][:MAX_TITLE_HAN]
    return frozenset(k for k in range(1, len(places)) if places[k] == places[k - 1] + 1)


def _chunks_of_attack(chain: list[_Fragment], key: str, joins: frozenset[int], model: BigramModel) -> list[str]:
    """The title chunks an injector spliced, if the chain shows an attack (else none).

    An attack: at least four spliced links, three different chunks, together
    covering most of the headline, few unspliced links, and chunks cut out
    of the headline mid-word (`大震荡总|裁停`) at least twice: an injector
    chops blindly, while the headline's words an article repeats (names,
    `总裁`, `休假到年底`) are whole.
    """
    spliced = [f for f in chain if f.gain > 0]
    covered = {k for f in spliced for k in range(f.key_start, f.key_end)}
    if (
        len(spliced) < 4
        or len({key[f.key_start : f.key_end] for f in spliced}) < 3
        or len(spliced) < 0.75 * len(chain)
        or len(covered) < MIN_TITLE_COVERAGE * len(key)
    ):
        return []
    counts = Counter(key[f.key_start : f.key_end] for f in spliced)
    chosen: list[_Fragment] = []
    taken: set[int] = set()
    for fragment in sorted(spliced, key=lambda f: (-counts[key[f.key_start : f.key_end]], -f.length, f.key_start)):
        positions = set(range(fragment.key_start, fragment.key_end))
        if not positions & taken:
            chosen.append(fragment)
            taken |= positions
    cuts = {k for f in chosen for k in (f.key_start, f.key_end)} & joins
    mid_word = sum(1 for k in cuts if model.pmi(key[k - 1], key[k]) >= MIN_CUT_COHESION)
    return [key[f.key_start : f.key_end] for f in chosen] if mid_word >= 2 else []


def _extends_in_title(text: str, start: int, end: int, key: str) -> bool:
    """The text around an occurrence goes on as the title does."""
    return (start > 0 and text[start - 1 : end] in key) or (end < len(text) and text[start : end + 1] in key)


def _find_fragments(page: _Page, model: BigramModel, key: str, chunks: list[str]) -> list[SpamSpan]:
    """Every occurrence of the attack's chunks outside the headline line that reads as a splice.

    An occurrence the text around continues as the headline does is a
    quoted headline word, not a chunk.
    """
    pattern = re.compile("|".join(re.escape(c) for c in sorted(chunks, key=len, reverse=True)))
    found: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", page.text):
        if _is_title_line(line.group(), key):
            continue
        for match in pattern.finditer(page.text, line.start(), line.end()):
            start, end = match.span()
            if any(s < end and start < e for s, e in page.removed) or _extends_in_title(page.text, start, end, key):
                continue
            if page.splice_gain(model, start, end) > FRAGMENT_MIN_GAIN:
                found.append((start, end))
    for start, end in found:
        page.remove(start, end)
    return [SpamSpan(start, end, "spam_title_fragment") for start, end in found]


# --- the whole page ---


def _first_line(page: _Page) -> str:
    """The first line of the page with spam already found taken out: usually the headline."""
    for line in re.finditer(r"[^\n]+", page.text):
        kept = "".join(
            page.text[i] for i in range(line.start(), line.end()) if not any(s <= i < e for s, e in page.removed)
        )
        if kept.strip():
            return kept
    return ""


def _absorb_separators(text: str, span: SpamSpan) -> SpamSpan:
    """Widen a span over the separator it leaves dangling: `关键词 - 标题`, `关键词,正文`, `标题 - 关键词`."""
    line_start, line_end = _line_bounds(text, span.start)
    start, end = span.start, span.end
    if not text[line_start:start].strip():
        while end < line_end and (text[end] in _SPACES or text[end] in _SEPARATORS):
            end += 1
    elif not text[end:line_end].strip():
        while start > line_start and (text[start - 1] in _SPACES or text[start - 1] in _SEPARATORS):
            start -= 1
    return SpamSpan(start, end, span.rule)


def find_spam(text: str, title: str | None = None) -> list[SpamSpan]:
    """Spans of `text` (an article's kept lines joined by line breaks) that are injected spam.

    `title` is the headline when known; otherwise the first line, with any
    keyword prefix removed, stands for it.
    """
    if not _HAN.search(text):
        return []
    model = load_model()
    page = _Page(text)
    phrases = _repeated_phrases(text)
    spans = _find_keywords(page, model, phrases, page_attacked=False)
    headline = title if title is not None else _first_line(page)
    key = title_key(headline)
    if len(key) >= MIN_TITLE_HAN:
        chain = _best_chain(_fragment_candidates(page, model, key), len(key))
        chunks = _chunks_of_attack(chain, key, _title_joins(headline), model)
        if chunks:
            spans += _find_fragments(page, model, key, chunks)
            spans += _find_keywords(page, model, phrases, page_attacked=True)
            spans += _find_fragments(page, model, key, chunks)
    return sorted((_absorb_separators(text, span) for span in spans), key=lambda s: (s.start, s.end))


def main(argv: Sequence[str]) -> int:
    """`python -m newsx.pipeline.spam build NER_DIR OUT.npz`: rebuild the shipped bigram table."""
    if len(argv) != 3 or argv[0] != "build":
        print(main.__doc__, file=sys.stderr)
        return 2
    print(build_bigram_table(Path(argv[1]).glob(NER_TRAIN_GLOB), Path(argv[2])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
