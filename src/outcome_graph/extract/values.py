"""Reading one table cell as the figure it shows, through the noise of PDF text extraction.

A cell is a figure (with its unit), a marker the report uses instead of a figure (N/A, "New for
16/17", "Annual Measure", "Data only", "-"), or something not understood, which the caller must
report. Nothing that is not plainly a number is ever turned into one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

# Spaces the PDF extraction put inside a figure: "£ 15.55 8 m", "£2,158 .63", "87.32 %", "1,024.9 9".
_INNER_SPACE = re.compile(r"(?<=[\d£.,])\s+(?=[\d.,%m])")
_FIGURE = re.compile(
    r"^(?P<gbp>£)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?P<m>m)?(?P<pct>%)?$"
)

MARKERS = {
    "n/a": "NotAvailable",
    "new for yy/yy": "New",  # "New for 16/17": any year (marker_key)
    "annual measure": "AnnualMeasure",
    "annual mea": "AnnualMeasure",
    "data only": "DataOnly",
    "data": "DataOnly",
    "only": "DataOnly",
    "-": "Blank",
    "**": "Blank",
}


_NEW_FOR = re.compile(r"^new for \d\d\s*/\s*\d\d$")


def marker_key(text: str) -> str:
    """The MARKERS key of a cell's words: lower case, no final stop, and the year of "New for 16/17"
    read as any year (a report of another year writes "New for 19/20")."""
    key = " ".join(text.lower().split()).rstrip(".")
    return "new for yy/yy" if _NEW_FOR.match(key) else key


@dataclass(frozen=True)
class Cell:
    raw: str
    value: Decimal | None = None
    unit: str | None = None  # "Percent", "GBP", "Number"
    marker: str | None = None  # a MARKERS value when the cell holds a marker, not a figure
    problem: str | None = None  # why the cell could not be read; the caller reports it

    @property
    def is_figure(self) -> bool:
        return self.value is not None


def parse_cell(text: str) -> Cell:
    raw = " ".join(text.split())
    if not raw:
        return Cell(raw="", marker="Blank")
    marker = MARKERS.get(marker_key(raw))
    if marker:
        return Cell(raw=raw, marker=marker)
    compact = _INNER_SPACE.sub("", raw.replace("£ ", "£"))
    m = _FIGURE.match(compact)
    if not m:
        return Cell(raw=raw, problem=f"not a figure: {raw!r}")
    value = Decimal(m["num"].replace(",", ""))
    if m["m"]:
        value *= 1_000_000
        value = value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
    unit = "GBP" if m["gbp"] else "Percent" if m["pct"] else "Number"
    return Cell(raw=raw, value=value, unit=unit)


def parse_figure(text: str) -> Decimal | None:
    """The figure in a cell, or None for anything else (markers and unreadable cells)."""
    return parse_cell(text).value
