"""Event and relation extraction over hand-tagged sentences: every type, both languages.

Mentions are given by hand (as NER would give them) so these tests pin the
argument rules, dates, modality and relations, not the models.
"""

from __future__ import annotations

import re

import pytest

from newsx.models.knowledge_base import KnowledgeBase
from newsx.pipeline import events, link, segment
from newsx.pipeline.language import identify
from newsx.schemas import Document, Mention, Provenance

KB = KnowledgeBase([])  # empty: linking by the text alone


def tagged(text: str, published: str | None = "2025-03-12") -> Document:
    """A document from text with names marked `[Name|LABEL]`."""
    mentions, plain, cursor = [], "", 0
    for match in re.finditer(r"\[([^|\]]+)\|([A-Z]+)\]", text):
        plain += text[cursor : match.start()]
        start = len(plain)
        plain += match.group(1)
        mentions.append(Mention(text=match.group(1), start=start, end=len(plain), label=match.group(2)))
        cursor = match.end()
    plain += text[cursor:]
    document = Document(
        document_id="doc_" + "e" * 24,
        source="t.txt",
        published=published,
        text=plain,
        mentions=mentions,
        provenance=Provenance(pipeline_version="test"),
    )
    document = segment.segment(identify(document))
    return events.extract(link.link(document, KB))


def summary(document: Document) -> list[tuple]:
    rows = []
    for event in document.events:
        args = {}
        for role, value in event.arguments:
            if value is None or value == []:
                continue
            if isinstance(value, list):
                args[role] = [v.name for v in value]
            elif hasattr(value, "name"):
                args[role] = value.name
            elif hasattr(value, "currency"):
                args[role] = (value.value, value.currency)
            else:
                args[role] = value
        rows.append((event.type, args, event.date, event.modality))
    return sorted(rows, key=lambda r: (r[0], str(r[1])))


def test_english_departure_with_role_and_destination_implies_a_hire():
    doc = tagged("[Acme|ORG] chief technology officer [Jane Doe|PERSON] left the company in January to join [Globex|ORG].")
    assert summary(doc) == [
        ("personnel.departure", {"person": "Jane Doe", "organization": "Acme", "role": "chief technology officer", "destination": "Globex"}, "2025-01", "actual"),
        ("personnel.hire", {"person": "Jane Doe", "organization": "Globex", "origin": "Acme"}, "2025-01", "actual"),
    ]


def test_chinese_departure_apposition_and_destination():
    doc = tagged("智东西3月12日消息,[OpenAI|ORG]联合创始人[John Schulman|PERSON]宣布离职,将跳槽至[Anthropic|ORG]。")
    rows = summary(doc)
    assert rows[0] == (
        "personnel.departure",
        {"person": "John Schulman", "organization": "OpenAI", "role": "联合创始人", "destination": "Anthropic"},
        "2025-03-12",
        "actual",
    )
    assert rows[1][0] == "personnel.hire" and rows[1][1]["organization"] == "Anthropic"
    relations = {(r.type, r.arguments.person.name, r.arguments.organization.name, r.ended) for r in doc.relations}
    assert ("affiliation", "John Schulman", "OpenAI", True) in relations
    assert ("affiliation", "John Schulman", "Anthropic", False) in relations
    assert ("founder_of", "John Schulman", "OpenAI", False) in relations


def test_appointment_needs_a_role_and_finds_the_predecessor():
    doc = tagged("[Motorola|ORG] named [Greg Brown|PERSON] as CEO, replacing [Ed Zander|PERSON].", published="2007-11-30")
    assert summary(doc) == [
        ("personnel.appointment", {"person": "Greg Brown", "organization": "Motorola", "role": "CEO", "predecessor": "Ed Zander"}, None, "actual")
    ]


def test_promotion_in_chinese():
    doc = tagged("[Nimbus AI|ORG]已任命研究副总裁[周立群|PERSON]接任首席技术官。")
    (event,) = [e for e in summary(doc) if e[0] == "personnel.appointment"]
    assert event[1]["person"] == "周立群" and event[1]["role"] == "首席技术官" and event[1]["organization"] == "Nimbus AI"


