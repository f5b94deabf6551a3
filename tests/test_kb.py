"""The knowledge base behind entity linking: seed, user overlay, learning, editing, the `newsx kb` command, the gazetteer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from newsx.cli import main
from newsx.models.base import Span
from newsx.models.gazetteer import GazetteerBackend
from newsx.models.knowledge_base import ENTITY_TYPES, KBEntity, KnowledgeBase, entity_id, name_key
from newsx.schemas import Entity

DOC_A = "doc_" + "a" * 24
DOC_B = "doc_" + "b" * 24

SMALL_SEED = {
    "version": 1,
    "entities": [
        {"name": "Sam Altman", "type": "PERSON", "wikidata": "Q7407093", "aliases": {"en": ["Altman"], "zh": ["萨姆·奥特曼", "奥特曼"]}},
        {"name": "Greg Brockman", "type": "PERSON", "wikidata": None, "aliases": {"en": ["Brockman"], "zh": ["布罗克曼"]}},
        {"name": "OpenAI", "type": "ORG", "wikidata": None, "aliases": {"en": ["Open AI"], "zh": []}},
        {"name": "John Schulman", "type": "PERSON", "wikidata": None, "aliases": {"en": ["Schulman"]}},
        {"name": "Meta", "type": "ORG", "wikidata": None, "aliases": {"en": ["Meta Platforms"]}},
        {"name": "Google", "type": "ORG", "wikidata": None, "aliases": {"zh": ["谷歌"]}},
        {"name": "Google DeepMind", "type": "ORG", "wikidata": None, "aliases": {"en": ["DeepMind"]}},
        {"name": "Apple", "type": "ORG", "wikidata": None, "aliases": {"zh": ["苹果公司"]}, "ambiguous_aliases": ["苹果"]},
        {"name": "X", "type": "PRODUCT", "wikidata": None, "aliases": {"en": ["X.com"]}, "ambiguous_aliases": ["X"]},
    ],
}


def write_yaml(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return path


@pytest.fixture
def seed(tmp_path) -> Path:
    return write_yaml(tmp_path / "seed.yaml", SMALL_SEED)


@pytest.fixture(scope="module")
def shipped_kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def found(name: str, entity_type: str, *mentions: str) -> Entity:
    """An entity as the linker reports it for one document."""
    return Entity(entity_id=entity_id(name, entity_type), name=name, type=entity_type, mentions=list(mentions))


# --- the shipped seed ---


def test_seed_loads_every_entry(shipped_kb):
    raw = yaml.safe_load(KnowledgeBase.seed_path().read_text("utf-8"))
    assert raw["version"] == 1
    assert len(shipped_kb.entities) == len(raw["entities"]) >= 400
    assert all(e.type in ENTITY_TYPES and e.origin == "seed" for e in shipped_kb.entities.values())
    altman = shipped_kb.get("Sam Altman")
    assert (altman.type, altman.wikidata, altman.entity_id) == ("PERSON", "Q7407093", entity_id("Sam Altman", "PERSON"))
    assert shipped_kb.get("OpenAI").type == "ORG"


def test_seed_aliases_name_one_entity_each(shipped_kb):
    """The README's rule: no alias shared by two entities, none both plain and ambiguous (a canonical name may be ambiguous)."""
    names = [name_key(e.name) for e in shipped_kb.entities.values()]
    assert len(names) == len(set(names))
    owners: dict[str, set[str]] = {}
    for entity in shipped_kb.entities.values():
        for alias in entity.all_aliases():
            owners.setdefault(name_key(alias), set()).add(entity.name)
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}
    plain_and_ambiguous = [
        (e.name, a) for e in shipped_kb.entities.values() for a in e.ambiguous_aliases
        if name_key(a) in {name_key(x) for x in e.all_aliases()} and name_key(a) != name_key(e.name)
    ]  # fmt: skip
    assert plain_and_ambiguous == []
    other_entity_ambiguous = [
        (e.name, a) for e in shipped_kb.entities.values() for a in e.ambiguous_aliases
        if owners.get(name_key(a), set()) - {e.name}
    ]  # fmt: skip
    assert other_entity_ambiguous == []


