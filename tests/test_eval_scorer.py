"""`newsx eval`: small hand-made gold and predictions whose figures are worked out by hand in each test."""

from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path

import orjson
import pytest
from rich.console import Console

from newsx.evaluation.command import add_parser, run_eval
from newsx.evaluation.report import render, to_json
from newsx.evaluation.scorer import ENTITY_ROLES, normalise, score

# --- builders: gold as annotators write it, predictions as the pipeline writes them ---


def gold(name="a.txt", entities=(), events=(), relations=(), must_drop=(), must_keep=()) -> dict:
    return {
        "document": name,
        "published": None,
        "languages": ["zh"],
        "clean": {"must_drop": list(must_drop), "must_keep": list(must_keep)},
        "entities": list(entities),
        "events": list(events),
        "relations": list(relations),
    }


def pred(name="a.txt", text="", entities=(), events=(), relations=()) -> dict:
    return {
        "document_id": "doc_0123456789abcdef",
        "source": f"../shared/corpus/dev/{name}",
        "text": text,
        "entities": [{"entity_id": f"ent_{i:08x}", **entity} for i, entity in enumerate(entities)],
        "events": list(events),
        "relations": list(relations),
    }


def ent(name: str, type_: str, *mentions: str) -> dict:
    return {"name": name, "type": type_, "mentions": list(mentions) or [name]}


def ref(name: str) -> dict:
    return {"name": name, "entity_id": None, "mentions": [name]}


def gold_event(type_: str, date=None, evidence="他宣布离职。", **arguments) -> dict:
    return {"type": type_, "arguments": arguments, "date": date, "modality": "actual", "evidence": evidence}


def pred_event(type_: str, date=None, evidence="他宣布离职。", **arguments) -> dict:
    return {
        "event_id": "evt_0123456789abcdef",
        "type": type_,
        "arguments": arguments,
        "date": date,
        "modality": "actual",
        "confidence": 0.9,
        "evidence": [{"document_id": "doc_0123456789abcdef", "text": evidence, "start": 0, "end": len(evidence)}],
    }


def gold_relation(type_: str, start=None, end=None, ended=False, **arguments) -> dict:
    return {"type": type_, "arguments": arguments, "start": start, "end": end, "ended": ended, "evidence": "某句。"}


def pred_relation(type_: str, start=None, end=None, ended=False, **arguments) -> dict:
    return {
        "relation_id": "rel_0123456789abcdef",
        "type": type_,
        "arguments": arguments,
        "start": start,
        "end": end,
        "ended": ended,
        "confidence": 0.9,
        "evidence": [{"document_id": "doc_0123456789abcdef", "text": "某句。", "start": 0, "end": 3}],
    }


def figures(golds, preds, explain=False) -> dict:
    return to_json(score(golds, preds), explain=explain)


def prf(section: dict) -> tuple:
    return section["precision"], section["recall"], section["f1"]


def counts(section: dict) -> tuple:
    return section["tp"], section["fp"], section["fn"]


SCHULMAN = ent("John Schulman", "PERSON", "John Schulman", "Schulman", "约翰·舒尔曼")
OPENAI = ent("OpenAI", "ORG", "OpenAI", "OpenAl")
ANTHROPIC = ent("Anthropic", "ORG")


# --- whole reports ---


