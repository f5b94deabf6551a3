"""What changed between two runs: canonical events added, removed or changed, and retired documents.

changes.jsonl has one line per changed canonical event, `{"change", "event_id", "before", "after"}`
(the HTML report reads it); changes.md says the same for people: counts per event type and, for
changed events, the fields that changed. Provenance is not a change of an event: it changes with
every model or configuration update.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from newsx.pipeline.sink import SqlSink, dumps

IGNORED_FIELDS = frozenset({"provenance"})
KINDS = ("added", "removed", "changed")


def read_events(path: Path) -> dict[str, dict[str, Any]]:
    """Canonical events of an events.jsonl by id; none when the file does not exist (a first run)."""
    if not path.is_file():
        return {}
    return {record["event_id"]: record for record in map(orjson.loads, path.read_bytes().splitlines())}


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Top-level fields whose values differ, provenance aside."""
    return sorted(name for name in before.keys() | after.keys() if name not in IGNORED_FIELDS and before.get(name) != after.get(name))


def diff_events(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One change record per event added, removed or changed, in event id order."""
    changes = []
    for event_id in sorted(before.keys() | after.keys()):
        old, new = before.get(event_id), after.get(event_id)
        if old is None:
            change = "added"
        elif new is None:
            change = "removed"
        elif changed_fields(old, new):
            change = "changed"
        else:
            continue
        changes.append({"change": change, "event_id": event_id, "before": old, "after": new})
    return changes


def summarize(changes: list[dict[str, Any]]) -> str:
    """A Markdown summary: counts per event type and kind of change, then each changed event's fields."""
    counts: Counter[tuple[str, str]] = Counter((_type(change), change["change"]) for change in changes)
    lines = ["# Changes since the previous run", ""]
    if not changes:
        return "\n".join([*lines, "No event was added, removed or changed.", ""])
    lines += ["| event type | added | removed | changed |", "|---|---|---|---|"]
    for kind in sorted({event_type for event_type, _ in counts}):
        lines.append(f"| {kind} | " + " | ".join(str(counts[kind, change]) for change in KINDS) + " |")
    changed = [change for change in changes if change["change"] == "changed"]
    if changed:
        lines += ["", "## Changed events", ""]
        lines += [f"- {_type(c)} `{c['event_id']}`: {', '.join(changed_fields(c['before'], c['after']))}" for c in changed]
    return "\n".join([*lines, ""])


def _type(change: dict[str, Any]) -> str:
    return (change["after"] or change["before"])["type"]


def write_changes(out: Path, changes: list[dict[str, Any]]) -> str:
    """Write changes.jsonl and changes.md into `out` (each to a temporary name, then renamed); return the summary."""
    summary = summarize(changes)
    _replace(out / "changes.jsonl", b"".join(dumps(change) for change in changes))
    _replace(out / "changes.md", summary.encode("utf-8"))
    return summary


def _replace(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# --- documents retired from the database ---


def stale_documents(sql: SqlSink, current: dict[str, str], prune: bool) -> list[str]:
    """Ids in the database that a run replaces: an earlier version of a source this run read (its
    content changed, so its id did), or, with `prune`, a document whose source file is gone.

    `current` maps every source the run read (processed, duplicate or quarantined) to its id."""
    rows: list[tuple[str, str]] = []
    sql.transaction(lambda: rows.extend(sql._query("SELECT document_id, source FROM documents ORDER BY document_id")))
    kept = set(current.values())
    return [
        document_id
        for document_id, source in rows
        if document_id not in kept and (source in current or (prune and _gone(source)))
    ]


def _gone(source: str) -> bool:
    """Whether the file of a source no longer exists (a JSON Lines source is `PATH:LINE`)."""
    return not Path(source).exists() and not Path(re.sub(r":\d+$", "", source)).exists()


def retire_documents(sql: SqlSink, document_ids: list[str], canonical_ids: set[str]) -> None:
    """Delete the rows of `document_ids`, and the canonical events and relations only they supported
    (those not among this run's `canonical_ids`), in one transaction."""
    if not document_ids:
        return

    def delete() -> None:
        marks = ", ".join("?" for _ in document_ids)
        owners = sql._query(f"SELECT DISTINCT owner_id FROM evidence WHERE document_id IN ({marks})", tuple(document_ids))
        _delete_canonical(sql, sorted({owner for (owner,) in owners} - canonical_ids))
        for table in ("evidence", "document_entities", "documents"):
            sql._execute(f"DELETE FROM {table} WHERE document_id IN ({marks})", tuple(document_ids))

    sql.transaction(delete)


def retire_events(sql: SqlSink, event_ids: list[str]) -> None:
    """Delete canonical events a re-run no longer finds, with their arguments and evidence."""
    if event_ids:
        sql.transaction(lambda: _delete_canonical(sql, event_ids))


def _delete_canonical(sql: SqlSink, owner_ids: list[str]) -> None:
    for owner in owner_ids:
        for statement in (
            "DELETE FROM events WHERE event_id = ?",
            "DELETE FROM event_arguments WHERE event_id = ?",
            "DELETE FROM relations WHERE relation_id = ?",
            "DELETE FROM relation_arguments WHERE relation_id = ?",
            "DELETE FROM evidence WHERE owner_id = ?",
        ):
            sql._execute(statement, (owner,))