@pytest.mark.parametrize(
    "surface, name",
    [("奥特曼", "Sam Altman"), ("萨姆·奥特曼", "Sam Altman"), ("Altman", "Sam Altman"), ("Brockman", "Greg Brockman"),
     ("雷军", "Lei Jun"), ("openai", "OpenAI"), ("ＯｐｅｎＡＩ", "OpenAI"), ("萨姆 · 奥特曼", "Sam Altman")],
)  # fmt: skip
def test_shipped_aliases_resolve(shipped_kb, surface, name):
    assert shipped_kb.resolve(surface).name == name


@pytest.mark.parametrize("surface, candidate", [("苹果", "Apple"), ("X", "X")])
def test_ambiguous_aliases_never_resolve_alone(shipped_kb, surface, candidate):
    assert shipped_kb.resolve(surface) is None
    assert [e.name for e in shipped_kb.lookup(surface)] == [candidate]


def test_unknown_name_resolves_to_nothing(shipped_kb):
    assert shipped_kb.resolve("Halcyon Labs") is None
    assert shipped_kb.lookup("Halcyon Labs") == []


def test_small_seed(seed):
    kb = KnowledgeBase.load(seed=seed)
    assert sorted(e.name for e in kb.entities.values()) == sorted(e["name"] for e in SMALL_SEED["entities"])
    assert kb.resolve("布罗克曼").name == "Greg Brockman"
    assert kb.resolve("苹果公司").name == "Apple"
    assert kb.resolve("苹果") is None and kb.resolve("X") is None
    assert kb.resolve("X.com").name == "X"


def test_seed_entity_with_a_bad_type_is_refused(tmp_path):
    bad = write_yaml(tmp_path / "bad.yaml", {"entities": [{"name": "Somewhere", "type": "LOC"}]})
    with pytest.raises(ValueError, match="Somewhere"):
        KnowledgeBase.load(seed=bad)


# --- the user file overlay ---


def test_user_file_adds_an_alias_and_an_entity(seed, tmp_path):
    user = write_yaml(
        tmp_path / "user.yaml",
        {
            "version": 1,
            "entities": [
                {"name": "Sam Altman", "type": "PERSON", "wikidata": "Q7407093",
                 "aliases": {"en": ["Altman", "Samuel H. Altman"], "zh": ["萨姆·奥特曼", "奥特曼"]}},
                {"name": "Halcyon Labs", "type": "ORG", "aliases": {"zh": ["哈尔西恩实验室"]}},
            ],
        },
    )  # fmt: skip
    kb = KnowledgeBase.load(user, seed=seed)
    assert kb.resolve("Samuel H. Altman").name == "Sam Altman"
    assert kb.resolve("哈尔西恩实验室").name == "Halcyon Labs"
    assert (kb.get("Sam Altman").origin, kb.get("Halcyon Labs").origin) == ("user", "user")
    assert kb.get("Greg Brockman").origin == "seed"
    assert len(kb.entities) == len(SMALL_SEED["entities"]) + 1


def test_user_file_removes_a_seed_entity(seed, tmp_path):
    user = write_yaml(tmp_path / "user.yaml", {"version": 1, "entities": [{"name": "Greg Brockman", "type": "PERSON", "removed": True}]})
    kb = KnowledgeBase.load(user, seed=seed)
    assert kb.get("Greg Brockman") is None
    assert kb.resolve("Brockman") is None and kb.resolve("布罗克曼") is None
    assert kb.resolve("Altman").name == "Sam Altman"
    assert len(kb.entities) == len(SMALL_SEED["entities"]) - 1


def test_missing_user_file_is_the_seed_alone(seed, tmp_path):
    assert KnowledgeBase.load(tmp_path / "absent.yaml", seed=seed).version == KnowledgeBase.load(seed=seed).version


# --- learning ---


def test_a_learned_alias_keeps_a_few_sources_the_same_in_any_order(seed):
    """A long run mentions an alias in article after article: the KB keeps the smallest ids, not all of them."""
    from newsx.models.knowledge_base import MAX_LEARNED_SOURCES

    documents = [f"doc_{n:024d}" for n in range(3 * MAX_LEARNED_SOURCES)]
    learned = []
    for order in (documents, documents[::-1]):
        kb = KnowledgeBase.load(seed=seed)
        for document_id in order:
            kb.learn(document_id, [found("Sam Altman", "PERSON", "山姆·奥特曼")])
        learned.append(kb.get("Sam Altman").learned["山姆·奥特曼"])
    assert learned[0] == learned[1] == documents[:MAX_LEARNED_SOURCES]


