"""Money amounts in Chinese and English news text: exact value in units, ISO 4217 currency.

`find_money` finds 10亿美元, 1500 亿美元, 人民币10亿元, 1.2万亿元, $150 billion,
$140m, US$40 million, RMB1 billion, €20 million, $6.6B, $1-billion, one
billion dollars... A currency must be written (a symbol, code or word): a
bare number is no money. Values are computed in Decimal, so 4.5亿 is exactly
450000000, and returned as int when integral (EVENTS.md writes
`{"value": 1000000000, "currency": "USD"}`).

Skipped because the text gives no single amount: vague amounts (数十亿美元,
几千万元, 上亿元) and ranges (1-2亿美元, $1-2 billion, 5000万至1亿元). "More
than" amounts (100多万元, over $1-billion) keep their stated floor, as the gold
does. The span covers the amount only, not 约/about/over before it. The words
live in data/money.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import yaml

from newsx.pipeline.timex import chinese_number

_DIGITS = r"\d{1,3}(?:,\d{3}){1,5}(?:\.\d{1,6})?|\d{1,15}(?:\.\d{1,6})?"
# Characters before an amount searched for the first half of a range (1-2亿, 5000万至1亿).
_RANGE_WINDOW = 12


@dataclass(frozen=True)
class MoneyExpression:
    """An amount of money: its span in the text, value in units and ISO 4217 currency."""

    start: int
    end: int
    text: str
    value: int | float
    currency: str

    def as_amount(self) -> dict[str, int | float | str]:
        """The EVENTS.md form of an amount argument."""
        return {"value": self.value, "currency": self.currency}


@dataclass(frozen=True)
class _Patterns:
    amounts: tuple[re.Pattern[str], ...]
    range_before: re.Pattern[str]
    range_after: re.Pattern[str]


@cache
def _lexicon() -> dict[str, Any]:
    text = resources.files("newsx.pipeline").joinpath("data/money.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def _alt(words: Any) -> str:
    """Regex alternative of the words, longest first (US$ before $), spaces as any whitespace."""
    ordered = sorted({str(w) for w in words}, key=lambda w: (-len(w), w))
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered) + ")"


@cache
def _patterns() -> _Patterns:
    lex = _lexicon()
    zh_numeral = "[零〇一二两三四五六七八九十百千]{1,8}"
    en_scale = rf"{_alt(lex['scales_en'])}(?![A-Za-z])"
    zh_scale = _alt(lex["scales_zh"])
    floor = _alt(lex["floor_after"])
    zh_suffix = _alt(lex["currency_suffixes_zh"])
    prefixed = (
        rf"(?<![A-Za-z])(?P<pre>{_alt(lex['currency_prefixes'])})\s?(?P<num>{_DIGITS})"
        rf"(?:\s?-?\s?(?P<scale>{en_scale})|\s?(?P<zh_scale>{zh_scale})(?P<suf>{zh_suffix})?)?"
    )
    chinese = (
        rf"(?P<num>{_DIGITS}|{zh_numeral})\s?(?:{floor})?\s?(?P<zh_scale>{zh_scale})?(?:{floor})?\s?(?P<suf>{zh_suffix})"
    )
    english = (
        rf"(?<![\w.,$])(?P<num>{_DIGITS}|(?i:{_alt(lex['number_words'])}))(?:\s?-?\s?(?P<scale>{en_scale}))?"
        rf"\s+(?P<suf>{_alt(lex['currency_suffixes_en'])})\b"
    )
    scales = _alt([*lex["scales_zh"], *lex["scales_en"]])
    marks = _alt(lex["range_marks"])
    return _Patterns(
        amounts=tuple(re.compile(p) for p in (prefixed, chinese, english)),
        range_before=re.compile(rf"(?:\d|{scales})\s?{marks}\s?(?:{_alt(lex['currency_prefixes'])})?\s?$"),
        range_after=re.compile(rf"\s?{marks}\s?\d"),
    )


def _number(text: str) -> Decimal | None:
    """A number in digits (1,500.5), Chinese numerals (五千) or an English word (one)."""
    if text[0].isdigit():
        return Decimal(text.replace(",", ""))
    word = _lexicon()["number_words"].get(text.lower())
    if word is not None:
        return Decimal(word)
    value = chinese_number(text)
    return Decimal(value) if value is not None else None


def _currency(match: re.Match[str]) -> str:
    """The prefix names the currency when there is one (人民币10亿元, 港币100万元), else the suffix."""
    lex = _lexicon()
    prefix, suffix = match.groupdict().get("pre"), match.groupdict().get("suf")
    if prefix:
        return lex["currency_prefixes"][" ".join(prefix.split())]
    assert suffix is not None
    suffixes = {**lex["currency_suffixes_en"], **lex["currency_suffixes_zh"]}
    return suffixes[" ".join(suffix.split())]


def _value(match: re.Match[str]) -> int | float | None:
    lex = _lexicon()
    number = _number(match["num"])
    groups = match.groupdict()
    if number is None or (not match["num"][0].isdigit() and match["num"].isascii() and not groups.get("scale")):
        return None  # an English number word needs a scale: one billion dollars, not "a yen for"
    if groups.get("scale"):
        number *= lex["scales_en"][groups["scale"]]
    if groups.get("zh_scale"):
        number *= lex["scales_zh"][groups["zh_scale"]]
    return int(number) if number == number.to_integral_value() else float(number)


def _vague_or_range(text: str, match: re.Match[str]) -> bool:
    """数十亿 (no number given) or 1-2亿 (two numbers): no single amount."""
    patterns = _patterns()
    num_start, num_end = match.span("num")
    if num_start > 0 and text[num_start - 1] in _lexicon()["vague_before"]:
        return True
    window_start = max(0, num_start - _RANGE_WINDOW)
    return bool(patterns.range_before.search(text, window_start, num_start) or patterns.range_after.match(text, num_end))


def find_money(text: str) -> list[MoneyExpression]:
    """Every amount of money in `text`, leftmost-longest, in text order."""
    candidates: list[tuple[int, int, int, MoneyExpression]] = []
    for order, pattern in enumerate(_patterns().amounts):
        for match in pattern.finditer(text):
            value = _value(match)
            if value is None or _vague_or_range(text, match):
                continue
            start, end = match.span()
            candidates.append((start, start - end, order, MoneyExpression(start, end, text[start:end], value, _currency(match))))
    candidates.sort(key=lambda c: c[:3])
    found: list[MoneyExpression] = []
    for _, _, _, money in candidates:
        if not found or money.start >= found[-1].end:
            found.append(money)
    return found
