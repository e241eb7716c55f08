"""Rows and columns of the corporate PI tables: which lines are headers, which form one indicator's row,
and which text each figure column holds when a row is spread over several lines.

Cells (0-based): Priority | Indicator | previous year | Q1 | Q2 | Q3 | year | Status (icon) | Note |
Short Trend (icon) | Annual Target | Feeder Data | Value. Rows are found from the title cell: a capital
or "%" starts an indicator, lower case continues it, an empty title belongs to the indicator that follows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .columns import Columns
from .keys import normalise_title
from .notes import NUMBERED, Note
from .records import Unplaced
from .sections import Line, Section
from .tables import cell_at, warn
from .values import parse_cell

GROUP, TITLE, PREVIOUS, Q1, Q2, Q3, YEAR, STATUS, NOTE, TREND, TARGET, FEEDER, FEEDER_VALUE = range(13)
VALUE_COLUMNS = (PREVIOUS, Q1, Q2, Q3, YEAR)
ICON_COLUMNS = {STATUS: "Status", TREND: "Short Trend"}
COLUMN_NAMES = {
    PREVIOUS: "previous year's value",
    Q1: "Q1 value",
    Q2: "Q2 value",
    Q3: "Q3 value",
    YEAR: "year's value",
    TARGET: "annual target",
}

# "100%" rendered as "10070" (and "90%" as "0070"): the per-cent glyph came out as "70".
_GARBLED_PERCENT = re.compile(r"^\d+70$")


@dataclass
class Row:
    lines: list[Line]
    shifted: set[int] = field(default_factory=set)  # lines whose cells the extraction shifted
    notes: list[Note] = field(default_factory=list)  # the notes that open on its lines
    label: list[str] | None = None  # fragments of the corporate priority it opens, from the first column


@dataclass
class Table:
    heading: str | None  # 2020/21: "Manage budget effectively"
    lines: list[Line] = field(default_factory=list)
    # Lines whose cells do not fit the table's columns -> why (see columns.py).
    misfits: dict[int, str] = field(default_factory=dict)


def is_header(cells: list[str]) -> bool:
    return cells[0] in ("Priority", "Priorities") or sum(c == "Value" for c in cells) >= 3


def is_group_heading(cells: list[str]) -> bool:
    """2016/17's spaced-out table headings ("Cor|porat|e Hea|lth"): short fragments, no figures."""
    filled = [c for c in cells if c]
    return (
        bool(filled)
        and not any(re.search(r"\d", c) for c in filled)
        and all(len(c) <= 40 for c in filled)
        and (len(filled) == 1 or not cell_at(cells, TITLE))
    )


def tables(section: Section, consumed: set[int]) -> list[Table]:
    """The section's tables, each with its lines and the lines whose cells do not fit its columns."""
    found: list[Table] = []
    current: Table | None = None
    columns = Columns("corporate PI table")
    for ln in section.nonblank():
        cells = ln.cells
        filled = [c for c in cells if c]
        numbered = NUMBERED.match(filled[0]) if len(filled) == 1 else None
        if numbered:  # 2020/21: a numbered heading over a table of its own
            current = Table(heading=normalise_title(numbered[2]))
            found.append(current)
            consumed.add(ln.number)
        elif is_header(cells):
            columns.header(ln)
            consumed.add(ln.number)
        elif is_group_heading(cells):
            current = Table(heading=None)
            found.append(current)
            consumed.add(ln.number)
        else:
            if current is None:
                current = Table(heading=None)
                found.append(current)
            current.lines.append(ln)
            why = columns.misfit(ln)
            if why:
                current.misfits[ln.number] = why
    return [t for t in found if t.lines]


def rows(lines: list[Line]) -> list[Row]:
    found: list[Row] = []
    pending: list[Line] = []
    for ln in lines:
        title = ln.cells[TITLE] if len(ln.cells) > TITLE else ""
        if title and (title[0].isupper() or title[0] in "%") or (title and not found):
            found.append(Row(pending + [ln]))
            pending = []
        elif title:
            found[-1].lines.extend(pending + [ln])
            pending = []
        else:
            pending.append(ln)
    if pending and found:
        found[-1].lines.extend(pending)
    elif pending:
        found.append(Row(pending))
    return found


