"""Entity linking: every mention of a document to one canonical entity (issue "Entity linking").

Documents are built by hand with the mentions an NER model would have found, so
these tests exercise the linker alone: the knowledge base, glosses, short forms,
transliteration, typos and type voting. The transliteration matcher's labelled
pairs are tested in tests/test_translit.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from newsx.models.knowledge_base import KnowledgeBase, entity_id
from newsx.pipeline.link import link
from newsx.schemas import Document, Mention, Provenance

REPO = Path(__file__).resolve().parent.parent
SHARED_GOLD = REPO.parent / "shared" / "gold" / "dev"
SAMPLE_GOLD = REPO / "sample" / "gold"

# The id scheme: "ent_" + the first 24 hex digits of sha256(type \x1f name_key(name)).
SAM_ALTMAN_ID = "ent_" + hashlib.sha256("PERSON\x1fsamaltman".encode()).hexdigest()[:24]


# --- helpers ---


def make_document(text: str, tagged: list[tuple[str, str]], key: str = "doc") -> Document:
    """A document whose mentions are `tagged` (surface, label), found in `text` in that order."""
    mentions, cursor = [], 0
    for surface, label in tagged:
        start = text.find(surface, cursor)
        assert start >= 0, f"{surface!r} is not in the text after offset {cursor}"
        cursor = start + len(surface)
        mentions.append(Mention(text=surface, start=start, end=cursor, label=label))
    return Document(
        document_id="doc_" + hashlib.sha256(key.encode()).hexdigest()[:24],
        source=f"test:{key}",
        text=text,
        mentions=mentions,
        provenance=Provenance(pipeline_version="test"),
    )


def write_kb(tmp_path: Path, entities: list[dict], name: str = "seed.yaml") -> KnowledgeBase:
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"version": 1, "entities": entities}, allow_unicode=True), "utf-8")
    return KnowledgeBase.load(seed=path)


def person(name: str, en: list[str] | None = None, zh: list[str] | None = None) -> dict:
    return {"name": name, "type": "PERSON", "wikidata": None, "aliases": {"en": en or [], "zh": zh or []}}


def org(name: str, en: list[str] | None = None, zh: list[str] | None = None) -> dict:
    return {"name": name, "type": "ORG", "wikidata": None, "aliases": {"en": en or [], "zh": zh or []}}


def linked(document: Document) -> list[tuple[str, str, str]]:
    """(mention text, entity name, entity type) for every entity mention, in text order."""
    entities = {e.entity_id: e for e in document.entities}
    return [(m.text, entities[m.entity_id].name, entities[m.entity_id].type) for m in document.mentions if m.entity_id]


def entity_names(document: Document) -> list[str]:
    return [e.name for e in document.entities]


@pytest.fixture(scope="module")
def shipped_kb() -> KnowledgeBase:
    return KnowledgeBase.load()


@pytest.fixture
def small_kb(tmp_path) -> KnowledgeBase:
    """Sam Altman and OpenAI only: no Murati, Schulman, Brockman or Karpathy."""
    return write_kb(tmp_path, [person("Sam Altman", ["Altman"], ["萨姆·奥特曼", "奥特曼"]), org("OpenAI")])


# --- knowledge-base resolution and stable ids ---

ALTMAN_TEXT = "奥特曼在旧金山发言。萨姆·奥特曼表示AGI不远。Altman said so. Sam Altman added more."
ALTMAN_TAGS = [("奥特曼", "PERSON"), ("萨姆·奥特曼", "PERSON"), ("Altman", "PERSON"), ("Sam Altman", "PERSON")]


def test_names_in_both_scripts_resolve_to_one_kb_entity(shipped_kb):
    document = link(make_document(ALTMAN_TEXT, ALTMAN_TAGS), shipped_kb)
    assert [(e.entity_id, e.name, e.type) for e in document.entities] == [(SAM_ALTMAN_ID, "Sam Altman", "PERSON")]
    assert document.entities[0].mentions == ["奥特曼", "萨姆·奥特曼", "Altman", "Sam Altman"]
    assert [(m.text, m.entity_id) for m in document.mentions] == [(surface, SAM_ALTMAN_ID) for surface, _ in ALTMAN_TAGS]


def test_entity_id_is_a_hash_of_type_and_normalised_name():
    assert entity_id("Sam Altman", "PERSON") == SAM_ALTMAN_ID == "ent_c84d5912c2c668045bd7c1bc"
    # width, case, spaces and `·` do not change the id; the type does
    assert entity_id("ｓａｍ　ａｌｔｍａｎ", "PERSON") == SAM_ALTMAN_ID
    assert entity_id("Sam·Altman", "PERSON") == SAM_ALTMAN_ID
    assert entity_id("Sam Altman", "ORG") != SAM_ALTMAN_ID


def test_entity_id_is_the_same_in_another_document(shipped_kb):
    first = link(make_document(ALTMAN_TEXT, ALTMAN_TAGS, key="first"), shipped_kb)
    second = link(make_document("据报道，奥特曼周二回应。", [("奥特曼", "PERSON")], key="second"), shipped_kb)
    assert first.document_id != second.document_id
    assert [e.entity_id for e in second.entities] == [e.entity_id for e in first.entities] == [SAM_ALTMAN_ID]


def test_entity_id_is_the_same_in_another_process():
    script = textwrap.dedent(
        """
        from newsx.models.knowledge_base import KnowledgeBase
        from newsx.pipeline.link import link
        from newsx.schemas import Document, Mention, Provenance
        text = "Altman said so."
        document = Document(document_id="doc_" + "ab" * 12, source="other-process", text=text,
                            mentions=[Mention(text="Altman", start=0, end=6, label="PERSON")],
                            provenance=Provenance(pipeline_version="test"))
        print(link(document, KnowledgeBase.load()).entities[0].entity_id)
        """
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == SAM_ALTMAN_ID


def test_link_records_the_kb_version_and_keeps_other_spans(shipped_kb):
    text = "OpenAI首席技术官米拉·穆拉蒂于2024年9月离职。"
    tags = [("OpenAI", "ORG"), ("首席技术官", "TITLE"), ("米拉·穆拉蒂", "PERSON"), ("2024年9月", "DATE")]
    document = link(make_document(text, tags), shipped_kb)
    assert shipped_kb.version in document.stages["link"]
    assert [(m.text, m.label, m.entity_id is None) for m in document.mentions] == [
        ("OpenAI", "ORG", False),
        ("首席技术官", "TITLE", True),
        ("米拉·穆拉蒂", "PERSON", False),
        ("2024年9月", "DATE", True),
    ]
    assert [(e.name, e.type) for e in document.entities] == [("OpenAI", "ORG"), ("Mira Murati", "PERSON")]


# --- glosses ---


def test_gloss_the_model_missed_becomes_a_mention_and_links(shipped_kb):
    text = "OpenAI首席执行官萨姆·奥特曼(Sam Altman)周二表示"
    document = link(make_document(text, [("OpenAI", "ORG"), ("萨姆·奥特曼", "PERSON")]), shipped_kb)
    gloss = [m for m in document.mentions if m.source == "gloss"]
    assert [(m.text, m.start, m.end, m.label) for m in gloss] == [("Sam Altman", 18, 28, "PERSON")]
    assert text[18:28] == "Sam Altman"
    assert linked(document) == [
        ("OpenAI", "OpenAI", "ORG"),
        ("萨姆·奥特曼", "Sam Altman", "PERSON"),
        ("Sam Altman", "Sam Altman", "PERSON"),
    ]
    assert document.entities[1].entity_id == SAM_ALTMAN_ID


def test_chinese_gloss_after_an_english_name(shipped_kb):
    document = link(make_document("Mira Murati (米拉·穆拉蒂) left OpenAI.", [("Mira Murati", "PERSON"), ("OpenAI", "ORG")]), shipped_kb)
    assert linked(document) == [
        ("Mira Murati", "Mira Murati", "PERSON"),
        ("米拉·穆拉蒂", "Mira Murati", "PERSON"),
        ("OpenAI", "OpenAI", "ORG"),
    ]
    assert [m.source for m in document.mentions] == [None, "gloss", None]


@pytest.mark.parametrize("text", ["首席技术官米拉·穆拉蒂(Mira Murati)宣布离职", "首席技术官米拉·穆拉蒂（Mira Murati）宣布离职"])
def test_gloss_pair_unknown_to_the_kb_takes_the_latin_name(small_kb, text):
    document = link(make_document(text, [("米拉·穆拉蒂", "PERSON")]), small_kb)
    assert [(e.name, e.type, e.mentions) for e in document.entities] == [("Mira Murati", "PERSON", ["米拉·穆拉蒂", "Mira Murati"])]
    assert document.entities[0].entity_id == entity_id("Mira Murati", "PERSON")
    assert {m.entity_id for m in document.mentions} == {entity_id("Mira Murati", "PERSON")}


def test_gloss_already_tagged_is_not_added_twice(small_kb):
    text = "首席技术官米拉·穆拉蒂(Mira Murati)宣布离职"
    document = link(make_document(text, [("米拉·穆拉蒂", "PERSON"), ("Mira Murati", "PERSON")]), small_kb)
    assert [(m.text, m.source) for m in document.mentions] == [("米拉·穆拉蒂", None), ("Mira Murati", None)]
    assert entity_names(document) == ["Mira Murati"]


@pytest.mark.parametrize(
    "text, tags, expected",
    [
        (
            "OpenAI(美国)与智谱AI(中国)均发布了新模型",
            [("OpenAI", "ORG"), ("美国", "GPE"), ("智谱AI", "ORG"), ("中国", "GPE")],
            [("OpenAI", "OpenAI", "ORG"), ("美国", "United States", "GPE"), ("智谱AI", "Zhipu AI", "ORG"), ("中国", "China", "GPE")],
        ),
        ("Anthropic(美国)发布了新模型", [("Anthropic", "ORG")], [("Anthropic", "Anthropic", "ORG")]),
        ("Sam Altman(资料图)在发布会上", [("Sam Altman", "PERSON")], [("Sam Altman", "Sam Altman", "PERSON")]),
    ],
    ids=["tagged-place", "kb-place", "caption"],
)
def test_parenthesised_place_or_caption_is_not_a_gloss(shipped_kb, text, tags, expected):
    assert linked(link(make_document(text, tags), shipped_kb)) == expected


# --- short forms within a document ---


def test_surname_and_given_name_join_the_full_name(small_kb):
    text = "John Schulman left OpenAI. Schulman joined Anthropic. John thanked the team."
    tags = [("John Schulman", "PERSON"), ("OpenAI", "ORG"), ("Schulman", "PERSON"), ("John", "PERSON")]
    document = link(make_document(text, tags), small_kb)
    assert linked(document) == [
        ("John Schulman", "John Schulman", "PERSON"),
        ("OpenAI", "OpenAI", "ORG"),
        ("Schulman", "John Schulman", "PERSON"),
        ("John", "John Schulman", "PERSON"),
    ]
    assert document.entities[0].entity_id == entity_id("John Schulman", "PERSON")


def test_chinese_surname_joins_the_full_transliterated_name(small_kb):
    document = link(make_document("米拉·穆拉蒂宣布离职。穆拉蒂表示感谢。", [("米拉·穆拉蒂", "PERSON"), ("穆拉蒂", "PERSON")]), small_kb)
    assert [(e.name, e.mentions) for e in document.entities] == [("米拉·穆拉蒂", ["米拉·穆拉蒂", "穆拉蒂"])]


def test_ambiguous_surname_stays_separate(small_kb):
    text = "Greg Brown met Dan Brown in London. Brown said the talks went well."
    tags = [("Greg Brown", "PERSON"), ("Dan Brown", "PERSON"), ("London", "GPE"), ("Brown", "PERSON")]
    document = link(make_document(text, tags), small_kb)
    assert entity_names(document) == ["Greg Brown", "Dan Brown", "London", "Brown"]
    assert len({m.entity_id for m in document.mentions}) == 4


def test_lone_given_name_names_the_one_kb_person_with_it(shipped_kb):
    document = link(make_document("Mira said the team was strong.", [("Mira", "PERSON")]), shipped_kb)
    assert [(e.entity_id, e.name) for e in document.entities] == [(entity_id("Mira Murati", "PERSON"), "Mira Murati")]


def test_given_name_of_a_full_name_in_the_document_is_not_a_kb_person(shipped_kb):
    document = link(make_document("Sam Smith sang. Sam said.", [("Sam Smith", "PERSON"), ("Sam", "PERSON")]), shipped_kb)
    assert linked(document) == [("Sam Smith", "Sam Smith", "PERSON"), ("Sam", "Sam Smith", "PERSON")]


def test_given_name_ambiguous_in_the_document_is_not_given_to_a_kb_person(shipped_kb):
    text = "Greg Brown met Greg Abbott. Greg said the talks went well."
    document = link(make_document(text, [("Greg Brown", "PERSON"), ("Greg Abbott", "PERSON"), ("Greg", "PERSON")]), shipped_kb)
    assert linked(document) == [
        ("Greg Brown", "Greg Brown", "PERSON"),
        ("Greg Abbott", "Greg Abbott", "PERSON"),
        ("Greg", "Greg", "PERSON"),
    ]


@pytest.mark.parametrize("short_label", ["ORG", "PERSON"])
def test_organisation_first_word_joins_its_full_name(small_kb, short_label):
    text = "Orbital Robotics Inc. raised $20 million. Orbital said it would hire."
    document = link(make_document(text, [("Orbital Robotics Inc.", "ORG"), ("Orbital", short_label)]), small_kb)
    assert [(e.name, e.type, e.mentions) for e in document.entities] == [
        ("Orbital Robotics", "ORG", ["Orbital Robotics Inc.", "Orbital"])
    ]


def test_corporate_suffix_is_not_part_of_the_name(small_kb):
    text = "Orbital Robotics Inc. raised money; Orbital Robotics will hire, Orbital Robotics Corp. said."
    tags = [("Orbital Robotics Inc.", "ORG"), ("Orbital Robotics", "ORG"), ("Orbital Robotics Corp.", "ORG")]
    document = link(make_document(text, tags), small_kb)
    assert [(e.entity_id, e.name, e.type) for e in document.entities] == [
        (entity_id("Orbital Robotics", "ORG"), "Orbital Robotics", "ORG")
    ]


def test_kb_name_with_a_legal_form_resolves(shipped_kb):
    document = link(make_document("OpenAI Inc. said.", [("OpenAI Inc.", "ORG")]), shipped_kb)
    assert linked(document) == [("OpenAI Inc.", "OpenAI", "ORG")]


@pytest.mark.parametrize(
    "text, tags, expected",
    [
        (
            "Google Cloud grew 30%. Google said capex would rise.",
            [("Google Cloud", "ORG"), ("Google", "ORG")],
            [("Google Cloud", "Google Cloud", "PRODUCT"), ("Google", "Google", "ORG")],
        ),
        (
            "China Money Network reported the deal. China has tightened rules.",
            [("China Money Network", "ORG"), ("China", "GPE")],
            [("China Money Network", "China Money Network", "ORG"), ("China", "China", "GPE")],
        ),
    ],
    ids=["google-cloud", "china-money-network"],
)
def test_short_form_that_the_kb_resolves_keeps_its_own_entity(shipped_kb, text, tags, expected):
    assert linked(link(make_document(text, tags), shipped_kb)) == expected


# --- transliteration ---


def test_chinese_surname_joins_the_latin_name_in_the_document(small_kb):
    text = "John Schulman宣布离职。舒尔曼表示将加入Anthropic。"
    document = link(make_document(text, [("John Schulman", "PERSON"), ("舒尔曼", "PERSON"), ("Anthropic", "ORG")]), small_kb)
    assert linked(document) == [
        ("John Schulman", "John Schulman", "PERSON"),
        ("舒尔曼", "John Schulman", "PERSON"),
        ("Anthropic", "Anthropic", "ORG"),
    ]


def test_chinese_name_links_to_a_kb_person_by_sound(tmp_path):
    # Greg Brockman is in this KB without any Chinese alias: only transliteration can link 布罗克曼.
    kb = write_kb(tmp_path, [person("Greg Brockman"), person("Sam Altman"), person("John Schulman"), org("OpenAI")])
    document = link(make_document("OpenAI总裁布罗克曼表示将休假至年底。", [("OpenAI", "ORG"), ("布罗克曼", "PERSON")]), kb)
    assert linked(document) == [("OpenAI", "OpenAI", "ORG"), ("布罗克曼", "Greg Brockman", "PERSON")]
    assert document.entities[1].entity_id == entity_id("Greg Brockman", "PERSON")


def test_chinese_name_links_to_the_shipped_kb_entity(shipped_kb):
    document = link(make_document("布罗克曼表示将休假至年底。", [("布罗克曼", "PERSON")]), shipped_kb)
    assert [(e.entity_id, e.name) for e in document.entities] == [(entity_id("Greg Brockman", "PERSON"), "Greg Brockman")]


WESTERN_PEOPLE = ["Greg Brockman", "Sam Altman", "Larry Page", "Elon Musk"]


@pytest.mark.parametrize(
    "kb_people",
    [
        WESTERN_PEOPLE,
        pytest.param(
            [*WESTERN_PEOPLE, "Leo Jung"],
        ),
    ],
    ids=["western", "western+leo-jung"],
)
def test_chinese_name_does_not_link_to_a_western_name(tmp_path, kb_people):
    kb = write_kb(tmp_path, [person(n) for n in kb_people])
    text = "雷军表示，小米将与Larry Page和Elon Musk会面。"
    document = link(make_document(text, [("雷军", "PERSON"), ("小米", "ORG"), ("Larry Page", "PERSON"), ("Elon Musk", "PERSON")]), kb)
    assert linked(document) == [
        ("雷军", "雷军", "PERSON"),
        ("小米", "小米", "ORG"),
        ("Larry Page", "Larry Page", "PERSON"),
        ("Elon Musk", "Elon Musk", "PERSON"),
    ]


def test_chinese_name_links_to_its_pinyin(tmp_path):
    kb = write_kb(tmp_path, [person("Sam Altman")])
    document = link(make_document("雷军表示。Lei Jun said.", [("雷军", "PERSON"), ("Lei Jun", "PERSON")]), kb)
    assert [(e.name, sorted(e.mentions)) for e in document.entities] == [("Lei Jun", ["Lei Jun", "雷军"])]
    assert linked(document) == [("雷军", "Lei Jun", "PERSON"), ("Lei Jun", "Lei Jun", "PERSON")]


@pytest.mark.parametrize("name", ["张伟", "刘强", "张思远"])
def test_native_chinese_name_does_not_link_to_a_western_kb_person(shipped_kb, name):
    document = link(make_document(f"{name}表示公司将继续投入研发。", [(name, "PERSON")]), shipped_kb)
    assert [(e.name, e.entity_id) for e in document.entities] == [(name, entity_id(name, "PERSON"))]


# --- typos ---


@pytest.mark.parametrize("typo", ["OpenAl", "penAI"])
def test_one_edit_typo_of_a_kb_name_resolves(shipped_kb, typo):
    document = link(make_document(f"{typo} released a model.", [(typo, "ORG")]), shipped_kb)
    assert [(e.entity_id, e.name, e.type) for e in document.entities] == [(entity_id("OpenAI", "ORG"), "OpenAI", "ORG")]


def test_typos_join_the_correct_spelling_but_a_longer_name_does_not(shipped_kb):
    text = "OpenAl said. penAI said. Open AI Labs said. OpenAI said."
    tags = [("OpenAl", "ORG"), ("penAI", "ORG"), ("Open AI Labs", "ORG"), ("OpenAI", "ORG")]
    document = link(make_document(text, tags), shipped_kb)
    assert linked(document) == [
        ("OpenAl", "OpenAI", "ORG"),
        ("penAI", "OpenAI", "ORG"),
        ("Open AI Labs", "Open AI Labs", "ORG"),
        ("OpenAI", "OpenAI", "ORG"),
    ]


def test_typo_within_the_document_without_the_kb(tmp_path):
    kb = write_kb(tmp_path, [person("Sam Altman")])
    document = link(make_document("Quantos raised money. Quantso hired.", [("Quantos", "ORG"), ("Quantso", "ORG")]), kb)
    assert len(document.entities) == 2  # a transposition is two edits
    document = link(make_document("Halcyon said. Halcyn hired.", [("Halcyon", "ORG"), ("Halcyn", "ORG")]), kb)
    assert [(e.name, e.mentions) for e in document.entities] == [("Halcyon", ["Halcyon", "Halcyn"])]


def test_misspelt_person_resolves_to_the_kb_spelling(tmp_path, shipped_kb):
    kb = write_kb(tmp_path, [person("Andrej Karpathy"), person("Sam Altman")])  # no alias: only the typo rule links
    for knowledge_base in (kb, shipped_kb):
        document = link(make_document("Andrei Karpathy left.", [("Andrei Karpathy", "PERSON")]), knowledge_base)
        assert [(e.entity_id, e.name) for e in document.entities] == [(entity_id("Andrej Karpathy", "PERSON"), "Andrej Karpathy")]


def test_four_letter_names_one_letter_apart_stay_apart(tmp_path, shipped_kb):
    for kb in (shipped_kb, write_kb(tmp_path, [person("Sam Altman")])):
        document = link(make_document("Meta and Beta signed a deal.", [("Meta", "ORG"), ("Beta", "ORG")]), kb)
        assert linked(document) == [("Meta", "Meta", "ORG"), ("Beta", "Beta", "ORG")]


@pytest.mark.parametrize(
    "text, tags, expected",
    [
        (
            "Lyra 2 shipped last year. Lyra 3 is next.",
            [("Lyra 2", "PRODUCT"), ("Lyra 3", "PRODUCT")],
            [("Lyra 2", "Lyra 2", "PRODUCT"), ("Lyra 3", "Lyra 3", "PRODUCT")],
        ),
        (
            "Claude 3 and Claude 4 were compared.",
            [("Claude 3", "PRODUCT"), ("Claude 4", "PRODUCT")],
            [("Claude 3", "Claude 3", "PRODUCT"), ("Claude 4", "Claude 4", "PRODUCT")],
        ),
        ("DeepSeek-V4 launched.", [("DeepSeek-V4", "PRODUCT")], [("DeepSeek-V4", "DeepSeek-V4", "PRODUCT")]),
    ],
    ids=["lyra", "claude", "deepseek-kb"],
)
def test_version_numbers_are_not_typos(shipped_kb, text, tags, expected):
    assert linked(link(make_document(text, tags), shipped_kb)) == expected


# --- generic names ---


def test_kb_name_that_is_one_letter_is_kept(shipped_kb):
    document = link(make_document("John Schulman于社交媒体X宣布离职", [("John Schulman", "PERSON"), ("X", "PRODUCT")]), shipped_kb)
    assert [(m.text, m.label) for m in document.mentions] == [("John Schulman", "PERSON"), ("X", "PRODUCT")]
    assert linked(document)[1] == ("X", "X", "PRODUCT")


# --- type voting ---


def test_type_is_the_majority_label(small_kb):
    text = "Quantos said. Quantos did. Quantos went."
    document = link(make_document(text, [("Quantos", "PERSON"), ("Quantos", "PERSON"), ("Quantos", "ORG")]), small_kb)
    assert [(e.name, e.type) for e in document.entities] == [("Quantos", "PERSON")]
    assert document.entities[0].entity_id == entity_id("Quantos", "PERSON")


def test_type_vote_without_the_kb(tmp_path):
    kb = write_kb(tmp_path, [person("Sam Altman")])  # no OpenAI
    text = "OpenAI said. OpenAI did. OpenAI went."
    document = link(make_document(text, [("OpenAI", "PERSON"), ("OpenAI", "ORG"), ("OpenAI", "ORG")]), kb)
    assert [(e.name, e.type) for e in document.entities] == [("OpenAI", "ORG")]
    # the mentions keep the model's labels; the entity has the voted type
    assert [m.label for m in document.mentions] == ["PERSON", "ORG", "ORG"]


def test_kb_type_wins_over_the_model(shipped_kb):
    text = "OpenAI said. OpenAI did. OpenAI went."
    document = link(make_document(text, [("OpenAI", "PERSON")] * 3), shipped_kb)
    assert [(e.entity_id, e.name, e.type) for e in document.entities] == [(entity_id("OpenAI", "ORG"), "OpenAI", "ORG")]


def test_organisation_word_in_the_name_outvotes_person_labels(small_kb):
    text = "Halcyon Labs said. Halcyon Labs did. Halcyon Labs went."
    tags = [("Halcyon Labs", "PERSON"), ("Halcyon Labs", "PERSON"), ("Halcyon Labs", "ORG")]
    document = link(make_document(text, tags), small_kb)
    assert [(e.entity_id, e.name, e.type) for e in document.entities] == [(entity_id("Halcyon Labs", "ORG"), "Halcyon Labs", "ORG")]


# --- measurement on the gold files ---


def _norm(name: str) -> str:
    return "".join(name.casefold().split()).replace("·", "")


def gold_files() -> list[Path]:
    return sorted(SHARED_GOLD.glob("*.json")) + sorted(SAMPLE_GOLD.glob("*.json"))


# The share reached when this test was written (see the report), rounded down to 2 decimals.
RESOLUTION_FLOOR = 0.93


@pytest.mark.skipif(not SHARED_GOLD.is_dir(), reason="../shared/gold/dev is not beside the repo")
def test_gold_mentions_resolve_to_the_gold_canonical_name(shipped_kb):
    """Linking alone: each gold entity's mentions, tagged with the gold type, one document per gold file."""
    total = resolved = 0
    misses = []
    for path in gold_files():
        gold = json.loads(path.read_text("utf-8"))
        surfaces = [(m, e["type"], e["name"]) for e in gold["entities"] for m in e["mentions"]]
        text = "。".join(s for s, _, _ in surfaces)
        mentions, position = [], 0
        for surface, label, _ in surfaces:
            mentions.append(Mention(text=surface, start=position, end=position + len(surface), label=label))
            position += len(surface) + 1
        document = link(
            Document(
                document_id="doc_" + hashlib.sha256(path.name.encode()).hexdigest()[:24],
                source=str(path),
                text=text,
                mentions=mentions,
                provenance=Provenance(pipeline_version="test"),
            ),
            shipped_kb,
        )
        names = {e.entity_id: e.name for e in document.entities}
        by_span = {(m.start, m.end): m for m in document.mentions}
        for mention, (surface, _, gold_name) in zip(mentions, surfaces):
            total += 1
            out = by_span.get((mention.start, mention.end))
            got = names.get(out.entity_id) if out and out.entity_id else None
            if got is not None and _norm(got) == _norm(gold_name):
                resolved += 1
            else:
                misses.append(f"{path.name}: {surface!r} -> {got!r} (gold {gold_name!r})")
    share = resolved / total
    print(f"\ngold mentions resolved to the gold canonical name: {resolved}/{total} = {share:.4f}")
    print("\n".join(misses))
    assert total > 300
    assert share >= RESOLUTION_FLOOR, f"{share:.4f} < {RESOLUTION_FLOOR}"
