"""`--runner dask`: the batches run on a Dask cluster through prefect-dask, with the same records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from newsx.cli import main
from newsx.config import Settings
from newsx.flows import extract_corpus

REPO = Path(__file__).resolve().parent.parent
OUTPUTS = ("documents.jsonl", "events.jsonl", "relations.jsonl", "quarantine.jsonl", "kb.learned.yaml")
# What differs between two runs of the same input by design: when, where to, and how long.
RUN_SPECIFIC = {"started", "finished", "stage_seconds", "out_dir", "database"}


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local


def summary_without_run_specifics(out: Path) -> dict:
    summary = orjson.loads((out / "summary.json").read_bytes())
    return {key: value for key, value in summary.items() if key not in RUN_SPECIFIC}


@pytest.mark.slow
def test_a_local_dask_cluster_gives_byte_identical_records_and_loads_models_once_per_worker(cluster, tmp_path):
    from distributed import Client

    from newsx.pipeline import process

    settings = Settings(batch_size=2)  # 10 documents: 5 task runs over 2 workers
    source = str(REPO / "sample" / "corpus")
    local = extract_corpus(source=source, out_dir=str(tmp_path / "local"), settings=settings)
    remote = extract_corpus(
        source=source, out_dir=str(tmp_path / "dask"), settings=settings, runner="dask", dask_address=cluster.scheduler_address
    )
    assert remote.processed == local.processed == 10
    assert remote.stages["cache"] == local.stages["cache"]  # the workers computed every stage, as the local run did
    for name in OUTPUTS:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    assert summary_without_run_specifics(tmp_path / "dask") == summary_without_run_specifics(tmp_path / "local")
    assert remote.run_id == local.run_id

    def worker_state() -> dict:
        from prefect.server.api.server import SubprocessASGIServer

        return {"builds": dict(process.CONTEXT_BUILDS), "servers": len(SubprocessASGIServer._instances)}

    with Client(cluster.scheduler_address) as client:
        states = client.run(worker_state)
    assert len(states) == 2
    builds = [count for state in states.values() for count in state["builds"].values()]
    assert builds and all(count == 1 for count in builds)  # one model load per worker, not one per task run (5)
    assert all(state["servers"] == 0 for state in states.values())  # task runs report to the run's own API


def test_a_scheduler_address_needs_the_dask_runner(tmp_path, capsys):
    code = main(["run", str(tmp_path), "--out", str(tmp_path / "out"), "--runner", "local", "--dask-address", "tcp://127.0.0.1:1"])
    assert code == 2 and "needs the dask runner" in capsys.readouterr().out
    with pytest.raises(ValueError, match="unknown runner"):
        extract_corpus.fn(source=str(tmp_path), out_dir=str(tmp_path / "out"), runner="spark")


def test_a_worker_whose_models_or_knowledge_base_differ_from_the_runs_refuses_the_batch():
    from newsx.pipeline.process import ContextMismatch, process_batch_on_worker, shared_context

    settings = Settings()
    provenance = shared_context(settings).provenance
    assert process_batch_on_worker([], settings, provenance).documents == []
    with pytest.raises(ContextMismatch, match="differ from the run's"):
        process_batch_on_worker([], settings, provenance.model_copy(update={"kb_version": "another"}))
