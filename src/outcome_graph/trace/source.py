"""Where the trace, gaps and audit get their graph: one council's structure, read from the store per
council with bounded queries (queries/structure/*.rq bound to the council's report IRIs, through the
query layer), turned into a TraceGraph (graph.py) and prepared for display (engine.prepare).

Kept per store generation and council (a few councils at a time), loaded by one request while the
others wait; a load that was slow answers 503 with Retry-After for a while instead of being retried by
every request.
"""

from __future__ import annotations

from rdflib import Literal

from ..counts import count_members
from ..query_layer import Flight, Scope, read_select, scope_of
from ..query_layer.local import ScopeStore
from ..query_layer.reads import query_text
from ..query_layer.scope import council_base, council_of, drawn_segments, store_key
from .engine import prepare
from .graph import TraceGraph, from_rdf


def _triples(store, name: str, part: str, bound=None, timeout=None, constants=None) -> list[tuple]:
    """The (s, p, o) rows of a structure question (SELECT ?s ?p ?o: rows cost less to move and read
    than a CONSTRUCT's serialised graph); `constants`: the filters' constants (a query without the
    variable is unchanged)."""
    rows = read_select(store, query_text(name), part, bound, timeout=timeout, constants=constants).rows
    return [(r["s"], r["p"], r["o"]) for r in rows]


def _reference(store, timeout=None) -> list[tuple]:
    """The statutes and frameworks every council shares: read once per store generation."""
    part = "the statutes and frameworks"
    return _REFERENCE.get(store_key(store), lambda: _triples(store, "reference", part, timeout=timeout), part)


def _scoped_rdf(store, scope: Scope, timeout=None) -> list[tuple]:
    """The structure of some of one council's reports: the reports, their records and links (queries
    bound to the reports' IRIs) and the shared reference data. Triples of another council (an LGBF
    indicator's links and reports elsewhere) are left out here, so no page of one council shows another."""
    bound = {"reportDoc": scope.report_terms}
    # constants of the queries' filters (store.bindings.substitute), never a VALUES variable: see records.rq
    fixed = {
        "councilBase": council_base(scope.council),
        "ours": drawn_segments(scope.council),
        "shown": Literal("|" + "|".join(scope.reports) + "|"),
    }
    triples = set(_reference(store, timeout))
    parts = (
        ("report-nodes", "the reports"),
        ("membership", "the records of the reports"),
        ("records", "the council's records"),
        ("links", "the links between the council's records"),
    )
    for name, part in parts if scope.reports else ():
        for s, p, o in _triples(store, name, part, bound, timeout, fixed):
            if council_of(str(s)) in (None, scope.council):
                triples.add((s, p, o))
    return list(triples)  # graph.from_rdf reads them in any order to the same graph


_REFERENCE = Flight(size=2)
# Trace graphs of the scopes asked for last, kept by how wide they are: a scope of a few reports (a page
# about a report, an audit with the report it is compared with) is 5-15 MB in this process, a council's
# every report 150-300 MB (47 reports at 10 M triples: the gaps of all its reports, a trace with no
# report), so only two of those are kept: sixteen would pass the 2 GB the server's processes may hold.
_GRAPHS = Flight(size=16)
_WIDE_GRAPHS = Flight(size=2)
WIDE = 4  # reports in a scope from which it is kept among the wide ones


def load(store, council=None, node=None, years=None, timeout=None) -> TraceGraph:
    """The trace graph of some of one council's reports (`years`; None: all of them) — the council
    asked for, else the council of `node`, else the graph's only council: read from the store with
    bounded queries, once per store generation, by one request while the others wait
    (query_layer.Flight). Never the whole graph."""
    scope = scope_of(store, council, node, years, timeout)
    kept = _WIDE_GRAPHS if len(scope.reports) > WIDE else _GRAPHS
    return kept.get(
        (store_key(store), scope),
        lambda: _load_scope(store, scope, timeout),
        f"the records of {scope.council or 'the graph'} ({', '.join(scope.years) or 'no report'})",
    )


def forget() -> None:
    """The trace graphs this process keeps, dropped (tests: the same page read again from the store)."""
    _GRAPHS.clear()
    _WIDE_GRAPHS.clear()


def _load_scope(store, scope: Scope, timeout=None) -> TraceGraph:
    triples = _scoped_rdf(store, scope, timeout)
    tg = from_rdf(triples)
    tg.council = scope.council
    tg.scope = scope
    # the counts and changes of queries/ are asked of the triples fetched for the scope (query_layer.local)
    tg.local_loader = lambda: ScopeStore(triples, shared=True)
    tg.count_loader = lambda: count_members(tg.local_store, scope.report_terms)
    # display order and summaries are made once here rather than per request
    return prepare(tg)