def test_leave_until_the_end_of_the_year_is_planned_or_actual_with_until():
    doc = tagged("[OpenAI|ORG]总裁[Greg Brockman|PERSON]称自己将休假到年底。", published="2024-08-06")
    (row,) = summary(doc)
    assert row[0] == "personnel.leave" and row[1]["until"] == "2024-12-31"


def test_dismissal_with_reason():
    doc = tagged("[Leopold Aschenbrenner|PERSON]于今年4月因泄漏公司机密被[OpenAI|ORG]解雇。", published="2024-08-06")
    assert summary(doc) == [
        ("personnel.dismissal", {"person": "Leopold Aschenbrenner", "organization": "OpenAI", "reason": "泄漏公司机密"}, "2024-04", "actual")
    ]


def test_founding_english_passive_and_chinese_active():
    english = tagged("[WM Motor|ORG] was founded in 2015 by [Freeman Shen|PERSON].")
    assert summary(english) == [("org.founding", {"organization": "WM Motor", "founders": ["Freeman Shen"]}, "2015", "actual")]
    chinese = tagged("[拉里·佩奇|PERSON]和[谢尔盖·布林|PERSON]于1998年创立了[google|ORG]。")
    assert summary(chinese) == [("org.founding", {"organization": "google", "founders": ["拉里·佩奇", "谢尔盖·布林"]}, "1998", "actual")]
    assert {(r.type, r.arguments.person.name) for r in chinese.relations if r.type == "founder_of"} == {
        ("founder_of", "拉里·佩奇"),
        ("founder_of", "谢尔盖·布林"),
    }


def test_funding_with_amount_investors_valuation_and_round():
    doc = tagged(
        "[Halcyon Labs|ORG] said it had raised $6.6 billion in a Series C round led by [Thrive Capital|ORG] and [Nvidia|ORG], valuing the company at $157 billion.",
        published="2025-02-14",
    )
    (row,) = summary(doc)
    assert row[0] == "org.funding"
    assert row[1] == {
        "organization": "Halcyon Labs",
        "amount": (6.6e9, "USD"),
        "investors": ["Thrive Capital", "Nvidia"],
        "valuation": (1.57e11, "USD"),
        "round": "Series C",
    }
    assert {(r.arguments.investor.name, r.arguments.organization.name) for r in doc.relations if r.type == "investor_in"} == {
        ("Thrive Capital", "Halcyon Labs"),
        ("Nvidia", "Halcyon Labs"),
    }


def test_chinese_funding_led_by_names_the_raiser_not_the_leader():
    doc = tagged("[极光出行|ORG]今年3月完成由[浦江资本|ORG]领投的5亿元C轮融资。")
    (row,) = summary(doc)
    assert row[1]["organization"] == "极光出行" and row[1]["investors"] == ["浦江资本"] and row[1]["amount"] == (5e8, "CNY")


@pytest.mark.parametrize(
    ("text", "acquirer", "target"),
    [
        ("[Snowflake|ORG]以约2.5亿美元收购[Crunchy Data|ORG]。", "Snowflake", "Crunchy Data"),
        ("[Character.AI|ORG]投奔[谷歌|ORG]。", "谷歌", "Character.AI"),
        ("[Nest Labs|ORG]被[谷歌|ORG]收购。", "谷歌", "Nest Labs"),
        ("[Lumo Sensors|ORG] was acquired by [Quantos|ORG] last year.", "Quantos", "Lumo Sensors"),
    ],
)
def test_acquisition_direction(text, acquirer, target):
    (row,) = [r for r in summary(tagged(text)) if r[0] == "org.acquisition"]
    assert (row[1]["acquirer"], row[1]["target"]) == (acquirer, target)


def test_lawsuit_with_two_defendants_and_claim():
    doc = tagged(
        "[Orbital Robotics|ORG] has sued [Kestrel Automation|ORG] and [Daniel Okafor|PERSON], accusing them of stealing trade secrets."
    )
    (row,) = summary(doc)
    assert row[1]["plaintiff"] == "Orbital Robotics"
    assert row[1]["defendants"] == ["Kestrel Automation", "Daniel Okafor"]
    assert "stealing trade secrets" in row[1]["claim"]


