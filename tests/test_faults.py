"""Faults: kill -9 at random points of a run, a disk that fills up, a database that restarts or goes away.

kill -9: `newsx run` subprocesses over a small corpus (batches of 4) are killed (SIGKILL to the
whole process group) at seeded random moments while they process, then the run is repeated. After
each kill, nothing truncated is visible and the database holds whole batches only; after the rerun,
every input is processed or quarantined exactly once, with no duplicate row and no temporary file
left. NEWSX_KILL_TRIALS sets the number of kills (default 4, for CI; RELIABILITY.md reports 24:
`NEWSX_KILL_TRIALS=24 pytest tests/test_faults.py -k kill`), NEWSX_KILL_SEED the seed.
NEWSX_KILL_REPORT=FILE writes each trial's kill point and outcome as JSON.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import random
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import orjson
import psycopg
import pytest

from newsx.cli import main
from newsx.flows import _run_id, extract_corpus
from newsx.pipeline.ingest import ingest
from newsx.pipeline.merge import merge_events, merge_relations
from newsx.pipeline.sink import DatabaseUnavailable, JsonlWriter, OutputUnwritable, RetryPolicy, SqlSink, remove_stale_temporaries
from newsx.pipeline.spill import RunSpill
from newsx.schemas import Document, Provenance
from tests.conftest import PG_ADMIN_URL as ADMIN_URL

KILL_TRIALS = int(os.environ.get("NEWSX_KILL_TRIALS", "4"))
KILL_SEED = int(os.environ.get("NEWSX_KILL_SEED", "1010"))
BATCH = 4
OUTPUTS = ("documents", "events", "relations", "quarantine")

PEOPLE = ["John Schulman", "Mira Murati", "Greg Brockman", "Jan Leike", "Andrej Karpathy", "Ilya Sutskever"]
ORGS = ["OpenAI", "Anthropic", "Google", "Microsoft"]


def _article(n: int) -> str:
    person, org, dest = PEOPLE[n % len(PEOPLE)], ORGS[n % len(ORGS)], ORGS[(n + 1) % len(ORGS)]
    if n % 2:
        return f"智东西8月{n % 28 + 1}日消息，{org}联合创始人{person}宣布离职，将跳槽至{dest}。这是第{n}篇报道。\n"
    return f"SAN FRANCISCO, May {n % 28 + 1}, 2025 -- {dest} hired {person} as chief scientist. He joins from {org}. Report {n}.\n"


def make_corpus(folder: Path) -> Path:
    """26 articles, an empty and a binary file, a copy (a duplicate), a JSON Lines file with a broken line."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(26):
        (folder / f"a{n:02d}.txt").write_text(_article(n), "utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4)
    (folder / "copy_of_a03.txt").write_text(_article(3), "utf-8")
    lines = [orjson.dumps({"id": f"j{n}", "text": _article(100 + n)}) for n in range(4)] + [b'{"text": "unterminated']
    (folder / "z.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    return folder


def read_lines(path: Path) -> list[dict]:
    """Every line of a JSON Lines file, each whole: a truncated last line fails here."""
    data = path.read_bytes()
    assert not data or data.endswith(b"\n"), f"{path.name} ends in a partial line"
    return [orjson.loads(line) for line in data.splitlines()]


def temporaries(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.endswith(".tmp")) if out.is_dir() else []


def db_rows(out: Path) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Document ids and quarantine (source, stage, reason) rows in OUT/newsx.sqlite (none when absent)."""
    db = out / "newsx.sqlite"
    if not db.exists():
        return [], []
    with sqlite3.connect(db) as connection:
        if not connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents'").fetchone():
            return [], []
        documents = [row[0] for row in connection.execute("SELECT document_id FROM documents")]
        quarantine = [tuple(row) for row in connection.execute("SELECT source, stage, reason FROM quarantine")]
    return documents, quarantine


# --- kill -9 ---


def _prefect_api_url() -> str:
    """The API of the temporary Prefect server this test process started (its first flow run started
    it): the killed runs use it instead of each starting a server of their own."""
    from prefect.server.api.server import SubprocessASGIServer

    return SubprocessASGIServer().api_url


def start_run(corpus: Path, out: Path, env: dict[str, str]) -> subprocess.Popen:
    """`newsx run` in a new process group (SIGKILL to the group kills all of it); stderr to a file
    (a pipe nobody reads could fill up and stall the run), see `errors`."""
    command = [sys.executable, "-m", "newsx.cli", "run", str(corpus), "--out", str(out), "--batch-size", str(BATCH), "--no-progress"]
    stderr = tempfile.TemporaryFile()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
    process.stderr_file = stderr
    return process


def errors(process: subprocess.Popen) -> str:
    process.stderr_file.seek(0)
    return process.stderr_file.read().decode(errors="replace")[-2000:]


def wait_until_writing(process: subprocess.Popen, out: Path, timeout: float = 180) -> float:
    """Wait until the run has opened its outputs (models loaded, first batch under way); return the time."""
    marker = out / f".documents.jsonl.{process.pid}.tmp"
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if process.poll() is not None:
            raise AssertionError(f"the run ended before writing: {errors(process)}")
        if time.monotonic() > deadline:
            raise AssertionError("the run never started writing")
        time.sleep(0.005)
    return time.monotonic()


@pytest.fixture(scope="module")
def kill_setup(tmp_path_factory):
    """The corpus; a reference run in this process (what every input must become); the environment
    and the duration of the processing part of a `newsx run` subprocess."""
    root = tmp_path_factory.mktemp("kill")
    corpus = make_corpus(root / "corpus")
    reference = extract_corpus(source=str(corpus), out_dir=str(root / "reference"))
    documents = read_lines(root / "reference" / "documents.jsonl")
    quarantine = read_lines(root / "reference" / "quarantine.jsonl")
    # Batches as the flow forms them: BATCH consecutive items of ingest.
    batch_of = {}
    for index, item in enumerate(ingest(str(corpus))):
        batch_of.setdefault(item.document_id or item.source, index // BATCH)
        batch_of.setdefault(item.source, index // BATCH)
    env = {**os.environ, "PREFECT_API_URL": _prefect_api_url(), "PREFECT_LOGGING_LEVEL": "ERROR"}
    # One uninterrupted subprocess run: how long its work lasts, from its first temporary file (models
    # loaded, first batch under way) until its outputs are published (summary.json).
    timing = root / "timing"
    process = start_run(corpus, timing, env)
    writing = wait_until_writing(process, timing)
    while not (timing / "summary.json").exists() and process.poll() is None:
        time.sleep(0.005)
    published = time.monotonic()
    assert process.wait(timeout=600) == 0, errors(process)
    return {
        "corpus": corpus,
        "summary": reference,
        "documents": sorted(d["document_id"] for d in documents),
        "quarantine": sorted((q["source"], q["stage"], q["reason"]) for q in quarantine),
        "batch_of": batch_of,
        "env": env,
        "processing_seconds": published - writing,
    }


def check_after_kill(out: Path, setup: dict) -> dict:
    """What a kill leaves: whole JSON Lines files only, whole batches only, no duplicate rows."""
    for name in OUTPUTS:
        path = out / f"{name}.jsonl"
        if path.exists():
            read_lines(path)
    documents, quarantine = db_rows(out)
    assert len(documents) == len(set(documents)) and len(quarantine) == len(set(quarantine))
    assert set(documents) <= set(setup["documents"]) and set(quarantine) <= set(setup["quarantine"])
    # A batch's rows are all there or none is: a batch is one transaction.
    batch_of = setup["batch_of"]
    committed = {batch_of[d] for d in documents} | {batch_of[q[0]] for q in quarantine}
    for batch in committed:
        assert {d for d in setup["documents"] if batch_of[d] == batch} <= set(documents), f"batch {batch} is partial"
        assert {q for q in setup["quarantine"] if batch_of[q[0]] == batch} <= set(quarantine), f"batch {batch} is partial"
    return {"batches_committed": len(committed), "temporaries_left": len(temporaries(out))}


def check_complete(out: Path, setup: dict, summary) -> None:
    """After the rerun: every input processed or quarantined exactly once, in the files and in the database."""
    documents = [d["document_id"] for d in read_lines(out / "documents.jsonl")]
    quarantine = [(q["source"], q["stage"], q["reason"]) for q in read_lines(out / "quarantine.jsonl")]
    assert sorted(documents) == setup["documents"]
    assert sorted(quarantine) == setup["quarantine"]
    db_documents, db_quarantine = db_rows(out)
    assert sorted(db_documents) == setup["documents"] and sorted(db_quarantine) == setup["quarantine"]
    assert summary.read == summary.processed + summary.quarantined + summary.duplicates == setup["summary"].read
    assert (summary.processed, summary.quarantined, summary.duplicates) == (
        setup["summary"].processed, setup["summary"].quarantined, setup["summary"].duplicates,
    )
    reference = out.parent / "reference"
    for name in ("events", "relations"):
        assert (out / f"{name}.jsonl").read_bytes() == (reference / f"{name}.jsonl").read_bytes()
    with sqlite3.connect(out / "newsx.sqlite") as connection:
        for table, key in (("events", "event_id"), ("relations", "relation_id"), ("evidence", "evidence_id")):
            total, distinct = connection.execute(f"SELECT COUNT(*), COUNT(DISTINCT {key}) FROM {table}").fetchone()
            assert total == distinct
    assert temporaries(out) == [], "a killed run's temporary files were left behind"


@pytest.mark.slow
def test_kill_minus_9_at_random_points_then_rerun_loses_and_duplicates_nothing(kill_setup, tmp_path):
    rng = random.Random(KILL_SEED)
    span = kill_setup["processing_seconds"]
    trials = []
    for trial in range(KILL_TRIALS):
        out = kill_setup["corpus"].parent / f"trial{trial:02d}"
        if trial % 2:  # half the trials are killed over the complete output of an earlier run
            extract_corpus(source=str(kill_setup["corpus"]), out_dir=str(out))
        delay = rng.uniform(0, span)
        process = start_run(kill_setup["corpus"], out, kill_setup["env"])
        wait_until_writing(process, out)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGKILL)
        code = process.wait(timeout=60)
        in_flight = out / f".documents.jsonl.{process.pid}.tmp"
        written = in_flight.read_bytes().count(b"\n") if in_flight.exists() else None  # None: published already
        left = check_after_kill(out, kill_setup)
        summary = extract_corpus(source=str(kill_setup["corpus"]), out_dir=str(out))
        check_complete(out, kill_setup, summary)
        trials.append({"trial": trial, "over_earlier_output": bool(trial % 2), "kill_after_seconds": round(delay, 3),
                       "killed": code == -signal.SIGKILL, "documents_written_at_kill": written, **left})
    report = os.environ.get("NEWSX_KILL_REPORT")
    if report:
        Path(report).write_text(json.dumps({"seed": KILL_SEED, "processing_seconds": round(span, 2), "trials": trials}, indent=1))
    print(json.dumps(trials))
    # The kill points must fall while the run works, not all after it ended.
    assert sum(t["killed"] for t in trials) >= max(1, KILL_TRIALS * 3 // 4)


def test_a_killed_runs_temporary_files_are_removed_by_the_next_run(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = [tmp_path / f".documents.jsonl.{dead.pid}.tmp", tmp_path / f".spill.{dead.pid}.tmp"]
    live = tmp_path / f".events.jsonl.{os.getppid()}.tmp"  # a process that is running: its run goes on
    for path in [*stale, live]:
        path.write_bytes(b'{"half": ')
    (tmp_path / "documents.jsonl").write_bytes(b'{"whole": 1}\n')
    assert sorted(remove_stale_temporaries(tmp_path)) == sorted(stale)
    assert live.exists() and (tmp_path / "documents.jsonl").exists()


def test_the_spill_gives_the_same_run_id_and_canonical_records_as_memory(tmp_path, earlier_run):
    """The streamed merge (newsx.pipeline.spill) against the in-memory one, on a run's documents."""
    documents = [Document.model_validate(d) for d in read_lines(earlier_run / "out" / "documents.jsonl")]
    spill = RunSpill(tmp_path / "spill")
    try:
        for document in documents:
            spill.add_document(document)
        for source in ("b", "a", "c/é"):
            spill.add_quarantined(source)
        events = [e for d in documents for e in d.events]
        relations = [r for d in documents for r in d.relations]
        assert len(events) > 20 and len(relations) > 10
        assert list(spill.canonical("event")) == merge_events(events)
        assert list(spill.canonical("relation")) == merge_relations(relations)
        assert len(spill.canonical("event")) == len(merge_events(events))
        provenance = Provenance(pipeline_version="t", config_fingerprint="c")
        assert spill.run_id(provenance) == _run_id(provenance, [d.document_id for d in documents], ["b", "a", "c/é"])
    finally:
        spill.close()
    assert not (tmp_path / "spill" / f".spill.{os.getpid()}.tmp").exists()


# --- disk full ---


class FullDisk:
    """A file whose disk fills up after `room[0]` bytes (shared by every file: one disk): the write
    that does not fit puts what fits on disk, then fails with ENOSPC, as write(2) does."""

    def __init__(self, handle, room: list[int]):
        self._handle = handle
        self._room = room

    def write(self, data: bytes) -> int:
        if len(data) > self._room[0]:
            self._handle.write(data[: self._room[0]])
            self._handle.flush()
            self._room[0] = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room[0] -= len(data)
        return self._handle.write(data)

    def __getattr__(self, name):
        return getattr(self._handle, name)


@pytest.fixture
def disk_with_room(monkeypatch):
    """Every JSON Lines file of a run goes to a disk with `room` bytes left (set room[0])."""
    room = [10**12]
    original = JsonlWriter.__init__

    def init(self, path):
        original(self, path)
        self._handle = FullDisk(self._handle, room)

    monkeypatch.setattr(JsonlWriter, "__init__", init)
    return room


def test_a_full_disk_leaves_no_truncated_line_and_the_earlier_file_whole(tmp_path, disk_with_room):
    target = tmp_path / "documents.jsonl"
    target.write_bytes(b'{"earlier": "run"}\n')
    disk_with_room[0] = 100
    writer = JsonlWriter(target)
    with pytest.raises(OutputUnwritable) as error:
        for n in range(10):
            writer.write({"n": n, "text": "x" * 30})
    writer.abort()
    assert error.value.errno == errno.ENOSPC
    assert str(target) in str(error.value) and "No space left on device" in str(error.value)
    assert target.read_bytes() == b'{"earlier": "run"}\n'
    assert temporaries(tmp_path) == []


@pytest.fixture(scope="module")
def earlier_run(tmp_path_factory) -> Path:
    """A corpus and the complete output of a run over it."""
    root = tmp_path_factory.mktemp("disk")
    corpus = make_corpus(root / "corpus")
    assert main(["run", str(corpus), "--out", str(root / "out"), "--batch-size", str(BATCH), "--no-progress"]) == 0
    return root


@pytest.mark.parametrize("room", [0, 3000, 20_000])
def test_a_disk_full_mid_run_fails_clearly_and_leaves_only_whole_files(tmp_path, earlier_run, disk_with_room, room, capsys):
    """A run that fills the disk: a clear error (exit 2, no traceback), the earlier run's files intact."""
    shutil.copytree(earlier_run, tmp_path, dirs_exist_ok=True)
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    before = {name: (out / f"{name}.jsonl").read_bytes() for name in OUTPUTS}
    (corpus / "new.txt").write_text(_article(77), "utf-8")
    capsys.readouterr()
    disk_with_room[0] = room
    assert main(["run", str(corpus), "--out", str(out), "--batch-size", str(BATCH), "--no-progress"]) == 2
    printed = capsys.readouterr().out
    assert "error:" in printed and "could not write" in printed and "No space left on device" in printed
    assert "Traceback" not in printed
    assert {name: (out / f"{name}.jsonl").read_bytes() for name in OUTPUTS} == before
    for name in OUTPUTS:
        read_lines(out / f"{name}.jsonl")
    assert temporaries(out) == []


# --- the database restarts or goes away (PostgreSQL) ---

FAST = RetryPolicy(attempts=5, first_delay=0.1)  # pauses 0.1, 0.2, 0.4, 0.8 s: 1.5 s in all


@pytest.fixture
def pg_schema(admin):
    name = f"newsx_fault_{secrets.token_hex(6)}"
    admin.execute(f"CREATE SCHEMA {name}")
    yield name
    admin.execute(f"DROP SCHEMA {name} CASCADE")


@pytest.fixture
def fast_retries(monkeypatch):
    monkeypatch.setattr(SqlSink, "open", classmethod(lambda cls, url, retry=None: cls(url, FAST)))


class Outage:
    """From the `at`-th batch on, the server drops the run's connections (as a restart does): every
    connection with the run's application_name is terminated, again and again, for `seconds`.
    With `seconds=None` the server stays down: besides, new connections are refused (the run's URL
    now names a port where nothing listens), so that no retry can slip in between two sweeps."""

    def __init__(self, admin, application: str, at: int, seconds: float | None):
        self.admin, self.application, self.at, self.seconds = admin, application, at, seconds
        self.batches = 0
        self.terminated = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        ends = None if self.seconds is None else time.monotonic() + self.seconds
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            while not self._stop.is_set() and (ends is None or time.monotonic() < ends):
                rows = connection.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s", (self.application,)
                ).fetchall()
                self.terminated += len(rows)
                time.sleep(0.01)

    def install(self, monkeypatch) -> None:
        original = SqlSink._write_batch
        outage = self

        def write_batch(sink, documents, quarantine):
            original(sink, documents, quarantine)
            outage.batches += 1
            if outage.batches == outage.at:  # mid-transaction: this batch's rows are written, not committed
                outage._thread.start()
                while outage.terminated == 0:
                    time.sleep(0.005)
                if outage.seconds is None:
                    sink._url = sink._url.replace("127.0.0.1:5432/", "127.0.0.1:1/")

        monkeypatch.setattr(SqlSink, "_write_batch", write_batch)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def pg_url(schema: str, application: str) -> str:
    return f"{ADMIN_URL}?options=-csearch_path%3D{schema}&application_name={application}"


def pg_documents(admin, schema: str) -> list[str]:
    return sorted(row[0] for row in admin.execute(f"SELECT document_id FROM {schema}.documents"))


@pytest.fixture(scope="module")
def sqlite_reference(tmp_path_factory):
    """A corpus and a run of it into SQLite, batches of 4: what a PostgreSQL run must match."""
    root = tmp_path_factory.mktemp("pg")
    corpus = make_corpus(root / "corpus")
    return corpus, root / "sqlite", extract_corpus(source=str(corpus), out_dir=str(root / "sqlite"), settings=_settings())


@pytest.mark.postgres
def test_a_database_restart_mid_run_is_retried_and_the_run_completes(tmp_path, admin, pg_schema, sqlite_reference, fast_retries, monkeypatch, caplog):
    caplog.set_level(logging.WARNING, logger="newsx.pipeline.sink")
    corpus, sqlite_out, reference = sqlite_reference
    outage = Outage(admin, f"newsx_{pg_schema}", at=3, seconds=0.4)
    outage.install(monkeypatch)
    try:
        summary = extract_corpus(source=str(corpus), out_dir=str(tmp_path / "pg"), database=pg_url(pg_schema, f"newsx_{pg_schema}"), settings=_settings())
    finally:
        outage.stop()
    assert outage.terminated >= 1 and "retrying in" in caplog.text
    assert (summary.processed, summary.quarantined, summary.duplicates) == (reference.processed, reference.quarantined, reference.duplicates)
    sqlite_documents, _ = db_rows(sqlite_out)
    assert pg_documents(admin, pg_schema) == sorted(sqlite_documents)
    for table in ("events", "relations", "quarantine", "runs"):
        count = admin.execute(f"SELECT COUNT(*) FROM {pg_schema}.{table}").fetchone()[0]
        with sqlite3.connect(sqlite_out / "newsx.sqlite") as connection:
            assert count == connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0], table


