"""Verdicts of the real reports' claims, and the checks failing when a figure is changed."""

from __future__ import annotations

import re

from outcome_graph.build.claims import comparisons
from outcome_graph.extract.claims import claims_of
from outcome_graph.extract.claims_check import rows_of
from outcome_graph.extract.claims_compare import check_claims, verdict
from outcome_graph.extract.records import Observation

from .conftest import R16, R20, changed
from .conftest import real as _real


def real_checks():
    return _real()[1]


Y16, Y20 = "2016-2017", "2020-2021"


def kinds(checks, report, key):
    return [(k.kind, k.verdict) for k in checks[(report, key)]]


def test_the_six_quoted_statements_and_their_verdicts(checks):
    # 12.5% from 56 to 63: 63/56 = 1.125
    assert kinds(checks, Y16, "L23-2") == [("SelfCheck", "Agrees")]
    # 39% from 364 to 507: 39.29%, within the whole-percent rounding
    assert kinds(checks, Y16, "L27-1") == [("SelfCheck", "Agrees"), ("CrossCheck", "Agrees")]  # line 45: 39%
    # 4764, a 4% increase on 4580 (4.02%); and BS.CS.04's 4,764 on line 165 (curated)
    assert kinds(checks, Y16, "L45-1") == [("SelfCheck", "Agrees"), ("TableCheck", "Agrees")]
    assert checks[(Y16, "L45-1")][1].against_line == 165
    # 3.2 per 1,000 against 3.0: BS.CS.18 (line 179) and the national 3.0 of line 149
    rate = checks[(Y16, "L25-2")]
    assert [(k.kind, k.verdict, k.against_line) for k in rate] == [
        ("TableCheck", "Agrees", 179),
        ("CrossCheck", "Agrees", 149),
    ]
    # 5 out of 6 = 83.33%, the same row's 83.3% (line 252)
    (k,) = checks[(Y20, "L252-1")]
    assert (k.kind, k.verdict, k.stated, k.expected, k.against_line) == (
        "TableCheck",
        "Agrees",
        "5 of 6",
        "83.3%",
        252,
    )
    assert "5 out of 6 is 83.33%" in k.reason
    # 94.4% is 1.1 above 93.3% (agrees); but line 73 gives 94.7% for the positive destination rate
    line301 = checks[(Y20, "L301-1")]
    assert [(k.kind, k.verdict) for k in line301] == [("SelfCheck", "Agrees"), ("CrossCheck", "Disagrees")]
    assert (line301[1].stated, line301[1].expected, line301[1].against_line) == ("94.4%", "94.7%", 73)
    assert verdict(line301)[0] == "Disagrees"


def test_complement_of_a_negated_count(checks):
    # "2 of 9 Performance measures currently off target" against 77.78% on target (line 85)
    (k,) = checks[(Y16, "L85-1")]
    assert k.verdict == "Agrees" and "77.78%" in k.reason
    # "25 families offered services ... 2 declined" against 92% (line 374)
    (k,) = checks[(Y20, "L374-1")]
    assert k.verdict == "Agrees" and k.expected == "92%"


def test_disagreements_in_the_real_reports_name_both_lines_and_figures(checks):
    bad = sorted(
        (k.report, k.claim, k.stated, k.expected, k.against_line)
        for ks in checks.values()
        for k in ks
        if k.verdict == "Disagrees"
    )
    assert bad == [
        (
            Y16,
            "L141-1",
            "167 (2015/16)",
            "167 (2016/17)",
            141,
        ),  # note dates the table's 2016/17 figure 2015/16
        (Y16, "L190-1", "85.8% (2015/16)", "85.8% (2016/17)", 190),
        # April-September 306 + October-March 383 = 689 referrals, the year's cell 649 (M.G.CS.01.06a)
        (Y16, "L201-1", "306 + 383 = 689", "649", 201),
        (Y20, "L301-1", "94.4%", "94.7%", 73),
        (Y20, "L59-1", "10", "9", 342),  # 10 young people gained a place; 9 in the 1st cohort
        (Y20, "L73-2", "94.7%", "94.4%", 301),
    ]


def test_every_claim_has_one_verdict_and_a_reason(claims, checks):
    """The verdict's reason is the reasons of the checks that decided it, each naming the claim's line and
    what was compared; a claim with nothing to check says the report states it once."""
    cannot = 0
    for c in claims:
        ks = checks[(c.report, c.key)]
        name, why = verdict(ks)
        assert name in ("Agrees", "Disagrees", "CannotCheck")
        deciding = [k for k in ks if k.verdict == name]
        if not ks:
            assert (name, why) == (
                "CannotCheck",
                "no second figure to check it against: the report states it once",
            )
            continue
        assert deciding and why == "; ".join(k.reason for k in deciding)
        for k in deciding:
            # "line 141: 13 may measure something other than the row's 167 (...)": the line, and why
            assert re.search(rf"\bline {c.excerpt.first_line}\b", k.reason), k.reason
            assert len(k.reason.split()) >= 6, k.reason
        if name == "CannotCheck":
            cannot += 1
            assert all(k.verdict == "CannotCheck" for k in ks)
    assert cannot >= 5  # lines 94, 121, 141, 150, 181, 182 (2016/17), 251, 389 (2020/21) among them


