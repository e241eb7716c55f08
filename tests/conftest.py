"""Shared fixtures: the real graph in a real embedded store, the app over it, and a real Oxigraph server.

- `graph_ntriples`: the bundled reports built into canonical N-Triples (once per session).
- `built_store`: an EmbeddedStore built from them in a temporary directory (session).
- `app` / `client`: the Flask app over `built_store` and a test client.
- `oxigraph_server`: the `oxigraph` server binary (PyPI package `oxigraph`) on a free loopback port,
  loaded with the same graph through the Graph Store Protocol; yields its query endpoint URL
  (`http://127.0.0.1:PORT/query`; the graph store is at `/store`). Stopped at the end of the session.
- `remote_store`: a RemoteStore over that server.
- `virtuoso_server`: Debian's Virtuoso (`virtuoso-t`) run in the foreground with a scratch database and
  its own ini on free loopback ports, loaded with the same graph (see tests/virtuoso.py); started once.
  Missing, it skips — except under CI=true (or OUTCOME_GRAPH_REQUIRE_VIRTUOSO=1), where it fails.
- `each_store` / `each_client`: parametrized over both stores, for tests that must hold for both.
- `server` / `browser`: `outcome-graph serve` run as a user runs it (granian, its own store) on a free
  loopback port, and Debian's headless chromium driven by Playwright, for the page tests.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from outcome_graph.build import build_graph, sources_fingerprint, to_ntriples
from outcome_graph.serve.app import create_app
from outcome_graph.store.build import ensure_built
from outcome_graph.store.embedded import EmbeddedStore
from outcome_graph.store.gsp import put_graph
from outcome_graph.store.remote import DEFAULT_GRAPH, RemoteStore

# The search indexes kept for SPARQL servers (query_layer/remote_index.py) go to a scratch directory of
# the run, never the user's ~/.cache, and a run starts with none.
os.environ["OUTCOME_GRAPH_INDEX_CACHE"] = tempfile.mkdtemp(prefix="outcome-graph-index-cache-")

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


def validated(client, url: str, seconds: float = 180.0):
    """The JSON of a validation page (`url` with format=json) once the background has validated every
    report of its scope (serve/validation_jobs.py): asked again, as a user reloads, until complete."""
    deadline = time.monotonic() + seconds
    while True:
        got = client.get(url)
        assert got.status_code == 200, got.get_data(as_text=True)[:500]
        body = got.get_json()
        if body["complete"]:
            return body
        assert time.monotonic() < deadline, f"{url}: not validated: {body['not_validated']} {body['failed']}"
        time.sleep(0.2)


def server_required() -> bool:
    """In CI (CI=true, or OUTCOME_GRAPH_REQUIRE_SERVER=1) a missing server fails, as a missing browser
    does: a skipped server test there would hide that the remote store was never tested."""
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("OUTCOME_GRAPH_REQUIRE_SERVER") == "1"


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(found).exists():
        message = "the oxigraph server binary (pip install oxigraph) is not installed"
        if server_required():
            pytest.fail(f"{message}; CI requires it (CI=true): add oxigraph to the test dependencies")
        pytest.skip(message)
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
        put_graph(f"{base}/store", graph_ntriples, graph=DEFAULT_GRAPH)
        yield f"{base}/query"
    finally:
        stop(process)


@pytest.fixture(scope="session")
def remote_store(oxigraph_server):
    return RemoteStore(oxigraph_server, timeout=10)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory, graph_ntriples):
    from virtuoso import start_virtuoso

    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    try:
        server.load(graph_ntriples)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session", params=["embedded", pytest.param("remote", marks=pytest.mark.server)])
def each_store(request):
    return request.getfixturevalue("built_store" if request.param == "embedded" else "remote_store")


@pytest.fixture(scope="session")
def each_app(each_store):
    return create_app(store=each_store, config={"timeout": 10, "max_rows": 10000})


@pytest.fixture
def each_client(each_app):
    return each_app.test_client()


CHROMIUM = "/usr/bin/chromium"
# Without the background-networking switches chromium tries to reach Google's hosts at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
browser_test = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


@contextmanager
def serving(tmp_path_factory, name: str, *options: str) -> Iterator[int]:
    """`outcome-graph serve` on a new store, in its own process group on a free loopback port, with
    `options`; yields the port once its pages answer, and stops the whole group by its pid at the end."""
    port = free_port()
    store = tmp_path_factory.mktemp(f"{name}-store")
    log = tmp_path_factory.mktemp(f"{name}-log") / "serve.log"
    exe = Path(sys.executable).with_name("outcome-graph")
    command = [str(exe), "serve", "--port", str(port), "--store", str(store), *options]
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"outcome-graph serve exited: {log.read_text()}")
            try:
                # a page, so that the start's background imports are done when this answers (pages wait
                # for them; /sparql's fast path does not): tests then meet a warm server
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/queries", timeout=20) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"outcome-graph serve did not answer in 90 s: {log.read_text()}")
            time.sleep(0.2)
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """`outcome-graph serve` with one query worker, for the page tests: its base URL."""
    with serving(tmp_path_factory, "browser", "--workers", "1") as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def require_isolation(pool) -> None:
    """Query workers without network are required wherever the OS allows it, for any user: only an OS
    refusal (no unshare(1), or a namespace the kernel or container refused, quoted) makes it a skip."""
    if pool.isolated:
        return
    note = pool.isolation_note
    if note.startswith(("the system refuses a network namespace", "no unshare(1)")):
        pytest.skip(f"the OS refused the workers a network namespace: {note}")
    pytest.fail(f"the query workers have network access, and the OS did not refuse isolation: {note}")
