"""`outcome-graph serve` on a fresh store directory: builds with progress shown, serves with granian,
reuses the store on the next start."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from conftest import free_port

PREFIX = "PREFIX og: <https://w3id.org/outcome-graph/def#>\n"
BUDGET_VALUE = (
    PREFIX + "SELECT ?v WHERE { <https://w3id.org/outcome-graph/id/midlothian/report/2016-2017/observation/"
    "corporate/revenue-budget/2016-2017> og:value ?v }"
)


def start(store: Path, port: int, *extra: str) -> tuple[subprocess.Popen, list[str], float]:
    """Start the command; returns the process, its output so far and seconds until /sparql answered."""
    started = time.monotonic()
    env = dict(os.environ, OUTCOME_GRAPH_STORE=str(store), PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "outcome_graph.cli", "serve", "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,  # its own process group, as a terminal gives it
    )
    url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            # a generous timeout: a probe given up on a loaded machine is a query stopped, and the
            # server refuses its client's next query for a while (admission's penalty)
            with urllib.request.urlopen(url, timeout=20) as response:
                assert response.status == 200
                return process, [], time.monotonic() - started
        except OSError:
            if process.poll() is not None:
                raise AssertionError(process.stdout.read()) from None
            time.sleep(0.05)
    process.kill()
    raise AssertionError("serve did not answer within 60 s")


def finish(process: subprocess.Popen) -> str:
    """Ctrl-C as a terminal sends it, to the whole process group (the server, its serving process and
    the query workers): everything stops, and nothing prints a traceback."""
    os.killpg(process.pid, signal.SIGINT)
    try:
        out, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, _ = process.communicate()
        raise AssertionError(f"serve did not stop within 20 s of Ctrl-C:\n{out}") from None
    assert "Traceback" not in out, out
    return out


def test_first_run_builds_then_serves_with_granian_and_second_run_reuses(tmp_path):
    port = free_port()
    process, _, first_start = start(tmp_path / "store", port, "--timeout", "5", "--max-rows", "3")
    try:
        url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": BUDGET_VALUE})
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.headers["Server"] == "granian"  # the production server, not Werkzeug
            assert json.loads(response.read())["results"]["bindings"][0]["v"]["value"] == "15431000"
        many = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": "SELECT * { ?s ?p ?o }"})
        with urllib.request.urlopen(many, timeout=10) as response:
            assert response.headers["X-Outcome-Graph-Truncated"] == "true"
            assert len(json.loads(response.read())["results"]["bindings"]) == 3
    finally:
        out = finish(process)
    assert "building the graph from the bundled reports" in out
    assert "store ready:" in out and f"at http://127.0.0.1:{port}/" in out
    # How fast is measured by benchmarks/first_start.py, not asserted here.
    print(f"first start (build + serve) answered after {first_start:.2f} s")

    process, _, second_start = start(tmp_path / "store", port)
    out = finish(process)
    assert "building the graph" not in out, "an unchanged store is reused"
    print(f"second start answered after {second_start:.2f} s")


def test_settings_come_from_options_then_environment_then_defaults():
    import pytest

    from outcome_graph.errors import OutcomeGraphError
    from outcome_graph.serve.config import load_settings

    assert load_settings({}, {}).timeout == 10.0 and load_settings({}, {}).max_rows == 10000
    env = {"OUTCOME_GRAPH_TIMEOUT": "2.5", "OUTCOME_GRAPH_MAX_ROWS": "50"}
    assert (load_settings({}, env).timeout, load_settings({}, env).max_rows) == (2.5, 50)
    assert load_settings({"timeout": 7}, env).timeout == 7.0, "an option beats the environment"
    with pytest.raises(OutcomeGraphError, match="OUTCOME_GRAPH_MAX_ROWS must be a number, not 'lots'"):
        load_settings({}, {"OUTCOME_GRAPH_MAX_ROWS": "lots"})
    with pytest.raises(OutcomeGraphError, match="timeout must be greater than 0"):
        load_settings({"timeout": 0}, {})
