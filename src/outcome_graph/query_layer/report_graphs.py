"""Some of one council's reports as a graph of their own, read from the store's named graphs (store/layout.py:
one graph per report, plus the reference data, the national records and the council's shared graph): what
the validation of those reports reads, instead of the whole graph.

The shared graphs hold what every report of a council (or of the nation) adds to: an indicator's og:report
and og:evidence for each of its years, the links between records of two reports. Of them only what the
reports asked for would have built on their own is kept: a node the reports' own triples name, or a link
whose subject they hold; a value that is another report's (or another council's) node is left out, and a
link that names one is left out whole. The server chooses them (queries/structure/report-shared-triples.rq),
so what is read and parsed follows the reports, not the council's other years (a council's shared graph
at 47 years is 105,497 triples, of which one report needs about 2,300). So one report read from a national
store validates exactly as that report built alone does (`outcome-graph build REPORT`, the store's own
check at build and add time), and all of a council's reports as the council's graph does.
"""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef

from ..errors import DefectError
from ..extract.identity import known_councils
from ..namespaces import OGR
from ..store.layout import NATIONAL, REFERENCE, part_iri
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


def _pattern(*alternatives: str) -> Literal:
    """A REGEX pattern (XPath's syntax, as SPARQL's REGEX reads it) for the IRIs under ogr: whose path
    starts with one of `alternatives` and then ends or goes on with "/" (store.layout.part_of's rule)."""
    escape = str.maketrans({c: "\\" + c for c in "\\.^$|?*+()[]{}"})
    return Literal(f"^{str(OGR).translate(escape)}({'|'.join(alternatives)})(/|$)")


def _foreign_patterns(council: str, parts: list[str]) -> dict[str, Literal]:
    """What store.layout.part_of calls another part than the reports' own (`parts`), their council's
    and the national one, as the three patterns report-shared-triples.rq tests: another council's IRI,
    or a report of this council that is not one of `parts`. A council's name and a year are plain words
    (extract.identity), so they need no escaping; anything else is a defect, never a pattern."""
    words = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
    years = [p.rsplit("/", 1)[-1] for p in parts]
    others = [c for c in known_councils() if c != council]
    if not all(words.match(w) for w in [council, *years, *others]):
        raise DefectError(f"a council or year that is not a plain word: {council!r} {years!r}")
    never = Literal("^$")  # no IRI is empty
    # not a council: store.layout.part_of keeps all of its IRIs national
    report_of_council = _pattern(f"{council}/report/[^/]+") if council in known_councils() else never
    return {
        "otherCouncils": _pattern(*others) if others else never,
        "councilReports": report_of_council,
        "ownReports": _pattern(*(f"{council}/report/{y}" for y in years)),
    }


def scope_graph(store, scope: Scope, timeout=None) -> Graph:
    """The reports of `scope` with the reference data and what of the shared graphs they need (see the
    module's docstring), as an rdflib Graph (where pySHACL is fastest). What of the shared graphs they
    need is chosen by the server (report-shared-triples.rq), so the read costs the reports, not their
    council's other years."""
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
    named = sorted({n for t in g for n in (t[0], t[2]) if not isinstance(n, Literal)})
    for t in _triples(store, [x for x in shared if x == reference], "the reference data", timeout):
        g.add(t)
    rest = [URIRef(x) for x in shared if x != reference]
    if rest and named:
        for t in _shared_triples(store, own, rest, named, [p[len(base) + 1 :] for p in own], scope, timeout):
            g.add(t)
    return g


BATCH = 1000  # nodes a listed read binds at once (Virtuoso: 936 nodes, 82 KB of text, 2.9 s at 10 M)


def _shared_triples(store, own: list[str], rest: list[URIRef], named: list, parts: list[str], scope, timeout):
    """The triples of the shared graphs `rest` that the reports of the graphs `own` need. Oxigraph finds
    the reports' nodes itself; Virtuoso 7.2 answers that form with rows missing, so it is given them,
    `BATCH` at a time (report-shared-triples-listed.rq says why)."""
    is_virtuoso = getattr(store, "is_virtuoso", None)  # a remote store's (store.remote)
    listed = bool(is_virtuoso(timeout)) if callable(is_virtuoso) else False
    batches = [named[i : i + BATCH] for i in range(0, len(named), BATCH)] if listed else [None]
    text = query_text("report-shared-triples-listed" if listed else "report-shared-triples")
    foreign = _foreign_patterns(scope.council or "", parts)
    for batch in batches:
        columns = (
            {"own": [URIRef(x) for x in own], "shared": rest}
            if batch is None
            else {"n": batch, "shared": rest}
        )
        rows = read_select(
            store,
            text,
            "the council's shared records",
            columns,
            timeout=timeout,
            max_rows=MAX_TRIPLES,
            constants=foreign,
            named_graphs=own + [str(x) for x in rest],
        ).rows
        yield from ((r["s"], r["p"], r["o"]) for r in rows)


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
