"""Row mechanics shared by the PI table parsers (corporate, complaints, service-priority, scorecard,
LGBF): which period each value column holds, one unit per indicator, the observation a cell states, the
uncoded indicators and value columns the corporate and complaints tables share (with their messages),
and the year's cell (note, status, target) of the service-priority and scorecard tables. Whether a row's
cells fit its table's columns at all is columns.py's job, done before any of this reads a cell by
position.
What a row looks like stays with each parser, since every report lays its tables out differently."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from .common import status_of
from .records import Excerpt, Indicator, Observation, Period, Unplaced
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


# --- what the corporate and complaints tables share: uncoded indicators, value columns, messages ----------


def uncoded_indicator(
    report: str,
    key: str,
    title: str,
    indicator_set: str,
    excerpt: Excerpt,
    group: str | None,
    feeds: str | None = None,
) -> Indicator:
    """An indicator the report gives no code (corporate, complaints, feeder data): its key comes from the
    curated patterns (keys.py) or, for a feeder item, from the key of the indicator it feeds."""
    return Indicator(
        report=report,
        key=key,
        code=None,
        code_derived=False,
        title=title,
        indicator_set=indicator_set,
        excerpt=excerpt,
        group=group,
        feeds=feeds,
    )


@dataclass(frozen=True)
class ValueColumns:
    """Where a PI table's figures stand: its value columns in order (the year's among them), its annual
    target column, and each column's name for messages ("Q1 value")."""

    values: tuple[int, ...]
    year: int
    target: int
    names: Mapping[int, str]


def value_observations(
    indicator: Indicator,
    placed: Mapping[int, tuple[Line, Cell]],
    columns: ValueColumns,
    periods: Mapping[int, Period],
    *,
    unit: str,
    note: str | None,
    first: Line,
    year_excerpt: Excerpt,
    warnings: list[Unplaced],
    placements: Mapping[int, str] | None = None,
) -> list[Observation]:
    """The observations of `indicator`'s row, one for each of its value columns with a figure or marker.
    `placed` holds the row's non-empty cells (value columns and target) with the line each stands on,
    for messages; `placements` says why a column's figure was placed by inference (kept on its
    observation). The year's observation cites `year_excerpt` (the row and its note), the others the
    indicator's own excerpt.

    A blank cell gives no observation, except the year's when the row has a note or a target: those are
    what the report says for the year, so they are kept on an observation with no value (and its raw
    text empty, as for the service-priority tables), with a warning on the row's `first` line."""
    report, key, title = indicator.report, indicator.key, indicator.title
    target = placed.get(columns.target)
    target_cell = target[1] if target else None
    out: list[Observation] = []
    for c in columns.values:
        line, cell = placed.get(c, (first, None))
        annual = c == columns.year
        if cell is None or cell.marker == "Blank":
            if not (annual and (note or target_cell is not None)):
                continue
            cell = Cell(raw="")
            warnings.append(blank_year_value(report, first, title))
        if cell.problem:
            warnings.append(unreadable_value(report, line, c, columns.names[c], title, cell.problem))
        extra = annual_fields(note, target_cell) if annual else {}
        if placements and c in placements:
            extra["placement"] = placements[c]
        ex = year_excerpt if annual else indicator.excerpt
        out.append(cell_observation(report, key, periods[c], cell, unit, ex, **extra))
    if target is not None and target[1].problem:
        warnings.append(unreadable_target(report, target[0], title, target[1]))
    return out


# the messages about cells the corporate and complaints tables share


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


# --- the cells of the service-priority PI tables and the balanced scorecard ----------------------------


def read_target(cell: Cell, where: str, report: str, line: int, warnings: list[Unplaced]) -> Decimal | None:
    if cell.problem:
        warnings.append(
            Unplaced(report, line, cell.raw, f"{where} target: {cell.problem}; kept as written only")
        )
    return cell.value


def observation(
    cell: Cell,
    *,
    report: str,
    key: str,
    period: Period,
    unit: str,
    excerpt: Excerpt,
    where: str,
    warnings: list[Unplaced],
) -> Observation | None:
    """The observation a value cell states, or None for a blank cell. N/A and other markers are kept
    with no value; a cell that is neither figure nor marker is kept with no value and a warning."""
    if cell.marker == "Blank":
        return None
    if cell.problem:
        warnings.append(
            Unplaced(
                report,
                excerpt.first_line,
                cell.raw,
                f"{where} {period.key}: {cell.problem}; kept with no value",
            )
        )
    return cell_observation(report, key, period, cell, unit, excerpt)


def annual_observation(
    obs: Observation | None,
    note: str | None,
    target: Cell,
    *,
    key: str,
    period: Period,
    unit: str,
    excerpt: Excerpt,
    where: str,
    line: int,
    warnings: list[Unplaced],
) -> Observation | None:
    """The annual observation carries the note, the status the note states, and the target. With a note or
    a target but a blank value cell it is still kept (no value), so that what the report says for the
    year is not lost. `line` is where a target that is not a figure is reported. Also used by the
    balanced scorecard, whose year cell carries the same things."""
    has_target = target.marker != "Blank"
    if obs is None and not (note or has_target):
        return None
    if obs is None:
        obs = cell_observation(excerpt.report, key, period, Cell(raw=""), unit, excerpt)
    value = read_target(target, where, excerpt.report, line, warnings) if has_target else None
    return replace(
        obs, note=note, status=status_of(note), target=value, target_raw=target.raw if has_target else None
    )


def coded_value_observations(
    cells: Mapping[int, Cell],
    periods: Mapping[int, Period],
    *,
    annual: int,
    note: str | None,
    target: Cell,
    report: str,
    key: str,
    unit: str,
    excerpts: Mapping[int, Excerpt],
    where: str,
    line: int,
    warnings: list[Unplaced],
) -> list[Observation]:
    """The observations of a service-priority or scorecard row: one for each value column in `cells`
    (in its order) that `observation` keeps, the `annual` column's carrying the year's note, status and
    target (annual_observation). `excerpts` gives the excerpt each column's observation cites."""
    out = []
    for col, cell in cells.items():
        common = {"key": key, "period": periods[col], "unit": unit, "excerpt": excerpts[col], "where": where}
        obs = observation(cell, report=report, warnings=warnings, **common)
        if col == annual:
            obs = annual_observation(obs, note, target, line=line, warnings=warnings, **common)
        if obs:
            out.append(obs)
    return out
