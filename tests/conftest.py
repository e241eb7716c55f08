"""Shared fixtures: the real graph in a real embedded store, the app over it, and a real Oxigraph server.

- `graph_ntriples`: the bundled reports built into canonical N-Triples (once per session).
- `built_store`: an EmbeddedStore built from them in a temporary directory (session).
- `app` / `client`: the Flask app over `built_store` and a test client.
- `oxigraph_server`: the `oxigraph` server binary (PyPI package `oxigraph`) on a free loopback port,
  loaded with the same graph through the Graph Store Protocol; yields its query endpoint URL
  (`http://127.0.0.1:PORT/query`; the graph store is at `/store`). Stopped at the end of the session.
- `remote_store`: a RemoteStore over that server.
- `each_store` / `each_client`: parametrized over both stores, for tests that must hold for both.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from outcome_graph.build import build_graph, sources_fingerprint, to_ntriples
from outcome_graph.serve.app import create_app
from outcome_graph.store.build import ensure_built
from outcome_graph.store.embedded import EmbeddedStore
from outcome_graph.store.gsp import put_default_graph
from outcome_graph.store.remote import RemoteStore

# Page tests need Debian's chromium. Where it is missing they skip, except where a browser is required
# (CI sets OUTCOME_GRAPH_REQUIRE_BROWSER=1): then a missing browser fails the run.
if os.environ.get("OUTCOME_GRAPH_REQUIRE_BROWSER") == "1" and not Path("/usr/bin/chromium").exists():
    raise RuntimeError(
        "OUTCOME_GRAPH_REQUIRE_BROWSER=1, but /usr/bin/chromium is missing: apt-get install chromium"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(found).exists():
        pytest.skip("the oxigraph server binary (pip install oxigraph) is not installed")
    return found


def start_oxigraph(location: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    """Start an Oxigraph server on a free loopback port; returns the process and its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=1):
                return process, base
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("the oxigraph server exited at start") from None
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the oxigraph server did not start within 30 s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def graph_ntriples() -> bytes:
    return to_ntriples(build_graph())


@pytest.fixture(scope="session")
def built_store(tmp_path_factory, graph_ntriples):
    directory = tmp_path_factory.mktemp("store")
    db = ensure_built(
        directory, fingerprint=sources_fingerprint(), source=lambda progress: graph_ntriples, progress=None
    )
    store = EmbeddedStore(db, workers=2, timeout=10)
    yield store
    store.close()


@pytest.fixture(scope="session")
def app(built_store):
    return create_app(store=built_store, config={"timeout": 10, "max_rows": 10000})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory, graph_ntriples):
    process, base = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    try:
        put_default_graph(f"{base}/store", graph_ntriples)
        yield f"{base}/query"
    finally:
        stop(process)


@pytest.fixture(scope="session")
def remote_store(oxigraph_server):
    return RemoteStore(oxigraph_server, timeout=10)


@pytest.fixture(scope="session", params=["embedded", pytest.param("remote", marks=pytest.mark.server)])
def each_store(request):
    return request.getfixturevalue("built_store" if request.param == "embedded" else "remote_store")


@pytest.fixture(scope="session")
def each_app(each_store):
    return create_app(store=each_store, config={"timeout": 10, "max_rows": 10000})


@pytest.fixture
def each_client(each_app):
    return each_app.test_client()
