"""The trace: down from a duty or outcome to its evidence, up from evidence to what it evidences, and
across report years. Pure functions over a TraceGraph (see graph.py); no store access here.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import OutcomeGraphError
from ..extract.codes import normalise_code
from ..namespaces import PREFIXES
from .graph import DUTY_KINDS, KINDS, TraceGraph, period_key

# the summaries every renderer uses (re-exported: callers import them from here)
from .summaries import NODE_FIELDS as NODE_FIELDS
from .summaries import display_value as display_value
from .summaries import excerpt_summary as excerpt_summary
from .summaries import node_summary as node_summary
from .summaries import observation_summary as observation_summary
from .summaries import page_path as page_path

if TYPE_CHECKING:  # imported where a graph is made (graph.py): a server's start need not pay for it
    import networkx as nx

LAYER = {
    "Statute": 0,
    "Framework": 0,
    "Provision": 1,
    "FrameworkElement": 1,
    "Priority": 2,
    "Risk": 2,
    "Action": 3,
    "Indicator": 4,
    "Observation": 5,
    "Excerpt": 6,
    "Report": 6,
    "ReportedTotal": 6,
}
KIND_ORDER = {k: i for i, k in enumerate(KINDS)}


class TraceError(OutcomeGraphError):
    pass


def normalise_year(text: str) -> str:
    """'2020-2021', '2020/21', '2020-21', '2020' -> '2020-2021' (a government year, as report IRIs use)."""
    t = text.strip()
    m = re.fullmatch(r"(\d{4})(?:\s*[-/]\s*(\d{2}|\d{4}))?", t)
    if not m:
        raise TraceError(f"{text!r} is not a report year; write it as 2020-2021 (or 2020/21)")
    start = int(m[1])
    if m[2]:
        end = int(m[2]) if len(m[2]) == 4 else (start // 100) * 100 + int(m[2])
        if end != start + 1:
            raise TraceError(f"{text!r} is not a government year: the second year must follow the first")
    return f"{start}-{start + 1}"


@dataclass
class Trace:
    root: str
    direction: str
    report: str | None
    graph: nx.DiGraph
    notes: list[str] = field(default_factory=list)
    keys: dict = field(default_factory=dict, repr=False)  # sort keys, shared with the TraceGraph
    members: set = field(default_factory=set, repr=False)  # the trace's nodes, for fast membership tests

    def nodes_of(self, kind: str) -> list[str]:
        return sorted(
            (n for n, d in self.graph.nodes(data=True) if d.get("kind") == kind),
            key=lambda n: sort_key(self, n),
        )


def sort_key(holder, n: str):
    """The order nodes are shown in: layer, report, period, code (naturally), line. Memoised per trace graph,
    since a large trace sorts tens of thousands of nodes."""
    keys = holder.keys
    k = keys.get(n)
    if k is None:
        d = holder.graph.nodes[n] if isinstance(holder, Trace) else holder.g.nodes[n]
        k = (
            LAYER.get(d.get("kind"), 9),
            d.get("reports", [""])[:1],
            period_key(d.get("period", "")) if d.get("period") else ("", 0),
            natural(d.get("code") or ""),
            d.get("first") or 0,
            natural(n),
        )
        keys[n] = k
    return k


_DIGITS = re.compile(r"(\d+)")


def natural(text: str) -> tuple:
    """'Part 2' before 'Part 10': digit runs compare as numbers."""
    return tuple(int(x) if x.isdigit() else x for x in _DIGITS.split(text))


# -- finding the start node -----------------------------------------------------------------------


def expand(ref: str) -> str:
    """An IRI from a prefixed name (ogr:..., og:...); anything else as given."""
    prefix, sep, rest = ref.partition(":")
    if sep and prefix in PREFIXES and not rest.startswith("//"):
        return PREFIXES[prefix] + rest
    return ref


def _in_report(tg: TraceGraph, n: str, report: str | None) -> bool:
    if report is None:
        return True
    reports = tg.g.nodes[n].get("reports") or []
    return not reports or report in reports


def search(tg: TraceGraph, query: str, limit: int = 50, report: str | None = None) -> list[str]:
    """Nodes whose code, title or label contains every word of the query (case-insensitive)."""
    words = query.casefold().split()
    if not words:
        return []
    hits = []
    for n, d in tg.g.nodes(data=True):
        if d.get("kind") not in LAYER or d.get("kind") in (
            "Report",
            "ReportedTotal",
            "Excerpt",
            "Observation",
        ):
            continue
        hay = " ".join(str(d.get(k, "")) for k in ("code", "title", "label", "notation")).casefold()
        if all(w in hay for w in words) and _in_report(tg, n, report):
            hits.append(n)
    hits.sort(key=lambda n: (KIND_ORDER.get(tg.kind(n), 99), tg.node(n).get("code") or "", n))
    return hits[:limit]


def describe(tg: TraceGraph, n: str) -> str:
    d = tg.node(n)
    bits = [d.get("kind", "?"), d.get("code") or "", (d.get("title") or d.get("label") or "")[:70]]
    if d.get("kind") in ("Priority", "Action") and d.get("reports"):
        bits.append(f"({', '.join(d['reports'])})")
    return " ".join(b for b in bits if b) + f" <{n}>"


def resolve(tg: TraceGraph, ref: str, report: str | None = None) -> str:
    """A node from an IRI (or prefixed name), a code, an exact title, or words of its title."""
    ref = ref.strip()
    if not ref:
        raise TraceError("nothing to trace: give a code (CS.S.01.02), an IRI, or words of a title")
    iri = expand(ref)
    if iri in tg.g:
        return iri
    if re.match(r"^https?://", iri):
        raise TraceError(f"{ref} is not a node of the graph; search by code or title instead")
    code = ref
    m = re.fullmatch(r"(?i)priority[\s/:#]*(\d+)", ref)
    if m:
        code = m[1].zfill(2)
    candidates = tg.by_code.get(code.casefold(), []) or tg.by_code.get(normalise_code(code).casefold(), [])
    if not candidates and code.isdigit():
        candidates = tg.by_code.get(code.zfill(2), [])
    candidates = sorted((c for c in candidates if _in_report(tg, c, report)), key=lambda c: sort_key(tg, c))
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        exact = [
            n
            for n, d in tg.g.nodes(data=True)
            if ref.casefold()
            in {str(x).casefold() for x in (d.get("title"), d.get("label"), *d.get("aliases", [])) if x}
            and _in_report(tg, n, report)
        ]
        if len(exact) == 1:
            return exact[0]
        candidates = exact or search(tg, ref, limit=20, report=report)
        if len(candidates) == 1:
            return candidates[0]
    if not candidates:
        where = f" in the {report} report" if report else ""
        raise TraceError(f"no statute, provision, priority, action, indicator or risk matches {ref!r}{where}")
    shown = "; ".join(describe(tg, c) for c in candidates[:10])
    spans = {tuple(tg.node(c).get("reports") or ()) for c in candidates}
    hint = " (add --report YEAR)" if not report and len(spans) > 1 else ""
    raise TraceError(f"{ref!r} matches {len(candidates)} nodes{hint}: {shown}")


# -- traversals -----------------------------------------------------------------------------------


def _walk(tg: TraceGraph, starts: list[str], adjacency: dict, report: str | None) -> set[str]:
    seen = set(starts)
    queue = deque(starts)
    while queue:
        n = queue.popleft()
        for m in adjacency[n]:
            if m not in seen and (report is None or _in_report(tg, m, report)):
                seen.add(m)
                queue.append(m)
    return seen


def _subgraph(tg: TraceGraph, nodes: set[str]) -> nx.DiGraph:
    """The trace's graph: a read-only view of the trace graph restricted to the trace's nodes (made in
    time proportional to the nodes; a copy of a national framework's trace would cost more than the
    trace itself)."""
    return tg.g.subgraph(nodes)


def down(tg: TraceGraph, iri: str, report: str | None = None) -> Trace:
    """Everything beneath a node: actions, indicators, observations and the excerpts they came from."""
    starts = [iri]
    notes = []
    if tg.kind(iri) == "Risk":
        # A risk sits under what it bears on; its trace follows those down (and says so).
        related = [p for p in tg.g.predecessors(iri) if tg.g.edges[p, iri]["rel"] == "relatesTo"]
        starts += [p for p in related if _in_report(tg, p, report)]
        if related:
            notes.append("a risk's trace follows down the priorities and duties it relates to")
    nodes = _walk(tg, starts, tg.g._succ, report)  # the raw adjacency: no view per step
    return Trace(iri, "down", report, _subgraph(tg, nodes), notes, tg.keys, nodes)


def up(tg: TraceGraph, iri: str, report: str | None = None) -> Trace:
    """Everything a node evidences: its indicator, actions, priorities, provisions and statutes."""
    nodes = _walk(tg, [iri], tg.g._pred, report)
    return Trace(iri, "up", report, _subgraph(tg, nodes), keys=tg.keys, members=nodes)


def trace(tg: TraceGraph, iri: str, direction: str = "down", report: str | None = None) -> Trace:
    if direction == "down":
        return down(tg, iri, report)
    if direction == "up":
        return up(tg, iri, report)
    if direction == "across":
        t = down(tg, iri, None)
        t.direction = "across"
        return t
    raise TraceError(f"unknown direction {direction!r}: use down, up or across")


# -- across years ---------------------------------------------------------------------------------


def across(tg: TraceGraph, iri: str) -> dict:
    """The same indicator or duty in each report side by side: per indicator beneath the node, its
    observations in each report; per action, its status and progress in the report it comes from."""
    t = down(tg, iri, None)
    g = t.graph
    reports = sorted(
        {y for n in g for y in g.nodes[n].get("reports", []) if g.nodes[n].get("kind") != "Report"}
    )
    indicators = []
    for ind in t.nodes_of("Indicator"):
        d = g.nodes[ind]
        by_report: dict[str, list[dict]] = {r: [] for r in reports}
        for obs in g.successors(ind):
            od = g.nodes[obs]
            if od.get("kind") != "Observation":
                continue
            for r in od.get("reports", []):
                by_report.setdefault(r, []).append(observation_summary(tg, obs))
        for r in by_report:
            by_report[r].sort(key=lambda o: period_key(o["period"] or ""))
        indicators.append(
            {
                "iri": ind,
                "code": d.get("code"),
                "title": d.get("title"),
                "reports": d.get("reports", []),
                "by_report": by_report,
                "in_every_report": all(by_report[r] for r in reports) if reports else False,
            }
        )
    actions = []
    for a in t.nodes_of("Action"):
        d = g.nodes[a]
        actions.append(
            {
                "iri": a,
                "code": d.get("code"),
                "title": d.get("title"),
                "by_report": {
                    r: {k: d.get(k) for k in ("status", "progress", "due", "note")}
                    for r in d.get("reports", [])
                },
            }
        )
    return {
        "root": node_summary(tg, iri),
        "reports": reports,
        "indicators": indicators,
        "actions": actions,
        "shared_indicators": [i["code"] or i["iri"] for i in indicators if i["in_every_report"]],
    }


def node_ranks(tg: TraceGraph) -> dict[str, int]:
    """Every node's place in display order, computed once per trace graph so that a trace sorts integers."""
    if not tg.ranks:
        # built aside and published whole, so that a concurrent request never sees half of it
        ranks = {n: i for i, n in enumerate(sorted(tg.g, key=lambda n: sort_key(tg, n)))}
        tg.succ_order = {n: sorted(nbrs, key=ranks.__getitem__) for n, nbrs in tg.g.succ.items()}
        tg.kind_of = {n: d.get("kind") for n, d in tg.g.nodes(data=True)}
        tg.ranks = ranks
    return tg.ranks


