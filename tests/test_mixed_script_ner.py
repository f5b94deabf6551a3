"""Latin-script names inside Chinese sentences, as the NER stage finds them (issue 6, mixed script).

The test set (tests/data/mixed_script_ner.jsonl) is the project's own: 224
sentences written from news patterns with invented names, and 95 more
written later with real and invented people and companies in varied forms
(glosses `约翰·舒尔曼（John Schulman）`, lower-case crawled names, `Inc.`,
glued titles `CEOSridhar Ramaswamy`, products and acronyms that name no one).
Only Latin-script PERSON and ORG spans are scored (exact span and type).

Printed: the Chinese model alone, the NER stage without the Latin-run
recogniser, with it but without the English model's vote, with both (what
the pipeline runs), and the English model alone typing the runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsx.config import Settings
from newsx.models import training
from newsx.pipeline import ner
from newsx.pipeline.process import build_context

MIXED_SCRIPT = Path(__file__).parent / "data" / "mixed_script_ner.jsonl"
# What the NER stage reaches on the set (rounded down); the issue asks for 0.90 / 0.90.
STAGE_FLOORS = {"precision": 0.92, "recall": 0.91}


@pytest.fixture(scope="module")
def context():
    return build_context(Settings())


@pytest.fixture(scope="module")
def gold():
    return training.read_annotated_jsonl(MIXED_SCRIPT)


def _scores(gold, spans_per_sentence) -> training.Scores:
    return training.latin_name_scores(gold, [[(s.start, s.end, s.label) for s in spans] for spans in spans_per_sentence])


def english_typing_only(texts: list[str], english) -> list[list]:
    """Runs cut at titles as the recogniser does, each typed by the English model alone (on the bare run)."""
    pieces = [
        (index, a, b)
        for index, text in enumerate(texts)
        for run in ner.LATIN_RUN.finditer(text)
        for a, b, label in ner._latin_pieces(text, run.start(), run.end())
        if label is None
    ]
    found: list[list] = [[] for _ in texts]
    for (index, a, b), analysis in zip(pieces, english.recognise([texts[i][a:b] for i, a, b in pieces]), strict=True):
        labels = {span.label for span in analysis.spans if span.label in ("PERSON", "ORG")}
        if len(labels) == 1:
            found[index].append(ner.Span(a, b, labels.pop(), texts[index][a:b]))
    return found


def test_the_set_has_enough_chinese_sentences_with_latin_names(gold):
    with_names = [
        s for s in gold
        if ner._HAN_CHAR.search(s.text)
        and any(a.label in ("PERSON", "ORG") and training.is_latin_name(s.text[a.start : a.end]) for a in s.spans)
    ]
    assert len(with_names) >= 200


def test_ner_stage_finds_latin_names_in_chinese_sentences(context, gold, capsys):
    texts = [sentence.text for sentence in gold]
    zh, en = context.models["zh"], context.models["en"]
    figures = {
        "Chinese model alone": _scores(gold, [a.spans for a in zh.recognise(texts)]),
        "NER stage without Latin-run recogniser": _scores(gold, ner.recognise_sentences(texts, zh, context.gazetteer)),
        "NER stage + Latin-run recogniser, no English vote": _scores(
            gold, ner.recognise_sentences(texts, zh, context.gazetteer, latin_runs=True)
        ),
        "NER stage as the pipeline runs it (+ English vote)": _scores(
            gold, ner.recognise_sentences(texts, zh, context.gazetteer, latin_model=en, latin_runs=True)
        ),
        "English model alone typing the runs": _scores(gold, english_typing_only(texts, en)),
    }
    with capsys.disabled():
        print(f"\nmixed-script set: {len(gold)} sentences, {next(iter(figures.values())).gold} Latin PERSON/ORG names")
        for name, scores in figures.items():
            print(f"  {name:48s} P {scores.precision:.3f}  R {scores.recall:.3f}  F1 {scores.f1:.3f}")
    stage = figures["NER stage as the pipeline runs it (+ English vote)"]
    assert stage.precision >= STAGE_FLOORS["precision"]
    assert stage.recall >= STAGE_FLOORS["recall"]


def test_pipeline_runs_the_latin_run_recogniser():
    assert ner.LATIN_RUNS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Corvana Systems CEO Miriam Jablonski 在接受采访时透露", [("Corvana Systems", "ORG"), ("CEO", "TITLE"), ("Miriam Jablonski", "PERSON")]),
        ("此前CFOWendy Yilmaz宣布辞职", [("CFO", "TITLE"), ("Wendy Yilmaz", "PERSON")]),
        ("Mistral AICTOFelix Achterberg表示", [("Mistral AI", "ORG"), ("CTO", "TITLE"), ("Felix Achterberg", "PERSON")]),
        ("Snowflake Inc.新任首席执行官Sridhar Ramaswamy此前创办了Neeva。", [("Snowflake Inc.", "ORG"), ("Sridhar Ramaswamy", "PERSON"), ("Neeva", "ORG")]),
        ("Copperleaf AI发布了最新的AI芯片", [("Copperleaf AI", "ORG")]),
        ("MongoDB推出了名为Atlas的新一代推理模型。", [("MongoDB", "ORG")]),
        ("前员工Zhang Wei窃取了Optimus机器人的商业机密", [("Zhang Wei", "PERSON")]),
    ],
)
def test_latin_runs_are_cut_at_titles_and_typed(text, expected):
    spans, _decided = ner.latin_name_spans(text, {})
    assert [(span.text, span.label) for span in spans] == expected


def test_latin_runs_leave_english_and_chinese_only_sentences_alone():
    assert ner.latin_candidates(["Sam Altman left OpenAI.", "张三加入华为"], [ner.Analysis(), ner.Analysis()], None)[0] is None
    assert ner.latin_candidates(["张三加入华为"], [ner.Analysis(spans=[ner.Span(0, 2, "PERSON", "张三")])], None) == [
        [ner.Span(0, 2, "PERSON", "张三")]
    ]
