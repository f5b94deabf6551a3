"""End to end through the Prefect flow: every input processed or quarantined, writes idempotent."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import orjson
import pytest

from newsx.cli import main
from newsx.flows import extract_corpus

UTF8_ARTICLE = "智东西8月6日消息，OpenAI联合创始人John Schulman于社交媒体X宣布离职，将跳槽至Anthropic。2024年是多事之秋。\n"
GBK_ARTICLE = "雷递网 雷建平 9月26日\n小米集团今日宣布成立新的汽车子公司，雷军出任董事长。公司计划于2025年量产。\n"
TABLES = ("documents", "entities", "entity_aliases", "events", "event_arguments", "evidence", "relations", "quarantine", "runs")


def table_counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as connection:
        return {table: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in TABLES}


def read_jsonl(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("mixed")
    (folder / "a_utf8.txt").write_text(UTF8_ARTICLE, "utf-8")
    (folder / "b_gbk.txt").write_bytes(GBK_ARTICLE.encode("gbk"))
    (folder / "c_empty.txt").write_bytes(b"")
    (folder / "d_binary.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8)
    (folder / "sub").mkdir()
    (folder / "sub" / "e_copy.txt").write_text(UTF8_ARTICLE.replace("，", "， "), "utf-8")
    return folder


@pytest.fixture(scope="module")
def first_run(mixed_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    summary = extract_corpus(source=str(mixed_folder), out_dir=str(out))
    return out, summary


def test_every_input_is_processed_quarantined_or_a_duplicate(first_run):
    out, summary = first_run
    assert (summary.read, summary.processed, summary.quarantined, summary.duplicates) == (5, 2, 2, 1)
    assert summary.read == summary.processed + summary.quarantined + summary.duplicates
    assert summary.quarantine_reasons == {"ingest: binary": 1, "ingest: empty": 1}
    quarantine = read_jsonl(out / "quarantine.jsonl")
    assert sorted((Path(q["source"]).name, q["reason"], q["stage"]) for q in quarantine) == [
        ("c_empty.txt", "empty", "ingest"),
        ("d_binary.txt", "binary", "ingest"),
    ]


def test_gbk_article_is_decoded_and_dated(first_run):
    out, _ = first_run
    documents = {Path(d["source"]).name: d for d in read_jsonl(out / "documents.jsonl")}
    assert sorted(documents) == ["a_utf8.txt", "b_gbk.txt"]
    gbk = documents["b_gbk.txt"]
    assert "小米集团今日宣布成立新的汽车子公司" in gbk["text"]
    assert gbk["published"] == "2025-09-26"
    assert documents["a_utf8.txt"]["published"] == "2024-08-06"
    assert gbk["languages"] == ["zh"]
    assert gbk["provenance"]["schema_version"] == "1" and gbk["provenance"]["pipeline_version"]
    assert "zh.ner" in gbk["stages"]["ner"]


def test_records_name_every_model_and_the_kb(first_run):
    out, summary = first_run
    models = summary.provenance.models
    assert {"en.ner", "zh.ner", "gazetteer"} <= set(models)
    assert all("@" in fingerprint for fingerprint in models.values())
    assert summary.provenance.kb_version and summary.provenance.kb_version.startswith("kb-")
    for line in read_jsonl(out / "documents.jsonl"):
        assert line["provenance"]["models"] == models
    assert (out / "kb.learned.yaml").exists()


def test_extraction_finds_the_departure_in_the_utf8_article(first_run):
    out, summary = first_run
    events = read_jsonl(out / "events.jsonl")
    departures = [e for e in events if e["type"] == "personnel.departure"]
    assert [(e["arguments"]["person"]["name"], e["arguments"]["organization"]["name"]) for e in departures] == [
        ("John Schulman", "OpenAI")
    ]
    assert departures[0]["arguments"]["destination"]["name"] == "Anthropic"
    assert departures[0]["date"] == "2024-08-06"
    assert summary.events == len(events)


def test_second_run_adds_no_rows_and_writes_identical_records(first_run, mixed_folder):
    out, summary = first_run
    db = out / "newsx.sqlite"
    before = table_counts(db)
    documents_before = (out / "documents.jsonl").read_bytes()
    assert before["documents"] == 2 and before["quarantine"] == 2 and before["runs"] == 1
    again = extract_corpus(source=str(mixed_folder), out_dir=str(out))
    assert table_counts(db) == before
    assert (out / "documents.jsonl").read_bytes() == documents_before
    assert again.run_id == summary.run_id
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT times_run FROM runs").fetchone()[0] == 2


def test_cli_run_prints_the_summary_without_traceback(mixed_folder, tmp_path, capsys):
    assert main(["run", str(mixed_folder), "--out", str(tmp_path / "o"), "--no-progress"]) == 0
    printed = capsys.readouterr()
    assert "processed" in printed.out and "quarantined" in printed.out
    assert "Traceback" not in printed.out + printed.err
    assert (tmp_path / "o" / "summary.json").exists()


def test_cli_reports_a_missing_source(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")]) == 2
    assert "no input at" in capsys.readouterr().out


def test_dev_corpus_gives_one_document_line_per_article(shared, tmp_path, capsys):
    source = shared / "corpus" / "dev"
    summary = extract_corpus(source=str(source), out_dir=str(tmp_path))
    articles = sorted(p.name for p in source.iterdir())
    documents = read_jsonl(tmp_path / "documents.jsonl")
    assert sorted(Path(d["source"]).name for d in documents) == articles
    assert summary.processed == len(articles) and summary.quarantined == 0
    assert (tmp_path / "events.jsonl").exists() and (tmp_path / "newsx.sqlite").exists()

    # John Schulman leaving OpenAI for Anthropic, told by three articles: one canonical event.
    schulman = [
        e for e in read_jsonl(tmp_path / "events.jsonl")
        if e["type"] == "personnel.departure" and e["arguments"]["person"]["name"] == "John Schulman"
        and e["arguments"]["organization"]["name"] == "OpenAI"
    ]
    assert len(schulman) == 1
    event = schulman[0]
    # 000 dates it to its dateline, 2024-08-06 (the year from `2015` + `9年前`); 001 says 上个月 (2024-08)
    assert event["arguments"]["destination"]["name"] == "Anthropic" and event["date"] == "2024-08-06"
    by_id = {d["document_id"]: Path(d["source"]).name for d in documents}
    assert sorted(by_id[d] for d in event["sources"]) == [
        "000_cc27e5bec9dc9410.txt", "001_be3abf5b08a232c5.txt", "002_a27beb696dbc8758.txt"
    ]
    assert event["num_articles"] == 3

    # His career: OpenAI until 2024-08, Anthropic from then, with the source documents.
    assert main(["timeline", "John Schulman", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Anthropic" in out and "OpenAI" in out and "2024-08" in out and "001_be3abf5b08a232c5.txt" in out
