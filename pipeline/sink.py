"""Sinks: the same records as JSON Lines files and as database tables.

JSON Lines files are written to a temporary name and renamed when complete,
so a crash never leaves a truncated file behind. Database writes are
idempotent upserts keyed by the stable ids, one transaction per batch.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import orjson

from newsx.schemas import Document, QuarantineRecord, RunSummary
from newsx.schemas.records import EntityRef

JSON_OPTIONS = orjson.OPT_SORT_KEYS


def dumps(record: Any) -> bytes:
    """One canonical JSON line: sorted keys, so equal records are equal bytes."""
    data = record.model_dump(mode="json") if hasattr(record, "model_dump") else record
    return orjson.dumps(data, option=JSON_OPTIONS) + b"\n"


def redact(url: str | None) -> str | None:
    """A database URL safe to print: any password replaced by ***."""
    if url is None:
        return None
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


class JsonlWriter:
    """Append-only JSON Lines file that appears under its name only when closed cleanly."""

    def __init__(self, path: Path):
        self.path = path
        self._tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self._handle: IO[bytes] = self._tmp.open("wb")
        self.count = 0

    def write(self, record: Any) -> None:
        self._handle.write(dumps(record))
        self.count += 1

    def commit(self) -> None:
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        self._handle.close()
        self._tmp.unlink(missing_ok=True)


class JsonlSink:
    """documents.jsonl, events.jsonl, relations.jsonl, quarantine.jsonl and summary.json in one folder."""

    def __init__(self, out_dir: Path):
        out_dir.mkdir(parents=True, exist_ok=True)
        self.out_dir = out_dir
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
        for writer in self.files.values():
            writer.commit()
        tmp = self.out_dir / ".summary.json.tmp"
        tmp.write_bytes(orjson.dumps(summary.model_dump(mode="json"), option=JSON_OPTIONS | orjson.OPT_INDENT_2))
        os.replace(tmp, self.out_dir / "summary.json")

    def abort(self) -> None:
        for writer in self.files.values():
            writer.abort()


# --- SQL ---

SCHEMA_SQL = [
    """CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)""",
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
        confidence REAL NOT NULL, num_sources INTEGER NOT NULL, num_articles INTEGER NOT NULL, record TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS event_arguments (
        event_id TEXT NOT NULL, role TEXT NOT NULL, position INTEGER NOT NULL,
        entity_id TEXT, value TEXT NOT NULL, PRIMARY KEY (event_id, role, position))""",
    """CREATE TABLE IF NOT EXISTS relations (
        relation_id TEXT PRIMARY KEY, type TEXT NOT NULL, start_date TEXT, end_date TEXT,
        ended INTEGER NOT NULL, confidence REAL NOT NULL, record TEXT NOT NULL)""",
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
]
SCHEMA_VERSION = 1


def _row_id(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]


def _upsert(table: str, key: tuple[str, ...], columns: tuple[str, ...]) -> str:
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key) or f"{key[0]} = excluded.{key[0]}"
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"


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


