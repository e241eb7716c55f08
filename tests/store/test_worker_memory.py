"""A query worker holds a small store in memory (store.query_worker.IN_MEMORY_BYTES of files): the engine's
in-memory store answers 1.2-6x faster than its read-only files (BENCHMARKS.md, the cold path). The copy
is the same quads in the same graphs, and a store over the bound stays on disk."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from outcome_graph.store import query_worker


@pytest.fixture
def disk_store(tmp_path):
    path = tmp_path / "db"
    writer = ox.Store(str(path))
    writer.bulk_extend(
        ox.Quad(
            ox.NamedNode(f"urn:s{i}"),
            ox.NamedNode("urn:p"),
            ox.Literal(str(i)),
            ox.NamedNode(f"urn:g{i % 3}"),
        )
        for i in range(50)
    )
    writer.flush()
    del writer
    return ox.Store.read_only(str(path)), str(path)


def _writable(store) -> bool:
    try:
        store.add(ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:p"), ox.NamedNode("urn:o")))
    except (OSError, RuntimeError):  # the read-only files refuse a write
        return False
    return True


def test_a_small_store_is_copied_into_memory_whole(disk_store):
    disk_store, path = disk_store
    copy = query_worker._in_memory(disk_store, path)
    assert copy is not disk_store and not _writable(disk_store)
    assert sorted(map(str, copy)) == sorted(map(str, disk_store))
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    assert [tuple(map(str, r)) for r in copy.query(query)] == [
        tuple(map(str, r)) for r in disk_store.query(query)
    ]
    assert _writable(copy)  # an in-memory store (the worker's copy; the files stay read-only)


def test_a_store_over_the_bound_is_queried_on_disk(disk_store, monkeypatch):
    disk_store, path = disk_store
    size = sum(f.stat().st_size for f in Path(path).iterdir() if f.is_file())
    monkeypatch.setattr(query_worker, "IN_MEMORY_BYTES", size - 1)
    assert query_worker._in_memory(disk_store, path) is disk_store
    monkeypatch.setattr(query_worker, "IN_MEMORY_BYTES", size)
    assert query_worker._in_memory(disk_store, path) is not disk_store


def test_a_copy_in_batches_is_the_same_quads(disk_store, monkeypatch):
    disk_store, path = disk_store
    monkeypatch.setattr(query_worker, "COPY_BATCH", 7)  # 50 quads: eight batches, the last short
    copy = query_worker._in_memory(disk_store, path)
    assert sorted(map(str, copy)) == sorted(map(str, disk_store)) and len(copy) == 50


def test_the_copy_into_memory_lets_the_query_thread_answer_meanwhile(built_store):
    """The copy runs beside the worker's query thread. Made in one call it held the interpreter's lock
    until it ended, and a query sent to a fresh worker waited for the whole copy (0.3 s for the bundled
    graph, seconds on a loaded machine). Another thread, ticking every millisecond, is never held off
    for more than a fraction of the copy."""
    import threading
    import time

    path = str(built_store.path)
    disk = ox.Store.read_only(path)
    stop, gaps = threading.Event(), []

    def tick() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            time.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = threading.Thread(target=tick)
    ticker.start()
    started = time.perf_counter()
    copy = query_worker._in_memory(disk, path)
    took = time.perf_counter() - started
    stop.set()
    ticker.join()
    assert copy is not disk and len(copy) == len(disk) > 10 * query_worker.COPY_BATCH
    assert max(gaps) < took / 3, f"held off {max(gaps) * 1000:.0f} ms of a {took * 1000:.0f} ms copy"
