"""Stage cache, reprocessing after a change, incremental runs and the scheduled deployment."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections import Counter
from pathlib import Path

import orjson
import pytest

from newsx.cli import main
from newsx.flows import extract_corpus, reprocess_corpus, schedule_parameters, scheduled_extract_corpus
from newsx.pipeline import cache as stage_cache
from newsx.pipeline import clean, events, link, ner
from newsx.pipeline.cache import stage_fingerprints
from newsx.pipeline.changes import diff_events, summarize

ZH_ARTICLE = "智东西8月6日消息，OpenAI联合创始人John Schulman于社交媒体X宣布离职，将跳槽至Anthropic。\n"
EN_ARTICLE = "SAN FRANCISCO, May 7, 2025 -- OpenAI hired Jane Doe as chief scientist. She left Google last year.\n"
NEW_ARTICLE = "雷递网 雷建平 9月26日\n小米集团今日宣布成立新的汽车子公司，雷军出任董事长。\n"


@pytest.fixture(autouse=True)
def code_as_first_read(monkeypatch):
    """The package's files as each test first reads them: others may edit the repo while it runs."""
    real, seen = stage_cache.file_digest, {}
    monkeypatch.setattr(stage_cache, "file_digest", lambda path: seen.setdefault(path, real(path)) if path.is_relative_to(stage_cache.PACKAGE) else real(path))


@pytest.fixture
def calls(monkeypatch) -> Counter[str]:
    """Documents each wrapped stage computed during the test."""
    counted: Counter[str] = Counter()

    def counting(name, module, attribute, batched=False):
        real = getattr(module, attribute)

        def wrapper(first, *args, **kwargs):
            counted[name] += len(first) if batched else 1
            return real(first, *args, **kwargs)

        monkeypatch.setattr(module, attribute, wrapper)

    counting("clean", clean, "clean")
    counting("ner", ner, "recognise_batch", batched=True)
    counting("link", link, "link")
    counting("events", events, "extract")
    return counted


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a_zh.txt").write_text(ZH_ARTICLE, "utf-8")
    (folder / "b_en.txt").write_text(EN_ARTICLE, "utf-8")
    return folder


@pytest.fixture
def extracted(corpus, tmp_path) -> Path:
    out = tmp_path / "out"
    extract_corpus(source=str(corpus), out_dir=str(out))
    return out


@pytest.fixture
def lexicon_changed(monkeypatch, tmp_path):
    """The events stage depends on one more data file, whose content differs from the last run's."""
    extra = tmp_path / "events-extra.yaml"
    extra.write_text("first: 1\n", "utf-8")
    monkeypatch.setitem(stage_cache.STAGE_FILES, "events", (*stage_cache.STAGE_FILES["events"], str(extra)))
    return extra


def rows(db: Path, query: str) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute(query).fetchall()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_second_run_takes_every_stage_from_the_cache(extracted, corpus, calls):
    documents = (extracted / "documents.jsonl").read_bytes()
    summary = extract_corpus(source=str(corpus), out_dir=str(extracted))
    assert calls == Counter()
    assert summary.processed == 2 and summary.stages["cache"].startswith("14 stage outputs reused, 0 computed")
    assert (extracted / "documents.jsonl").read_bytes() == documents


def test_a_changed_events_lexicon_reruns_events_only(extracted, corpus, calls, lexicon_changed):
    documents = (extracted / "documents.jsonl").read_bytes()
    extract_corpus(source=str(corpus), out_dir=str(extracted))
    assert calls == Counter({"events": 2})
    assert (extracted / "documents.jsonl").read_bytes() == documents  # the file changed, not what it says
    lexicon_changed.write_text("second: 2\n", "utf-8")
    extract_corpus(source=str(corpus), out_dir=str(extracted))
    assert calls == Counter({"events": 4})


def test_a_new_model_reruns_ner_and_everything_after(extracted, corpus, calls, monkeypatch):
    import newsx.flows

    real = newsx.flows.build_context

    def other_model(settings):
        context = real(settings)
        provenance = context.provenance.model_copy(update={"models": {**context.provenance.models, "zh.ner": "other@1#0"}})
        return dataclasses.replace(context, provenance=provenance, fingerprints=stage_fingerprints(settings, provenance))

    monkeypatch.setattr(newsx.flows, "build_context", other_model)
    result = reprocess_corpus(source=str(corpus), out_dir=str(extracted), dry_run=True)
    plan = {stage.stage: stage for stage in result.plan}
    assert [plan[s].documents for s in ("clean", "language", "segment", "ner", "link", "events", "validate")] == [0, 0, 0, 2, 2, 2, 2]
    assert plan["ner"].reason == "model fingerprints changed" and plan["link"].reason == "upstream stage ner changed"
    extract_corpus(source=str(corpus), out_dir=str(extracted))
    assert calls == Counter({"ner": 2, "link": 2, "events": 2})
    document = orjson.loads((extracted / "documents.jsonl").read_bytes().splitlines()[0])
    assert document["provenance"]["models"]["zh.ner"] == "other@1#0"


