"""Feeder data of the corporate PI tables: the counts an indicator is computed from ("Number of days
lost", "Number of FTE in service"), one item per line in the Feeder Data | Value columns, each an
indicator of its own that feeds the row's indicator, with the year's figure. Items whose counts the graph
can check against its own records are also kept as the report's stated totals."""

from __future__ import annotations

import re
from decimal import Decimal

from .common import excerpt_span
from .corporate_rows import FEEDER, FEEDER_VALUE, TITLE, Row
from .keys import normalise_title, slug
from .records import Period, ReportedTotal, Unplaced
from .sections import Line
from .tables import cell_at, cell_observation, uncoded_indicator, warn
from .values import parse_cell

# (total name, the key of the indicator the item must feed, the item's label in the two reports' wordings).
REPORTED_TOTALS = (
    (
        "actions.total",
        "corporate/service-priority-actions-on-target",
        re.compile(r"^number of service & corporate priority actions$", re.I),
    ),
    (
        "actions.on_target_or_complete",
        "corporate/service-priority-actions-on-target",
        re.compile(r"^number of service & corporate priority actions on tgt/ ?completed$", re.I),
    ),
    ("pis.total", "corporate/pis-on-target", re.compile(r"^(total )?number of pi'?s$", re.I)),
    (
        "pis.on_target_or_complete",
        "corporate/pis-on-target",
        re.compile(r"^number on tgt/ ?(tgt achieved|complete or data only)$", re.I),
    ),
)


def feeder_cells(ln: Line, shifted: bool) -> tuple[str, str] | None:
    """(label, value text) of the line's feeder item, or None."""
    if not shifted:
        label = cell_at(ln.cells, FEEDER)
        return (label, cell_at(ln.cells, FEEDER_VALUE)) if label else None
    # On a shifted line only the feeder pair is left after the title: (label, figure).
    rest = [c for c in ln.cells[TITLE + 1 :] if c]
    if len(rest) == 2 and not parse_cell(rest[0]).is_figure and parse_cell(rest[1]).is_figure:
        return rest[0], rest[1]
    return None


def feeders(
    row: Row,
    parent: str,
    group: str | None,
    rid: str,
    year: Period,
    all_lines: dict[int, Line],
    warnings: list[Unplaced],
) -> list:
    out: list = []
    for ln in row.lines:
        pair = feeder_cells(ln, ln.number in row.shifted)
        if pair is None:
            continue
        label, text = normalise_title(pair[0]), pair[1]
        ex = excerpt_span(rid, all_lines, ln.number, ln.number)
        key = f"{parent}/feeder/{slug(label)}"
        out.append(uncoded_indicator(rid, key, label, "FeederData", ex, group, feeds=parent))
        cell = parse_cell(text)
        if cell.marker == "Blank":
            warnings.append(warn(rid, ln, f"feeder item {label!r} has no value (column {FEEDER_VALUE + 1})"))
            continue
        if cell.problem:
            warnings.append(
                warn(
                    rid,
                    ln,
                    f"feeder item {label!r}, column {FEEDER_VALUE + 1}: {cell.problem}; "
                    "kept as text with no value",
                )
            )
        out.append(cell_observation(rid, key, year, cell, cell.unit or "Number", ex))
        for name, feeds, pattern in REPORTED_TOTALS:
            if feeds == parent and pattern.match(label) and cell.value is not None:
                out.append(ReportedTotal(report=rid, name=name, value=Decimal(cell.value), excerpt=ex))
    return out
