"""Merge: the same happening reported by several documents becomes one canonical event.

Events match when their type and identifying arguments (EVENTS.md `*`) agree
and their dates are compatible (equal, or one a prefix of the other, or one
unknown). The canonical event keeps every piece of evidence and lists its
sources, as GDELT counts NumSources / NumArticles. Relations merge the same way.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from typing import Any

from newsx.schemas.records import EVENT_KEYS, RELATION_KEYS, EntityRef


def name_key(name: str) -> str:
    """A name as compared across documents: width, case, spaces and `·` ignored."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "·•・.")


def _value_key(value: Any) -> str:
    if isinstance(value, EntityRef):
        return value.entity_id or name_key(value.name)
    if isinstance(value, list):
        return "|".join(sorted(_value_key(item) for item in value))
    return name_key(str(value)) if value is not None else ""


def record_key(record: Any) -> tuple[str, ...]:
    """(type, identifying arguments) of an event or relation."""
    roles = EVENT_KEYS.get(record.type) or RELATION_KEYS[record.type]
    return (record.type, *(_value_key(getattr(record.arguments, role)) for role in roles))


def stable_id(prefix: str, *parts: str) -> str:
    return f"{prefix}_" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:24]


def _dates_compatible(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a.startswith(b) or b.startswith(a)


def _more_precise(a: str | None, b: str | None) -> str | None:
    return max((d for d in (a, b) if d), key=len, default=None)


def merge_events(events: Iterable[Any]) -> list[Any]:
    """Canonical events of per-document events, in a stable order."""
    return _merge(events, *event_merger())


def merge_relations(relations: Iterable[Any]) -> list[Any]:
    """Canonical relations of per-document relations, in a stable order: the earliest start,
    the latest end, ended if any source says so."""
    return _merge(relations, *relation_merger())


def _merge(records: Iterable[Any], prefix: str, date_of: Any, fold: Any, combine: Any) -> list[Any]:
    groups: dict[tuple[str, ...], list[Any]] = {}
    for record in records:
        groups.setdefault(record_key(record), []).append(record)
    merged = [m for key, group in groups.items() for m in merge_group(key, group, prefix, date_of, fold, combine)]
    id_field = "event_id" if prefix == "evt" else "relation_id"
    return sorted(merged, key=lambda r: getattr(r, id_field))


class _Cluster:
    """What a canonical record needs of the records merged into it, folded in one at a time: a group
    of thousands of records (a person who leaves the same company in article after article) is never
    held whole, so a run's memory does not grow with its corpus."""

    __slots__ = ("dates", "best", "best_rank", "date", "evidence", "confidence", "facts")

    def __init__(self) -> None:
        self.dates: set[str | None] = set()
        self.best: Any = None
        self.best_rank: tuple[float, int] | None = None
        self.date: str | None = None
        self.evidence: dict[tuple[str, int, int], Any] = {}
        self.confidence = float("-inf")
        self.facts: Any = None

    def accepts(self, date: str | None) -> bool:
        return all(_dates_compatible(known, date) for known in self.dates)

    def add(self, record: Any, date: str | None, fold: Any) -> None:
        rank = (record.confidence, -len(record.evidence[0].document_id))
        if self.best_rank is None or rank > self.best_rank:  # the first of the best, as max() takes
            self.best, self.best_rank = record, rank
        self.dates.add(date)
        self.date = _more_precise(self.date, date)
        for item in record.evidence:
            self.evidence[(item.document_id, item.start, item.end)] = item
        self.confidence = max(self.confidence, record.confidence)
        self.facts = fold(self.facts, record)


def merge_group(key: tuple[str, ...], records: Iterable[Any], prefix: str, date_of: Any, fold: Any, combine: Any) -> list[Any]:
    """The canonical records of one group of records sharing `key` (record_key), in the order they
    were extracted: each joins the first cluster whose dates are all compatible with its own.

    merge_events and merge_relations group in memory; a run streams its groups from a spill file
    (newsx.pipeline.spill) through this, so the same records give the same canonical records.
    `fold(facts, record)` gathers what `combine(facts, date)` needs of a cluster's records."""
    clusters: list[_Cluster] = []
    for record in records:
        date = date_of(record)
        home = next((cluster for cluster in clusters if cluster.accepts(date)), None)
        if home is None:
            home = _Cluster()
            clusters.append(home)
        home.add(record, date, fold)
    merged = []
    id_field = "event_id" if prefix == "evt" else "relation_id"
    used: set[str] = set()
    for cluster in clusters:
        evidence = sorted(cluster.evidence.values(), key=lambda e: (e.document_id, e.start, e.end))
        sources = sorted({e.document_id for e in evidence})
        update = {
            **combine(cluster.facts, cluster.date),
            "evidence": evidence,
            "sources": sources,
            "confidence": cluster.confidence,
        }
        update[id_field] = _cluster_id(prefix, key, cluster.date, used)
        if prefix == "evt":
            update["num_sources"] = len(sources)
            update["num_articles"] = len(sources)
        merged.append(cluster.best.model_copy(update=update))
    return merged


def _cluster_id(prefix: str, key: tuple[str, ...], date: str | None, used: set[str]) -> str:
    """The id of a canonical record: type, identifying arguments and year, so that it stays the same
    when a later article makes the date more precise. Another happening with the same arguments in
    the same year (dates that are not compatible: 2024-03 and 2024-09) gets an id with its full date
    instead, never the same id (which would be two lines with one id, and one row in the database)."""
    record_id = stable_id(prefix, *key, (date or "")[:4])
    extra = 0
    while record_id in used:
        extra += 1
        record_id = stable_id(prefix, *key, date or "", *([str(extra)] if extra > 1 else []))
    used.add(record_id)
    return record_id


def event_merger() -> tuple[str, Any, Any, Any]:
    """(prefix, date_of, fold, combine) of canonical events, for merge_group."""
    return "evt", _event_date, _no_facts, _combine_event


def relation_merger() -> tuple[str, Any, Any, Any]:
    """(prefix, date_of, fold, combine) of canonical relations, for merge_group."""
    return "rel", _relation_start, _fold_relation, _combine_relation


def _event_date(event: Any) -> str | None:
    return event.date


def _no_facts(facts: None, record: Any) -> None:
    return None


def _combine_event(facts: None, date: str | None) -> dict:
    return {"date": date}


def _relation_start(relation: Any) -> str | None:
    return relation.start


def _fold_relation(facts: tuple[str | None, bool] | None, relation: Any) -> tuple[str | None, bool]:
    """(the latest end, whether any source says it ended) of the relations so far."""
    end, ended = facts or (None, False)
    if relation.end and (end is None or relation.end > end):
        end = relation.end
    return end, ended or bool(relation.ended)


def _combine_relation(facts: tuple[str | None, bool], start: str | None) -> dict:
    """The earliest start, the latest end, ended if any source says so."""
    end, ended = facts
    return {"start": start, "end": end, "ended": ended}