def test_dry_run_says_what_would_rerun_and_writes_nothing(extracted, corpus, calls, lexicon_changed, capsys):
    before = snapshot(extracted)
    assert main(["reprocess", str(corpus), "--out", str(extracted), "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert f"events: 2 documents (code of {lexicon_changed} changed)" in printed
    assert "ner: 0 documents" in printed
    assert snapshot(extracted) == before
    assert calls == Counter()


def test_reprocess_reports_added_removed_and_changed_events(extracted, corpus, calls):
    lines = (extracted / "events.jsonl").read_bytes().splitlines()
    assert len(lines) >= 2
    dropped, altered = orjson.loads(lines[0]), orjson.loads(lines[1])
    gone = {**altered, "event_id": "evt_gone0000000000000", "confidence": 0.5}
    # What the previous run "had": one event it did not find, one it found differently, and one it will not find again.
    previous = [orjson.dumps({**altered, "confidence": 0.01}), orjson.dumps(gone), *lines[2:]]
    (extracted / "events.jsonl").write_bytes(b"\n".join(previous) + b"\n")
    result = reprocess_corpus(source=str(corpus), out_dir=str(extracted))
    changes = [orjson.loads(line) for line in (extracted / "changes.jsonl").read_bytes().splitlines()]
    assert {(c["change"], c["event_id"]) for c in changes} == {
        ("added", dropped["event_id"]),
        ("changed", altered["event_id"]),
        ("removed", gone["event_id"]),
    }
    assert all(set(c) == {"change", "event_id", "before", "after"} for c in changes)
    assert "confidence" in (extracted / "changes.md").read_text("utf-8")
    assert result.changes == changes and calls == Counter()


def test_diff_lists_fields_that_changed_but_not_provenance():
    event = {"event_id": "e1", "type": "personnel.hire", "date": "2025-05-07", "provenance": {"kb_version": "a"}}
    before = {"e1": event, "e2": {**event, "event_id": "e2"}}
    after = {"e1": {**event, "date": "2025-05-08", "provenance": {"kb_version": "b"}}, "e3": {**event, "event_id": "e3"}}
    changes = diff_events(before, after)
    assert [(c["change"], c["event_id"]) for c in changes] == [("changed", "e1"), ("removed", "e2"), ("added", "e3")]
    assert diff_events(before, {**before, "e1": {**event, "provenance": {"kb_version": "b"}}}) == []
    assert "| personnel.hire | 1 | 1 | 1 |" in summarize(changes) and "`e1`: date" in summarize(changes)


def test_incremental_runs_process_new_files_replace_changed_ones_and_prune_gone_ones(extracted, corpus, calls):
    db = extracted / "newsx.sqlite"
    (corpus / "c_new.txt").write_text(NEW_ARTICLE, "utf-8")
    extract_corpus(source=str(corpus), out_dir=str(extracted))
    assert calls == Counter({"clean": 1, "ner": 1, "link": 1, "events": 1})

    old_id = rows(db, f"SELECT document_id FROM documents WHERE source = '{corpus / 'b_en.txt'}'")[0][0]
    (corpus / "b_en.txt").write_text(EN_ARTICLE.replace("Jane Doe", "John Roe"), "utf-8")
    extract_corpus(source=str(corpus), out_dir=str(extracted))
    assert calls["clean"] == 2
    for table in ("documents", "document_entities", "evidence"):
        assert rows(db, f"SELECT COUNT(*) FROM {table} WHERE document_id = '{old_id}'") == [(0,)]
    assert len(rows(db, "SELECT document_id FROM documents")) == 3

    (corpus / "c_new.txt").unlink()
    extract_corpus(source=str(corpus), out_dir=str(extracted))
    assert len(rows(db, "SELECT document_id FROM documents")) == 3  # without --prune, kept
    extract_corpus(source=str(corpus), out_dir=str(extracted), prune=True)
    assert sorted(Path(source).name for (source,) in rows(db, "SELECT source FROM documents")) == ["a_zh.txt", "b_en.txt"]
    assert calls["clean"] == 2


def test_the_schedule_is_a_deployment_with_cron_parameters_retries_and_one_run_at_a_time(tmp_path):
    parameters = schedule_parameters("corpus", str(tmp_path / "out"))
    deployment = scheduled_extract_corpus.to_deployment(name="newsx-extract", cron="0 * * * *", parameters=parameters, concurrency_limit=1)
    assert [schedule.schedule.cron for schedule in deployment.schedules] == ["0 * * * *"]
    assert deployment.parameters == {"source": str(Path("corpus").resolve()), "out_dir": str(tmp_path / "out"), "prune": False}
    assert deployment.concurrency_limit == 1 and deployment.flow_name == "extract_corpus"
    assert (scheduled_extract_corpus.retries, scheduled_extract_corpus.retry_delay_seconds) == (2, 30)


def test_the_reprocess_bench_lexicon_edit_reruns_events_and_validation_only(extracted, corpus, calls, tmp_path):
    from newsx.evaluation.reprocess_bench import changed_event_lexicon
    from newsx.pipeline import events as events_module

    before = events_module.lexicon()
    with changed_event_lexicon(tmp_path) as copy:
        assert "离开" not in events_module.lexicon()["triggers"]["personnel.departure"]["zh"].pattern
        result = reprocess_corpus(source=str(corpus), out_dir=str(extracted))
    assert events_module.lexicon() is before and copy.is_file()
    plan = {stage.stage: (stage.documents, stage.reason) for stage in result.plan}
    assert plan["events"] == (2, "code of data/events.yaml changed") and plan["validate"][0] == 2
    assert all(plan[stage][0] == 0 for stage in ("clean", "language", "segment", "ner", "link"))
    assert calls == Counter({"events": 2})
    assert result.summary.stages["cache"].startswith("10 stage outputs reused, 4 computed")


def test_the_knowledge_base_is_parsed_once_and_every_caller_gets_its_own_copy():
    from newsx.pipeline.process import load_kb

    first, second = load_kb(), load_kb()
    assert first is not second and first.version == second.version
    name = next(iter(first.entities))
    first.entities.pop(name)
    assert name in second.entities and name in load_kb().entities
