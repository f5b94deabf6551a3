"""`newsx soak`: a long run of synthetic news through the whole pipeline under a fixed memory ceiling.

The corpus is generated (seeded): short articles of a few sentences in Chinese and English about
the people and organisations of the seed KB, each event type in turn, with varied dates, roles
and amounts, so that the run extracts, links and merges real events. One JSON Lines file,
streamed by ingest. The run is the `extract_corpus` flow as `newsx run` calls it (Prefect task
runs per batch, stage cache, SQLite and JSON Lines sinks, cross-document merge).

A watchdog thread samples the resident set size (VmRSS) every 0.2 s: above `--ceiling-mb` it
interrupts the run, which then fails. At every `--every` documents read it records the RSS and
the peak so far, so the report shows whether memory grows with the corpus:

    newsx soak --documents 100000 --report out/soak-100000.json
"""

from __future__ import annotations

import _thread
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import orjson

PEOPLE = [  # (English name, Chinese name): seed KB people
    ("Sam Altman", "萨姆·奥特曼"), ("Greg Brockman", "格雷格·布罗克曼"), ("Ilya Sutskever", "伊尔亚·苏茨克维"),
    ("Mira Murati", "米拉·穆拉蒂"), ("John Schulman", "约翰·舒尔曼"), ("Andrej Karpathy", "安德烈·卡帕西"),
    ("Wojciech Zaremba", "沃伊切赫·扎伦巴"), ("Jan Leike", "扬·莱克"),
]
ORGS = [("OpenAI", "OpenAI"), ("Anthropic", "Anthropic"), ("Google", "谷歌"), ("Microsoft", "微软"), ("Apple", "苹果公司")]
ROLES = [("chief technology officer", "首席技术官"), ("chief executive officer", "首席执行官"), ("chief scientist", "首席科学家"),
         ("president", "总裁"), ("head of research", "研究负责人")]
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
FILLER_EN = [
    "The company declined to comment further.", "Analysts said the move reflects fierce competition for AI talent.",
    "The news was first reported on Monday.", "Shares of related companies were little changed.",
    "Industry observers expect more changes this year.",
]
FILLER_ZH = ["公司方面暂未回应。", "业内人士认为，这反映了人工智能人才竞争的激烈。", "该消息最早于周一传出。", "相关公司股价变化不大。", "观察人士预计今年还会有更多变动。"]


