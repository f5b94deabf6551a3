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


def _merge(records: Iterable[Any], prefix: str, date_of: Any, combine: Any) -> list[Any]:
    groups: dict[tuple[str, ...], list[Any]] = {}
    for record in records:
        groups.setdefault(record_key(record), []).append(record)
    merged = [m for key, group in groups.items() for m in merge_group(key, group, prefix, date_of, combine)]
    id_field = "event_id" if prefix == "evt" else "relation_id"
    return sorted(merged, key=lambda r: getattr(r, id_field))


def merge_group(key: tuple[str, ...], records: Iterable[Any], prefix: str, date_of: Any, combine: Any) -> list[Any]:
    """The canonical records of one group of records sharing `key` (record_key), in the order they
    were extracted: each joins the first cluster whose dates are all compatible with its own.

    merge_events and merge_relations group in memory; a run streams its groups from a spill file
    (newsx.pipeline.spill) through this, so the same records give the same canonical records."""
    clusters: list[list[Any]] = []
    for record in records:
        home = next((c for c in clusters if all(_dates_compatible(date_of(r), date_of(record)) for r in c)), None)
        if home is None:
            clusters.append([record])
        else:
            home.append(record)
    merged = []
    id_field = "event_id" if prefix == "evt" else "relation_id"
    used: set[str] = set()
    for cluster in clusters:
        best = max(cluster, key=lambda r: (r.confidence, -len(r.evidence[0].document_id)))
        date = None
        for record in cluster:
            date = _more_precise(date, date_of(record))
        evidence = sorted(
            {(e.document_id, e.start, e.end): e for r in cluster for e in r.evidence}.values(),
            key=lambda e: (e.document_id, e.start, e.end),
        )
        sources = sorted({e.document_id for e in evidence})
        update = {
            **combine(cluster, date),
            "evidence": evidence,
            "sources": sources,
            "confidence": max(r.confidence for r in cluster),
        }
        update[id_field] = _cluster_id(prefix, key, date, used)
        if prefix == "evt":
            update["num_sources"] = len(sources)
            update["num_articles"] = len(sources)
        merged.append(best.model_copy(update=update))
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


def event_merger() -> tuple[str, Any, Any]:
    """(prefix, date_of, combine) of canonical events, for merge_group."""
    return "evt", _event_date, _combine_event


def relation_merger() -> tuple[str, Any, Any]:
    """(prefix, date_of, combine) of canonical relations, for merge_group."""
    return "rel", _relation_start, _combine_relation


def _event_date(event: Any) -> str | None:
    return event.date


def _combine_event(cluster: list[Any], date: str | None) -> dict:
    return {"date": date}


def _relation_start(relation: Any) -> str | None:
    return relation.start


def _combine_relation(cluster: list[Any], start: str | None) -> dict:
    """The earliest start, the latest end, ended if any source says so."""
    ends = [r.end for r in cluster if r.end]
    return {"start": start, "end": max(ends) if ends else None, "ended": any(r.ended for r in cluster)}
