"""Linking names the document writes short or the model types wrong: lone given names, surnames and
first words standing alone, place-prefixed company names, the holder of a title, and the people a
byline credits (issue "Entity linking")."""

from __future__ import annotations

import pytest

from newsx.models.knowledge_base import KnowledgeBase, entity_id
from newsx.pipeline.clean import byline_names
from newsx.pipeline.link import link
from newsx.schemas import Entity

from tests.test_link import make_document, org, person, write_kb


@pytest.fixture
def kb(tmp_path) -> KnowledgeBase:
    return write_kb(
        tmp_path,
        [
            person("Mira Murati", en=["Murati"]),
            person("Sam Altman", en=["Altman"]),
            person("Sam Bankman-Fried", en=["SBF"]),
            person("Boaz Barak"),
            org("OpenAI"),
            {"name": "Beijing", "type": "GPE", "aliases": {"en": [], "zh": ["北京"]}},
        ],
    )


def _entities(document) -> dict[str, Entity]:
    return {entity.name: entity for entity in document.entities}


def test_a_lone_given_name_tagged_org_is_the_one_kb_person_with_it(kb):
    text = "Altman thanked Mira and Boaz for their work at OpenAI."
    linked = link(make_document(text, [("Altman", "PERSON"), ("Mira", "ORG"), ("Boaz", "ORG"), ("OpenAI", "ORG")]), kb)
    names = _entities(linked)
    assert names["Mira Murati"].type == names["Boaz Barak"].type == "PERSON"
    assert "Mira" not in names and "Boaz" not in names


def test_a_given_name_two_kb_people_share_goes_to_the_one_the_document_names(kb):
    text = "Altman said the board erred. Sam returned days later."
    names = _entities(link(make_document(text, [("Altman", "PERSON"), ("Sam", "ORG")]), kb))
    assert names["Sam Altman"].mentions == ["Altman", "Sam"]
    alone = _entities(link(make_document("Sam returned days later.", [("Sam", "PERSON")]), kb))
    assert "Sam" in alone  # two KB people are called Sam, and the document names neither


def test_a_surname_standing_alone_is_propagated_to_its_person(kb):
    text = "Motorola named Greg Brown as CEO. Brown, a veteran of high-tech companies, joined in 2003."
    linked = link(make_document(text, [("Motorola", "ORG"), ("Greg Brown", "PERSON")]), kb)
    brown = _entities(linked)["Greg Brown"]
    assert brown.mentions == ["Greg Brown", "Brown"]
    assert [m.text for m in linked.mentions if m.entity_id == brown.entity_id] == ["Greg Brown", "Brown"]


def test_a_surname_two_entities_hold_is_not_propagated(kb):
    text = "Greg Brown met Brown University staff. Brown said little."
    linked = link(make_document(text, [("Greg Brown", "PERSON"), ("Brown University", "ORG")]), kb)
    assert _entities(linked)["Greg Brown"].mentions == ["Greg Brown"]


def test_a_place_prefixed_company_is_the_company(kb):
    text = (
        "Jinying Technology raised $40 million. Xiaomi led the round in Beijing Jinying Technology, "
        "and Beijing Jinying will expand. Jinying runs two platforms."
    )
    tagged = [("Jinying Technology", "ORG"), ("Xiaomi", "ORG"), ("Beijing Jinying Technology", "ORG"), ("Beijing Jinying", "PERSON")]
    names = _entities(link(make_document(text, tagged), kb))
    (company,) = [e for e in names.values() if "Jinying Technology" in e.mentions]
    assert company.type == "ORG"
    assert set(company.mentions) == {"Jinying Technology", "Beijing Jinying Technology", "Beijing Jinying", "Jinying"}


def test_what_a_title_is_held_at_is_an_organisation(kb):
    text = "The company was founded by Hou Xiaoqiang, the former CEO of Shanda Literature."
    names = _entities(link(make_document(text, [("Hou Xiaoqiang", "PERSON"), ("Shanda Literature", "PERSON")]), kb))
    assert names["Shanda Literature"].type == "ORG"
    assert names["Hou Xiaoqiang"].type == "PERSON"


@pytest.mark.parametrize(
    "line, names",
    [
        ("作者香草", ["香草"]),
        ("编辑|邓咏仪", ["邓咏仪"]),
        ("文|袁滢靓 常敏潇", ["袁滢靓", "常敏潇"]),
        ("记者：周晴、李雷", ["周晴", "李雷"]),
        ("By Eleanor Price", ["Eleanor Price"]),
        ("By Eleanor Price and Tom Reed", ["Eleanor Price", "Tom Reed"]),
        ("作者简介:他是一位资深记者,曾在多家媒体工作。", []),
        ("By the way, this is not a byline", []),
    ],
)
def test_byline_names(line, names):
    assert byline_names(line) == names


