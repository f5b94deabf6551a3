"""The per-document chain of stages, with failures isolated per document.

clean -> language -> segment -> NER -> link -> events -> validate. A stage
that raises quarantines that document (with the stage and the reason) and
the batch goes on.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import ValidationError

from newsx.pipeline import clean, events, language, link, ner, segment, validate
from newsx.schemas import Document, Provenance, QuarantineRecord, RawDocument

Stage = Callable[[Document], Document]
STAGES: tuple[tuple[str, Stage], ...] = (
    ("language", language.identify),
    ("segment", segment.segment),
    ("ner", ner.recognise),
    ("link", link.link),
    ("events", events.extract),
    ("validate", validate.validate),
)


@dataclass
class BatchResult:
    documents: list[Document] = field(default_factory=list)
    quarantined: list[QuarantineRecord] = field(default_factory=list)
    stage_seconds: Counter[str] = field(default_factory=Counter)


def _reason(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "record"
        return "invalid-record", f"{where}: {first['msg']}"
    return "stage-error", f"{type(exc).__name__}: {exc}"[:500]


def process_document(raw: RawDocument, provenance: Provenance, timings: Counter[str]) -> Document | QuarantineRecord:
    """Run one document through every stage; a failure becomes its quarantine record."""
    stage_name = "clean"
    try:
        started = time.perf_counter()
        document = clean.clean(raw, provenance)
        timings["clean"] += time.perf_counter() - started
        for stage_name, stage in STAGES:
            started = time.perf_counter()
            document = stage(document)
            timings[stage_name] += time.perf_counter() - started
        return document
    except Exception as exc:  # isolate: one bad document never stops the run
        reason, detail = _reason(exc)
        return QuarantineRecord(source=raw.source, stage=stage_name, reason=reason, detail=detail, document_id=raw.document_id)


def process_batch(raws: list[RawDocument], provenance: Provenance) -> BatchResult:
    result = BatchResult()
    for raw in raws:
        outcome = process_document(raw, provenance, result.stage_seconds)
        if isinstance(outcome, Document):
            result.documents.append(outcome)
        else:
            result.quarantined.append(outcome)
    return result