def test_learn_records_new_aliases_and_new_entities_with_their_documents(seed):
    kb = KnowledgeBase.load(seed=seed)
    kb.learn(DOC_A, [found("Sam Altman", "PERSON", "Sam Altman", "山姆·奥特曼", "奥特曼"), found("Mira Murati", "PERSON", "Mira Murati", "米拉·穆拉蒂")])
    kb.learn(DOC_B, [found("Sam Altman", "PERSON", "山姆·奥特曼")])
    altman, murati = kb.get("Sam Altman"), kb.get("Mira Murati", "PERSON")
    assert altman.learned == {"山姆·奥特曼": [DOC_A, DOC_B]}  # known aliases and the name are not learned
    assert altman.origin == "seed"
    assert (murati.origin, murati.type, murati.learned) == ("learned", "PERSON", {"米拉·穆拉蒂": [DOC_A]})
    assert kb.resolve("山姆·奥特曼").name == "Sam Altman"
    assert kb.resolve("米拉·穆拉蒂").name == "Mira Murati"
    assert [e.name for e in kb.user_entities()] == ["Mira Murati", "Sam Altman"]


def test_learning_the_same_document_twice_changes_nothing(seed):
    kb = KnowledgeBase.load(seed=seed)
    entities = [found("Sam Altman", "PERSON", "山姆·奥特曼"), found("Quantos", "ORG", "Quantos", "Quantos Inc.")]
    kb.learn(DOC_A, entities)
    version = kb.version
    kb.learn(DOC_A, entities)
    assert kb.version == version
    assert kb.get("Quantos").learned == {"Quantos Inc.": [DOC_A]}


# --- save, load and version ---


def test_save_writes_the_user_layer_that_loads_back_to_the_same_version(seed, tmp_path):
    kb = KnowledgeBase.load(tmp_path / "kb.learned.yaml", seed=seed)
    kb.learn(DOC_A, [found("Sam Altman", "PERSON", "山姆·奥特曼"), found("Mira Murati", "PERSON", "米拉·穆拉蒂")])
    path = kb.save()
    assert path == tmp_path / "kb.learned.yaml"
    written = yaml.safe_load(path.read_text("utf-8"))
    assert written["version"] == 1
    assert [(e["name"], e["origin"]) for e in written["entities"]] == [("Mira Murati", "learned"), ("Sam Altman", "seed")]
    assert written["entities"][0]["learned"] == {"米拉·穆拉蒂": [DOC_A]}
    again = KnowledgeBase.load(path, seed=seed)
    assert again.version == kb.version
    assert again.get("Mira Murati").learned == {"米拉·穆拉蒂": [DOC_A]}
    assert again.resolve("山姆·奥特曼").name == "Sam Altman"
    assert not list(tmp_path.glob(".*.tmp"))


def test_saved_file_grows_across_runs(seed, tmp_path):
    path = tmp_path / "kb.yaml"
    first = KnowledgeBase.load(path, seed=seed)
    first.learn(DOC_A, [found("Mira Murati", "PERSON", "米拉·穆拉蒂")])
    first.save()
    second = KnowledgeBase.load(path, seed=seed)
    second.learn(DOC_B, [found("Mira Murati", "PERSON", "米拉·穆拉蒂", "穆拉蒂")])
    second.save()
    assert KnowledgeBase.load(path, seed=seed).get("Mira Murati").learned == {"米拉·穆拉蒂": [DOC_A, DOC_B], "穆拉蒂": [DOC_B]}


