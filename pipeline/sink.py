"""Sinks: the same records as JSON Lines files and as database tables.

JSON Lines files are written to a temporary name and renamed when complete,
so a crash never leaves a truncated file behind. Database writes are
idempotent upserts keyed by the stable ids, one transaction per batch.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import itertools
import logging
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote

import orjson
import psycopg

from newsx.schemas import Document, QuarantineRecord, RunSummary
from newsx.schemas.records import EntityRef

JSON_OPTIONS = orjson.OPT_SORT_KEYS
logger = logging.getLogger(__name__)


def dumps(record: Any) -> bytes:
    """One canonical JSON line: sorted keys, so equal records are equal bytes."""
    data = record.model_dump(mode="json") if hasattr(record, "model_dump") else record
    return orjson.dumps(data, option=JSON_OPTIONS) + b"\n"


# user:PASSWORD@ up to the last @ (an unencoded @ in a password stays hidden), and password=… in a
# query or a libpq key=value string, quoted or not.
_USERINFO_PASSWORD = re.compile(r"(://[^/?#@:]*:)(.*)@", re.DOTALL)
_PARAMETER_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^&\s]*)", re.IGNORECASE)


def redact(url: str | None) -> str | None:
    """A database URL safe to print: any password replaced by ***."""
    return None if url is None else _redact_text(url)


def _redact_text(text: str) -> str:
    return _PARAMETER_PASSWORD.sub(r"\1***", _USERINFO_PASSWORD.sub(r"\1***@", text, count=1))


def _scrub(message: str, url: str) -> str:
    """`message` without the password of `url` in any form: libpq may quote the URL in its errors."""
    secrets = [m.group(2) for m in _USERINFO_PASSWORD.finditer(url)]
    secrets += [m.group(2).strip("'") for m in _PARAMETER_PASSWORD.finditer(url)]
    for secret in sorted({form for s in secrets for form in (s, unquote(s)) if form}, key=len, reverse=True):
        message = message.replace(secret, "***")
    return _redact_text(message)


class OutputUnwritable(OSError):
    """An output file could not be written (disk full, quota, I/O error): its temporary file was
    removed, and the file under its final name, if any, is still the complete one of an earlier run."""


# `.NAME.PID.tmp`: the temporary files of a run (JSON Lines, the spill file, changes), by process id.
_TEMPORARY = re.compile(r"^\..+\.(\d+)\.tmp$")


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove the temporary files that runs killed before their end left in `folder` (their process
    is gone); return them. A live run's files are left alone."""
    removed = []
    for path in folder.iterdir() if folder.is_dir() else ():
        match = _TEMPORARY.match(path.name)
        if match and int(match.group(1)) != os.getpid() and not _running(int(match.group(1))) and path.is_file():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


class JsonlWriter:
    """Append-only JSON Lines file that appears under its name only when closed cleanly.

    The lines go to `.NAME.PID.tmp` beside it; `commit` flushes and fsyncs it (`flush`), then
    renames it over NAME (`publish`). A failed write (ENOSPC, EIO, ...) raises OutputUnwritable,
    and `abort` removes the temporary file: a truncated line never appears under NAME."""

    def __init__(self, path: Path):
        self.path = path
        self._tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self._handle: IO[bytes] = self._tmp.open("wb")
        self.count = 0

    def _failed(self, error: OSError) -> OutputUnwritable:
        return OutputUnwritable(
            error.errno or errno.EIO,
            f"could not write {self.path} ({error.strerror or error}): nothing was written under that name;"
            " the file there, if any, is still the complete one of an earlier run",
        )

    def write(self, record: Any) -> None:
        try:
            self._handle.write(dumps(record))
        except OSError as error:
            raise self._failed(error) from error
        self.count += 1

    def flush(self) -> None:
        """Everything written on disk (the data a rename would publish)."""
        try:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
        except OSError as error:
            raise self._failed(error) from error

    def publish(self) -> None:
        os.replace(self._tmp, self.path)

    def commit(self) -> None:
        self.flush()
        self.publish()

    def abort(self) -> None:
        with contextlib.suppress(OSError):  # closing flushes the buffer: on a full disk that fails too
            self._handle.close()
        self._tmp.unlink(missing_ok=True)


