"""The published Local Government Benchmarking Framework (LGBF) table: one row per indicator, one
column per year, and an "External Comparison" cell giving Midlothian's rank and quartile by year.

LGBF codes change spelling between years (CHN08a in 2016/17, CHN8a in 2020/21) while the indicator
stays the same; the analyst's record of which codes are the same indicator is curated data
(graph/curated/same-indicator.csv), so every LGBF indicator is keyed by its canonical code.

A row whose cells do not fit the header's columns is kept out (columns.py).
"""

from __future__ import annotations

import re
from pathlib import Path

from .. import paths
from ..curate import same_indicators
from ..errors import ReportError
from . import SectionResult
from .codes import normalise_code
from .columns import Columns, keep_out
from .common import excerpt_span
from .records import Indicator, Period, ReportInfo, Unplaced
from .sections import Line, Section
from .tables import cell_observation
from .values import parse_cell

INDICATOR_SET = "LGBF"
SAME_INDICATOR_FILE = "same-indicator.csv"

_LGBF_CODE = re.compile(r"^CHN\d+[a-z]?$")
# Year columns: "2010/11", "2017/ 18 Value", or the bare end year "11" the 2020/21 header shows.
_FULL_YEAR = re.compile(r"^(\d{4})\s*/\s*(\d\d)(?:\s+value)?$", re.I)
_END_YEAR = re.compile(r"^(\d\d)$")
_RANK = re.compile(r"(\d\d)/(\d\d)\s+Rank\s+(\d+)\s*\(\s*(\w+)\s+Quartile\s*\)\.?", re.I)
QUARTILES = {"top": 1, "second": 2, "third": 3, "bottom": 4}


def same_indicator(directory: Path | None = None) -> dict[str, str]:
    """code as a report writes it -> the canonical code, from the curated table (read by curate.py)."""
    directory = directory or paths.CURATED_DIR
    if not (directory / SAME_INDICATOR_FILE).is_file():
        # Without it, CHN08a and CHN8a would silently become two indicators.
        raise ReportError(
            str(directory / SAME_INDICATOR_FILE),
            "the curated same-indicator table is missing; "
            "restore it from the repository (columns: code,same_as,rationale)",
        )
    return {code: same_as for code, (same_as, _why) in same_indicators(directory).items()}


def lgbf_identity(code: str) -> tuple[str, str, tuple[str, ...]]:
    """(Indicator key, canonical code, alternative codes) for an LGBF code as a report writes it."""
    canonical = same_indicator().get(code, code)
    alt = (code,) if code != canonical else ()
    return f"lgbf/{canonical}", canonical, alt


def _year_of(cell: str) -> str | None:
    m = _FULL_YEAR.match(cell)
    if m:
        start = int(m[1])
        if (start + 1) % 100 != int(m[2]):
            return None
        return f"{start}-{start + 1}"
    m = _END_YEAR.match(cell)
    if m:
        end = 2000 + int(m[1])
        return f"{end - 1}-{end}"
    return None


def _header_years(line: Line, source: str) -> tuple[dict[int, str], int]:
    """The header's year columns (column -> government year) and the External Comparison column."""
    cells = line.cells
    try:
        comparison = next(i for i, c in enumerate(cells) if c.lower().startswith("external comparison"))
    except StopIteration:
        raise ReportError(
            source, "the LGBF header has no 'External Comparison' column", line=line.number, field="header"
        ) from None
    years: dict[int, str] = {}
    for col in range(2, comparison):
        year = _year_of(cells[col])
        if year is None:
            raise ReportError(
                source,
                f"LGBF header column {col + 1} ({cells[col]!r}) is not a year",
                line=line.number,
                field="header",
            )
        years[col] = year
    starts = [int(y[:4]) for y in years.values()]
    if not starts or starts != list(range(starts[0], starts[0] + len(starts))):
        raise ReportError(
            source, "the LGBF header's years are not consecutive", line=line.number, field="header"
        )
    return years, comparison