def test_version_depends_on_content_only(seed, tmp_path):
    base = KnowledgeBase.load(seed=seed).version
    assert base.startswith("kb-") and len(base) == len("kb-") + 16
    assert KnowledgeBase.load(seed=seed).version == base
    # the same entities in another order, aliases in another order: the same content
    shuffled = {"version": 1, "entities": [dict(e) for e in reversed(SMALL_SEED["entities"])]}
    shuffled["entities"][-1] = {**shuffled["entities"][-1], "aliases": {"zh": ["奥特曼", "萨姆·奥特曼"], "en": ["Altman"]}}
    assert KnowledgeBase.load(seed=write_yaml(tmp_path / "shuffled.yaml", shuffled)).version == base
    # learning changes it, and so does every edit
    kb = KnowledgeBase.load(seed=seed)
    kb.learn(DOC_A, [found("Sam Altman", "PERSON", "山姆·奥特曼")])
    learned = kb.version
    assert learned != base
    kb.learn(DOC_B, [found("Sam Altman", "PERSON", "山姆·奥特曼")])
    assert kb.version not in (base, learned)
    edited = KnowledgeBase.load(seed=seed)
    edited.merge(edited.get("Sam Altman"), edited.get("Greg Brockman"))
    assert edited.version != base


def test_shipped_kb_version_is_stable(shipped_kb):
    assert KnowledgeBase.load().version == shipped_kb.version


# --- merge and split ---


def test_merge_moves_names_and_survives_save_and_load(seed, tmp_path):
    kb = KnowledgeBase.load(tmp_path / "user.yaml", seed=seed)
    kb.learn(DOC_A, [found("Greg Brockman", "PERSON", "格雷格·布罗克曼")])
    kept = kb.merge(kb.get("Sam Altman"), kb.get("Greg Brockman"))
    assert kept is kb.get("Sam Altman") and kept.origin == "user"
    assert kb.get("Greg Brockman") is None
    for surface in ("Brockman", "布罗克曼", "Greg Brockman", "格雷格·布罗克曼", "Altman"):
        assert kb.resolve(surface).name == "Sam Altman", surface
    assert kept.learned == {"格雷格·布罗克曼": [DOC_A]}
    kb.save()
    again = KnowledgeBase.load(tmp_path / "user.yaml", seed=seed)
    assert again.version == kb.version
    assert again.get("Greg Brockman") is None
    assert again.resolve("Brockman").name == "Sam Altman"
    assert again.resolve("Greg Brockman").name == "Sam Altman"


def test_merge_of_learned_entities_leaves_no_trace_of_the_other(seed, tmp_path):
    kb = KnowledgeBase.load(tmp_path / "user.yaml", seed=seed)
    kb.learn(DOC_A, [found("Quantos", "ORG", "Quantos"), found("Quantos Inc", "ORG", "Quantos Inc", "QTS")])
    kb.merge(kb.get("Quantos"), kb.get("Quantos Inc"))
    assert kb.removed == set()
    kb.save()
    again = KnowledgeBase.load(tmp_path / "user.yaml", seed=seed)
    assert again.get("Quantos Inc") is None
    assert again.resolve("QTS").name == "Quantos"
    assert again.version == kb.version


def test_split_moves_an_alias_to_a_new_entity_and_survives_save_and_load(seed, tmp_path):
    kb = KnowledgeBase.load(tmp_path / "user.yaml", seed=seed)
    created = kb.split(kb.get("Sam Altman"), "奥特曼", "Ultraman")
    assert (created.name, created.type, created.origin) == ("Ultraman", "PERSON", "user")
    assert kb.resolve("奥特曼").name == "Ultraman"
    assert kb.resolve("萨姆·奥特曼").name == "Sam Altman"
    assert "奥特曼" not in kb.get("Sam Altman").all_aliases()
    kb.save()
    again = KnowledgeBase.load(tmp_path / "user.yaml", seed=seed)
    assert again.version == kb.version
    assert again.resolve("奥特曼").name == "Ultraman"
    assert again.resolve("Altman").name == "Sam Altman"


def test_split_without_a_new_name_names_the_entity_after_the_alias(seed):
    kb = KnowledgeBase.load(seed=seed)
    created = kb.split(kb.get("Meta"), "Meta Platforms")
    assert (created.name, created.type, created.origin) == ("Meta Platforms", "ORG", "user")
    assert kb.resolve("Meta Platforms") is created
    assert kb.resolve("Meta") is kb.get("Meta") is not created


