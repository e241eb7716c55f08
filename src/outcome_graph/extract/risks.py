"""The risk register: one Risk per row.

Columns, as the header row names them: Code & Title | Risk Identification | Risk Control Measure |
Risk Evaluation | Related Action | Related action latest note | Current Risk Matrix | Risk Score.
The header is repeated after a page break. A row whose cells do not fit the header's columns is kept
out (columns.py). The first cell holds the code and the title together
("C.RR.01 – 23 GIRFEC ..."); the code is normalised ("C.RR.01-23"). Empty cells give None, and a
score that is not a whole number is reported and kept as None.
"""

from __future__ import annotations

import re

from . import SectionResult
from .codes import split_leading_code
from .columns import Columns, keep_out
from .common import excerpt
from .records import ReportInfo, Risk, Unplaced
from .sections import Line, Section

# Header words (lower-case, spaces removed) -> Risk field, in the report's order.
_COLUMNS = [
    ("code&title", "title"),
    ("riskidentification", "identification"),
    ("riskcontrolmeasure", "control_measures"),
    ("riskevaluation", "evaluation"),
    ("relatedaction", "related_action"),
    ("relatedactionlatestnote", "latest_note"),
    ("currentriskmatrix", "matrix"),
    ("riskscore", "score"),
]


def _is_header(cells: list[str]) -> bool:
    return bool(cells) and re.sub(r"\s+", "", cells[0].lower()) == "code&title"


def _header_map(line: Line) -> dict[int, str] | None:
    """Column index -> field, when every known column is found by its name."""
    names = [re.sub(r"\s+", "", c.lower()) for c in line.cells]
    found = {i: f for i, n in enumerate(names) for key, f in _COLUMNS if n == key}
    return found if len(found) == len(_COLUMNS) else None


def parse(section: Section, report: ReportInfo) -> SectionResult:
    result = SectionResult()
    columns: dict[int, str] | None = None
    width = Columns("risk table")

    def warn(line: Line, reason: str) -> None:
        result.warnings.append(Unplaced(report.id, line.number, line.text.strip(), reason))

    for line in section.nonblank():
        cells = line.cells
        if _is_header(cells):
            columns = _header_map(line)
            width.header(line)
            result.consumed.add(line.number)
            if columns is None:
                result.unplaced.append(
                    Unplaced(
                        report.id,
                        line.number,
                        line.text.strip(),
                        "risk table header without the expected column names",
                    )
                )
            continue
        code, title = split_leading_code(cells[0])
        if columns is None or code is None:
            why = "no risk table header above it" if columns is None else "does not start with a risk code"
            result.unplaced.append(Unplaced(report.id, line.number, line.text.strip(), why))
            continue
        if why := width.misfit(line):
            keep_out(result, report.id, line, why)
            continue
        values: dict[str, str | None] = {}
        for i, name in columns.items():
            if name == "title":
                continue
            text = " ".join(cells[i].split()) if i < len(cells) else ""
            values[name] = text or None
        raw_score = values.pop("score")
        score = None
        if raw_score is not None:
            if re.fullmatch(r"\d+", raw_score):
                score = int(raw_score)
            else:
                warn(line, f"Risk Score {raw_score!r} is not a whole number; kept as no score")
        result.records.append(
            Risk(
                report=report.id,
                code=code,
                title=title,
                score=score,
                excerpt=excerpt(report.id, [line]),
                **values,
            )
        )
    return result
