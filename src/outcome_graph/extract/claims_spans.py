"""Checking figures a note states for a period that is neither a quarter nor a year ("306 April - Sept 16
to 383 Oct- March", 2016/17 line 201) against the quarters the period spans and the year. Pure.

How quarters make the year is data (og:aggregation, graph/curated/aggregation.csv), handed in by the
caller as indicator key -> aggregation concept name:
- figures whose periods together span the whole year, on a count (per quarter, year to date or over the
  period), add up to the year's cell;
- one period's figure against its quarters' cells: a count per quarter is their sum; a year-to-date count
  from April is the last quarter's cell; a count over the period is no less than any of them; a percentage
  of the period's cases lies between its quarters'.
Only a contradiction is a verdict of its own (Disagrees); a figure the cells do not decide adds no check.
"""

from __future__ import annotations

from decimal import Decimal

from .claims_check import _cell, _check, _line, fits, label, show, tolerance
from .claims_records import Check, Claim, Figure
from .records import Period

COUNTS = ("QuarterlyCount", "YearToDate", "CountOverPeriod")
_MONTHS = {1: "April", 2: "July", 3: "October", 4: "January"}
_ENDS = {1: "June", 2: "September", 3: "December", 4: "March"}


def span_label(f: Figure) -> str:
    a, b = f.span or (0, 0)
    return f"{_MONTHS[a]}–{_ENDS[b]}"


def span_checks(c: Claim, rows: dict, aggregation: dict[str, str]) -> list[Check]:
    spans = [f for f in c.figures if f.span]
    if not spans or c.source != "observation note" or not c.record:
        return []
    kind = aggregation.get(c.record)
    year = rows.get((c.record, c.report))
    out: list[Check] = []
    covered = sorted(q for f in spans for q in range(f.span[0], f.span[1] + 1))
    if kind in COUNTS and covered == [1, 2, 3, 4] and year is not None and year.value is not None:
        total = sum((f.value for f in spans), Decimal(0))
        parts = " + ".join(f"{span_label(f)} {f.raw}" for f in spans)
        out.append(
            _check(
                c,
                "TableCheck",
                total == year.value,
                f"{_line(c)}: {parts} make {show(total)} for the year; the table says {_cell(year)}",
                f"{' + '.join(f.raw for f in spans)} = {show(total)}",
                year.raw,
                against_report=c.report,
                against_line=year.excerpt.first_line,
                against=f"observation:{c.record}@{c.report}",
            )
        )
    for f in spans:
        cells = [rows.get((c.record, Period(c.report, q).key)) for q in range(f.span[0], f.span[1] + 1)]
        shown = [o for o in cells if o is not None and o.value is not None]
        bad = _contradiction(kind, f, cells, shown)
        if bad:
            where = shown[-1]
            listed = ", ".join(f"{label(o.period)} {o.raw}" for o in shown)
            quarters = ", ".join(label(Period(c.report, q)) for q in range(f.span[0], f.span[1] + 1))
            out.append(
                _check(
                    c,
                    "TableCheck",
                    False,
                    f"{_line(c)}: {f.raw} for {span_label(f)} ({quarters}); "
                    f"the table's quarters say {listed} (line {where.excerpt.first_line}): {bad}",
                    f"{f.raw} ({span_label(f)})",
                    listed,
                    against_report=c.report,
                    against_line=where.excerpt.first_line,
                    against=f"observation:{c.record}@{where.period.key}",
                )
            )
    return out


def _contradiction(kind: str | None, f: Figure, cells: list, shown: list) -> str | None:
    """Why the figure for the span cannot be true given its quarters' cells, or None."""
    if not shown:
        return None
    values = [o.value for o in shown]
    if kind == "QuarterlyCount" and len(shown) == len(cells) and sum(values) != f.value:
        return f"counted per quarter, they add up to {show(sum(values))}"
    if kind == "YearToDate" and f.span[0] == 1 and cells[-1] is not None and cells[-1].value is not None:
        return None if cells[-1].value == f.value else "counted year to date, the last of them is the figure"
    if kind in COUNTS and any(v > f.value for v in values):
        return "a quarter alone counts more than the period"
    if kind == "PooledProportion" and len(shown) == len(cells):
        lo, hi = min(values), max(values)
        if not (fits(f, lo) or fits(f, hi) or lo - tolerance(f) <= f.value <= hi + tolerance(f)):
            return "a percentage of the period's cases lies between its quarters'"
    return None