@pytest.mark.postgres
def test_a_database_gone_for_good_mid_run_fails_clearly_with_whole_batches_only(tmp_path, admin, pg_schema, sqlite_reference, fast_retries, monkeypatch):
    corpus, sqlite_out, reference = sqlite_reference
    sqlite_documents, _ = db_rows(sqlite_out)
    outage = Outage(admin, f"newsx_{pg_schema}", at=3, seconds=None)
    outage.install(monkeypatch)
    out = tmp_path / "pg"
    try:
        with pytest.raises(DatabaseUnavailable, match="failed 5 times in a row; the transaction in progress was rolled back"):
            extract_corpus(source=str(corpus), out_dir=str(out), database=pg_url(pg_schema, f"newsx_{pg_schema}"), settings=_settings())
    finally:
        outage.stop()
    # Batches 1 and 2 committed, the third rolled back: exactly the first two batches' documents.
    committed = pg_documents(admin, pg_schema)
    batch_of = {}
    for index, item in enumerate(ingest(str(corpus))):
        batch_of.setdefault(item.document_id or item.source, index // BATCH)
    expected = sorted(d for d in sqlite_documents if batch_of[d] < 2)
    assert committed == expected and 0 < len(committed) < reference.processed
    assert not any(out.glob("*.jsonl")) and temporaries(out) == []


@pytest.mark.postgres
def test_a_database_that_is_down_from_the_start_fails_before_writing_anything(tmp_path, fast_retries):
    out = tmp_path / "out"
    with pytest.raises(DatabaseUnavailable, match=r"127\.0\.0\.1:1.*failed 5 times in a row"):
        extract_corpus(source=str(make_corpus(tmp_path / "corpus")), out_dir=str(out), database="postgresql://postgres@127.0.0.1:1/test")
    assert not out.exists() or not any(out.iterdir())


def _settings():
    from newsx.config import Settings

    return Settings(batch_size=BATCH)



# --- no duplicate rows: two happenings with the same arguments in one year ---


def test_two_happenings_in_one_year_get_two_ids_two_lines_and_two_rows(tmp_path):
    from newsx.pipeline.merge import record_key, stable_id
    from newsx.tests.test_sink import make_event

    march, september, later = ("doc_" + c * 24 for c in "abc")
    events = [make_event(march, "He left.", date="2024-03"), make_event(september, "He left again.", date="2024-09"),
              make_event(later, "He left in March.", date="2024-03-05")]
    merged = merge_events(events)
    assert len(merged) == 2 and len({e.event_id for e in merged}) == 2
    first = next(e for e in merged if e.date == "2024-03-05")
    assert first.event_id == stable_id("evt", *record_key(events[0]), "2024")  # the first keeps the usual id
    assert first.sources == [march, later]
    sink = SqlSink.open(f"sqlite:///{tmp_path / 'db.sqlite'}")
    sink.write_canonical(merged, [])
    assert sink.connection.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 2
    sink.close()


# --- security: reading HTML fetches nothing ---


def test_reading_html_fetches_no_remote_resource(tmp_path):
    """Images, style sheets, scripts, frames, meta refresh and links of a page point at a local
    listener: reading the page never connects to it."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.5)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    page = (
        f'<html><head><title>Funding</title><link rel="stylesheet" href="{url}/a.css"><script src="{url}/a.js"></script>'
        f'<meta http-equiv="refresh" content="0; url={url}/r"><link rel="canonical" href="{url}/c"></head><body><article>'
        f'<p>OpenAI宣布完成新一轮融资，由微软领投，金额为10亿美元。<img src="{url}/i.png"></p>'
        f'<iframe src="{url}/f"></iframe><object data="{url}/o"></object><p>公司表示将继续扩大研发团队规模。'
        f'<a href="{url}/more">更多</a></p></article></body></html>'
    )
    (tmp_path / "page.html").write_text(page, "utf-8")
    items = list(ingest(str(tmp_path / "page.html")))
    assert "10亿美元" in items[0].raw_text
    try:
        connection, _ = listener.accept()
    except (TimeoutError, socket.timeout):
        connection = None
    finally:
        listener.close()
    assert connection is None, "reading the page connected to a URL it names"


def test_output_paths_come_from_ids_never_from_input_file_names(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    names = ["..evil.txt", "a..b.txt", "new\nline.txt", "Robert'); DROP TABLE events;--.txt", "-rf .txt", "新闻.txt"]
    for n, name in enumerate(names):
        (corpus / name).write_text(_article(300 + n), "utf-8")
    out = tmp_path / "out"
    summary = extract_corpus(source=str(corpus), out_dir=str(out))
    assert summary.processed == len(names) - 1 and summary.quarantine_reasons == {"ingest: hidden-file": 1}  # ..evil.txt
    fixed = {"documents.jsonl", "events.jsonl", "relations.jsonl", "quarantine.jsonl", "summary.json", "kb.learned.yaml",
             "newsx.sqlite", "newsx.sqlite-wal", "newsx.sqlite-shm", ".cache/fingerprints.json"}
    cached = re.compile(r"^\.cache/[a-z]+/[0-9a-f]{2}/[0-9a-f]{64}\.json$")
    for path in out.rglob("*"):
        if path.is_file():
            relative = path.relative_to(out).as_posix()
            assert relative in fixed or cached.match(relative), relative
    assert sorted(p.name for p in corpus.iterdir()) == sorted(names)  # the input is untouched
