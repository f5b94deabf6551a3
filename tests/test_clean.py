"""Cleaning: furniture goes, the article stays, offsets lead back to the raw text."""

from __future__ import annotations

import html
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsx.pipeline.clean import clean
from newsx.pipeline.offsets import span_to_raw, to_raw
from newsx.schemas import Provenance, RawDocument

PROVENANCE = Provenance(pipeline_version="test")


def cleaned(raw_text: str):
    raw = RawDocument(document_id="doc_" + "0" * 24, source="t.txt", format="txt", encoding="utf-8", raw_text=raw_text)
    return clean(raw, PROVENANCE)


PAGE = """当前位置:首页 > 综合 > OpenAI大震荡

OpenAI大震荡!总裁停工

智东西8月6日消息,OpenAI联合创始人John Schulman宣布离职。

▲John Schulman宣布跳槽Anthropic

db4f0c1be2d44e7f9b1c2a7d8e6f5a41.jpeg
John Schulman 图源:X
此外据The Information报道,OpenAl产品负责人Peter Deng也已离职。
(责任编辑:焦点)
推荐文章
  • 涉事教师被开除!三年级学生推落行李箱
    北京今天气温下降 西部北部有降雪 中国天气网讯 今天12月1日 ...[详细]
"""


def test_furniture_is_removed_and_article_kept():
    doc = cleaned(PAGE)
    text = doc.text
    for gone in ("当前位置", "▲John", ".jpeg", "图源", "责任编辑", "推荐文章", "涉事教师", "[详细]"):
        assert gone not in text, gone
    for kept in ("OpenAI大震荡!总裁停工", "OpenAI联合创始人John Schulman宣布离职。", "Peter Deng也已离职。"):
        assert kept in text, kept
    assert "OpenAl" in text, "misspellings are not fixed by cleaning"
    assert doc.removed["breadcrumb"] > 0 and doc.removed["image_caption"] > 0 and doc.removed["related_list"] > 0


def test_characters_are_normalised():
    doc = cleaned("ＯｐｅｎＡＩ　宣布&amp;确认，Ｇ\u200bＰＴ-４\u202e发布 &lt;b&gt;  \x07end。")
    assert doc.text == "OpenAI 宣布&确认，GPT-4发布 <b> end。"
    assert "，" in doc.text, "Chinese punctuation is kept"
    assert doc.removed["invisible"] == 3 and doc.removed["html_entity"] > 0


def test_english_social_attribution_and_links_dropped():
    doc = cleaned(
        "Altman praised Schulman in a post.\n"
        "\u201cWe will miss him.\u201d\n"
        "\u2014 Sam Altman (@sama) September 26, 2024\n"
        "https://t.co/AbCd123\n"
        "Read more:\n"
        "OpenAI raises $6.6 billion\n"
        "Anthropic hires again\n"
    )
    assert doc.text == "Altman praised Schulman in a post.\n\u201cWe will miss him.\u201d"


def test_front_matter_in_a_text_file_is_dropped():
    doc = cleaned("---\ntitle: 'x'\ndate: 2024-09-29\n---\n正文第一句。\n")
    assert doc.text == "正文第一句。" and doc.removed["front_matter"] > 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("ab 中文\u3000\t&amp;ＸＹ１\u200b\n▲"), max_size=30), max_size=8))
def test_every_kept_character_maps_back_to_its_raw_source(lines):
    raw = "\n".join(lines)
    doc = cleaned(raw) if raw.strip() else None
    if doc is None:
        return
    for offset, char in enumerate(doc.text):
        source = raw[to_raw(doc.offset_map, offset)]
        if char in "\n ":
            continue
        # a decoded entity maps to its '&'; full-width letters to their half-width form
        assert source == char or source == "&" or (char, source) in {("1", "１"), ("X", "Ｘ"), ("Y", "Ｙ")}, (offset, char, source)
    if doc.text:
        start, end = span_to_raw(doc.offset_map, 0, len(doc.text))
        assert 0 <= start < end <= len(raw)


_WIDTH_AND_SPACE = {ord("Ｘ"): "X", ord("Ｙ"): "Y", ord("１"): "1", ord("\u3000"): " ", ord("\t"): " "}


