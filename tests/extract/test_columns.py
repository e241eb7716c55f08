"""The column check (extract/columns.py) on the examples of issue 9, part 3, each a one-line change to a
real report: the row is never read by position, its figures are kept out, and the line is named in the
build output and, as an og:ExtractionProblem, by validation. And the one rule for icon leftovers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from outcome_graph.build import build_from_extractions
from outcome_graph.build.report import line_categories, summarise
from outcome_graph.extract import _read, extract_lines
from outcome_graph.extract.records import Extraction, Observation, Period
from outcome_graph.extract.sections import Line
from outcome_graph.paths import REPORTS_DIR
from outcome_graph.validate import validate_graph

from .conftest import R16, R20, extracted


def mutated(name: str, number: int, cells_of) -> Extraction:
    """The report with line `number`'s cells replaced by `cells_of(cells)`, extracted."""
    lines, ended = _read(REPORTS_DIR / name)
    cells = lines[number - 1].text.split("\t")
    lines[number - 1] = Line(number, "\t".join(cells_of(list(cells))))
    return extract_lines(lines, str(REPORTS_DIR / name), last_line_ended=ended)


def cut(name: str, number: int, keep: str) -> Extraction:
    """The report cut after `keep`, which must start line `number`: no line ending, nothing after."""
    lines, _ = _read(REPORTS_DIR / name)
    assert lines[number - 1].text.startswith(keep)
    lines = [*lines[: number - 1], Line(number, keep)]
    return extract_lines(lines, str(REPORTS_DIR / name), last_line_ended=False)


def figures(x: Extraction, key: str) -> dict[str, Decimal | None]:
    return {o.period.key: o.value for o in x.of(Observation) if o.indicator == key}


def test_a_deleted_cell_of_cspc_p_7_3a_keeps_its_figures_out_and_names_line_396():
    assert figures(extracted(R20), "CSPC.P.7.3a") == {"2020-2021-Q2": 56, "2020-2021": 107}
    x = mutated(R20, 396, lambda c: c[:2] + c[3:])  # the 2019/20 cell, empty, deleted
    assert figures(x, "CSPC.P.7.3a") == {}  # not 107 as Q3 with 56 lost
    [p] = x.problems
    assert p.line == 396
    assert p.reason.startswith("11 cells where the PI table header (line 394) has 12: a cell is missing")
    assert "line 396: 11 cells where the PI table header" in summarise(x)


@pytest.mark.parametrize(
    "edit, why",
    [
        (lambda c: c[:2] + c[3:], "10 cells where the complaints table header (line 243) has 11"),
        (lambda c: [c[0], "", *c[1:]], "12 cells where the complaints table header (line 243) has 11"),
    ],
    ids=["a cell deleted", "an extra tab after the title"],
)
def test_complaints_received_line_244_is_kept_out_not_shifted(edit, why):
    x = mutated(R20, 244, edit)
    assert figures(x, "complaints/received") == {}  # never Q1 = 7 or 43
    assert [p.line for p in x.problems] == [244] and x.problems[0].reason.startswith(why)
    # The other complaints rows are read as before.
    assert figures(x, "complaints/closed") == figures(extracted(R20), "complaints/closed")


def test_a_file_cut_in_the_middle_of_a_number_says_so():
    x = cut(R20, 201, "stress and absence\tdue to sickness absence (cumulative)\t11")
    assert not any(o.value == 11 for o in x.of(Observation))  # 11.02 is never stored as 11
    reasons = {p.reason for p in x.problems if p.line == 201}
    assert any("cells where the corporate PI table header (line 199) has 15" in r for r in reasons)
    assert any("the file ends in the middle of line 201" in r and "cut short" in r for r in reasons)


def test_a_file_cut_in_the_middle_of_a_line_lists_that_line():
    x = cut(R20, 396, "CSPC.P.7.3a\tThe number of young people")
    assert 396 in {u.line for u in x.unplaced}
    assert any("the file ends in the middle of line 396" in p.reason for p in x.problems)


def test_the_bundled_reports_have_no_problem_and_no_line_unaccounted():
    for name in (R16, R20):
        x = extracted(name)
        assert x.problems == []
        cats = line_categories(x)
        assert sum(len(v) for v in cats.values()) == x.report.line_count
        lines, _ = _read(REPORTS_DIR / name)
        assert all(lines[n - 1].blank for n in cats["blank"])


def test_the_line_counts_per_category_are_in_the_build_output():
    out = summarise(extracted(R16))
    assert "lines: 115 part of a record, 43 headings or table headers, 0 listed as not understood, " in out
    assert "every non-blank line is part of a record, a heading or a table header" in out


def test_a_kept_out_row_fails_validation_naming_its_line():
    x = mutated(R20, 396, lambda c: c[:2] + c[3:])
    summary = validate_graph(build_from_extractions([x]).graph)
    assert not summary.conforms
    messages = [r.message for r in summary.results if "problem/L396" in str(r.focus)]
    # the graph names the report by what it is (council, service, year), whatever its file was called
    name = "midlothian-childrens-services-partnership-and-communities-2020-21.txt"
    assert messages and messages[0].startswith(f"Line 396 of {name}: 11 cells")


def test_icon_leftovers_one_rule_every_table():
    # Digits where a report shows an icon (Status, Short Trend, Icon): dropped everywhere, each listed.
    status_and_icon = {
        R16: [(131, "Status", "0"), (138, "Status", "2"), (189, "Status", "0"), (190, "Status", "0")],
        R20: [
            (246, "Status", "47"),
            (255, "Status", "4"),
            (269, "Icon", "8"),
            (270, "Icon", "83"),
            (307, "Icon", "8"),
            (313, "Icon", "8"),
            (332, "Icon", "8"),
            (350, "Status", "2"),
        ],
    }
    for name, expected in status_and_icon.items():
        x = extracted(name)
        got = [(d.line, d.column_name, d.fragment) for d in x.dropped if d.column_name != "Short Trend"]
        assert [g for g in got if g[0] != 107] == expected
        out = summarise(x)
        for line, column, fragment in expected:
            assert f"line {line}, column " in out and f"({column}): {fragment!r}" in out
        # None of them is read as a figure or a target (trend "1"s sit beside real 1s, so not those).
        for d in [d for d in x.dropped if d.column_name == "Status"]:
            assert not any(
                o.raw == d.fragment or o.target_raw == d.fragment
                for o in x.of(Observation)
                if o.excerpt.first_line == d.line
            )
    assert (107, "Icon", "0") in [(d.line, d.column_name, d.fragment) for d in extracted(R16).dropped]


def test_the_guessed_placements_of_line_207_are_recorded():
    x = extracted(R20)
    placed = {
        o.period: (o.value, o.placement)
        for o in x.of(Observation)
        if o.indicator == "corporate/service-priority-actions-on-target" and o.placement
    }
    assert set(placed) == {Period("2020-2021", 1), Period("2020-2021", 3)}
    assert placed[Period("2020-2021", 1)][0] == Decimal("72.04")
    assert (
        "read as the Q1 value (column 4), the nearest empty column to its left"
        in placed[Period("2020-2021", 1)][1]
    )
    assert placed[Period("2020-2021", 3)][0] == Decimal("70.06")
    # Every other figure of both reports sat in its own column.
    assert sum(o.placement is not None for n in (R16, R20) for o in extracted(n).of(Observation)) == 2
