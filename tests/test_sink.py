"""Sinks: SQLite upserts are idempotent and parameterised; JSON Lines appear whole or not at all."""

from __future__ import annotations

import sqlite3

import orjson
import pytest
from pydantic import TypeAdapter

from newsx.pipeline.merge import merge_events
from newsx.pipeline.sink import JsonlWriter, SqlSink, redact
from newsx.schemas import Document, Event

PROVENANCE = {"pipeline_version": "test", "schema_version": "1"}
HOSTILE = "Robert'); DROP TABLE events;--"


def make_event(document_id: str, text: str, person: str = "John Schulman", date: str | None = "2024-08") -> Event:
    return TypeAdapter(Event).validate_python(
        {
            "event_id": "evt_" + document_id[-24:],
            "type": "personnel.departure",
            "arguments": {
                "person": {"name": person, "entity_id": "ent_" + "1" * 24},
                "organization": {"name": "OpenAI", "entity_id": "ent_" + "2" * 24},
                "destination": {"name": "Anthropic"},
            },
            "date": date,
            "confidence": 0.8,
            "evidence": [{"document_id": document_id, "text": text, "start": 0, "end": len(text)}],
            "provenance": PROVENANCE,
        }
    )


def make_document(document_id: str, text: str, person: str) -> Document:
    return Document.model_validate(
        {
            "document_id": document_id,
            "source": f"{document_id}.txt",
            "text": text,
            "entities": [{"entity_id": "ent_" + "1" * 24, "name": person, "type": "PERSON", "mentions": [person]}],
            "provenance": PROVENANCE,
        }
    )


def counts(connection) -> dict[str, int]:
    tables = ("documents", "entities", "entity_aliases", "events", "event_arguments", "evidence")
    return {t: connection.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


def test_events_from_two_documents_merge_into_one_canonical_event():
    a, b = "doc_" + "a" * 24, "doc_" + "b" * 24
    merged = merge_events([make_event(a, "He left."), make_event(b, "Schulman quit OpenAI.", date=None)])
    assert len(merged) == 1
    event = merged[0]
    assert event.sources == [a, b] and event.num_articles == 2 and event.date == "2024-08"
    assert [e.document_id for e in event.evidence] == [a, b]
    assert merge_events([make_event(b, "x", date=None), make_event(a, "y")])[0].event_id == event.event_id


def test_merging_a_group_holds_its_clusters_not_its_records():
    """A person who leaves the same company in article after article: memory must not grow with the articles."""
    import tracemalloc

    from newsx.pipeline.merge import event_merger, merge_group, record_key

    template = make_event("doc_" + "a" * 24, "He left OpenAI for Anthropic.", date=None)
    key = record_key(template)

    def peak(count: int) -> int:
        records = (template.model_copy(update={"confidence": 0.5 + (n % 7) / 100}) for n in range(count))
        tracemalloc.start()
        [event] = merge_group(key, records, *event_merger())
        size = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert event.confidence == 0.56
        return size

    small, large = peak(200), peak(4000)
    assert large < 2 * small + 200_000, (small, large)


def test_events_with_incompatible_dates_stay_apart():
    a = "doc_" + "a" * 24
    assert len(merge_events([make_event(a, "x", date="2015"), make_event(a, "y", date="2024-08")])) == 2


def test_sqlite_upserts_are_idempotent_and_parameterised(tmp_path):
    text = f"{HOSTILE} left OpenAI."
    doc_id = "doc_" + "c" * 24
    sink = SqlSink.open(f"sqlite:///{tmp_path / 'x.sqlite'}")
    for _ in range(2):
        sink.write_batch([make_document(doc_id, text, HOSTILE)], [])
        sink.write_canonical(merge_events([make_event(doc_id, text, person=HOSTILE)]), [])
    connection = sink.connection
    assert counts(connection) == {
        "documents": 1, "entities": 1, "entity_aliases": 1, "events": 1, "event_arguments": 3, "evidence": 1,
    }
    assert connection.execute("SELECT value FROM event_arguments WHERE role = 'person'").fetchone()[0] == HOSTILE
    record = orjson.loads(connection.execute("SELECT record FROM events").fetchone()[0])
    assert record["arguments"]["person"]["name"] == HOSTILE
    sink.close()


def test_a_failed_batch_leaves_nothing_behind(tmp_path):
    sink = SqlSink.open(f"sqlite:///{tmp_path / 'x.sqlite'}")
    good = make_document("doc_" + "d" * 24, "text", "A")

    def fail_midway():
        sink._write_batch([good], [])
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        sink.transaction(fail_midway)
    assert counts(sink.connection)["documents"] == 0
    sink.close()


def test_schema_version_is_recorded(tmp_path):
    SqlSink.open(f"sqlite:///{tmp_path / 'x.sqlite'}").close()
    with sqlite3.connect(tmp_path / "x.sqlite") as connection:
        assert connection.execute("SELECT version FROM schema_version").fetchall() == [(1,)]


def test_unsupported_database_url_is_refused_with_password_redacted():
    with pytest.raises(ValueError) as info:
        SqlSink.open("mysql://user:s3cret@host/db")
    assert "s3cret" not in str(info.value) and "***" in str(info.value)
    assert redact("postgresql://newsx:pw@127.0.0.1:5432/test") == "postgresql://newsx:***@127.0.0.1:5432/test"
    assert redact("sqlite:///x.db") == "sqlite:///x.db"


def test_jsonl_writer_leaves_no_partial_file(tmp_path):
    writer = JsonlWriter(tmp_path / "events.jsonl")
    writer.write({"a": 1})
    assert not (tmp_path / "events.jsonl").exists()
    writer.abort()
    assert list(tmp_path.iterdir()) == []
    writer = JsonlWriter(tmp_path / "events.jsonl")
    writer.write({"b": 2, "a": 1})
    writer.commit()
    assert (tmp_path / "events.jsonl").read_bytes() == b'{"a":1,"b":2}\n'
