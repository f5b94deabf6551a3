"""Sentence segmentation: Chinese and English rules, languages per sentence, offsets into the text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from newsx.pipeline import language, segment
from newsx.pipeline.segment import sentence_spans
from newsx.schemas import Document, Provenance


def document(text: str) -> Document:
    return Document(
        document_id="doc_" + "0" * 24, source="t.txt", text=text, provenance=Provenance(pipeline_version="test")
    )


def processed(text: str) -> Document:
    """The document after the language and segment stages, in pipeline order."""
    return segment.segment(language.identify(document(text)))


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text, 0, len(text))]


def tagged(doc: Document) -> list[tuple[str, str]]:
    return [(doc.text[s.start : s.end], s.language) for s in doc.segments]


def test_chinese_closing_quote_stays_with_its_sentence():
    assert sentences("他说：“我们仍然需要构建安全的AGI。”随后……他离开了会场。") == [
        "他说：“我们仍然需要构建安全的AGI。”",
        "随后……",
        "他离开了会场。",
    ]


def test_chinese_half_width_marks_and_semicolons():
    assert sentences("Nimbus AI再失大将!CTO跳槽谷歌DeepMind;总裁休假到年底") == [
        "Nimbus AI再失大将!",
        "CTO跳槽谷歌DeepMind;总裁休假到年底",
    ]
    assert sentences("融资方面，公司完成天使轮；今年又完成A轮。") == ["融资方面，公司完成天使轮；", "今年又完成A轮。"]


def test_ascii_quote_after_a_full_stop_opens_the_next_sentence():
    assert sentences('他说完了。"你好,"她说。"再见。"他答。') == ["他说完了。", '"你好,"她说。', '"再见。"', "他答。"]


def test_english_abbreviations_do_not_end_sentences():
    assert sentences("Mr. Smith of Acme Inc. joined U.S. Steel in Jan. 2024. He left.") == [
        "Mr. Smith of Acme Inc. joined U.S. Steel in Jan. 2024.",
        "He left.",
    ]
    assert sentences("Dr. J. K. Rowling spoke at No. 10 Downing St. on Monday. It was brief.") == [
        "Dr. J. K. Rowling spoke at No. 10 Downing St. on Monday.",
        "It was brief.",
    ]


def test_sentence_ends_before_a_capital_a_digit_a_quote_or_chinese():
    assert sentences('The deal closed. 2025 will be busy. "We are ready," she said. 他补充说。') == [
        "The deal closed.",
        "2025 will be busy.",
        '"We are ready," she said.',
        "他补充说。",
    ]
    assert sentences("It rose 5% in Jan. The rest fell.") == ["It rose 5% in Jan.", "The rest fell."]


def test_decimals_and_lowercase_continuations_do_not_split():
    text = "Halcyon raised $6.6 billion at a $157 billion valuation, i.e. more than triple. Thrive led it."
    assert sentences(text) == [
        "Halcyon raised $6.6 billion at a $157 billion valuation, i.e. more than triple.",
        "Thrive led it.",
    ]


def test_translated_and_original_document_has_both_languages():
    doc = processed(
        "OpenAI首席执行官山姆·奥特曼(Sam Altman)周二表示，公司将推出新模型。他说：“我们仍然需要构建安全的AGI。”\n"
        "\n"
        "OpenAI chief executive Sam Altman said on Tuesday the company would launch a new model. "
        '"We still need to build safe AGI," he said.\n'
    )
    assert doc.languages == ["zh", "en"]
    assert [s.language for s in doc.segments] == ["zh", "zh", "en", "en"]


def test_mixed_line_is_chinese_and_quoted_english_sentence_is_english():
    doc = processed(
        "去年9月，OpenAI首席技术官米拉·穆拉蒂(Mira Murati)宣布离职。"
        "拉曼当时在LinkedIn上写道:“Vector search belongs inside the lakehouse, not next to it.”\n"
    )
    assert tagged(doc) == [
        ("去年9月，OpenAI首席技术官米拉·穆拉蒂(Mira Murati)宣布离职。", "zh"),
        ("拉曼当时在LinkedIn上写道:", "zh"),
        ("“Vector search belongs inside the lakehouse, not next to it.”", "en"),
    ]
    assert doc.languages == ["zh", "en"]


def test_english_names_in_chinese_lines_add_no_english():
    doc = processed("Mark、Jakub、Kevin、Srinivas、Matt和Josh将向我汇报。谢谢大家。\nSam\n")
    assert doc.languages == ["zh"]


def test_traditional_chinese_document():
    doc = processed(
        "光羽科技今(15)日在台北發表首款AI智慧眼鏡「Aurora Lens」，主打即時翻譯與語音助理功能。"
        "這款眼鏡重量僅42公克。公司表示，明年進軍美國市場。\n"
    )
    assert doc.languages == ["zh-Hant"]
    assert [s.language for s in doc.segments] == ["zh-Hant", "zh-Hant", "zh-Hant"]


def test_english_line_with_another_languages_sentence():
    text = (
        "The chief executive of the company resigned on Monday, and the board said that it was sad to see him go. "
        "Le directeur général a annoncé sa démission lundi.\n"
    )
    assert [s.language for s in language.identify(document(text)).segments] == ["en"], "English as a whole line"
    doc = processed(text)
    assert [s.language for s in doc.segments] == ["en", "fr"]
    assert doc.languages == ["en", "fr"]


def test_each_sentence_keeps_the_line_language_when_it_must():
    """The shortcut (no detection where the line's answer holds) gives what detection gives."""
    text = "公司宣布裁员。股价下跌。\nThe company cut jobs. Shares fell. Analysts were surprised.\n"
    doc = processed(text)
    for sentence in doc.segments:
        assert sentence.language == language.detect(text[sentence.start : sentence.end])


_ALPHABET = st.sampled_from(
    ["我们", "公司", "發表", "OpenAI", " the ", "Mr.", " He", "U.S.", "6.6", "。", "！", "?", ". ", "”", '"', "“", "…"]
    + ["(", ")", "\n", " ", "Sam", "le "]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=30).map("".join))
def test_sentences_cover_the_text_in_order_without_edge_spaces(text: str):
    doc = processed(text)
    covered = "".join(text[s.start : s.end] for s in doc.segments)
    assert "".join(covered.split()) == "".join(text.split()), "every character but spaces is in a sentence"
    previous_end = 0
    for s in doc.segments:
        assert previous_end <= s.start < s.end <= len(text)
        assert not text[s.start].isspace() and not text[s.end - 1].isspace()
        assert "\n" not in text[s.start : s.end]
        previous_end = s.end
    assert set(doc.languages) <= {s.language for s in doc.segments}
