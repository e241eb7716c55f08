"""Service-priority PI tables: one row per PI, with last year's value, three quarters, this year's
value, an icon-only Status and Short Trend, a note, the annual target and a benchmark.

Two layouts occur. In 2016/17 a Priority column holds the service priority as a merged cell whose
text the PDF extraction scattered over the rows it spans ("01. Children and" / "young people are
supported to be"); in 2020/21 each priority is a heading ("01. Increase the proportion ...") above
its own sub-table. Page breaks repeat the (garbled) header rows and can split a row's text, which
then runs on below the repeated header.

Status is read from the note's own words ("16/17: Off Target"), never from the icon columns, which
the extraction turned into stray glyphs (digits among them are listed: columns.icon_leftovers).

A row whose cells do not fit the header's columns is kept out (columns.py), with the lines that run on
below it. Where the row has no code it may itself be the run-on of the row above, which is kept out too.
With a Priority column (2016/17), the priority texts are centred across the rows of a page, so a row
kept out keeps its whole page out: without it, the other rows' priorities could not be told.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import ReportError
from . import SectionResult
from .codes import split_leading_code
from .columns import Columns, icon_leftovers, keep_out
from .common import excerpt_span
from .records import Indicator, ReportInfo, Unplaced
from .sections import Line, Section
from .tables import coded_value_observations, column_periods, indicator_unit, previous_year
from .values import parse_cell

INDICATOR_SET = "ServicePriorityPI"

_QUARTER_CELL = re.compile(r"^Q\d\s*\d{4}/\d\d$")
_YEAR_CELL = re.compile(r"^\d{4}/\d\d$")
_PRIORITY_NUMBER = re.compile(r"^(\d\d)\.\s*\S")
_HAS_WORD = re.compile(r"[A-Za-z0-9]")


@dataclass(frozen=True)
class Layout:
    """Column positions of one table layout (0-based cell indexes)."""

    code: int
    title: int
    previous: int  # last year's value
    quarters: tuple[int, int, int]
    annual: int
    icons: tuple[int, ...]  # Status and Short Trend: glyphs only
    note: int
    target: int
    benchmark: int | None = None
    priority: int | None = None

    @property
    def width(self) -> int:
        return max(c for c in (self.code, self.title, self.note, self.target, self.benchmark or 0)) + 1

    @property
    def value_columns(self) -> tuple[int, ...]:
        return (self.previous, *self.quarters, self.annual)


# PI Code | Priority | PI | 2015/16 | Q1 | Q2 | Q3 | 2016/17 | Status | Short Trend | Note | Target |
# Benchmark
WITH_PRIORITY = Layout(
    code=0,
    priority=1,
    title=2,
    previous=3,
    quarters=(4, 5, 6),
    annual=7,
    icons=(8, 9),
    note=10,
    target=11,
    benchmark=12,
)
# PI Code | PI | 2019/20 | Q1 | Q2 | Q3 | 2020/21 | Status | Short Trend | Note | Target | Benchmark
BY_HEADING = Layout(
    code=0, title=1, previous=2, quarters=(3, 4, 5), annual=6, icons=(7, 8), note=9, target=10, benchmark=11
)


def short_year(year: str) -> str:
    """'2016-2017' -> '2016/17', as table headers write it."""
    return f"{year[:4]}/{year[-2:]}"


def is_header(line: Line) -> bool:
    """A (possibly garbled) table header row: 'PI Code Priority PI Value ...', 'DI Cada ... Q1 2016/17'."""
    cells = [c for c in line.cells if c]
    if not cells or split_leading_code(cells[0])[0]:
        return False
    values = sum(c.lower() == "value" for c in cells)
    return values >= 2 or any(_QUARTER_CELL.match(c) or _YEAR_CELL.match(c) for c in cells)


def is_noise(text: str) -> bool:
    """A glyph left by an icon ('•', '**', '<u></u>'), not text."""
    return not _HAS_WORD.search(re.sub(r"<[^>]*>", "", text)) or text.strip() == "**"


@dataclass
class _Row:
    first: int
    last: int
    cells: list[str]
    code: str | None
    code_cell: str
    chunk: int  # which page of the table (between repeated headers) the row is on
    priority: str | None = None
    extra: dict[int, list[str]] = field(default_factory=dict)  # run-on text by column
    misfit: str | None = None  # why the row's cells do not fit the table's columns (it is kept out)
    kept_out: str | None = None  # why the row is kept out (its own misfit or a neighbour's)


def parse(section: Section, report: ReportInfo) -> SectionResult:
    out = SectionResult()
    lines = section.nonblank()
    layout = (
        WITH_PRIORITY if any(ln.cells[:3] == ["PI Code", "Priority", "PI"] for ln in lines) else BY_HEADING
    )
    _check_years(lines, report)
    rows: list[_Row] = []
    chunk, heading_priority, last_was_header = 0, None, False
    first_row_under_heading = 0
    columns = Columns("PI table")
    for line in lines:
        cells = line.cells + [""] * max(0, layout.width - len(line.cells))
        substantive = {i: c for i, c in enumerate(cells) if c and i not in layout.icons and not is_noise(c)}
        if layout.priority is None and len(substantive) == 1 and (m := _PRIORITY_NUMBER.match(cells[0])):
            heading_priority = m[1]
            first_row_under_heading = len(rows)  # a run-on never crosses a priority heading
            out.consumed.add(line.number)
            continue
        if is_header(line):
            if not last_was_header:
                chunk += 1
            last_was_header = True
            columns.header(line)
            out.consumed.add(line.number)
            continue
        last_was_header = False
        if why := columns.misfit(line):
            # Not read by position: a placeholder, so that lines running on below it stay with it.
            blank = [""] * layout.width
            rows.append(_Row(line.number, line.number, blank, None, "", chunk, heading_priority, misfit=why))
            continue
        code, rest = split_leading_code(cells[layout.code])
        if code and not rest:
            rows.append(
                _Row(line.number, line.number, cells, code, cells[layout.code], chunk, heading_priority)
            )
            continue
        if (
            not cells[layout.code]
            and len(substantive) == 1
            and rows
            and (layout.priority is not None or len(rows) > first_row_under_heading)
        ):
            col, text = next(iter(substantive.items()))
            if col in (layout.title, layout.note, layout.benchmark):
                rows[-1].extra.setdefault(col, []).append(text)
                rows[-1].last = line.number
                continue
        if len(substantive) >= 2 and (layout.title in substantive):
            # A PI row whose code the report does not give (the code cell is empty or a stray glyph).
            rows.append(
                _Row(line.number, line.number, cells, None, cells[layout.code], chunk, heading_priority)
            )
            continue
        out.unplaced.append(
            Unplaced(
                report.id,
                line.number,
                line.text.strip(),
                "a service-priority PI table line that is neither a header nor a PI row",
            )
        )
    if layout.priority is not None:
        _assign_priorities(rows, layout.priority)
    by_number = {ln.number: ln for ln in section.lines}
    _spread_misfits(rows, layout, by_number)
    icons = dict(zip(layout.icons, ("Status", "Short Trend"), strict=True))
    for row in rows:
        if row.kept_out:
            for n in range(row.first, row.last + 1):
                if n in by_number and not by_number[n].blank:
                    if n == row.first and row.misfit:
                        keep_out(out, report.id, by_number[n], row.misfit)
                    else:
                        keep_out(out, report.id, by_number[n], row.kept_out, own=False)
            continue
        out.records.extend(_records(row, layout, report, by_number, INDICATOR_SET, out.warnings))
        out.dropped.extend(icon_leftovers(report.id, by_number[row.first], row.cells, icons))
    return out


def _spread_misfits(rows: list[_Row], layout: Layout, by_number: dict[int, Line]) -> None:
    """Mark the rows a misfit keeps out: its own; the row above when the misfit line has no code (it may
    be that row's run-on); with a Priority column, every row of its page."""
    for i, row in enumerate(rows):
        if not row.misfit:
            continue
        row.kept_out = row.misfit
        because = f"line {row.first} does not fit the PI table's columns, and this row may carry its text"
        has_code = any(split_leading_code(c)[0] for c in by_number[row.first].cells)
        if not has_code and i > 0 and not rows[i - 1].kept_out:
            rows[i - 1].kept_out = because
        if layout.priority is not None:
            for other in rows:
                if other.chunk == row.chunk and not other.kept_out:
                    other.kept_out = because


def _check_years(lines: list[Line], report: ReportInfo) -> None:
    """The table's year columns must be the report's year and the one before: the periods depend on it."""
    this, last = short_year(report.id), short_year(previous_year(report.id))
    for line in lines:
        quarters = [c for c in line.cells if _QUARTER_CELL.match(c)]
        if quarters:
            if not all(q.endswith(this) for q in quarters) or last not in line.cells:
                raise ReportError(
                    (report.file or report.source),
                    f"the PI table's columns should be {last} and quarters of {this} (the report's year)",
                    line=line.number,
                    field="header",
                )
            return


def _assign_priorities(rows: list[_Row], column: int) -> None:
    """The Priority column is a merged cell per priority, its text centred vertically in the rows it spans
    and repeated on every page. On each page: rows above the first priority's text belong to it, rows
    below the last to the last, and rows between two priorities' texts go to whichever side keeps both
    texts best centred in their spans."""
    previous: str | None = None
    for chunk in sorted({r.chunk for r in rows}):
        page = [r for r in rows if r.chunk == chunk]
        blocks: list[list] = []  # [priority number, index of its first text row, of its last]
        for i, row in enumerate(page):
            text = row.cells[column]
            if not text or is_noise(text):
                continue
            m = _PRIORITY_NUMBER.match(text)
            if m:
                blocks.append([m[1], i, i])
            elif blocks and blocks[-1][2] == i - 1:
                blocks[-1][2] = i
        if not blocks:
            for row in page:
                row.priority = previous
            continue
        bounds = [0]
        for a, b in zip(blocks, blocks[1:], strict=False):
            span_start = bounds[-1]
            best = None
            for split in range(a[2] + 1, b[1] + 1):
                span_end_b = len(page) - 1 if b is blocks[-1] else b[2]
                misfit = abs((span_start + split - 1) / 2 - (a[1] + a[2]) / 2) + abs(
                    (split + span_end_b) / 2 - (b[1] + b[2]) / 2
                )
                if best is None or misfit < best[0]:
                    best = (misfit, split)
            bounds.append(best[1])
        bounds.append(len(page))
        for block, start, end in zip(blocks, bounds, bounds[1:], strict=False):
            for row in page[start:end]:
                row.priority = block[0]
        previous = blocks[-1][0]


def _records(
    row: _Row,
    layout: Layout,
    report: ReportInfo,
    by_number: dict[int, Line],
    indicator_set: str,
    warnings: list[Unplaced],
) -> list:
    def text(col: int | None) -> str | None:
        if col is None:
            return None
        joined = " ".join([row.cells[col], *row.extra.get(col, [])]).strip()
        return joined or None

    ex = excerpt_span(report.id, by_number, row.first, row.last)
    key = row.code or f"{report.id}/L{row.first}"
    label = row.code or f"the uncoded PI on line {row.first}"
    if row.code is None:
        what = f"a stray {row.code_cell!r} in its place" if row.code_cell else "the code cell empty"
        warnings.append(
            Unplaced(
                report.id,
                row.first,
                row.cells[layout.title],
                f"service-priority PI with no code in the report ({what}); kept as {key}",
            )
        )
    cells = {col: parse_cell(row.cells[col]) for col in layout.value_columns}
    target = parse_cell(row.cells[layout.target])
    unit = indicator_unit([*cells.values(), target])
    indicator = Indicator(
        report=report.id,
        key=key,
        code=row.code,
        code_derived=False,
        title=text(layout.title),
        indicator_set=indicator_set,
        excerpt=ex,
        priority=row.priority,
        benchmark=text(layout.benchmark),
    )
    periods = column_periods(report.id, layout.previous, layout.quarters, layout.annual)
    observations = coded_value_observations(
        cells,
        periods,
        annual=layout.annual,
        note=text(layout.note),
        target=target,
        report=report.id,
        key=key,
        unit=unit,
        excerpts=dict.fromkeys(cells, ex),
        where=label,
        line=row.first,
        warnings=warnings,
    )
    return [indicator, *observations]