def test_perfect_prediction_scores_one_everywhere():
    departure = dict(person="John Schulman", organization="OpenAI", role="联合创始人", destination="Anthropic")
    affiliation = dict(person="John Schulman", organization="OpenAI", role="联合创始人")
    g = gold(
        entities=[SCHULMAN, OPENAI, ANTHROPIC],
        events=[gold_event("personnel.departure", "2024-08", **departure)],
        relations=[gold_relation("affiliation", "2015", "2024-08", True, **affiliation)],
        must_drop=["推荐文章"],
        must_keep=["John Schulman宣布离职。"],
    )
    p = pred(
        text="John Schulman宣布离职。",
        entities=[SCHULMAN, OPENAI, ANTHROPIC],
        events=[pred_event("personnel.departure", "2024-08", **{k: v if k == "role" else ref(v) for k, v in departure.items()})],
        relations=[pred_relation("affiliation", "2015", "2024-08", True, **{k: v if k == "role" else ref(v) for k, v in affiliation.items()})],
    )
    f = figures([g], [p])
    assert f["documents"] == 1 and f["missing"] == []
    assert f["clean"] == {"must_drop": 1.0, "must_keep": 1.0}
    assert prf(f["entities"]) == (1.0, 1.0, 1.0) and counts(f["entities"]) == (3, 0, 0)
    assert f["entities"]["mentions_resolved"] == 1.0
    assert prf(f["events"]) == (1.0, 1.0, 1.0) and counts(f["events"]) == (1, 0, 0)
    assert prf(f["events"]["arguments"]) == (1.0, 1.0, 1.0)
    assert f["events"]["date_accuracy"] == 1.0
    assert prf(f["relations"]) == (1.0, 1.0, 1.0)
    assert [f["relations"][f"{a}_accuracy"] for a in ("role", "start", "end", "ended")] == [1.0, 1.0, 1.0, 1.0]


def test_empty_prediction_has_zero_recall_and_null_precision():
    g = gold(
        entities=[SCHULMAN, OPENAI],
        events=[gold_event("personnel.departure", person="John Schulman", organization="OpenAI")],
        relations=[gold_relation("affiliation", person="John Schulman", organization="OpenAI", role=None)],
        must_drop=["广告"],
        must_keep=["正文"],
    )
    f = figures([g], [pred(text="")])
    assert f["clean"] == {"must_drop": 1.0, "must_keep": 0.0}
    for kind, fn in (("entities", 2), ("events", 1), ("relations", 1)):
        assert prf(f[kind]) == (None, 0.0, 0.0)
        assert counts(f[kind]) == (0, 0, fn)
    assert f["entities"]["mentions_resolved"] == 0.0
    assert prf(f["events"]["arguments"]) == (None, None, None)
    assert f["events"]["date_accuracy"] is None
    assert f["relations"]["role_accuracy"] is None and f["relations"]["ended_accuracy"] is None


def test_nothing_to_measure_is_null():
    f = figures([gold()], [pred(text="正文")])
    assert f["clean"] == {"must_drop": None, "must_keep": None}
    assert prf(f["entities"]) == (None, None, None)
    assert f["entities"]["mentions_resolved"] is None
    assert f["entities"]["by_type"] == {} and f["events"]["by_type"] == {}


def test_missing_document_counts_as_false_negatives_and_is_listed():
    a = gold("a.txt", entities=[OPENAI], must_drop=["广告"], must_keep=["正文"])
    b = gold("b.txt", entities=[ANTHROPIC], must_drop=["推荐"], must_keep=["内容"])
    f = figures([b, a], [pred("a.txt", text="正文", entities=[OPENAI])])
    assert f["documents"] == 1
    assert f["missing"] == ["b.txt"]
    assert counts(f["entities"]) == (1, 0, 1)
    assert prf(f["entities"]) == (1.0, 0.5, 0.6667)
    # no cleaned text for b: its must_drop is not credited as gone, its must_keep is not kept
    assert f["clean"] == {"must_drop": 0.5, "must_keep": 0.5}


# --- entities ---


def test_partial_entities():
    g = gold(entities=[ent("A", "PERSON"), ent("B", "ORG"), ent("C", "GPE"), ent("D", "PRODUCT")])
    p = pred(entities=[ent("A", "PERSON"), ent("B", "ORG"), ent("E", "ORG")])
    f = figures([g], [p])
    assert counts(f["entities"]) == (2, 1, 2)
    assert prf(f["entities"]) == (0.6667, 0.5, 0.5714)  # F1 = 2*2 / (2*2 + 1 + 2)
    by_type = f["entities"]["by_type"]
    assert sorted(by_type) == ["GPE", "ORG", "PERSON", "PRODUCT"]
    assert counts(by_type["ORG"]) == (1, 1, 0) and prf(by_type["ORG"]) == (0.5, 1.0, 0.6667)
    assert counts(by_type["GPE"]) == (0, 0, 1) and prf(by_type["GPE"]) == (None, 0.0, 0.0)


