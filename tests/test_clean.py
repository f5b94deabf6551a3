"""Cleaning: furniture goes, the article stays, offsets lead back to the raw text."""

from __future__ import annotations

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
