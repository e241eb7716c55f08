"""Extract: report text -> records, each with the lines it came from; every other line reported.

`extract_report` is the entry point. It splits the report into sections (sections.py) and hands each
to the parser for its kind, one module per section of the report: narrative, summary, indicators
(corporate PI summary and feeder data), complaints, actions, service_pis, scorecard, risks,
benchmarks. A parser returns records, the lines it understood, and the lines it could not place; any
non-blank line that no parser accounts for is reported too, so that nothing is lost silently.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ReportError
from .identity import Declared, council_from_content, manifest_hint, read_manifest
from .note_totals import note_totals
from .period_words import find_period_words
from .records import Dropped, Extraction, Problem, Record, ReportInfo, Unplaced
from .sections import Line, Section, split_sections
from .unknown_words import find_unknown_words

SECTION_KINDS = (
    "title",
    "narrative",
    "summary",
    "indicators",
    "complaints",
    "actions",
    "service_pis",
    "scorecard",
    "risks",
    "benchmarks",
)

_YEAR = re.compile(r"(20\d\d)\s*[-/]\s*(?:20)?(\d\d)\s*$")


@dataclass
class SectionResult:
    records: list[Record] = field(default_factory=list)
    consumed: set[int] = field(default_factory=set)  # line numbers understood (headers included)
    unplaced: list[Unplaced] = field(default_factory=list)
    # Records kept but worth a reader's attention (a cell that is not a figure): see Extraction.warnings.
    warnings: list[Unplaced] = field(default_factory=list)
    # Rows kept out because their cells could not be placed (columns.keep_out): also in `unplaced`.
    problems: list[Problem] = field(default_factory=list)
    # Icon leftovers dropped from icon columns (columns.icon_leftovers).
    dropped: list[Dropped] = field(default_factory=list)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")


def report_info(
    lines: list[Line], source: str, council: str | None = None, declared: Declared | None = None
) -> ReportInfo:
    """Who and when, from the report's content (identity.py): service and year from the title line
    ('Children's Services Annual Performance Report 2016-2017'), the council from `council`, a manifest
    row (`declared`), or the council the report names. Never from the file name."""
    declared = declared or Declared()
    title = next((ln.text.strip() for ln in lines if not ln.blank), "")
    m = _YEAR.search(title)
    if "Performance Report" not in title or not m:
        raise ReportError(
            source,
            "not a council performance report: the first line should be a title such as "
            '"Children\'s Services Annual Performance Report 2016-2017"',
            line=next((ln.number for ln in lines if not ln.blank), 1),
            field="title",
        )
    start = int(m[1])
    year = f"{start}-{start + 1}"
    if int(m[2]) != (start + 1) % 100:
        raise ReportError(source, f"the title's year {m[0]!r} is not a government year", 1, "title")
    service = _slug(title.split("Annual Performance Report")[0])
    for name, said, read in (("service", declared.service, service), ("year", declared.year, year)):
        if said and said != read:
            raise ReportError(
                source,
                f"{declared.where} gives the {name} as {said!r}, but the report's title says "
                f"{read!r}: correct the manifest",
                line=1,
                field=name,
            )
    council = council or declared.council
    if not council:
        council, why = council_from_content(title, "\n".join(ln.text for ln in lines))
        if council is None:
            raise ReportError(
                source, f"cannot tell which council published it: {why}; {manifest_hint(source)}"
            )
    return ReportInfo(
        id=year,
        council=council,
        service=service,
        title=title,
        source=canonical_name(council, service, year),
        line_count=len(lines),
        file=source,
    )


def canonical_name(council: str, service: str, year: str) -> str:
    """The report's file name in the graph and in a store's copy of its reports: from what the report
    is, not from what its file was called, so a renamed copy gives the same graph."""
    return f"{council}-{service}-{year[:4]}-{year[-2:]}.txt"


def read_report_lines(path: Path) -> list[Line]:
    """The file's lines, 1-based. Errors name the file and say what to do."""
    return _read(path)[0]


def _read(path: Path) -> tuple[list[Line], bool]:
    """The file's lines, and whether its last line ends with a line ending."""
    source = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ReportError(source, "no such file; give the path of a report text file") from None
    except OSError as e:
        raise ReportError(source, f"cannot read the file: {e.strerror}") from None
    if not data.strip():
        raise ReportError(source, "the file is empty; expected the text of a performance report")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ReportError(
            source, f"not valid UTF-8 (byte 0x{data[e.start]:02x}); save the text as UTF-8", line=line
        ) from None
    text = text.removeprefix("\ufeff")
    # Split on newlines only (not str.splitlines, which also breaks on form feeds and U+2028) so that
    # line numbers agree with `wc -l`, editors and the line numbers quoted in the graph.
    rows = text.split("\n")
    ended = bool(rows) and rows[-1] == ""
    if ended:
        rows.pop()
    return [Line(i + 1, t.rstrip("\r")) for i, t in enumerate(rows)], ended


def _parser(kind: str):
    return importlib.import_module(f"{__name__}.{kind}")


def parse_section(section: Section, info: ReportInfo) -> SectionResult:
    """One section through the parser for its kind. Pure: the same section gives the same result."""
    return _parser(section.kind).parse(section, info)


def extract_lines(
    lines: list[Line],
    source: str,
    council: str | None = None,
    *,
    declared: Declared | None = None,
    last_line_ended: bool = True,
    parse: Callable[[Section, ReportInfo], SectionResult] = parse_section,
) -> Extraction:
    """The report's records from its lines. `last_line_ended` says whether the file's last line had a
    line ending (a file cut short mid-line has none); `parse` reads one section (a test may memoise it:
    the result is only read, never changed)."""
    info = report_info(lines, source, council, declared)
    sections = split_sections(lines)
    if not any(s.kind in ("actions", "service_pis", "indicators") for s in sections):
        raise ReportError(
            source,
            "no action report or performance-indicator tables were found; "
            "is this a council performance report?",
        )
    out = Extraction(report=info)
    for section in sections:
        result = parse(section, info)
        out.records.extend(result.records)
        out.unplaced.extend(result.unplaced)
        out.warnings.extend(result.warnings)
        out.problems.extend(result.problems)
        out.dropped.extend(result.dropped)
        accounted = set(result.consumed) | {u.line for u in result.unplaced}
        if section.heading:
            accounted.add(section.heading.number)
        out.structural |= accounted - {u.line for u in result.unplaced}
        for rec in result.records:
            ex = rec.excerpt
            accounted.update(range(ex.first_line, ex.last_line + 1))
        for ln in section.nonblank():
            if ln.number not in accounted:
                out.unplaced.append(
                    Unplaced(
                        info.id, ln.number, ln.text.strip(), f"not read by the {section.kind} section parser"
                    )
                )
    # The balanced scorecard restates cells of other tables; the build needs one observation per cell.
    # before the restated cells are merged: a misspelt word on either statement is named
    find_unknown_words(out)
    find_period_words(out, lines)  # "Q5 2020/21", "2020/12": named, never guessed
    _parser("scorecard").merge_restated(out)
    _parser("derive").resolve(out)
    note_totals(out)  # totals the notes state in words ("Two PIs off target"), checked like the others
    _check_cut_short(out, lines, last_line_ended)
    out.unplaced.sort(key=lambda u: u.line)
    out.problems.sort(key=lambda p: p.line)
    out.dropped.sort(key=lambda d: (d.line, d.column))
    return out


def _check_cut_short(out: Extraction, lines: list[Line], last_line_ended: bool) -> None:
    """A file cut short mid-line has no line ending after its last line. Both bundled reports also end
    without one, so that alone proves nothing; but when that last line could not be read whole (it is
    listed as not understood, kept out, or read with a warning), the cut is the likely reason and the
    report says so."""
    last = next((ln for ln in reversed(lines) if not ln.blank), None)
    if last_line_ended or last is None or last.number != lines[-1].number:
        return
    if any(u.line == last.number for u in [*out.unplaced, *out.warnings, *out.problems]):
        out.problems.append(
            Problem(
                out.report.id,
                last.number,
                last.text,
                f"the file ends in the middle of line {last.number} (no line ending after it), and that "
                "line could not be read whole: the file looks cut short; build from the complete report",
            )
        )


def extract_report(
    path: str | Path, council: str | None = None, declared: Declared | None = None
) -> Extraction:
    """`declared`: what a manifest says about the file; by default the row for it in the `reports.csv`
    beside it, if any."""
    path = Path(path)
    lines, ended = _read(path)
    if declared is None:
        declared = read_manifest(path.parent).get(path.name)
    return extract_lines(lines, str(path), council, declared=declared, last_line_ended=ended)


__all__ = [
    "extract_report",
    "extract_lines",
    "parse_section",
    "read_report_lines",
    "report_info",
    "SectionResult",
    "Section",
    "Line",
    "SECTION_KINDS",
]
