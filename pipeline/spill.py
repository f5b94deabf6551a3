"""What a run remembers until its end, kept on disk so that memory stays flat however large the corpus.

`extract_corpus` needs, after its last batch: every document id it has seen (to count duplicates),
every source it read (to find stale documents in the database), the ids it processed and the
sources it quarantined (for the run id), the entity ids (a count), and every document's events
and relations (for the cross-document merge). A `RunSpill` holds them in a private SQLite file in
the output folder (`.spill.PID.tmp`, removed at the end; one a killed run leaves behind is
removed by the next run, see newsx.pipeline.sink.remove_stale_temporaries).

The merge streams: records come back grouped by their merge key (pipeline/merge.py `record_key`),
in the order they were extracted within a group, so `merge_group` forms the same clusters as
merging the whole list in memory; canonical records go back to the file and are read out in id
order. Only one record, the clusters of one key's group (merge._Cluster) and one chunk of rows
are in memory at a time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from collections.abc import Iterator
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson

from newsx.pipeline import merge
from newsx.schemas import Document, Provenance
from newsx.schemas import records as schema

CHUNK = 1000  # rows fetched per query while streaming


def _record_classes() -> dict[str, type]:
    classes: dict[str, type] = {}
    pending = [schema.EventBase, schema.RelationBase]
    while pending:
        cls = pending.pop()
        classes[cls.__name__] = cls
        pending.extend(cls.__subclasses__())
    return classes


def _text(value: str) -> bytes:
    """A source or id as stored: UTF-8 (lone surrogates of undecodable file names kept), so that
    ORDER BY compares as Python compares the strings (by code point)."""
    return value.encode("utf-8", "surrogatepass")


def _str(value: bytes) -> str:
    return value.decode("utf-8", "surrogatepass")


class RunSpill:
    """A run's bookkeeping and per-document events and relations, in a temporary SQLite file."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f".spill.{os.getpid()}.tmp"
        self.path.unlink(missing_ok=True)
        # Throwaway data: no journal, no fsync. isolation_level=None: transactions are ours.
        self.db = sqlite3.connect(self.path, isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "temp_store=FILE", "cache_size=-8192"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(
            """
            CREATE TABLE seen (document_id BLOB PRIMARY KEY) WITHOUT ROWID;
            CREATE TABLE sources (source BLOB PRIMARY KEY, document_id BLOB NOT NULL) WITHOUT ROWID;
            CREATE INDEX sources_by_id ON sources (document_id);
            CREATE TABLE processed (document_id BLOB NOT NULL);
            CREATE TABLE quarantined (source BLOB NOT NULL);
            CREATE TABLE entities (entity_id BLOB PRIMARY KEY) WITHOUT ROWID;
            CREATE TABLE records (kind TEXT NOT NULL, key BLOB NOT NULL, seq INTEGER PRIMARY KEY, cls TEXT NOT NULL, data BLOB NOT NULL);
            CREATE TABLE canonical (kind TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER PRIMARY KEY, cls TEXT NOT NULL, data BLOB NOT NULL);
            """
        )
        self._classes = _record_classes()
        self._merged = False
        self.db.execute("BEGIN")

    # --- while reading batches ---

    def read(self, source: str, document_id: str | None) -> None:
        """A source the run read, with its document id ("" when quarantined at ingest); the last read wins."""
        self.db.execute("INSERT OR REPLACE INTO sources VALUES (?, ?)", (_text(source), _text(document_id or "")))

    def first_sight(self, document_id: str) -> bool:
        """Whether the run sees this document id for the first time (else the document is a duplicate)."""
        return self.db.execute("INSERT OR IGNORE INTO seen VALUES (?)", (_text(document_id),)).rowcount == 1

    def add_document(self, document: Document) -> None:
        """A processed document: its id, entity ids, events and relations."""
        self.db.execute("INSERT INTO processed VALUES (?)", (_text(document.document_id),))
        self.db.executemany("INSERT OR IGNORE INTO entities VALUES (?)", ((_text(e.entity_id),) for e in document.entities))
        rows = [("event", record) for record in document.events] + [("relation", record) for record in document.relations]
        self.db.executemany(
            "INSERT INTO records (kind, key, cls, data) VALUES (?, ?, ?, ?)",
            ((kind, orjson.dumps(merge.record_key(r)), type(r).__name__, r.model_dump_json().encode()) for kind, r in rows),
        )

    def add_quarantined(self, source: str) -> None:
        self.db.execute("INSERT INTO quarantined VALUES (?)", (_text(source),))

    def commit(self) -> None:
        """End of a batch: make the batch's rows durable enough to leave the page cache, start the next."""
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")

    # --- at the end ---

    def entity_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM entities").fetchone()[0]

    def _load(self, cls: str, data: bytes) -> Any:
        return self._classes[cls].model_validate_json(data)

    def _rows(self, query: str, params: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
        cursor = self.db.execute(query, params)
        try:
            while rows := cursor.fetchmany(CHUNK):
                yield from rows
        finally:
            cursor.close()

    def merge(self) -> None:
        """Merge every key's group of events and relations into canonical records (merge.merge_group)."""
        if self._merged:
            return
        for kind, (prefix, date_of, fold, combine) in (("event", merge.event_merger()), ("relation", merge.relation_merger())):
            # SQLite sorts by key on disk (temp_store=FILE); each group's records stream through
            # merge_group one at a time, and its canonical records are written while the SELECT still
            # steps (another table: allowed).
            pending: list[tuple[str, str, str, bytes]] = []
            rows = self._rows("SELECT key, cls, data FROM records WHERE kind = ? ORDER BY key, seq", (kind,))
            for key, group in groupby(rows, key=itemgetter(0)):
                records = (self._load(cls, data) for _, cls, data in group)
                for record in merge.merge_group(tuple(orjson.loads(key)), records, prefix, date_of, fold, combine):
                    record_id = record.event_id if prefix == "evt" else record.relation_id
                    pending.append((kind, record_id, type(record).__name__, record.model_dump_json().encode()))
                if len(pending) >= CHUNK:
                    self._insert_canonical(pending)
            self._insert_canonical(pending)
        self.db.execute("CREATE INDEX canonical_by_id ON canonical (kind, id, seq)")
        self._merged = True

    def _insert_canonical(self, rows: list[tuple[str, str, str, bytes]]) -> None:
        self.db.executemany("INSERT INTO canonical (kind, id, cls, data) VALUES (?, ?, ?, ?)", rows)
        rows.clear()

    def canonical(self, kind: str) -> Canonical:
        """The canonical events ("event") or relations ("relation"), re-iterable, in id order."""
        self.merge()
        return Canonical(self, kind)

    def canonical_ids(self) -> set[str]:
        self.merge()
        return {row[0] for row in self._rows("SELECT id FROM canonical")}

    def run_id(self, provenance: Provenance) -> str:
        """The run id: a digest of the pipeline version, the configuration, the sorted processed ids
        and the sorted quarantined sources, as newsx.flows._run_id computes it from lists."""
        digest = hashlib.sha256()
        for part in (provenance.pipeline_version, provenance.config_fingerprint or ""):
            digest.update(part.encode("utf-8") + b"\x1f")
        for (document_id,) in self._rows("SELECT document_id FROM processed ORDER BY document_id"):
            digest.update(document_id + b"\x1f")
        digest.update(b"|\x1f")
        for (source,) in self._rows("SELECT source FROM quarantined ORDER BY source"):
            digest.update(source + b"\x1f")
        return "run_" + digest.hexdigest()[:24]

    def stale_documents(self, sql: Any, prune: bool) -> list[str]:
        """Ids in the database that this run replaces, as newsx.pipeline.changes.stale_documents finds
        them, streamed: an earlier version of a source this run read (its content changed, so its id
        did), or, with `prune`, a document whose source file is gone."""
        from newsx.pipeline.changes import _gone

        stale: list[str] = []
        last = ""
        while True:
            rows: list[tuple[str, str]] = []
            query = "SELECT document_id, source FROM documents WHERE document_id > ? ORDER BY document_id LIMIT ?"

            def fetch(after: str = last) -> None:  # a retried transaction fetches again, from scratch
                rows[:] = sql._query(query, (after, CHUNK))

            sql.transaction(fetch)
            if not rows:
                return stale
            for document_id, source in rows:
                if self._kept(document_id):
                    continue
                if self._was_read(source) or (prune and _gone(source)):
                    stale.append(document_id)
            last = rows[-1][0]

    def _kept(self, document_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM sources WHERE document_id = ? LIMIT 1", (_text(document_id),)).fetchone() is not None

    def _was_read(self, source: str) -> bool:
        return self.db.execute("SELECT 1 FROM sources WHERE source = ?", (_text(source),)).fetchone() is not None

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.close()
        self.path.unlink(missing_ok=True)


class Canonical:
    """Canonical records of one kind from a RunSpill, in id order; iterable any number of times
    (a database transaction that is retried replays it)."""

    def __init__(self, spill: RunSpill, kind: str):
        self._spill = spill
        self.kind = kind

    def __iter__(self) -> Iterator[Any]:
        query = "SELECT cls, data FROM canonical WHERE kind = ? ORDER BY id, seq"
        for cls, data in self._spill._rows(query, (self.kind,)):
            yield self._spill._load(cls, data)

    def __len__(self) -> int:
        return self._spill.db.execute("SELECT COUNT(*) FROM canonical WHERE kind = ?", (self.kind,)).fetchone()[0]

