"""Some of one council's reports as a graph of their own, read from the store's named graphs (store/layout.py:
one graph per report, plus the reference data, the national records and the council's shared graph): what
the validation of those reports reads, instead of the whole graph.

The shared graphs hold what every report of a council (or of the nation) adds to: an indicator's og:report
and og:evidence for each of its years, the links between records of two reports. Of them only what the
reports asked for would have built on their own is kept: a node the reports' own triples name, or a link
whose subject they hold; a value that is another report's (or another council's) node is left out, and a
link that names one is left out whole. So one report read from a national store validates exactly as that
report built alone does (`outcome-graph build REPORT`, the store's own check at build and add time), and
all of a council's reports as the council's graph does.
"""

from __future__ import annotations

from rdflib import RDF, Graph, URIRef

from ..namespaces import OGR
from ..store.layout import NATIONAL, REFERENCE, part_iri, part_of
from .reads import query_text, read_construct, read_select
from .scope import Scope, ScopeError, councils

MAX_TRIPLES = 2_000_000  # a guard against a catalogue that names the wrong graphs, far above a council's


def _parts(store, scope: Scope, timeout=None) -> tuple[list[str], str, list[str]]:
    """(the reports' own graphs, the dataset's base, its shared graphs: reference, national, council)."""
    rows = read_select(
        store,
        query_text("graph-parts"),
        "where the reports are kept",
        {"report": scope.report_terms},
        timeout=timeout,
    ).rows
    own = sorted({str(r["graph"]) for r in rows})
    if own and len(own) != len(scope.reports):
        raise ScopeError(
            f"the store keeps no named graph for {len(scope.reports) - len(own)} of the reports of "
            f"{scope.council} ({', '.join(scope.years)}): build it again with `outcome-graph build`",
            503,
        )
    # a report's graph is <base>/<council>/report/<year> (store.layout.report_part), its IRI ogr:<same part>
    first = rows[0] if rows else None
    base = str(first["graph"])[: -len(str(first["report"])[len(str(OGR)) :]) - 1] if first else ""
    every = {str(r["part"]) for r in rows}
    wanted = (part_iri(base, p) for p in (REFERENCE, NATIONAL, scope.council or ""))
    shared = [g for g in wanted if g in every]
    return own, base, shared


def _triples(store, graphs: list[str], part: str, timeout=None) -> list[tuple]:
    if not graphs:
        return []
    rows = read_select(
        store,
        query_text("graph-triples"),
        part,
        {"g": [URIRef(g) for g in graphs]},
        timeout=timeout,
        max_rows=MAX_TRIPLES,
    ).rows
    return [(r["s"], r["p"], r["o"]) for r in rows]


def scope_graph(store, scope: Scope, timeout=None) -> Graph:
    """The reports of `scope` with the reference data and what of the shared graphs they need (see the
    module's docstring), as an rdflib Graph (where pySHACL is fastest)."""
    if not scope.reports:
        raise ScopeError(f"no report of {scope.council or 'the graph'} to read")
    own, base, shared = _parts(store, scope, timeout)
    if not own:
        return _single_graph(store, scope, timeout)
    reference = part_iri(base, REFERENCE)
    g = Graph()
    for t in _triples(store, own, "the reports' own graphs", timeout):
        g.add(t)
    # what the reports name themselves (the reference data names records of some reports: a curated
    # formula's feeder indicators, which a report without them must not bring in)
    named = set(g.subjects()) | set(g.objects())
    for t in _triples(store, [x for x in shared if x == reference], "the reference data", timeout):
        g.add(t)
    allowed = {*(p[len(base) + 1 :] for p in own), scope.council, NATIONAL}

    def foreign(o) -> bool:
        return isinstance(o, URIRef) and part_of(str(o)) not in allowed

    rest = _triples(store, [x for x in shared if x != reference], "the council's shared records", timeout)
    links = {s for s, p, _ in rest if p == RDF.subject}
    wanted = {s for s, p, o in rest if s in named or (p == RDF.subject and o in named)}
    wanted -= {s for s, _, o in rest if s in links and foreign(o)}  # a link to another report: none of it
    for s, p, o in rest:
        if s in wanted and not foreign(o):
            g.add((s, p, o))
    return g


def _single_graph(store, scope: Scope, timeout=None) -> Graph:
    """A store loaded as one graph, without named graphs per report (a graph file loaded into a SPARQL
    server, the tests' store of the bundled reports): its whole graph is one council's only, so reading it
    is still bounded by the council; a graph of several councils kept that way is refused, saying how to
    keep it."""
    if len(councils(store, timeout)) > 1:
        raise ScopeError(
            "the store keeps the reports of several councils in one graph, so one report cannot be read "
            "alone: build it with `outcome-graph build FOLDER --store DIR` (one named graph per report)",
            503,
        )
    return read_construct(
        store,
        "CONSTRUCT WHERE { ?s ?p ?o }",
        f"the graph of {scope.council or 'the store'}",
        timeout=timeout,
        max_triples=MAX_TRIPLES,
    )
