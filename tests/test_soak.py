"""Load: the soak driver (`newsx soak`) on a small corpus, as CI runs it; the 10k and 100k figures
of RELIABILITY.md come from `newsx soak --documents 10000` and `--documents 100000`.
"""

from __future__ import annotations

import orjson

from newsx.evaluation.soak import run_soak, synthetic_news


def test_synthetic_news_is_seeded_distinct_and_bilingual(tmp_path):
    first = synthetic_news(200, tmp_path / "a.jsonl").read_bytes()
    assert synthetic_news(200, tmp_path / "b.jsonl").read_bytes() == first
    texts = [orjson.loads(line)["text"] for line in first.splitlines()]
    assert len(set(texts)) == 200
    chinese = sum("消息" in text for text in texts)
    assert 80 <= chinese <= 120
    assert all(len(text) < 400 for text in texts)


def test_a_small_soak_accounts_for_every_document_under_the_ceiling(tmp_path):
    figures = run_soak(documents=100, work=tmp_path, ceiling_mb=4096, every=50)
    assert figures.passed, figures.verdict
    assert figures.summary["read"] == 100 == figures.summary["processed"] + figures.summary["quarantined"] + figures.summary["duplicates"]
    assert figures.summary["processed"] == 100 and figures.summary["events"] > 40 and figures.summary["relations"] > 20
    assert [c["read"] for c in figures.checkpoints] == [50, 100]
    # the run's spill file is gone, and no temporary file is left
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".tmp")]
    # canonical events: one line per id (and so one database row per line)
    events = [orjson.loads(line) for line in (tmp_path / "out" / "events.jsonl").read_bytes().splitlines()]
    assert len(events) == len({e["event_id"] for e in events}) == figures.summary["events"]
