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
from pathlib import Path  # noqa: E402

from prefect import flow, task  # noqa: E402
from pydantic import SecretStr  # noqa: E402
from prefect.cache_policies import NONE as NO_CACHE  # noqa: E402

from newsx.config import Settings  # noqa: E402
from newsx.models.knowledge_base import KnowledgeBase  # noqa: E402
from newsx.pipeline import merge  # noqa: E402
from newsx.pipeline.ingest import IngestLimits, ingest  # noqa: E402
from newsx.pipeline.process import BatchResult, build_context, process_batch  # noqa: E402
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
) -> RunSummary:
    """Extract every document of `source` into `out_dir` (and the database); return the run summary.

    What the run learns about entities is written to the KB file (`settings.kb_file`, else
    OUT/kb.learned.yaml for review); the KB the run read is the one its records name.
    """
    settings = settings or Settings()
    context = build_context(settings)
    provenance = context.provenance
    learned = KnowledgeBase.load(settings.kb_file)
    out = Path(out_dir)
    # A SecretStr, so that Prefect stores it masked among the flow run's parameters.
    database = _plain(database) or _plain(settings.database) or f"sqlite:///{out / 'newsx.sqlite'}"
    started = dt.datetime.now(dt.timezone.utc)
    sql = SqlSink.open(database)  # first: a refused database leaves no temporary files behind
    jsonl = JsonlSink(out)
    seen: set[str] = set()
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    stage_seconds: Counter[str] = Counter()
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
                    if isinstance(item, QuarantineRecord):
                        quarantine.append(item)
                    elif item.document_id in seen:
                        counts["duplicates"] += 1
                    else:
                        seen.add(item.document_id)
                        raws.append(item)
                result: BatchResult = process_batch_task(raws, context) if raws else BatchResult()
                quarantine.extend(result.quarantined)
                stage_seconds.update(result.stage_seconds)
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
        return summary
    except BaseException:
        jsonl.abort()
        raise
    finally:
        sql.close()