def test_split_of_an_alias_that_is_the_name_itself_is_refused(seed):
    kb = KnowledgeBase.load(seed=seed)
    with pytest.raises((KeyError, ValueError)):
        kb.split(kb.get("OpenAI"), "Open AI")


def test_split_of_a_name_that_is_not_an_alias_fails(seed):
    kb = KnowledgeBase.load(seed=seed)
    version = kb.version
    with pytest.raises(KeyError, match="Brockman"):
        kb.split(kb.get("Sam Altman"), "Brockman")
    assert kb.version == version


def test_split_undoes_a_merge_of_a_seed_entity_after_save_and_load(seed, tmp_path):
    kb = KnowledgeBase.load(tmp_path / "user.yaml", seed=seed)
    kb.merge(kb.get("Sam Altman"), kb.get("Greg Brockman"))
    kb.split(kb.get("Sam Altman"), "Greg Brockman")
    assert kb.get("Greg Brockman") is not None
    kb.save()
    again = KnowledgeBase.load(tmp_path / "user.yaml", seed=seed)
    assert again.get("Greg Brockman", "PERSON") is not None
    assert again.version == kb.version


def test_merging_an_edited_seed_entity_away_survives_save_and_load(seed, tmp_path):
    kb = KnowledgeBase.load(tmp_path / "user.yaml", seed=seed)
    kb.merge(kb.get("Sam Altman"), kb.get("Greg Brockman"))  # Sam Altman is now origin 'user'
    kb.merge(kb.get("John Schulman"), kb.get("Sam Altman"))
    assert kb.resolve("Altman").name == "John Schulman"
    kb.save()
    again = KnowledgeBase.load(tmp_path / "user.yaml", seed=seed)
    assert again.get("Sam Altman") is None
    assert again.resolve("Altman").name == "John Schulman"
    assert again.version == kb.version


def test_merging_an_entity_with_itself_keeps_it(seed):
    kb = KnowledgeBase.load(seed=seed)
    altman = kb.get("Sam Altman")
    try:
        kb.merge(altman, kb.resolve("Altman"))
    except ValueError:
        pass  # refusing is fine too
    assert kb.get("Sam Altman") is altman
    assert kb.resolve("Altman") is altman


def test_add_to_an_existing_entity_updates_resolution(seed):
    kb = KnowledgeBase.load(seed=seed)
    assert kb.resolve("Altman").name == "Sam Altman"  # builds the index
    kb.add(KBEntity(name="Sam Altman", type="PERSON", aliases={"en": ["Samuel H. Altman"]}))
    assert "Samuel H. Altman" in kb.get("Sam Altman").all_aliases()
    assert kb.resolve("Samuel H. Altman").name == "Sam Altman"


# --- the `newsx kb` command ---


def test_cli_list(tmp_path, capsys):
    assert main(["kb", "list", "--kb", str(tmp_path / "kb.yaml")]) == 0
    out = capsys.readouterr().out
    assert KnowledgeBase.load().version in out
    assert "Sam Altman" in out
    assert not (tmp_path / "kb.yaml").exists()  # listing writes nothing


