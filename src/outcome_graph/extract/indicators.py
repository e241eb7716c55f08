"""The corporate PI summary: corporate indicators, their quarterly and annual figures, and feeder data.

Two layouts, one column scheme. 2016/17 (lines 55-95) puts several indicators in each of four tables
under spaced-out group headings ("Corporate Health") and names each corporate priority in the first
column ("05. Process" / "invoices efficiently"), often centred across the rows it covers. 2020/21
(lines 188-236) gives each corporate priority a table of its own under a numbered heading. The cells
are in corporate_rows.py.

A row is spread over two or more lines: the indicator's title wraps, its note runs on (sometimes into
the next row's lines), and each line carries one feeder item. The seams: rows and columns
(corporate_rows.py), notes and labels (notes.py), feeder data (feeders.py), indicator keys (keys.py,
from graph/curated/corporate-indicators.csv, so that the same measure gets the same key in every report).

A line whose cells do not fit its table's columns (columns.py) keeps its whole table out: the rows of a
corporate table share text across row boundaries (a note running on into the next row, a priority label
centred across several rows), so one unplaceable line can shift text in any row of its table.
"""

from __future__ import annotations

import re

from . import SectionResult
from .columns import icon_leftovers, keep_out
from .common import excerpt_span
from .corporate_rows import (
    COLUMN_NAMES,
    GROUP,
    ICON_COLUMNS,
    NOTE,
    PREVIOUS,
    Q1,
    Q2,
    Q3,
    TARGET,
    TITLE,
    VALUE_COLUMNS,
    YEAR,
    Row,
    Table,
    join_title,
    resolve_columns,
    rows,
    tables,
)
from .feeders import feeders
from .keys import KEYS_FILE, KeyRule, curated_key_rules, load_key_rules, normalise_title, resolve_key
from .notes import read_streams
from .records import Period, ReportInfo, Unplaced
from .sections import Section
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

__all__ = ["parse", "parse_lines", "load_key_rules", "KeyRule"]

_COLUMNS = ValueColumns(VALUE_COLUMNS, YEAR, TARGET, COLUMN_NAMES)

# A run of figures and markers at the end of a title cell: the PDF extraction sometimes repeats the
# row's values inside the title ("Average time in working days to respond to 1 6 6 N/A 0.67").
_TRAILING_VALUES = re.compile(r"(?:\s+(?:\d[\d,.]*\s?%?|N/A)){3,}\s*$", re.I)


def _indicator_set(group: str | None) -> str:
    return "Complaints" if group and re.search(r"complaint", group, re.I) else "CorporatePI"


def _keep_table_out(table: Table, report: ReportInfo, result: SectionResult) -> None:
    first = min(table.misfits)
    because = (
        f"line {first} of the same corporate PI table does not fit its columns, and this table's rows "
        "share notes and labels across row boundaries"
    )
    for ln in table.lines:
        if ln.number in table.misfits:
            keep_out(result, report.id, ln, table.misfits[ln.number])
        else:
            keep_out(result, report.id, ln, because, own=False)


def parse_lines(section: Section, report: ReportInfo, rules: tuple[KeyRule, ...]) -> SectionResult:
    """Pure: the section's lines and the curated key rules in, records out."""
    result = SectionResult()
    warnings: list[Unplaced] = result.warnings
    all_lines = {ln.number: ln for ln in section.lines}
    periods = column_periods(report.id, PREVIOUS, (Q1, Q2, Q3), YEAR)
    seen_keys: dict[str, int] = {}
    for table in tables(section, result.consumed):
        if table.misfits:
            _keep_table_out(table, report, result)
            continue
        table_rows = rows(table.lines)
        labels = read_streams(table_rows, NOTE, GROUP, labelled=table.heading is None)
        for i, row in enumerate(table_rows):
            group = table.heading
            if group is None:
                ref = row.label
                if ref is None and labels:
                    # A label is centred across the rows it covers: an unlabelled row takes the nearest.
                    labelled = [(abs(j - i), r.label) for j, r in enumerate(table_rows) if r.label]
                    ref = min(labelled, key=lambda t: t[0])[1]
                group = normalise_title(" ".join(ref)) if ref else None
            if not any(cell_at(ln.cells, TITLE) for ln in row.lines):
                # Only possible when lines without a title end a table that has no indicator at all.
                result.unplaced.extend(
                    Unplaced(
                        report.id,
                        ln.number,
                        ln.text.strip(),
                        "a corporate PI table line with no "
                        "indicator title, in a table where no indicator follows or precedes it",
                    )
                    for ln in row.lines
                )
                continue
            result.records.extend(
                _row_records(row, group, report, rules, periods, all_lines, warnings, seen_keys)
            )
            for ln in row.lines:
                if ln.number not in row.shifted:
                    result.dropped.extend(icon_leftovers(report.id, ln, ln.cells, ICON_COLUMNS))
    return result


def _row_records(
    row: Row,
    group: str | None,
    report: ReportInfo,
    rules: tuple[KeyRule, ...],
    periods: dict[int, Period],
    all_lines: dict,
    warnings: list[Unplaced],
    seen_keys: dict[str, int],
) -> list:
    rid = report.id
    first = row.lines[0]
    title_parts = []
    for ln in row.lines:
        title = cell_at(ln.cells, TITLE)
        m = _TRAILING_VALUES.search(title)
        if m:
            row.shifted.add(ln.number)
            warnings.append(
                warn(
                    rid,
                    ln,
                    f"the indicator cell ends with {m[0].strip()!r}, a garbled duplicate "
                    "of the row's values, and the line's other cells are out of place; "
                    "the figures are read from the row's other line",
                )
            )
            title = title[: m.start()]
        if title:
            title_parts.append(title)
    title = join_title(title_parts)
    if not title:
        return []  # the title cell held only figures: its lines are reported as not read, upstream
    indicator_set = _indicator_set(group)
    key = resolve_key(title, indicator_set, rules, rid, first, warnings)
    if key in seen_keys:
        warnings.append(
            warn(
                rid,
                first,
                f"indicator key {key!r} was already given to the row at line "
                f"{seen_keys[key]}; check the patterns in {KEYS_FILE.name}",
            )
        )
    seen_keys.setdefault(key, first.number)
    ex = excerpt_span(rid, all_lines, row.lines[0].number, row.lines[-1].number)
    indicator = uncoded_indicator(rid, key, title, indicator_set, ex, group)
    placed_text, inferred = resolve_columns(row, rid, warnings)
    placed = {c: (ln, parse_cell(text)) for c, (ln, text) in placed_text.items()}
    note = " ".join(" ".join(n.fragments) for n in row.notes) or None
    note_last = max([n.last_line for n in row.notes], default=row.lines[-1].number)
    records: list = [
        indicator,
        *value_observations(
            indicator,
            placed,
            _COLUMNS,
            periods,
            unit=indicator_unit([cell for _, cell in placed.values()]),
            note=note,
            first=first,
            # the year's figure cites its note too, which may run on below the row
            year_excerpt=excerpt_span(rid, all_lines, first.number, max(note_last, row.lines[-1].number)),
            warnings=warnings,
            placements=inferred,
        ),
    ]
    records.extend(feeders(row, key, group, rid, periods[YEAR], all_lines, warnings))
    return records


def parse(section: Section, report: ReportInfo) -> SectionResult:
    return parse_lines(section, report, curated_key_rules())