def prepare(tg: TraceGraph) -> TraceGraph:
    """Everything a trace reads that depends only on the graph: display order, and every node's and
    link's summary. Done once when a store's trace graph is loaded (about 2 s and 100 MB for the
    national graph of 730k triples), so that no request pays for it."""
    node_ranks(tg)
    for n in tg.g:
        cached_node_summary(tg, n)
    for u, v in tg.g.edges():
        cached_edge_summary(tg, u, v)
    return tg


def cached_node_summary(tg: TraceGraph, n: str) -> dict:
    got = tg.summaries.get(n)
    if got is None:
        got = tg.summaries[n] = node_summary(tg, n)
    return got


def cached_edge_summary(tg: TraceGraph, u: str, v: str) -> dict:
    got = tg.summaries.get((u, v))
    if got is None:
        got = tg.summaries[(u, v)] = edge_summary(tg, u, v, tg.g.edges[u, v])
    return got


def edge_summary(tg: TraceGraph, u: str, v: str, data: dict) -> dict:
    return {
        "from": u,
        "to": v,
        "rel": data["rel"],
        "basis": data["basis"],
        "evidence": [excerpt_summary(tg, e) for e in data.get("evidence") or []],
        "rationale": data.get("rationale"),
        "link": data.get("link"),
    }


def trace_dict(tg: TraceGraph, t: Trace) -> dict:
    """The trace as plain data (JSON-ready). Node and link summaries are made once per trace graph and
    shared between traces: they depend only on the graph, and a large trace repeats most of them."""
    nodes = t.members or set(t.graph.nodes)
    rank = node_ranks(tg)
    kinds = Counter(map(tg.kind_of.__getitem__, nodes))
    order = sorted(nodes, key=rank.__getitem__)
    succ = tg.succ_order
    edges = [(u, v) for u in order for v in succ[u] if v in nodes]
    memo = tg.summaries
    out = {
        "root": cached_node_summary(tg, t.root),
        "direction": t.direction,
        "report": t.report,
        "notes": t.notes,
        "counts": {k: kinds[k] for k in KINDS if kinds.get(k)},
        "nodes": [memo.get(n) or cached_node_summary(tg, n) for n in order],
        "edges": [memo.get(e) or cached_edge_summary(tg, *e) for e in edges],
    }
    if t.direction == "across":
        out["across"] = across(tg, t.root)
    return out


def is_duty(tg: TraceGraph, n: str) -> bool:
    return tg.kind(n) in DUTY_KINDS
