"""The link structure as a networkx DiGraph, read from the store with one SPARQL CONSTRUCT (structure.rq).

Edges point *down*, from a duty or outcome towards its evidence:

    statute -> provision (og:partOf)          framework -> element (og:partOf)
    provision/element/statute -> action (og:implements)     provision/priority -> risk (og:relatesTo)
    priority -> action, priority -> indicator (og:priority)  action -> indicator (og:action)
    indicator -> observation (og:indicator)   indicator -> feeder indicator (og:feeds)
    record -> excerpt (og:evidence)           statute/provision/... -> excerpt naming it (og:mentions)

Every edge carries the basis it rests on: the og:Link qualification where the build made one
(og:ReportText with its excerpt, og:CodeStructure, og:Curation with its rationale), otherwise the
basis implied by the property (a record's own excerpt for og:evidence, og:indicator and og:feeds;
the curated reference data for og:partOf).
"""

from __future__ import annotations

import gc
import weakref
from collections import defaultdict
from pathlib import Path

import networkx as nx
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from ..namespaces import OG, OGR

STRUCTURE_QUERY = (Path(__file__).with_name("structure.rq")).read_text(encoding="utf-8")

KINDS = (
    "Statute",
    "Provision",
    "Framework",
    "FrameworkElement",
    "Priority",
    "Action",
    "Indicator",
    "Observation",
    "Risk",
    "Excerpt",
    "Report",
    "ReportedTotal",
)
RECORD_KINDS = ("Priority", "Action", "Indicator", "Observation", "Risk")
DUTY_KINDS = ("Statute", "Provision", "Framework", "FrameworkElement")

# property -> True when the edge runs from the object down to the subject (s og:partOf o: o is above s)
EDGE_PROPERTIES: dict[URIRef, bool] = {
    OG.partOf: True,
    OG.implements: True,
    OG.relatesTo: True,
    OG.priority: True,
    OG.action: True,
    OG.indicator: True,
    OG.feeds: True,
    OG.evidence: False,
    OG.mentions: True,
}
IMPLIED_BASIS = {
    OG.evidence: "ReportText",
    OG.indicator: "ReportText",
    OG.feeds: "ReportText",
    OG.mentions: "ReportText",
    OG.partOf: "Reference",
}
GOV_YEAR = "http://reference.data.gov.uk/id/government-year/"
GOV_QUARTER = "http://reference.data.gov.uk/id/government-quarter/"


def local(iri) -> str:
    s = str(iri)
    return s.rsplit("#", 1)[-1] if "#" in s else s.rstrip("/").rsplit("/", 1)[-1]


def period_label(iri) -> str:
    """'2016-2017' for a government year, '2016-2017 Q1' for a quarter."""
    s = str(iri)
    if s.startswith(GOV_YEAR):
        return s[len(GOV_YEAR) :]
    if s.startswith(GOV_QUARTER):
        year, _, q = s[len(GOV_QUARTER) :].partition("/")
        return f"{year} {q}"
    return local(s)


def period_key(label: str) -> tuple[str, int]:
    """Orders periods in time: the quarters of a year, then the year itself (where annual figures sit)."""
    year, _, q = label.partition(" ")
    return (year, int(q[1:]) if q.startswith("Q") and q[1:].isdigit() else 5)


INTEGER_KEYS = frozenset({"first", "last", "score", "rank", "quartile"})


def _literal(key: str, value) -> str | int | bool:
    # Only line numbers, scores and ranks are used as numbers; everything else is shown as written
    # (a decimal keeps its lexical form: "76.92", never 76.920000001).
    text = str(value)
    if key in INTEGER_KEYS:
        try:
            return int(text)
        except ValueError:
            return text
    if key == "code_derived":
        return text.lower() in ("true", "1")
    return text


