"""The chain of stages over a batch of documents, with failures isolated per document.

clean -> language -> segment -> NER (batched over the whole batch, one model
call per language) -> link -> events -> validate. A stage that raises
quarantines that document (with the stage and the reason) and the batch goes
on. Models and the knowledge base are loaded once per run into a Context.
With a StageCache, each document resumes after its last stage whose output
is cached under the current key (see newsx.pipeline.cache).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from newsx.config import Settings
from newsx.models.base import NerBackend
from newsx.models.gazetteer import GazetteerBackend
from newsx.models.knowledge_base import KnowledgeBase
from newsx.models.registry import load_backend, model_fingerprints, resolve_specs
from newsx.pipeline import clean, events, language, link, ner, segment, validate
from newsx.pipeline.cache import STAGES, StageCache, first_missing, stage_fingerprints, stage_keys
from newsx.pipeline.ingest import dateline_date, present_year
from newsx.schemas import Document, Provenance, QuarantineRecord, RawDocument

Stage = Callable[[Document], Document]


@dataclass(frozen=True)
class Context:
    """Everything a run loads once: models, the knowledge base, and the provenance they give records."""

    provenance: Provenance
    models: dict[str, NerBackend]
    gazetteer: GazetteerBackend
    kb: KnowledgeBase
    fingerprints: dict[str, dict[str, str]]  # per stage, what its cached outputs depend on


def build_context(settings: Settings, flags: list[str] | None = None) -> Context:
    """Load the configured models and the knowledge base (each once per process)."""
    specs = resolve_specs(settings.models, flags or [])
    models = {language: load_backend(spec) for language, spec in sorted(specs.items())}
    kb = load_kb(settings.kb_file)
    gazetteer = GazetteerBackend(kb)
    fingerprints = {**model_fingerprints(models), "gazetteer": gazetteer.fingerprint}
    provenance = settings.provenance(fingerprints, kb.version)
    return Context(provenance, models, gazetteer, kb, stage_fingerprints(settings, provenance))


_KBS: dict[tuple[str, ...], KnowledgeBase] = {}


def load_kb(user_path: str | None = None) -> KnowledgeBase:
    """KnowledgeBase.load(user_path), parsed once per process for the same seed and user file
    contents (the YAML parse is most of a second); each caller gets its own copy to change."""
    seed = KnowledgeBase.seed_path()
    user = Path(user_path) if user_path else None
    key = (
        str(seed), hashlib.sha256(seed.read_bytes()).hexdigest(),
        str(user), hashlib.sha256(user.read_bytes()).hexdigest() if user is not None and user.is_file() else "",
    )
    with _CONTEXTS_LOCK:
        if key not in _KBS:
            _KBS.clear()  # one KB kept: a long-lived process whose KB file grows keeps no stale copies
            _KBS[key] = KnowledgeBase.load(user_path)
        return copy.deepcopy(_KBS[key])


_CONTEXTS: dict[str, Context] = {}
_CONTEXTS_LOCK = threading.RLock()
CONTEXT_BUILDS: Counter[str] = Counter()  # per settings key, how often this process loaded its models (once)


def settings_key(settings: Settings) -> str:
    """What a Context is built from: every setting but where records are written and the batch size."""
    return hashlib.sha256(settings.model_dump_json(exclude={"database", "batch_size"}).encode()).hexdigest()[:24]


def shared_context(settings: Settings, rebuild: bool = False) -> Context:
    """The Context of `settings`, built once per process and kept: a Dask worker loads the models and
    the knowledge base for its first batch and reuses them for every later one. `rebuild` builds it
    again (after the KB file grew, say; models already loaded are reused by the registry)."""
    key = settings_key(settings)
    with _CONTEXTS_LOCK:
        context = None if rebuild else _CONTEXTS.get(key)
        if context is None:
            context = _CONTEXTS[key] = build_context(settings)
            CONTEXT_BUILDS[key] += 1
        return context


class ContextMismatch(RuntimeError):
    """A worker's models or knowledge base are not the ones the run started with."""


def process_batch_on_worker(raws: list[RawDocument], settings: Settings, provenance: Provenance, cache: StageCache | None = None) -> BatchResult:
    """process_batch on a worker of a cluster: with this process's shared Context for `settings`, which
    must give the same provenance (models, KB, configuration) as the run's, or the records would differ."""
    context = shared_context(settings)
    if context.provenance != provenance:  # the files changed since this worker built it: once more
        context = shared_context(settings, rebuild=True)
    if context.provenance != provenance:
        raise ContextMismatch(
            "this worker's models or knowledge base differ from the run's: worker"
            f" {context.provenance.model_dump(mode='json')} != run {provenance.model_dump(mode='json')};"
            " install the same models and KB file on every worker"
        )
    return process_batch(raws, context, cache)


@dataclass
class BatchResult:
    documents: list[Document] = field(default_factory=list)
    quarantined: list[QuarantineRecord] = field(default_factory=list)
    stage_seconds: Counter[str] = field(default_factory=Counter)
    stage_runs: Counter[str] = field(default_factory=Counter)  # documents each stage computed
    stage_reused: int = 0  # stage outputs taken from the cache


