"""A trace as text, JSON, GraphML, SVG or PNG. Pure: each function returns a str or bytes."""

from __future__ import annotations

import io
import json

from ..human import name_of
from ..labels import period_text, value_text, year_text
from .engine import Trace, display_value, sort_key, trace_dict
from .graph import TraceGraph

FORMATS = ("text", "json", "graphml", "svg", "png")


def _labels():
    # The words for statuses, bases and links are the ontology's (outcome_graph.labels); a trace is
    # drawn the same whether it came from the embedded store or a remote one.
    from ..labels import from_ontology

    return from_ontology()


def basis_words(basis: str) -> str:
    """'Curation+ReportText' -> 'Curation + Report text' (the link basis concepts' labels)."""
    return " + ".join(_labels().term(b) for b in basis.split("+"))


def _lines(d: dict) -> str:
    first, last = d.get("first"), d.get("last")
    if first is None:
        return ""
    return f"line {first}" if first == last else f"lines {first}–{last}"


def _year(reports) -> str:
    return year_text((reports or ["?"])[0])


def node_name(d: dict) -> str:
    """A record as a sentence names it: 'Priority 02 (2020/21)', 'Action CSPC.P.2.1', 'Part 9 Corporate
    parenting', 'the 2020/21 report, lines 207–208'."""
    kind = d.get("kind", "")
    if kind == "Observation":
        return f"the {period_text(d.get('period'))} figure {display_value(d)}"
    if kind == "Excerpt":
        return f"the {_year(d.get('reports'))} report, {_lines(d)}"
    name = name_of(d.get("code"), d.get("title") or d.get("label"))
    if kind == "Priority":
        return f"Priority {d.get('code', '')} ({_year(d.get('reports'))}): {d.get('title') or ''}".rstrip(
            ": "
        )
    if kind in ("Action", "Indicator", "Risk"):
        return f"{_labels().term(kind)} {name}"
    return name


def node_line(d: dict) -> str:
    """One line of text for a record: what it is, its code and title, and its figures in words."""
    kind = d.get("kind", "?")
    L = _labels()
    if kind == "Observation":
        bits = [f"{L.term('Observation')} {period_text(d.get('period'))}: {display_value(d)}"]
        if d.get("target") is not None:
            bits.append(f"target {value_text(d['target'], d.get('unit'))}")
        if d.get("status"):
            bits.append(L.term(d["status"]))
        if d.get("note"):
            bits.append(f"note: {d['note']}")
        return "; ".join(bits)
    if kind == "Excerpt":
        return f"{L.term('Excerpt')}, {year_text((d.get('reports') or ['?'])[0])} report {_lines(d)}"
    bits = [L.term(kind), name_of(d.get("code"), d.get("title") or d.get("label"))]
    reports = ", ".join(year_text(r) for r in d.get("reports") or [])
    if kind in ("Priority", "Action", "Risk") and reports:
        bits.append(f"[{reports}]")
    if kind == "Action":
        extra = [
            f"{d['progress']}%" if d.get("progress") is not None else None,
            L.term(d["status"]) if d.get("status") else None,
            f"due {d['due']}" if d.get("due") else None,
        ]
        bits.append("; ".join(x for x in extra if x))
        if d.get("note"):
            bits.append(f"note: {d['note']}")
    if kind == "Risk" and d.get("score") is not None:
        bits.append(f"score {d['score']}")
    return " ".join(str(b) for b in bits if b)


def basis_text(tg: TraceGraph, data: dict) -> str:
    """'Report text, 2016/17 line 104' or 'Curation: <rationale>'."""
    words = basis_words(data["basis"])
    if data.get("rationale"):
        words += f": {data['rationale']}"
    refs = []
    for e in data.get("evidence") or []:
        if e in tg.g:
            ed = tg.node(e)
            refs.append(f"{year_text((ed.get('reports') or ['?'])[0])} report {_lines(ed)}")
    if refs and data["rel"] not in ("evidence",):
        words += ", " + "; ".join(refs)
    return words


def _relation(tg: TraceGraph, data: dict, upward: bool) -> str:
    """How a tree line relates to the line above it, in words: "implements the above (Report text, ...)"."""
    verb = _labels().reading(data["rel"])
    below_is_subject = (data["rel"] != "evidence") != upward
    said = f"{verb} the above" if below_is_subject else f"the above {verb} this"
    return f"{said} ({basis_text(tg, data)})"


def link_sentence(g, upper: str, lower: str, data: dict) -> dict:
    """A link as a person reads it, subject first: "Part 9 is part of the Children and Young People
    (Scotland) Act 2014"; "Action CSPC.P.2.1 implements Part 9", with its basis and why."""
    # Edges point down; og:evidence runs subject -> excerpt, every other link object -> subject.
    subject, obj = (upper, lower) if data["rel"] == "evidence" else (lower, upper)
    return {
        "subject": subject,
        "object": obj,
        "subject_name": node_name(g.nodes[subject]),
        "verb": _labels().reading(data["rel"]),
        "object_name": node_name(g.nodes[obj]),
        "basis": basis_words(data["basis"]),
        "rationale": data.get("rationale"),
    }


