"""`newsx bench --reprocess`: what reprocessing after an event-lexicon change costs, against a full run.

In one process: a warm-up run (the temporary Prefect server starts), a full `extract_corpus` run over
the dev corpus plus the bench's synthetic corpus (1,000 documents by default, built as `newsx bench`
builds it), then one edit of the event lexicon (the Chinese departure trigger `离开` removed, a copy
of `pipeline/data/events.yaml` read in its place, the repository untouched) and `reprocess_corpus`
over the same input and output folder. Both timings include loading the models; the figures say
which stages the reprocess computed (the summary's cache line), how much faster it was, and which
events changed.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import yaml

from newsx.evaluation.bench import base_articles, peak_rss_mb, synthetic_corpus

EVENTS_YAML = "pipeline/data/events.yaml"
REMOVED_TRIGGER = ("personnel.departure", "zh", "离开")


@contextlib.contextmanager
def changed_event_lexicon(folder: Path) -> Iterator[Path]:
    """For the duration: the event lexicon is a copy without REMOVED_TRIGGER, for the events stage
    and for the stage cache's fingerprint of data/events.yaml (as if the file had been edited)."""
    from newsx.pipeline import cache, events

    original = cache.PACKAGE / EVENTS_YAML
    data = yaml.safe_load(original.read_text("utf-8"))
    kind, language, trigger = REMOVED_TRIGGER
    data["triggers"][kind][language].remove(trigger)
    copy = folder / "events.yaml"
    copy.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")

    real_digest, real_lexicon = cache.file_digest, events.lexicon

    def digest(path: Path) -> str:
        return real_digest(copy) if path == original else real_digest(path)

    @functools.cache
    def lexicon() -> dict:
        with _reading(copy):
            return real_lexicon.__wrapped__()

    cache.file_digest, events.lexicon = digest, lexicon
    try:
        yield copy
    finally:
        cache.file_digest, events.lexicon = real_digest, real_lexicon


@contextlib.contextmanager
def _reading(copy: Path) -> Iterator[None]:
    """importlib.resources reads data/events.yaml from `copy` (what events.lexicon opens)."""
    from importlib import resources

    real_files = resources.files

    class Redirect:
        def __init__(self, root):
            self.root = root

        def joinpath(self, name):
            return copy if name == "data/events.yaml" else self.root.joinpath(name)

    resources.files = lambda package: Redirect(real_files(package)) if package == "newsx.pipeline" else real_files(package)
    try:
        yield
    finally:
        resources.files = real_files


@contextlib.contextmanager
def code_as_loaded() -> Iterator[None]:
    """Each file of the package fingerprinted as this process first read it: the code it runs, even
    if someone edits the checkout during the bench (only the lexicon change is to differ)."""
    from newsx.pipeline import cache

    real, seen = cache.file_digest, {}
    cache.file_digest = lambda path: seen.setdefault(path, real(path)) if path.is_relative_to(cache.PACKAGE) else real(path)
    try:
        yield
    finally:
        cache.file_digest = real


def build_corpus(dev: Path, sample: Path, size: int, folder: Path) -> Path:
    """dev's files plus the bench's synthetic corpus of `size` documents, in one folder."""
    corpus = folder / "corpus"
    (corpus / "dev").mkdir(parents=True)
    for path in sorted(dev.iterdir()):
        if path.is_file():
            shutil.copy2(path, corpus / "dev" / path.name)
    synthetic_corpus(base_articles([sample, dev]), size, corpus / f"synthetic-{size}.jsonl")
    return corpus


def run_reprocess_bench(dev: Path, sample: Path, size: int = 1000) -> dict[str, object]:
    from newsx.flows import extract_corpus, reprocess_corpus

    with tempfile.TemporaryDirectory(prefix="newsx-reprocess-bench-") as tmp, code_as_loaded():
        work = Path(tmp)
        corpus = build_corpus(dev, sample, size, work)
        warm = work / "warm"
        warm.mkdir()
        (warm / "one.txt").write_text("OpenAI hired Jane Doe as chief scientist.\n", "utf-8")
        extract_corpus(source=str(warm), out_dir=str(work / "warm-out"))  # the temporary Prefect server starts here

        out = work / "out"
        started, cpu_started = time.perf_counter(), time.process_time()
        full = extract_corpus(source=str(corpus), out_dir=str(out))
        full_seconds, full_cpu = time.perf_counter() - started, time.process_time() - cpu_started

        with changed_event_lexicon(work):
            started, cpu_started = time.perf_counter(), time.process_time()
            result = reprocess_corpus(source=str(corpus), out_dir=str(out))
            reprocess_seconds, reprocess_cpu = time.perf_counter() - started, time.process_time() - cpu_started
        summary = result.summary
        changes = Counter((change["after"] or change["before"])["type"] + " " + change["change"] for change in result.changes)
        return {
            "date": time.strftime("%Y-%m-%d"),
            "corpus": f"dev ({sum(1 for p in dev.iterdir() if p.is_file())} files) + synthetic-{size}",
            "documents": full.processed,
            "lexicon_change": f"{EVENTS_YAML}: trigger {REMOVED_TRIGGER[2]!r} removed from {REMOVED_TRIGGER[0]} ({REMOVED_TRIGGER[1]})",
            "full_seconds": round(full_seconds, 2),
            "reprocess_seconds": round(reprocess_seconds, 2),
            "speedup": round(full_seconds / reprocess_seconds, 2),
            # CPU seconds of this process: what other jobs on a shared machine do not inflate
            "full_cpu_seconds": round(full_cpu, 2),
            "reprocess_cpu_seconds": round(reprocess_cpu, 2),
            "cpu_speedup": round(full_cpu / reprocess_cpu, 2),
            "plan": [str(stage) for stage in result.plan],
            "cache": summary.stages["cache"],
            "full_stage_seconds": full.stage_seconds,
            "reprocess_stage_seconds": summary.stage_seconds,
            "events_before_after": [full.events, summary.events],
            "changes": dict(sorted(changes.items())),
            "changes_total": len(result.changes),
            "peak_rss_mb": peak_rss_mb(),
        }


def render(figures: dict[str, object], console) -> None:
    from rich.table import Table

    console.print(f"reprocess after an event-lexicon change: {figures['corpus']}, {figures['documents']} documents")
    console.print(f"change: {figures['lexicon_change']}")
    console.print(
        f"full run {figures['full_seconds']:.2f} s, reprocess {figures['reprocess_seconds']:.2f} s: "
        f"[bold]{figures['speedup']:.1f}x faster[/bold]"
    )
    console.print(
        f"CPU time of this process: full run {figures['full_cpu_seconds']:.2f} s, reprocess {figures['reprocess_cpu_seconds']:.2f} s: "
        f"{figures['cpu_speedup']:.1f}x less"
    )
    console.print("reprocess recomputed:")
    for line in figures["plan"]:
        console.print(f"  {line}")
    console.print(f"cache: {figures['cache']}")
    table = Table(title="seconds per stage", title_justify="left")
    for column in ("stage", "full run", "reprocess"):
        table.add_column(column, justify="right")
    stages = sorted(set(figures["full_stage_seconds"]) | set(figures["reprocess_stage_seconds"]))
    for stage in stages:
        table.add_row(stage, f"{figures['full_stage_seconds'].get(stage, 0):.2f}", f"{figures['reprocess_stage_seconds'].get(stage, 0):.2f}")
    console.print(table)
    before, after = figures["events_before_after"]
    console.print(f"canonical events {before} -> {after}; {figures['changes_total']} changes:")
    for key, count in figures["changes"].items():
        console.print(f"  {key}: {count}")
