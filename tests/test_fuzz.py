"""Property-based tests and a bounded fuzz target (hypothesis) for ingest, cleaning, segmentation,
time expressions, money and the record schema.

The fuzz target's size is NEWSX_FUZZ_EXAMPLES (default 200 examples per target, for CI);
e.g. `NEWSX_FUZZ_EXAMPLES=20000 pytest tests/test_fuzz.py -k fuzz` for a longer session.
"""

from __future__ import annotations

import codecs
import json
import os
import re

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsx.pipeline import language, segment
from newsx.pipeline.clean import _ENTITY, _FULLWIDTH_ALNUM, clean
from newsx.pipeline.ingest import InputError, decode, document_id, read_jsonl_line
from newsx.pipeline.money import find_money
from newsx.pipeline.offsets import to_raw
from newsx.pipeline.timex import find_times
from newsx.schemas import Document, Provenance, RawDocument

FUZZ_EXAMPLES = int(os.environ.get("NEWSX_FUZZ_EXAMPLES", "200"))
PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ = settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROVENANCE = Provenance(pipeline_version="test")

# What a clean text never holds: control characters but the line break, zero-width and bidi controls.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
FORBIDDEN = re.compile(f"[{ZERO_WIDTH}{BIDI}\x00-\x09\x0b-\x1f\x7f-\x9f]")

# Pieces news pages are made of, and pieces that attack them.
FRAGMENTS = [
    "OpenAI", "John Schulman", "宣布离职", "。", "，", "！", "？", "；", "…", "...", ". ", "! ", "? ", "Mr. ", "U.S. ",
    "“", "”", '"', "'", "(", ")", "（", "）", "\n", "\r\n", "\r", " ", "\t", "\u3000", "\u00a0",
    "2024年", "5月", "3日", "8月6日消息", "去年", "上周三", "last November", "May 7, 2025", "2024-05-01",
    "10亿美元", "$150 billion", "RMB1 billion", "1,500", "4.5亿元", "约", "1-2亿美元",
    "&amp;", "&#8238;", "&#x202E;", "&#0;", "&nbsp;", "&lt;script&gt;", "&#x110000;",
    "\u202e", "\u202d", "\u2066", "\u200b", "\u200d", "\ufeff", "\u00ad", "\x00", "\x07", "\x1b[31m", "\x85", "\x9b",
    "ＡＢＣ１２３", "---\n", "# ", "> ", "* ", "**", "`", "[link](http://x.y)", "![img](a.png)", " https://t.co/x",
    "责任编辑：王五", "图片来源：网络", "相关阅读", "©2024", "(((", ")))", "年月日", "000000000",
]
hostile_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=40).map("".join)
formats = st.sampled_from(["txt", "md", "html", "jsonl"])


def raw_document(text: str, fmt: str = "txt", title: str | None = None) -> RawDocument:
    return RawDocument(
        document_id=document_id(text or "x"), source="fuzz", format=fmt, encoding="utf-8", raw_text=text, title=title
    )


def _inside_entity(raw: str, position: int) -> bool:
    return any(m.start() <= position < m.end() for m in _ENTITY.finditer(raw, max(0, position - 40), position + 40))


def check_clean(text: str, fmt: str, title: str | None) -> Document:
    """clean() never raises, leaves no hidden character, and maps every kept character back to the raw text."""
    document = clean(raw_document(text, fmt, title), PROVENANCE)
    cleaned = document.text
    assert not FORBIDDEN.search(cleaned), [hex(ord(c)) for c in FORBIDDEN.findall(cleaned)]
    assert "\r" not in cleaned
    runs = document.offset_map
    assert runs == sorted(runs), "offset map runs out of order"
    for i, char in enumerate(cleaned):
        if char.isspace():
            continue
        position = to_raw(runs, i)
        assert 0 <= position < len(text), (i, char, position)
        source = text[position]
        assert source.translate(_FULLWIDTH_ALNUM) == char or _inside_entity(text, position), (i, char, source)
    return document


