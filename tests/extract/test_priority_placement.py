"""Issue 9, part 3, the last edge: an action row whose priority the report does not say is named (its
line and why, in the build output and as a SHACL violation), never filed under a guessed priority.

On the real 2020/21 report: blanking the one-cell heading of priority 10 (line 315) leaves the uncoded
action on line 318 in a table that follows priority 09's actions with no heading between; blanking
priority 11's heading (line 323) leaves CSPC.P.11.1-7 in priority 10's part of the section, their codes
naming 11. Before, both were filed under the previous priority, with at most a warning."""

from __future__ import annotations

import pytest

from outcome_graph.build import build_from_extractions
from outcome_graph.build.report import summarise
from outcome_graph.extract import _read, extract_lines
from outcome_graph.extract.records import Action, Extraction
from outcome_graph.extract.sections import Line
from outcome_graph.paths import REPORTS_DIR
from outcome_graph.validate import validate_graph

from .conftest import R20, extracted

HEADINGS = {315: "10. There is a reduction", 323: "11. Life-Long Learning"}


def blanked(number: int) -> Extraction:
    lines, ended = _read(REPORTS_DIR / R20)
    assert lines[number - 1].text.startswith(HEADINGS[number])
    lines[number - 1] = Line(number, "")
    return extract_lines(lines, str(REPORTS_DIR / R20), last_line_ended=ended)


def priorities(x: Extraction) -> dict[int, str]:
    return {a.excerpt.first_line: a.priority for a in x.of(Action)}


def test_the_real_report_files_every_action_under_its_heading():
    x = extracted(R20)
    assert len(x.of(Action)) == 23 and not x.problems
    [uncoded] = [a for a in x.of(Action) if not a.code]
    assert (uncoded.excerpt.first_line, uncoded.priority) == (318, "10")  # under its heading, line 315


@pytest.mark.parametrize("heading, unfiled", [(315, [318]), (323, list(range(326, 333)))])
def test_an_action_whose_priority_cannot_be_told_is_named_not_guessed(heading, unfiled):
    x = blanked(heading)
    before = priorities(extracted(R20))
    after = priorities(x)
    # the rows whose priority cannot be told are not filed; every other action keeps its priority
    assert sorted(set(before) - set(after)) == unfiled
    assert all(before[n] == p for n, p in after.items())
    # each is a problem of its own line, saying why, and listed in the build output
    problems = {p.line: p.reason for p in x.problems}
    assert sorted(problems) == unfiled
    out = summarise(x)
    for n in unfiled:
        assert "its priority cannot be told" in problems[n] and "so it is not filed" in problems[n]
        assert f"line {n}: " in out
    # and validation fails, naming each line
    summary = validate_graph(build_from_extractions([x]).graph)
    assert not summary.conforms
    for n in unfiled:
        messages = [r.message for r in summary.results if f"problem/L{n}" in str(r.focus)]
        # the graph names the report by what it is (council, service, year), whatever its file was called
        assert messages and messages[0].startswith(f"Line {n} of {x.report.source}: ")
    assert x.report.source == "midlothian-childrens-services-partnership-and-communities-2020-21.txt"
