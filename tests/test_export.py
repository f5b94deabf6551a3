"""`newsx export OUT --format parquet`: every table as Parquet with its declared column schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsx.cli import main
from newsx.flows import extract_corpus
from newsx.warehouse import TABLES

ARTICLES = {
    "zh.txt": "智东西8月6日消息，OpenAI联合创始人John Schulman于社交媒体X宣布离职，将跳槽至Anthropic。\n",
    "en.txt": "SAN FRANCISCO, May 7, 2025 -- Apple hired Jane Doe as chief financial officer. She joins from Google.\n",
}


@pytest.fixture(scope="module")
def run_out(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("export")
    source = root / "corpus"
    source.mkdir()
    for name, text in ARTICLES.items():
        (source / name).write_text(text, "utf-8")
    (source / "empty.txt").write_text("", "utf-8")  # one quarantined input
    extract_corpus(source=str(source), out_dir=str(root / "out"))
    return root / "out"


def test_every_table_is_written_with_exactly_its_declared_schema_and_rows(run_out, capsys):
    assert main(["export", str(run_out), "--format", "parquet"]) == 0
    assert "events.parquet" in capsys.readouterr().out
    folder = run_out / "parquet"
    assert sorted(path.name for path in folder.iterdir()) == sorted(f"{table.name}.parquet" for table in TABLES)
    names = {table.name for table in TABLES}
    assert {"documents", "entities", "entity_aliases", "events", "event_arguments", "evidence", "relations", "relation_arguments"} <= names
    with sqlite3.connect(run_out / "newsx.sqlite") as connection:
        for table in TABLES:
            read = pq.read_table(folder / f"{table.name}.parquet")
            assert read.schema.equals(table.schema, check_metadata=True), table.name
            assert pq.read_schema(folder / f"{table.name}.parquet").names == table.columns
            expected = connection.execute(f"SELECT COUNT(*) FROM {table.name}").fetchone()[0]
            assert read.num_rows == expected, table.name
    documents = pq.read_table(folder / "documents.parquet").to_pylist()
    assert len(documents) == 2 and all(isinstance(row["languages"], list) and row["languages"] for row in documents)
    assert [row["document_id"] for row in documents] == sorted(row["document_id"] for row in documents)
    events = pq.read_table(folder / "events.parquet")
    assert events.num_rows >= 2 and events.schema.field("confidence").type == pa.float64()
    assert {row["type"] for row in events.to_pylist()} >= {"personnel.departure", "personnel.hire"}
    arguments = pq.read_table(folder / "event_arguments.parquet").to_pylist()
    assert {"Jane Doe", "John Schulman"} <= {row["value"] for row in arguments}
    relations = pq.read_table(folder / "relations.parquet").to_pylist()
    assert relations and all(isinstance(row["ended"], bool) for row in relations)
    runs = pq.read_table(folder / "runs.parquet").to_pylist()
    assert len(runs) == 1 and runs[0]["started"].tzinfo is not None
    assert pq.read_table(folder / "quarantine.parquet").num_rows == 1


def test_an_export_is_stable_and_goes_where_asked(run_out, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert main(["export", str(run_out), "--dest", str(first)]) == 0
    assert main(["export", str(run_out), "--db", f"sqlite:///{run_out / 'newsx.sqlite'}", "--dest", str(second)]) == 0
    for table in TABLES:
        assert pq.read_table(first / f"{table.name}.parquet").equals(pq.read_table(second / f"{table.name}.parquet"))


def test_a_folder_without_a_database_is_an_error_not_an_empty_export(tmp_path, capsys):
    assert main(["export", str(tmp_path / "nothing")]) == 2
    assert "no database" in capsys.readouterr().out
    assert not (tmp_path / "nothing").exists()