# --- ingest ---


@PROPERTY
@given(st.binary(max_size=2000))
def test_decode_raises_only_input_error(data):
    try:
        text, encoding = decode(data)
    except InputError as error:
        assert error.reason in {"empty", "binary", "undecodable"}
    else:
        assert isinstance(text, str) and encoding


@PROPERTY
@given(st.sampled_from(["utf-8", "utf-16", "utf-16-le", "utf-32", "gb18030", "big5", "latin-1"]), hostile_text)
def test_decode_of_encoded_text_raises_only_input_error(encoding, text):
    data = text.encode(encoding, errors="replace")
    if encoding == "utf-16-le":
        data = codecs.BOM_UTF16_LE + data
    try:
        decoded, _ = decode(data)
    except InputError:
        return
    assert isinstance(decoded, str)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
date_like = st.one_of(
    st.from_regex(r"\A[0-9]{4}(-[0-9]{1,2}(-[0-9]{1,2})?)?\Z"), st.sampled_from(["0000", "0000-01", "0000-00-00", "2024-02-30", "9999-12-31"]),
    json_values,
)
jsonl_records = st.fixed_dictionaries(
    {},
    optional={
        "text": st.one_of(hostile_text, json_values),
        "id": json_values,
        "title": st.one_of(st.text(max_size=20), json_values),
        "author": st.one_of(st.text(max_size=20), json_values),
        "source": json_values,
        "date": date_like,
        "published": date_like,
        "extra": json_values,
    },
)


def _dump(value: object) -> bytes:
    """JSON of any value, big integers and lone surrogates included (orjson refuses both)."""
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


@PROPERTY
@given(st.one_of(jsonl_records.map(_dump), json_values.map(_dump), st.binary(max_size=200)))
def test_read_jsonl_line_raises_only_input_error(line):
    try:
        document = read_jsonl_line("fuzz.jsonl:1", line)
    except InputError as error:
        assert error.reason in {"bad-jsonl-line", "empty"}
    else:
        assert document.raw_text.strip()


def test_year_zero_in_metadata_is_no_date():
    """Found by the property above: `"date": "0000"` made read_jsonl_line raise a pydantic ValidationError."""
    for value in ("0000", "0000-05", "0000-05-01"):
        document = read_jsonl_line("x.jsonl:1", orjson.dumps({"text": "正文", "date": value}))
        assert document.published is None


# --- cleaning ---


@PROPERTY
@given(hostile_text, formats, st.none() | st.text(max_size=30))
def test_clean_properties(text, fmt, title):
    check_clean(text, fmt, title)


@PROPERTY
@given(st.text(max_size=300), formats)
def test_clean_properties_arbitrary_unicode(text, fmt):
    check_clean(text, fmt, None)


def test_clean_drops_every_bidi_control():
    document = clean(raw_document("a\u061cb\u180ec\U000e0041d\ufff9e"), PROVENANCE)
    assert document.text == "abcde"


# --- segmentation ---


def check_segments(text: str) -> None:
    document = language.identify(clean(raw_document(text), PROVENANCE))
    segmented = segment.segment(document)
    size = len(segmented.text)
    previous_end = 0
    for piece in segmented.segments:
        assert previous_end <= piece.start < piece.end <= size, (piece, previous_end, size)
        assert segmented.text[piece.start : piece.end].strip(), piece
        previous_end = piece.end


@PROPERTY
@given(hostile_text)
def test_segments_are_ordered_non_empty_and_inside(text):
    check_segments(text)


@PROPERTY
@given(hostile_text)
def test_sentence_spans_inside_the_line(text):
    line = text.replace("\n", " ").replace("\r", " ")
    spans = segment.sentence_spans(line, 0, len(line))
    cursor = 0
    for start, end in spans:
        assert cursor <= start <= end <= len(line)
        cursor = end