def test_wrong_entity_type_is_a_false_positive_and_a_false_negative():
    f = figures([gold(entities=[ent("OpenAI", "ORG")])], [pred(entities=[ent("OpenAI", "PRODUCT")])])
    assert counts(f["entities"]) == (0, 1, 1)
    assert prf(f["entities"]) == (0.0, 0.0, 0.0)
    assert counts(f["entities"]["by_type"]["ORG"]) == (0, 0, 1)
    assert counts(f["entities"]["by_type"]["PRODUCT"]) == (0, 1, 0)


def test_name_variants_case_spaces_dots_and_mention_aliases():
    g = gold(
        entities=[
            SCHULMAN,
            ent("Sam Altman", "PERSON", "Sam Altman", "山姆·奥特曼"),
            OPENAI,
            ent("Mira Murati", "PERSON", "米拉•穆拉蒂"),
        ]
    )
    p = pred(
        entities=[
            ent("john  SCHULMAN", "PERSON"),  # case and spaces
            ent("山姆・奥特曼", "PERSON"),  # another middle dot, matching a mention
            ent("OpenAl", "ORG"),  # a misspelt alias the gold lists as a mention
            ent("米拉·穆拉蒂", "PERSON"),  # · against the gold's •
        ]
    )
    f = figures([g], [p])
    assert counts(f["entities"]) == (4, 0, 0)
    assert normalise("ＯｐｅｎＡＩ") == normalise("open ai") == "openai"  # NFKC folds full-width letters


def test_each_gold_entity_matches_once_and_the_canonical_name_wins():
    brockman = ent("Greg Brockman", "PERSON", "Greg Brockman", "Brockman")
    p = pred(entities=[ent("Brockman", "PERSON"), ent("Greg Brockman", "PERSON")])
    f = figures([gold(entities=[brockman])], [p], explain=True)
    assert counts(f["entities"]) == (1, 1, 0)
    assert f["explain"] == [
        {
            "document": "a.txt",
            "kind": "entity",
            "error": "false positive",
            "type": "PERSON",
            "what": "Brockman",
            "evidence": None,
        }
    ]


def test_mentions_resolved_to_the_matched_entity():
    brockman = ent("Greg Brockman", "PERSON", "Greg Brockman", "Brockman")
    p = pred(
        entities=[
            ent("John Schulman", "PERSON", "John Schulman", "约翰 · 舒尔曼"),  # 2 of its 3 gold mentions
            ent("Brockman", "PERSON", "Brockman"),  # a spurious second entity: its mention does not count
            ent("Greg Brockman", "PERSON", "Greg Brockman"),  # 1 of 2
        ]
    )
    f = figures([gold(entities=[SCHULMAN, brockman])], [p])
    assert f["entities"]["mentions_resolved"] == 0.6  # 3 of 5


def test_duplicate_predicted_entities_count_once():
    p = pred(entities=[ent("OpenAI", "ORG"), ent("openai", "ORG")])
    assert counts(figures([gold(entities=[OPENAI])], [p])["entities"]) == (1, 0, 0)


def test_micro_average_across_two_documents():
    a = gold("a.txt", entities=[ent("A", "ORG")])
    b = gold("b.txt", entities=[ent("X", "ORG"), ent("Y", "ORG")])
    pa = pred("a.txt", entities=[ent("A", "ORG")])
    pb = pred("b.txt", entities=[ent("X", "ORG"), ent("P", "ORG"), ent("Q", "ORG"), ent("R", "ORG")])
    f = figures([a, b], [pb, pa])
    assert f["documents"] == 2
    assert counts(f["entities"]) == (2, 3, 1)
    assert prf(f["entities"]) == (0.4, 0.6667, 0.5)  # macro precision would be (1 + 1/4) / 2


