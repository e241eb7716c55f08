"""What the SVG pictures share (an indicator's chart, charts.py; the trace picture, trace/picture.py):
the status colours, the text style, and the key laid out in a row, so that a status has one colour and a
key one spacing in every picture. Pure: strings in, strings out."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape

# A status's colour, as a chart's point fill and as a trace box's bar: the same status looks the same in
# both pictures.
STATUS_COLOURS = {
    "OnTarget": "#2e7d32",
    "Complete": "#1565c0",
    "OffTarget": "#c62828",
    "DataOnly": "#5f6368",
    "NotAvailable": "#8a6d00",
}
TEXT = "#1b1f24"
TEXT_STYLE = f"text{{font:12px system-ui,sans-serif;fill:{TEXT}}}"
# About how wide a character of TEXT_STYLE is: the room a key leaves for its label, which the picture
# cannot measure (it is laid out before any browser sees it).
CHAR_W = 7


def key_row(
    entries: Iterable[tuple[Callable[[int], str], str]],
    x: int,
    y: int,
    *,
    label_dx: int,
    gap: int,
) -> tuple[list[str], int]:
    """A key's entries left to right from x: each is a mark, drawn by a function of the entry's left edge,
    and its label's text `label_dx` to the right of that edge, on baseline `y`. The next entry starts
    `gap` beyond the label's estimated end. Returns the SVG of each entry and where the row ends."""
    out = []
    for mark, label in entries:
        out.append(f'{mark(x)}<text x="{x + label_dx}" y="{y}">{escape(label)}</text>')
        x += label_dx + gap + CHAR_W * len(label)
    return out, x
