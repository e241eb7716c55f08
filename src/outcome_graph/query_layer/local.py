"""A scope's triples in an in-memory Oxigraph store, so that the questions of queries/counts/ and
queries/changes/ are asked, unchanged, of one council's reports rather than of the nation.

The count definitions are written against a whole graph; asked of the national store with the council's
reports bound, some of them still walk every council's observations of a national indicator (an
anti-join the engine does not narrow). Asked of the triples a page already fetched, they cost what the
page shows. The numbers are the same, since a count's members are records of the bound reports and
the patterns reach only those reports' records, their links, and what all councils share (the
vocabulary, reference and curated data the store was built from); tests/trace/test_counts.py and
tests/serve/test_national.py check them against the counts asked of the whole store.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from ..store import SelectResult
from ..store.results import to_nodes, wire_term


def _term(t):
    if isinstance(t, URIRef):
        return ox.NamedNode(str(t))
    if isinstance(t, BNode):
        return ox.BlankNode(str(t))
    if isinstance(t, Literal):
        if t.language:
            return ox.Literal(str(t), language=t.language)
        if t.datatype:
            return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
        return ox.Literal(str(t))
    raise TypeError(f"not an RDF term: {t!r}")


_SHARED: list | None = None


def _shared() -> list:
    """What every council's graph holds besides its reports: the vocabulary, the code lists, the
    reference data and the curated facts (score bands, formulas), as the store was built from them
    (graph/reference, graph/curated and ontology/; the store's fingerprint covers the same files)."""
    global _SHARED
    if _SHARED is None:
        from ..build.reference import static_graph

        _SHARED = [ox.Quad(_term(s), _term(p), _term(o)) for s, p, o in static_graph()]
    return _SHARED


def preload() -> None:
    """The shared triples made ahead (the server's warm-up): the first trace, gaps or audit of a start
    would otherwise parse the reference and curated files (about a second) before its counts."""
    _shared()


class ScopeStore:
    """The `select` of the store protocol over a scope's triples (read-only once made)."""

    name = "scope"

    def __init__(self, triples: Iterable[tuple], shared: bool = False):
        self._store = ox.Store()
        made: dict = {}  # each term converted once (a council's triples repeat their predicates and nodes)

        def term(t):
            found = made.get(t)
            if found is None:
                found = made[t] = _term(t)
            return found

        self._store.extend(ox.Quad(term(s), term(p), term(o)) for s, p, o in triples)
        if shared:
            self._store.extend(_shared())

    def select(self, query: str, *, bindings=None, timeout=None, max_rows=None) -> SelectResult:
        if bindings:
            raise ValueError("a scope store takes its IRIs bound in the query text (query_layer.reads)")
        result = self._store.query(query)
        names = [v.value for v in result.variables]
        rows, truncated = [], False
        for solution in result:
            if max_rows is not None and len(rows) >= max_rows:
                truncated = True
                break
            rows.append({n: wire_term(solution[n]) for n in names if solution[n] is not None})
        return SelectResult(names, to_nodes(rows), truncated)

    def __len__(self) -> int:
        return len(self._store)