# --- events ---

DEPARTURE = dict(person="John Schulman", organization="OpenAI", role="联合创始人", destination="Anthropic")


def test_right_event_with_one_wrong_argument():
    g = gold(entities=[SCHULMAN, OPENAI, ANTHROPIC], events=[gold_event("personnel.departure", "2024-08", **DEPARTURE)])
    p = pred(
        events=[
            pred_event(
                "personnel.departure",
                "2024-08",
                person=ref("Schulman"),  # a gold mention of John Schulman
                organization=ref("openai"),
                role="OpenAI联合创始人",  # contains gold's role
                destination=ref("Google"),  # wrong
            )
        ]
    )
    f = figures([g], [p])
    assert counts(f["events"]) == (1, 0, 0)
    assert prf(f["events"]["arguments"]) == (0.75, 0.75, 0.75)
    assert f["events"]["date_accuracy"] == 1.0


def test_missing_and_extra_arguments():
    g = gold(events=[gold_event("personnel.hire", person="A", organization="B", role="CTO")])
    p = pred(events=[pred_event("personnel.hire", person=ref("A"), organization=ref("B"), role=None, origin=ref("C"))])
    f = figures([g], [p])
    assert counts(f["events"]) == (1, 0, 0)
    assert prf(f["events"]["arguments"]) == (0.6667, 0.6667, 0.6667)  # 2 right of 3 predicted, of 3 in gold


def test_identifying_argument_mismatch_and_wrong_event_type():
    g = gold(events=[gold_event("personnel.departure", **DEPARTURE)])
    other_org = pred_event("personnel.departure", person=ref("John Schulman"), organization=ref("Anthropic"))
    wrong_type = pred_event("personnel.hire", person=ref("John Schulman"), organization=ref("OpenAI"))
    f = figures([g], [pred(events=[other_org, wrong_type])])
    assert counts(f["events"]) == (0, 2, 1)
    assert prf(f["events"]["arguments"]) == (None, None, None)
    assert counts(f["events"]["by_type"]["personnel.departure"]) == (0, 1, 1)
    assert counts(f["events"]["by_type"]["personnel.hire"]) == (0, 1, 0)


def test_list_arguments_are_sets():
    founders = ["Sam Altman", "Greg Brockman", "Ilya Sutskever"]
    g = gold(events=[gold_event("org.founding", organization="OpenAI", founders=founders)])
    predicted = [ref("Ilya Sutskever"), ref("sam altman"), ref("Elon Musk"), ref("Sam Altman")]  # order free, repeats once
    f = figures([g], [pred(events=[pred_event("org.founding", organization=ref("OpenAI"), founders=predicted)])])
    assert counts(f["events"]) == (1, 0, 0)
    # gold: organization + 3 founders; predicted: organization + 3 distinct founders, of which 2 right
    assert prf(f["events"]["arguments"]) == (0.75, 0.75, 0.75)


def test_identifying_list_argument_must_be_the_same_set():
    entities = [ent("Sam Altman", "PERSON", "Sam Altman", "Altman"), OPENAI, ent("Elon Musk", "PERSON")]
    lawsuit = gold_event("legal.lawsuit", plaintiff="Elon Musk", defendants=["OpenAI", "Sam Altman"])
    a = gold("a.txt", entities=entities, events=[lawsuit])
    b = gold("b.txt", entities=entities, events=[lawsuit])
    c = gold("c.txt", entities=entities, events=[lawsuit])
    same_set = pred_event("legal.lawsuit", plaintiff=ref("Elon Musk"), defendants=[ref("Altman"), ref("OpenAI")])
    subset = pred_event("legal.lawsuit", plaintiff=ref("Elon Musk"), defendants=[ref("OpenAI")])
    superset = pred_event("legal.lawsuit", plaintiff=ref("Elon Musk"), defendants=[ref("OpenAI"), ref("Altman"), ref("X")])
    predictions = [pred("a.txt", events=[same_set]), pred("b.txt", events=[subset]), pred("c.txt", events=[superset])]
    assert counts(figures([a, b, c], predictions)["events"]) == (1, 2, 2)


