"""The trace as a picture (SVG, and PNG through matplotlib): one column per kind of record, duty on the
left and evidence on the right. Pure: each function returns a str or bytes.

Legibility rules: every box says what it is ("Action CSPC.P.2.1", "Figure of CSPC.P.2.1a, Q2 2020/21:
85%"); a long name wraps onto more lines instead of being cut; the fill says the kind and a bar on the
left the status, and the key lists exactly the fills and bars that appear; risks share the actions'
column, so that an action hangs from the duty it implements, not from a risk.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable
from html import escape
from urllib.parse import quote

from ..labels import from_ontology, period_text, year_text
from ..svg import STATUS_COLOURS, TEXT, TEXT_STYLE, key_row
from .engine import Trace, display_value, sort_key

# Column of each kind of record (risks sit beside actions: both hang from a duty or a priority).
COLUMN = {
    "Statute": 0,
    "Framework": 0,
    "Provision": 1,
    "FrameworkElement": 1,
    "Priority": 2,
    "Action": 3,
    "Risk": 3,
    "Indicator": 4,
    "Observation": 5,
    "Excerpt": 6,
    "Report": 6,
    "ReportedTotal": 6,
}
# Light fills with dark text (contrast above 7:1); the status is the bar's colour.
KIND_FILLS = {
    "Statute": "#e6dcf5",
    "Framework": "#e6dcf5",
    "Provision": "#f1e4f6",
    "FrameworkElement": "#f1e4f6",
    "Priority": "#d5efe9",
    "Action": "#e2e8ee",
    "Risk": "#fbe3cf",
    "Indicator": "#dfeaf7",
    "Observation": "#f3f3f3",
    "Excerpt": "#f3ede2",
    "Report": "#f3ede2",
    "ReportedTotal": "#f3ede2",
}
COL_W, BOX_W, LINE_H, PAD, GAP, TOP, CHARS = 250, 226, 14, 5, 6, 48, 33


def _labels():
    return from_ontology()


def box_lines(g, n: str) -> list[str]:
    """What the box says, wrapped: its kind, code and title (or, for a figure, whose figure it is)."""
    d = g.nodes[n]
    kind = d.get("kind", "")
    L = _labels()
    if kind == "Observation":
        owner = next(
            (
                g.nodes[p].get("code") or g.nodes[p].get("title")
                for p in g.predecessors(n)
                if g.nodes[p].get("kind") == "Indicator"
            ),
            None,
        )
        status = f" — {L.term(d['status'])}" if d.get("status") else ""
        head = f"Figure of {owner}" if owner else L.term("Observation")
        text = f"{head}, {period_text(d.get('period'))}: {display_value(d)}{status}"
    elif kind == "Excerpt":
        first, last = d.get("first"), d.get("last")
        span = f"line {first}" if first == last else f"lines {first}–{last}"
        text = f"{L.term('Excerpt')}: {year_text((d.get('reports') or ['?'])[0])} report, {span}"
    elif kind == "Priority":
        year = year_text((d.get("reports") or [""])[0])
        text = f"Priority {d.get('code', '')} ({year}): {d.get('title') or ''}"
    else:
        code, title = d.get("code") or "", d.get("title") or d.get("label") or ""
        name = title if not code or title.startswith(code) else f"{code} {title}".strip()
        text = f"{L.term(kind)}: {name}" if kind in ("Statute", "Framework") else f"{L.term(kind)} {name}"
    # wrapped, never cut: a long title makes a taller box
    return textwrap.wrap(text, CHARS, break_long_words=True) or [""]


def _height(lines: list[str]) -> int:
    return len(lines) * LINE_H + 2 * PAD - 2


def layout(t: Trace) -> tuple[dict[str, tuple[float, float, list[str]]], int, int]:
    """Each box's top-left corner and lines. Within a column boxes sit in the order of the boxes they hang
    from (the mean place of their neighbours already placed), so children sit beside their parents."""
    g = t.graph
    columns: dict[int, list[str]] = {}
    for n, d in g.nodes(data=True):
        columns.setdefault(COLUMN.get(d.get("kind"), 6), []).append(n)
    used = sorted(columns)
    rank: dict[str, float] = {}
    pos: dict[str, tuple[float, float, list[str]]] = {}
    bottom = TOP
    for c, col in enumerate(used):

        def centre(n: str) -> float:
            placed = [rank[m] for m in (*g.predecessors(n), *g.successors(n)) if m in rank]
            return sum(placed) / len(placed) if placed else float("inf")

        y = float(TOP)
        for i, n in enumerate(sorted(columns[col], key=lambda n: (centre(n), sort_key(t, n)))):
            lines = box_lines(g, n)
            rank[n] = float(i)
            pos[n] = (10.0 + c * COL_W, y, lines)
            y += _height(lines) + GAP
        bottom = max(bottom, int(y))
    return pos, max(1, len(used)) * COL_W + 10, bottom


def key_entries(t: Trace) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The kinds and statuses that appear, with their colours: the key shows these and nothing else."""
    g = t.graph
    L = _labels()
    kinds = sorted({g.nodes[n].get("kind", "") for n in g}, key=lambda k: (COLUMN.get(k, 9), k))
    fills: dict[str, list[str]] = {}
    for k in kinds:
        fills.setdefault(KIND_FILLS.get(k, "#eeeeee"), []).append(L.term(k))
    statuses = sorted({g.nodes[n].get("status") for n in g} - {None, ""}, key=list(STATUS_COLOURS).index)
    return (
        [(colour, " / ".join(names)) for colour, names in fills.items()],
        [(STATUS_COLOURS[s], L.term(s)) for s in statuses if s in STATUS_COLOURS],
    )