def _checked(x16, x20):
    xs = [x16, x20]
    claims = [c for x in xs for c in claims_of(x)]
    rows = {x.report.id: rows_of(x.of(Observation)) for x in xs}
    return check_claims(claims, rows, comparisons())


def test_a_changed_figure_fails_its_check():
    from .conftest import extract_report

    x16 = changed(R16, {23: ("by 12.5% from 56", "by 13.5% from 56")})
    x20 = changed(R20, {252: ("5 out of 6", "4 out of 6")})
    checks = _checked(x16, x20)
    (k,) = checks[(Y16, "L23-2")]
    assert k.verdict == "Disagrees" and "12.5%" in k.reason and "13.5%" in k.reason
    (k,) = checks[(Y20, "L252-1")]
    assert k.verdict == "Disagrees" and (k.stated, k.expected) == ("4 of 6", "83.3%")
    # and a table cell changed under an agreeing note
    x16b = changed(R16, {178: ("\t54\t\t\t16/17", "\t55\t\t\t16/17")})
    checks = _checked(x16b, extract_report(R20))
    # 55 against line 25's 54, and Q3's 52 to 55 is no longer "an increase of 2"
    assert [k.verdict for k in checks[(Y16, "L25-1")]] == ["Disagrees", "Disagrees"]


def test_an_above_or_below_note_that_the_table_contradicts_disagrees():
    """2016/17 line 179: "Midlothian is slightly above the national rate of 3.0" against BS.CS.18's 3.2
    agrees. Written "below", the table's 3.2 contradicts it: the verdict must be Disagrees, not CannotCheck
    (the comparator is the note's own, and the row gives the figure to compare)."""
    from .conftest import extract_report

    (k,) = real_checks()[(Y16, "L179-1")]
    assert (k.kind, k.verdict, k.stated, k.expected, k.against_line) == (
        "TableCheck",
        "Agrees",
        "above 3.0",
        "3.2",
        179,
    )
    x16 = changed(R16, {179: ("slightly above the national rate", "slightly below the national rate")})
    checks = _checked(x16, extract_report(R20))
    (k,) = checks[(Y16, "L179-1")]
    assert (k.kind, k.verdict, k.stated, k.expected, k.against_line) == (
        "TableCheck",
        "Disagrees",
        "below 3.0",
        "3.2",
        179,
    )
    assert "the note says below 3.0; the table says 3.2 (BS.CS.18, 2016/17, line 179)" in k.reason
    assert verdict(checks[(Y16, "L179-1")])[0] == "Disagrees"


def test_a_period_of_months_is_checked_against_the_quarters_it_spans():
    """2016/17 line 201: "from 306 April - Sept 16 to 383 Oct- March" reads the two halves of the year
    (Q1-Q2, Q3-Q4); a count over the period (graph/curated/aggregation.csv), so they must make the year's
    649: they make 689. With the second half 343 they agree and no check disagrees; a first half below the
    Q2 cell alone (266) contradicts the quarters it spans."""
    from outcome_graph.curate import aggregations
    from outcome_graph.extract.claims_spans import span_checks

    from .conftest import extract_report

    claims, checks = _real()
    [c] = [c for c in claims if (c.report, c.key) == (Y16, "L201-1")]
    assert [(f.raw, f.span) for f in c.figures] == [("306", (1, 2)), ("383", (3, 4))]
    [k] = [k for k in checks[(Y16, "L201-1")] if k.verdict == "Disagrees"]
    assert "April–September 306 + October–March 383 make 689 for the year" in k.reason
    assert "the table says 649 (M.G.CS.01.06a, 2016/17, line 201)" in k.reason
    agg = {key: kind for key, (kind, _) in aggregations().items()}
    for line_edit, verdicts in (
        (("to 383 Oct", "to 343 Oct"), ["Agrees"]),
        (("from 306 April", "from 206 April"), ["Disagrees", "Disagrees"]),  # 206 + 383; and Q2's 266 > 206
    ):
        x16 = changed(R16, {201: line_edit})
        rows = rows_of(x16.of(Observation))
        [c] = [c for c in claims_of(x16) if c.key == "L201-1"]
        assert [k.verdict for k in span_checks(c, rows, agg)] == verdicts, line_edit
    # no aggregation known: nothing is checked, nothing guessed
    assert span_checks(c, rows, {}) == []
    assert extract_report(R16)  # the unchanged report still reads
