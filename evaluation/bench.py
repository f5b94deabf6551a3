"""`newsx bench`: throughput and memory of the pipeline and each of its stages.

Every figure comes from real runs of the `extract_corpus` flow in this
process: on the dev corpus, and on synthetic corpora of N documents built
from the sample and dev articles (sentences shuffled and numbers changed per
copy, so no two documents are alike and no cache makes it trivial).
"""

from __future__ import annotations

import platform
import random
import re
import resource
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import orjson

from newsx.pipeline.ingest import ingest
from newsx.schemas import Provenance, RawDocument

DEFAULT_SIZES = "100,1000,10000"
STAGES = ("ingest", "clean", "language", "segment", "ner", "link", "events", "validate", "merge", "sink")
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*|\n")
WARM_UP_DOCUMENTS = 200  # run through clean + language id before a timed pass (a job past its start)
WARM_UP_SEED = 8  # not the timed corpus's seed: other shuffles and numbers


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def base_articles(sources: list[Path]) -> list[str]:
    """The raw texts of every article that can be read from `sources`."""
    texts = []
    for source in sources:
        if source.exists():
            texts.extend(item.raw_text for item in ingest(source) if isinstance(item, RawDocument))
    if not texts:
        raise FileNotFoundError(f"no articles to build a synthetic corpus from in {', '.join(map(str, sources))}")
    return texts


def synthetic_corpus(texts: list[str], count: int, path: Path, seed: int = 7) -> Path:
    """Write `count` varied copies of `texts` as one JSON Lines file."""
    rng = random.Random(seed)
    with path.open("wb") as handle:
        for number in range(count):
            pieces = _SENTENCE.findall(texts[number % len(texts)])
            head, body = pieces[:3], pieces[3:]
            rng.shuffle(body)
            text = "".join(head + body)
            text = re.sub(r"\d", lambda _: str(rng.randrange(10)), text)
            handle.write(orjson.dumps({"id": f"bench-{number}", "text": f"{text}\n#{number}"}) + b"\n")
    return path


@dataclass
class RunFigures:
    corpus: str
    documents: int
    characters: int
    seconds: float
    documents_per_second: float
    characters_per_second: float
    peak_rss_mb: float
    prefect_overhead_seconds: float
    stages: dict[str, dict[str, float]] = field(default_factory=dict)


def _corpus_size(source: Path) -> tuple[int, int]:
    documents = characters = 0
    for item in ingest(source):
        if isinstance(item, RawDocument):
            documents += 1
            characters += len(item.raw_text)
    return documents, characters


def measure(name: str, source: Path, work: Path) -> RunFigures:
    """Run the flow once over `source` and break its time down by stage."""
    from newsx.flows import extract_corpus

    documents, characters = _corpus_size(source)
    started = time.perf_counter()
    summary = extract_corpus(source=str(source), out_dir=str(work / name), show_progress=False)
    seconds = time.perf_counter() - started
    stage_total = sum(summary.stage_seconds.values())
    stages = {}
    for stage in STAGES:
        spent = summary.stage_seconds.get(stage, 0.0)
        stages[stage] = {
            "seconds": round(spent, 4),
            "documents_per_second": round(documents / spent, 1) if spent else None,
            "characters_per_second": round(characters / spent) if spent else None,
            "share": round(spent / seconds, 4) if seconds else None,
        }
    return RunFigures(
        corpus=name,
        documents=documents,
        characters=characters,
        seconds=round(seconds, 3),
        documents_per_second=round(documents / seconds, 2),
        characters_per_second=round(characters / seconds),
        peak_rss_mb=peak_rss_mb(),
        prefect_overhead_seconds=round(seconds - stage_total, 3),
        stages=stages,
    )


def ner_reference(source: Path, limit: int = 300) -> dict[str, object]:
    """Throughput of the bare NER models the pipeline is configured with, on the sentences of `source`.

    Sentences are prepared first (clean, language, segment) and not timed; then each language's model
    runs once over all of its sentences, as the NER stage does.
    """
    from newsx.config import Settings
    from newsx.pipeline import clean, language, segment
    from newsx.pipeline.ner import model_language
    from newsx.pipeline.process import build_context

    context = build_context(Settings())
    sentences: dict[str, list[str]] = {}
    for item in list(ingest(source))[:limit]:
        if isinstance(item, RawDocument):
            document = segment.segment(language.identify(clean.clean(item, context.provenance)))
            for seg in document.segments:
                sentences.setdefault(model_language(seg.language), []).append(document.text[seg.start : seg.end])
    models: dict[str, dict[str, object]] = {}
    total_chars, total_seconds = 0, 0.0
    for lang, texts in sorted(sentences.items()):
        model = context.models.get(lang)
        if model is None:
            continue
        started = time.perf_counter()
        model.recognise(texts)
        seconds = time.perf_counter() - started
        characters = sum(len(t) for t in texts)
        words = sum(len(t.split()) for t in texts)
        total_chars += characters
        total_seconds += seconds
        models[f"{lang}.ner"] = {
            "model": model.fingerprint,
            "sentences": len(texts),
            "characters_per_second": round(characters / seconds),
            "words_per_second": round(words / seconds),
        }
    return {"models": models, "characters_per_second": round(total_chars / total_seconds) if total_seconds else None}


