"""A trace as text, JSON, GraphML, SVG or PNG. Pure: each function returns a str or bytes."""

from __future__ import annotations

import io
import json
from html import escape
from urllib.parse import quote

import networkx as nx

from .engine import LAYER, Trace, display_value, sort_key, trace_dict
from .graph import TraceGraph

BASIS_WORDS = {
    "ReportText": "report text",
    "CodeStructure": "code structure",
    "Curation": "curated",
    "Reference": "reference data",
    "Unqualified": "no basis recorded",
}
FORMATS = ("text", "json", "graphml", "svg", "png")


def _lines(d: dict) -> str:
    first, last = d.get("first"), d.get("last")
    if first is None:
        return ""
    return f"line {first}" if first == last else f"lines {first}-{last}"


def node_line(d: dict) -> str:
    kind = d.get("kind", "?")
    code = d.get("code") or ""
    title = d.get("title") or d.get("label") or ""
    reports = ", ".join(d.get("reports") or [])
    if kind == "Observation":
        bits = [f"Observation {d.get('period')} = {display_value(d)}"]
        if d.get("target") is not None:
            bits.append(f"target {d['target']}")
        if d.get("status"):
            bits.append(d["status"])
        if d.get("note"):
            bits.append(f"note: {d['note']}")
        return "; ".join(bits)
    if kind == "Excerpt":
        return f"Excerpt {reports} {_lines(d)}"
    bits = [kind, code, title if title != code else ""]
    if kind in ("Priority", "Action", "Risk") and reports:
        bits.append(f"[{reports}]")
    if kind == "Action":
        extra = [
            f"{d['progress']}%" if d.get("progress") is not None else None,
            d.get("status"),
            f"due {d['due']}" if d.get("due") else None,
        ]
        bits.append("; ".join(x for x in extra if x))
        if d.get("note"):
            bits.append(f"note: {d['note']}")
    if kind == "Risk" and d.get("score") is not None:
        bits.append(f"score {d['score']}")
    return " ".join(str(b) for b in bits if b)


def basis_text(tg: TraceGraph, data: dict) -> str:
    words = " + ".join(BASIS_WORDS.get(b, b) for b in data["basis"].split("+"))
    if data.get("rationale"):
        words += f": {data['rationale']}"
    refs = []
    for e in data.get("evidence") or []:
        if e in tg.g:
            ed = tg.node(e)
            refs.append(f"{(ed.get('reports') or ['?'])[0]} {_lines(ed)}")
    if refs and data["rel"] not in ("evidence",):
        words += ", " + "; ".join(refs)
    return f"{data['rel']} ({words})"


def to_text(tg: TraceGraph, t: Trace) -> str:
    g = t.graph
    out = [f"{t.direction} trace of {t.root}" + (f" in the {t.report} report" if t.report else "")]
    out += [f"note: {n}" for n in t.notes]
    step = g.successors if t.direction != "up" else g.predecessors
    shown: set[str] = set()

    def visit(n: str, depth: int, via: str | None) -> None:
        pad = "  " * depth
        prefix = f"{pad}{'- ' + via + ' -> ' if via else ''}"
        d = g.nodes[n]
        if n in shown:
            out.append(f"{prefix}{node_line(d).split(' note: ')[0]} (shown above)")
            return
        shown.add(n)
        out.append(prefix + node_line(d))
        if d.get("kind") == "Excerpt" and d.get("text") is not None:
            for i, line in enumerate(str(d["text"]).split("\n")):
                out.append(f"{pad}    {d.get('first', 0) + i:>4} | {line}")
        for m in sorted(step(n), key=lambda m: sort_key(t, m)):
            data = g.edges[n, m] if t.direction != "up" else g.edges[m, n]
            visit(m, depth + 1, basis_text(tg, data))

    visit(t.root, 0, None)
    if t.direction == "down" and g.nodes[t.root].get("kind") == "Risk":
        for start in sorted(g.predecessors(t.root), key=lambda m: sort_key(t, m)):
            out.append(f"related to ({basis_text(tg, g.edges[start, t.root])}):")
            visit(start, 1, None)
    if t.direction == "across":
        out.append("")
        out.append(across_text(trace_dict(tg, t)["across"]))
    return "\n".join(out) + "\n"