# --- time expressions and money ---


def test_find_times_refuses_a_malformed_publication_date():
    """By contract: a malformed `published` is the caller's bug (records hold ISO dates), so ValueError."""
    with pytest.raises(ValueError):
        find_times("去年5月", "garbage")


@PROPERTY
@given(
    hostile_text,
    st.none() | st.builds(lambda d, n: d.isoformat()[:n], st.dates(), st.sampled_from([4, 7, 10])),
    st.sampled_from(["past", "future"]),
)
def test_find_times_never_raises_and_stays_inside(text, published, prefer):
    cursor = 0
    for time in find_times(text, published, prefer):
        assert cursor <= time.start < time.end <= len(text)
        assert text[time.start : time.end] == time.text
        cursor = time.end


@PROPERTY
@given(hostile_text)
def test_find_money_never_raises_and_stays_inside(text):
    cursor = 0
    for money in find_money(text):
        assert cursor <= money.start < money.end <= len(text)
        assert text[money.start : money.end] == money.text
        assert money.value >= 0 and re.fullmatch("[A-Z]{3}", money.currency)
        cursor = money.end


# --- schema round trip ---


@st.composite
def documents(draw) -> Document:
    text = draw(st.text(min_size=1, max_size=80))
    size = len(text)
    cuts = sorted(set(draw(st.lists(st.integers(0, size), max_size=6)) + [0, size]))
    segments = [{"start": a, "end": b, "language": draw(st.sampled_from(["zh", "en", "zh-Hant"]))} for a, b in zip(cuts, cuts[1:]) if b > a]
    mentions = []
    for a, b in zip(cuts, cuts[1:]):
        if b > a and draw(st.booleans()):
            mentions.append({"text": text[a:b], "start": a, "end": b, "label": draw(st.sampled_from(["PERSON", "ORG", "GPE", "PRODUCT", "TITLE", "MONEY", "DATE"]))})
    date = draw(st.none() | st.dates().map(lambda d: d.isoformat()[: draw(st.sampled_from([4, 7, 10]))]))
    optional_text = st.none() | st.text(max_size=30)
    return Document.model_validate(
        {
            "document_id": document_id(text),
            "source": draw(st.text(max_size=40)),
            "external_id": draw(optional_text),
            "title": draw(optional_text),
            "author": draw(optional_text),
            "published": date,
            "languages": sorted({s["language"] for s in segments}),
            "text": text,
            "segments": segments,
            "offset_map": draw(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), max_size=5)),
            "removed": draw(st.dictionaries(st.text(min_size=1, max_size=10), st.integers(0, 10**6), max_size=3)),
            "mentions": mentions,
            "stages": draw(st.dictionaries(st.text(max_size=10), st.text(max_size=20), max_size=3)),
            "provenance": {"pipeline_version": draw(st.text(min_size=1, max_size=10)), "models": draw(st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=2))},
        }
    )


@PROPERTY
@given(documents())
def test_document_json_round_trip_is_identity(document):
    line = document.model_dump_json()
    assert Document.model_validate_json(line) == document
    assert Document.model_validate(orjson.loads(line)) == document


# --- bounded fuzz target: ingest + clean ---


@FUZZ
@given(st.one_of(st.binary(max_size=4000), hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass"))), formats)
def test_fuzz_ingest_and_clean(data, fmt):
    """Bytes through decode (or a JSONL line) and then cleaning: only InputError, and the clean properties hold."""
    if fmt == "jsonl":
        line = orjson.dumps({"text": data.decode("utf-8", "replace")}) if len(data) % 2 else data
        try:
            raw = read_jsonl_line("fuzz.jsonl:1", line)
        except InputError:
            return
        text = raw.raw_text
    else:
        try:
            text, _ = decode(data)
        except InputError:
            return
    check_clean(text, fmt, None)
    assert document_id(text).startswith("doc_")
