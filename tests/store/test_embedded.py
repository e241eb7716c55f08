"""The embedded store on the real graph: answers, typed bindings, row limits, killable time limits and
the atomic rebuild."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from outcome_graph.namespaces import OG
from outcome_graph.store import QueryError, QueryTimeout, StoreError
from outcome_graph.store.build import current_generation, ensure_built, stored_fingerprint
from outcome_graph.store.embedded import EmbeddedStore

# plain IRIs: pytest probes module attributes, and rdflib's closed XSD namespace warns when it does
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
PREFIX = "PREFIX og: <https://w3id.org/outcome-graph/def#>\n"
# Line 74 of the 2016/17 report: "Performance against revenue budget ... £ 15.43 1m" for 2016/17.
BUDGET = URIRef(
    "https://w3id.org/outcome-graph/id/midlothian/report/2016-2017/observation/corporate/revenue-budget/2016-2017"
)
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_triple_count_is_the_built_graph(built_store, graph_ntriples):
    assert built_store.triple_count() == graph_ntriples.count(b"\n")


def test_revenue_budget_from_line_74_of_2016_17(built_store):
    result = built_store.select(
        PREFIX + "SELECT ?v ?unit ?first WHERE { ?o og:value ?v ; og:unit ?unit ; og:evidence ?e . "
        "?e og:firstLine ?first }",
        bindings={"o": BUDGET},
    )
    assert result.vars == ["v", "unit", "first"]
    assert result.rows == [
        {"v": Literal(Decimal("15431000"), datatype=XSD_DECIMAL), "unit": OG.GBP, "first": Literal(74)}
    ]
    assert not result.truncated


def test_binding_constrains_an_unprojected_variable_under_aggregation(built_store):
    count = PREFIX + "SELECT (COUNT(*) AS ?n) WHERE { ?o og:value ?v }"
    everything = int(built_store.select(count).rows[0]["n"])
    bound = built_store.select(count, bindings={"o": BUDGET})
    assert everything > 100
    assert int(bound.rows[0]["n"]) == 1


@pytest.mark.parametrize("hostile", ['" } ; DROP ALL #', "} } SELECT * WHERE { ?s ?p ?o", 'CSPC.P.2.1a" }'])
def test_a_hostile_literal_matches_nothing_and_changes_nothing(built_store, hostile):
    before = built_store.triple_count()
    result = built_store.select(
        PREFIX + "SELECT ?i WHERE { ?i og:code ?code }", bindings={"code": Literal(hostile)}
    )
    assert result.rows == []
    assert built_store.triple_count() == before


def test_an_iri_that_would_break_out_of_its_brackets_is_refused(built_store):
    with pytest.raises(QueryError, match="not allowed in an IRI"):
        built_store.select("SELECT * WHERE { ?s ?p ?o }", bindings={"s": URIRef("http://x> } ; DROP ALL #")})


def test_row_limit_cuts_and_says_so(built_store):
    result = built_store.select("SELECT ?s WHERE { ?s ?p ?o }", max_rows=7)
    assert len(result.rows) == 7 and result.truncated
    exact = built_store.select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 7", max_rows=7)
    assert len(exact.rows) == 7 and not exact.truncated


def test_ask_and_construct(built_store):
    assert built_store.ask(PREFIX + "ASK { ?o og:value ?v }", bindings={"o": BUDGET})
    assert not built_store.ask(PREFIX + "ASK { ?o og:value ?v }", bindings={"o": URIRef("http://nowhere/x")})
    graph = built_store.construct("CONSTRUCT { ?o ?p ?v } WHERE { ?o ?p ?v }", bindings={"o": BUDGET})
    assert (BUDGET, OG.value, Literal(Decimal("15431000"), datatype=XSD_DECIMAL)) in graph


def test_a_bad_query_is_a_query_error_with_the_engine_position(built_store):
    with pytest.raises(QueryError, match=r"1:\d+"):
        built_store.select("SELECT * WHERE { ?s ?p }")


def test_an_update_is_refused_by_the_read_only_workers(built_store):
    before = built_store.triple_count()
    with pytest.raises(QueryError):
        built_store.select("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }")
    assert built_store.triple_count() == before


def test_overrunning_query_is_killed_while_others_are_answered(built_store):
    killed_before = built_store.pool.killed
    pids_before = set(built_store.pool.pids())
    outcome: dict[str, object] = {}

    def long_query() -> None:
        started = time.monotonic()
        try:
            built_store.select(CROSS_PRODUCT, timeout=2)
        except QueryTimeout as e:
            outcome["error"] = e
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=long_query)
    thread.start()
    time.sleep(0.3)
    quick_started = time.monotonic()
    quick = built_store.select(PREFIX + "SELECT ?v WHERE { ?o og:value ?v }", bindings={"o": BUDGET})
    quick_seconds = time.monotonic() - quick_started
    long_still_running = thread.is_alive()
    thread.join(timeout=30)
    assert quick.rows[0]["v"] == Literal(Decimal("15431000"), datatype=XSD_DECIMAL)
    # Behaviour, not speed (speed is benchmarks/endpoint_latency.py): the simple query was answered
    # while the long one still ran, and the long one ran to its limit and was stopped there.
    assert long_still_running, f"a simple query must not wait for the long one (took {quick_seconds:.2f} s)"
    assert isinstance(outcome.get("error"), QueryTimeout)
    assert 1.9 < outcome["seconds"] < 30, "the time limit must stop the query, not before 2 s"
    assert built_store.pool.killed == killed_before + 1
    # the killed worker is replaced: the pool is back to full strength with a new process
    deadline = time.monotonic() + 10
    while len(built_store.pool.pids()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    pids_after = set(built_store.pool.pids())
    assert len(pids_after) == 2 and pids_after != pids_before
    time.sleep(1.0)  # the replacement must outlive whatever thread asked for it
    assert all(built_store.ask("ASK { ?s ?p ?o }") for _ in range(6)), "each worker in turn answers"
    assert set(built_store.pool.pids()) == pids_after, "no worker died after the replacement"


# ---- building and the atomic rebuild ------------------------------------------------------------

OLD = b'<http://example.org/a> <http://example.org/says> "old" .\n'
NEW = b'<http://example.org/a> <http://example.org/says> "new" .\n'


def says(db) -> list[str]:
    with EmbeddedStore(db, workers=1) as store:
        return [str(r["o"]) for r in store.select("SELECT ?o WHERE { ?s <http://example.org/says> ?o }").rows]


CRASHING_BUILD = """
import os, signal, sys
from pathlib import Path
from outcome_graph.store.build import ensure_built

