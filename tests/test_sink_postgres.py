"""The PostgreSQL sink against the real server on 127.0.0.1:5432, each test in a fresh schema.

Without a reachable server the tests that need it are skipped; the redaction test runs anyway.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

import orjson
import psycopg
import pytest

from newsx.flows import extract_corpus
from newsx.pipeline.merge import merge_events
from newsx.pipeline.sink import DatabaseUnavailable, RetryPolicy, SqlSink
from newsx.tests.test_sink import HOSTILE, counts, make_document, make_event
from tests.conftest import PG_ADMIN_URL as ADMIN_URL


PASSWORD = "s3cret-pw"  # not in any source line a traceback could show
NO_WAIT = RetryPolicy(attempts=3, first_delay=0)
TABLES = (
    "document_entities", "documents", "entities", "entity_aliases", "event_arguments", "events", "evidence",
    "quarantine", "relation_arguments", "relations", "runs", "schema_version",
)
ARTICLES = {
    "zh.txt": "智东西8月6日消息，OpenAI联合创始人John Schulman于社交媒体X宣布离职，将跳槽至Anthropic。\n",
    "en.txt": "SAN FRANCISCO, May 7, 2025 -- Apple hired Jane Doe as chief financial officer. She joins from Google.\n",
}


def _fresh_schema(admin) -> Iterator[str]:
    """A schema of the test's own, dropped afterwards."""
    name = f"newsx_test_{secrets.token_hex(6)}"
    admin.execute(f"CREATE SCHEMA {name}")
    yield name
    admin.execute(f"DROP SCHEMA {name} CASCADE")


@pytest.fixture
def schema(admin) -> Iterator[str]:
    yield from _fresh_schema(admin)


def url_of(schema: str) -> str:
    """The URL a user passes to write into `schema`: libpq's own options parameter sets the search_path."""
    return f"{ADMIN_URL}?options=-csearch_path%3D{schema}"


def terminate(admin: psycopg.Connection, sink: SqlSink) -> None:
    """Kill the sink's server process, as a restart or a network cut would, and wait until it is gone."""
    pid = sink.connection.info.backend_pid
    admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
        time.sleep(0.01)


@pytest.mark.postgres
def test_the_same_batch_written_twice_adds_no_rows(schema):
    doc_id = "doc_" + "c" * 24
    text = "John Schulman left OpenAI."
    sink = SqlSink.open(url_of(schema))
    for _ in range(2):
        sink.write_batch([make_document(doc_id, text, "John Schulman")], [])
        sink.write_canonical(merge_events([make_event(doc_id, text)]), [])
    assert counts(sink.connection) == {
        "documents": 1, "entities": 1, "entity_aliases": 1, "events": 1, "event_arguments": 3, "evidence": 1,
    }
    sink.close()


@pytest.mark.postgres
def test_hostile_names_go_through_parameterised_and_come_back_intact(schema):
    doc_id = "doc_" + "e" * 24
    text = f"{HOSTILE} left OpenAI."
    sink = SqlSink.open(url_of(schema).replace("postgresql://", "postgres://", 1))
    sink.write_batch([make_document(doc_id, text, HOSTILE)], [])
    sink.write_canonical(merge_events([make_event(doc_id, text, person=HOSTILE)]), [])
    connection = sink.connection
    assert connection.execute("SELECT name FROM entities").fetchall() == [(HOSTILE,)]
    assert connection.execute("SELECT alias FROM entity_aliases").fetchall() == [(HOSTILE,)]
    assert connection.execute("SELECT value FROM event_arguments WHERE role = 'person'").fetchone()[0] == HOSTILE
    assert connection.execute("SELECT text FROM documents").fetchone()[0] == text
    record = orjson.loads(connection.execute("SELECT record FROM events").fetchone()[0])
    assert record["arguments"]["person"]["name"] == HOSTILE
    assert connection.execute("SELECT to_regclass('events') IS NOT NULL").fetchone()[0]
    sink.close()


@pytest.mark.postgres
def test_a_batch_that_fails_midway_leaves_nothing(schema):
    sink = SqlSink.open(url_of(schema))

    def fail_midway() -> None:
        sink._write_batch([make_document("doc_" + "d" * 24, "text", "A")], [])
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        sink.transaction(fail_midway)
    assert counts(sink.connection)["documents"] == 0
    sink.close()


