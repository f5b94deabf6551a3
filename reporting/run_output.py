"""Read what `newsx run` wrote to an output folder back into the schema's records.

The report is built from the files alone (no database, no models), so it can be
made for any finished run folder, on any machine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import orjson
from pydantic import TypeAdapter

from newsx.schemas import Document, Event, QuarantineRecord, Relation, RunSummary
from newsx.schemas.records import EventBase, RelationBase

T = TypeVar("T")

EVENT_ADAPTER: TypeAdapter = TypeAdapter(Event)
RELATION_ADAPTER: TypeAdapter = TypeAdapter(Relation)
RUN_FILES = ("summary.json", "documents.jsonl", "events.jsonl", "relations.jsonl", "quarantine.jsonl")
CHANGES_FILE = "changes.jsonl"


@dataclass(frozen=True)
class RunOutput:
    """Everything one run wrote; `changes` is None when the run wrote no change report."""

    summary: RunSummary
    documents: list[Document]
    events: list[EventBase]
    relations: list[RelationBase]
    quarantine: list[QuarantineRecord]
    changes: list[dict] | None


def read_jsonl(path: Path, parse: Callable[[bytes], T]) -> list[T]:
    """One record per non-blank line, in file order."""
    with path.open("rb") as handle:
        return [parse(line) for line in handle if line.strip()]


def load_run(out_dir: Path) -> RunOutput:
    """The records of OUTDIR; a missing file is named, since a half-written folder makes a misleading report."""
    out = Path(out_dir)
    missing = [name for name in RUN_FILES if not (out / name).is_file()]
    if missing:
        raise FileNotFoundError(f"{out} has no {', '.join(missing)}: pass the --out folder of a finished `newsx run`")
    changes_path = out / CHANGES_FILE
    return RunOutput(
        summary=RunSummary.model_validate_json((out / "summary.json").read_bytes()),
        documents=read_jsonl(out / "documents.jsonl", Document.model_validate_json),
        events=read_jsonl(out / "events.jsonl", EVENT_ADAPTER.validate_json),
        relations=read_jsonl(out / "relations.jsonl", RELATION_ADAPTER.validate_json),
        quarantine=read_jsonl(out / "quarantine.jsonl", QuarantineRecord.model_validate_json),
        changes=read_jsonl(changes_path, orjson.loads) if changes_path.is_file() else None,
    )
