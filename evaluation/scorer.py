"""Score predicted documents against gold documents, by the rules of GOLD_FORMAT.md.

Inputs are plain JSON dicts: gold files as written by annotators, predictions
as `Document` records dumped to JSON. Nothing here reads files or runs the
pipeline, so every figure can be checked by hand on small examples.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

from newsx.schemas.records import EVENT_KEYS, RELATION_KEYS

# Argument roles by kind, as EVENTS.md lists them; every other role is short text.
ENTITY_ROLES = frozenset(
    "person organization destination origin predecessor founders investors acquirer target plaintiff defendants"
    " product investor parent subsidiary".split()
)
MONEY_ROLES = frozenset({"amount", "valuation"})
DATE_ROLES = frozenset({"until"})
MONEY_TOLERANCE = 0.005

_IGNORED_IN_NAMES = re.compile(r"[\s·•・]+")
_WHITESPACE = re.compile(r"\s+")


def normalise(name: str) -> str:
    """The form names are compared in: case, spacing and name dots vary between writers, not entities."""
    return _IGNORED_IN_NAMES.sub("", unicodedata.normalize("NFKC", name).casefold())


def squeeze(text: str) -> str:
    """Text without whitespace, so line wrapping never decides a cleaning check."""
    return _WHITESPACE.sub("", text)


# Confidence thresholds at which event precision is reported: a threshold a user sets should mean something.
CONFIDENCE_THRESHOLDS = (0.5, 0.8)

# --- tallies ---


@dataclass
class Tally:
    """True/false positives and false negatives, summed over documents (micro-averaging)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int = 0, fp: int = 0, fn: int = 0) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn

    @property
    def precision(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        """2PR/(P+R), written on counts so it is 0 (not null) when one side is empty and the other is not."""
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)


@dataclass
class Share:
    """Hits out of a total; null when there was nothing to measure."""

    hits: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.hits += int(hit)
        self.total += 1

    @property
    def value(self) -> float | None:
        return _ratio(self.hits, self.total)


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass(frozen=True)
class Miss:
    """One false positive or false negative, kept so `--explain` can show why it was missed."""

    document: str
    kind: str  # "entity", "event" or "relation"
    error: str  # "false negative" (in gold only) or "false positive" (predicted only)
    type: str
    what: str
    evidence: str | None


@dataclass
class Scores:
    """Every figure `newsx eval` reports, accumulated document by document."""

    documents: int = 0
    missing: list[str] = field(default_factory=list)
    must_drop: Share = field(default_factory=Share)
    must_keep: Share = field(default_factory=Share)
    entities: Tally = field(default_factory=Tally)
    entities_by_type: defaultdict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    mentions_resolved: Share = field(default_factory=Share)
    events: Tally = field(default_factory=Tally)
    events_by_type: defaultdict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    arguments: Tally = field(default_factory=Tally)
    event_dates: Share = field(default_factory=Share)
    event_precision_at: dict[float, Share] = field(default_factory=lambda: {t: Share() for t in CONFIDENCE_THRESHOLDS})
    relations: Tally = field(default_factory=Tally)
    relations_by_type: defaultdict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    relation_role: Share = field(default_factory=Share)
    relation_start: Share = field(default_factory=Share)
    relation_end: Share = field(default_factory=Share)
    relation_ended: Share = field(default_factory=Share)
    misses: list[Miss] = field(default_factory=list)


# --- matching helpers ---


def _pair(golds: Sequence, preds: Sequence, agreement: Callable[[object, object], int | None]) -> list[tuple[int, int]]:
    """One-to-one (gold, pred) index pairs: best agreement first, then document order, so the result is deterministic.

    `agreement` returns None for pairs that may not match at all.
    """
    candidates = sorted(
        (-score, i, j)
        for i, gold in enumerate(golds)
        for j, pred in enumerate(preds)
        if (score := agreement(gold, pred)) is not None
    )
    used_gold, used_pred, pairs = set(), set(), []
    for _, i, j in candidates:
        if i not in used_gold and j not in used_pred:
            used_gold.add(i)
            used_pred.add(j)
            pairs.append((i, j))
    return sorted(pairs)