@pytest.mark.postgres
def test_schema_version_is_recorded_once_and_every_table_is_in_the_given_schema(schema, admin):
    SqlSink.open(url_of(schema)).close()
    SqlSink.open(url_of(schema)).close()
    rows = admin.execute(f"SELECT version, applied FROM {schema}.schema_version").fetchall()
    assert [version for version, _ in rows] == [1]
    assert dt.datetime.fromisoformat(rows[0][1]).tzinfo is not None
    tables = admin.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s ORDER BY 1", (schema,))
    assert tuple(name for (name,) in tables.fetchall()) == TABLES
    indexes = {name for (name,) in admin.execute("SELECT indexname FROM pg_indexes WHERE schemaname = %s", (schema,)).fetchall()}
    assert {"events_by_type_date", "event_arguments_by_entity", "entity_aliases_by_alias", "evidence_by_owner"} <= indexes


@pytest.mark.postgres
def test_a_search_path_without_an_existing_schema_is_refused(admin):
    missing = f"newsx_test_{secrets.token_hex(6)}"
    with pytest.raises(ValueError, match=missing):
        SqlSink.open(url_of(missing))


@pytest.mark.postgres
def test_a_connection_lost_mid_batch_is_rolled_back_and_the_batch_replayed(schema, admin, caplog):
    caplog.set_level(logging.WARNING, logger="newsx.pipeline.sink")
    sink = SqlSink.open(url_of(schema), NO_WAIT)
    first, second = make_document("doc_" + "1" * 24, "one", "A"), make_document("doc_" + "2" * 24, "two", "B")
    attempts: list[int] = []

    def write() -> None:
        attempts.append(sink.connection.info.backend_pid)
        sink._write_batch([first], [])
        if len(attempts) == 1:
            terminate(admin, sink)
        sink._write_batch([second], [])

    sink.transaction(write)
    assert len(attempts) == 2 and attempts[0] != attempts[1]
    assert counts(sink.connection)["documents"] == 2
    assert "attempt 1 of 3" in caplog.text
    sink.close()


@pytest.mark.postgres
def test_a_database_that_keeps_failing_gives_a_clear_error_and_a_consistent_database(schema, admin):
    sink = SqlSink.open(url_of(schema), NO_WAIT)

    def write() -> None:
        sink._write_batch([make_document("doc_" + "3" * 24, "three", "C")], [])
        terminate(admin, sink)
        sink._write_batch([make_document("doc_" + "4" * 24, "four", "D")], [])

    with pytest.raises(DatabaseUnavailable, match="failed 3 times in a row; the transaction in progress was rolled back"):
        sink.transaction(write)
    sink.close()
    assert admin.execute(f"SELECT COUNT(*) FROM {schema}.documents").fetchone()[0] == 0


def test_the_password_is_redacted_in_errors_tracebacks_and_logs(caplog):
    caplog.set_level(logging.WARNING, logger="newsx.pipeline.sink")
    with pytest.raises(DatabaseUnavailable) as refused:  # nothing listens on port 1
        SqlSink.open(f"postgresql://user:{PASSWORD}@127.0.0.1:1/test", RetryPolicy(attempts=2, first_delay=0))
    assert "postgresql://user:***@127.0.0.1:1/test" in str(refused.value)
    assert PASSWORD not in "".join(traceback.format_exception(refused.value))
    assert "attempt 1 of 2" in caplog.text and PASSWORD not in caplog.text
    # libpq quotes the part of the URL it cannot parse, here the password itself
    with pytest.raises(ValueError) as malformed:
        SqlSink.open(f"postgresql://user:{PASSWORD}%zz@127.0.0.1:1/test")
    assert "percent-encoded" in str(malformed.value)
    assert PASSWORD not in "".join(traceback.format_exception(malformed.value))


def sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as connection:
        return {table: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in TABLES}


@pytest.mark.postgres
@pytest.mark.slow
def test_the_flow_writes_the_same_rows_to_postgresql_as_to_sqlite(schema, admin, tmp_path):
    source = tmp_path / "corpus"
    source.mkdir()
    for name, text in ARTICLES.items():
        (source / name).write_text(text, "utf-8")
    extract_corpus(source=str(source), out_dir=str(tmp_path / "sqlite"))
    summary = extract_corpus(source=str(source), out_dir=str(tmp_path / "postgresql"), database=url_of(schema))
    postgres_counts = {table: admin.execute(f"SELECT COUNT(*) FROM {schema}.{table}").fetchone()[0] for table in TABLES}
    assert summary.processed == 2 and postgres_counts["documents"] == 2
    assert postgres_counts == sqlite_counts(tmp_path / "sqlite" / "newsx.sqlite")


