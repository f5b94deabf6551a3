"""Prefect flows: orchestration only. The work is in newsx.pipeline.

`extract_corpus` streams a corpus through the stages in batches (one task
run per batch, never per document or sentence), writes every sink as it
goes, merges events across documents at the end, and returns the run summary.
"""

from __future__ import annotations

import os

# Prefect reads these at import: no telemetry, and room for the slow first start
# of the temporary local server on a fresh PREFECT_HOME.
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
os.environ.setdefault("PREFECT_RESULTS_PERSIST_BY_DEFAULT", "false")

import datetime as dt  # noqa: E402
import hashlib  # noqa: E402
import itertools  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

from prefect import flow, task  # noqa: E402
from pydantic import SecretStr  # noqa: E402
from prefect.cache_policies import NONE as NO_CACHE  # noqa: E402

from newsx.config import Settings  # noqa: E402
from newsx.models.knowledge_base import KnowledgeBase  # noqa: E402
from newsx.pipeline import merge  # noqa: E402
from newsx.pipeline.ingest import IngestLimits, ingest  # noqa: E402
from newsx.pipeline.cache import STAGES, StageCache, why_rerun  # noqa: E402
from newsx.pipeline.changes import diff_events, read_events, retire_documents, retire_events, stale_documents, write_changes  # noqa: E402
from newsx.pipeline.process import BatchResult, Context, build_context, plan_batch, process_batch  # noqa: E402
from newsx.pipeline.sink import JsonlSink, SqlSink, redact  # noqa: E402
from newsx.schemas import Provenance, QuarantineRecord, RawDocument, RunSummary  # noqa: E402

process_batch_task = task(process_batch, name="process-batch", cache_policy=NO_CACHE, persist_result=False)


def _timed_batches(items: Iterator, size: int, seconds: Counter[str]) -> Iterator[list]:
    """Batches of `items`, adding the time spent producing them to seconds['ingest']."""
    while True:
        started = time.perf_counter()
        batch = list(itertools.islice(items, size))
        seconds["ingest"] += time.perf_counter() - started
        if not batch:
            return
        yield batch


def _plain(secret: SecretStr | str | None) -> str | None:
    return secret.get_secret_value() if isinstance(secret, SecretStr) else secret


def _run_id(provenance: Provenance, document_ids: list[str], quarantined: list[str]) -> str:
    digest = hashlib.sha256()
    for part in (provenance.pipeline_version, provenance.config_fingerprint or "", *sorted(document_ids), "|", *sorted(quarantined)):
        digest.update(part.encode("utf-8") + b"\x1f")
    return "run_" + digest.hexdigest()[:24]


def _database_url(database: SecretStr | str | None, settings: Settings, out: Path) -> str:
    return _plain(database) or _plain(settings.database) or f"sqlite:///{out / 'newsx.sqlite'}"


def _stage_cache(out: Path, cache_dir: str | None) -> StageCache:
    """The stage cache: `cache_dir`, else OUT/.cache."""
    return StageCache(Path(cache_dir) if cache_dir else out / ".cache")


def _progress(enabled: bool):
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} documents"),
        TimeElapsedColumn(),
        disable=not enabled,
        transient=True,
    )


