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
from .records import Period, ReportInfo, Unplaced
from .sections import Line, Section
from .tables import (
    ValueColumns,
    cell_at,
    column_periods,
    indicator_unit,
    uncoded_indicator,
    value_observations,
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
_COLUMNS = ValueColumns(VALUE_COLUMNS, YEAR, TARGET, COLUMN_NAMES)


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
    # Only the non-empty cells, as the corporate table places them: an empty cell is no figure.
    placed = {c: (ln, parse_cell(text)) for c in (*VALUE_COLUMNS, TARGET) if (text := cell_at(cells, c))}
    if len(cells) > TARGET + 1 and any(cells[TARGET + 1 :]):
        warnings.append(
            warn(
                rid,
                ln,
                f"cells after column {TARGET + 1} (annual target) not read: "
                f"{[c for c in cells[TARGET + 1 :] if c]!r}",
            )
        )
    indicator = uncoded_indicator(rid, key, title, "Complaints", ex, group)
    unit = indicator_unit([cell for _, cell in placed.values()])
    note = cell_at(cells, NOTE) or None
    return [
        indicator,
        *value_observations(
            indicator,
            placed,
            _COLUMNS,
            periods,
            unit=unit,
            note=note,
            first=ln,
            year_excerpt=ex,
            warnings=warnings,
        ),
    ]


def parse(section: Section, report: ReportInfo) -> SectionResult:
    return parse_lines(section, report, curated_key_rules())