def _article(number: int, rng: random.Random) -> str:
    person_en, person_zh = rng.choice(PEOPLE)
    (org_en, org_zh), (dest_en, dest_zh) = rng.sample(ORGS, 2)
    role_en, role_zh = rng.choice(ROLES)
    year, month, day = rng.choice((2023, 2024, 2025)), rng.randrange(1, 13), rng.randrange(1, 29)
    amount = rng.randrange(1, 100)
    kind = (number // 2) % 4
    if number % 2:
        lead = [
            f"{person_zh}宣布从{org_zh}离职，将加入{dest_zh}。",
            f"{dest_zh}任命{person_zh}为{role_zh}。",
            f"{org_zh}宣布完成新一轮融资，由{dest_zh}领投，金额为{amount}亿美元。",
            f"{org_zh}首席执行官{person_zh}表示，公司将于{year}年发布新模型。",
        ][kind]
        filler = rng.sample(FILLER_ZH, 2)
        return f"{year}年{month}月{day}日消息，{lead}{''.join(filler)}这是第{number}篇报道。\n"
    lead = [
        f"{person_en} has left {org_en} and will join {dest_en}.",
        f"{dest_en} appointed {person_en} as {role_en}.",
        f"{org_en} raised ${amount} billion in a round led by {dest_en}.",
        f"{org_en} CEO {person_en} said the company will release a new model in {year}.",
    ][kind]
    filler = " ".join(rng.sample(FILLER_EN, 2))
    return f"SAN FRANCISCO, {MONTHS_EN[month - 1]} {day}, {year} -- {lead} {filler} This is report number {number}.\n"


def synthetic_news(count: int, path: Path, seed: int = 10) -> Path:
    """Write `count` distinct short articles (every other one Chinese) as one JSON Lines file."""
    rng = random.Random(seed)
    with path.open("wb") as handle:
        for number in range(count):
            handle.write(orjson.dumps({"id": f"soak-{number}", "text": _article(number, rng)}) + b"\n")
    return path


def rss_mb(field_name: str = "VmRSS") -> float:
    """This process's resident set size (VmRSS) or its peak (VmHWM), in MiB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field_name + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"{field_name} not in /proc/self/status")


class Watchdog(threading.Thread):
    """Samples the RSS; over the ceiling it interrupts the main thread (KeyboardInterrupt there)."""

    def __init__(self, ceiling_mb: float, period: float = 0.2):
        super().__init__(daemon=True, name="soak-watchdog")
        self.ceiling_mb = ceiling_mb
        self.period = period
        self.breach: float | None = None
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(self.period):
            current = rss_mb()
            if current > self.ceiling_mb and self.breach is None:
                self.breach = current
                _thread.interrupt_main()

    def stop(self) -> None:
        self._halt.set()
        self.join()


@dataclass
class SoakFigures:
    documents: int
    batch_size: int
    ceiling_mb: float
    seconds: float = 0.0
    documents_per_second: float = 0.0
    peak_rss_mb: float = 0.0
    rss_before_run_mb: float = 0.0
    checkpoints: list[dict[str, float]] = field(default_factory=list)  # {"read", "rss_mb", "peak_rss_mb", "seconds"}
    summary: dict[str, int] = field(default_factory=dict)
    passed: bool = False
    verdict: str = ""


def run_soak(
    documents: int, work: Path, ceiling_mb: float, every: int, batch_size: int = 32, seed: int = 10, progress: bool = False
) -> SoakFigures:
    """Generate the corpus in `work`, run the flow over it under the watchdog, and return the figures."""
    from newsx import flows
    from newsx.config import Settings

    figures = SoakFigures(documents=documents, batch_size=batch_size, ceiling_mb=ceiling_mb)
    corpus = synthetic_news(documents, work / "soak.jsonl", seed)
    started = time.perf_counter()
    read = 0
    original_ingest = flows.ingest

    def counted(*args, **kwargs) -> Iterator:
        nonlocal read
        for item in original_ingest(*args, **kwargs):
            read += 1
            if read % every == 0:
                checkpoint = {"read": read, "rss_mb": rss_mb(), "peak_rss_mb": rss_mb("VmHWM"), "seconds": round(time.perf_counter() - started, 1)}
                figures.checkpoints.append(checkpoint)
                if progress:
                    print(f"soak checkpoint {orjson.dumps(checkpoint).decode()}", file=sys.stderr, flush=True)
            yield item

    settings = Settings(batch_size=batch_size)
    flows.build_context(settings)  # models loaded before the clock starts: they are not the corpus
    figures.rss_before_run_mb = rss_mb()
    watchdog = Watchdog(ceiling_mb)
    watchdog.start()
    flows.ingest = counted  # the flow reads its input through this name: count documents as they are read
    try:
        started = time.perf_counter()
        summary = flows.extract_corpus(source=str(corpus), out_dir=str(work / "out"), settings=settings)
    except KeyboardInterrupt:
        if watchdog.breach is None:
            raise
        summary = None
    finally:
        flows.ingest = original_ingest
        watchdog.stop()
    figures.seconds = round(time.perf_counter() - started, 1)
    figures.peak_rss_mb = rss_mb("VmHWM")
    if summary is None:
        figures.verdict = f"over the memory ceiling: RSS {watchdog.breach} MB > {ceiling_mb} MB after {read} documents"
        return figures
    figures.documents_per_second = round(summary.read / figures.seconds, 1)
    figures.summary = {
        name: getattr(summary, name) for name in ("read", "processed", "quarantined", "duplicates", "entities", "events", "relations")
    }
    first = figures.checkpoints[0]["peak_rss_mb"] if figures.checkpoints else figures.peak_rss_mb
    growth = figures.peak_rss_mb - first
    accounted = summary.read == summary.processed + summary.quarantined + summary.duplicates == documents
    figures.passed = accounted and figures.peak_rss_mb <= ceiling_mb
    figures.verdict = (
        f"{'passed' if figures.passed else 'FAILED'}: {summary.read} documents read, every one accounted for: {accounted};"
        f" peak RSS {figures.peak_rss_mb} MB (ceiling {ceiling_mb} MB), {growth:+.1f} MB since the first checkpoint"
        f" ({figures.checkpoints[0]['read'] if figures.checkpoints else 0} documents)"
    )
    return figures


def add_parser(commands) -> None:
    soak = commands.add_parser("soak", help="long run of synthetic documents under a fixed memory ceiling (peak RSS)")
    soak.add_argument("--documents", type=int, default=100_000, help="synthetic documents (default 100000)")
    soak.add_argument("--ceiling-mb", type=float, default=2048, help="memory ceiling: the run fails above this RSS (default 2048)")
    soak.add_argument("--every", type=int, default=10_000, help="record the RSS every N documents read (default 10000)")
    soak.add_argument("--batch-size", type=int, default=32, help="documents per task run (default 32)")
    soak.add_argument("--work", help="working folder (default: a temporary folder, removed afterwards)")
    soak.add_argument("--report", help="also write the figures as JSON to this file")
    soak.set_defaults(handler=run_soak_command)


def run_soak_command(args) -> int:
    from rich.console import Console

    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    console = Console(highlight=False)
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="newsx-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        figures = run_soak(args.documents, work, args.ceiling_mb, min(args.every, args.documents), args.batch_size, progress=True)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    data = asdict(figures)
    if args.report:
        Path(args.report).parent.mkdir(parents=True, exist_ok=True)
        Path(args.report).write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
    for checkpoint in figures.checkpoints:
        console.print(
            f"{checkpoint['read']:>8} documents  {checkpoint['seconds']:>8.1f} s  RSS {checkpoint['rss_mb']:>7.1f} MB"
            f"  peak {checkpoint['peak_rss_mb']:>7.1f} MB"
        )
    console.print(f"{figures.documents} documents in {figures.seconds} s ({figures.documents_per_second} documents/s); {figures.summary}")
    console.print(figures.verdict)
    return 0 if figures.passed else 1
