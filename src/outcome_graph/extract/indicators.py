"""The corporate PI summary: corporate indicators, their quarterly and annual figures, and feeder data.

Two layouts, one column scheme. 2016/17 (lines 55-95) puts several indicators in each of four tables
under spaced-out group headings ("Corporate Health") and names each corporate priority in the first
column ("05. Process" / "invoices efficiently"), often centred across the rows it covers. 2020/21
(lines 188-236) gives each corporate priority a table of its own under a numbered heading. In both,
the cells are: Priority | Indicator | previous year | Q1 | Q2 | Q3 | year | Status (icon) | Note |
Short Trend (icon) | Annual Target | Feeder Data | Value.

A row is spread over two or more lines: the indicator's title wraps, its note runs on (sometimes into
the next row's lines), and each line carries one feeder item. Rows are found from the title cell (a
capital or "%" starts an indicator, lower case continues it, an empty title belongs to the indicator
that follows); notes are read as a stream (a note opens with "16/17:" and any other fragment continues
the open note). Indicator keys come from graph/curated/corporate-indicators.csv, so that the same
measure gets the same key in every report.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..errors import ReportError
from ..paths import CURATED_DIR
from . import SectionResult
from .common import excerpt_span, status_of
from .records import (
    INDICATOR_SETS,
    Indicator,
    Period,
    ReportedTotal,
    ReportInfo,
    Unplaced,
)
from .sections import Line, Section
from .tables import cell_at, cell_observation, column_periods, indicator_unit
from .values import Cell, parse_cell

KEYS_FILE = CURATED_DIR / "corporate-indicators.csv"

# Cell positions (0-based tab cells) of the corporate PI tables, in both reports.
GROUP, TITLE, PREVIOUS, Q1, Q2, Q3, YEAR, STATUS, NOTE, TREND, TARGET, FEEDER, FEEDER_VALUE = range(13)
VALUE_COLUMNS = (PREVIOUS, Q1, Q2, Q3, YEAR)

# Feeder items whose counts the graph can check against its own records: (total name, the key of the
# indicator the item must feed, the item's label). The labels are the two reports' wordings.
REPORTED_TOTALS = (
    (
        "actions.total",
        "corporate/service-priority-actions-on-target",
        re.compile(r"^number of service & corporate priority actions$", re.I),
    ),
    (
        "actions.on_target_or_complete",
        "corporate/service-priority-actions-on-target",
        re.compile(r"^number of service & corporate priority actions on tgt/ ?completed$", re.I),
    ),
    ("pis.total", "corporate/pis-on-target", re.compile(r"^(total )?number of pi'?s$", re.I)),
    (
        "pis.on_target_or_complete",
        "corporate/pis-on-target",
        re.compile(r"^number on tgt/ ?(tgt achieved|complete or data only)$", re.I),
    ),
)

_NUMBERED = re.compile(r"^(\d{1,2})\.\s*(\S.*)$")
_NOTE_START = re.compile(r"^(?:Q\d\s*)?\d\d/\d\d\s*:")
# A run of figures and markers at the end of a title cell: the PDF extraction sometimes repeats the
# row's values inside the title ("Average time in working days to respond to 1 6 6 N/A 0.67").
_TRAILING_VALUES = re.compile(r"(?:\s+(?:\d[\d,.]*\s?%?|N/A)){3,}\s*$", re.I)
# "100%" rendered as "10070" (and "90%" as "0070"): the per-cent glyph came out as "70".
_GARBLED_PERCENT = re.compile(r"^\d+70$")


# --- curated keys (I/O at the edge) -------------------------------------------------------------------


@dataclass(frozen=True)
class KeyRule:
    key: str
    pattern: re.Pattern[str]
    indicator_set: str
    rationale: str


def load_key_rules(path: Path = KEYS_FILE) -> tuple[KeyRule, ...]:
    """The curated keys for uncoded indicators. Errors name the file, line and column at fault."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ReportError(source, f"cannot read the curated indicator keys: {e.strerror}") from None
    rows = list(csv.reader(text.splitlines()))
    expected = ["key", "title_pattern", "indicator_set", "rationale"]
    if not rows or [c.strip() for c in rows[0]] != expected:
        raise ReportError(source, f"the header must be {','.join(expected)}", line=1)
    rules = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != 4:
            raise ReportError(
                source, f"expected 4 columns, found {len(row)}; quote cells that hold commas", line=number
            )
        key, pattern, indicator_set, rationale = (c.strip() for c in row)
        if indicator_set not in INDICATOR_SETS:
            raise ReportError(
                source,
                f"unknown indicator set {indicator_set!r}; use one of {', '.join(INDICATOR_SETS)}",
                line=number,
                field="indicator_set",
            )
        if not key or not rationale:
            raise ReportError(source, "every row needs a key and a rationale", line=number)
        try:
            compiled = re.compile(pattern, re.I)
        except re.error as e:
            raise ReportError(
                source, f"not a valid regular expression: {e}", line=number, field="title_pattern"
            ) from None
        rules.append(KeyRule(key, compiled, indicator_set, rationale))
    return tuple(rules)


