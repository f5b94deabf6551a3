"""`newsx export`: the database tables as Parquet files for warehouses (DuckDB, pandas, Spark).

Every table of a run's database (SQLite or PostgreSQL) becomes one Parquet file with an explicit,
stable column schema (`TABLES` below): the same columns, types and order on every export, whatever
the database and whether or not the table has rows. Rows are ordered by their primary key, so the
same database gives the same files. Each file is written to a temporary name and renamed when
complete.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from newsx.pipeline.sink import SqlSink, dialect_of, redact

ROWS_PER_GROUP = 10_000


def _languages(value: str | None) -> list[str]:
    return [language for language in (value or "").split(",") if language]


def _timestamp(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value).astimezone(dt.timezone.utc)


@dataclass(frozen=True)
class Table:
    """One exported table: its database table, primary key, the Parquet schema, and per-column conversions."""

    name: str
    key: tuple[str, ...]
    schema: pa.Schema
    convert: dict[str, Callable[[Any], Any]]

    @property
    def columns(self) -> list[str]:
        return self.schema.names


def _table(name: str, key: tuple[str, ...], *fields: pa.Field, convert: dict[str, Callable[[Any], Any]] | None = None) -> Table:
    return Table(name, key, pa.schema(list(fields), metadata={b"newsx.table": name.encode()}), convert or {})


def _text(name: str, nullable: bool = False) -> pa.Field:
    return pa.field(name, pa.string(), nullable=nullable)


def _integer(name: str) -> pa.Field:
    return pa.field(name, pa.int64(), nullable=False)


# The column schema of every exported table. A new column is appended, never reordered or retyped.
TABLES: tuple[Table, ...] = (
    _table(
        "documents", ("document_id",),
        _text("document_id"), _text("source"), _text("title", True), _text("author", True), _text("published", True),
        # "element": Parquet's own name for list items, so the schema reads back exactly as declared
        pa.field("languages", pa.list_(pa.field("element", pa.string(), nullable=False)), nullable=False),
        _text("text"), _text("pipeline_version"), _text("record"),
        convert={"languages": _languages},
    ),
    _table("entities", ("entity_id",), _text("entity_id"), _text("name"), _text("type")),
    _table("entity_aliases", ("entity_id", "alias"), _text("entity_id"), _text("alias")),
    _table("document_entities", ("document_id", "entity_id"), _text("document_id"), _text("entity_id")),
    _table(
        "events", ("event_id",),
        _text("event_id"), _text("type"), _text("date", True), _text("modality"),
        pa.field("confidence", pa.float64(), nullable=False), _integer("num_sources"), _integer("num_articles"), _text("record"),
    ),
    _table(
        "event_arguments", ("event_id", "role", "position"),
        _text("event_id"), _text("role"), _integer("position"), _text("entity_id", True), _text("value"),
    ),
    _table(
        "relations", ("relation_id",),
        _text("relation_id"), _text("type"), _text("start_date", True), _text("end_date", True),
        pa.field("ended", pa.bool_(), nullable=False), pa.field("confidence", pa.float64(), nullable=False), _text("record"),
        convert={"ended": bool},
    ),
    _table(
        "relation_arguments", ("relation_id", "role"),
        _text("relation_id"), _text("role"), _text("entity_id", True), _text("value"),
    ),
    _table(
        "evidence", ("evidence_id",),
        _text("evidence_id"), _text("owner_id"), _text("document_id"), _integer("start_offset"), _integer("end_offset"),
        _text("text"), _text("language", True),
    ),
    _table(
        "quarantine", ("quarantine_id",),
        _text("quarantine_id"), _text("source"), _text("stage"), _text("reason"), _text("detail", True),
    ),
    _table(
        "runs", ("run_id",),
        _text("run_id"), _text("source"),
        pa.field("started", pa.timestamp("us", tz="UTC"), nullable=False), pa.field("finished", pa.timestamp("us", tz="UTC"), nullable=False),
        _integer("read"), _integer("processed"), _integer("quarantined"), _integer("duplicates"), _integer("times_run"), _text("summary"),
        convert={"started": _timestamp, "finished": _timestamp},
    ),
)
FORMATS = ("parquet",)


def _rows(sink: SqlSink, table: Table) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of `table` in primary-key order, in chunks."""
    statement = f"SELECT {', '.join(table.columns)} FROM {table.name} ORDER BY {', '.join(table.key)}"
    cursor = sink.connection.cursor()
    try:
        cursor.execute(sink.dialect.sql(statement))
        while chunk := cursor.fetchmany(ROWS_PER_GROUP):
            yield chunk
    finally:
        cursor.close()


def _batch(table: Table, chunk: list[tuple[Any, ...]]) -> pa.RecordBatch:
    arrays = []
    for index, field in enumerate(table.schema):
        convert = table.convert.get(field.name)
        values = [row[index] for row in chunk]
        if convert is not None:
            values = [convert(value) for value in values]
        arrays.append(pa.array(values, type=field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=table.schema)


def export_table(sink: SqlSink, table: Table, path: Path) -> int:
    """Write `table` to `path` (Parquet, zstd); return its row count."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    count = 0
    try:
        with pq.ParquetWriter(tmp, table.schema, compression="zstd") as writer:
            for chunk in _rows(sink, table):
                writer.write_batch(_batch(table, chunk))
                count += len(chunk)
            if not count:
                writer.write_table(table.schema.empty_table())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return count


def export(database: str, destination: Path, format: str = "parquet") -> dict[str, int]:
    """Every table of `database` as `destination/<table>.parquet`; return the row count per table."""
    if format not in FORMATS:
        raise ValueError(f"unsupported export format {format!r}: use {' or '.join(FORMATS)}")
    if dialect_of(database).name == "SQLite":
        path = Path(database.removeprefix("sqlite:///"))
        if not path.is_file():  # opening it would create an empty database
            raise FileNotFoundError(f"no database at {path}: pass the --out folder of `newsx run`, or --db URL")
    destination.mkdir(parents=True, exist_ok=True)
    sink = SqlSink.open(database)
    try:
        if sink.connection is None:
            sink.connection = sink.dialect.connect(database)
        return {table.name: export_table(sink, table, destination / f"{table.name}.parquet") for table in TABLES}
    finally:
        sink.close()


def database_of(out: Path, database: str | None) -> str:
    """The database a run into `out` wrote: `database`, else newsx.toml's, else OUT/newsx.sqlite."""
    if database:
        return database
    from newsx.config import load_settings

    configured = load_settings().database
    return configured.get_secret_value() if configured else f"sqlite:///{out / 'newsx.sqlite'}"


def describe(database: str) -> str:
    return str(redact(database))
