"""Time expressions in Chinese and English news text, resolved against the publication date.

`find_times` finds every time expression of a text with its span, its kind
(`point`; `until` for the end of a range, 休假到年底; `since` for its start,
自2017年1月; `duration`, 4个月) and its value: an ISO 8601 date at the
precision the text gives (`2024`, `2024-05`, `2024-08-06`, as EVENTS.md
requires). Relative expressions (今年5月, 上个月, last November, 周三) are
resolved against the publication date; without one they are still found, with
no value. `event_date` picks the time of the event a trigger word states.

The words live in data/timex.yaml. Choices the text alone does not settle:

- A month or day without a year (5月3日, January 1, in November) is resolved
  in the direction `prefer` gives; the caller sets it from the event's modality.
  "future": its first occurrence on or after publication ("will take effect
  January 1", published 2007-11-30 -> 2008-01-01). "past", in English: its
  latest occurrence not after publication plus PAST_GRACE_DAYS (a dateline may
  trail the event's local date): "launched in November", published 2025-02 ->
  2024-11. "past", in Chinese: the publication year, because Chinese news
  writes 去年 when it means last year and leaves 今年 out (a bare 12月 in a
  January article is the known casualty). A bare day (15日) is likewise in the
  publication month.
- The end of a year is December (2022年底 -> 2022-12) and its last day when it
  closes a range (休假到年底 -> 2024-12-31), as the gold has it; the end of a
  month is its last day (at the end of March -> 2025-03-31).
- ISO 8601 weeks are not allowed: a week (上周, last week) is its month when
  all of it, Monday to Sunday, lies in one month, else it has no value; a
  weekday in it (上周三) is a day. A bare weekday (周三, on Wednesday) is the
  latest one on or before publication ("past") or the next one after it.
- Vague recent times take the publication month (近日, 日前) or year (最近,
  recently), as the gold does; times relative to another event of the text
  (之后, 此前, 当天, the same day, two years later) and vague counts (数年前,
  years ago) are found with no value. Durations (4个月, 15 minutes) have none.
- 刚刚 ("just") is an aspect word, not a time: 7月,Meta就刚刚发布 is July.
- A number needs its unit: 2015 alone is no year, `in 2015` and 2015年 are.

Every pattern has bounded repetition only, so no input makes matching
quadratic; matching runs on a copy with traditional characters and full-width
digits folded one for one, so spans index the original text.
"""

from __future__ import annotations

import bisect
import calendar
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
import functools
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

Kind = Literal["point", "until", "since", "duration"]
Prefer = Literal["past", "future"]

# Kinds that can date an event: a range end (until) dates its end, not the event.
EVENT_KINDS: frozenset[str] = frozenset({"point", "since"})
# Days a "past" month-day may lie after publication (time zones, late datelines).
PAST_GRACE_DAYS = 3
# Characters before an expression searched for a range marker (直到, until).
_MARKER_WINDOW = 16


@dataclass(frozen=True)
class TimeExpression:
    """A time expression: its span in the text, its ISO value (None if unresolved) and its kind."""

    start: int
    end: int
    text: str
    value: str | None
    kind: Kind


@dataclass(frozen=True)
class _Anchor:
    """The publication date at the precision it is known."""

    year: int
    month: int | None = None
    day: int | None = None


@dataclass(frozen=True)
class _Reading:
    """What one pattern made of a match; `range_end` replaces `value` when it closes a range."""

    value: str | None
    kind: Kind = "point"
    range_end: str | None = None


@dataclass(frozen=True)
class _Context:
    anchor: _Anchor | None
    prefer: Prefer
    lex: dict[str, Any]


Resolver = Callable[[re.Match[str], _Context], "_Reading | None"]


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    resolve: Resolver


_NO_VALUE = _Reading(None)
_DURATION = _Reading(None, "duration")
_PUBLISHED = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ].*)?", re.S)
_HAN = re.compile(r"[\u3400-\u9fff]")
# Clause boundaries for event_date; a comma between digits (1,500) is none.
_CLAUSE_BREAK = re.compile(r"[，;；:：—]|,(?!\d)|\s[-–]{1,2}\s")


@cache
def _lexicon() -> dict[str, Any]:
    text = resources.files("newsx.pipeline").joinpath("data/timex.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def _alt(words: Iterable[str]) -> str:
    """Regex alternative of the words, longest first (so 上个月 beats 上月), spaces as any whitespace."""
    ordered = sorted({str(w) for w in words}, key=lambda w: (-len(w), w))
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered) + ")"


def _ci(words: Iterable[str]) -> str:
    """Case-insensitive alternative of English words (Last year, last year)."""
    return f"(?i:{_alt(words)})"


def _key(phrase: str) -> str:
    """Lexicon key of a matched phrase: lower case, single spaces."""
    return " ".join(phrase.lower().split())