@functools.cache
def curated_key_rules() -> tuple[KeyRule, ...]:
    return load_key_rules(KEYS_FILE)


def normalise_title(title: str) -> str:
    return " ".join(title.split())


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")


def key_for(title: str, indicator_set: str, rules: tuple[KeyRule, ...]) -> str | None:
    """The curated key of the first rule for this indicator set whose pattern the title matches."""
    norm = normalise_title(title)
    return next((r.key for r in rules if r.indicator_set == indicator_set and r.pattern.search(norm)), None)


# --- shared row helpers (also used by the complaints table) ---------------------------------------------


def warn(report: str, line: Line, message: str) -> Unplaced:
    return Unplaced(report, line.number, line.text.strip(), message)


def resolve_key(
    title: str,
    indicator_set: str,
    rules: tuple[KeyRule, ...],
    report: str,
    line: Line,
    warnings: list[Unplaced],
) -> str:
    key = key_for(title, indicator_set, rules)
    if key:
        return key
    prefix = "complaints" if indicator_set == "Complaints" else "corporate"
    key = f"{prefix}/{slug(title)}"
    warnings.append(
        warn(
            report,
            line,
            f"no pattern in {KEYS_FILE.name} matches the {indicator_set} "
            f"indicator {title!r}; keyed {key!r} from its title (add a row to "
            "that file so that other years' reports get the same key)",
        )
    )
    return key


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


# --- the corporate tables -------------------------------------------------------------------------------


@dataclass
class _Note:
    fragments: list[str]
    last_line: int  # a note may run on past its row's lines (2016/17 lines 66-68)


@dataclass
class _Row:
    lines: list[Line]
    shifted: set[int] = field(default_factory=set)  # lines whose cells the extraction shifted
    notes: list[_Note] = field(default_factory=list)  # the notes that open on its lines
    label: list[str] | None = None  # fragments of the corporate priority it opens, from the first column


@dataclass
class _Table:
    heading: str | None  # 2020/21: "Manage budget effectively"
    lines: list[Line] = field(default_factory=list)


def _is_header(cells: list[str]) -> bool:
    return cells[0] in ("Priority", "Priorities") or sum(c == "Value" for c in cells) >= 3


def _is_group_heading(cells: list[str]) -> bool:
    """2016/17's spaced-out table headings ("Cor|porat|e Hea|lth"): short fragments, no figures."""
    filled = [c for c in cells if c]
    return (
        bool(filled)
        and not any(re.search(r"\d", c) for c in filled)
        and all(len(c) <= 40 for c in filled)
        and (len(filled) == 1 or not cell_at(cells, TITLE))
    )


def _tables(section: Section, consumed: set[int]) -> list[_Table]:
    tables: list[_Table] = []
    current: _Table | None = None
    for ln in section.nonblank():
        cells = ln.cells
        filled = [c for c in cells if c]
        numbered = _NUMBERED.match(filled[0]) if len(filled) == 1 else None
        if numbered:  # 2020/21: a numbered heading over a table of its own
            current = _Table(heading=normalise_title(numbered[2]))
            tables.append(current)
            consumed.add(ln.number)
        elif _is_header(cells):
            consumed.add(ln.number)
        elif _is_group_heading(cells):
            current = _Table(heading=None)
            tables.append(current)
            consumed.add(ln.number)
        else:
            if current is None:
                current = _Table(heading=None)
                tables.append(current)
            current.lines.append(ln)
    return [t for t in tables if t.lines]