def test_text_arguments_match_by_containment_either_way():
    g = gold(
        events=[
            gold_event("personnel.appointment", person="A", organization="O", role="首席技术官"),
            gold_event("personnel.appointment", person="B", organization="O", role="OpenAI首席技术官"),
            gold_event("personnel.appointment", person="C", organization="O", role="CTO"),
        ]
    )
    p = pred(
        events=[
            pred_event("personnel.appointment", person=ref("A"), organization=ref("O"), role="OpenAI 首席技术官"),
            pred_event("personnel.appointment", person=ref("B"), organization=ref("O"), role="首席技术官"),
            pred_event("personnel.appointment", person=ref("C"), organization=ref("O"), role="CEO"),
        ]
    )
    f = figures([g], [p])
    assert counts(f["events"]) == (2, 1, 1)


def test_money_by_value_within_half_a_percent_and_currency():
    a = gold(
        "a.txt",
        events=[
            gold_event(
                "org.funding",
                organization="X",
                amount={"value": 1_000_000_000, "currency": "USD"},
                valuation={"value": 10_000_000_000, "currency": "USD"},
                round="A轮",
            )
        ],
    )
    b = gold("b.txt", events=[gold_event("org.funding", organization="Y", amount={"value": 1_000_000_000, "currency": "USD"})])
    pa = pred(
        "a.txt",
        events=[
            pred_event(
                "org.funding",
                organization=ref("X"),
                amount={"value": 1_004_000_000, "currency": "USD"},  # 0.4% off: right
                valuation={"value": 10_000_000_000, "currency": "CNY"},  # wrong currency
                round="A轮融资",
            )
        ],
    )
    pb = pred("b.txt", events=[pred_event("org.funding", organization=ref("Y"), amount={"value": 1_006_000_000, "currency": "USD"})])
    f = figures([a, b], [pa, pb])
    assert counts(f["events"]) == (2, 0, 0)
    assert prf(f["events"]["arguments"]) == (0.6667, 0.6667, 0.6667)  # 3 of 4 in a, 1 of 2 in b


def test_date_accuracy_at_gold_precision():
    g = gold(
        events=[
            gold_event("personnel.departure", "2024-08", person="A", organization="O"),
            gold_event("personnel.departure", None, person="B", organization="O"),
            gold_event("personnel.departure", "2024", person="C", organization="O"),
        ]
    )
    p = pred(
        events=[
            pred_event("personnel.departure", "2024-08-06", person=ref("A"), organization=ref("O")),  # finer than gold: wrong
            pred_event("personnel.departure", None, person=ref("B"), organization=ref("O")),
            pred_event("personnel.departure", "2024", person=ref("C"), organization=ref("O")),
        ]
    )
    f = figures([g], [p])
    assert counts(f["events"]) == (3, 0, 0)
    assert f["events"]["date_accuracy"] == 0.6667


def test_events_by_type():
    g = gold(
        events=[
            gold_event("personnel.departure", person="A", organization="O"),
            gold_event("personnel.departure", person="B", organization="O"),
            gold_event("org.founding", organization="O", founders=["A"]),
        ]
    )
    p = pred(
        events=[
            pred_event("personnel.departure", person=ref("A"), organization=ref("O")),
            pred_event("personnel.hire", person=ref("B"), organization=ref("O")),
            pred_event("org.founding", organization=ref("O"), founders=[ref("A")]),
        ]
    )
    f = figures([g], [p])
    by_type = f["events"]["by_type"]
    assert list(by_type) == ["org.founding", "personnel.departure", "personnel.hire"]
    assert prf(by_type["personnel.departure"]) == (1.0, 0.5, 0.6667)
    assert prf(by_type["personnel.hire"]) == (0.0, None, 0.0)
    assert prf(by_type["org.founding"]) == (1.0, 1.0, 1.0)
    assert counts(f["events"]) == (2, 1, 1)