def chinese_number(text: str) -> int | None:
    """Value of a count written in Arabic digits or Chinese numerals (12, 十二, 二〇二四, 两千)."""
    if text.isascii() and text.isdigit():
        return int(text)
    zh = _lexicon()["zh"]
    digits: dict[str, int] = zh["digits"]
    multipliers: dict[str, int] = zh["multipliers"]
    if text and all(c in digits for c in text):
        return int("".join(str(digits[c]) for c in text))
    total = current = 0
    for char in text:
        if char in digits:
            current = digits[char]
        elif char in multipliers:
            total += (current or 1) * multipliers[char]
            current = 0
        else:
            return None
    return total + current if text else None


def _parse_published(published: str | None) -> _Anchor | None:
    """The publication date as an anchor; a malformed one is the caller's bug, so it raises."""
    if published is None:
        return None
    match = _PUBLISHED.fullmatch(published.strip())
    if match is None:
        raise ValueError(f"published is not an ISO 8601 date: {published!r}")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"published has no valid month: {published!r}")
    if month is not None and day is not None:
        date(year, month, day)  # raises ValueError on 2024-02-30
    return _Anchor(year, month, day)


def _iso(year: int | None, month: int | None = None, day: int | None = None) -> str | None:
    """ISO 8601 at the precision given; None for an impossible date (2月30日) or an implausible year."""
    if year is None or not 1000 <= year <= 2199:
        return None
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _day_iso(day: date) -> str | None:
    return _iso(day.year, day.month, day.day)