class TraceGraph:
    """The DiGraph plus the indexes the engine needs (codes, titles, reports)."""

    def __init__(self, g: nx.DiGraph):
        self.g = g
        self._by_kind: dict[str, list[str]] | None = None
        self._scoped: dict[str, TraceGraph] = {}
        self.keys: dict = {}  # display sort keys, memoised by engine.sort_key
        self.summaries: dict = {}  # node and link summaries, memoised by engine.trace_dict (read-only)
        self.ranks: dict[str, int] = {}  # display order of every node, made once by engine.node_ranks
        self.succ_order: dict[str, list[str]] = {}  # each node's successors in display order (same)
        self.kind_of: dict[str, str] = {}  # each node's kind (same)
        # {count: {report IRI: members}}, read by `load` with queries/counts/*.rq (see outcome_graph.counts)
        self.counts: dict[str, dict[str, list[str]]] = {}
        # {change: {(old report, new report): members}}, read with queries/changes/*.rq when first asked
        self.changes: dict | None = None
        self.by_code: dict[str, list[str]] = defaultdict(list)
        for n, data in g.nodes(data=True):
            for code in {data.get("code"), *data.get("alt_codes", ())} - {None}:
                self.by_code[code.casefold()].append(n)
        self.reports = sorted(
            {y for _, d in g.nodes(data=True) if d.get("kind") == "Report" for y in d.get("reports", [])}
        )

    @property
    def councils(self) -> list[str]:
        return sorted({self.g.nodes[n].get("council") for n in self.nodes_of("Report")} - {None})

    def councils_reporting(self, year: str) -> list[str]:
        return sorted(
            {
                self.g.nodes[n].get("council")
                for n in self.nodes_of("Report")
                if year in self.g.nodes[n]["reports"]
            }
            - {None}
        )

    def scoped(self, council: str | None) -> TraceGraph:
        """The graph of one council's records, with what is shared by all (statutes, frameworks, national
        LGBF indicators); itself when there is no council to choose or only one."""
        if council is None or self.councils == [council]:
            return self
        if council not in self.councils:
            from ..errors import OutcomeGraphError

            raise OutcomeGraphError(
                f"no council {council!r} in the graph; councils: {', '.join(self.councils)}"
            )
        if council not in self._scoped:
            keep = [n for n, d in self.g.nodes(data=True) if d.get("council") in (None, council)]
            from .engine import prepare

            scoped = TraceGraph(self.g.subgraph(keep).copy())
            scoped.counts = self.counts
            self._scoped[council] = prepare(scoped)
        return self._scoped[council]

    def node(self, iri: str) -> dict:
        return self.g.nodes[iri]

    def kind(self, iri: str) -> str:
        return self.g.nodes[iri].get("kind", "")

    def nodes_of(self, kind: str) -> list[str]:
        # indexed once: the gap analysis and the audit ask for every kind many times
        if self._by_kind is None:
            by_kind: dict[str, list[str]] = defaultdict(list)
            for n, d in self.g.nodes(data=True):
                by_kind[d.get("kind", "")].append(n)
            self._by_kind = {k: sorted(v) for k, v in by_kind.items()}
        return self._by_kind.get(kind, [])


def _report_year(report_iri) -> str:
    return local(report_iri)


def _preference(p, o) -> tuple[int, ...]:
    """Which of several values of a shown property wins (lowest first): a SKOS preferred label over an
    rdfs:label, og:title over dcterms:title, English over untagged over any other language."""
    lang = o.language if isinstance(o, Literal) else None
    by_lang = 0 if lang == "en" else 1 if not lang else 2
    by_property = 1 if p in (RDFS.label, DCTERMS.title) else 0
    return (by_lang, by_property)