def across_text(a: dict) -> str:
    reports = a["reports"]
    out = ["side by side: " + " | ".join(reports)]
    for ind in a["indicators"]:
        out.append(f"Indicator {ind['code'] or ''} {ind['title'] or ''}".rstrip())
        for r in reports:
            cells = [
                f"{o['period']}={o['display']}" + (f" ({o['status']})" if o.get("status") else "")
                for o in ind["by_report"].get(r, [])
            ]
            out.append(f"  {r}: " + (", ".join(cells) if cells else "not reported"))
    for act in a["actions"]:
        for r, v in act["by_report"].items():
            progress = v.get("progress") or "-"
            out.append(f"Action {act['code'] or ''} [{r}]: {progress}% {v.get('status') or 'no status'}")
    return "\n".join(out)


def to_json(tg: TraceGraph, t: Trace) -> str:
    return json.dumps(trace_dict(tg, t), indent=2, ensure_ascii=False)


def to_graphml(t: Trace) -> bytes:
    """GraphML with every attribute as a plain string (lists joined), for Gephi, yEd or networkx."""
    h = nx.DiGraph()
    for n, d in t.graph.nodes(data=True):
        h.add_node(n, **{k: _flat(v) for k, v in d.items() if v is not None}, label=node_line(d)[:120])
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


# -- the picture --------------------------------------------------------------------------------

STATUS_COLOURS = {
    "OnTarget": "#2e7d32",
    "Complete": "#1565c0",
    "OffTarget": "#c62828",
    "DataOnly": "#6d6d6d",
    "NotAvailable": "#b0a000",
}
KIND_COLOURS = {
    "Statute": "#4a148c",
    "Framework": "#4a148c",
    "Provision": "#7b1fa2",
    "FrameworkElement": "#7b1fa2",
    "Priority": "#00695c",
    "Risk": "#e65100",
    "Action": "#37474f",
    "Indicator": "#37474f",
    "Observation": "#9e9e9e",
    "Excerpt": "#d7ccc8",
}
LAYER_NAMES = {
    0: "duty",
    1: "provision / element",
    2: "outcome (priority) / risk",
    3: "actions",
    4: "indicators",
    5: "observations",
    6: "excerpts",
}


def colour(d: dict) -> str:
    return STATUS_COLOURS.get(d.get("status") or "", KIND_COLOURS.get(d.get("kind", ""), "#999999"))


def short_label(d: dict) -> str:
    kind = d.get("kind")
    if kind == "Observation":
        return f"{d.get('period', '')}: {display_value(d)}"
    if kind == "Excerpt":
        return f"{(d.get('reports') or ['?'])[0]} {_lines(d)}"
    if kind == "Priority":
        return f"Priority {d.get('code', '')} {(d.get('reports') or [''])[0]}"
    text = d.get("code") or d.get("label") or d.get("title") or ""
    return text if len(text) <= 28 else text[:27] + "…"


def layout(t: Trace) -> tuple[dict[str, tuple[float, float]], int, int]:
    """Pixel positions: one column per layer (duty on the left, excerpts on the right); within a column,
    nodes sit in the order of the nodes they hang from (barycentre of their neighbours placed so far), so
    an action's indicators sit beside it and an indicator's observations beside those."""
    g = t.graph
    layers: dict[int, list[str]] = {}
    for n, d in g.nodes(data=True):
        layers.setdefault(LAYER.get(d.get("kind"), 6), []).append(n)
    used = sorted(layers)
    col_w, row_h, top = 210, 26, 40
    rank: dict[str, float] = {}
    pos: dict[str, tuple[float, float]] = {}
    for c, layer in enumerate(used):

        def centre(n: str) -> float:
            placed = [rank[m] for m in (*g.predecessors(n), *g.successors(n)) if m in rank]
            return sum(placed) / len(placed) if placed else float("inf")

        ordered = sorted(layers[layer], key=lambda n: (centre(n), sort_key(t, n)))
        for i, n in enumerate(ordered):
            rank[n] = float(i)
            pos[n] = (10.0 + c * col_w, float(top + i * row_h))
    rows = max((len(v) for v in layers.values()), default=1)
    return pos, max(1, len(used)) * col_w + 20, top + rows * row_h + 20