class GoldNames:
    """Every surface form of each gold entity, so an argument may name it as the article does."""

    def __init__(self, entities: Iterable[dict]) -> None:
        self._forms: dict[str, set[str]] = defaultdict(set)
        for entity in entities:
            canonical = normalise(entity["name"])
            self._forms[canonical].update({canonical, *map(normalise, entity.get("mentions", []))})

    def agreement(self, gold_name: str, pred_name: str) -> int | None:
        """1 for the canonical name, 0 for another surface form of it, None for a different entity."""
        gold, pred = normalise(gold_name), normalise(pred_name)
        if pred == gold:
            return 1
        return 0 if pred in self._forms.get(gold, ()) else None


def _unique(names: Iterable[str]) -> list[str]:
    """Names once each (by normalised form), in first-seen order: list arguments are sets."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(normalise(name), name)
    return list(seen.values())


def _units(value: object) -> int:
    """How many arguments a value counts as: each member of a list, one for anything else, none for null."""
    if value is None or value == "":
        return 0
    return len(_unique(value)) if isinstance(value, list) else 1


def _contains_either(gold: str, pred: str) -> bool:
    """Text arguments are written with more or less context (`CTO` / `OpenAI CTO`): containment either way."""
    gold, pred = normalise(gold), normalise(pred)
    return bool(gold and pred) and (gold in pred or pred in gold)


def _same_money(gold: dict, pred: dict) -> bool:
    """Same currency and a value within 0.5%, since amounts are often rounded in the text."""
    if not isinstance(gold, dict) or not isinstance(pred, dict) or gold.get("currency") != pred.get("currency"):
        return False
    return abs(float(pred["value"]) - float(gold["value"])) <= MONEY_TOLERANCE * abs(float(gold["value"]))


def _correct(role: str, gold: object, pred: object, names: GoldNames) -> int:
    """How many of the predicted argument's units agree with gold's value for the same role."""
    if not _units(gold) or not _units(pred):
        return 0
    if isinstance(gold, list) or isinstance(pred, list):
        gold_list = _unique(gold if isinstance(gold, list) else [gold])
        pred_list = _unique(pred if isinstance(pred, list) else [pred])
        return len(_pair(gold_list, pred_list, names.agreement))
    if role in MONEY_ROLES:
        return int(_same_money(gold, pred))
    if role in ENTITY_ROLES:
        return int(names.agreement(gold, pred) is not None)
    if role in DATE_ROLES:
        return int(gold == pred)
    return int(_contains_either(gold, pred))


def _keys_match(keys: tuple[str, ...], gold: dict, pred: dict, names: GoldNames) -> bool:
    """Identifying arguments all agree; a list one must be the same set, nothing missing and nothing extra."""
    for role in keys:
        gold_value, pred_value = gold.get(role), pred.get(role)
        units = _units(gold_value)
        if units != _units(pred_value) or (units and _correct(role, gold_value, pred_value, names) != units):
            return False
    return True


# --- records in one shape ---


def _plain(value: object) -> object:
    """An argument value as gold writes it: entity references become their names."""
    if isinstance(value, dict) and "name" in value:
        return value["name"]
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _evidence(evidence: object) -> str | None:
    """Evidence text: gold holds one sentence, predictions a list of located pieces."""
    if isinstance(evidence, str):
        return evidence
    return " … ".join(piece["text"] for piece in evidence or []) or None


def _record(raw: dict) -> dict:
    """A gold or predicted event/relation with plain arguments and evidence text, so both compare alike."""
    return {
        **raw,
        "arguments": {role: _plain(value) for role, value in (raw.get("arguments") or {}).items()},
        "evidence": _evidence(raw.get("evidence")),
    }


def _describe(record: dict) -> str:
    """Arguments and dates in one line, for `--explain`."""
    parts = []
    for role, value in record["arguments"].items():
        if not _units(value):
            continue
        if isinstance(value, dict):
            value = f"{value.get('value')} {value.get('currency')}"
        elif isinstance(value, list):
            value = "[" + ", ".join(map(str, value)) + "]"
        parts.append(f"{role}={value}")
    for attribute in ("date", "start", "end"):
        if record.get(attribute):
            parts.append(f"{attribute}={record[attribute]}")
    if record.get("ended"):
        parts.append("ended")
    return "; ".join(parts)


# --- documents ---


def document_names(prediction: dict) -> list[str]:
    """The gold `document` names a prediction answers to: its source file's name, and for JSON Lines
    `file#id` (the record's own id) and `file#line`."""
    name = PurePath(prediction["source"]).name
    stem, colon, line = name.rpartition(":")
    if not (colon and line.isdigit()):
        return [name]
    names = [name, f"{stem}#{line}"]
    if prediction.get("external_id"):
        names.insert(0, f"{stem}#{prediction['external_id']}")
    return names


def score(golds: Iterable[dict], predictions: Iterable[dict]) -> Scores:
    """Score every gold document against the prediction for the same file; unmatched predictions are ignored."""
    by_name: dict[str, dict] = {}
    for prediction in predictions:
        for name in document_names(prediction):
            by_name.setdefault(name, prediction)
    scores = Scores()
    for gold in sorted(golds, key=lambda gold: gold["document"]):
        prediction = by_name.get(gold["document"])
        if prediction is None:
            scores.missing.append(gold["document"])
        else:
            scores.documents += 1
        score_document(scores, gold, prediction)
    return scores


def score_document(scores: Scores, gold: dict, prediction: dict | None) -> None:
    """Add one document's figures; a missing prediction is an empty one whose cleaning also failed."""
    names = GoldNames(gold.get("entities", []))
    prediction = prediction or {}
    _score_cleaning(scores, gold.get("clean") or {}, prediction.get("text"))
    _score_entities(scores, gold, prediction.get("entities", []))
    _score_events(scores, gold, [_record(event) for event in prediction.get("events", [])], names)
    _score_relations(scores, gold, [_record(relation) for relation in prediction.get("relations", [])], names)


def _score_cleaning(scores: Scores, clean: dict, text: str | None) -> None:
    """Must-drop strings gone and must-keep strings present; with no cleaned text, neither counts as done."""
    squeezed = squeeze(text) if text is not None else None
    for string in clean.get("must_drop", []):
        scores.must_drop.add(squeezed is not None and squeeze(string) not in squeezed)
    for string in clean.get("must_keep", []):
        scores.must_keep.add(squeezed is not None and squeeze(string) in squeezed)


def _entity_agreement(gold: dict, pred: dict) -> int | None:
    """Same type, and the predicted name is gold's canonical name (1) or one of its mentions (0)."""
    if gold["type"] != pred["type"]:
        return None
    return GoldNames([gold]).agreement(gold["name"], pred["name"])


def _score_entities(scores: Scores, gold_doc: dict, predicted: list[dict]) -> None:
    """(name, type) pairs matched one to one, then which gold mentions landed in the matched entity."""
    golds = _unique_entities(gold_doc.get("entities", []))
    preds = _unique_entities(predicted)
    pairs = _pair(golds, preds, _entity_agreement)
    _count(scores, "entity", gold_doc["document"], golds, preds, pairs)
    matches = {i: preds[j] for i, j in pairs}
    for i, gold in enumerate(golds):
        match = matches.get(i)
        resolved = {normalise(form) for form in [*match.get("mentions", []), match["name"]]} if match else set()
        for mention in {normalise(m) for m in gold.get("mentions") or [gold["name"]]}:
            scores.mentions_resolved.add(mention in resolved)


def _unique_entities(entities: list[dict]) -> list[dict]:
    """Entities as (normalised name, type) pairs, once each: the unit entities are scored in."""
    seen: dict[tuple[str, str], dict] = {}
    for entity in entities:
        seen.setdefault((normalise(entity["name"]), entity["type"]), entity)
    return list(seen.values())


def _explain(kind: str, item: dict) -> tuple[str, str | None]:
    """What to show of a missed item, and its evidence text."""
    if kind != "entity":
        return _describe(item), item["evidence"]
    mentions = [m for m in item.get("mentions", []) if m != item["name"]]
    return item["name"] + (f" (mentions: {', '.join(mentions)})" if mentions else ""), None


def _count(
    scores: Scores, kind: str, document: str, golds: list[dict], preds: list[dict], pairs: list[tuple[int, int]]
) -> None:
    """Tally matched, missed and spurious items of one kind, overall and per type, noting each miss for `--explain`."""
    tally, by_type = {
        "entity": (scores.entities, scores.entities_by_type),
        "event": (scores.events, scores.events_by_type),
        "relation": (scores.relations, scores.relations_by_type),
    }[kind]
    matched_golds, matched_preds = {i for i, _ in pairs}, {j for _, j in pairs}
    for index, gold in enumerate(golds):
        counted = "tp" if index in matched_golds else "fn"
        tally.add(**{counted: 1})
        by_type[gold["type"]].add(**{counted: 1})
        if counted == "fn":
            scores.misses.append(Miss(document, kind, "false negative", gold["type"], *_explain(kind, gold)))
    for index, pred in enumerate(preds):
        if index not in matched_preds:
            tally.add(fp=1)
            by_type[pred["type"]].add(fp=1)
            scores.misses.append(Miss(document, kind, "false positive", pred["type"], *_explain(kind, pred)))


def _match_records(
    scores: Scores, kind: str, gold_doc: dict, preds: list[dict], names: GoldNames, agreement: Callable[[dict, dict], int]
) -> list[tuple[dict, dict]]:
    """Pair events or relations on type and identifying arguments; tally them; return the matched pairs."""
    keys = EVENT_KEYS if kind == "event" else RELATION_KEYS
    golds = [_record(raw) for raw in gold_doc.get(f"{kind}s", [])]

    def candidate(gold: dict, pred: dict) -> int | None:
        if gold["type"] != pred["type"]:
            return None
        if not _keys_match(keys.get(gold["type"], ()), gold["arguments"], pred["arguments"], names):
            return None
        return agreement(gold, pred)

    pairs = _pair(golds, preds, candidate)
    _count(scores, kind, gold_doc["document"], golds, preds, pairs)
    return [(golds[i], preds[j]) for i, j in pairs]


def _argument_counts(gold: dict, pred: dict, names: GoldNames) -> tuple[int, int, int]:
    """(correct, predicted, gold) argument units of a matched event; list members count one each."""
    correct = predicted = expected = 0
    for role in sorted(gold["arguments"].keys() | pred["arguments"].keys()):
        gold_value, pred_value = gold["arguments"].get(role), pred["arguments"].get(role)
        correct += _correct(role, gold_value, pred_value, names)
        predicted += _units(pred_value)
        expected += _units(gold_value)
    return correct, predicted, expected


def _score_events(scores: Scores, gold_doc: dict, preds: list[dict], names: GoldNames) -> None:
    """Event P/R/F1, then arguments and dates over the matched events."""

    def agreement(gold: dict, pred: dict) -> int:
        return _argument_counts(gold, pred, names)[0] + int(gold.get("date") == pred.get("date"))

    matched = _match_records(scores, "event", gold_doc, preds, names, agreement)
    hits = {id(pred) for _, pred in matched}
    for pred in preds:
        for threshold, share in scores.event_precision_at.items():
            if (pred.get("confidence") or 0.0) >= threshold:
                share.add(id(pred) in hits)
    for gold, pred in matched:
        correct, predicted, expected = _argument_counts(gold, pred, names)
        scores.arguments.add(tp=correct, fp=predicted - correct, fn=expected - correct)
        scores.event_dates.add(gold.get("date") == pred.get("date"))


def _same_role(gold: str | None, pred: str | None) -> bool:
    """A relation's role: both absent, or containment either way."""
    if gold is None or pred is None:
        return gold is None and pred is None
    return _contains_either(gold, pred)


def _relation_checks(gold: dict, pred: dict) -> tuple[bool, bool, bool, bool]:
    """Whether role, start, end and ended agree."""
    return (
        _same_role(gold["arguments"].get("role"), pred["arguments"].get("role")),
        gold.get("start") == pred.get("start"),
        gold.get("end") == pred.get("end"),
        bool(gold.get("ended")) == bool(pred.get("ended")),
    )


def _score_relations(scores: Scores, gold_doc: dict, preds: list[dict], names: GoldNames) -> None:
    """Relation P/R/F1, then role, start, end and ended over the matched relations."""
    matched = _match_records(scores, "relation", gold_doc, preds, names, lambda g, p: sum(_relation_checks(g, p)))
    for gold, pred in matched:
        role, start, end, ended = _relation_checks(gold, pred)
        scores.relation_role.add(role)
        scores.relation_start.add(start)
        scores.relation_end.add(end)
        scores.relation_ended.add(ended)
