"""The complaints indicator summary (2020/21 lines 238-255): one line per indicator.

Cells: Indicator | previous year | Q1 | Q2 | Q3 | Q4 | year | Status (icon) | Note | Short Trend (icon) |
Annual Target. Here Q4 is a column of its own. Keys come from graph/curated/corporate-indicators.csv,
the same file as the corporate PIs, so that the 2016/17 complaints rows (in its corporate PI summary)
and these share keys.

The Status and Short Trend columns show icons, which the extraction mostly drops; on lines 246 and 255
it left a number in the Status column ("47", "4"). Counting tabs puts those numbers in the Status column,
not the target nor the year's value, so they are dropped and listed as icon leftovers (columns.py), as in
every table. A row whose cells do not fit the header's columns is kept out (columns.py).
"""

from __future__ import annotations

import re

from . import SectionResult
from .columns import Columns, icon_leftovers, keep_out
from .common import excerpt_span
from .keys import KeyRule, curated_key_rules, normalise_title, resolve_key
from .records import Indicator, Period, ReportInfo, Unplaced
from .sections import Line, Section
from .tables import (
    annual_fields,
    blank_year_value,
    cell_at,
    cell_observation,
    column_periods,
    indicator_unit,
    unreadable_target,
    unreadable_value,
    warn,
)
from .values import parse_cell

TITLE, PREVIOUS, Q1, Q2, Q3, Q4, YEAR, STATUS, NOTE, TREND, TARGET = range(11)
VALUE_COLUMNS = (PREVIOUS, Q1, Q2, Q3, Q4, YEAR)
COLUMN_NAMES = {
    PREVIOUS: "previous year's value",
    Q1: "Q1 value",
    Q2: "Q2 value",
    Q3: "Q3 value",
    Q4: "Q4 value",
    YEAR: "year's value",
    TARGET: "annual target",
}
ICON_COLUMNS = {STATUS: "Status", TREND: "Short Trend"}


def _is_header(cells: list[str]) -> bool:
    return cells[0] == "Indicator" or sum(c == "Value" for c in cells) >= 3


def _is_group_heading(cells: list[str]) -> bool:
    """A table heading ("Commitment to valuing Complaints"): one cell of words, no figures."""
    filled = [c for c in cells if c]
    return len(filled) == 1 and bool(cells[0]) and not re.search(r"\d", cells[0])


def parse_lines(section: Section, report: ReportInfo, rules: tuple[KeyRule, ...]) -> SectionResult:
    """Pure: the section's lines and the curated key rules in, records out."""
    result = SectionResult()
    rid = report.id
    all_lines = {ln.number: ln for ln in section.lines}
    periods = column_periods(report.id, PREVIOUS, (Q1, Q2, Q3, Q4), YEAR)
    group: str | None = None
    columns = Columns("complaints table")
    for ln in section.nonblank():
        cells = ln.cells
        if _is_header(cells):
            columns.header(ln)
            result.consumed.add(ln.number)
        elif _is_group_heading(cells):
            group = normalise_title(cells[0])
            result.consumed.add(ln.number)
        elif why := columns.misfit(ln):
            keep_out(result, rid, ln, why)
        elif not cells[TITLE] or not any(parse_cell(cell_at(cells, c)).is_figure for c in VALUE_COLUMNS):
            result.unplaced.append(
                Unplaced(
                    rid,
                    ln.number,
                    ln.text.strip(),
                    "not an indicator row of the complaints table (no indicator title or no figures)",
                )
            )
        else:
            result.records.extend(_row(ln, group, rid, rules, periods, all_lines, result.warnings))
            result.dropped.extend(icon_leftovers(rid, ln, cells, ICON_COLUMNS))
    return result


def _row(
    ln: Line,
    group: str | None,
    rid: str,
    rules: tuple[KeyRule, ...],
    periods: dict[int, Period],
    all_lines: dict[int, Line],
    warnings: list[Unplaced],
) -> list:
    cells = ln.cells
    title = normalise_title(cells[TITLE])
    key = resolve_key(title, "Complaints", rules, rid, ln, warnings)
    ex = excerpt_span(rid, all_lines, ln.number, ln.number)
    records: list = [
        Indicator(
            report=rid,
            key=key,
            code=None,
            code_derived=False,
            title=title,
            indicator_set="Complaints",
            excerpt=ex,
            group=group,
        )
    ]
    values = {c: parse_cell(cell_at(cells, c)) for c in VALUE_COLUMNS}
    target = parse_cell(cell_at(cells, TARGET))
    unit = indicator_unit([*values.values(), target])
    if len(cells) > TARGET + 1 and any(cells[TARGET + 1 :]):
        warnings.append(
            warn(
                rid,
                ln,
                f"cells after column {TARGET + 1} (annual target) not read: "
                f"{[c for c in cells[TARGET + 1 :] if c]!r}",
            )
        )
    note = cell_at(cells, NOTE) or None
    for c in VALUE_COLUMNS:
        cell = values[c]
        if cell.marker == "Blank" and (c != YEAR or not (note or target.raw)):
            continue
        if cell.problem:
            warnings.append(unreadable_value(rid, ln, c, COLUMN_NAMES[c], title, cell.problem))
        extra = {}
        if c == YEAR:
            if cell.marker == "Blank":
                warnings.append(blank_year_value(rid, ln, title))
            extra = annual_fields(note, target)
        records.append(cell_observation(rid, key, periods[c], cell, unit, ex, **extra))
    if target.problem:
        warnings.append(unreadable_target(rid, ln, title, target))
    return records


def parse(section: Section, report: ReportInfo) -> SectionResult:
    return parse_lines(section, report, curated_key_rules())
