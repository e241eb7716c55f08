"""One store for the trace tests: the project's embedded store (built from the bundled reports into a
temporary directory), or, where the store layer is not installed, an in-memory Oxigraph store."""

from __future__ import annotations

import pytest

from outcome_graph.trace.source import load


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("trace-store")


@pytest.fixture(scope="session")
def store(store_dir):
    try:
        from outcome_graph.store import open_store
    except ImportError:
        from outcome_graph.trace.store import MemoryStore

        yield MemoryStore()
        return
    s = open_store(store_dir, progress=None)
    yield s
    s.close()


@pytest.fixture(scope="session")
def tg(store):
    return load(store)
