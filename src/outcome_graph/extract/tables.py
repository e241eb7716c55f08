"""Row mechanics shared by the PI table parsers (corporate, complaints, service-priority, scorecard,
LGBF): which period each value column holds, one unit per indicator, and the observation a cell states.
What a row looks like stays with each parser, since every report lays its tables out differently."""

from __future__ import annotations

from collections.abc import Sequence

from .common import status_of
from .records import Excerpt, Observation, Period, Unplaced
from .sections import Line
from .values import Cell


def cell_at(cells: list[str], i: int) -> str:
    """Cell `i` of a line, or "" where the line stops short of it (trailing empty cells are not written)."""
    return cells[i] if i < len(cells) else ""


def previous_year(year: str) -> str:
    """'2016-2017' -> '2015-2016'."""
    start = int(year[:4])
    return f"{start - 1}-{start}"


def column_periods(year: str, previous: int, quarters: Sequence[int], annual: int) -> dict[int, Period]:
    """The period each value column holds: last year's value, this year's quarters (Q1 first), the year."""
    periods = {previous: Period(previous_year(year)), annual: Period(year)}
    periods.update({col: Period(year, q) for q, col in enumerate(quarters, start=1)})
    return periods


def indicator_unit(cells: list[Cell]) -> str:
    """One unit for all of an indicator's figures: Percent if any figure shows %, GBP if any shows £, else
    Number. A table column shows the sign on some cells only (2020/21 line 208: "78.26 %" beside 73.91)."""
    units = {c.unit for c in cells if c.is_figure}
    return "Percent" if "Percent" in units else "GBP" if "GBP" in units else "Number"


def cell_observation(
    report: str, key: str, period: Period, cell: Cell, unit: str, ex: Excerpt, **details
) -> Observation:
    """The observation of one cell; `details` are the fields only some cells carry (the year's note,
    status and target; an LGBF rank and quartile)."""
    return Observation(
        report=report,
        indicator=key,
        period=period,
        raw=cell.raw,
        value=cell.value,
        unit=unit,
        excerpt=ex,
        **details,
    )


# --- messages and fields the corporate and complaints tables share --------------------------------------


def warn(report: str, line: Line, message: str) -> Unplaced:
    return Unplaced(report, line.number, line.text.strip(), message)


def annual_fields(note: str | None, target: Cell | None) -> dict:
    """What the year's observation carries besides its figure: the note, the status the note states, and
    the annual target (as written too)."""
    return {
        "status": status_of(note),
        "note": note,
        "target": target.value if target else None,
        "target_raw": target.raw if target and target.raw else None,
    }


def unreadable_value(report: str, line: Line, column: int, name: str, title: str, problem: str) -> Unplaced:
    return warn(
        report, line, f"column {column + 1} ({name}) of {title!r}: {problem}; kept as text with no value"
    )


def blank_year_value(report: str, line: Line, title: str) -> Unplaced:
    return warn(
        report,
        line,
        f"the year's value of {title!r} is blank; its note and target are kept on an observation "
        "with no value",
    )


def unreadable_target(report: str, line: Line, title: str, target: Cell) -> Unplaced:
    return warn(
        report, line, f"the annual target of {title!r} is {target.raw!r}: {target.problem}; kept as text"
    )