def test_release_and_restructuring():
    doc = tagged("7月,[Meta|ORG]刚刚发布[Llama 3.1|PRODUCT]。", published="2024-08-06")
    assert summary(doc) == [("product.release", {"organization": "Meta", "product": "Llama 3.1"}, "2024-07", "actual")]
    doc = tagged("据外媒称,[OpenAI|ORG]可能会从一家非营利性公司转型为一家公益性公司。")
    (row,) = summary(doc)
    assert row[0] == "org.restructuring" and row[3] == "rumored" and "公益性公司" in row[1]["change"]


def test_modality_negated_and_planned():
    negated = tagged("Chief scientist [Ingrid Holm|PERSON] did not leave [Halden AI|ORG], a spokesperson said.")
    assert [r[3] for r in summary(negated)] == ["negated"]
    planned = tagged("[Ed Zander|PERSON] will step down as chief executive of [Motorola|ORG] on January 1.", published="2007-11-30")
    assert [(r[0], r[2], r[3]) for r in summary(planned)] == [("personnel.departure", "2008-01-01", "planned")]


def test_pronoun_subject_takes_the_last_person_and_headlines_are_skipped():
    doc = tagged("高管接连离职创业\n[OpenAI|ORG]研究员[Jan Leike|PERSON]备受关注。他于今年5月离职。", published="2024-08-06")
    assert summary(doc) == [("personnel.departure", {"person": "Jan Leike", "organization": "OpenAI"}, "2024-05", "actual")]


def test_one_happening_told_twice_is_one_event_with_two_pieces_of_evidence():
    doc = tagged("[John Schulman|PERSON]宣布离开[OpenAI|ORG]。[Schulman|PERSON]在X上宣布离开[OpenAI|ORG]。")
    (event,) = doc.events
    assert len(event.evidence) == 2
    assert [e.text for e in event.evidence] == ["John Schulman宣布离开OpenAI。", "Schulman在X上宣布离开OpenAI。"]
    for evidence in event.evidence:
        assert doc.text[evidence.start : evidence.end] == evidence.text


def test_event_ids_are_stable():
    text = "[Acme|ORG] chief executive [Jane Doe|PERSON] left the company."
    assert [e.event_id for e in tagged(text).events] == [e.event_id for e in tagged(text).events]


def test_a_name_that_only_qualifies_the_next_is_not_the_argument():
    doc = tagged("[John Schulman|PERSON]宣布离职,将跳槽至[OpenAI|ORG]竞争对手[Anthropic|ORG]。", published="2024-08-06")
    hires = [e for e in summary(doc) if e[0] == "personnel.hire"]
    assert [h[1]["organization"] for h in hires] == ["Anthropic"]


def test_an_event_under_way_is_dated_by_the_publication():
    doc = tagged("另一位[OpenAI|ORG]联合创始人、总裁[Greg Brockman|PERSON]正在延长休假时间。", published="2024-08-06")
    (leave,) = [e for e in summary(doc) if e[0] == "personnel.leave"]
    assert leave[2] == "2024-08-06"
    plain = tagged("[OpenAI|ORG]总裁[Greg Brockman|PERSON]宣布休假。", published="2024-08-06")
    assert [e[2] for e in summary(plain) if e[0] == "personnel.leave"] == [None]  # never the publication date by default


def test_an_along_with_phrase_takes_the_main_clause_time():
    doc = tagged("此前,伴随着首席科学家[Ilya Sutskever|PERSON]的离开,[OpenAI|ORG]的超级对齐团队已在今年5月份解散。", published="2024-08-06")
    (departure,) = [e for e in summary(doc) if e[0] == "personnel.departure"]
    assert departure[2] == "2024-05"
    later = tagged("[Ilya Sutskever|PERSON]离开了[OpenAI|ORG],团队在今年5月份解散。", published="2024-08-06")
    assert [e[2] for e in summary(later) if e[0] == "personnel.departure"] == [None]


def test_an_appointment_is_not_at_the_former_employer():
    doc = tagged("[Aether Labs|ORG]随后宣布,前[谷歌|ORG]产品总监[冯丽莎|PERSON]已加入公司,接替韦伯担任首席产品官。", published="2025-03-12")
    appointments = [e for e in summary(doc) if e[0] == "personnel.appointment"]
    assert appointments and all(a[1]["organization"] == "Aether Labs" for a in appointments)
