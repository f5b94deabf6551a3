"""The chain of stages over a batch of documents, with failures isolated per document.

clean -> language -> segment -> NER (batched over the whole batch, one model
call per language) -> link -> events -> validate. A stage that raises
quarantines that document (with the stage and the reason) and the batch goes
on. Models and the knowledge base are loaded once per run into a Context.
"""

from __future__ import annotations

import functools
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import ValidationError

from newsx.config import Settings
from newsx.models.base import NerBackend
from newsx.models.gazetteer import GazetteerBackend
from newsx.models.knowledge_base import KnowledgeBase
from newsx.models.registry import load_backend, model_fingerprints, resolve_specs
from newsx.pipeline import clean, events, language, link, ner, segment, validate
from newsx.pipeline.ingest import dateline_date
from newsx.schemas import Document, Provenance, QuarantineRecord, RawDocument

Stage = Callable[[Document], Document]


@dataclass(frozen=True)
class Context:
    """Everything a run loads once: models, the knowledge base, and the provenance they give records."""

    provenance: Provenance
    models: dict[str, NerBackend]
    gazetteer: GazetteerBackend
    kb: KnowledgeBase


def build_context(settings: Settings, flags: list[str] | None = None) -> Context:
    """Load the configured models and the knowledge base (each once per process)."""
    specs = resolve_specs(settings.models, flags or [])
    models = {language: load_backend(spec) for language, spec in sorted(specs.items())}
    kb = KnowledgeBase.load(settings.kb_file)
    gazetteer = GazetteerBackend(kb)
    fingerprints = {**model_fingerprints(models), "gazetteer": gazetteer.fingerprint}
    return Context(settings.provenance(fingerprints, kb.version), models, gazetteer, kb)


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


class _Batch:
    """Documents in flight; each stage applies to those not yet quarantined."""

    def __init__(self, result: BatchResult):
        self.result = result
        self.items: list[tuple[str, Document]] = []

    def quarantine(self, source: str, document_id: str, stage: str, exc: Exception) -> None:
        reason, detail = _reason(exc)
        self.result.quarantined.append(QuarantineRecord(source=source, stage=stage, reason=reason, detail=detail, document_id=document_id))

    def each(self, name: str, stage: Stage) -> None:
        started = time.perf_counter()
        kept = []
        for source, document in self.items:
            try:
                kept.append((source, stage(document)))
            except Exception as exc:  # isolate: one bad document never stops the run
                self.quarantine(source, document.document_id, name, exc)
        self.items = kept
        self.result.stage_seconds[name] += time.perf_counter() - started

    def together(self, name: str, stage: Callable[[list[Document]], list[Document]]) -> None:
        """A stage over the whole batch; if it fails, retried per document to find the culprit."""
        started = time.perf_counter()
        try:
            documents = stage([document for _, document in self.items])
            self.items = [(source, document) for (source, _), document in zip(self.items, documents, strict=True)]
        except Exception:
            self.result.stage_seconds[name] += time.perf_counter() - started
            self.each(name, lambda document: stage([document])[0])
            return
        self.result.stage_seconds[name] += time.perf_counter() - started


def _dated(document: Document, raw: RawDocument) -> Document:
    """A dateline's year is inferred from the years the article names: read them in the cleaned
    text, not in the page's related-article lists."""
    if raw.published_from != "dateline":
        return document
    return document.model_copy(update={"published": dateline_date(document.text) or raw.published})


def process_batch(raws: list[RawDocument], context: Context) -> BatchResult:
    """Run a batch of documents through every stage."""
    result = BatchResult()
    batch = _Batch(result)
    started = time.perf_counter()
    for raw in raws:
        try:
            batch.items.append((raw.source, _dated(clean.clean(raw, context.provenance), raw)))
        except Exception as exc:
            batch.quarantine(raw.source, raw.document_id, "clean", exc)
    result.stage_seconds["clean"] += time.perf_counter() - started
    batch.each("language", language.identify)
    batch.each("segment", segment.segment)
    batch.together("ner", functools.partial(ner.recognise_batch, models=context.models, gazetteer=context.gazetteer))
    batch.each("link", functools.partial(link.link, kb=context.kb))
    batch.each("events", events.extract)
    batch.each("validate", validate.validate)
    result.documents = [document for _, document in batch.items]
    return result