class JsonlSink:
    """documents.jsonl, events.jsonl, relations.jsonl, quarantine.jsonl and summary.json in one folder."""

    def __init__(self, out_dir: Path):
        out_dir.mkdir(parents=True, exist_ok=True)
        self.out_dir = out_dir
        remove_stale_temporaries(out_dir)  # left by a run killed before its end
        self.files = {name: JsonlWriter(out_dir / f"{name}.jsonl") for name in ("documents", "events", "relations", "quarantine")}

    def write_documents(self, documents: Iterable[Document]) -> None:
        for document in documents:
            self.files["documents"].write(document)

    def write_quarantine(self, records: Iterable[QuarantineRecord]) -> None:
        for record in records:
            self.files["quarantine"].write(record)

    def write_canonical(self, events: Iterable[Any], relations: Iterable[Any]) -> None:
        for event in events:
            self.files["events"].write(event)
        for relation in relations:
            self.files["relations"].write(relation)

    def close(self, summary: RunSummary) -> None:
        """Publish every file: all written and fsynced first (where a full disk shows), then renamed."""
        for writer in self.files.values():
            writer.flush()
        tmp = self._summary_tmp()
        try:
            with tmp.open("wb") as handle:
                handle.write(orjson.dumps(summary.model_dump(mode="json"), option=JSON_OPTIONS | orjson.OPT_INDENT_2))
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as error:
            raise OutputUnwritable(error.errno or errno.EIO, f"could not write {self.out_dir / 'summary.json'} ({error.strerror or error})") from error
        for writer in self.files.values():
            writer.publish()
        os.replace(tmp, self.out_dir / "summary.json")

    def _summary_tmp(self) -> Path:
        return self.out_dir / f".summary.json.{os.getpid()}.tmp"

    def abort(self) -> None:
        for writer in self.files.values():
            writer.abort()
        self._summary_tmp().unlink(missing_ok=True)


# --- SQL ---
#
# One set of statements for both databases: written with `?` placeholders (sqlite3), which the
# PostgreSQL dialect turns into `%s` (psycopg binds them server-side). No statement contains a
# literal `?` or `%`. The types mean the same in both: TEXT, INTEGER, DOUBLE PRECISION (REAL would
# be a 4-byte float in PostgreSQL).