def _rows(lines: list[Line]) -> list[_Row]:
    rows: list[_Row] = []
    pending: list[Line] = []
    for ln in lines:
        title = ln.cells[TITLE] if len(ln.cells) > TITLE else ""
        if title and (title[0].isupper() or title[0] in "%") or (title and not rows):
            rows.append(_Row(pending + [ln]))
            pending = []
        elif title:
            rows[-1].lines.extend(pending + [ln])
            pending = []
        else:
            pending.append(ln)
    if pending and rows:
        rows[-1].lines.extend(pending)
    elif pending:
        rows.append(_Row(pending))
    return rows


def _join_title(parts: list[str]) -> str:
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


COLUMN_NAMES = {
    PREVIOUS: "previous year's value",
    Q1: "Q1 value",
    Q2: "Q2 value",
    Q3: "Q3 value",
    YEAR: "year's value",
    TARGET: "annual target",
}


def _resolve_columns(row: _Row, report: str, warnings: list[Unplaced]) -> dict[int, tuple[Line, str]]:
    """One text per figure column for a row spread over several lines.

    The line with the most figures is taken as placed right. Another line's fragment in the same
    column is a per-cent sign that wrapped ("93.75" / "%"), a garbled duplicate ("10070" under
    "100%"), or a figure the extraction pushed one column right (2020/21 line 207 under 208), which
    goes to the nearest empty column on its left, with a warning saying so.
    """
    columns = (*VALUE_COLUMNS, TARGET)
    usable = [ln for ln in row.lines if ln.number not in row.shifted]

    def figures(ln: Line) -> int:
        return sum(parse_cell(cell_at(ln.cells, c)).is_figure for c in VALUE_COLUMNS)

    if not usable:
        return {}
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
                    warnings.append(
                        warn(
                            report,
                            ln,
                            f"{text!r} in {where} shares its column with {base!r} "
                            f"on line {base_line.number}; read as the "
                            f"{COLUMN_NAMES[k]} (column {k + 1}), the nearest empty "
                            "column to its left: check against the published PDF",
                        )
                    )
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
    return placed


def _indicator_set(group: str | None) -> str:
    return "Complaints" if group and re.search(r"complaint", group, re.I) else "CorporatePI"


def parse_lines(section: Section, report: ReportInfo, rules: tuple[KeyRule, ...]) -> SectionResult:
    """Pure: the section's lines and the curated key rules in, records out."""
    result = SectionResult()
    warnings: list[Unplaced] = result.warnings
    all_lines = {ln.number: ln for ln in section.lines}
    periods = column_periods(report.id, PREVIOUS, (Q1, Q2, Q3), YEAR)
    seen_keys: dict[str, int] = {}
    for table in _tables(section, result.consumed):
        rows = _rows(table.lines)
        # Notes and first-column labels are streams across the table's lines: a note opens with its
        # year ("16/17:") and a label with its number ("05."); other fragments continue the open one.
        open_note: _Note | None = None
        open_label: list | None = None
        labels: list[list] = []
        for row in rows:
            for ln in row.lines:
                note = cell_at(ln.cells, NOTE)
                if note:
                    if _NOTE_START.match(note) or open_note is None:
                        open_note = _Note([note], ln.number)
                        row.notes.append(open_note)
                    else:
                        open_note.fragments.append(note)
                        open_note.last_line = ln.number
                label = cell_at(ln.cells, GROUP)
                if label and table.heading is None:
                    m = _NUMBERED.match(label)
                    if m:
                        open_label = [m[2]]
                        labels.append(open_label)
                        row.label = open_label
                    elif open_label is not None:
                        open_label.append(label)
        for i, row in enumerate(rows):
            group = table.heading
            if group is None:
                ref = row.label
                if ref is None and labels:
                    # A label is centred across the rows it covers: an unlabelled row takes the nearest.
                    labelled = [(abs(j - i), r.label) for j, r in enumerate(rows) if r.label is not None]
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
    return result