def test_cli_merge_writes_the_user_file(tmp_path, capsys):
    path = tmp_path / "kb.yaml"
    assert main(["kb", "merge", "Sam Altman", "Greg Brockman", "--kb", str(path)]) == 0
    assert "merged Greg Brockman into Sam Altman" in capsys.readouterr().out
    assert path.exists()
    kb = KnowledgeBase.load(path)
    assert kb.resolve("Brockman").name == "Sam Altman"
    assert kb.get("Greg Brockman") is None
    assert kb.version != KnowledgeBase.load().version
    # the command sees the edited KB
    assert main(["kb", "show", "Brockman", "--kb", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "Sam Altman"


def test_cli_split_writes_the_user_file(tmp_path, capsys):
    path = tmp_path / "kb.yaml"
    assert main(["kb", "split", "Sam Altman", "@sama", "--kb", str(path)]) == 0
    assert "split @sama off Sam Altman as @sama" in capsys.readouterr().out
    kb = KnowledgeBase.load(path)
    assert kb.resolve("@sama").name == "@sama"
    assert kb.resolve("Altman").name == "Sam Altman"
    assert "@sama" not in kb.get("Sam Altman").all_aliases()


def test_cli_show(capsys):
    assert main(["kb", "show", "OpenAI"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["name"], shown["type"], shown["origin"]) == ("OpenAI", "ORG", "seed")
    assert shown == KnowledgeBase.load().get("OpenAI").to_dict()


def test_cli_show_unknown_name_exits_2(capsys):
    assert main(["kb", "show", "Nobody Anywhere"]) == 2
    assert "no KB entity named 'Nobody Anywhere'" in capsys.readouterr().out


def test_cli_export_prints_one_json_line_per_entity(capsys):
    assert main(["kb", "export"]) == 0
    lines = capsys.readouterr().out.splitlines()
    kb = KnowledgeBase.load()
    assert len(lines) == len(kb.entities)
    records = [json.loads(line) for line in lines]
    assert all(r["entity_id"] == entity_id(r["name"], r["type"]) for r in records)
    assert len({r["entity_id"] for r in records}) == len(records)
    altman = next(r for r in records if r["name"] == "Sam Altman")
    assert altman == {"entity_id": entity_id("Sam Altman", "PERSON"), **kb.get("Sam Altman").to_dict()}


@pytest.mark.parametrize("argv", [["kb", "merge", "Sam Altman", "Greg Brockman"], ["kb", "split", "Sam Altman", "@sama"]])
def test_cli_edit_without_a_user_file_exits_2(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert "merge and split change the user KB file: name it with --kb FILE" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


# --- the gazetteer ---


@pytest.fixture
def gazetteer(seed) -> GazetteerBackend:
    return GazetteerBackend(KnowledgeBase.load(seed=seed))


def spans(backend: GazetteerBackend, sentence: str) -> list[Span]:
    return backend.recognise([sentence])[0].spans


def test_gazetteer_finds_latin_names_in_chinese_text(gazetteer):
    assert spans(gazetteer, "OpenAI联合创始人John Schulman宣布离职") == [
        Span(0, 6, "ORG", "OpenAI"),
        Span(11, 24, "PERSON", "John Schulman"),
    ]


def test_gazetteer_finds_it_with_the_shipped_kb(shipped_kb):
    found_spans = spans(GazetteerBackend(shipped_kb), "OpenAI联合创始人John Schulman宣布离职")
    assert Span(0, 6, "ORG", "OpenAI") in found_spans
    assert Span(11, 24, "PERSON", "John Schulman") in found_spans


def test_gazetteer_respects_latin_word_boundaries(gazetteer):
    assert spans(gazetteer, "Metadata from Meta") == [Span(14, 18, "ORG", "Meta")]
    assert spans(gazetteer, "MetaX and OpenAIs") == []


def test_gazetteer_is_case_sensitive(gazetteer):
    assert spans(gazetteer, "openai and meta and META") == []


def test_gazetteer_prefers_the_longest_name(gazetteer):
    assert spans(gazetteer, "Google DeepMind和Google以及谷歌") == [
        Span(0, 15, "ORG", "Google DeepMind"),
        Span(16, 22, "ORG", "Google"),
        Span(24, 26, "ORG", "谷歌"),
    ]


def test_gazetteer_skips_ambiguous_aliases(gazetteer):
    assert spans(gazetteer, "苹果公司的苹果") == [Span(0, 4, "ORG", "苹果公司")]
    assert spans(gazetteer, "X said") == []


def test_gazetteer_recognises_each_sentence(gazetteer):
    analyses = gazetteer.recognise(["奥特曼表示", "no names here", "Brockman"])
    assert [a.spans for a in analyses] == [[Span(0, 3, "PERSON", "奥特曼")], [], [Span(0, 8, "PERSON", "Brockman")]]


def test_gazetteer_fingerprint_contains_the_kb_version(seed, gazetteer):
    kb = gazetteer.kb
    assert gazetteer.fingerprint == f"kb-gazetteer@{kb.version}"
    kb.learn(DOC_A, [found("Sam Altman", "PERSON", "山姆·奥特曼")])
    assert GazetteerBackend(kb).fingerprint == f"kb-gazetteer@{kb.version}" != f"kb-gazetteer@{KnowledgeBase.load(seed=seed).version}"