class SqlSink:
    """The tables of one database; SQLite here, PostgreSQL through the same statements."""

    def __init__(self, connection: Any):
        self.connection = connection
        self.migrate()

    @classmethod
    def open(cls, url: str) -> SqlSink:
        if url.startswith("sqlite:///"):
            path = Path(url.removeprefix("sqlite:///"))
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(path, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA foreign_keys=ON")
            return cls(connection)
        raise ValueError(f"unsupported database URL {redact(url)!r}: use sqlite:///PATH")

    def _execute(self, sql: str, params: tuple = ()) -> None:
        self.connection.execute(sql, params)

    def _begin(self) -> None:
        self.connection.execute("BEGIN")

    def _commit(self) -> None:
        self.connection.execute("COMMIT")

    def _rollback(self) -> None:
        self.connection.execute("ROLLBACK")

    def migrate(self) -> None:
        self._begin()
        try:
            for statement in SCHEMA_SQL:
                self._execute(statement)
            self._execute(
                _upsert("schema_version", ("version",), ("version", "applied")), (SCHEMA_VERSION, f"newsx schema {SCHEMA_VERSION}")
            )
            self._commit()
        except BaseException:
            self._rollback()
            raise

    def transaction(self, write: Any) -> None:
        """Run `write()` in one transaction: all of a batch lands, or none of it."""
        self._begin()
        try:
            write()
            self._commit()
        except BaseException:
            self._rollback()
            raise

    def write_batch(self, documents: list[Document], quarantine: list[QuarantineRecord]) -> None:
        self.transaction(lambda: self._write_batch(documents, quarantine))

    def _write_batch(self, documents: list[Document], quarantine: list[QuarantineRecord]) -> None:
        for document in documents:
            self._execute(
                _upsert(
                    "documents",
                    ("document_id",),
                    ("document_id", "source", "title", "author", "published", "languages", "text", "pipeline_version", "record"),
                ),
                (
                    document.document_id,
                    document.source,
                    document.title,
                    document.author,
                    document.published,
                    ",".join(document.languages),
                    document.text,
                    document.provenance.pipeline_version,
                    dumps(document).decode(),
                ),
            )
            for entity in document.entities:
                self._execute(_upsert("entities", ("entity_id",), ("entity_id", "name", "type")), (entity.entity_id, entity.name, entity.type))
                for alias in {entity.name, *entity.mentions}:
                    self._execute(_upsert("entity_aliases", ("entity_id", "alias"), ("entity_id", "alias")), (entity.entity_id, alias))
                self._execute(
                    _upsert("document_entities", ("document_id", "entity_id"), ("document_id", "entity_id")),
                    (document.document_id, entity.entity_id),
                )
        for record in quarantine:
            self._execute(
                _upsert("quarantine", ("quarantine_id",), ("quarantine_id", "source", "stage", "reason", "detail")),
                (_row_id(record.source, record.stage, record.reason), record.source, record.stage, record.reason, record.detail),
            )

    def write_canonical(self, events: list[Any], relations: list[Any]) -> None:
        self.transaction(lambda: self._write_canonical(events, relations))

    def _write_canonical(self, events: list[Any], relations: list[Any]) -> None:
        for event in events:
            self._execute(
                _upsert(
                    "events",
                    ("event_id",),
                    ("event_id", "type", "date", "modality", "confidence", "num_sources", "num_articles", "record"),
                ),
                (event.event_id, event.type, event.date, event.modality, event.confidence, event.num_sources, event.num_articles, dumps(event).decode()),
            )
            self._execute("DELETE FROM event_arguments WHERE event_id = ?", (event.event_id,))
            for role, position, entity_id, value in _arguments(event):
                self._execute(
                    "INSERT INTO event_arguments (event_id, role, position, entity_id, value) VALUES (?, ?, ?, ?, ?)",
                    (event.event_id, role, position, entity_id, value),
                )
            self._write_evidence(event.event_id, event.evidence)
        for relation in relations:
            self._execute(
                _upsert("relations", ("relation_id",), ("relation_id", "type", "start_date", "end_date", "ended", "confidence", "record")),
                (relation.relation_id, relation.type, relation.start, relation.end, int(relation.ended), relation.confidence, dumps(relation).decode()),
            )
            self._execute("DELETE FROM relation_arguments WHERE relation_id = ?", (relation.relation_id,))
            for role, _position, entity_id, value in _arguments(relation):
                self._execute(
                    "INSERT INTO relation_arguments (relation_id, role, entity_id, value) VALUES (?, ?, ?, ?)",
                    (relation.relation_id, role, entity_id, value),
                )
            self._write_evidence(relation.relation_id, relation.evidence)

    def _write_evidence(self, owner_id: str, evidence: list[Any]) -> None:
        for item in evidence:
            self._execute(
                _upsert("evidence", ("evidence_id",), ("evidence_id", "owner_id", "document_id", "start_offset", "end_offset", "text", "language")),
                (_row_id(owner_id, item.document_id, item.start, item.end), owner_id, item.document_id, item.start, item.end, item.text, item.language),
            )

    def write_run(self, summary: RunSummary) -> None:
        def write() -> None:
            self._execute(
                "INSERT INTO runs (run_id, source, started, finished, read, processed, quarantined, duplicates, times_run, summary)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT (run_id) DO UPDATE SET"
                " started = excluded.started, finished = excluded.finished, read = excluded.read,"
                " processed = excluded.processed, quarantined = excluded.quarantined, duplicates = excluded.duplicates,"
                " times_run = runs.times_run + 1, summary = excluded.summary",
                (
                    summary.run_id,
                    summary.source,
                    summary.started.isoformat(),
                    summary.finished.isoformat(),
                    summary.read,
                    summary.processed,
                    summary.quarantined,
                    summary.duplicates,
                    dumps(summary).decode(),
                ),
            )

        self.transaction(write)

    def close(self) -> None:
        self.connection.close()