def ranks(text: str) -> tuple[dict[str, tuple[int, int]], str]:
    """{'2015-2016': (rank, quartile)} from '15/16 Rank 10 (Second Quartile) 14/15 Rank 1 (TOP Quartile)',
    and whatever text was left unread."""
    found: dict[str, tuple[int, int]] = {}
    for m in _RANK.finditer(text):
        start = 2000 + int(m[1])
        quartile = QUARTILES.get(m[4].lower())
        if quartile is None or (start + 1) % 100 != int(m[2]):
            continue
        found[f"{start}-{start + 1}"] = (int(m[3]), quartile)
    rest = _RANK.sub(lambda m: "" if f"20{m[1]}-20{m[2]}" in found else m[0], text)
    return found, rest.strip(" .;")


def _is_value_row(line: Line) -> bool:
    cells = [c for c in line.cells if c]
    return bool(cells) and all(c.lower() == "value" for c in cells)


def parse(section: Section, report: ReportInfo) -> SectionResult:
    out = SectionResult()
    by_number = {ln.number: ln for ln in section.lines}
    years: dict[int, str] | None = None
    comparison = -1
    group: str | None = None
    columns = Columns("LGBF table")
    for line in section.nonblank():
        cells = line.cells
        code = normalise_code(cells[0])
        if cells[0].lower() == "code":
            years, comparison = _header_years(line, (report.file or report.source))
            columns.header(line)
            out.consumed.add(line.number)
            continue
        if _is_value_row(line):
            out.consumed.add(line.number)
            continue
        if years is not None and (why := columns.misfit(line)):
            keep_out(out, report.id, line, why)
            continue
        if not _LGBF_CODE.match(code):
            if len([c for c in cells if c]) == 1 and years is None:
                group = line.text.strip()  # the category heading above the table
                out.consumed.add(line.number)
            else:
                out.unplaced.append(
                    Unplaced(
                        report.id, line.number, line.text.strip(), "an LGBF table line without a CHN code"
                    )
                )
            continue
        if years is None:
            raise ReportError(
                (report.file or report.source),
                f"LGBF row {code} comes before the table's header (Code, Title, years, External Comparison)",
                line=line.number,
            )
        out.records.extend(_row(line, code, years, comparison, group, report, by_number, out.warnings))
    return out


def _row(
    line: Line,
    code: str,
    years: dict[int, str],
    comparison: int,
    group: str | None,
    report: ReportInfo,
    by_number: dict[int, Line],
    warnings: list[Unplaced],
) -> list:
    cells = line.cells + [""] * (comparison + 1 - len(line.cells))
    key, canonical, alt = lgbf_identity(code)
    ex = excerpt_span(report.id, by_number, line.number, line.number)
    parsed = {col: parse_cell(cells[col]) for col in years}
    units = {c.unit for c in parsed.values() if c.is_figure}
    unit = "GBP" if "GBP" in units else "Percent" if "Percent" in units else "Number"
    found, rest = ranks(cells[comparison])
    if rest:
        warnings.append(
            Unplaced(
                report.id,
                line.number,
                rest,
                f"{code}: part of the External Comparison cell is not a 'YY/YY Rank N "
                "(... Quartile)' statement; kept in the excerpt only",
            )
        )
    records: list = [
        Indicator(
            report=report.id,
            key=key,
            code=canonical,
            code_derived=False,
            title=cells[1],
            indicator_set=INDICATOR_SET,
            excerpt=ex,
            group=group,
            alt_codes=alt,
        )
    ]
    for col, year in years.items():
        cell = parsed[col]
        if cell.marker == "Blank":
            continue
        if cell.problem:
            warnings.append(
                Unplaced(
                    report.id, line.number, cell.raw, f"{code} {year}: {cell.problem}; kept with no value"
                )
            )
        rank, quartile = found.pop(year, (None, None))
        records.append(
            cell_observation(report.id, key, Period(year), cell, unit, ex, rank=rank, quartile=quartile)
        )
    for year in found:
        warnings.append(
            Unplaced(
                report.id,
                line.number,
                cells[comparison],
                f"{code}: a rank is given for {year} but the row has no figure for that year",
            )
        )
    return records
