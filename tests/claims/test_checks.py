"""Verdicts of the real reports' claims, and the checks failing when a figure is changed."""

from __future__ import annotations

from outcome_graph.build.claims import comparisons
from outcome_graph.extract.claims import claims_of
from outcome_graph.extract.claims_check import rows_of
from outcome_graph.extract.claims_compare import check_claims, verdict
from outcome_graph.extract.records import Observation

from .conftest import R16, R20, changed

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
        (Y20, "L301-1", "94.4%", "94.7%", 73),
        (Y20, "L59-1", "10", "9", 342),  # 10 young people gained a place; 9 in the 1st cohort
        (Y20, "L73-2", "94.7%", "94.4%", 301),
    ]


def test_every_claim_has_one_verdict_and_a_reason(claims, checks):
    for c in claims:
        name, why = verdict(checks[(c.report, c.key)])
        assert name in ("Agrees", "Disagrees", "CannotCheck") and why
        if name == "CannotCheck":
            assert "cannot" not in why or why  # the reason says why it cannot be checked


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
