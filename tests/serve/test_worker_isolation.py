"""The layer below the checks: a query worker has no network, so a check that is wrong one day still
cannot make the server reach anything. And the raw payloads of issue 8 are real attacks: sent straight
to pyoxigraph in this process, they reach the listener."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import require_isolation
from test_safety import Listener

from outcome_graph.store import QueryError

CORPUS = {
    e["name"]: e for e in json.loads((Path(__file__).parent / "data" / "outbound_corpus.json").read_text())
}


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.mark.parametrize("name", ["issue-comment-ended-by-cr", "issue-escaped-newline-in-comment"])
def test_control_the_issues_payloads_fetch_when_run_unchecked(listener, name):
    query = CORPUS[name]["query"].replace("{URL}", listener.url)
    try:
        list(ox.Store().query(query))
    except (OSError, RuntimeError):
        pass
    assert listener.settled(), "the payload should reach the listener when nothing checks it"


def test_a_service_query_that_reaches_a_worker_fetches_nothing(built_store, listener):
    """Straight to the worker pool, past every check: the engine tries, the network is not there."""
    require_isolation(built_store.pool)
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    request = {"op": "execute", "query": query, "media_type": "application/sparql-results+json"}
    with pytest.raises(QueryError, match="Network is unreachable"):
        built_store.pool.run(request, timeout=10)
    silent = {**request, "query": query.replace("SERVICE", "SERVICE SILENT")}
    built_store.pool.run(silent, timeout=10)  # SILENT: the failure is swallowed, still nothing sent
    assert listener.settled() == []


def test_a_worker_is_in_a_network_namespace_of_its_own(built_store):
    require_isolation(built_store.pool)
    ours = os.readlink("/proc/self/ns/net")
    for pid in built_store.pool.pids():
        assert os.readlink(f"/proc/{pid}/ns/net") != ours


CONNECT = """
import socket, sys
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3).close()
except OSError as e:
    print("refused:", e)
    sys.exit(3)
print("connected")
"""


def test_a_worker_cannot_open_a_tcp_connection_to_a_loopback_listener(built_store, listener):
    """A process placed in a worker's network namespace (nsenter) tries to connect; the same process
    outside it connects, so the failure is the namespace's doing."""
    require_isolation(built_store.pool)
    nsenter = shutil.which("nsenter")
    if not nsenter:
        pytest.skip("nsenter(1) is not installed")
    port = listener.url.split(":")[2].split("/")[0]
    pid = built_store.pool.pids()[0]
    outside = subprocess.run(
        [sys.executable, "-c", CONNECT, port], capture_output=True, text=True, timeout=30
    )
    assert outside.returncode == 0, outside.stdout + outside.stderr
    assert len(listener.settled()) == 1  # read by the listener, not only connected
    enter = [nsenter, "-t", str(pid), "-n"] if os.geteuid() == 0 else [nsenter, "-t", str(pid), "-U", "-n"]
    inside = subprocess.run(
        [*enter, sys.executable, "-c", CONNECT, port], capture_output=True, text=True, timeout=30
    )
    if "Operation not permitted" in inside.stderr:
        pytest.skip(f"nsenter is not permitted here: {inside.stderr.strip()}")
    assert inside.returncode == 3, inside.stdout + inside.stderr
    assert "refused:" in inside.stdout
    assert len(listener.settled()) == 1


def test_missing_isolation_fails_for_any_user_unless_the_os_refused():
    from types import SimpleNamespace

    asked = SimpleNamespace(isolated=False, isolation_note="OUTCOME_GRAPH_WORKER_NETWORK=1 asks for it")
    with pytest.raises(pytest.fail.Exception, match="the OS did not refuse isolation"):
        require_isolation(asked)
    refused = SimpleNamespace(
        isolated=False,
        isolation_note="the system refuses a network namespace: unshare failed: Operation not permitted",
    )
    with pytest.raises(pytest.skip.Exception, match="Operation not permitted"):
        require_isolation(refused)