def join_title(parts: list[str]) -> str:
    """Join wrapped title fragments, dropping words a fragment repeats from the end of the one before
    ("... to respond to" + "respond to complaints at stage 1")."""
    words: list[str] = []
    for part in parts:
        new = part.split()
        overlap = next(
            (
                k
                for k in range(min(len(words), len(new)), 1, -1)
                if [w.lower() for w in words[-k:]] == [w.lower() for w in new[:k]]
            ),
            0,
        )
        words.extend(new[overlap:])
    return " ".join(words)


def resolve_columns(
    row: Row, report: str, warnings: list[Unplaced]
) -> tuple[dict[int, tuple[Line, str]], dict[int, str]]:
    """One text per figure column for a row spread over several lines, and, for each column whose figure
    was placed by inference rather than read from its own column, the reason (kept on the observation).

    The line with the most figures is taken as placed right. Another line's fragment in the same
    column is a per-cent sign that wrapped ("93.75" / "%"), a garbled duplicate ("10070" under
    "100%"), or a figure the extraction pushed one column right (2020/21 line 207 under 208), which
    goes to the nearest empty column on its left, with a warning saying so.
    """
    columns = (*VALUE_COLUMNS, TARGET)
    usable = [ln for ln in row.lines if ln.number not in row.shifted]
    inferred: dict[int, str] = {}

    def figures(ln: Line) -> int:
        return sum(parse_cell(cell_at(ln.cells, c)).is_figure for c in VALUE_COLUMNS)

    if not usable:
        return {}, inferred
    primary = max(usable, key=lambda ln: (figures(ln), ln.number))
    placed: dict[int, tuple[Line, str]] = {
        c: (primary, cell_at(primary.cells, c)) for c in columns if cell_at(primary.cells, c)
    }
    for ln in usable:
        if ln is primary:
            continue
        for c in columns:
            text = cell_at(ln.cells, c)
            if not text:
                continue
            where = f"column {c + 1} ({COLUMN_NAMES[c]})"
            if c not in placed:
                placed[c] = (ln, text)
                continue
            base_line, base = placed[c]
            base_cell, cell = parse_cell(base), parse_cell(text)
            if text == "%" and base_cell.is_figure and base_cell.unit == "Number":
                placed[c] = (base_line, f"{base} %")
            elif base_cell.unit == "Percent" and _GARBLED_PERCENT.match(text):
                warnings.append(
                    warn(
                        report,
                        ln,
                        f"{where} holds {text!r}, a garbled copy of {base!r} on line "
                        f"{base_line.number} (the % sign rendered as '70'); ignored",
                    )
                )
            elif cell.is_figure and c in VALUE_COLUMNS:
                free = [k for k in VALUE_COLUMNS if k < c and k not in placed]
                if free:
                    k = free[-1]
                    placed[k] = (ln, text)
                    reason = (
                        f"{text!r} in {where} shares its column with {base!r} "
                        f"on line {base_line.number}; read as the "
                        f"{COLUMN_NAMES[k]} (column {k + 1}), the nearest empty "
                        "column to its left: check against the published PDF"
                    )
                    inferred[k] = f"line {ln.number}: {reason}"
                    warnings.append(warn(report, ln, reason))
                else:
                    warnings.append(
                        warn(
                            report,
                            ln,
                            f"{text!r} in {where} shares its column with {base!r} "
                            f"on line {base_line.number} and no column is free for "
                            "it; not read",
                        )
                    )
            else:
                warnings.append(
                    warn(
                        report,
                        ln,
                        f"{where} holds {text!r}, not a figure, beside {base!r} on "
                        f"line {base_line.number}; taken for extraction noise",
                    )
                )
    return placed, inferred