def test_one_to_one_prefers_the_better_matching_prediction():
    g = gold(events=[gold_event("personnel.departure", "2024-08", person="A", organization="O", role="CTO")])
    worse = pred_event("personnel.departure", "2023", person=ref("A"), organization=ref("O"), role="CEO")
    better = pred_event("personnel.departure", "2024-08", person=ref("A"), organization=ref("O"), role="CTO")
    f = figures([g], [pred(events=[worse, better])])
    assert counts(f["events"]) == (1, 1, 0)
    assert prf(f["events"]["arguments"]) == (1.0, 1.0, 1.0)
    assert f["events"]["date_accuracy"] == 1.0


# --- relations ---


def test_relations_match_then_role_start_end_ended_accuracy():
    g = gold(
        entities=[SCHULMAN, OPENAI, ANTHROPIC],
        relations=[
            gold_relation("affiliation", "2015", "2024-08", True, person="John Schulman", organization="OpenAI", role="联合创始人"),
            gold_relation("affiliation", "2024-08", None, False, person="John Schulman", organization="Anthropic", role=None),
            gold_relation("founder_of", "2015", None, False, person="John Schulman", organization="OpenAI"),
        ],
    )
    p = pred(
        relations=[
            # role contains gold's; end finer than gold's: wrong
            pred_relation("affiliation", "2015", "2024-08-06", True, person=ref("Schulman"), organization=ref("OpenAI"), role="OpenAI联合创始人"),
            # gold has no role: a predicted one is wrong
            pred_relation("affiliation", "2024-08", None, False, person=ref("John Schulman"), organization=ref("Anthropic"), role="研究员"),
            # no role on either side: right; start and end wrong
            pred_relation("founder_of", None, "2020", False, person=ref("John Schulman"), organization=ref("OpenAI")),
            pred_relation("owns", parent=ref("OpenAI"), subsidiary=ref("Anthropic")),
        ]
    )
    f = figures([g], [p])
    r = f["relations"]
    assert counts(r) == (3, 1, 0)
    assert prf(r) == (0.75, 1.0, 0.8571)
    assert (r["role_accuracy"], r["start_accuracy"], r["end_accuracy"], r["ended_accuracy"]) == (0.6667, 0.6667, 0.3333, 1.0)
    assert counts(r["by_type"]["affiliation"]) == (2, 0, 0)
    assert counts(r["by_type"]["founder_of"]) == (1, 0, 0)
    assert counts(r["by_type"]["owns"]) == (0, 1, 0)


# --- cleaning ---


def test_cleaning_shares_ignore_whitespace():
    a = gold("a.txt", must_drop=["推荐 文章", "广告"], must_keep=["John Schulman 宣布离职", "第二句"])
    b = gold("b.txt", must_keep=["正文"])  # no must_drop: adds nothing to that share
    pa = pred("a.txt", text="正文\n推荐\n文章\nJohn\nSchulman宣布\n离职")
    pb = pred("b.txt", text="正 文")
    f = figures([a, b], [pa, pb])
    assert f["clean"] == {"must_drop": 0.5, "must_keep": 0.6667}


# --- document matching ---


def test_documents_match_by_file_name_and_json_lines_line():
    txt = gold("000_cc27e5bec9dc9410.txt", entities=[OPENAI])
    line = gold("articles.jsonl#3", entities=[ANTHROPIC])
    predictions = [
        {**pred(entities=[OPENAI]), "source": "../shared/corpus/dev/000_cc27e5bec9dc9410.txt"},
        {**pred(entities=[ANTHROPIC]), "source": "in/articles.jsonl:3"},
        {**pred(entities=[ent("Other", "ORG")]), "source": "in/unannotated.txt"},
    ]
    f = figures([txt, line], predictions)
    assert f["documents"] == 2 and f["missing"] == []
    assert counts(f["entities"]) == (2, 0, 0)