def _shift_month(year: int, month: int, offset: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + offset
    return index // 12, index % 12 + 1


def _published_day(anchor: _Anchor | None) -> date | None:
    """The publication day, when it is known to the day."""
    if anchor is None or anchor.month is None or anchor.day is None:
        return None
    return date(anchor.year, anchor.month, anchor.day)


def _week_value(monday: date) -> str | None:
    """A week as its month when it lies in one month; ISO weeks are not allowed (EVENTS.md)."""
    sunday = monday + timedelta(days=6)
    if (monday.year, monday.month) != (sunday.year, sunday.month):
        return None
    return _iso(monday.year, monday.month)


def _year_of(ctx: _Context, month: int, day: int | None, chinese: bool) -> int | None:
    """Year of a month (and day) the text gives without one; see the module docstring."""
    anchor = ctx.anchor
    if anchor is None:
        return None
    if ctx.prefer == "past" and chinese:
        return anchor.year
    if anchor.month is None:
        return None
    published = _published_day(anchor)
    # Compare month and day when both days are known, else months only.
    if day is not None and published is not None:
        target: tuple[int, ...] = (month, day)
        now: tuple[int, ...] = (published.month, published.day)
        late = published + timedelta(days=PAST_GRACE_DAYS)
        limit: tuple[int, ...] = (late.year, late.month, late.day)
    else:
        target, now, limit = (month,), (anchor.month,), (anchor.year, anchor.month)
    if ctx.prefer == "future":
        return anchor.year if target >= now else anchor.year + 1
    return next(year for year in (anchor.year + 1, anchor.year, anchor.year - 1) if (year, *target) <= limit)


def _year_part(year: int | None, part: str) -> _Reading:
    """2022年底 -> 2022-12 (2022-12-31 as a range end); 年初 -> January; 上半年 -> the year."""
    if part == "end":
        return _Reading(_iso(year, 12), range_end=_iso(year, 12, 31))
    if part == "start":
        return _Reading(_iso(year, 1))
    return _Reading(_iso(year))


def _month_reading(year: int | None, month: int, day: int | None, part: str | None) -> _Reading:
    """A month (or day); the end of a month is its last day."""
    if part == "end" and day is None and year is not None and 1 <= month <= 12:
        last = _iso(year, month, calendar.monthrange(year, month)[1])
        return _Reading(last, range_end=last)
    return _Reading(_iso(year, month, day))


def _group(match: re.Match[str], name: str) -> str | None:
    return match.groupdict().get(name)


def _relative_year(ctx: _Context, offset: int | None) -> int | None:
    if offset is None or ctx.anchor is None:
        return None
    return ctx.anchor.year + offset


# --- Chinese ---------------------------------------------------------------


def _zh_calendar(match: re.Match[str], ctx: _Context) -> _Reading | None:
    """2024年5月3日, 2022年底, 今年5月, 去年11月, 明年第一季度, 5月3日, 十一月, 3月底."""
    zh = ctx.lex["zh"]
    written_year, relative = _group(match, "y"), _group(match, "ry")
    year = chinese_number(written_year) if written_year else None
    if relative:
        year = _relative_year(ctx, zh["relative_years"][relative])
        if year is None:
            return _NO_VALUE
    if _group(match, "ypart"):
        return _year_part(year, zh["year_parts"][match["ypart"]])
    if _group(match, "q") or not _group(match, "mo"):
        return _Reading(_iso(year))
    month = chinese_number(match["mo"])
    day = chinese_number(match["d"]) if _group(match, "d") else None
    if month is None or not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
        return None
    if written_year is None and relative is None:
        year = _year_of(ctx, month, day, chinese=True)
        if year is None:
            return _NO_VALUE
    part = zh["month_parts"][match["mpart"]] if _group(match, "mpart") else None
    return _month_reading(year, month, day, part)


def _zh_year_part_alone(match: re.Match[str], ctx: _Context) -> _Reading:
    """年底 / 年初 / 上半年 with no year: the publication year's (next year's 年初 when future)."""
    part = ctx.lex["zh"]["year_parts"][match["ypart"]]
    month = {"end": 12, "start": 1}.get(part)
    if month is None:
        year = ctx.anchor.year if ctx.anchor else None
    else:
        year = _year_of(ctx, month, None, chinese=True)
    return _year_part(year, part) if year is not None else _NO_VALUE


def _relation(match: re.Match[str], group: str, ctx: _Context) -> int:
    """Offset of this/last/next in the named group; 0 when the group did not match (the year)."""
    return ctx.lex["en"]["relations"][match[group].lower()] if _group(match, group) else 0


def _quarter_number(match: re.Match[str], ctx: _Context) -> int | None:
    if _group(match, "qn"):
        return int(match["qn"])
    written = match["q"]
    return ctx.lex["en"]["quarters"].get(written.lower()) or chinese_number(written.lstrip("第"))


def _quarter(match: re.Match[str], ctx: _Context) -> _Reading:
    """A quarter is its year (no ISO form); without a year, resolved like its months."""
    if _group(match, "y"):
        return _Reading(_iso(int(match["y"])))
    if _group(match, "rel"):
        return _Reading(_iso(_relative_year(ctx, _relation(match, "rel", ctx))))
    quarter = _quarter_number(match, ctx)
    if quarter is None:
        return _NO_VALUE
    # Future: the quarter is still ahead while its last month is; past: once its first month has begun.
    month = 3 * quarter if ctx.prefer == "future" else 3 * quarter - 2
    return _Reading(_iso(_year_of(ctx, month, None, chinese=_HAN.search(match[0]) is not None)))


def _zh_month_part_alone(match: re.Match[str], ctx: _Context) -> _Reading:
    """月底 / 月初 with no month: the publication month."""
    anchor = ctx.anchor
    if anchor is None or anchor.month is None:
        return _NO_VALUE
    part = ctx.lex["zh"]["month_parts"][match["mpart"]]
    return _month_reading(anchor.year, anchor.month, None, part)


def _zh_day_of_month(match: re.Match[str], ctx: _Context) -> _Reading | None:
    """15日: a day of the publication month (the next month's, if future and already past)."""
    day = int(match["d"])
    if not 1 <= day <= 31:
        return None
    anchor = ctx.anchor
    if anchor is None or anchor.month is None:
        return _NO_VALUE
    year, month = anchor.year, anchor.month
    if ctx.prefer == "future" and anchor.day is not None and day < anchor.day:
        year, month = _shift_month(year, month, 1)
    return _Reading(_iso(year, month, day))


def _zh_bracketed_day(match: re.Match[str], ctx: _Context) -> _Reading:
    """今(15)日 (Taiwan usage): the day in brackets, in the month of today (or yesterday...)."""
    day = int(match["d"])
    anchor = ctx.anchor
    if anchor is None or anchor.month is None:
        return _NO_VALUE
    published = _published_day(anchor)
    if published is not None:
        target = published + timedelta(days=ctx.lex["zh"]["bracketed_day_prefixes"][match["rd"]])
        if target.day == day:
            return _Reading(_day_iso(target))
    return _Reading(_iso(anchor.year, anchor.month, day))


def _relative_month(offset: int | None, ctx: _Context, day: int | None = None, part: str | None = None) -> _Reading:
    anchor = ctx.anchor
    if offset is None or anchor is None or anchor.month is None:
        return _NO_VALUE
    year, month = _shift_month(anchor.year, anchor.month, offset)
    return _month_reading(year, month, day, part)


def _zh_relative_month(match: re.Match[str], ctx: _Context) -> _Reading:
    """上个月, 本月底, 下月15日."""
    zh = ctx.lex["zh"]
    day = chinese_number(match["d"]) if _group(match, "d") else None
    part = zh["month_parts"][match["mpart"]] if _group(match, "mpart") else None
    return _relative_month(zh["relative_months"][match["rm"]], ctx, day, part)


def _relative_day(offset: int | None, ctx: _Context) -> _Reading:
    published = _published_day(ctx.anchor)
    if offset is None or published is None:
        return _NO_VALUE
    return _Reading(_day_iso(published + timedelta(days=offset)))


def _monday(ctx: _Context, week_offset: int) -> date | None:
    published = _published_day(ctx.anchor)
    if published is None:
        return None
    return published - timedelta(days=published.weekday()) + timedelta(weeks=week_offset)


def _relative_week(offset: int | None, weekday: int | None, ctx: _Context) -> _Reading:
    """本周 / last week (a month or nothing); 上周三 (a day of that calendar week)."""
    monday = _monday(ctx, offset) if offset is not None else None
    if monday is None:
        return _NO_VALUE
    if weekday is None:
        return _Reading(_week_value(monday))
    return _Reading(_day_iso(monday + timedelta(days=weekday)))


def _bare_weekday(weekday: int, ctx: _Context, direction: str) -> _Reading:
    """周三 / on Wednesday: latest on or before publication ("past"), else the next one after it."""
    published = _published_day(ctx.anchor)
    if published is None:
        return _NO_VALUE
    if direction == "past":
        back = (published.weekday() - weekday) % 7
    elif direction == "before":  # "last Wednesday": strictly before
        back = (published.weekday() - weekday - 1) % 7 + 1
    else:
        back = -((weekday - published.weekday() - 1) % 7 + 1)
    return _Reading(_day_iso(published - timedelta(days=back)))


def _zh_week(match: re.Match[str], ctx: _Context) -> _Reading:
    zh = ctx.lex["zh"]
    weekday = zh["weekdays"][match["wd"]] if _group(match, "wd") else None
    return _relative_week(zh["week_prefixes"][match["rw"]], weekday, ctx)


def _zh_weekday(match: re.Match[str], ctx: _Context) -> _Reading:
    return _bare_weekday(ctx.lex["zh"]["weekdays"][match["wd"]], ctx, ctx.prefer)


def _count(text: str | None, ctx: _Context) -> int | None:
    """A count in digits, Chinese numerals or English words; None when vague (数, several)."""
    if text is None:
        return None
    number = chinese_number(text)
    if number is not None:
        return number
    return ctx.lex["en"]["numbers"].get(_key(text))


def _ago(count: int | None, unit: str, ctx: _Context) -> _Reading:
    """9年前 / nine years ago at the unit's precision."""
    anchor = ctx.anchor
    if count is None or anchor is None:
        return _NO_VALUE
    if unit in ("year", "decade"):
        return _Reading(_iso(anchor.year - count * (10 if unit == "decade" else 1)))
    if unit == "month":
        return _relative_month(-count, ctx)
    if unit == "week":
        return _relative_week(-count, None, ctx)
    days = {"day": count, "hour": count // 24, "minute": count // 1440}[unit]
    return _relative_day(-days, ctx)


def _counted(match: re.Match[str], ctx: _Context, unit: str, ago_words: Iterable[str]) -> _Reading:
    """N units ago (a date); N units later (relative to another event: no value); 数年前 (vague: none)."""
    if _key(match["dir"]) not in {_key(w) for w in ago_words}:
        return _NO_VALUE
    exact = not (_group(match, "approx") or _group(match, "approx2"))
    count = _count(_group(match, "n"), ctx) if exact else None
    return _ago(count, unit, ctx)


def _zh_ago(match: re.Match[str], ctx: _Context) -> _Reading:
    zh = ctx.lex["zh"]
    return _counted(match, ctx, zh["units"][match["u"]], zh["ago"])


def _zh_since_count(match: re.Match[str], ctx: _Context) -> _Reading:
    """至今已有九年 / 九年以来: since that long before publication."""
    exact = not (_group(match, "approx") or _group(match, "approx2"))
    count = _count(match["n"], ctx) if exact else None
    unit = ctx.lex["zh"]["units"][match["u"]]
    return _Reading(_ago(count, unit, ctx).value, "since")


def _duration(_match: re.Match[str], _ctx: _Context) -> _Reading:
    return _DURATION


def _recent(precision: str, ctx: _Context) -> _Reading:
    anchor = ctx.anchor
    if anchor is None or (precision == "month" and anchor.month is None):
        return _NO_VALUE
    return _Reading(_iso(anchor.year, anchor.month if precision == "month" else None))


def _zh_recent(match: re.Match[str], ctx: _Context) -> _Reading:
    return _recent(ctx.lex["zh"]["recent"][match[0]], ctx)


def _no_value(_match: re.Match[str], _ctx: _Context) -> _Reading:
    return _NO_VALUE


def _relative_offset(table: str, lang: str) -> Callable[[re.Match[str], _Context], _Reading]:
    """Resolver of a table of relative words (今天, last month, early next year) by its unit."""

    def resolve(match: re.Match[str], ctx: _Context) -> _Reading:
        offset = ctx.lex[lang][table][_key(match["phrase"]) if lang == "en" else match["phrase"]]
        if table == "relative_days":
            return _relative_day(offset, ctx)
        if table == "relative_weeks":
            return _relative_week(offset, None, ctx)
        if table == "relative_months":
            return _relative_month(offset, ctx)
        return _Reading(_iso(_relative_year(ctx, offset)))

    return resolve


def _iso_date(match: re.Match[str], _ctx: _Context) -> _Reading | None:
    """2024-08-06, 2024/8/6, 2024-08."""
    value = _iso(int(match["y"]), int(match["mo"]), int(match["d"]) if _group(match, "d") else None)
    return _Reading(value) if value else None


def _zh_rules(lex: dict[str, Any]) -> list[_Rule]:
    zh = lex["zh"]
    han_digit = "".join(zh["digits"])
    numeral = han_digit + "".join(zh["multipliers"])
    small = rf"(?:\d{{1,2}}|[{numeral}]{{1,3}})"
    count = rf"(?<![\d{numeral}.])(?P<n>\d{{1,3}}|[{numeral}]{{1,4}}|{_alt(zh['vague_counts'])})"
    approx = _alt(zh["approximate_suffixes"])
    blockers = "".join(zh["part_blockers"])
    year_part = rf"(?P<ypart>{_alt(zh['year_parts'])})(?![{blockers}])"
    # A lone 底 or 初 is a part of a year only right after one (2022年底; 到底, 初创 are not).
    alone_year_parts = [part for part in zh["year_parts"] if len(part) > 1]
    quarter = rf"(?P<q>第?[一二三四1-4]){_alt(zh['quarter_words'])}"
    month_part = rf"(?:(?P<mpart>{_alt(zh['month_parts'])})(?![{blockers}]))?"
    month_day = rf"(?P<mo>{small})\s*月份?(?:\s*(?P<d>{small})\s*[日号])?{month_part}"
    year_head = (
        rf"(?:(?P<y>(?<![\d.])\d{{4}}|(?<![{numeral}])[{han_digit}]{{4}})\s*年"
        rf"|(?P<ry>{_alt(zh['relative_years'])}))"
    )
    week_words = _alt(zh["week_words"])
    weekday = "[" + "".join(zh["weekdays"]) + "]"
    units = _alt(zh["units"])
    direction = _alt([*zh["ago"], *zh["later"]])
    return [
        _Rule(re.compile(rf"{year_head}(?:\s*(?:{year_part}|{quarter}|{month_day}))?"), _zh_calendar),
        _Rule(re.compile(rf"(?<![\d{numeral}第每个数几上下本这当]){month_day}"), _zh_calendar),
        _Rule(re.compile(r"(?<![\d月号日])(?P<d>\d{1,2})\s*日(?!内)"), _zh_day_of_month),
        _Rule(re.compile(rf"(?P<rd>{_alt(zh['bracketed_day_prefixes'])})\s*\(\s*(?P<d>\d{{1,2}})\s*\)\s*日"), _zh_bracketed_day),
        _Rule(
            re.compile(rf"(?P<rm>{_alt(zh['relative_months'])})(?:\s*(?P<d>{small})\s*[日号])?{month_part}"),
            _zh_relative_month,
        ),
        _Rule(
            re.compile(rf"(?P<phrase>{_alt(zh['relative_days'])})(?:{_alt(zh['times_of_day'])})?"),
            _relative_offset("relative_days", "zh"),
        ),
        _Rule(re.compile(rf"(?P<rw>{_alt(zh['week_prefixes'])}){week_words}(?P<wd>{weekday})?"), _zh_week),
        _Rule(re.compile(rf"(?<![每上下本这个\d{numeral}]){week_words}(?P<wd>{weekday})"), _zh_weekday),
        _Rule(
            re.compile(rf"{count}\s*(?P<approx>{approx})?\s*(?P<u>{units})\s*(?P<approx2>{approx})?(?P<dir>{direction})"),
            _zh_ago,
        ),
        _Rule(
            re.compile(
                rf"{_alt(zh['since_count_prefixes'])}\s*(?P<n>\d{{1,3}}|[{numeral}]{{1,4}}|{_alt(zh['vague_counts'])})"
                rf"\s*(?P<approx>{approx})?\s*(?P<u>年|个月)(?P<approx2>{approx})?"
            ),
            _zh_since_count,
        ),
        _Rule(
            re.compile(rf"{count}\s*(?P<approx>{approx})?\s*(?P<u>年|个月)(?P<approx2>{approx})?{_alt(zh['since_count_suffixes'])}"),
            _zh_since_count,
        ),
        _Rule(re.compile(rf"{count}\s*(?:{approx})?\s*{units}(?!年)(?:{approx}|半)?"), _duration),
        _Rule(re.compile(_alt(zh["recent"])), _zh_recent),
        _Rule(re.compile(_alt(zh["anaphoric"])), _no_value),
        _Rule(
            re.compile(rf"(?<![年今去明前后本当同\d])(?P<ypart>{_alt(alone_year_parts)})(?![{blockers}])"),
            _zh_year_part_alone,
        ),
        _Rule(re.compile(rf"(?<![年\d{numeral}]){quarter}"), _quarter),
        _Rule(re.compile(rf"(?<![月\d])月(?P<mpart>{_alt(zh['month_parts'])})(?![{blockers}])"), _zh_month_part_alone),
    ]


# --- English ---------------------------------------------------------------


def _en_month(name: str, en: dict[str, Any]) -> int:
    name = name.rstrip(".")
    return en["months"].get(name) or en["month_abbreviations"][name]


def _en_month_day(match: re.Match[str], ctx: _Context) -> _Reading | None:
    """September 26, 2024 / Sept. 26 / 26 September 2024 / January 1."""
    month, day = _en_month(match["mon"], ctx.lex["en"]), int(match["d"])
    if not 1 <= day <= 31:
        return None
    year = int(match["y"]) if _group(match, "y") else _year_of(ctx, month, day, chinese=False)
    return _Reading(_iso(year, month, day)) if year is not None else _NO_VALUE


def _en_month_year(match: re.Match[str], ctx: _Context) -> _Reading:
    """May 2008, early March 2024."""
    return _Reading(_iso(int(match["y"]), _en_month(match["mon"], ctx.lex["en"])))


def _needs_context(match: re.Match[str]) -> bool:
    """A bare month or year counts only after a preposition or with early/mid/late (May is also a verb)."""
    return not (_group(match, "prep") or _group(match, "mod"))


def _en_bare_month(match: re.Match[str], ctx: _Context) -> _Reading | None:
    """in November, until September, early March."""
    if _needs_context(match):
        return None
    month = _en_month(match["mon"], ctx.lex["en"])
    year = _year_of(ctx, month, None, chinese=False)
    return _Reading(_iso(year, month)) if year is not None else _NO_VALUE


def _en_named_month(match: re.Match[str], ctx: _Context) -> _Reading:
    """last November (the latest before this month), next March, this May."""
    anchor = ctx.anchor
    if anchor is None or anchor.month is None:
        return _NO_VALUE
    month = _en_month(match["mon"], ctx.lex["en"])
    relation = _relation(match, "rel", ctx)
    year = anchor.year
    if relation < 0 and month >= anchor.month:
        year -= 1
    elif relation > 0 and month <= anchor.month:
        year += 1
    return _Reading(_iso(year, month))


def _en_year(match: re.Match[str], _ctx: _Context) -> _Reading | None:
    """in 2003, since 2014, mid-2024."""
    return None if _needs_context(match) else _Reading(_iso(int(match["y"])))


def _en_edge(match: re.Match[str], ctx: _Context) -> _Reading:
    """the end of the year / of March / of 2024 / of last month; year-end."""
    en = ctx.lex["en"]
    part = en["edges"][match["edge"].lower()] if _group(match, "edge") else "end"
    year: int | None
    if _group(match, "mon"):
        month = _en_month(match["mon"], en)
        year = int(match["y"]) if _group(match, "y") else _year_of(ctx, month, None, chinese=False)
        return _month_reading(year, month, None, part) if year is not None else _NO_VALUE
    if _group(match, "month_word") or _group(match, "relm"):
        return _relative_month(_relation(match, "relm", ctx), ctx, part=part)
    year = int(match["y2"]) if _group(match, "y2") else _relative_year(ctx, _relation(match, "rely", ctx))
    return _year_part(year, part) if year is not None else _NO_VALUE


def _en_weekday(match: re.Match[str], ctx: _Context) -> _Reading:
    """on Wednesday, last Monday (strictly before), next Friday, this Tuesday (this calendar week)."""
    weekday = ctx.lex["en"]["weekdays"][match["wd"]]
    if not _group(match, "rel"):
        return _bare_weekday(weekday, ctx, ctx.prefer)
    relation = _relation(match, "rel", ctx)
    if relation == 0:
        return _relative_week(0, weekday, ctx)
    return _bare_weekday(weekday, ctx, "before" if relation < 0 else "future")


def _en_ago(match: re.Match[str], ctx: _Context) -> _Reading:
    en = ctx.lex["en"]
    return _counted(match, ctx, en["units"][_key(match["u"]).removesuffix("s")], en["ago"])


def _en_recent(match: re.Match[str], ctx: _Context) -> _Reading:
    return _recent(ctx.lex["en"]["recent"][_key(match[0])], ctx)


def _en_rules(lex: dict[str, Any]) -> list[_Rule]:
    en = lex["en"]
    full_month = _alt(en["months"])
    any_month = _alt([*en["months"], *en["month_abbreviations"]])
    modifier = rf"(?P<mod>{_ci(en['modifiers'])})"
    year = r"(?:1[89]|20)\d{2}"
    not_more_digits = r"(?![-–/.]?\d)"
    prep = rf"(?:\b(?P<prep>{_ci(en['prepositions'])})\s+(?:the\s+(?:year\s+|month\s+of\s+)?)?)?"
    relation = _ci(en["relations"])
    number = rf"(?:\d{{1,3}}|{_ci(en['numbers'])})"
    units = rf"(?:{_ci(en['units'])})(?i:s)?"
    times_of_day = rf"(?:\s+{_ci(en['times_of_day'])})?"
    return [
        _Rule(
            re.compile(rf"\b(?P<mon>{any_month})\b\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>{year})\b)?"),
            _en_month_day,
        ),
        _Rule(
            re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{any_month})\b\.?(?:,?\s+(?P<y>{year})\b)?"),
            _en_month_day,
        ),
        _Rule(
            re.compile(rf"\b(?:{modifier}[\s-]+)?(?P<mon>{any_month})\b\.?,?\s+(?P<y>{year})\b{not_more_digits}"),
            _en_month_year,
        ),
        _Rule(re.compile(rf"{prep}(?P<x>\b(?:{modifier}[\s-]*)?(?P<mon>{full_month}))\b(?!\s*\d)"), _en_bare_month),
        _Rule(re.compile(rf"\b(?P<rel>{relation})\s+(?P<mon>{full_month})\b(?!\s*\d)"), _en_named_month),
        _Rule(re.compile(rf"{prep}(?P<x>\b(?:{modifier}[\s-]*)?(?P<y>{year}))\b{not_more_digits}"), _en_year),
        _Rule(
            re.compile(
                rf"\b(?:(?:[Tt]he\s+)?(?P<edge>{_ci(en['edges'])})\s+of\s+(?:the\s+)?"
                rf"(?:(?P<rely>{relation})\s+year|(?P<year_word>(?i:year))|(?P<relm>{relation})\s+month|(?P<month_word>(?i:month))"
                rf"|(?P<mon>{full_month})(?:,?\s+(?P<y>{year}))?|(?P<y2>{year}))|{_ci(en['year_end_words'])})\b"
            ),
            _en_edge,
        ),
        _Rule(re.compile(rf"\b(?P<phrase>{_ci(en['relative_days'])}){times_of_day}\b"), _relative_offset("relative_days", "en")),
        _Rule(re.compile(rf"\b(?P<phrase>{_ci(en['relative_weeks'])})\b"), _relative_offset("relative_weeks", "en")),
        _Rule(re.compile(rf"\b(?P<phrase>{_ci(en['relative_months'])})\b"), _relative_offset("relative_months", "en")),
        _Rule(
            re.compile(rf"\b(?:{modifier}[\s-]+)?(?P<phrase>{_ci(en['relative_years'])})\b"),
            _relative_offset("relative_years", "en"),
        ),
        _Rule(
            re.compile(rf"\b(?:(?P<rel>{relation})\s+)?(?P<wd>{_alt(en['weekdays'])}){times_of_day}\b"),
            _en_weekday,
        ),
        _Rule(
            re.compile(
                rf"\b(?:(?P<n>{number}|{_ci(en['vague_counts'])})\s+)?(?P<u>{units})"
                rf"\s+(?P<dir>{_ci([*en['ago'], *en['later']])})\b"
            ),
            _en_ago,
        ),
        _Rule(re.compile(rf"\b{number}\s+(?:(?i:more|full|straight|consecutive)\s+)?{units}\b"), _duration),
        _Rule(re.compile(rf"\b{_ci(en['recent'])}\b"), _en_recent),
        _Rule(re.compile(rf"\b{_ci(en['anaphoric'])}\b"), _no_value),
        _Rule(
            re.compile(
                rf"\b(?:Q(?P<qn>[1-4])|(?:[Tt]he\s+)?(?P<q>{_ci(en['quarters'])})\s+(?i:quarter))"
                rf"(?:\s+of)?(?:\s+(?:(?P<rel>{relation})\s+year|(?P<y>{year})))?\b"
            ),
            _quarter,
        ),
    ]


@cache
def _rules() -> tuple[_Rule, ...]:
    """All patterns; on equal spans the earlier rule wins."""
    lex = _lexicon()
    iso = [
        _Rule(
            re.compile(r"(?<![\d.\-/])(?P<y>(?:1\d|2[01])\d{2})(?P<sep>[-/.])(?P<mo>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?!\d)"),
            _iso_date,
        ),
        _Rule(re.compile(r"(?<![\d.\-/])(?P<y>(?:19|20)\d{2})-(?P<mo>\d{2})(?![\d\-/])"), _iso_date),
    ]
    return (*iso, *_zh_rules(lex), *_en_rules(lex))


@dataclass(frozen=True)
class _Markers:
    until_before: re.Pattern[str]
    not_until_before: re.Pattern[str]
    since_before: re.Pattern[str]
    since_after: re.Pattern[str]
    stop_phrases: re.Pattern[str]
    fold: dict[int, str]


@cache
def _markers() -> _Markers:
    lex = _lexicon()
    zh, en = lex["zh"], lex["en"]
    fold = {ord(k): v for k, v in lex["traditional_to_simplified"].items()}
    fold.update({0xFF10 + i: str(i) for i in range(10)})
    fold.update({ord("（"): "(", ord("）"): ")"})
    return _Markers(
        until_before=re.compile(rf"(?:{_alt(zh['until_before'])}|\b{_ci(en['until_before'])})\s*$"),
        not_until_before=re.compile(rf"{_alt(zh['not_until_before'])}\s*$"),
        since_before=re.compile(rf"(?:{_alt(zh['since_before'])}|\b{_ci(en['since_before'])})\s*$"),
        since_after=re.compile(rf"\s*{_alt(zh['since_after'])}(?![{''.join(zh['since_after_blockers'])}])"),
        stop_phrases=re.compile(_alt(zh["stop_phrases"])),
        fold=fold,
    )


def _kind_and_value(text: str, start: int, end: int, reading: _Reading) -> tuple[Kind, str | None]:
    """Turn a point into a range end (到年底, until September) or start (自2017年, 从4月起)."""
    if reading.kind != "point":
        return reading.kind, reading.value
    markers = _markers()
    before = text[max(0, start - _MARKER_WINDOW) : start]
    if markers.until_before.search(before) and not markers.not_until_before.search(before):
        return "until", reading.range_end or reading.value
    if markers.since_before.search(before) or markers.since_after.match(text, end):
        return "since", reading.value
    return "point", reading.value


def _blocked_starts(text: str) -> set[int]:
    """Offsets inside a stop phrase (目前, 日本): no time expression starts there."""
    blocked: set[int] = set()
    for match in _markers().stop_phrases.finditer(text):
        blocked.update(range(match.start(), match.end()))
    return blocked


def _span(match: re.Match[str]) -> tuple[int, int]:
    """The expression's span: group `x` when the pattern matched context words around it."""
    if "x" in match.re.groupindex and match.start("x") >= 0:
        return match.span("x")
    return match.span()


def find_times(text: str, published: str | None, prefer: Prefer = "past") -> list[TimeExpression]:
    """Every time expression of `text`, leftmost-longest, in text order, resolved against `published`."""
    if prefer not in ("past", "future"):
        raise ValueError(f"prefer must be 'past' or 'future', not {prefer!r}")
    return list(_find_times(text, published, prefer))


@functools.lru_cache(maxsize=4096)
def _find_times(text: str, published: str | None, prefer: Prefer) -> tuple[TimeExpression, ...]:
    """find_times, remembered: the event stage asks about the same sentence once per trigger."""
    ctx = _Context(_parse_published(published), prefer, _lexicon())
    folded = text.translate(_markers().fold)
    blocked = _blocked_starts(folded)
    candidates: list[tuple[int, int, int, int, _Reading]] = []
    for order, rule in enumerate(_rules()):
        for match in rule.pattern.finditer(folded):
            start, end = _span(match)
            if start == end or start in blocked:
                continue
            reading = rule.resolve(match, ctx)
            if reading is not None:
                candidates.append((start, start - end, order, end, reading))
    candidates.sort(key=lambda c: c[:3])
    found: list[TimeExpression] = []
    for start, _, _, end, reading in candidates:
        if found and start < found[-1].end:
            continue
        kind, value = _kind_and_value(folded, start, end, reading)
        found.append(TimeExpression(start, end, text[start:end], value, kind))
    return tuple(found)


def _clause_of(sentence: str) -> Callable[[int], int]:
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(sentence)]
    return lambda offset: bisect.bisect_right(breaks, offset)


