"""Totals a note states in words (issue 18 part 3, figures written as words): "Two PIs off target" and "no
high risks" are read as the report's own totals and checked against its records like digits are."""

from __future__ import annotations

from decimal import Decimal

import pytest

from outcome_graph.build import build
from outcome_graph.extract import extract_lines, extract_report, read_report_lines
from outcome_graph.extract.records import ReportedTotal
from outcome_graph.paths import REPORTS_DIR
from outcome_graph.validate import validate_graph

R16 = REPORTS_DIR / "midlothian-childrens-services-2016-17.txt"
R20 = REPORTS_DIR / "midlothian-cspc-2020-21.txt"


def stated(x, name):
    return sorted((t.excerpt.first_line, t.value) for t in x.of(ReportedTotal) if t.name == name)


def test_the_totals_the_notes_state_in_words():
    x16, x20 = extract_report(R16), extract_report(R20)
    # 2020/21 line 221 "Two PIs off target are linked to FGDM"; line 228 "There are no high risks identified."
    assert stated(x20, "pis.off_target") == [(221, Decimal(2))]
    assert stated(x20, "risks.high") == [(155, Decimal(0)), (228, Decimal(0))]  # line 155: "no High Risks"
    # 2016/17 line 85 "2 of 9 Performance measures currently off target"; line 87 "no risks reviewed as High"
    assert stated(x16, "pis.off_target") == [(85, Decimal(2))]
    assert stated(x16, "risks.high") == [(87, Decimal(0))]
    for x, n in ((x16, 85), (x20, 221)):
        [t] = [t for t in x.of(ReportedTotal) if t.name == "pis.off_target"]
        assert "off target" in t.excerpt.text.lower() and t.excerpt.first_line == n


@pytest.mark.parametrize(
    ("edit", "line", "message"),
    [
        # "Three PIs off target": the 2020/21 PI tables show 2 (CSPC.P.4.1b, 4.1c, lines 374-375)
        (
            (221, "Two PIs off target", "Three PIs off target"),
            221,
            "The 2020-2021 report states 3 for pis.off_target, but its service-priority PI tables show 2",
        ),
        # "There are two high risks identified": the register (lines 436-441) has none scored High
        (
            (228, "There are no high risks", "There are two high risks"),
            228,
            "The 2020-2021 report states 2 for risks.high, but its risk register shows 0",
        ),
    ],
)
def test_a_word_changed_against_the_records_is_a_warning(edit, line, message, tmp_path):
    n, old, new = edit
    lines = read_report_lines(R20)
    text = [ln.text.replace(old, new) if ln.number == n else ln.text for ln in lines]
    assert text != [ln.text for ln in lines]
    path = tmp_path / R20.name
    path.write_text("\n".join(text), encoding="utf-8")
    result = build([path])
    found = [r for r in validate_graph(result.graph).results if r.line == line and message in r.message]
    assert found and found[0].severity == "Warning"
    assert extract_lines(lines, str(R20))  # the real report unchanged