def test_credited_people_are_entities_without_mentions(kb):
    document = make_document("OpenAI又一轮震荡来了。", [("OpenAI", "ORG")]).model_copy(update={"credits": ["香草", "心缘"]})
    linked = link(document, kb)
    names = _entities(linked)
    assert names["香草"].type == names["心缘"].type == "PERSON"
    assert names["香草"].entity_id == entity_id("香草", "PERSON")
    assert all(m.text not in ("香草", "心缘") for m in linked.mentions)


def test_cleaning_keeps_the_byline_names_it_removes():
    from newsx.pipeline.clean import clean
    from newsx.pipeline.ingest import document_id
    from newsx.schemas import Provenance, RawDocument

    text = "OpenAI大震荡\n作者香草\n编辑心缘\n\nJohn Schulman宣布离职。\n"
    raw = RawDocument(document_id=document_id(text), source="t.txt", format="txt", encoding="utf-8", raw_text=text)
    document = clean(raw, Provenance(pipeline_version="test"))
    assert document.credits == ["香草", "心缘"]
    assert "香草" not in document.text


def test_a_family_name_said_of_siblings_is_each_of_them(tmp_path):
    kb = write_kb(
        tmp_path,
        [
            {**person("Dario Amodei"), "ambiguous_aliases": ["Amodei"]},
            {**person("Daniela Amodei"), "ambiguous_aliases": ["Amodei"]},
            org("Anthropic"),
        ],
    )
    text = "Amodei兄妹带领大批研究成员出走，建立Anthropic。"
    names = _entities(link(make_document(text, [("Amodei", "ORG"), ("Anthropic", "ORG")]), kb))
    assert names["Dario Amodei"].type == names["Daniela Amodei"].type == "PERSON"
    assert "Amodei" not in names
    alone = _entities(link(make_document("Amodei said no.", [("Amodei", "PERSON")]), kb))
    assert "Dario Amodei" not in alone  # one of two, and the text does not say which


def test_a_name_coordinated_with_a_found_one_is_found(kb):
    text = "Xiaomi led the round.\nSIG Asia and Fosun International also participated, as did Hillhouse."
    names = _entities(link(make_document(text, [("Xiaomi", "ORG"), ("Fosun International", "ORG")]), kb))
    assert names["SIG Asia"].type == "ORG"
    assert "Xiaomi led" not in names and not any("round" in name for name in names)


def test_a_product_noun_before_a_name_makes_it_a_product(kb):
    text = "Jinying runs the review application Duyao."
    names = _entities(link(make_document(text, [("Jinying", "ORG"), ("Duyao", "ORG")]), kb))
    assert names["Duyao"].type == "PRODUCT"


def test_a_name_of_one_letter_and_signs_is_no_entity(kb):
    text = "Xiaomi led a Series B+ round."
    names = _entities(link(make_document(text, [("Xiaomi", "ORG"), ("B+", "PERSON")]), kb))
    assert "B+" not in names


def test_the_gazetteer_is_blind_to_case_without_stopping_at_a_shorter_alias(tmp_path):
    from newsx.models.gazetteer import GazetteerBackend

    kb = write_kb(tmp_path, [org("EU"), org("Eureka Labs"), {"name": "DALL·E", "type": "PRODUCT", "aliases": {"en": [], "zh": []}}])
    (first, second) = GazetteerBackend(kb).recognise(["在上个月宣布创办一所AI+教育公司Eureka Labs,将作为", "他核心参与了DALL・E等模型开发"])
    assert [(s.text, s.label) for s in first.spans] == [("Eureka Labs", "ORG")]
    assert [(s.text, s.label) for s in second.spans] == [("DALL・E", "PRODUCT")]


def test_the_short_name_an_article_declares_is_canonical(kb):
    text = "北京岩衡智能科技有限公司(简称:“岩衡智能”)日前完成股份制改造。岩衡智能成立于2023年3月。"
    names = _entities(link(make_document(text, [("北京岩衡智能科技有限公司", "ORG")]), kb))
    assert "岩衡智能" in names and "北京岩衡智能科技" not in names
    assert set(names["岩衡智能"].mentions) >= {"北京岩衡智能科技有限公司", "岩衡智能"}


def test_a_chinese_product_noun_after_a_name_makes_it_a_product(kb):
    text = "Cirrus-2已接入公司面向企业客户的Nimbus Studio平台。"
    names = _entities(link(make_document(text, [("Nimbus Studio", "ORG")]), kb))
    assert names["Nimbus Studio"].type == "PRODUCT"
