"""`newsx eval --before-linking`: the NER stage's mentions scored as entities, with no linking."""

from __future__ import annotations

from newsx.evaluation.command import before_linking
from newsx.evaluation.scorer import score

GOLD = {
    "document": "a.txt",
    "entities": [{"name": "Sam Altman", "type": "PERSON", "mentions": ["Sam Altman", "奥特曼"]}, {"name": "OpenAI", "type": "ORG", "mentions": ["OpenAI"]}],
    "events": [],
    "relations": [],
}


def _prediction() -> dict:
    mentions = [
        {"text": "奥特曼", "start": 0, "end": 3, "label": "PERSON", "entity_id": "ent_1"},
        {"text": "OpenAI", "start": 4, "end": 10, "label": "ORG", "entity_id": "ent_2"},
        {"text": "OpenAI", "start": 20, "end": 26, "label": "ORG", "entity_id": "ent_2"},
        {"text": "Altman", "start": 30, "end": 36, "label": "PERSON", "entity_id": "ent_1", "source": "propagated"},
        {"text": "CTO", "start": 40, "end": 43, "label": "TITLE"},
    ]
    linked = [{"entity_id": "ent_1", "name": "Sam Altman", "type": "PERSON", "mentions": ["奥特曼", "Altman"]}, {"entity_id": "ent_2", "name": "OpenAI", "type": "ORG", "mentions": ["OpenAI"]}]
    return {"source": "x/a.txt", "text": "", "mentions": mentions, "entities": linked, "events": [], "relations": []}


def test_before_linking_takes_each_recognised_surface_as_written():
    entities = before_linking(_prediction())["entities"]
    assert sorted((e["name"], e["type"]) for e in entities) == [("OpenAI", "ORG"), ("奥特曼", "PERSON")]


def test_linking_is_what_makes_the_canonical_name():
    linked = score([GOLD], [_prediction()]).entities
    unlinked = score([GOLD], [before_linking(_prediction())]).entities
    assert (linked.tp, linked.fp) == (2, 0)
    # `奥特曼` is a gold mention, so it still pairs with Sam Altman, but `Sam Altman` itself is not resolved
    assert score([GOLD], [before_linking(_prediction())]).mentions_resolved.value < score([GOLD], [_prediction()]).mentions_resolved.value
    assert unlinked.tp == 2
