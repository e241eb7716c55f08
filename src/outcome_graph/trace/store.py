"""Which store the trace commands and views read: the project's store layer when it is there, else an
in-memory Oxigraph store loaded from the build.

`MemoryStore` answers the two methods of the store protocol that the trace package uses (`select` and
`construct`, same signatures), so the trace code never knows which store it talks to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node


@dataclass
class Rows:
    vars: list[str]
    rows: list[dict[str, Node]] = field(default_factory=list)
    truncated: bool = False


def _to_rdflib(term) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _values_block(bindings: dict[str, Node] | None) -> str:
    if not bindings:
        return ""
    names = sorted(bindings)
    terms = " ".join(bindings[n].n3() for n in names)
    return "VALUES (" + " ".join("?" + n for n in names) + ") { (" + terms + ") }\n"


def _bind(query: str, bindings: dict[str, Node] | None) -> str:
    """The query with its bindings, as the query check writes it: the same canonical text every store
    gives its engine (`sparql.for_engine`)."""
    from ..sparql import for_engine

    # The VALUES block goes after the outermost WHERE clause's closing brace, where SPARQL allows it.
    block = _values_block(bindings)
    if block:
        end = query.rstrip().rfind("}")
        query = query[: end + 1] + "\n" + block + query[end + 1 :]
    return for_engine(query)


class MemoryStore:
    """An in-memory Oxigraph store over one graph (the build's, by default)."""

    def __init__(self, ntriples: bytes | None = None, name: str = "memory:build"):
        if ntriples is None:
            from ..build import build_graph, to_ntriples

            ntriples = to_ntriples(build_graph())
        self.name = name
        self._store = ox.Store()
        self._store.bulk_load(ntriples, ox.RdfFormat.N_TRIPLES)

    def select(self, query: str, *, bindings=None, timeout=None, max_rows=None) -> Rows:
        result = self._store.query(_bind(query, bindings))
        names = [v.value for v in result.variables]
        out = Rows(names)
        for i, solution in enumerate(result):
            if max_rows is not None and i >= max_rows:
                out.truncated = True
                break
            row = {}
            for n in names:
                t = solution[n]
                if t is not None:
                    row[n] = _to_rdflib(t)
            out.rows.append(row)
        return out

    def construct(self, query: str, *, bindings=None, timeout=None, max_triples=None) -> rdflib.Graph:
        g = rdflib.Graph()
        for i, t in enumerate(self._store.query(_bind(query, bindings))):
            if max_triples is not None and i >= max_triples:
                break
            g.add((_to_rdflib(t.subject), _to_rdflib(t.predicate), _to_rdflib(t.object)))
        return g

    def triple_count(self) -> int:
        return len(self._store)


def open_trace_store(store_dir: Path | None = None, endpoint: str | None = None, quiet: bool = False):
    """The project's store (embedded in `store_dir`, or the SPARQL server at `endpoint`); when the store
    layer is not installed, an in-memory store built from the bundled reports."""
    try:
        from ..store import open_store
    except ImportError:
        open_store = None
    if open_store is not None:
        try:
            from ..validate.bundled import keep_validation

            return open_store(store_dir, endpoint, progress=None if quiet else _stderr, then=keep_validation)
        except (ImportError, ModuleNotFoundError):
            if endpoint or store_dir:
                raise
    if endpoint:
        from ..errors import OutcomeGraphError

        raise OutcomeGraphError("--endpoint needs the outcome_graph.store layer, which is not installed")
    return MemoryStore()


def _stderr(message: str) -> None:
    import sys

    print(message, file=sys.stderr)