def table_rows(admin: psycopg.Connection, schema: str) -> dict[str, list[tuple]]:
    """Every row of every table, sorted; of runs only what does not depend on when it ran."""
    rows = {}
    for table in TABLES:
        if table == "schema_version":
            continue
        columns = "run_id, source, read, processed, quarantined, duplicates, times_run" if table == "runs" else "*"
        rows[table] = sorted(admin.execute(f"SELECT {columns} FROM {schema}.{table}").fetchall(), key=repr)
    return rows


def row_counts(admin: psycopg.Connection, schema: str) -> dict[str, int]:
    return {table: admin.execute(f"SELECT COUNT(*) FROM {schema}.{table}").fetchone()[0] for table in TABLES}


def newsx(*args: str) -> list[str]:
    return [sys.executable, "-m", "newsx.cli", *args]


@pytest.fixture
def other_schema(admin) -> Iterator[str]:
    yield from _fresh_schema(admin)


@pytest.fixture
def synthetic(tmp_path, repo) -> Path:
    from newsx.evaluation.bench import base_articles, synthetic_corpus

    folder = tmp_path / "synthetic"
    folder.mkdir()
    synthetic_corpus(base_articles([repo / "sample" / "corpus"]), 40, folder / "articles.jsonl")
    return folder


@pytest.mark.postgres
@pytest.mark.slow
def test_the_same_input_twice_through_the_cli_gives_identical_row_counts(schema, admin, tmp_path, capsys):
    from newsx.cli import main

    source = tmp_path / "corpus"
    source.mkdir()
    for name, text in ARTICLES.items():
        (source / name).write_text(text, "utf-8")
    out = tmp_path / "out"
    assert main(["run", str(source), "--out", str(out), "--db", url_of(schema), "--no-progress"]) == 0
    first, first_rows = row_counts(admin, schema), table_rows(admin, schema)
    assert main(["run", str(source), "--out", str(out), "--db", url_of(schema), "--no-progress"]) == 0
    assert row_counts(admin, schema) == first and first["documents"] == 2 and first["events"] >= 2
    assert table_rows(admin, schema) == {**first_rows, "runs": [(*first_rows["runs"][0][:-1], 2)]}  # times_run 2, nothing else


@pytest.mark.postgres
@pytest.mark.slow
def test_a_run_killed_mid_way_then_rerun_leaves_no_duplicate_and_no_missing_row(schema, other_schema, admin, synthetic, tmp_path):
    out = tmp_path / "killed"
    run = newsx("run", str(synthetic), "--out", str(out), "--db", url_of(schema), "--batch-size", "2", "--no-progress")
    log = (tmp_path / "killed.log").open("wb")
    process = subprocess.Popen(run, stdout=log, stderr=subprocess.STDOUT)
    written = 0
    try:
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and process.poll() is None:
            exists = admin.execute("SELECT to_regclass(%s)", (f"{schema}.documents",)).fetchone()[0]
            written = admin.execute(f"SELECT COUNT(*) FROM {schema}.documents").fetchone()[0] if exists else 0
            if written >= 4:  # a few batches committed, most still to come
                break
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
        log.close()
    assert process.returncode == -signal.SIGKILL, (tmp_path / "killed.log").read_text("utf-8", "replace")[-2000:]
    after_kill = admin.execute(f"SELECT COUNT(*) FROM {schema}.documents").fetchone()[0]
    assert 4 <= after_kill < 40 and after_kill % 2 == 0  # whole batches only
    assert admin.execute(f"SELECT COUNT(*) FROM {schema}.runs").fetchone()[0] == 0

    assert subprocess.run(run, capture_output=True).returncode == 0  # the rerun
    clean = newsx("run", str(synthetic), "--out", str(tmp_path / "clean"), "--db", url_of(other_schema), "--batch-size", "2", "--no-progress")
    assert subprocess.run(clean, capture_output=True).returncode == 0
    assert row_counts(admin, schema) == row_counts(admin, other_schema)
    assert row_counts(admin, schema)["documents"] == 40
    assert table_rows(admin, schema) == table_rows(admin, other_schema)
    assert (out / "documents.jsonl").read_bytes() == (tmp_path / "clean" / "documents.jsonl").read_bytes()
    assert not [path.name for path in out.iterdir() if path.name.endswith(".tmp")]