def clean_language_speed(source: Path, warm_up: Path | None = None) -> dict[str, object]:
    """Throughput of the clean and language stages alone on one core, over every document of `source`.

    The documents are read first (not timed); then each stage runs over all
    of them in this process, timed in CPU seconds of this process (one core:
    neither other processes on the machine nor waiting count) and in wall
    seconds. Before the clock starts, the models load (the bigram table, the
    lingua detector) and both stages run over the `warm_up` documents (other
    ones), as they have in a batch job after its first documents: lazily
    loaded parts, the bigram-score cache and compiled patterns are ready.
    """
    from newsx.pipeline import clean, language
    from newsx.pipeline.spam import load_model

    raws = [item for item in ingest(source) if isinstance(item, RawDocument)]
    characters = sum(len(raw.raw_text) for raw in raws)
    megabytes = sum(len(raw.raw_text.encode("utf-8")) for raw in raws) / 1e6
    provenance = Provenance(pipeline_version="bench")
    load_model()
    language.latin_detector()
    for item in ingest(warm_up) if warm_up is not None else ():
        if isinstance(item, RawDocument):
            language.identify(clean.clean(item, provenance))
    figures: dict[str, object] = {"documents": len(raws), "characters": characters, "megabytes_utf8": round(megabytes, 3)}
    cpu_started, wall_started = time.process_time(), time.perf_counter()
    documents = [clean.clean(raw, provenance) for raw in raws]
    cpu_clean, wall_clean = time.process_time() - cpu_started, time.perf_counter() - wall_started
    cpu_started, wall_started = time.process_time(), time.perf_counter()
    for document in documents:
        language.identify(document)
    cpu_language, wall_language = time.process_time() - cpu_started, time.perf_counter() - wall_started
    for name, cpu, wall in (
        ("clean", cpu_clean, wall_clean),
        ("language", cpu_language, wall_language),
        ("clean+language", cpu_clean + cpu_language, wall_clean + wall_language),
    ):
        figures[name] = {
            "cpu_seconds": round(cpu, 3),
            "wall_seconds": round(wall, 3),
            "characters_per_second": round(characters / cpu) if cpu else None,
            "megabytes_per_second": round(megabytes / cpu, 2) if cpu else None,
        }
    return figures


def run_clean_language_bench(dev: Path, sample: Path, sizes: list[int]) -> dict[str, object]:
    """`newsx bench --clean-language`: clean + language id alone on synthetic corpora (no flow, no models)."""
    runs = []
    with tempfile.TemporaryDirectory(prefix="newsx-bench-") as tmp:
        texts = base_articles([sample, dev])
        warm_up = synthetic_corpus(texts, WARM_UP_DOCUMENTS, Path(tmp) / "warm-up.jsonl", seed=WARM_UP_SEED)
        for size in sizes:
            corpus = synthetic_corpus(texts, size, Path(tmp) / f"synthetic-{size}.jsonl")
            runs.append({"corpus": f"synthetic-{size}", **clean_language_speed(corpus, warm_up)})
        if dev.exists():
            runs.append({"corpus": "dev", **clean_language_speed(dev, warm_up)})
    return {
        "machine": {"platform": platform.platform(), "python": platform.python_version(), "cpus": _cpus()},
        "date": time.strftime("%Y-%m-%d"),
        "clean_language": runs,
    }


def render_clean_language(figures: dict[str, object], console) -> None:
    from rich.table import Table

    table = Table(title="newsx bench --clean-language: one core (CPU seconds of this process)", title_justify="left")
    table.add_column("corpus", no_wrap=True)
    table.add_column("stage")
    for column in ("docs", "chars", "MB (UTF-8)", "CPU s", "wall s", "chars/s", "MB/s"):
        table.add_column(column, justify="right")
    for run in figures["clean_language"]:
        for stage in ("clean", "language", "clean+language"):
            row = run[stage]
            table.add_row(
                run["corpus"], stage, str(run["documents"]), f"{run['characters']:,}", f"{run['megabytes_utf8']:.2f}",
                f"{row['cpu_seconds']:.3f}", f"{row['wall_seconds']:.3f}",
                f"{row['characters_per_second']:,}" if row["characters_per_second"] else "-",
                f"{row['megabytes_per_second']:.2f}" if row["megabytes_per_second"] else "-",
            )
    console.print(table)