MANY = b"".join(b'<http://example.org/n%d> <http://example.org/p> "x" .\\n' % i for i in range(20000))

class DiesHalfway:
    given = 0
    def read(self, size=-1):
        if self.given >= len(MANY) // 2:
            os.kill(os.getpid(), signal.SIGKILL)  # the machine goes down in the middle of the load
        size = 4096 if size is None or size < 0 else size
        chunk = MANY[self.given:self.given + size]
        self.given += len(chunk)
        return chunk

ensure_built(Path(sys.argv[1]), fingerprint="two", source=lambda progress: DiesHalfway(), progress=None)
"""


def test_a_crash_during_a_rebuild_leaves_the_previous_store_serving(tmp_path):
    first = ensure_built(tmp_path, fingerprint="one", source=lambda progress: OLD, progress=None)
    assert says(first) == ["old"]
    crashed = subprocess.run([sys.executable, "-c", CRASHING_BUILD, str(tmp_path)], timeout=120)
    assert crashed.returncode == -signal.SIGKILL
    assert list(tmp_path.glob("building-*")), "the crashed build left its half-written directory"
    assert stored_fingerprint(tmp_path) == "one"
    assert current_generation(tmp_path) / "db" == first
    assert says(first) == ["old"], "the previous store still answers"
    # the next start rebuilds from scratch and clears the wreckage
    second = ensure_built(tmp_path, fingerprint="two", source=lambda progress: NEW, progress=None)
    assert says(second) == ["new"]
    assert not list(tmp_path.glob("building-*"))


def test_a_failing_graph_build_leaves_the_previous_store_serving(tmp_path):
    first = ensure_built(tmp_path, fingerprint="one", source=lambda progress: OLD, progress=None)

    def broken(progress):
        raise ValueError("report line 12: cannot read the indicator table")

    with pytest.raises(ValueError, match="line 12"):
        ensure_built(tmp_path, fingerprint="two", source=broken, progress=None)
    assert stored_fingerprint(tmp_path) == "one" and says(first) == ["old"]
    assert not list(tmp_path.glob("building-*")), "the failed build is cleaned up"


def test_a_changed_fingerprint_rebuilds_and_swaps(tmp_path):
    messages: list[str] = []
    first = ensure_built(tmp_path, fingerprint="one", source=lambda progress: OLD, progress=messages.append)
    same = ensure_built(tmp_path, fingerprint="one", source=lambda progress: NEW, progress=messages.append)
    assert same == first, "an unchanged fingerprint reuses the store"
    second = ensure_built(tmp_path, fingerprint="two", source=lambda progress: NEW, progress=messages.append)
    assert second != first and says(second) == ["new"]
    assert stored_fingerprint(tmp_path) == "two"
    assert any("sources changed" in m for m in messages)
    assert any(m.startswith("store ready: 1 triples") for m in messages)


def test_no_store_and_no_build_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="no store in"):
        ensure_built(tmp_path, fingerprint="one", build_if_missing=False, progress=None)


def test_worker_refuses_a_missing_store(tmp_path):
    with pytest.raises(StoreError, match="cannot open the store"):
        EmbeddedStore(tmp_path / "nothing-here", workers=1)


def test_store_files_are_oxigraph(tmp_path):
    db = ensure_built(tmp_path, fingerprint="one", source=lambda progress: OLD, progress=None)
    assert len(ox.Store.read_only(str(db))) == 1


def test_a_plain_script_can_open_a_store_at_module_level(tmp_path):
    """Workers are fresh interpreters, so a script without an `if __name__ == "__main__"` guard (an
    analyst's notebook export, a benchmark) is not re-run in every worker."""
    db = ensure_built(tmp_path / "store", fingerprint="one", source=lambda progress: OLD, progress=None)
    script = tmp_path / "analysis.py"
    script.write_text(
        "from outcome_graph.store.embedded import EmbeddedStore\n"
        f"store = EmbeddedStore({str(db)!r}, workers=2)\n"
        "print('count', store.triple_count())\n"
        "store.close()\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["count 1"]


def test_workers_die_with_a_killed_server_even_mid_query(built_store, tmp_path):
    """A server killed with SIGKILL leaves no worker grinding on: the kernel kills its workers too."""
    script = (
        "import sys, threading, time\n"
        "from outcome_graph.store.embedded import EmbeddedStore\n"
        f"store = EmbeddedStore({str(built_store.path)!r}, workers=1, timeout=600)\n"
        "print(*store.pool.pids(), flush=True)\n"
        f"store.select({CROSS_PRODUCT!r})\n"
    )
    server = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    pids = [int(p) for p in server.stdout.readline().split()]
    assert len(pids) == 1
    time.sleep(1.0)  # the worker is now busy with the cross product
    server.kill()
    server.wait(timeout=10)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and Path(f"/proc/{pids[0]}").exists():
        status = Path(f"/proc/{pids[0]}/status").read_text() if Path(f"/proc/{pids[0]}").exists() else ""
        if "State:\tZ" in status:
            break
        time.sleep(0.1)
    alive = Path(f"/proc/{pids[0]}/status")
    assert not alive.exists() or "State:\tZ" in alive.read_text(), "the orphaned worker is still running"
