"""The trace a page draws, read from the store for that trace only: from the node asked for, step by step
along the trace's links (down: towards the evidence; up: towards the duties), each step one bounded query
for the nodes just reached (queries/structure/node-*.rq, their IRIs bound through the query layer). The
first answer costs what the trace shows, not what the council's ten reports hold.

What is read is what engine.trace walks over the council's whole trace graph: the nodes it reaches, with
every triple they are the subject of, and the qualification of the links between them (og:Link: basis,
rationale, evidence excerpt). Nodes of another council are left out (a national LGBF indicator's
observations elsewhere, another council's excerpts that mention a statute), as are og:report triples to
reports outside the scope, so a node shows the reports of this council only; the trace is then the same
networkx walk (engine.trace) over that subgraph, so it gives the same nodes and links as over the whole
council's graph.
"""

from __future__ import annotations

from rdflib import RDF, URIRef

from ..errors import OutcomeGraphError
from ..namespaces import OG
from ..query_layer import Flight, Scope
from ..query_layer.reads import query_text, read_select
from ..query_layer.scope import council_of, drawn_segments, store_key
from .graph import EDGE_PROPERTIES, TraceGraph, from_rdf

CHUNK = 400  # IRIs bound in one query (a step that reaches thousands of observations is read in parts)
MAX_NODES = 60_000  # a trace larger than this is refused, asking for one report (no council comes close)


class TraceTooLarge(OutcomeGraphError):
    status = 413


def _read(store, name: str, column: str, iris, part: str, timeout, more=None) -> list[tuple]:
    out: list[tuple] = []
    ordered = sorted(iris)
    for at in range(0, len(ordered), CHUNK):
        terms = [URIRef(i) for i in ordered[at : at + CHUNK]]
        rows = read_select(
            store, query_text(name), part, {column: terms, **(more or {})}, timeout=timeout
        ).rows
        out.extend((r["s"], r["p"], r["o"]) for r in rows)
    return out


def _next(triples_out, triples_in, way: str) -> set[str]:
    """The nodes one step further (graph.EDGE_PROPERTIES: True when the edge runs from the object down to
    the subject): down, the subjects that point to a node and the excerpts it cites; up, the reverse."""
    found = {
        str(o) for _, p, o in triples_out if p in EDGE_PROPERTIES and EDGE_PROPERTIES[p] == (way == "up")
    }
    found |= {str(s) for s, p, _ in triples_in if EDGE_PROPERTIES[p] == (way == "down")}
    return found


def fetch(store, scope: Scope, root: str, direction: str, timeout=None) -> TraceGraph:
    """The trace graph of `root`'s trace in `direction` (down, up or across: down over every report of the
    scope), read from the store step by step; kept per store generation, scope, node and direction."""
    way = "up" if direction == "up" else "down"
    return _TRACES.get(
        (store_key(store), scope, root, way),
        lambda: _fetch(store, scope, root, way, timeout),
        f"the trace of {root}",
    )


_TRACES = Flight(size=64)


def _fetch(store, scope: Scope, root: str, way: str, timeout) -> TraceGraph:
    reports = set(scope.reports)

    def ours(iri) -> bool:
        return council_of(str(iri)) in (None, scope.council)

    # the first segments of the ids the page may draw (scope.council_of), for node-links-in's filter
    drawn = {"ours": [drawn_segments(scope.council)]}
    triples: set[tuple] = set()
    seen: set[str] = set()
    reached: set[str] = set()  # the nodes of the scope: a record of a report outside it is not drawn
    frontier = {root}
    while frontier:
        seen |= frontier
        if len(seen) > MAX_NODES:
            raise TraceTooLarge(
                f"the trace of {root} reaches more than {MAX_NODES:,} records: "
                "choose one report (report=YEAR)"
            )
        raw = _read(store, "node-triples", "s", frontier, "the trace's records", timeout)
        outside = {str(s) for s, p, _ in raw if p == OG.report} - {
            str(s) for s, p, o in raw if p == OG.report and str(o) in reports
        }
        live = frontier - outside
        reached |= live
        out = [t for t in raw if str(t[0]) in live and (t[1] != OG.report or str(t[2]) in reports)]
        inward = [
            t
            for t in _read(store, "node-links-in", "o", live, "the trace's links", timeout, drawn)
            if ours(t[0])  # what the query's own filter keeps (it spares the rows of other councils)
        ]
        triples.update(out)
        triples.update(inward)
        step = _next(out, inward, way)
        if way == "down" and frontier == {root}:
            # a risk's trace follows down the priorities and duties it relates to (engine.down)
            risk = (URIRef(root), RDF.type, OG.Risk) in triples
            step |= {str(o) for s, p, o in out if risk and p == OG.relatesTo}
        frontier = {n for n in step if ours(n)} - seen
    quals = _read(store, "node-qualifications", "record", reached, "the basis of the trace's links", timeout)
    between = {s for s, p, o in quals if p == RDF.object and str(o) in reached}
    links = {s for s, p, _ in quals if p == RDF.subject and ours(s)} & between
    triples.update(t for t in quals if t[0] in links)
    # the excerpts a link shows as its evidence: the link's own, and a record's (an og:indicator or og:feeds
    # link rests on the excerpt of the record it comes from), also where the walk does not reach them (up)
    cited = {str(o) for s, p, o in quals if p == OG.evidence and s in links}
    cited |= {str(o) for s, p, o in triples if p == OG.evidence}
    cited -= reached
    more = _read(store, "node-triples", "s", cited, "the links' excerpts", timeout)
    triples.update(t for t in more if t[1] != OG.report or str(t[2]) in reports)
    tg = from_rdf(triples)
    tg.council, tg.scope = scope.council, scope
    return tg