def _owned_elsewhere(time: TimeExpression, trigger_start: int, others: Sequence[tuple[int, int]], clause_of: Callable[[int], int]) -> bool:
    """Whether a Chinese time belongs to another verb between it and the trigger, in its own clause:
    the verb right after it (`去年加入OpenAI的Peter Deng也已离职`), or, for a since-time, the verb it
    closes (`加入OpenAI九年以来第一次休假`)."""
    for start, end in others:
        if clause_of(start) != clause_of(time.start):
            continue
        if time.end <= start < trigger_start and start - time.end <= OWNING_VERB_GAP:
            return True
        if time.kind == "since" and end <= time.start < trigger_start:
            return True
    return False


OWNING_VERB_GAP = 1  # characters between a Chinese time and the verb it dates (`去年加入`, `2月离职`, `于6月宣布`)


def event_date(
    sentence: str,
    published: str | None,
    trigger_span: tuple[int, int] | None,
    prefer: Prefer = "past",
    other_triggers: Sequence[tuple[int, int]] = (),
) -> str | None:
    """Date of the event the trigger states: the nearest point/since time, its own clause first.

    Chinese puts a time before its verb and a topic time (2015年8月,谷歌宣布…)
    governs the clauses after it, so outside the trigger's clause earlier
    clauses come first; English times follow their verb, so there only distance
    counts. A time without a value (之后, recently with no publication date)
    blocks only in the trigger's own clause. Without a trigger, the first dated
    time. None when the sentence gives no time: never the publication date by
    default (今天 / said today do give it). In Chinese, a time that dates
    another of the sentence's verbs (`other_triggers`) is not this one's.
    """
    times = [t for t in find_times(sentence, published, prefer) if t.kind in EVENT_KINDS]
    if trigger_span is None:
        return next((t.value for t in times if t.value is not None), None)
    trigger_start, trigger_end = trigger_span
    clause_of = _clause_of(sentence)
    trigger_clause = clause_of(trigger_start)
    chinese = _HAN.search(sentence[trigger_start:trigger_end]) is not None
    if chinese:
        others = [span for span in other_triggers if span != trigger_span]
        times = [t for t in times if not _owned_elsewhere(t, trigger_start, others, clause_of)]

    def rank(time: TimeExpression) -> tuple[int, int, int]:
        gap = max(0, time.start - trigger_end, trigger_start - time.end)
        if clause_of(time.start) == trigger_clause:
            return 0, gap, time.start
        return (2 if chinese and time.start >= trigger_end else 1), gap, time.start

    for time in sorted(times, key=rank):
        if time.value is not None or clause_of(time.start) == trigger_clause:
            return time.value
    return None