@flow(name="extract_corpus", persist_result=False, validate_parameters=False, log_prints=False)
def extract_corpus(
    source: str,
    out_dir: str,
    database: SecretStr | str | None = None,
    settings: Settings | None = None,
    show_progress: bool = False,
    cache_dir: str | None = None,
    prune: bool = False,
) -> RunSummary:
    """Extract every document of `source` into `out_dir` (and the database); return the run summary.

    Stage outputs come from the stage cache (`cache_dir`, else OUT/.cache) when nothing they depend
    on changed, so a re-run over a grown folder computes only the new and changed documents. A
    changed source file replaces its earlier document in the database; with `prune`, documents
    whose source file is gone are removed. What the run learns about entities is written to the KB
    file (`settings.kb_file`, else OUT/kb.learned.yaml for review); the KB the run read is the one
    its records name.
    """
    settings = settings or Settings()
    context = build_context(settings)
    provenance = context.provenance
    learned = KnowledgeBase.load(settings.kb_file)
    out = Path(out_dir)
    cache = _stage_cache(out, cache_dir)
    # A SecretStr, so that Prefect stores it masked among the flow run's parameters.
    database = _database_url(database, settings, out)
    started = dt.datetime.now(dt.timezone.utc)
    sql = SqlSink.open(database)  # first: a refused database leaves no temporary files behind
    jsonl = JsonlSink(out)
    seen: set[str] = set()
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    stage_seconds: Counter[str] = Counter()
    stage_runs: Counter[str] = Counter()
    reused = 0
    read_sources: dict[str, str] = {}  # every source read -> its document id ("" when quarantined at ingest)
    document_ids: list[str] = []
    quarantined_sources: list[str] = []
    doc_events, doc_relations = [], []
    entity_ids: set[str] = set()
    stages = {"ingest": "charset-normalizer + trafilatura + front matter", "merge": "type + identifying arguments"}
    try:
        with _progress(show_progress) as progress:
            bar = progress.add_task("extracting", total=None)
            items = ingest(source, IngestLimits(max_bytes=settings.max_document_bytes))
            for batch in _timed_batches(items, settings.batch_size, stage_seconds):
                raws: list[RawDocument] = []
                quarantine: list[QuarantineRecord] = []
                for item in batch:
                    counts["read"] += 1
                    read_sources[item.source] = item.document_id or ""
                    if isinstance(item, QuarantineRecord):
                        quarantine.append(item)
                    elif item.document_id in seen:
                        counts["duplicates"] += 1
                    else:
                        seen.add(item.document_id)
                        raws.append(item)
                result: BatchResult = process_batch_task(raws, context, cache) if raws else BatchResult()
                quarantine.extend(result.quarantined)
                stage_seconds.update(result.stage_seconds)
                stage_runs.update(result.stage_runs)
                reused += result.stage_reused
                for document in result.documents:
                    stages.update(document.stages)
                    document_ids.append(document.document_id)
                    doc_events.extend(document.events)
                    doc_relations.extend(document.relations)
                    entity_ids.update(entity.entity_id for entity in document.entities)
                    learned.learn(document.document_id, document.entities)
                for record in quarantine:
                    reasons[f"{record.stage}: {record.reason}"] += 1
                    quarantined_sources.append(record.source)
                counts["processed"] += len(result.documents)
                counts["quarantined"] += len(quarantine)
                sink_started = time.perf_counter()
                jsonl.write_documents(result.documents)
                jsonl.write_quarantine(quarantine)
                sql.write_batch(result.documents, quarantine)
                stage_seconds["sink"] += time.perf_counter() - sink_started
                progress.advance(bar, len(batch))
        merge_started = time.perf_counter()
        events = merge.merge_events(doc_events)
        relations = merge.merge_relations(doc_relations)
        stage_seconds["merge"] += time.perf_counter() - merge_started
        sink_started = time.perf_counter()
        stale = stale_documents(sql, read_sources, prune)
        retire_documents(sql, stale, {record.event_id for record in events} | {record.relation_id for record in relations})
        stages["cache"] = f"{reused} stage outputs reused, {sum(stage_runs.values())} computed ({_runs_text(stage_runs)})"
        stages["retire"] = f"{len(stale)} earlier documents removed from the database (source changed{', or gone' if prune else ''})"
        jsonl.write_canonical(events, relations)
        sql.write_canonical(events, relations)
        stage_seconds["sink"] += time.perf_counter() - sink_started
        summary = RunSummary(
            run_id=_run_id(provenance, document_ids, quarantined_sources),
            source=str(source),
            out_dir=str(out),
            database=redact(database),
            started=started,
            finished=dt.datetime.now(dt.timezone.utc),
            read=counts["read"],
            processed=counts["processed"],
            quarantined=counts["quarantined"],
            duplicates=counts["duplicates"],
            quarantine_reasons=dict(sorted(reasons.items())),
            entities=len(entity_ids),
            events=len(events),
            relations=len(relations),
            stages=dict(sorted(stages.items())),
            stage_seconds={name: round(seconds, 4) for name, seconds in sorted(stage_seconds.items())},
            provenance=provenance,
        )
        sql.write_run(summary)
        learned.save(settings.kb_file or out / "kb.learned.yaml")
        jsonl.close(summary)
        cache.record_fingerprints(context.fingerprints)
        return summary
    except BaseException:
        jsonl.abort()
        raise
    finally:
        sql.close()


