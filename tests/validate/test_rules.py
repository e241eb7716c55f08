"""Every shape, on a small failing graph and its passing twin (tests/validate/fixtures/<case>.fail.ttl and
.pass.ttl, each added to base.ttl): the failing one gives the expected result — rule, severity, focus
node and message — and the passing one gives no result at all."""

from __future__ import annotations

import pytest

from outcome_graph.validate import validate_graph

from .conftest import TEST, fixture_graph

OBS = "report/2016-2017/observation/"

# case, severity, rule, focus (relative to the test council), words the message must contain
CASES = [
    (
        "status-vs-target-complete",
        "Warning",
        "status against target",
        OBS + "BS.CS.27/2016-2017",
        "BS.CS.27 2016-2017: the report says Complete, but 84.6 against a target of 85.0 (higher is better) "
        "misses it",
    ),
    (
        "proportion",
        "Warning",
        "quarters against the year (percentage of the period's cases)",
        OBS + "complaints/escalated/2016-2017",
        "the quarters show Q1 0%, Q2 66.67 %, Q3 100%, Q4 50% (line 12), but the year's figure is 0%",
    ),
    (
        "unrecognised-word",
        "Violation",
        "unrecognised word",
        "report/2016-2017/unrecognised-word/L12",
        'Line 12 of testshire-2016-17.txt: the status word "Off Traget" is not one the vocabulary knows',
    ),
    (
        "quarters-per-quarter",
        "Warning",
        "quarters against the year (counts per quarter)",
        OBS + "complaints/closed/2016-2017",
        "the quarters Q1 1 + Q2 7 + Q3 6 + Q4 6 add up to 20 (line 12), but the year's figure is 22",
    ),
    (
        "year-to-date",
        "Warning",
        "quarters against the year (year to date)",
        OBS + "complaints/received/2016-2017",
        "the year-to-date figures Q1 4, Q2 9, Q3 7, Q4 not given (line 12) and the year's 35 (line 12) fall",
    ),
    (
        "percentage-of-count",
        "Warning",
        "percentage against the count it is a share of",
        OBS + "complaints/escalated/Q2",
        "Percentage of complaints escalated and complete within 20 working days 2016-2017 Q2: "
        '66.67 % (line 12) is a share of at most 2 cases (line 14: "Number of escalated complaints"), '
        "but no whole number of cases out of at most 2 gives 66.67 %",
    ),
    (
        "count-over-period",
        "Warning",
        "quarters against the year (count over the period)",
        OBS + "complaints/referrals/2016-2017",
        "Q2 counts 266 (line 12), more than the year's 200 (line 12)",
    ),
    (
        "rank-quartile",
        "Warning",
        "rank against quartile",
        OBS + "CHN8b/2016-2017",
        "rank 24 and the bottom quartile (line 12), but with 32 councils in quartiles of 8 rank 24 is in",
    ),
    (
        "claim-arithmetic",
        "Violation",
        "claim arithmetic",
        "report/2016-2017/claim/L21-1",
        "line 21: from 56 to 64 is a change of 14.29, stated as 12.5%, but the claim records no disagreeing",
    ),
    (
        "extraction-problem",
        "Violation",
        "figures kept out of the graph",
        "report/2016-2017/problem/L14",
        "Line 14 of testshire-2016-17.txt: 4 cells where the PI table header (line 9) has 5",
    ),
    (
        "claim-disagrees",
        "Warning",
        "claim against the report",
        "report/2016-2017/claim/L20-1",
        "against the tables: line 20 states 4 of 6; its own figures gives 83.3%",
    ),
    (
        "action-progress",
        "Violation",
        "action progress",
        "report/2016-2017/action/CS.S.01.02",
        "between 0 and 100",
    ),
    ("action-title", "Violation", "action title", "report/2016-2017/action/CS.S.01.02", "exactly one title"),
    ("action-due-date", "Violation", "action due date", "report/2016-2017/action/CS.S.01.02", "one xsd:date"),
    (
        "action-status",
        "Violation",
        "status code list",
        "https://w3id.org/outcome-graph/def#Improving",
        "Used as a status (og:status) but not a concept of og:StatusScheme",
    ),
    ("action-code", "Violation", "action code", "report/2016-2017/action/CS.S.%2001.02", "no spaces"),
    ("lgbf-rank", "Violation", "LGBF rank", OBS + "CHN9/2016-2017", "from 1 to 32"),
    ("lgbf-quartile", "Violation", "LGBF quartile", OBS + "CHN9/2016-2017", "from 1 (Top) to 4 (Bottom)"),
    ("lgbf-code", "Violation", "LGBF code", "indicator/CHN%209", "national code, like CHN8a"),
    (
        "indicator-key",
        "Violation",
        "indicator key",
        "indicator/corporate/complaints-closed",
        "exactly one og:key",
    ),
    (
        "named-duty-within",
        "Violation",
        "a named statute or framework is placed in its hierarchy",
        "http://www.legislation.gov.uk/id/asp/2014/8/part/99",
        "not a statute, provision, framework or framework element of graph/reference/",
    ),
    (
        "service-pi-code",
        "Violation",
        "service-priority PI code",
        "indicator/CSPC.P.%201.2a",
        "without spaces",
    ),
    ("percentage", "Violation", "percentage 0-100", OBS + "CS.S.01.01b/2016-2017", "between 0 and 100"),
    (
        "percentage-bound",
        "Violation",
        "percentage within the indicator's bound",
        "indicator/CS.S.01.01b",
        "400.0% is above the 300.0% this indicator allows",
    ),
    (
        "observation-value",
        "Violation",
        "observation value",
        OBS + "CS.S.01.01b/2016-2017",
        "at most one figure",
    ),
    ("cell-without-figure", "Violation", "cell without a figure", OBS + "CS.S.01.01b/2016-2017", '"N/A"'),
    (
        "figure-in-data-set",
        "Violation",
        "figure in the data set",
        OBS + "CS.S.01.01b/2016-2017",
        "qb:Observation",
    ),
    (
        "observation-period",
        "Violation",
        "observation period",
        OBS + "CS.S.01.01b/2016",
        "government year or quarter",
    ),
    (
        "period-after-report",
        "Violation",
        "period within or before the report's year",
        OBS + "CS.S.01.01b/2018-2019",
        "CS.S.01.01b: a figure for 2018-2019 in the 2016-2017 report",
    ),
    (
        "record-evidence",
        "Violation",
        "record evidence",
        "report/2016-2017/risk/C.RR.01-24",
        "og:evidence excerpt",
    ),
    ("risk-score", "Violation", "risk score", "report/2016-2017/risk/C.RR.01-24", "from 1 to 25"),
    (
        "excerpt-within-report",
        "Violation",
        "excerpt within its report",
        "report/2016-2017/lines/250-250",
        "Lines 250-250 lie beyond the end of testshire-2016-17.txt (200 lines)",
    ),
    (
        "excerpt-lines",
        "Violation",
        "excerpt first line",
        "report/2016-2017/lines/20-18",
        "not after its last line",
    ),
    (
        "evidence-own-report",
        "Violation",
        "evidence from the record's own report",
        "report/2016-2017/risk/C.RR.01-24",
        "Cites lines 40-40 of the 2020-2021 report",
    ),
    (
        "continuity-records",
        "Violation",
        "continuity between the reports it names",
        "link/continues/C.RR.01-24",
        "the crosswalk row names a record of another report",
    ),
    (
        "curated-link-rationale",
        "Violation",
        "curated link has a rationale",
        "link/corporate-parenting",
        "rationale",
    ),
    (
        "text-link-evidence",
        "Violation",
        "text link has its excerpt",
        "link/corporate-parenting",
        "og:evidence",
    ),
    ("link-asserted", "Violation", "link is asserted", "link/ghost", "which is not in the graph"),
    (
        "feeder-feeds",
        "Violation",
        "feeder data feeds",
        "indicator/corporate/x/feeder/number-received",
        "og:feeds",
    ),
    (
        "status-vs-target",
        "Warning",
        "status against target",
        OBS + "BS.CS.26/2016-2017",
        "BS.CS.26 2016-2017: the report says Off Target, but 88.0 against a target of 88.0 "
        "(higher is better) meets it",
    ),
    (
        "status-vs-target-lower",
        "Warning",
        "status against target",
        OBS + "BS.CS.26/2016-2017",
        "the report says On Target, but 9.2 against a target of 8.5 (lower is better) misses it",
    ),
    (
        "feeder-arithmetic",
        "Warning",
        "feeder arithmetic",
        OBS + "corporate/invoices/2016-2017",
        "the report shows 94.0 but its feeder data give 95.7864 (100.0 × 2296.0 / 2397.0, allowing 0.5",
    ),
    (
        "feeder-arithmetic-days",
        "Warning",
        "feeder arithmetic",
        OBS + "corporate/sickness/2016-2017",
        "the report shows 7.41 but its feeder data give 7.4033 (1.0 × 1024.99 / 138.45, allowing 0.005",
    ),
    (
        "reported-actions",
        "Warning",
        "reported action totals",
        "report/2016-2017/total/actions.on_target_or_complete",
        "states 2.0 for actions.on_target_or_complete, but its action table shows 1",
    ),
    (
        "reported-pis",
        "Warning",
        "reported PI totals",
        "report/2016-2017/total/pis.on_target_or_complete",
        "states 2.0 for pis.on_target_or_complete, but its service-priority PI tables show 1",
    ),
    (
        "reported-risks",
        "Warning",
        "reported risk totals",
        "report/2016-2017/total/risks.medium",
        "states 1.0 for risks.medium, but its risk register shows 2 "
        "(risks in the 2016/17 register scored in the council's Medium band)",
    ),
    (
        "off-target-note",
        "Warning",
        "off target has a note",
        "report/2016-2017/action/CS.S.01.02",
        "CS.S.01.02 is Off Target but the report gives no note",
    ),
    (
        "off-target-note-observation",
        "Warning",
        "off target has a note",
        OBS + "CS.S.01.01b/2016-2017",
        "CS.S.01.01b 2016-2017 is Off Target",
    ),
    (
        "complete-progress",
        "Warning",
        "complete action at 100%",
        "report/2016-2017/action/CS.S.01.02",
        "CS.S.01.02 is Complete but its progress is 80.0%",
    ),
]


