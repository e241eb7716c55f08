"""Questions asked of the ontology files themselves (the units, the labels every page shows), answered by
an in-memory Oxigraph store: it reads the files and answers in tens of milliseconds, where rdflib's
Turtle parser and SPARQL engine took seconds — time the first page after `serve` starts used to wait for.
"""

from __future__ import annotations

import threading

import pyoxigraph as ox

_STORE: list[ox.Store] = []
_LOCK = threading.Lock()


def _ontology() -> ox.Store:
    with _LOCK:
        if not _STORE:
            from .paths import ONTOLOGY_DIR

            store = ox.Store()
            for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
                store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
            _STORE.append(store)
        return _STORE[0]


def ontology_rows(query: str) -> list[dict]:
    """The rows of a SELECT over the ontology files, as {variable: rdflib term} (unbound ones left out)."""
    from .query_layer.local import _wire
    from .store.results import to_nodes

    result = _ontology().query(query)
    names = [v.value for v in result.variables]
    return to_nodes([{n: _wire(s[n]) for n in names if s[n] is not None} for s in result])
