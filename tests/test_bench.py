"""`newsx bench` on tiny corpora: the figures are all there and consistent."""

from __future__ import annotations

import orjson

from newsx.evaluation.bench import base_articles, synthetic_corpus
from newsx.cli import main

from .conftest import REPO, SHARED


def test_synthetic_corpus_varies_every_copy(tmp_path):
    texts = base_articles([REPO / "sample" / "corpus"])
    path = synthetic_corpus(texts, 30, tmp_path / "c.jsonl")
    lines = [orjson.loads(line)["text"] for line in path.read_bytes().splitlines()]
    assert len(lines) == 30 and len(set(lines)) == 30
    assert synthetic_corpus(texts, 30, tmp_path / "d.jsonl").read_bytes() == path.read_bytes(), "seeded"


def test_bench_reports_stages_ratio_and_scaling(capsys):
    code = main(["bench", "--dev", str(SHARED / "corpus" / "dev"), "--sample", str(REPO / "sample" / "corpus"), "--sizes", "8,16", "--json"])
    assert code == 0
    figures = orjson.loads(capsys.readouterr().out)
    runs = {run["corpus"]: run for run in figures["runs"]}
    assert {"synthetic-8", "synthetic-16"} <= set(runs)
    assert runs["synthetic-16"]["documents"] == 16
    stages = runs["synthetic-16"]["stages"]
    assert {"ingest", "clean", "language", "segment", "ner", "link", "events", "validate", "merge", "sink"} == set(stages)
    assert sum(s["seconds"] for s in stages.values()) <= runs["synthetic-16"]["seconds"]
    assert figures["pipeline_to_ner_ratio"] > 0
    assert figures["scaling"]["documents_ratio"] == 2.0
    assert figures["runs"][-1]["peak_rss_mb"] > 0