def test_gold_scored_against_itself_is_perfect(shared):
    """Every real dev gold file, turned into a prediction, must score 1 on every figure."""
    golds = [json.loads(path.read_text(encoding="utf-8")) for path in sorted((shared / "gold" / "dev").glob("*.json"))]

    def as_prediction(record: dict) -> dict:
        record = copy.deepcopy(record)
        record["arguments"] = {
            role: [ref(v) for v in value] if isinstance(value, list) else ref(value) if role in ENTITY_ROLES and value else value
            for role, value in record["arguments"].items()
        }
        record["evidence"] = [{"text": record["evidence"]}]
        return record

    predictions = [
        {
            **pred(g["document"], text="\n".join(g["clean"]["must_keep"]), entities=g["entities"]),
            "events": [as_prediction(e) for e in reversed(g["events"])],
            "relations": [as_prediction(r) for r in reversed(g["relations"])],
        }
        for g in golds
    ]
    f = figures(golds, predictions)
    assert f["documents"] == len(golds) > 0
    for kind in ("entities", "events", "relations"):
        assert prf(f[kind]) == (1.0, 1.0, 1.0), kind
    assert prf(f["events"]["arguments"]) == (1.0, 1.0, 1.0)
    assert f["entities"]["mentions_resolved"] == f["events"]["date_accuracy"] == 1.0
    assert [f["relations"][f"{a}_accuracy"] for a in ("role", "start", "end", "ended")] == [1.0] * 4


# --- explain and the terminal report ---


def test_explain_lists_every_miss_with_document_and_evidence():
    g = gold(
        events=[gold_event("personnel.departure", evidence="A宣布离开O。", person="A", organization="O")],
        entities=[ent("A", "PERSON")],
    )
    p = pred(events=[pred_event("personnel.hire", evidence="A加入O。[/b][详细]", person=ref("A"), organization=ref("O"))])
    f = figures([g], [p], explain=True)
    assert [(m["kind"], m["error"], m["type"], m["what"], m["evidence"]) for m in f["explain"]] == [
        ("entity", "false negative", "PERSON", "A", None),
        ("event", "false negative", "personnel.departure", "person=A; organization=O", "A宣布离开O。"),
        ("event", "false positive", "personnel.hire", "person=A; organization=O", "A加入O。[/b][详细]"),
    ]
    console = Console(record=True, width=200)  # wide enough that no cell wraps
    render(score([g], [p]), console, explain=True)
    rows = [line for line in console.export_text().splitlines() if line.startswith("│ F")]
    assert [[cell.strip() for cell in row.split("│")[1:-1]] for row in rows] == [
        ["FN", "entity", "PERSON", "A", ""],
        ["FN", "event", "personnel.departure", "person=A; organization=O", "A宣布离开O。"],
        ["FP", "event", "personnel.hire", "person=A; organization=O", "A加入O。[/b][详细]"],  # not markup
    ]


# --- the command ---


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    """A gold folder and an output folder whose prediction gets entities right and cleaning half right."""
    gold_dir, out_dir = tmp_path / "gold", tmp_path / "out"
    gold_dir.mkdir()
    out_dir.mkdir()
    g = gold("a.txt", entities=[OPENAI], events=[gold_event("personnel.departure", person="A", organization="OpenAI")], must_drop=["广告", "推荐"])
    (gold_dir / "a.json").write_text(json.dumps(g, ensure_ascii=False), encoding="utf-8")
    (out_dir / "documents.jsonl").write_bytes(orjson.dumps(pred("a.txt", text="正文 广告", entities=[OPENAI])) + b"\n")
    return gold_dir, out_dir