SCHEMA_VERSION_TABLE = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)"
SCHEMA_V1 = (
    """CREATE TABLE IF NOT EXISTS runs (
        run_id TEXT PRIMARY KEY, source TEXT NOT NULL, started TEXT NOT NULL, finished TEXT NOT NULL,
        read INTEGER NOT NULL, processed INTEGER NOT NULL, quarantined INTEGER NOT NULL,
        duplicates INTEGER NOT NULL, times_run INTEGER NOT NULL, summary TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS documents (
        document_id TEXT PRIMARY KEY, source TEXT NOT NULL, title TEXT, author TEXT, published TEXT,
        languages TEXT NOT NULL, text TEXT NOT NULL, pipeline_version TEXT NOT NULL, record TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS entities (entity_id TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS entity_aliases (
        entity_id TEXT NOT NULL, alias TEXT NOT NULL, PRIMARY KEY (entity_id, alias))""",
    """CREATE TABLE IF NOT EXISTS document_entities (
        document_id TEXT NOT NULL, entity_id TEXT NOT NULL, PRIMARY KEY (document_id, entity_id))""",
    """CREATE TABLE IF NOT EXISTS events (
        event_id TEXT PRIMARY KEY, type TEXT NOT NULL, date TEXT, modality TEXT NOT NULL,
        confidence DOUBLE PRECISION NOT NULL, num_sources INTEGER NOT NULL, num_articles INTEGER NOT NULL,
        record TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS event_arguments (
        event_id TEXT NOT NULL, role TEXT NOT NULL, position INTEGER NOT NULL,
        entity_id TEXT, value TEXT NOT NULL, PRIMARY KEY (event_id, role, position))""",
    """CREATE TABLE IF NOT EXISTS relations (
        relation_id TEXT PRIMARY KEY, type TEXT NOT NULL, start_date TEXT, end_date TEXT,
        ended INTEGER NOT NULL, confidence DOUBLE PRECISION NOT NULL, record TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS relation_arguments (
        relation_id TEXT NOT NULL, role TEXT NOT NULL, entity_id TEXT, value TEXT NOT NULL,
        PRIMARY KEY (relation_id, role))""",
    """CREATE TABLE IF NOT EXISTS evidence (
        evidence_id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, document_id TEXT NOT NULL,
        start_offset INTEGER NOT NULL, end_offset INTEGER NOT NULL, text TEXT NOT NULL, language TEXT)""",
    """CREATE TABLE IF NOT EXISTS quarantine (
        quarantine_id TEXT PRIMARY KEY, source TEXT NOT NULL, stage TEXT NOT NULL, reason TEXT NOT NULL, detail TEXT)""",
    "CREATE INDEX IF NOT EXISTS events_by_type_date ON events (type, date)",
    "CREATE INDEX IF NOT EXISTS event_arguments_by_entity ON event_arguments (entity_id)",
    "CREATE INDEX IF NOT EXISTS entity_aliases_by_alias ON entity_aliases (alias)",
    "CREATE INDEX IF NOT EXISTS evidence_by_owner ON evidence (owner_id)",
)
# Version N is MIGRATIONS[N - 1]; a new schema change is a new entry, never an edit of an applied one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (SCHEMA_V1,)
SCHEMA_VERSION = len(MIGRATIONS)
# Any fixed number: it serialises concurrent migrations of one PostgreSQL database ("news" in ASCII).
MIGRATION_LOCK_KEY = 0x6E657773


def _row_id(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]


def _upsert(table: str, key: tuple[str, ...], columns: tuple[str, ...]) -> str:
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key) or f"{key[0]} = excluded.{key[0]}"
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"


UPSERT_DOCUMENT = _upsert(
    "documents",
    ("document_id",),
    ("document_id", "source", "title", "author", "published", "languages", "text", "pipeline_version", "record"),
)
UPSERT_ENTITY = _upsert("entities", ("entity_id",), ("entity_id", "name", "type"))
UPSERT_ALIAS = _upsert("entity_aliases", ("entity_id", "alias"), ("entity_id", "alias"))
UPSERT_DOCUMENT_ENTITY = _upsert("document_entities", ("document_id", "entity_id"), ("document_id", "entity_id"))
UPSERT_QUARANTINE = _upsert("quarantine", ("quarantine_id",), ("quarantine_id", "source", "stage", "reason", "detail"))
UPSERT_EVENT = _upsert(
    "events", ("event_id",), ("event_id", "type", "date", "modality", "confidence", "num_sources", "num_articles", "record")
)
DELETE_EVENT_ARGUMENTS = "DELETE FROM event_arguments WHERE event_id = ?"
UPSERT_EVENT_ARGUMENT = _upsert(
    "event_arguments", ("event_id", "role", "position"), ("event_id", "role", "position", "entity_id", "value")
)
UPSERT_RELATION = _upsert(
    "relations", ("relation_id",), ("relation_id", "type", "start_date", "end_date", "ended", "confidence", "record")
)
DELETE_RELATION_ARGUMENTS = "DELETE FROM relation_arguments WHERE relation_id = ?"
UPSERT_RELATION_ARGUMENT = _upsert("relation_arguments", ("relation_id", "role"), ("relation_id", "role", "entity_id", "value"))
UPSERT_EVIDENCE = _upsert(
    "evidence",
    ("evidence_id",),
    ("evidence_id", "owner_id", "document_id", "start_offset", "end_offset", "text", "language"),
)
UPSERT_RUN = (
    "INSERT INTO runs (run_id, source, started, finished, read, processed, quarantined, duplicates, times_run, summary)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT (run_id) DO UPDATE SET"
    " started = excluded.started, finished = excluded.finished, read = excluded.read,"
    " processed = excluded.processed, quarantined = excluded.quarantined, duplicates = excluded.duplicates,"
    " times_run = runs.times_run + 1, summary = excluded.summary"
)