def _column_heading(t: Trace, col: int) -> str:
    L = _labels()
    kinds = sorted(
        {t.graph.nodes[n].get("kind") for n in t.graph if COLUMN.get(t.graph.nodes[n].get("kind"), 6) == col}
    )
    return " / ".join(L.plural(k) for k in kinds)  # og:pluralLabel: "Priorities", never "Prioritys"


def to_svg(t: Trace, base: str = "") -> str:
    """The picture as SVG: each box links to its own trace; the ↗ beside it to its linked-data page."""
    g = t.graph
    pos, width, height = layout(t)
    fills, bars = key_entries(t)
    key_h = 24
    root_name = " ".join(box_lines(g, t.root))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'class="trace-picture" width="{width}" height="{height + key_h}" '
        f'viewBox="0 0 {width} {height + key_h}" role="group" '
        f'aria-label="Trace picture of {escape(root_name)}">',
        f"<title>Trace of {escape(root_name)}</title>",
        f"<style>{TEXT_STYLE} .h{{font-weight:bold}}"
        " .e{stroke:#8a8f96;fill:none} a:hover rect.box,a:focus rect.box{stroke:#000;stroke-width:2}"
        " .pl{fill:#0b5cad}</style>",
    ]
    used = sorted({COLUMN.get(g.nodes[n].get("kind"), 6) for n in g})
    for i, col in enumerate(used):
        parts.append(f'<text class="h" x="{10 + i * COL_W}" y="20">{escape(_column_heading(t, col))}</text>')
    for u, v in sorted(g.edges()):
        (x1, y1, _), (x2, y2, _) = pos[u], pos[v]
        if x2 < x1:
            (x1, y1), (x2, y2) = (x2, y2), (x1, y1)
        if x1 == x2:  # same column (a feeder indicator): a short loop on the right
            x1 -= BOX_W
        d = g.edges[u, v]
        verb = escape(_labels().reading(d["rel"]))
        parts.append(
            f'<path class="e" d="M{x1 + BOX_W:.0f},{y1 + 10:.0f} C{x1 + BOX_W + 12:.0f},{y1 + 10:.0f} '
            f'{x2 - 12:.0f},{y2 + 10:.0f} {x2:.0f},{y2 + 10:.0f}"><title>{verb} '
            f"({escape(d['basis'])})</title></path>"
        )
    for n in sorted(g, key=lambda n: sort_key(t, n)):
        d = g.nodes[n]
        x, y, lines = pos[n]
        h = _height(lines)
        trace_href = f"{base}/trace?node={quote(n, safe='')}"
        page = (
            n.replace("https://w3id.org/outcome-graph/id/", f"{base}/id/", 1)
            if "/outcome-graph/id/" in n
            else (f"{base}/resource?iri={quote(n, safe='')}")
        )
        name = " ".join(lines)
        root = ' stroke="#000" stroke-width="3"' if n == t.root else ' stroke="#9aa3ad"'
        bar = STATUS_COLOURS.get(d.get("status") or "")
        text_x = x + (11 if bar else 6)
        parts.append(
            f'<g class="n" data-iri="{escape(n)}" data-kind="{escape(d.get("kind", ""))}">'
            f'<a class="node-link" href="{escape(trace_href)}" xlink:href="{escape(trace_href)}" '
            f'aria-label="Trace from {escape(name)}"><title>{escape(name)}</title>'
            f'<rect class="box" x="{x:.0f}" y="{y:.0f}" width="{BOX_W}" height="{h}" rx="4" '
            f'fill="{KIND_FILLS.get(d.get("kind", ""), "#eeeeee")}"{root}/>'
            + (f'<rect x="{x:.0f}" y="{y:.0f}" width="6" height="{h}" rx="2" fill="{bar}"/>' if bar else "")
            + "".join(
                f'<text x="{text_x:.0f}" y="{y + PAD + 10 + i * LINE_H:.0f}">{escape(line)}</text>'
                for i, line in enumerate(lines)
            )
            + "</a>"
            f'<a class="page-link" href="{escape(page)}" xlink:href="{escape(page)}" '
            f'aria-label="Linked-data page of {escape(name)}"><title>Linked-data page</title>'
            f'<text class="pl" x="{x + BOX_W + 3:.0f}" y="{y + 14:.0f}">↗</text></a></g>'
        )
    # the key: exactly the fills and bars drawn above
    kx, ky = 10, height + 6
    parts.append(f'<g class="key"><text class="h" x="{kx}" y="{ky + 12}">Key:</text>')
    kx += 40
    swatches, kx = key_row(
        [(_patch(ky, c, 14, ' stroke="#9aa3ad"'), label) for c, label in fills],
        kx,
        ky + 12,
        label_dx=18,
        gap=8,
    )
    status_bars, kx = key_row(
        [(_patch(ky, c, 6, ""), label) for c, label in bars], kx, ky + 12, label_dx=10, gap=8
    )
    parts += swatches + status_bars
    parts.append("</g></svg>")
    svg = "\n".join(parts) + "\n"
    if kx > width:  # a long key on a narrow picture: widen it rather than cut the key
        svg = svg.replace(f'width="{width}" height', f'width="{kx}" height', 1).replace(
            f'viewBox="0 0 {width} ', f'viewBox="0 0 {kx} ', 1
        )
    return svg


