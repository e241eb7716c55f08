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
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ReportError
from .records import Extraction, Record, ReportInfo, Unplaced
from .sections import Line, Section, split_sections

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


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")


def report_info(lines: list[Line], source: str, council: str | None = None) -> ReportInfo:
    """Who and when, from the title line ('Children's Services Annual Performance Report 2016-2017')."""
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
    council = council or Path(source).name.split("-")[0].lower()
    return ReportInfo(
        id=year,
        council=council,
        service=service,
        title=title,
        source=Path(source).name,
        line_count=len(lines),
    )


def read_report_lines(path: Path) -> list[Line]:
    """The file's lines, 1-based. Errors name the file and say what to do."""
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
    if rows and rows[-1] == "":
        rows.pop()
    return [Line(i + 1, t.rstrip("\r")) for i, t in enumerate(rows)]


def _parser(kind: str):
    return importlib.import_module(f"{__name__}.{kind}")


def extract_lines(lines: list[Line], source: str, council: str | None = None) -> Extraction:
    info = report_info(lines, source, council)
    sections = split_sections(lines)
    if not any(s.kind in ("actions", "service_pis", "indicators") for s in sections):
        raise ReportError(
            source,
            "no action report or performance-indicator tables were found; "
            "is this a council performance report?",
        )
    out = Extraction(report=info)
    for section in sections:
        result: SectionResult = _parser(section.kind).parse(section, info)
        out.records.extend(result.records)
        out.unplaced.extend(result.unplaced)
        out.warnings.extend(getattr(result, "warnings", []))
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
    _parser("scorecard").merge_restated(out)
    _parser("derive").resolve(out)
    out.unplaced.sort(key=lambda u: u.line)
    return out


def extract_report(path: str | Path, council: str | None = None) -> Extraction:
    path = Path(path)
    return extract_lines(read_report_lines(path), str(path), council)


__all__ = [
    "extract_report",
    "extract_lines",
    "read_report_lines",
    "report_info",
    "SectionResult",
    "Section",
    "Line",
    "SECTION_KINDS",
]