# Rows to write, grouped by statement in first-use order, so each statement runs once per
# transaction through executemany (one round trip per statement in psycopg's pipeline mode).
Rows = dict[str, list[tuple[Any, ...]]]


def _add(rows: Rows, statement: str, *values: Any) -> None:
    rows.setdefault(statement, []).append(values)


def _arguments(record: Any) -> Iterable[tuple[str, int, str | None, str]]:
    """(role, position, entity_id, value) of every argument of an event or relation."""
    for role, value in record.arguments:
        values = value if isinstance(value, list) else [value]
        for position, item in enumerate(values):
            if item is None:
                continue
            if isinstance(item, EntityRef):
                yield role, position, item.entity_id, item.name
            elif hasattr(item, "model_dump"):
                yield role, position, None, orjson.dumps(item.model_dump(mode="json"), option=JSON_OPTIONS).decode()
            else:
                yield role, position, None, str(item)


def _document_rows(documents: list[Document], quarantine: list[QuarantineRecord]) -> Rows:
    rows: Rows = {}
    for document in documents:
        _add(
            rows,
            UPSERT_DOCUMENT,
            document.document_id,
            document.source,
            document.title,
            document.author,
            document.published,
            ",".join(document.languages),
            document.text,
            document.provenance.pipeline_version,
            dumps(document).decode(),
        )
        for entity in document.entities:
            _add(rows, UPSERT_ENTITY, entity.entity_id, entity.name, entity.type)
            for alias in sorted({entity.name, *entity.mentions}):
                _add(rows, UPSERT_ALIAS, entity.entity_id, alias)
            _add(rows, UPSERT_DOCUMENT_ENTITY, document.document_id, entity.entity_id)
    for record in quarantine:
        quarantine_id = _row_id(record.source, record.stage, record.reason)
        _add(rows, UPSERT_QUARANTINE, quarantine_id, record.source, record.stage, record.reason, record.detail)
    return rows


def _canonical_rows(events: list[Any], relations: list[Any]) -> Rows:
    """Canonical events and relations; their argument rows are replaced, since a re-merge may drop one."""
    rows: Rows = {}
    for event in events:
        _add(
            rows,
            UPSERT_EVENT,
            event.event_id,
            event.type,
            event.date,
            event.modality,
            event.confidence,
            event.num_sources,
            event.num_articles,
            dumps(event).decode(),
        )
        _add(rows, DELETE_EVENT_ARGUMENTS, event.event_id)
        for role, position, entity_id, value in _arguments(event):
            _add(rows, UPSERT_EVENT_ARGUMENT, event.event_id, role, position, entity_id, value)
        _add_evidence(rows, event.event_id, event.evidence)
    for relation in relations:
        _add(
            rows,
            UPSERT_RELATION,
            relation.relation_id,
            relation.type,
            relation.start,
            relation.end,
            int(relation.ended),
            relation.confidence,
            dumps(relation).decode(),
        )
        _add(rows, DELETE_RELATION_ARGUMENTS, relation.relation_id)
        for role, _position, entity_id, value in _arguments(relation):
            _add(rows, UPSERT_RELATION_ARGUMENT, relation.relation_id, role, entity_id, value)
        _add_evidence(rows, relation.relation_id, relation.evidence)
    return rows