def _row_records(
    row: _Row,
    group: str | None,
    report: ReportInfo,
    rules: tuple[KeyRule, ...],
    periods: dict[int, Period],
    all_lines: dict[int, Line],
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
    title = _join_title(title_parts)
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
    records: list = [
        Indicator(
            report=rid,
            key=key,
            code=None,
            code_derived=False,
            title=title,
            indicator_set=indicator_set,
            excerpt=ex,
            group=group,
        )
    ]

    placed = _resolve_columns(row, rid, warnings)
    cells = {c: parse_cell(text) for c, (_, text) in placed.items()}
    unit = indicator_unit(list(cells.values()))
    note = " ".join(" ".join(n.fragments) for n in row.notes) or None
    note_last = max([n.last_line for n in row.notes], default=row.lines[-1].number)
    annual_ex = excerpt_span(rid, all_lines, row.lines[0].number, max(note_last, row.lines[-1].number))
    target = cells.get(TARGET)
    for c in VALUE_COLUMNS:
        cell = cells.get(c)
        annual = c == YEAR
        if cell is None or cell.marker == "Blank":
            if annual and (note or target is not None):
                cell = Cell(raw="")
                warnings.append(blank_year_value(rid, first, title))
            else:
                continue
        if cell.problem:
            warnings.append(unreadable_value(rid, placed[c][0], c, COLUMN_NAMES[c], title, cell.problem))
        extra = annual_fields(note, target) if annual else {}
        records.append(
            cell_observation(rid, key, periods[c], cell, unit, annual_ex if annual else ex, **extra)
        )
    if target is not None and target.problem:
        warnings.append(unreadable_target(rid, placed[TARGET][0], title, target))
    records.extend(_feeders(row, key, group, rid, periods[YEAR], all_lines, warnings))
    return records


def _feeder_cells(ln: Line, shifted: bool) -> tuple[str, str] | None:
    if not shifted:
        label = cell_at(ln.cells, FEEDER)
        return (label, cell_at(ln.cells, FEEDER_VALUE)) if label else None
    # On a shifted line only the feeder pair is left after the title: (label, figure).
    rest = [c for c in ln.cells[TITLE + 1 :] if c]
    if len(rest) == 2 and not parse_cell(rest[0]).is_figure and parse_cell(rest[1]).is_figure:
        return rest[0], rest[1]
    return None


def _feeders(
    row: _Row,
    parent: str,
    group: str | None,
    rid: str,
    year: Period,
    all_lines: dict[int, Line],
    warnings: list[Unplaced],
) -> list:
    out: list = []
    for ln in row.lines:
        pair = _feeder_cells(ln, ln.number in row.shifted)
        if pair is None:
            continue
        label, text = normalise_title(pair[0]), pair[1]
        ex = excerpt_span(rid, all_lines, ln.number, ln.number)
        key = f"{parent}/feeder/{slug(label)}"
        out.append(
            Indicator(
                report=rid,
                key=key,
                code=None,
                code_derived=False,
                title=label,
                indicator_set="FeederData",
                excerpt=ex,
                group=group,
                feeds=parent,
            )
        )
        cell = parse_cell(text)
        if cell.marker == "Blank":
            warnings.append(warn(rid, ln, f"feeder item {label!r} has no value (column {FEEDER_VALUE + 1})"))
            continue
        if cell.problem:
            warnings.append(
                warn(
                    rid,
                    ln,
                    f"feeder item {label!r}, column {FEEDER_VALUE + 1}: {cell.problem}; "
                    "kept as text with no value",
                )
            )
        out.append(cell_observation(rid, key, year, cell, cell.unit or "Number", ex))
        for name, feeds, pattern in REPORTED_TOTALS:
            if feeds == parent and pattern.match(label) and cell.value is not None:
                out.append(ReportedTotal(report=rid, name=name, value=Decimal(cell.value), excerpt=ex))
    return out


def parse(section: Section, report: ReportInfo) -> SectionResult:
    return parse_lines(section, report, curated_key_rules())