def test_the_base_graph_is_valid(vocabulary):
    summary = validate_graph(fixture_graph(vocabulary))
    assert summary.results == []
    assert summary.conforms


@pytest.mark.parametrize(("case", "severity", "rule", "focus", "words"), CASES, ids=[c[0] for c in CASES])
def test_failing_graph_gives_the_expected_result(vocabulary, case, severity, rule, focus, words):
    summary = validate_graph(fixture_graph(vocabulary, f"{case}.fail.ttl"))
    focus = focus if focus.startswith(("https:", "http:")) else TEST + focus
    found = [r for r in summary.results if r.rule == rule and r.focus == focus and words in r.message]
    assert found, f"{case}: no '{rule}' result on {focus}; got {[(r.rule, r.focus) for r in summary.results]}"
    assert found[0].severity == severity
    assert words in found[0].message, found[0].message
    # warnings alone never make a graph non-conformant
    assert summary.conforms is (severity != "Violation")


@pytest.mark.parametrize("case", [c[0] for c in CASES])
def test_passing_twin_gives_no_result(vocabulary, case):
    summary = validate_graph(fixture_graph(vocabulary, f"{case}.pass.ttl"))
    assert [(r.rule, r.focus, r.message) for r in summary.results] == []


def test_every_rule_shape_has_a_case():
    """Each business rule in shapes/rules/ is exercised above."""
    from rdflib.namespace import RDFS, SH

    from outcome_graph.validate import load_shapes

    shapes = load_shapes()
    rule_labels = set()
    for shape in shapes.subjects(SH.sparql, None):
        if str(shape).endswith(("Resolves", "Checkable")):
            continue  # informational notes, not findings
        rule_labels.add(str(shapes.value(shape, RDFS.label)))
    covered = {c[2] for c in CASES}
    assert rule_labels - covered == set()