def _chunks(records: Iterable[Any], size: int = 1000) -> Iterable[list[Any]]:
    iterator = iter(records)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _add_evidence(rows: Rows, owner_id: str, evidence: list[Any]) -> None:
    for item in evidence:
        evidence_id = _row_id(owner_id, item.document_id, item.start, item.end)
        _add(rows, UPSERT_EVIDENCE, evidence_id, owner_id, item.document_id, item.start, item.end, item.text, item.language)


def _run_rows(summary: RunSummary) -> Rows:
    rows: Rows = {}
    _add(
        rows,
        UPSERT_RUN,
        summary.run_id,
        summary.source,
        summary.started.isoformat(),
        summary.finished.isoformat(),
        summary.read,
        summary.processed,
        summary.quarantined,
        summary.duplicates,
        dumps(summary).decode(),
    )
    return rows


# --- databases ---


class DatabaseUnavailable(RuntimeError):
    """The database kept failing after every retry; the transaction in progress was rolled back."""


@dataclass(frozen=True)
class RetryPolicy:
    """How patiently to retry a transient failure (connection refused or lost, deadlock): pauses double."""

    attempts: int = 5
    first_delay: float = 0.5

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.first_delay < 0:
            raise ValueError(f"a retry policy needs at least one attempt and no negative pause: {self}")

    def delay(self, failed_attempts: int) -> float:
        return self.first_delay * 2 ** (failed_attempts - 1)


@dataclass(frozen=True)
class Dialect:
    """What differs between the databases; the statements and the transactions are shared."""

    name: str
    connect: Callable[[str], Any]
    placeholder: str
    transient: tuple[type[Exception], ...]
    migration_lock: str | None

    def sql(self, statement: str) -> str:
        return statement.replace("?", self.placeholder)


def _connect_sqlite(url: str) -> sqlite3.Connection:
    path = Path(url.removeprefix("sqlite:///"))
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA foreign_keys=ON")
    return connection


def _connect_postgres(url: str) -> psycopg.Connection:
    """A connection in autocommit mode, so that BEGIN and COMMIT are ours, as with sqlite3.

    The tables go to current_schema(): the first schema of the search_path (e.g. from
    `?options=-csearch_path%3Dnewsx`) that exists. When none exists, nothing is created.
    """
    try:
        connection = psycopg.connect(url, autocommit=True)
    except psycopg.ProgrammingError as error:  # libpq could not parse the URL, and may quote it
        raise ValueError(f"invalid PostgreSQL URL {redact(url)!r}: {_scrub(str(error), url).strip()}") from None
    row = connection.execute("SELECT current_schema(), current_setting('search_path')").fetchone()
    if row is None or row[0] is None:
        search_path = row[1] if row else ""
        connection.close()
        raise ValueError(
            f"no schema of the search_path {search_path!r} exists in {redact(url)!r}:"
            " create it (CREATE SCHEMA) or fix options=-csearch_path%3D… in the URL"
        )
    return connection


DATABASE_ERRORS = (sqlite3.Error, psycopg.Error)
SQLITE = Dialect("SQLite", _connect_sqlite, "?", (), None)
POSTGRESQL = Dialect(
    "PostgreSQL", _connect_postgres, "%s", (psycopg.OperationalError,), f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})"
)


def dialect_of(url: str) -> Dialect:
    """The dialect named by the URL scheme."""
    if url.startswith("sqlite:///"):
        return SQLITE
    if url.startswith(("postgresql://", "postgres://")):
        return POSTGRESQL
    raise ValueError(
        f"unsupported database URL {redact(url)!r}: use sqlite:///PATH"
        " or postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?options=-csearch_path%3DSCHEMA]"
    )


