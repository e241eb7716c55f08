"""The 2016/17 balanced scorecard: PI Code | Performance Indicator | 2015/16 | Q1 | Q2 | Q3 | 2016/17 |
Target | Status | Note.

The PDF extraction split some merged cells: a marker across two columns ("Annual Mea" | "isure"), a
marker down two rows ("Data" / "only" in the Target column, "New for" / "16/17" in the 2015/16 column)
and a note running across two rows ("Local Government Benchmarking Framework for 2016/17" / "will be
published in January 2018."). Each is read back as the one cell it is, applying to every row it spans.

A row whose cells do not fit the header's columns is kept out (columns.py), and so are the rows on the
lines just above and below it, with which it may share a merged cell. Digits in the Status (icon) column
are dropped and listed (columns.icon_leftovers).

The scorecard restates figures from the report's other tables (the LPI and M.G.CS rows of the
service-priority table, the LGBF figures). `merge_restated` keeps one observation per report,
indicator and period, as the build requires, and warns where the two tables disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from . import SectionResult
from .benchmarks import lgbf_identity
from .codes import split_leading_code
from .columns import Columns, icon_leftovers, keep_out
from .common import excerpt_span, status_of
from .records import Extraction, Indicator, Observation, ReportInfo, Unplaced
from .sections import Line, Section
from .service_pis import is_header
from .tables import coded_value_observations, column_periods, indicator_unit
from .values import marker_key, parse_cell

INDICATOR_SET = "BalancedScorecard"

CODE, TITLE, PREVIOUS, Q1, Q2, Q3, ANNUAL, TARGET, STATUS, NOTE = range(10)
VALUE_COLUMNS = (PREVIOUS, Q1, Q2, Q3, ANNUAL)
# Markers a merged cell can hold, whose words the extraction may split over two rows.
_SPLITTABLE = ("new for yy/yy", "data only", "annual measure")  # as values.marker_key gives them
_MEASURE_TAIL = re.compile(r"^i?sure$", re.I)  # "Annual Mea" | "isure": the rest of "Annual Measure"
_LGBF = re.compile(r"^CHN\d+[a-z]?$")


@dataclass
class _Row:
    line: Line
    cells: list[str]
    code: str
    spans: dict[int, tuple[int, int]]  # column -> lines a merged cell spans, where more than this row's


def parse(section: Section, report: ReportInfo) -> SectionResult:
    out = SectionResult()
    rows: list[_Row] = []
    columns = Columns("balanced scorecard table")
    misfits: dict[int, str] = {}
    for line in section.nonblank():
        if is_header(line):
            columns.header(line)
            out.consumed.add(line.number)
            continue
        if why := columns.misfit(line):
            misfits[line.number] = why
            keep_out(out, report.id, line, why)
            continue
        cells = line.cells + [""] * max(0, NOTE + 1 - len(line.cells))
        code, rest = split_leading_code(cells[CODE])
        if code and not rest:
            rows.append(_Row(line, cells, code, {}))
        else:
            out.unplaced.append(
                Unplaced(
                    report.id,
                    line.number,
                    line.text.strip(),
                    "a balanced scorecard line that is neither a header nor a PI row",
                )
            )
    for row in rows:
        _join_across_columns(row)
    # Merged cells are joined between fitting rows only (a misfit line is no row, so nothing joins across
    # it); then the rows next to a misfit, which may have shared a merged cell with it, are kept out.
    for upper, lower in zip(rows, rows[1:], strict=False):
        if lower.line.number == upper.line.number + 1:
            _join_down(upper, lower)
    near = {n + d: n for n in misfits for d in (-1, 1)}
    for row in [r for r in rows if r.line.number in near]:
        why = (
            f"line {near[row.line.number]} next to it does not fit the table's columns, and may hold "
            "the other half of a cell merged across the two rows"
        )
        keep_out(out, report.id, row.line, why, own=False)
    rows = [r for r in rows if r.line.number not in near]
    by_number = {ln.number: ln for ln in section.lines}
    for row in rows:
        out.records.extend(_records(row, report, by_number, out.warnings))
        out.dropped.extend(icon_leftovers(report.id, row.line, row.cells, {STATUS: "Status"}))
    return out


def _join_across_columns(row: _Row) -> None:
    for col in VALUE_COLUMNS[:-1]:
        if row.cells[col].lower() == "annual mea" and _MEASURE_TAIL.match(row.cells[col + 1]):
            row.cells[col], row.cells[col + 1] = "Annual Measure", ""


def _join_down(upper: _Row, lower: _Row) -> None:
    span = (upper.line.number, lower.line.number)
    for col in (*VALUE_COLUMNS, TARGET):
        a, b = upper.cells[col], lower.cells[col]
        joined = f"{a} {b}"
        if a and b and marker_key(joined) in _SPLITTABLE and marker_key(a) not in _SPLITTABLE:
            upper.cells[col] = lower.cells[col] = joined
            upper.spans[col] = lower.spans[col] = span
    a, b = upper.cells[NOTE], lower.cells[NOTE]
    # A note whose second half starts in lower case on the next row, neither half stating a status.
    if a and b and b[0].islower() and status_of(a) is None and status_of(b) is None:
        upper.cells[NOTE] = lower.cells[NOTE] = f"{a} {b}"
        upper.spans[NOTE] = lower.spans[NOTE] = span


def _records(row: _Row, report: ReportInfo, by_number: dict[int, Line], warnings: list[Unplaced]) -> list:
    number = row.line.number
    if _LGBF.match(row.code):
        key, code, alt = lgbf_identity(row.code)
    else:
        key, code, alt = row.code, row.code, ()

    def excerpt(*cols: int):
        first = min([number, *(row.spans[c][0] for c in cols if c in row.spans)])
        last = max([number, *(row.spans[c][1] for c in cols if c in row.spans)])
        return excerpt_span(report.id, by_number, first, last)

    cells = {col: parse_cell(row.cells[col]) for col in VALUE_COLUMNS}
    target = parse_cell(row.cells[TARGET])
    unit = indicator_unit([*cells.values(), target])
    periods = column_periods(report.id, PREVIOUS, (Q1, Q2, Q3), ANNUAL)
    records: list = [
        Indicator(
            report=report.id,
            key=key,
            code=code,
            code_derived=False,
            title=row.cells[TITLE],
            indicator_set=INDICATOR_SET,
            excerpt=excerpt(),
            alt_codes=alt,
        )
    ]
    # the year's observation cites the note and target cells too, which may sit on other lines
    excerpts = {col: excerpt(col, *((NOTE, TARGET) if col == ANNUAL else ())) for col in VALUE_COLUMNS}
    records += coded_value_observations(
        cells,
        periods,
        annual=ANNUAL,
        note=row.cells[NOTE] or None,
        target=target,
        report=report.id,
        key=key,
        unit=unit,
        excerpts=excerpts,
        where=row.code,
        line=number,
        warnings=warnings,
    )
    return records


# --- figures one report gives in two tables -------------------------------------------------------------

_DETAIL = ("status", "note", "target", "target_raw", "rank", "quartile")


def _shown(obs: Observation) -> str:
    return obs.raw or "(blank)"


def _less_precise(a: Decimal, b: Decimal) -> bool:
    """True when `a` is `b` shown with fewer decimals (rounded or cut off)."""
    exp_a, exp_b = a.as_tuple().exponent, b.as_tuple().exponent
    if not isinstance(exp_a, int) or not isinstance(exp_b, int) or exp_a <= exp_b:
        return False
    quantum = Decimal(1).scaleb(exp_a)
    return a in (b.quantize(quantum, ROUND_HALF_UP), b.quantize(quantum, ROUND_DOWN))


def merge_restated(extraction: Extraction) -> None:
    """One observation per (report, indicator, period): where two tables of a report state the same cell,
    keep one. The same figure: the one that says more (status, note, target, rank), else the first in the
    report. Different figures: the more precise where one is the other rounded, else the first; and a
    warning naming both lines and values either way, since the report contradicts itself."""
    seen: dict[tuple[str, str, str], Observation] = {}
    dropped: set[int] = set()
    for rec in extraction.records:
        if not isinstance(rec, Observation):
            continue
        k = (rec.report, rec.indicator, rec.period.key)
        kept = seen.get(k)
        if kept is None:
            seen[k] = rec
            continue
        first, second = sorted((kept, rec), key=lambda o: o.excerpt.first_line)
        if first.value == second.value and (first.value is not None or first.raw == second.raw):
            detail = [sum(getattr(o, f) is not None for f in _DETAIL) for o in (first, second)]
            winner = second if detail[1] > detail[0] else first
        else:
            if (
                first.value is not None
                and second.value is not None
                and _less_precise(first.value, second.value)
            ):
                winner = second
            elif first.value is None and second.value is not None:
                winner = second
            else:
                winner = first
            loser = second if winner is first else first
            why = " (the more precise)" if winner is second and first.value is not None else ""
            said = (
                f"line {first.excerpt.first_line} says {_shown(first)} and line {second.excerpt.first_line} "
                f"says {_shown(second)}"
            )
            extraction.warnings.append(
                Unplaced(
                    rec.report,
                    loser.excerpt.first_line,
                    loser.raw,
                    f"{rec.indicator} {rec.period.key}: {said}; kept line {winner.excerpt.first_line}'s{why}",
                )
            )
        seen[k] = winner
        dropped.add(id(second if winner is first else first))
    extraction.records[:] = [r for r in extraction.records if id(r) not in dropped]
