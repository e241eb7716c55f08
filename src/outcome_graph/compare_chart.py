"""One indicator across councils for one year, as a bar chart (the LGBF dashboard's picture): a bar per
council, longest value first, the chosen council marked, each bar labelled with its figure and rank.
Pure: rows in, SVG text out (no script; the page's table holds the same figures for a screen reader)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from html import escape

from .svg import CHAR_W, TEXT, TEXT_STYLE

BAR, HIGHLIGHT = "#5f6368", "#1565c0"
ROW_H, LABEL_W, BAR_W, RIGHT_W = 18, 190, 360, 150


@dataclass(frozen=True)
class Bar:
    council: str
    name: str
    value: Decimal
    shown: str  # the figure as people read it (85%, £1,234)
    rank: int | None = None
    quartile: int | None = None


def number(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except (InvalidOperation, ValueError):
        return None


def bars_svg(bars: list[Bar], title: str, highlight: str | None = None, chart_id: str = "compare") -> str:
    """The chart; an empty string when fewer than two councils have a figure (nothing to compare)."""
    if len(bars) < 2:
        return ""
    ordered = sorted(bars, key=lambda b: (-b.value, b.name))
    top = max(b.value for b in ordered)
    low = min(Decimal(0), min(b.value for b in ordered))
    span = (top - low) or Decimal(1)
    height = 28 + ROW_H * len(ordered) + 10
    width = LABEL_W + BAR_W + RIGHT_W
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{chart_id}-title" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" class="compare-chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f"<style>{TEXT_STYLE}</style>",
        f'<text x="0" y="14">{escape(title)} (the axis starts at {escape(str(low))})</text>',
    ]
    for i, b in enumerate(ordered):
        y = 28 + i * ROW_H
        w = float((b.value - low) / span) * BAR_W
        colour = HIGHLIGHT if b.council == highlight else BAR
        name = b.name if len(b.name) * CHAR_W < LABEL_W - 8 else b.name[: (LABEL_W - 8) // CHAR_W - 1] + "…"
        standing = f"  rank {b.rank}" if b.rank is not None else ""
        weight = ' font-weight="bold"' if b.council == highlight else ""
        out += [
            f'<text x="{LABEL_W - 6}" y="{y + 12}" text-anchor="end"{weight}>{escape(name)}</text>',
            f'<rect x="{LABEL_W}" y="{y + 2}" width="{w:.1f}" height="{ROW_H - 5}" fill="{colour}"/>',
            f'<text x="{LABEL_W + w + 4:.1f}" y="{y + 12}" fill="{TEXT}">{escape(b.shown + standing)}</text>',
        ]
    out.append("</svg>")
    return "\n".join(out)