_LINE = st.lists(
    st.sampled_from(["ab", " ", "中文", "公司", "宣布", "\u3000", "\t", "&amp;", "ＸＹ", "１", "\u200b", "▲", "# ", "> ",
                     "[链接](http://x.cn)", "**", "大换血", "某某维修站", ",", "。", " https://t.co/x"]),
    max_size=12,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(st.lists(_LINE, min_size=1, max_size=8), st.sampled_from(["txt", "md"]), st.sampled_from([None, "公司大换血宣布某某"]))
def test_every_kept_span_maps_back_to_the_raw_text_it_came_from(lines, fmt, title):
    raw_text = "\n".join(lines)
    if not raw_text.strip():
        return
    raw = RawDocument(
        document_id="doc_" + "0" * 24, source="t." + fmt, format=fmt, encoding="utf-8", raw_text=raw_text, title=title
    )
    doc = clean(raw, PROVENANCE)
    runs = doc.offset_map
    for number, (clean_start, raw_start) in enumerate(runs):
        clean_end = runs[number + 1][0] if number + 1 < len(runs) else len(doc.text)
        span = doc.text[clean_start:clean_end]
        if span == "\n":
            continue  # the line break joining two kept lines
        copied = raw_text[raw_start : raw_start + len(span)].translate(_WIDTH_AND_SPACE)
        if copied == span:
            continue  # a copied run: character for character, widths and single spaces folded
        # a rewritten run, one piece: a run of blanks folded to one space, or a decoded entity
        assert span == " " and raw_text[raw_start] in " \t\u3000" or (
            raw_text.startswith("&", raw_start) and html.unescape(raw_text[raw_start : raw_text.index(";", raw_start) + 1]) == span
        ), (span, raw_text[raw_start : raw_start + 10])


# --- pathological lines: every regex of cleaning is linear (a quadratic one took minutes on these) ---

PATHOLOGICAL = 200_000
TIME_LIMIT = 5.0  # seconds: a guard against quadratic blow-up only (linear work here takes well under one)


def _cleaned_in_time(raw_text: str, fmt: str = "txt"):
    raw = RawDocument(document_id="doc_" + "0" * 24, source="t." + fmt, format=fmt, encoding="utf-8", raw_text=raw_text)
    started = time.process_time()
    doc = clean(raw, PROVENANCE)
    seconds = time.process_time() - started
    assert seconds < TIME_LIMIT, f"{seconds:.1f} s on {len(raw_text):,} characters"
    return doc



@pytest.mark.parametrize(
    ("name", "raw_text", "fmt"),
    [
        ("blanks before a word, no link", "a" + " " * PATHOLOGICAL + "x", "txt"),
        ("blank-separated tokens, no link at the end", "a " + "http://x " * (PATHOLOGICAL // 9) + "。", "txt"),
        ("open brackets, never closed", "[" * PATHOLOGICAL, "md"),
        ("image starts, never closed", "![" * (PATHOLOGICAL // 2), "md"),
        ("link middles, never closed", "a" + "](" * (PATHOLOGICAL // 2), "md"),
        ("link texts without URLs", "[a]" * (PATHOLOGICAL // 3), "md"),
        ("nested parentheses in a URL part", "[a](" + "(" * PATHOLOGICAL, "md"),
        ("Chinese text with spaces", "公司 宣布 " * (PATHOLOGICAL // 6), "md"),
    ],
)
def test_pathological_lines_clean_in_linear_time(name, raw_text, fmt):
    doc = _cleaned_in_time(raw_text, fmt)
    assert doc.text or not raw_text.strip(), name


def test_markdown_links_and_trailing_links_after_the_rewrite():
    md = "看[这篇报道](https://example.com/wiki/Foo_(bar))和![图](a.png)。**重点** `代码`\n原文 https://t.co/AbC"
    raw = RawDocument(document_id="doc_" + "0" * 24, source="t.md", format="md", encoding="utf-8", raw_text=md)
    doc = clean(raw, PROVENANCE)
    assert doc.text == "看这篇报道和。重点 代码\n原文"
    assert cleaned("Altman wrote a post. \t https://t.co/AbCd123").text == "Altman wrote a post."
    assert cleaned("see https://t.co/x and more").text == "see https://t.co/x and more"  # not at the end: kept
