"""`newsx serve --cron`: the deployment is registered with its schedule and a run of it goes end to end.

The serving process and the test meet at a Prefect server started by the test on a free port with
a throwaway PREFECT_HOME (as a team's server would be: PREFECT_API_URL), so that the test's client
sees what `newsx serve` registered. Bounded: every wait has a deadline.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import orjson
import pytest

ARTICLE = "SAN FRANCISCO, May 7, 2025 -- OpenAI hired Jane Doe as chief scientist. She left Google last year.\n"
CRON = "0 0 1 1 *"  # once a year: the test triggers the run itself, the schedule must only be registered


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, timeout: float, what: str, *processes: subprocess.Popen):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise AssertionError(f"{process.args[:3]} exited with {process.returncode} while waiting for {what}")
        result = check()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def stop(process: subprocess.Popen, timeout: float = 20) -> int:
    """SIGINT (as Ctrl-C), then SIGKILL if it does not end in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


@pytest.fixture
def environment(tmp_path) -> dict[str, str]:
    home = tmp_path / "prefect-home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_API_URL=f"http://127.0.0.1:{free_port()}/api",
        PREFECT_LOGGING_LEVEL="WARNING",
        PREFECT_RUNNER_POLL_FREQUENCY="2",
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
    )
    return env


@pytest.fixture
def server(environment, tmp_path) -> Iterator[str]:
    api = environment["PREFECT_API_URL"]
    port = api.rsplit(":", 1)[1].split("/")[0]
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", port],
        env=environment, stdout=log, stderr=subprocess.STDOUT,
    )
    import httpx

    def healthy() -> bool:
        try:
            return httpx.get(f"{api}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(healthy, 90, "the Prefect server", process)
        yield api
    finally:
        stop(process)
        log.close()


@pytest.mark.slow
def test_serve_registers_its_schedule_and_a_run_of_the_deployment_completes(server, environment, tmp_path):
    from prefect.client.orchestration import SyncPrefectClient

    corpus, out = tmp_path / "corpus", tmp_path / "out"
    corpus.mkdir()
    (corpus / "en.txt").write_text(ARTICLE, "utf-8")
    log = (tmp_path / "serve.log").open("wb")
    serving = subprocess.Popen(
        [sys.executable, "-m", "newsx.cli", "serve", str(corpus), "--out", str(out), "--cron", CRON, "--name", "newsx-test"],
        env=environment, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
    )
    try:
        with SyncPrefectClient(server) as client:

            def deployment():
                try:
                    return client.read_deployment_by_name("extract_corpus/newsx-test")
                except Exception:  # not registered yet
                    return None

            registered = wait_for(deployment, 60, "the deployment", serving)
            assert [schedule.schedule.cron for schedule in registered.schedules] == [CRON]
            assert all(schedule.active for schedule in registered.schedules)
            assert registered.parameters == {"source": str(corpus.resolve()), "out_dir": str(out.resolve()), "prune": False}

            run = client.create_flow_run_from_deployment(registered.id)

            def finished():
                state = client.read_flow_run(run.id).state
                return state if state is not None and state.is_final() else None

            state = wait_for(finished, 100, "the flow run", serving)
            assert state.is_completed(), f"{state.type}: {state.message}"
    finally:
        code = stop(serving)
        log.close()
    assert code is not None  # it stopped on Ctrl-C
    documents = [orjson.loads(line) for line in (out / "documents.jsonl").read_bytes().splitlines()]
    assert len(documents) == 1 and documents[0]["source"] == str(corpus.resolve() / "en.txt")
    assert any(event["type"] == "personnel.hire" for event in map(orjson.loads, (out / "events.jsonl").read_bytes().splitlines()))
    summary = orjson.loads((out / "summary.json").read_bytes())
    assert summary["processed"] == 1 and (out / "newsx.sqlite").is_file()
