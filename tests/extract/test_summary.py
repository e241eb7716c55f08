"""The 2020/21 "Successes and Challenges" dashboard (lines 97-186), read from the real report."""

from __future__ import annotations

from decimal import Decimal

from outcome_graph.extract.records import Narrative, ReportedTotal

from .conftest import R20


def test_line_155_medium_and_high_risk_counts(extraction):
    # the summary's line 155 (line 228's note says "no high risks" again: tests/extract/test_note_totals.py)
    found = {
        t.name: t
        for t in extraction(R20).of(ReportedTotal)
        if t.name.startswith("risks.") and t.excerpt.first_line == 155
    }
    assert {n: t.value for n, t in found.items()} == {"risks.medium": Decimal(4), "risks.high": Decimal(0)}
    assert found["risks.medium"].excerpt.text == "There are 4 Medium Risks and no High Risks"
    assert found["risks.high"].excerpt.first_line == 155


def test_off_target_lists_are_quotable_narratives(extraction):
    items = [n for n in extraction(R20).of(Narrative) if 97 <= n.excerpt.first_line <= 187]
    by_heading: dict[str, list[int]] = {}
    for n in items:
        by_heading.setdefault(n.heading, []).append(n.excerpt.first_line)
    assert by_heading == {
        "Corporate PIs Off Target": [119, 121, 123, 125, 127],
        "Service Plan Actions Off Target": [133, 135, 137, 139, 141],
        "Service Plan PIs Off Target": [147, 149],
    }
    first = next(n for n in items if n.excerpt.first_line == 147)
    assert first.excerpt.text == "What percentage of children de-registered had a FGDM"


def test_icon_labelled_counts_are_unplaced_with_the_reason(extraction):
    unplaced = {u.line: u for u in extraction(R20).unplaced if 97 <= u.line <= 187}
    assert sorted(unplaced) == [101, 105, 109, 113, 131, 153]
    assert all("icons, lost in text extraction" in u.reason for u in unplaced.values())
    assert unplaced[105].text == "5 2 18 0"


def test_key_lines_are_consumed_as_legend(extraction):
    x = extraction(R20)
    # Lines 157-186 are the dashboard's key: neither records nor unplaced.
    assert not [u for u in x.unplaced if 157 <= u.line <= 186]
    assert not [r for r in x.records if 157 <= r.excerpt.first_line <= 186]
