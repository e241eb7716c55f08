"""Percentages that imply counts (issue 18 part 3), on both real reports: for every curated pair of
graph/curated/shares.csv, every percentage cell of the pair is read again here, with its count read from
the report's own line (a feeder cell, or the figure the note states), and judged with exact fractions: a
percentage p of n cases is consistent only if some whole k out of n (a quarter's: out of some m <= n)
gives p at the precision written. The rule's findings must be exactly the ones this reading gives."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import pytest

from outcome_graph.curate import shares
from outcome_graph.extract import extract_report
from outcome_graph.extract.records import Observation
from outcome_graph.namespaces import observation_iri, segment
from outcome_graph.paths import REPORTS_DIR

RULE = "percentage against the count it is a share of"


@pytest.fixture(scope="module")
def extractions():
    return {x.report.id: x for x in (extract_report(p) for p in sorted(REPORTS_DIR.glob("*.txt")))}


def possible(raw: str, n: int, whole: bool) -> bool:
    """Some k out of n (or, for a quarter, out of some m <= n) written at raw's precision gives raw."""
    text = raw.replace("%", "").strip()
    decimals = len(text.split(".")[1]) if "." in text else 0
    p, tol = Fraction(Decimal(text)), Fraction(1, 2 * 10**decimals)
    sizes = [n] if whole else range(1, n + 1)
    return any(abs(Fraction(100 * k, m) - p) <= tol for m in sizes for k in range(m + 1))


def stated_count(x, share) -> tuple[int, int] | None:
    """(n, line) for the pair's count, read from the report's line, not from the graph; None where the
    note of this report states no count (2016/17's complaints notes do not)."""
    [o] = [
        o
        for o in x.of(Observation)
        if o.indicator == share.count and o.period.year == x.report.id and not o.period.quarter
    ]
    if share.count_in == "figure":
        assert o.raw in o.excerpt.text.split("\t")
        return int(o.value), o.excerpt.first_line
    note = o.note or ""
    m = re.search(r"(\d+) out of (\d+)", note) or re.search(r"There were (\d+)", note)
    if not m:
        return None
    return int(m.groups()[-1]), o.excerpt.first_line


def expected_findings(extractions) -> tuple[set[str], int]:
    found, pairs = set(), 0
    for share in shares():
        for year, x in sorted(extractions.items()):
            keys = {o.indicator for o in x.of(Observation)}
            if share.percentage not in keys or share.count not in keys:
                continue
            count = stated_count(x, share)
            if count is None:
                continue
            pairs += 1
            n, _ = count
            for o in x.of(Observation):
                if o.indicator != share.percentage or o.period.year != year or o.value is None:
                    continue
                if not possible(o.raw, n, whole=not o.period.quarter):
                    found.add(str(observation_iri("midlothian", year, o.indicator, segment(o.period.key))))
    return found, pairs


def test_every_curated_pair_is_checked_against_the_reports(extractions, real_summary):
    expected, pairs = expected_findings(extractions)
    # every row of shares.csv applies to one of the two reports: none is silently dropped
    assert pairs == len(shares()) == 5
    found = {r.focus for r in real_summary.results if r.rule == RULE}
    assert found == expected
    # read in the report: 2020/21 line 254, Q2 "66.67 %" needs 3 cases (2 of 3), and line 251's note says
    # "There were 2 Escalated Calls" in the year
    key = "complaints/escalated-within-20-days"
    assert found == {str(observation_iri("midlothian", "2020-2021", key, "2020-2021-Q2"))}


def test_the_finding_names_both_lines_and_both_figures(real_summary):
    [r] = [r for r in real_summary.results if r.rule == RULE]
    assert (r.report, r.line, r.severity) == ("2020-2021", 254, "Warning")
    assert "2020-2021 Q2: 66.67 % (line 254) is a share of at most 2 cases (line 251: " in r.message
    assert '"There were 2 Escalated Calls, neither were completed within the 20 days."' in r.message


@pytest.mark.parametrize(
    ("raw", "n", "whole", "ok"),
    [
        ("66.67 %", 2, False, False),  # needs 3
        ("66.67 %", 3, False, True),
        ("83.3%", 6, True, True),  # 5 of 6 = 83.33, written to one decimal
        ("83.4%", 6, True, False),
        ("0%", 2, True, True),
        ("50%", 2, False, True),
        ("92.9%", 14, True, True),
    ],
)
def test_the_reading_itself(raw, n, whole, ok):
    assert possible(raw, n, whole) is ok
