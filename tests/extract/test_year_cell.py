"""The year's cell of the corporate PI and complaints tables, which share one reading of it
(tables.value_observations): a blank year's value with a note or a target beside it is still what the
report says for the year, so the note, status and target are kept on an observation with no value, and
a warning names the row's line. The bundled reports have no such row, so each test blanks the year's
cell of a real row and compares with the real extraction."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from outcome_graph.extract import extract_lines, read_report_lines
from outcome_graph.extract.records import Observation
from outcome_graph.paths import REPORTS_DIR

from .conftest import extracted

R20 = REPORTS_DIR / "midlothian-cspc-2020-21.txt"
YEAR_COLUMN = 6  # 0-based, in both tables: the cell after the previous year's value and three quarters


def _with_year_cell(line_number: int, text: str):
    lines = read_report_lines(R20)
    out = []
    for ln in lines:
        if ln.number == line_number:
            cells = ln.text.split("\t")
            assert cells[YEAR_COLUMN], f"line {line_number} has a year's value to blank"
            cells[YEAR_COLUMN] = text
            ln = dataclasses.replace(ln, text="\t".join(cells))
        out.append(ln)
    return extract_lines(out, R20.name)


def _year_observation(extraction, line_number: int) -> Observation:
    (obs,) = [
        r
        for r in extraction.of(Observation)
        if r.period.quarter is None
        and r.period.year == "2020-2021"
        and r.excerpt.first_line <= line_number <= r.excerpt.last_line
        and r.note
    ]
    return obs


@pytest.mark.parametrize(
    "line, row_line, note, target",
    [
        # complaints: one line a row; a note, no target
        (244, 244, "20/21: Data only", None),
        # corporate: line 201 carries the figures of the row opening on line 200; a note and a target
        (201, 200, "20/21: On Target", Decimal("9.00")),
    ],
)
@pytest.mark.parametrize("blank", ["", "-", "**"])
def test_a_blank_year_value_keeps_the_years_note_and_target_with_no_value(
    line, row_line, note, target, blank
):
    real = _year_observation(extracted(R20.name), line)
    assert real.value is not None and real.note == note and real.target == target

    extraction = _with_year_cell(line, blank)
    obs = _year_observation(extraction, line)
    assert (obs.raw, obs.value, obs.note, obs.status, obs.target) == ("", None, note, real.status, target)
    assert obs.indicator == real.indicator and obs.unit == real.unit
    blank_warnings = [w for w in extraction.warnings if "the year's value of" in w.reason]
    assert [(w.line, "is blank" in w.reason) for w in blank_warnings] == [(row_line, True)]