def to_svg(t: Trace, base: str = "") -> str:
    """A layered picture: duty/outcome -> actions -> indicators -> observations -> excerpts. Each node
    links to its own trace; the small arrow beside it to its linked-data page."""
    g = t.graph
    pos, width, height = layout(t)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'class="trace-picture" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="trace of {escape(t.root)}">',
        "<style>text{font:11px sans-serif} .h{font-weight:bold;fill:#333} .n text{fill:#fff}"
        " .e{stroke:#999;fill:none} a:hover rect{stroke:#000;stroke-width:2}</style>",
    ]
    seen_layers = sorted({LAYER.get(g.nodes[n].get("kind"), 6) for n in g})
    for i, layer in enumerate(seen_layers):
        parts.append(f'<text class="h" x="{10 + i * 210}" y="20">{escape(LAYER_NAMES[layer])}</text>')
    for u, v in sorted(g.edges()):
        (x1, y1), (x2, y2) = pos[u], pos[v]
        if x2 < x1:
            (x1, y1), (x2, y2) = (x2, y2), (x1, y1)
        parts.append(
            f'<path class="e" d="M{x1 + 190:.0f},{y1 + 9:.0f} C{x1 + 200:.0f},{y1 + 9:.0f} '
            f'{x2 - 10:.0f},{y2 + 9:.0f} {x2:.0f},{y2 + 9:.0f}"><title>{escape(g.edges[u, v]["rel"])} '
            f"({escape(g.edges[u, v]['basis'])})</title></path>"
        )
    for n in sorted(g, key=lambda n: sort_key(t, n)):
        d = g.nodes[n]
        x, y = pos[n]
        trace_href = f"{base}/trace?node={quote(n, safe='')}"
        page = (
            n.replace("https://w3id.org/outcome-graph/id/", f"{base}/id/", 1)
            if "/outcome-graph/id/" in n
            else n
        )
        tip = escape(node_line(d)[:300])
        root = ' stroke="#000" stroke-width="3"' if n == t.root else ""
        dark = ' style="fill:#222"' if d.get("kind") == "Excerpt" else ""  # light boxes need dark text
        parts.append(
            f'<g class="n" data-iri="{escape(n)}" data-kind="{escape(d.get("kind", ""))}">'
            f'<a class="node-link" href="{escape(trace_href)}" xlink:href="{escape(trace_href)}">'
            f"<title>{tip}</title>"
            f'<rect x="{x:.0f}" y="{y:.0f}" width="178" height="19" rx="4" fill="{colour(d)}"{root}/>'
            f'<text x="{x + 5:.0f}" y="{y + 13:.0f}"{dark}>{escape(short_label(d))}</text></a>'
            f'<a class="page-link" href="{escape(page)}" xlink:href="{escape(page)}">'
            f'<text x="{x + 181:.0f}" y="{y + 13:.0f}" style="fill:#1565c0">↗</text></a></g>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def png_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def to_png(t: Trace) -> bytes:
    """The same layered picture drawn with matplotlib (Agg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    g = t.graph
    pos, width, height = layout(t)
    fig = plt.figure(figsize=(width / 100, height / 100), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.axis("off")
    for u, v in g.edges():
        (x1, y1), (x2, y2) = pos[u], pos[v]
        ax.plot([x1 + 178, x2], [y1 + 9, y2 + 9], color="#999999", linewidth=0.6)
    for n, d in g.nodes(data=True):
        x, y = pos[n]
        ax.add_patch(
            matplotlib.patches.FancyBboxPatch(
                (x, y), 178, 19, boxstyle="round,pad=0,rounding_size=4", color=colour(d), linewidth=0
            )
        )
        ax.text(x + 5, y + 13, short_label(d), fontsize=7, color="white")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()