class SqlSink:
    """The tables of one database, SQLite or PostgreSQL, through the same statements.

    Every write is one transaction. A transient failure (psycopg.OperationalError) rolls it back,
    reconnects and replays it, pausing longer each time; when the retries run out,
    DatabaseUnavailable says so, with the password redacted.
    """

    def __init__(self, url: str, retry: RetryPolicy | None = None):
        self.dialect = dialect_of(url)
        self.retry = retry or RetryPolicy()
        self._url = url
        self.connection: Any = None
        self.migrate()

    @classmethod
    def open(cls, url: str, retry: RetryPolicy | None = None) -> SqlSink:
        """The sink of `url` (sqlite:///PATH, postgresql://… or postgres://…), its schema up to date."""
        return cls(url, retry)

    def _execute(self, statement: str, params: tuple[Any, ...] = ()) -> None:
        self.connection.execute(self.dialect.sql(statement), params)

    def _query(self, statement: str, params: tuple[Any, ...] = ()) -> list[Any]:
        return self.connection.execute(self.dialect.sql(statement), params).fetchall()

    def _write(self, rows: Rows) -> None:
        cursor = self.connection.cursor()
        try:
            for statement, values in rows.items():
                cursor.executemany(self.dialect.sql(statement), values)
        finally:
            cursor.close()

    def migrate(self) -> None:
        """Apply the schema versions the database lacks, each recorded in schema_version with the time it was applied."""

        def apply() -> None:
            if self.dialect.migration_lock:
                self._execute(self.dialect.migration_lock)
            self._execute(SCHEMA_VERSION_TABLE)
            applied = {row[0] for row in self._query("SELECT version FROM schema_version")}
            for version, statements in enumerate(MIGRATIONS, start=1):
                if version in applied:
                    continue
                for statement in statements:
                    self._execute(statement)
                now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
                self._execute("INSERT INTO schema_version (version, applied) VALUES (?, ?)", (version, now))

        self.transaction(apply)

    def transaction(self, write: Callable[[], None]) -> None:
        """Run `write()` in one transaction: all of a batch lands, or none of it; transient failures are retried."""
        for attempt in range(1, self.retry.attempts + 1):
            try:
                self._attempt(write)
                return
            except self.dialect.transient as error:
                message = _scrub(str(error), self._url).strip()
                if attempt == self.retry.attempts:
                    raise DatabaseUnavailable(
                        f"{self.dialect.name} database {redact(self._url)!r} failed {attempt} times in a row; the transaction"
                        f" in progress was rolled back, nothing of it was written. Last error: {message}"
                    ) from None
                delay = self.retry.delay(attempt)
                logger.warning(
                    "%s database %r failed (attempt %d of %d), retrying in %.1f s: %s",
                    self.dialect.name, redact(self._url), attempt, self.retry.attempts, delay, message,
                )
                time.sleep(delay)

    def _attempt(self, write: Callable[[], None]) -> None:
        if self.connection is None:
            self.connection = self.dialect.connect(self._url)
        try:
            self._execute("BEGIN")
            write()
            self._execute("COMMIT")
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        """Undo the open transaction. A connection that cannot (lost, or interrupted mid-statement) is
        dropped instead, which undoes it just the same, and the error that got us here stays the one raised."""
        try:
            self._execute("ROLLBACK")
        except DATABASE_ERRORS:
            self._disconnect()

    def _disconnect(self) -> None:
        with contextlib.suppress(*DATABASE_ERRORS):
            self.connection.close()
        self.connection = None

    def write_batch(self, documents: list[Document], quarantine: list[QuarantineRecord]) -> None:
        self.transaction(lambda: self._write_batch(documents, quarantine))

    def _write_batch(self, documents: list[Document], quarantine: list[QuarantineRecord]) -> None:
        self._write(_document_rows(documents, quarantine))

    def write_canonical(self, events: Iterable[Any], relations: Iterable[Any]) -> None:
        """Canonical events and relations in one transaction, a chunk of rows at a time (`events` and
        `relations` are iterated again when the transaction is retried)."""

        def write() -> None:
            for chunk in _chunks(events):
                self._write(_canonical_rows(chunk, []))
            for chunk in _chunks(relations):
                self._write(_canonical_rows([], chunk))

        self.transaction(write)

    def write_run(self, summary: RunSummary) -> None:
        self.transaction(lambda: self._write(_run_rows(summary)))

    def close(self) -> None:
        if self.connection is not None:
            self._disconnect()