def namespace(gold_dir, out_dir, floors=None, json_only=False, source=None) -> argparse.Namespace:
    return argparse.Namespace(gold=gold_dir, pred=out_dir, source=source, json=json_only, explain=False, floors=floors, before_linking=False)


def test_floors_name_each_figure_below_its_floor(folders, tmp_path, capsys):
    floors = tmp_path / "floors.json"
    floors.write_text(
        json.dumps({"clean.must_drop": 0.6, "entities.f1": 0.0, "events.precision": 0.1, "events.by_type.personnel.departure.recall": 0.0})
    )
    assert run_eval(namespace(*folders, floors=floors)) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "clean.must_drop is 0.5000, below its floor 0.6" in err
    assert "events.precision is null (nothing to measure), below its floor 0.1" in err
    assert "entities.f1" not in err and "by_type" not in err

    floors.write_text(json.dumps({"clean.must_drop": 0.5, "entities.f1": 1.0}))
    assert run_eval(namespace(*folders, floors=floors)) == 0


def test_floors_file_errors(folders, tmp_path, capsys):
    floors = tmp_path / "floors.json"
    floors.write_text(json.dumps({"entities.f2": 0.5}))
    assert run_eval(namespace(*folders, floors=floors)) == 2
    assert "entities.f2" in capsys.readouterr().err
    floors.write_text(json.dumps({"entities.f1": "high"}))
    assert run_eval(namespace(*folders, floors=floors)) == 2


def test_json_output(folders, capsys):
    assert run_eval(namespace(*folders, json_only=True)) == 0
    out = capsys.readouterr().out
    f = json.loads(out)
    assert list(f) == sorted(f) == ["clean", "documents", "entities", "events", "missing", "relations"]
    assert f["clean"] == {"must_drop": 0.5, "must_keep": None}
    assert counts(f["entities"]) == (1, 0, 0)
    assert counts(f["events"]) == (0, 0, 1)
    assert out.startswith('{\n  "clean"')  # indented by two spaces


def test_source_runs_the_pipeline_into_a_temporary_folder(folders, monkeypatch, capsys):
    import newsx.flows

    calls = []

    def fake_extract_corpus(source, out_dir, show_progress):
        calls.append((source, show_progress))
        (Path(out_dir) / "documents.jsonl").write_bytes((folders[1] / "documents.jsonl").read_bytes())

    monkeypatch.setattr(newsx.flows, "extract_corpus", fake_extract_corpus)
    assert run_eval(namespace(folders[0], None, json_only=True, source="corpus/")) == 0
    assert calls == [("corpus/", False)]
    assert counts(json.loads(capsys.readouterr().out)["entities"]) == (1, 0, 0)


def test_parser_wants_exactly_one_of_pred_and_source():
    parser = argparse.ArgumentParser(prog="newsx")
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["eval", "--gold", "g", "--pred", "out", "--floors", "f.json", "--explain"])
    assert (args.gold, args.pred, args.source, args.floors, args.explain, args.json) == (Path("g"), Path("out"), None, Path("f.json"), True, False)
    assert args.handler is run_eval
    for argv in (["eval", "--gold", "g"], ["eval", "--gold", "g", "--pred", "o", "--source", "s"]):
        with pytest.raises(SystemExit):
            parser.parse_args(argv)


def test_precision_at_confidence_thresholds():
    right = {**pred_event("personnel.departure", person=ref("A"), organization=ref("X")), "confidence": 0.9}
    wrong_high = {**pred_event("personnel.departure", person=ref("B"), organization=ref("X")), "confidence": 0.85}
    wrong_low = {**pred_event("personnel.departure", person=ref("C"), organization=ref("X")), "confidence": 0.6}
    golds = [gold(entities=[ent("A", "PERSON"), ent("X", "ORG")], events=[gold_event("personnel.departure", person="A", organization="X")])]
    result = figures(golds, [pred(events=[right, wrong_high, wrong_low])])
    assert result["events"]["precision_at_confidence"] == {"0.5": round(1 / 3, 4), "0.8": 0.5}