def _runs_text(stage_runs: Counter[str]) -> str:
    return ", ".join(f"{stage} {stage_runs[stage]}" for stage in STAGES)


@dataclass(frozen=True)
class StagePlan:
    """What a stage would compute for a corpus, and why."""

    stage: str
    documents: int
    reason: str

    def __str__(self) -> str:
        return f"{self.stage}: {self.documents} documents" + (f" ({self.reason})" if self.documents else "")


@dataclass(frozen=True)
class Reprocessed:
    """A reprocess: the plan it followed, and unless a dry run, the run summary and the event changes."""

    plan: list[StagePlan]
    summary: RunSummary | None = None
    changes: list[dict] = field(default_factory=list)
    changes_text: str = ""


def _distinct_documents(source: str, settings: Settings) -> Iterator[RawDocument]:
    """The documents of `source` a run would process: readable, each content once."""
    seen: set[str] = set()
    for item in ingest(source, IngestLimits(max_bytes=settings.max_document_bytes)):
        if isinstance(item, RawDocument) and item.document_id not in seen:
            seen.add(item.document_id)
            yield item


def plan_corpus(source: str, context: Context, cache: StageCache, settings: Settings) -> list[StagePlan]:
    """Per stage, how many documents of `source` it would compute and why, without computing."""
    runs = plan_batch(_distinct_documents(source, settings), context, cache)
    previous = cache.last_fingerprints()
    return [StagePlan(stage, runs[stage], why_rerun(stage, context.fingerprints, previous)) for stage in STAGES]


@flow(name="reprocess_corpus", persist_result=False, validate_parameters=False, log_prints=False)
def reprocess_corpus(
    source: str,
    out_dir: str,
    database: SecretStr | str | None = None,
    settings: Settings | None = None,
    dry_run: bool = False,
    cache_dir: str | None = None,
) -> Reprocessed:
    """Recompute only what a change (code, lexicons, configuration, models, KB) invalidates, and report
    which canonical events it added, removed or changed (OUT/changes.jsonl, OUT/changes.md).

    A dry run says per stage what would be recomputed and why, and writes nothing.
    """
    settings = settings or Settings()
    out = Path(out_dir)
    cache = _stage_cache(out, cache_dir)
    plan = plan_corpus(source, build_context(settings), cache, settings)
    if dry_run:
        return Reprocessed(plan)
    before = read_events(out / "events.jsonl")  # the previous run's, before this run replaces them
    summary = extract_corpus(source=source, out_dir=out_dir, database=database, settings=settings, cache_dir=cache_dir)
    changes = diff_events(before, read_events(out / "events.jsonl"))
    sql = SqlSink.open(_database_url(database, settings, out))
    try:
        retire_events(sql, [change["event_id"] for change in changes if change["change"] == "removed"])
    finally:
        sql.close()
    return Reprocessed(plan, summary, changes, write_changes(out, changes))


# extract_corpus as a schedule runs it: retried after a transient fault (database, file system).
# Not for `newsx run`, where a failure is reported at once. A module-level flow, so that a deployment
# made with `prefect deploy` can name it as its entrypoint: flows.py:scheduled_extract_corpus.
scheduled_extract_corpus = extract_corpus.with_options(retries=2, retry_delay_seconds=30)


def schedule_parameters(source: str, out_dir: str, database: str | None = None, prune: bool = False) -> dict[str, object]:
    """The parameters each scheduled run gets; absolute paths, since the runner may start elsewhere."""
    parameters: dict[str, object] = {"source": str(Path(source).resolve()), "out_dir": str(Path(out_dir).resolve()), "prune": prune}
    if database:
        parameters["database"] = database
    return parameters


def serve_extract(source: str, out_dir: str, cron: str, name: str = "newsx-extract", database: str | None = None, prune: bool = False) -> None:
    """Serve a deployment of extract_corpus on the `cron` schedule (blocks until stopped).

    A global concurrency limit of 1 makes a run that falls due while another is still writing
    the database wait for it."""
    scheduled_extract_corpus.serve(name=name, cron=cron, parameters=schedule_parameters(source, out_dir, database, prune), global_limit=1)