def run_bench(dev: Path, sample: Path, sizes: list[int]) -> dict[str, object]:
    """All figures of `newsx bench` as one JSON-ready dict."""
    runs: list[RunFigures] = []
    with tempfile.TemporaryDirectory(prefix="newsx-bench-") as tmp:
        work = Path(tmp)
        if dev.exists():
            runs.append(measure("dev", dev, work))
        texts = base_articles([sample, dev])
        largest = None
        for size in sizes:
            corpus = synthetic_corpus(texts, size, work / f"synthetic-{size}.jsonl")
            runs.append(measure(f"synthetic-{size}", corpus, work))
            largest = corpus
        reference = ner_reference(largest or dev)
    by_name = {run.corpus: run for run in runs}
    scaling = None
    if len(sizes) >= 2:
        small, big = by_name[f"synthetic-{sizes[-2]}"], by_name[f"synthetic-{sizes[-1]}"]
        scaling = {
            "from": small.documents,
            "to": big.documents,
            "documents_ratio": round(big.documents / small.documents, 2),
            "time_ratio": round(big.seconds / small.seconds, 2),
            "peak_rss_mb_from": small.peak_rss_mb,
            "peak_rss_mb_to": big.peak_rss_mb,
        }
    pipeline = runs[-1]
    return {
        "machine": {"platform": platform.platform(), "python": platform.python_version(), "cpus": _cpus()},
        "date": time.strftime("%Y-%m-%d"),
        "runs": [asdict(run) for run in runs],
        "ner_reference": reference,
        "pipeline_to_ner_ratio": round(pipeline.characters_per_second / reference["characters_per_second"], 3),
        "scaling": scaling,
    }


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


def render(figures: dict[str, object], console) -> None:
    """The bench figures as terminal tables."""
    from rich.table import Table

    runs = Table(title="newsx bench: whole pipeline", title_justify="left")
    runs.add_column("corpus", no_wrap=True)
    for column in ("docs", "chars", "seconds", "docs/s", "chars/s", "peak RSS MB", "Prefect overhead s"):
        runs.add_column(column, justify="right")
    for run in figures["runs"]:
        runs.add_row(
            run["corpus"], str(run["documents"]), str(run["characters"]), f"{run['seconds']:.2f}",
            f"{run['documents_per_second']:.1f}", f"{run['characters_per_second']:,}", f"{run['peak_rss_mb']:.0f}",
            f"{run['prefect_overhead_seconds']:.2f}",
        )
    console.print(runs)
    last = figures["runs"][-1]
    stages = Table(title=f"per stage ({last['corpus']})", title_justify="left")
    for column in ("stage", "seconds", "docs/s", "chars/s", "share of total"):
        stages.add_column(column, justify="right")
    for stage, row in last["stages"].items():
        stages.add_row(
            stage, f"{row['seconds']:.3f}",
            f"{row['documents_per_second']:,.0f}" if row["documents_per_second"] else "-",
            f"{row['characters_per_second']:,}" if row["characters_per_second"] else "-",
            f"{row['share']:.1%}" if row["share"] is not None else "-",
        )
    console.print(stages)
    reference = figures["ner_reference"]
    for slot, row in reference["models"].items():
        console.print(
            f"bare NER {slot} {row['model']}: {row['characters_per_second']:,} chars/s, {row['words_per_second']:,} words/s "
            f"over {row['sentences']} sentences"
        )
    console.print(
        f"bare NER models together: {reference['characters_per_second']:,} chars/s "
        f"-> pipeline/NER throughput ratio {figures['pipeline_to_ner_ratio']}"
    )
    scaling = figures["scaling"]
    if scaling:
        console.print(
            f"scaling {scaling['from']} -> {scaling['to']} documents (x{scaling['documents_ratio']}): "
            f"time x{scaling['time_ratio']}, peak RSS {scaling['peak_rss_mb_from']} -> {scaling['peak_rss_mb_to']} MB"
        )


def add_parser(commands) -> None:
    bench = commands.add_parser("bench", help="measure throughput and memory of the pipeline and each stage")
    bench.add_argument("--dev", default="../shared/corpus/dev", help="the dev corpus (default: ../shared/corpus/dev)")
    bench.add_argument("--sample", default="sample/corpus", help="sample articles the synthetic corpora are built from")
    bench.add_argument(
        "--sizes", default=None, help=f"synthetic corpus sizes, comma-separated (default {DEFAULT_SIZES}; 1000 with --clean-language)"
    )
    bench.add_argument("--json", action="store_true", help="print the figures as JSON")
    bench.add_argument(
        "--clean-language",
        action="store_true",
        help="measure only cleaning + language id on one core (no flow, no NER models); sizes default to 1000",
    )
    bench.set_defaults(handler=run_bench_command)


def run_bench_command(args) -> int:
    import os

    from rich.console import Console

    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    sizes_text = args.sizes if args.sizes is not None else ("1000" if args.clean_language else DEFAULT_SIZES)
    sizes = [int(size) for size in sizes_text.split(",") if size.strip()]
    if args.clean_language:
        figures = run_clean_language_bench(Path(args.dev), Path(args.sample), sizes)
        show = render_clean_language
    else:
        figures = run_bench(Path(args.dev), Path(args.sample), sizes)
        show = render
    if args.json:
        print(orjson.dumps(figures, option=orjson.OPT_INDENT_2).decode())
    else:
        show(figures, Console(highlight=False))
    return 0
