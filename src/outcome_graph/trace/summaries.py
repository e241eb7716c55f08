"""The plain-data summaries of nodes, figures, excerpts and links that every renderer of a trace shows
(text, JSON, HTML, SVG): pure functions of the trace graph."""

from __future__ import annotations

from ..namespaces import OGR
from .graph import TraceGraph


def display_value(d: dict) -> str:
    """The figure as a person reads it (85%, £15.56m, 1,385); what the report says where it gives none."""
    if d.get("value") is None:
        return d.get("raw") or "N/A"
    from ..labels import value_text

    return value_text(d["value"], d.get("unit"))


def excerpt_summary(tg: TraceGraph, e: str) -> dict:
    d = tg.node(e) if e in tg.g else {}
    return {
        "iri": e,
        "report": (d.get("reports") or [None])[0],
        "first_line": d.get("first"),
        "last_line": d.get("last"),
        "text": d.get("text"),
    }


def observation_summary(tg: TraceGraph, o: str) -> dict:
    d = tg.node(o)
    ev = [x for x in tg.g.successors(o) if tg.kind(x) == "Excerpt"]
    return {
        "iri": o,
        "period": d.get("period"),
        "report": (d.get("reports") or [None])[0],
        "value": d.get("value"),
        "display": display_value(d),
        "raw": d.get("raw"),
        "unit": d.get("unit"),
        "target": d.get("target"),
        "status": d.get("status"),
        "note": d.get("note"),
        "evidence": [excerpt_summary(tg, x) for x in sorted(ev)],
    }


NODE_FIELDS = (
    "kind",
    "code",
    "title",
    "label",
    "reports",
    "period",
    "value",
    "raw",
    "unit",
    "target",
    "status",
    "note",
    "progress",
    "due",
    "score",
    "first",
    "last",
    "text",
    "indicator_set",
)


def page_path(iri: str) -> str | None:
    """The server's linked-data page of an instance IRI (/id/...); None for IRIs it does not mint."""
    if iri.startswith(str(OGR)):
        return "/id/" + iri[len(str(OGR)) :]
    return None


def node_summary(tg_or_graph, n: str) -> dict:
    g = tg_or_graph.g if isinstance(tg_or_graph, TraceGraph) else tg_or_graph
    d = g.nodes[n]
    out = {"iri": n}
    for k in NODE_FIELDS:
        v = d.get(k)
        if v not in (None, [], ""):
            out[k] = v
    if d.get("kind") == "Observation":
        out["display"] = display_value(d)
    out["page"] = page_path(n)
    return out


def period_label(label: str | None) -> str | None:
    """'2020-2021' -> '2020/21'; '2020-2021 Q4' -> 'Q4 2020/21' (as the reports write periods)."""
    if not label:
        return label
    year, _, q = label.partition(" ")
    start = year[:4]
    if not start.isdigit():
        return label
    plain = f"{start}/{(int(start) + 1) % 100:02d}"
    return f"{q} {plain}" if q else plain