def _patch(y: int, fill: str, width: int, stroke: str) -> Callable[[int], str]:
    """A key's colour patch (a kind's fill, a status's bar), drawn where the key's row puts it."""
    return lambda x: f'<rect x="{x}" y="{y}" width="{width}" height="14" fill="{fill}"{stroke}/>'


def png_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def to_png(t: Trace) -> bytes:
    """The same picture drawn with matplotlib (Agg)."""
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
        (x1, y1, _), (x2, y2, _) = pos[u], pos[v]
        ax.plot([x1 + BOX_W, x2], [y1 + 10, y2 + 10], color="#8a8f96", linewidth=0.6)
    for n, d in g.nodes(data=True):
        x, y, lines = pos[n]
        h = _height(lines)
        ax.add_patch(
            matplotlib.patches.FancyBboxPatch(
                (x, y),
                BOX_W,
                h,
                boxstyle="round,pad=0,rounding_size=4",
                facecolor=KIND_FILLS.get(d.get("kind", ""), "#eeeeee"),
                edgecolor="#9aa3ad",
                linewidth=0.6,
            )
        )
        bar = STATUS_COLOURS.get(d.get("status") or "")
        if bar:
            ax.add_patch(matplotlib.patches.Rectangle((x, y), 6, h, color=bar, linewidth=0))
        for i, line in enumerate(lines):
            ax.text(x + 11, y + PAD + 10 + i * LINE_H, line, fontsize=7, color=TEXT)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()