def _reason(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "record"
        return "invalid-record", f"{where}: {first['msg']}"
    return "stage-error", f"{type(exc).__name__}: {exc}"[:500]


@dataclass
class _Item:
    """One document in flight: its latest output and the index in STAGES of the next stage to compute."""

    source: str
    document_id: str
    keys: dict[str, str]
    next_stage: int
    document: Document | None = None


class _Batch:
    """Documents in flight; each stage applies to those not yet quarantined and not taken from the cache."""

    def __init__(self, result: BatchResult, cache: StageCache | None):
        self.result = result
        self.cache = cache
        self.items: list[_Item] = []

    def quarantine(self, source: str, document_id: str, stage: str, exc: Exception) -> None:
        reason, detail = _reason(exc)
        self.result.quarantined.append(QuarantineRecord(source=source, stage=stage, reason=reason, detail=detail, document_id=document_id))

    def _pending(self, name: str) -> list[_Item]:
        return [item for item in self.items if item.next_stage < len(STAGES) and STAGES[item.next_stage] == name]

    def _done(self, name: str, item: _Item, document: Document) -> None:
        item.document = document
        item.next_stage += 1
        self.result.stage_runs[name] += 1
        if self.cache is not None:
            self.cache.put(name, item.keys[name], document)

    def _drop(self, failed: list[_Item]) -> None:
        gone = {id(item) for item in failed}
        self.items = [item for item in self.items if id(item) not in gone]

    def each(self, name: str, stage: Stage) -> None:
        started = time.perf_counter()
        failed = []
        for item in self._pending(name):
            try:
                document = stage(item.document)
            except Exception as exc:  # isolate: one bad document never stops the run
                self.quarantine(item.source, item.document_id, name, exc)
                failed.append(item)
                continue
            self._done(name, item, document)
        self._drop(failed)
        self.result.stage_seconds[name] += time.perf_counter() - started

    def together(self, name: str, stage: Callable[[list[Document]], list[Document]]) -> None:
        """A stage over the whole batch; if it fails, retried per document to find the culprit."""
        pending = self._pending(name)
        if not pending:
            return
        started = time.perf_counter()
        try:
            documents = stage([item.document for item in pending])
        except Exception:
            self.result.stage_seconds[name] += time.perf_counter() - started
            self.each(name, lambda document: stage([document])[0])
            return
        for item, document in zip(pending, documents, strict=True):
            self._done(name, item, document)
        self.result.stage_seconds[name] += time.perf_counter() - started

    def start(self, raws: list[RawDocument], context: Context) -> None:
        """Resume every document after its last cached stage; clean those with nothing cached."""
        started = time.perf_counter()
        for raw in raws:
            keys = stage_keys(raw, context.fingerprints)
            resume = first_missing(keys, self.cache) if self.cache is not None else 0
            item = _Item(raw.source, raw.document_id, keys, resume)
            if resume:
                cached = self.cache.get(STAGES[resume - 1], keys[STAGES[resume - 1]])
                if cached is None:  # unreadable entry: compute it all again
                    item.next_stage = 0
                else:
                    # Records carry the provenance of this run, whichever run computed the cached stages.
                    item.document = cached.model_copy(update={"provenance": context.provenance})
                    self.result.stage_reused += resume
            self.items.append(item)
            if item.next_stage == 0:
                try:
                    self._done("clean", item, _dated(clean.clean(raw, context.provenance), raw))
                except Exception as exc:
                    self.quarantine(raw.source, raw.document_id, "clean", exc)
                    self.items.pop()
        self.result.stage_seconds["clean"] += time.perf_counter() - started


def _dated(document: Document, raw: RawDocument) -> Document:
    """A date read from the article's words (a dateline and its year, or the year the article counts
    back from) is read again in the cleaned text, not in the page's related-article lists."""
    if raw.published_from == "dateline":
        return document.model_copy(update={"published": dateline_date(document.text) or raw.published})
    if raw.published_from == "inferred":
        year = present_year(document.text)
        return document.model_copy(update={"published": f"{year:04d}" if year else None})
    return document


def process_batch(raws: list[RawDocument], context: Context, cache: StageCache | None = None) -> BatchResult:
    """Run a batch of documents through every stage, each output taken from `cache` when its key is there."""
    result = BatchResult()
    batch = _Batch(result, cache)
    batch.start(raws, context)
    batch.each("language", language.identify)
    batch.each("segment", segment.segment)
    batch.together("ner", functools.partial(ner.recognise_batch, models=context.models, gazetteer=context.gazetteer))
    batch.each("link", functools.partial(link.link, kb=context.kb))
    batch.each("events", events.extract)
    batch.each("validate", validate.validate)
    result.documents = [item.document for item in batch.items]
    return result


def plan_batch(raws: Iterable[RawDocument], context: Context, cache: StageCache) -> Counter[str]:
    """How many of the documents each stage would compute, without computing anything."""
    runs: Counter[str] = Counter()
    for raw in raws:
        runs.update(STAGES[first_missing(stage_keys(raw, context.fingerprints), cache) :])
    return runs
