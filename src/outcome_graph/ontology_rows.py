"""Questions asked of the ontology files themselves (the units, the labels every page shows), answered by
an in-memory Oxigraph store: it reads the files and answers in tens of milliseconds, where rdflib's
Turtle parser and SPARQL engine took seconds — time the first page after `serve` starts used to wait for.
(Extraction reads the units too, so this module imports nothing of the serving packages: kept validation
results are keyed on the code that builds a report, validate/stored.py.)
"""

from __future__ import annotations

import threading

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

_STORE: list[ox.Store] = []
_LOCK = threading.Lock()
_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _ontology() -> ox.Store:
    with _LOCK:
        if not _STORE:
            from .paths import ONTOLOGY_DIR

            store = ox.Store()
            for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
                store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
            _STORE.append(store)
        return _STORE[0]


def _term(t):
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if t.language:
        return Literal(t.value, lang=t.language)
    datatype = t.datatype.value
    return Literal(t.value, datatype=None if datatype == _STRING else URIRef(datatype))


def ontology_rows(query: str) -> list[dict]:
    """The rows of a SELECT over the ontology files, as {variable: rdflib term} (unbound ones left out)."""
    result = _ontology().query(query)
    names = [v.value for v in result.variables]
    return [{n: _term(s[n]) for n in names if s[n] is not None} for s in result]
