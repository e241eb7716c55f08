"""The link structure as a networkx DiGraph, made from the triples a scope's queries gave (trace/source.py
reads them: one council's reports, never the whole graph). Pure: no store access here.

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

import threading
from collections import defaultdict
from typing import TYPE_CHECKING

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from ..namespaces import OG, OGR
from ..query_layer.scope import council_of as council_of

if TYPE_CHECKING:  # imported in from_rdf, where a graph is made: a server's start need not pay for it
    import networkx as nx

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
        self.council: str | None = None  # the council whose reports it was read from (trace/source.py)
        self.scope = None  # that council's reports (query_layer.Scope)
        self._by_kind: dict[str, list[str]] | None = None
        self._scoped: dict[str, TraceGraph] = {}
        self.keys: dict = {}  # display sort keys, memoised by engine.sort_key
        self.summaries: dict = {}  # node and link summaries, memoised by engine.trace_dict (read-only)
        self.ranks: dict[str, int] = {}  # display order of every node, made once by engine.node_ranks
        self.succ_order: dict[str, list[str]] = {}  # each node's successors in display order (same)
        self.kind_of: dict[str, str] = {}  # each node's kind (same)
        # {count: {report IRI: members}}, read with queries/counts/*.rq when first asked (see `counts`)
        self._counts: dict[str, dict[str, list[str]]] | None = None
        self.count_loader = None  # set by trace/source.py: reads the counts of the graph's reports
        self._local_store = None  # the scope's triples, where counts and changes are asked (source.py)
        self.local_loader = None  # makes it the first time a page needs it (a trace never does)
        self._counts_lock = threading.RLock()  # counts reads local_store under it
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
    def counts(self) -> dict[str, dict[str, list[str]]]:
        """The members of every count of queries/counts/ by report, read from the store for this graph's
        reports the first time a page needs them (a trace never does), once."""
        if self._counts is None:
            with self._counts_lock:
                if self._counts is None:
                    self._counts = self.count_loader() if self.count_loader else {}
        return self._counts

    @property
    def local_store(self):
        if self._local_store is None and self.local_loader is not None:
            with self._counts_lock:
                if self._local_store is None:
                    self._local_store = self.local_loader()
        return self._local_store

    @local_store.setter
    def local_store(self, value) -> None:
        self._local_store = value

    @counts.setter
    def counts(self, value: dict[str, dict[str, list[str]]]) -> None:
        self._counts = value

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
        """Itself, when it is the graph of `council` (or no council is named): a trace graph is read per
        council (trace/source.py), so another council's graph is loaded, not cut out of this one."""
        if council is None or council == self.council or self.councils == [council]:
            return self
        from ..query_layer import ScopeError

        # this graph was read for one council (trace/source.py loads another council's graph)
        raise ScopeError(f"no council {council!r} in the graph; councils: {', '.join(self.councils)}")

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


# The properties from_rdf tests every triple against, made once (a namespace attribute builds a new
# URIRef at each use, which a national council's tens of thousands of triples would pay for).
_RDF_TYPE, _RDF_SUBJECT, _RDF_PREDICATE, _RDF_OBJECT = RDF.type, RDF.subject, RDF.predicate, RDF.object
_OG_BASIS, _OG_RATIONALE, _OG_ALTCODE, _OG_REPORT = OG.basis, OG.rationale, OG.altCode, OG.report
_OG_PERIOD, _OG_EVIDENCE, _SKOS_ALTLABEL = OG.period, OG.evidence, SKOS.altLabel


def from_rdf(rdf) -> TraceGraph:
    """Turns the structure's triples (an rdflib Graph or any iterable of (s, p, o) terms, in any order)
    into the DiGraph. Pure."""
    import networkx as nx

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
        if p == _RDF_TYPE:
            kind = local(o)
            if kind == "Link":
                link_parts[s_]["is_link"] = True
            elif kind in KINDS:
                attrs[s_]["kind"] = kind
        elif p in (_RDF_SUBJECT, _RDF_PREDICATE, _RDF_OBJECT):
            link_parts[s_][local(p)] = str(o)
        elif p == _OG_BASIS:
            link_parts[s_].setdefault("bases", set()).add(local(o))
        elif p == _OG_RATIONALE:
            link_parts[s_]["rationale"] = str(o)
        elif p in plain:
            key = plain[p]
            candidates[s_][key].append((_preference(p, o), str(o), _literal(key, o)))
        elif p in named:
            candidates[s_][named[p]].append(((0,), local(o), local(o)))
        elif p == _OG_ALTCODE:
            if isinstance(o, Literal):
                attrs[s_].setdefault("alt_codes", []).append(str(o))
        elif p == _SKOS_ALTLABEL:
            attrs[s_].setdefault("aliases", []).append(str(o))
        elif p == _OG_REPORT:
            attrs[s_].setdefault("reports", set()).add(_report_year(o))
        elif p == _OG_PERIOD:
            attrs[s_]["period"] = period_label(o)
        elif p in EDGE_PROPERTIES:
            if p == _OG_EVIDENCE:
                evidence_of[s_].append(str(o))
            edges.append((s_, str(o), p))
    # og:evidence on a Link node is only known to be one after all triples are read
    # (a link read from several rows has an excerpt for each: all are kept, in order, never "the last read")
    for s_, o_, p in list(edges):
        if p == OG.evidence and link_parts.get(s_, {}).get("is_link"):
            link_parts[s_].setdefault("evidence", set()).add(o_)
    edges = [e for e in edges if not (e[2] == OG.evidence and link_parts.get(e[0], {}).get("is_link"))]
    for node_iri, parts in link_parts.items():
        if parts.get("is_link") and {"subject", "predicate", "object"} <= parts.keys():
            links[(parts["subject"], parts["predicate"], parts["object"])].append(
                {
                    "link": node_iri,
                    "basis": "+".join(sorted(parts.get("bases", ()))) or "Unqualified",
                    "evidence": sorted(parts.get("evidence", ())),
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
            q = sorted(quals, key=lambda x: (x["basis"], x["evidence"], x["link"]))
            basis = sorted({b for x in q for b in x["basis"].split("+")})
            info = {
                "rel": local(p),
                "basis": "+".join(basis),
                "evidence": [e for x in q for e in x["evidence"]],
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


def is_instance(iri: str) -> bool:
    return iri.startswith(str(OGR))
