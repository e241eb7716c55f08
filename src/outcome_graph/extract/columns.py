"""The column check every table parser shares: a row is read by position only when its cells fit its
table's columns; and the one rule for what broken icons leave in icon columns.

The PDF text layer writes every line of a table with as many tab-separated cells as the table has
columns, empty cells included: in both bundled reports each table's rows have exactly the cell count of
the header line above them. A row with more or fewer cells has a cell missing or extra somewhere, and
where cannot be told from the row itself (deleting any one of a run of empty cells gives the same line;
a figure one column early is still a figure). Read by position, every figure after the gap would land
in its neighbour's column - a changed value with nothing to show for it. So such a row is never read by
position: the parser keeps its figures out, and the line is listed as not understood and recorded as a
Problem, which the build writes as an og:ExtractionProblem that fails validation. A parser may still
place a cell by its form where the form leaves one answer (the action table's dates, percentages and
status notes); that is for the parser to argue, not this module.

Icon columns (Status, Short Trend, Icon) show traffic lights and arrows that the extraction turned into
glyphs and, sometimes, digits ("47" in a Status column, "83" in an Icon column). They are never read; a
digit there could be mistaken for a figure, so every such fragment is listed (line, column, fragment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from .records import Dropped, Problem, Unplaced
from .sections import Line

_DIGIT = re.compile(r"\d")


class _Result(Protocol):
    unplaced: list[Unplaced]
    problems: list[Problem]
    dropped: list[Dropped]


@dataclass
class Columns:
    """The columns of the table being read: its width is the cell count of the last header line seen."""

    table: str  # what the table is, for messages: "corporate PI table"
    width: int | None = None
    header_line: int | None = None

    def header(self, line: Line) -> None:
        self.width, self.header_line = len(line.cells), line.number

    def misfit(self, line: Line) -> str | None:
        """Why `line`'s cells do not fit the table's columns, or None when they do."""
        n = len(line.cells)
        if self.width is None:
            return f"a {self.table} row with no table header above it, so its columns are unknown"
        if n == self.width:
            return None
        what = "missing" if n < self.width else "extra"
        return (
            f"{n} cells where the {self.table} header (line {self.header_line}) has {self.width}: "
            f"a cell is {what}, and which one cannot be told"
        )


def keep_out(result: _Result, report: str, line: Line, reason: str, *, own: bool = True) -> None:
    """Keep `line`'s figures out: list it as not understood and, when its own cells are what does not
    fit (`own`), record the problem. A line kept out because of another line's misfit (a run-on of that
    row, a row whose text that line may carry) is listed with `reason` saying which line."""
    text = line.text.strip()
    if not own:
        result.unplaced.append(Unplaced(report, line.number, text, f"kept out: {reason}"))
        return
    why = f"{reason}; the row is not read by position and its figures are kept out"
    result.unplaced.append(Unplaced(report, line.number, text, why))
    result.problems.append(Problem(report, line.number, line.text, why))


def icon_leftovers(report: str, line: Line, cells: list[str], icon_columns: dict[int, str]) -> list[Dropped]:
    """The digits broken icons left in a row's icon columns (0-based index -> column name)."""
    return [
        Dropped(report, line.number, col + 1, name, cells[col])
        for col, name in sorted(icon_columns.items())
        if col < len(cells) and _DIGIT.search(cells[col])
    ]