def to_text(tg: TraceGraph, t: Trace) -> str:
    g = t.graph
    root = node_name(g.nodes[t.root])
    where = f" in the {year_text(t.report)} report" if t.report else ""
    out = [f"{t.direction} trace of {root} <{t.root}>{where}"]
    out += [f"note: {n}" for n in t.notes]
    step = g.successors if t.direction != "up" else g.predecessors
    shown: set[str] = set()

    def visit(n: str, depth: int, via: str | None) -> None:
        pad = "  " * depth
        prefix = f"{pad}- " if via else pad
        suffix = f" — {via}" if via else ""
        d = g.nodes[n]
        if n in shown:
            out.append(f"{prefix}{node_line(d).split(' note: ')[0]}{suffix} (shown above)")
            return
        shown.add(n)
        out.append(prefix + node_line(d) + suffix)
        if d.get("kind") == "Excerpt" and d.get("text") is not None:
            for i, line in enumerate(str(d["text"]).split("\n")):
                out.append(f"{pad}    {d.get('first', 0) + i:>4} | {line}")
        for m in sorted(step(n), key=lambda m: sort_key(t, m)):
            data = g.edges[n, m] if t.direction != "up" else g.edges[m, n]
            visit(m, depth + 1, _relation(tg, data, t.direction == "up"))

    visit(t.root, 0, None)
    if t.direction == "down" and g.nodes[t.root].get("kind") == "Risk":
        for start in sorted(g.predecessors(t.root), key=lambda m: sort_key(t, m)):
            out.append(f"the risk relates to ({basis_text(tg, g.edges[start, t.root])}):")
            visit(start, 1, None)
    if t.direction == "across":
        out.append("")
        out.append(across_text(trace_dict(tg, t)["across"]))
    return "\n".join(out) + "\n"


def across_text(a: dict) -> str:
    L = _labels()
    reports = a["reports"]
    out = ["side by side: " + " | ".join(year_text(r) for r in reports)]
    for ind in a["indicators"]:
        out.append(f"{L.term('Indicator')} {name_of(ind['code'], ind['title'])}".rstrip())
        for r in reports:
            cells = [
                f"{period_text(o['period'])}: {o['display']}"
                + (f" ({L.term(o['status'])})" if o.get("status") else "")
                for o in ind["by_report"].get(r, [])
            ]
            out.append(f"  {year_text(r)} report: " + (", ".join(cells) if cells else "not reported"))
    for act in a["actions"]:
        for r, v in act["by_report"].items():
            progress = f"{v['progress']}%" if v.get("progress") else "no progress given"
            status = L.term(v["status"]) if v.get("status") else "no status"
            out.append(f"{L.term('Action')} {act['code'] or ''} [{year_text(r)}]: {progress}, {status}")
    return "\n".join(out)


def to_json(tg: TraceGraph, t: Trace) -> str:
    return json.dumps(trace_dict(tg, t), indent=2, ensure_ascii=False)


def to_graphml(t: Trace) -> bytes:
    """GraphML with every attribute as a plain string (lists joined), for Gephi, yEd or networkx."""
    import networkx as nx

    h = nx.DiGraph()
    for n, d in t.graph.nodes(data=True):
        attrs = {k: _flat(v) for k, v in d.items() if v is not None}
        # `label` is the line a GraphML viewer shows; a record's own label (a risk's, a provision's) is kept
        # beside it, as record_label, instead of colliding with it (a 500 on every such trace's GraphML)
        if "label" in attrs:
            attrs["record_label"] = attrs.pop("label")
        h.add_node(n, **attrs, label=node_line(d)[:120])
    for u, v, d in t.graph.edges(data=True):
        h.add_edge(u, v, **{k: _flat(x) for k, x in d.items() if x not in (None, [])})
    buf = io.BytesIO()
    nx.write_graphml(h, buf, encoding="utf-8")
    return buf.getvalue()


def _flat(v) -> str | int | bool:
    if isinstance(v, list | tuple | set):
        return " ".join(str(x) for x in v)
    if isinstance(v, bool | int):
        return v
    return str(v)


# -- the picture: trace/picture.py ---------------------------------------------------------------

from .picture import png_available, to_png, to_svg  # noqa: E402  (re-exported: render is the entry point)

__all__ = ["FORMATS", "node_line", "node_name", "link_sentence", "to_text", "to_json", "to_graphml"]
__all__ += ["to_svg", "to_png", "png_available", "basis_words", "across_text"]
