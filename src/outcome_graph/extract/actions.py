"""The action report: one Action per table row, and the service plan's Priority records.

Two layouts occur, told apart by each table's header row:

- with a Priority column (2016/17): Code | Priority | Action | Due Date | Icon | Progress | Comment.
  The priority's title is wrapped over several rows of its column and written only once, so it is
  assembled from the fragments: a fragment starting "NN." opens (or, when it extends the title read
  so far, completes) priority NN; a fragment without a number continues the current title. An
  action's priority is the number its code carries (CS.S.02.01 -> "02"), because the title fragments
  are not aligned with the rows they belong to.
- without one (2020/21): each priority has a heading line "NN. title" above its table, and the table
  is Code | Action | Due Date | Icon | Progress | Comment.

Rules for the noise of the PDF text layer:

- The Icon column holds traffic-light glyphs that the extraction turned into letters and digits
  ("ø", "Ø", "0", "I", "8", "83", "⊘", "②"); they are never read. Status comes from the comment's
  own words ("16/17: Complete") via common.status_of.
- A priority fragment that begins by repeating the words the title so far ends with ("efficient use
  of contract of c" after "... efficient use of") is the text layer drawing the wrapped cell twice,
  not a continuation: it is kept out of the title by that rule and reported as a warning.
- A comment that runs on past a page break continues on a row whose only text is in the comment
  column, after a repeated header row; it is joined to the action above, whose excerpt then spans
  both rows.
- A code cell holding no code (empty, or a bullet glyph "•") gives code None; derive.py may later
  derive the code from the action's position.
- Cells are read by their form (a date, a percentage, a status note) as well as by position; a row
  whose cells are not where the header puts them is read by form and reported as a warning.
- A row whose cell count is not the header's (columns.py) is never read by position. It is read by
  form only where every cell has one place: a code (or an empty or glyph code cell) first; at most one
  date, one percentage and one status note; between the code and the first of those exactly the text
  cells the layout has there (the Action, and with a Priority column the priority text before it); and
  nothing else but icon leftovers. Otherwise it is kept out, and when it could be the run-on of the
  comment above (no code, one text cell), that action is kept out with it.
- Digits in the Icon column are dropped and listed (columns.icon_leftovers).
- Without a Priority column an action is filed under the heading above it, never under a guess: a row
  whose code names another priority, or a row without a code in a table that follows the previous
  priority's actions with no heading between (a heading may be missing), is kept out and named with
  its line and why, as a problem (a SHACL violation). Rows placed by form: action_form.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from . import SectionResult
from .action_form import _DATE, _NOTE_HEAD, by_form
from .codes import split_leading_code
from .columns import Columns, icon_leftovers, keep_out
from .common import excerpt_span, status_of
from .records import Action, Priority, Problem, ReportInfo, Unplaced
from .sections import Line, Section
from .values import parse_cell

_PRIORITY_HEAD = re.compile(r"^(\d{2})\.\s*(\S.*)$")
# The priority number inside an action code: CS.S.02.01 -> 02, CSPC.P.11.7 -> 11.
_CODE_PRIORITY = re.compile(r"\.(\d{1,2})\.\d+[a-z]?$")
_COLUMNS = {
    "priority": ("Code", "Priority", "Action", "Due Date", "Icon", "Progress", "Comment"),
    "plain": ("Code", "Action", "Due Date", "Icon", "Progress", "Comment"),
}


@dataclass
class _Row:
    """An action row being read; a run-on comment row may still extend it."""

    code: str | None
    priority: str
    title: str
    due_date: date | None
    progress: Decimal | None
    note: str | None
    lines: list[int]
    kept_out: str | None = None  # why the row is kept out (a line below it that may continue it misfits)
    unfiled: bool = False  # kept out because its own priority cannot be told (a problem of its first line)


@dataclass
class _PriorityTitle:
    code: str
    title: str
    lines: list[int] = field(default_factory=list)


def _is_header(cells: list[str]) -> bool:
    return bool(cells) and cells[0].lower().startswith("code") and any("action" in c.lower() for c in cells)


def _layout(cells: list[str]) -> str:
    return "priority" if any(c.lower() == "priority" for c in cells) else "plain"


def parse_due_date(text: str) -> date | None:
    """'31-Mar- 2017' -> date(2017, 3, 31); None for an empty cell. ValueError for anything else."""
    compact = re.sub(r"\s+", "", text)
    if not compact:
        return None
    if not _DATE.match(compact):
        raise ValueError(f"not a date: {text!r}")
    return datetime.strptime(compact, "%d-%b-%Y").date()


def _overlaps_tail(title: str, fragment: str) -> bool:
    """True when `fragment` starts with the last two or more words of `title` (a re-drawn cell)."""
    t, f = title.lower().split(), fragment.lower().split()
    return any(len(f) >= k and t[-k:] == f[:k] for k in range(2, len(t) + 1))


class _Reader:
    def __init__(self, section: Section, report: ReportInfo):
        self.report = report
        self.lines = {ln.number: ln for ln in section.lines}
        if section.heading:
            self.lines[section.heading.number] = section.heading
        self.result = SectionResult()
        self.rows: list[_Row] = []
        self.priorities: dict[str, _PriorityTitle] = {}
        self.current_priority: str | None = None  # the priority code actions are filed under
        # A table header after action rows, with no priority heading between: the header line. The rows
        # below may belong to the same priority (a table cut by a page) or to one whose heading is
        # missing, so a row without a code there has no priority that can be told.
        self.header_without_heading: int | None = None
        self.rows_at_heading = 0
        self.placement_problem: str | None = None  # why the row being read cannot be filed (see _priority_of)
        self.layout: str | None = None
        self.run_on_open = False  # True while the last action row's comment may continue below
        self.columns = Columns("action table")
        # With a Priority column, titles are joined from fragments across rows: a row kept out (the
        # first such line) may have held one, so no title joined from fragments can be trusted.
        self.titles_unsure: int | None = None

    def warn(self, line: Line, reason: str) -> None:
        self.result.warnings.append(Unplaced(self.report.id, line.number, line.text.strip(), reason))

    def read(self, section: Section) -> SectionResult:
        for line in section.lines:
            if line.blank:
                continue
            cells = line.cells
            filled = [c for c in cells if c]
            if _is_header(cells):
                if len(self.rows) > self.rows_at_heading:
                    self.header_without_heading = line.number
                self.layout = _layout(cells)
                self.columns.header(line)
                self.result.consumed.add(line.number)
            elif len(filled) == 1 and cells[0] and _PRIORITY_HEAD.match(cells[0]):
                self._priority_heading(line, filled[0])
            elif self.layout is None:
                if filled == ["Service Priority Actions"]:
                    self.result.consumed.add(line.number)  # the table's caption
                else:
                    self.result.unplaced.append(
                        Unplaced(
                            self.report.id,
                            line.number,
                            line.text.strip(),
                            "text before the first action table header",
                        )
                    )
            elif why := self.columns.misfit(line):
                self._misfit(line, cells, why)
            elif self._only_comment(cells):
                if self.run_on_open:
                    self._run_on(line, cells)
                else:
                    reason = "comment text with no action row above it in this priority's table"
                    self.result.unplaced.append(
                        Unplaced(self.report.id, line.number, line.text.strip(), reason)
                    )
            else:
                self._row(line, cells)
        self._finish()
        return self.result

    def _misfit(self, line: Line, cells: list[str], why: str) -> None:
        """A row whose cells do not fit the header: read by form where each cell has one place."""
        placed = by_form(cells, self.layout)
        if isinstance(placed, list):
            self.warn(
                line,
                f"{why}: every cell has one place by its form (code, action text, due date, progress, "
                "comment), so the row is read by form; check against the published PDF",
            )
            self._row(line, placed)
            # A comment may run on below only when the row has one to continue.
            self.run_on_open = bool(placed[-1])
            return
        keep_out(self.result, self.report.id, line, f"{why}; {placed}")
        if self.layout == "priority" and self.titles_unsure is None:
            self.titles_unsure = line.number
        filled = [c for c in cells if c]
        if self.run_on_open and len(filled) <= 1 and not split_leading_code(cells[0])[0]:
            self.rows[-1].kept_out = (
                f"line {line.number} below does not fit the table's columns and may continue this "
                "action's comment"
            )
        self.run_on_open = False

    def _priority_heading(self, line: Line, text: str) -> None:
        m = _PRIORITY_HEAD.match(text)
        assert m
        self.current_priority = m[1]
        self.priorities[m[1]] = _PriorityTitle(m[1], " ".join(m[2].split()), [line.number])
        self.header_without_heading, self.rows_at_heading = None, len(self.rows)
        self.run_on_open = False  # a comment does not run on into the next priority's table

    def _only_comment(self, cells: list[str]) -> bool:
        comment_at = len(_COLUMNS[self.layout or "plain"]) - 1
        return not any(cells[:comment_at]) and any(cells[comment_at:])

    def _run_on(self, line: Line, cells: list[str]) -> None:
        row = self.rows[-1]
        text = " ".join(c for c in cells if c)
        row.note = f"{row.note} {text}" if row.note else text
        row.lines.append(line.number)

    def _priority_fragment(self, line: Line, fragment: str) -> None:
        m = _PRIORITY_HEAD.match(fragment)
        if m:
            code, title = m[1], " ".join(m[2].split())
            known = self.priorities.get(code)
            if known is None:
                self.priorities[code] = _PriorityTitle(code, title, [line.number])
            elif title.startswith(known.title) or known.title.startswith(title):
                # The same title again, whole where it was cut before: keep the longer.
                known.title = max(title, known.title, key=len)
                known.lines.append(line.number)
            else:
                self.warn(
                    line,
                    f"priority {code} is titled {title!r} here but {known.title!r} above; "
                    "the first title is kept",
                )
            self.current_priority = code
            return
        known = self.priorities.get(self.current_priority or "")
        if known is None:
            self.warn(line, f"priority text {fragment!r} comes before any numbered priority; not read")
        elif _overlaps_tail(known.title, fragment):
            self.warn(
                line,
                f"priority text {fragment!r} repeats the end of priority {known.code}'s title "
                f"({known.title!r}): a re-drawn cell of the PDF text layer, not read into the title",
            )
        else:
            known.title = f"{known.title} {' '.join(fragment.split())}"
            known.lines.append(line.number)

    def _row(self, line: Line, cells: list[str]) -> None:
        layout = self.layout or "plain"
        columns = _COLUMNS[layout]
        code, _ = split_leading_code(cells[0])
        if layout == "priority":
            if len(cells) > 1 and cells[1]:
                self._priority_fragment(line, cells[1])
            title_at = 2
        else:
            title_at = 1
        title = cells[title_at] if len(cells) > title_at else ""
        rest = cells[title_at + 1 :]
        priority = self._priority_of(line, code)

        # Read Due Date, Progress and Comment by their form; note where they were found.
        due_at = next((i for i, c in enumerate(rest) if _DATE.match(re.sub(r"\s+", "", c))), None)
        pct_at = next((i for i, c in enumerate(rest) if parse_cell(c).unit == "Percent"), None)
        after = (pct_at if pct_at is not None else -1) + 1
        note_at = next(
            (
                i
                for i, c in enumerate(rest)
                if i >= after and c and not parse_cell(c).unit and (_NOTE_HEAD.match(c) or pct_at is not None)
            ),
            None,
        )
        expected = {"due": 0, "progress": 2, "comment": 3}
        found = {"due": due_at, "progress": pct_at, "comment": note_at}
        misplaced = [k for k, at in found.items() if at is not None and at != expected[k]]
        if misplaced:
            self.warn(
                line,
                f"cells out of place for the header {' | '.join(columns)}: "
                f"{', '.join(misplaced)} not in its column (a cell missing or extra); "
                "values read by their form",
            )

        due = None
        if due_at is not None:
            try:
                due = parse_due_date(rest[due_at])
            except ValueError:
                self.warn(line, f"Due Date {rest[due_at]!r} is not a calendar date; kept as no due date")
        elif rest and rest[0] and not _NOTE_HEAD.match(rest[0]):
            self.warn(line, f"Due Date {rest[0]!r} is not a date like '31-Mar-2021'; kept as no due date")
        progress = None
        progress_cell = rest[2] if len(rest) > 2 else ""
        if pct_at is not None:
            progress = parse_cell(rest[pct_at]).value
        elif progress_cell and note_at != 2:
            why = parse_cell(progress_cell).problem or "no % sign"
            self.warn(line, f"Progress {progress_cell!r} is not a percentage ({why}); kept as no progress")
        elif note_at is None:
            self.warn(
                line,
                "row ends before its Progress and Comment columns (the line may be cut); read without them",
            )
        note = " ".join(rest[note_at].split()) if note_at is not None else None
        if not title:
            self.warn(line, "action row without an Action text")
        icon_at = title_at + 2
        self.result.dropped.extend(icon_leftovers(self.report.id, line, cells, {icon_at: "Icon"}))
        row = _Row(code, priority, " ".join(title.split()), due, progress, note, [line.number])
        row.kept_out, self.placement_problem = self.placement_problem, None
        row.unfiled = row.kept_out is not None
        if not code and layout != "priority" and self.header_without_heading is not None:
            row.kept_out = (
                f"an action without a code in the table headed on line {self.header_without_heading}, "
                f"which follows priority {self.current_priority}'s actions with no priority heading "
                "between: its priority cannot be told (a heading may be missing), so it is not filed"
            )
            row.unfiled = True
        self.rows.append(row)
        self.run_on_open = True

    def _priority_of(self, line: Line, code: str | None) -> str:
        from_code = None
        if code and (m := _CODE_PRIORITY.search(code)):
            from_code = f"{int(m[1]):02d}"
        if self.layout == "priority":
            # The fragments in the Priority column do not line up with rows: the code is authoritative.
            return from_code or self.current_priority or ""
        if from_code and self.current_priority and from_code != self.current_priority:
            self.placement_problem = (
                f"action {code} sits under priority {self.current_priority} but its code names priority "
                f"{from_code} (a heading may be missing): its priority cannot be told, so it is not filed"
            )
        if self.current_priority is None:
            self.warn(line, "action row before any priority heading")
        return self.current_priority or from_code or ""

    def _finish(self) -> None:
        rid = self.report.id
        for p in self.priorities.values():
            ex = excerpt_span(rid, self.lines, min(p.lines), max(p.lines))
            title: str | None = p.title
            if self.titles_unsure is not None:
                title = None
                self.warn(
                    self.lines[min(p.lines)],
                    f"priority {p.code}'s title is joined from fragments of the Priority column, and line "
                    f"{self.titles_unsure}, which may hold one, could not be read: the title is left out",
                )
            self.result.records.append(Priority(rid, p.code, title, ex))
        for r in self.rows:
            if r.kept_out:
                for n in r.lines:
                    if r.unfiled and n == r.lines[0]:
                        # the row's own problem: named in the build output and a SHACL violation
                        line = self.lines[n]
                        self.result.unplaced.append(Unplaced(rid, n, line.text.strip(), r.kept_out))
                        self.result.problems.append(Problem(rid, n, line.text, r.kept_out))
                    else:
                        keep_out(self.result, rid, self.lines[n], r.kept_out, own=False)
                continue
            ex = excerpt_span(rid, self.lines, r.lines[0], r.lines[-1])
            self.result.records.append(
                Action(
                    report=rid,
                    code=r.code,
                    code_derived=False,
                    priority=r.priority,
                    title=r.title,
                    due_date=r.due_date,
                    progress=r.progress,
                    status=status_of(r.note),
                    note=r.note,
                    excerpt=ex,
                )
            )


def parse(section: Section, report: ReportInfo) -> SectionResult:
    return _Reader(section, report).read(section)
