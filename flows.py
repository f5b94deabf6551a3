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

import contextlib  # noqa: E402
import datetime as dt  # noqa: E402
import hashlib  # noqa: E402
import itertools  # noqa: E402
import time  # noqa: E402
from collections import Counter, deque  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

from prefect import flow, task  # noqa: E402
from pydantic import SecretStr  # noqa: E402
from prefect.cache_policies import NONE as NO_CACHE  # noqa: E402
from prefect.utilities.annotations import quote  # noqa: E402

from newsx.config import Settings  # noqa: E402
from newsx.pipeline.ingest import IngestLimits, ingest  # noqa: E402
from newsx.pipeline.cache import STAGES, StageCache, why_rerun  # noqa: E402
from newsx.pipeline.changes import diff_events, read_events, retire_documents, retire_events, write_changes  # noqa: E402
from newsx.pipeline.process import (  # noqa: E402
    BatchResult, Context, build_context, load_kb, plan_batch, process_batch, process_batch_on_worker,
)
from newsx.pipeline.sink import JsonlSink, SqlSink, redact  # noqa: E402
from newsx.pipeline.spill import RunSpill  # noqa: E402
from newsx.schemas import Provenance, QuarantineRecord, RawDocument, RunSummary  # noqa: E402

process_batch_task = task(process_batch, name="process-batch", cache_policy=NO_CACHE, persist_result=False)
# The same on a Dask worker: the worker builds the Context (models, KB) once and keeps it.
process_batch_worker_task = task(process_batch_on_worker, name="process-batch", cache_policy=NO_CACHE, persist_result=False)
RUNNERS = ("local", "dask")


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
    runner: str = "local",
    dask_address: str | None = None,
) -> RunSummary:
    """Extract every document of `source` into `out_dir` (and the database); return the run summary.

    Stage outputs come from the stage cache (`cache_dir`, else OUT/.cache) when nothing they depend
    on changed, so a re-run over a grown folder computes only the new and changed documents. A
    changed source file replaces its earlier document in the database; with `prune`, documents
    whose source file is gone are removed. What the run learns about entities is written to the KB
    file (`settings.kb_file`, else OUT/kb.learned.yaml for review); the KB the run read is the one
    its records name.

    `runner="dask"` processes the batches on a Dask cluster (the scheduler at `dask_address`, else a
    LocalCluster started for the run); ingest, merge and the sinks stay in this process, and the
    records are the same as with the local runner.
    """
    settings = settings or Settings()
    batch_runner = BatchRunner(runner, dask_address)  # first: a bad runner fails before anything loads
    context = build_context(settings)
    provenance = context.provenance
    learned = load_kb(settings.kb_file)
    out = Path(out_dir)
    cache = _stage_cache(out, cache_dir)
    # A SecretStr, so that Prefect stores it masked among the flow run's parameters.
    database = _database_url(database, settings, out)
    started = dt.datetime.now(dt.timezone.utc)
    sql = SqlSink.open(database)  # first: a refused database leaves no temporary files behind
    jsonl = JsonlSink(out)
    # Ids, sources, events and relations wait for the end of the run on disk: memory stays flat.
    spill = RunSpill(out)
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    stage_seconds: Counter[str] = Counter()
    stage_runs: Counter[str] = Counter()
    reused = 0
    stages = {"ingest": "charset-normalizer + trafilatura + front matter", "merge": "type + identifying arguments"}
    try:
        with _progress(show_progress) as progress:
            bar = progress.add_task("extracting", total=None)
            items = ingest(source, IngestLimits(max_bytes=settings.max_document_bytes))
            batches = _distinct_batches(_timed_batches(items, settings.batch_size, stage_seconds), spill, counts)
            for size, quarantine, result in batch_runner.run(batches, settings, context, cache):
                quarantine.extend(result.quarantined)
                stage_seconds.update(result.stage_seconds)
                stage_runs.update(result.stage_runs)
                reused += result.stage_reused
                for document in result.documents:
                    stages.update(document.stages)
                    spill.add_document(document)
                    learned.learn(document.document_id, document.entities)
                for record in quarantine:
                    reasons[f"{record.stage}: {record.reason}"] += 1
                    spill.add_quarantined(record.source)
                counts["processed"] += len(result.documents)
                counts["quarantined"] += len(quarantine)
                sink_started = time.perf_counter()
                jsonl.write_documents(result.documents)
                jsonl.write_quarantine(quarantine)
                sql.write_batch(result.documents, quarantine)
                stage_seconds["sink"] += time.perf_counter() - sink_started
                spill.commit()
                progress.advance(bar, size)
        merge_started = time.perf_counter()
        spill.merge()  # streamed by merge key: newsx.pipeline.merge.merge_group per key
        events, relations = spill.canonical("event"), spill.canonical("relation")  # re-iterable, in id order
        stage_seconds["merge"] += time.perf_counter() - merge_started
        sink_started = time.perf_counter()
        stale = spill.stale_documents(sql, prune)
        retire_documents(sql, stale, spill.canonical_ids() if stale else set())
        stages["cache"] = f"{reused} stage outputs reused, {sum(stage_runs.values())} computed ({_runs_text(stage_runs)})"
        stages["retire"] = f"{len(stale)} earlier documents removed from the database (source changed{', or gone' if prune else ''})"
        jsonl.write_canonical(events, relations)
        sql.write_canonical(events, relations)
        stage_seconds["sink"] += time.perf_counter() - sink_started
        summary = RunSummary(
            run_id=spill.run_id(provenance),
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
            entities=spill.entity_count(),
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
        batch_runner.close()
        spill.close()
        sql.close()


def _distinct_batches(batches: Iterator[list], spill: RunSpill, counts: Counter[str]) -> Iterator[tuple[int, list[RawDocument], list[QuarantineRecord]]]:
    """Per batch read: its size, the documents to process (first sight of each id), and what ingest quarantined."""
    for batch in batches:
        raws: list[RawDocument] = []
        quarantine: list[QuarantineRecord] = []
        for item in batch:
            counts["read"] += 1
            spill.read(item.source, item.document_id)  # every source read, with its id ("" when quarantined at ingest)
            if isinstance(item, QuarantineRecord):
                quarantine.append(item)
            elif not spill.first_sight(item.document_id):
                counts["duplicates"] += 1
            else:
                raws.append(item)
        yield len(batch), raws, quarantine


class BatchRunner:
    """Where the batches are processed, their results handed back in input order.

    `local`: one Prefect task run per batch in this process. `dask`: task runs on a Dask cluster
    through prefect-dask's DaskTaskRunner (the scheduler at `dask_address`, else a LocalCluster of
    one single-threaded worker process per core), a few batches per worker in flight. Each worker
    loads the models once (newsx.pipeline.process.shared_context) and checks that its provenance is
    the run's. The source, the stage cache folder and a KB file must be reachable from the workers
    under the same paths; the flow process reads the source and writes every sink.
    """

    def __init__(self, runner: str = "local", dask_address: str | None = None):
        if runner not in RUNNERS:
            raise ValueError(f"unknown runner {runner!r}: use {' or '.join(RUNNERS)}")
        if dask_address and runner != "dask":
            raise ValueError("a Dask scheduler address needs the dask runner (--runner dask)")
        self.runner, self.dask_address = runner, dask_address
        self._stack = contextlib.ExitStack()
        self._api: str | None = None

    def run(self, batches: Iterator[tuple[int, list[RawDocument], list[QuarantineRecord]]], settings: Settings, context: Context,
            cache: StageCache) -> Iterator[tuple[int, list[QuarantineRecord], BatchResult]]:
        if self.runner == "local":
            for size, raws, quarantine in batches:
                # quote: Prefect would otherwise walk every document and the models looking for futures
                yield size, quarantine, process_batch_task(quote(raws), quote(context), cache) if raws else BatchResult()
            return
        task_runner = self._start_dask()
        in_flight = max(2, 2 * sum(task_runner.client.nthreads().values()))
        # What a worker needs to rebuild the same Context: never the database URL (it may hold a password).
        worker_settings = settings.model_copy(
            update={"database": None, "kb_file": str(Path(settings.kb_file).resolve()) if settings.kb_file else None}
        )
        pending: deque = deque()
        for size, raws, quarantine in batches:
            future = None
            if raws:
                with self._api_for_workers():
                    future = task_runner.submit(
                        process_batch_worker_task,
                        parameters={"raws": raws, "settings": worker_settings, "provenance": context.provenance, "cache": cache},
                    )
            pending.append((size, quarantine, future))
            while len(pending) > in_flight:
                yield self._collect(pending.popleft())
        while pending:
            yield self._collect(pending.popleft())

    def _start_dask(self):
        from prefect_dask import DaskTaskRunner

        if self.dask_address:
            task_runner = DaskTaskRunner(address=self.dask_address)
        else:
            workers = max(1, len(os.sched_getaffinity(0)))
            task_runner = DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True, "dashboard_address": None})
        return self._stack.enter_context(task_runner)

    def _api_for_workers(self):
        """Task runs on the workers report to this run's Prefect API: with the temporary local server,
        its address (else each worker process would start a server of its own)."""
        from prefect.client.orchestration import get_client
        from prefect.settings import PREFECT_API_URL, temporary_settings

        if PREFECT_API_URL.value():
            return contextlib.nullcontext()
        if self._api is None:
            with get_client(sync_client=True) as client:
                self._api = str(client.api_url)
        return temporary_settings(updates={PREFECT_API_URL: self._api})

    @staticmethod
    def _collect(item: tuple[int, list[QuarantineRecord], object]) -> tuple[int, list[QuarantineRecord], BatchResult]:
        size, quarantine, future = item
        return size, quarantine, future.result() if future is not None else BatchResult()

    def close(self) -> None:
        """Stop the Dask client (and a LocalCluster the run started); an existing cluster keeps running."""
        self._stack.close()


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
    runner: str = "local",
    dask_address: str | None = None,
) -> Reprocessed:
    """Recompute only what a change (code, lexicons, configuration, models, KB) invalidates, and report
    which canonical events it added, removed or changed (OUT/changes.jsonl, OUT/changes.md).

    A dry run says per stage what would be recomputed and why, and writes nothing. `runner` and
    `dask_address` are those of extract_corpus.
    """
    settings = settings or Settings()
    out = Path(out_dir)
    cache = _stage_cache(out, cache_dir)
    plan = plan_corpus(source, build_context(settings), cache, settings)
    if dry_run:
        return Reprocessed(plan)
    before = read_events(out / "events.jsonl")  # the previous run's, before this run replaces them
    summary = extract_corpus(
        source=source, out_dir=out_dir, database=database, settings=settings, cache_dir=cache_dir, runner=runner, dask_address=dask_address
    )
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