def from_rdf(rdf: rdflib.Graph) -> TraceGraph:
    """Turns the CONSTRUCT answer into the DiGraph. Pure."""
    g = nx.DiGraph()
    attrs: dict[str, dict] = defaultdict(dict)
    links: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    link_parts: dict[str, dict] = defaultdict(dict)
    plain = {
        OG.code: "code",
        OG.title: "title",
        SKOS.prefLabel: "label",
        SKOS.notation: "notation",
        RDFS.label: "label",
        DCTERMS.title: "title",
        OG.codeDerived: "code_derived",
        OG.value: "value",
        OG.rawValue: "raw",
        OG.target: "target",
        OG.note: "note",
        OG.progress: "progress",
        OG.dueDate: "due",
        OG.score: "score",
        OG.totalOf: "total_of",
        OG.rank: "rank",
        OG.quartile: "quartile",
        OG.precision: "precision",
        OG.firstLine: "first",
        OG.lastLine: "last",
        OG.text: "text",
        OG.heading: "heading",
        OG.sourceFile: "source",
    }
    named = {OG.status: "status", OG.unit: "unit", OG.indicatorSet: "indicator_set", OG.polarity: "polarity"}
    edges: list[tuple[str, str, URIRef]] = []
    evidence_of: dict[str, list[str]] = defaultdict(list)
    # Every value of a property is kept and one is chosen after all triples are read, by a fixed
    # preference and then by its text: the graph's triples come in hash-seed order, so "the last one
    # read" would change from run to run (an indicator in two sets, a statute with two labels).
    candidates: dict[str, dict[str, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in rdf:
        s_ = str(s)
        if p == RDF.type:
            kind = local(o)
            if kind == "Link":
                link_parts[s_]["is_link"] = True
            elif kind in KINDS:
                attrs[s_]["kind"] = kind
        elif p in (RDF.subject, RDF.predicate, RDF.object):
            link_parts[s_][local(p)] = str(o)
        elif p == OG.basis:
            link_parts[s_].setdefault("bases", set()).add(local(o))
        elif p == OG.rationale:
            link_parts[s_]["rationale"] = str(o)
        elif p in plain:
            key = plain[p]
            candidates[s_][key].append((_preference(p, o), str(o), _literal(key, o)))
        elif p in named:
            candidates[s_][named[p]].append(((0,), local(o), local(o)))
        elif p == OG.altCode:
            if isinstance(o, Literal):
                attrs[s_].setdefault("alt_codes", []).append(str(o))
        elif p == SKOS.altLabel:
            attrs[s_].setdefault("aliases", []).append(str(o))
        elif p == OG.report:
            attrs[s_].setdefault("reports", set()).add(_report_year(o))
        elif p == OG.period:
            attrs[s_]["period"] = period_label(o)
        elif p in EDGE_PROPERTIES:
            if p == OG.evidence:
                evidence_of[s_].append(str(o))
            edges.append((s_, str(o), p))
    # og:evidence on a Link node is only known to be one after all triples are read
    for s_, o_, p in list(edges):
        if p == OG.evidence and link_parts.get(s_, {}).get("is_link"):
            link_parts[s_]["evidence"] = o_
    edges = [e for e in edges if not (e[2] == OG.evidence and link_parts.get(e[0], {}).get("is_link"))]
    for node_iri, parts in link_parts.items():
        if parts.get("is_link") and {"subject", "predicate", "object"} <= parts.keys():
            links[(parts["subject"], parts["predicate"], parts["object"])].append(
                {
                    "link": node_iri,
                    "basis": "+".join(sorted(parts.get("bases", ()))) or "Unqualified",
                    "evidence": parts.get("evidence"),
                    "rationale": parts.get("rationale"),
                }
            )
    for s_, by_key in candidates.items():
        for key, values in by_key.items():
            attrs[s_][key] = min(values, key=lambda v: (v[0], v[1]))[2]
            if key == "indicator_set":
                attrs[s_]["indicator_sets"] = sorted({v[2] for v in values})
    # Nodes and edges go in in IRI order, so that networkx's own order (successors, predecessors, nodes)
    # is the same on every run.
    for iri, a in sorted(attrs.items()):
        if "kind" not in a:
            continue
        a["iri"] = iri
        a["council"] = council_of(iri)
        a["reports"] = sorted(a.get("reports", ()))
        for many in ("aliases", "alt_codes"):
            if many in a:
                a[many] = sorted(a[many])
        if a["kind"] == "Report":
            a["reports"] = [_report_year(iri)]
        g.add_node(iri, **a)
    for s_, o_, p in sorted(edges):
        if s_ not in g or o_ not in g:
            continue
        upper, lower = (o_, s_) if EDGE_PROPERTIES[p] else (s_, o_)
        quals = links.get((s_, str(p), o_), [])
        if quals:
            q = sorted(quals, key=lambda x: (x["basis"], x["evidence"] or ""))
            basis = sorted({b for x in q for b in x["basis"].split("+")})
            info = {
                "rel": local(p),
                "basis": "+".join(basis),
                "evidence": [x["evidence"] for x in q if x["evidence"]],
                "rationale": next((x["rationale"] for x in q if x["rationale"]), None),
                "link": q[0]["link"],
            }
        else:
            implied = IMPLIED_BASIS.get(p, "Unqualified")
            evidence = [s_] if p == OG.mentions else []
            if p in (OG.indicator, OG.feeds):
                evidence = sorted(evidence_of.get(s_, []))
            info = {"rel": local(p), "basis": implied, "evidence": evidence, "rationale": None, "link": None}
        g.add_edge(upper, lower, **info)
    return TraceGraph(g)


_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_CACHE_BY_ID: dict[int, TraceGraph] = {}


def load(store) -> TraceGraph:
    """The trace graph of a store, read once per store object and kept while the store lives."""
    try:
        cached = _CACHE.get(store)
    except TypeError:
        cached = _CACHE_BY_ID.get(id(store))
    if cached is not None:
        return cached
    tg = from_rdf(store.construct(STRUCTURE_QUERY))
    from ..counts import count_members

    tg.counts = count_members(store)
    from .engine import prepare  # display order and summaries, made once here rather than per request

    prepare(tg)
    # The trace graph lives as long as the store; keeping its many small objects out of the cyclic
    # collector's scans stops full collections from stalling later traces of a large graph.
    gc.collect()
    gc.freeze()
    try:
        _CACHE[store] = tg
    except TypeError:
        _CACHE_BY_ID[id(store)] = tg
    return tg


SHARED_SEGMENTS = ("lgbf", "framework")


def council_of(iri: str) -> str | None:
    """The council whose report a node comes from (its IRI's first segment under ogr:); None for what
    all councils share (statutes, frameworks, national LGBF indicators)."""
    if not iri.startswith(str(OGR)):
        return None
    first = iri[len(str(OGR)) :].split("/", 1)[0]
    return None if first in SHARED_SEGMENTS or "/" not in iri[len(str(OGR)) :] else first


def is_instance(iri: str) -> bool:
    return iri.startswith(str(OGR))
