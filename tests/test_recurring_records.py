"""A council carries actions and risk-register entries over from one year's report to the next under the
same codes. Each report's action (risk) is a record of its own, with that report's progress, status and
score: actions and risks are minted per report (ogr:{council}/report/{year}/action/{code}), while an
indicator stays one across reports.

The 2020/21 report is built together with a copy of itself published a year later (2021/22: the same
records, every report id, period and date moved by a year, as benchmarks/synthetic.py re-keys them)."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import RDF

from outcome_graph.build import build_from_extractions
from outcome_graph.extract import extract_report
from outcome_graph.namespaces import OG, OGR
from outcome_graph.paths import REPORTS_DIR
from outcome_graph.validate import validate_graph

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from synthetic import rekey  # noqa: E402

R20 = OGR["midlothian/report/2020-2021"]
R21 = OGR["midlothian/report/2021-2022"]
UNCRC_19 = URIRef("https://w3id.org/outcome-graph/id/framework/uncrc/article/19")
ACT_2014 = URIRef("http://www.legislation.gov.uk/id/asp/2014/8")


@cache
def built():
    real = extract_report(REPORTS_DIR / "midlothian-cspc-2020-21.txt")
    later = rekey(real, "midlothian", 1)
    assert later.report.id == "2021-2022" and later.report.council == "midlothian"
    return build_from_extractions([real, later]).graph


def records(cls: URIRef, code: str) -> list[URIRef]:
    g = built()
    return sorted(
        s for s in g.subjects(OG.code, None) if (s, RDF.type, cls) in g and str(g.value(s, OG.code)) == code
    )


def test_a_recurring_action_is_one_action_per_report():
    g = built()
    actions = records(OG.Action, "CSPC.P.2.1")
    assert actions == [
        OGR["midlothian/report/2020-2021/action/CSPC.P.2.1"],
        OGR["midlothian/report/2021-2022/action/CSPC.P.2.1"],
    ]
    for action, report in zip(actions, (R20, R21), strict=True):
        for prop in (OG.progress, OG.status, OG.report, OG.evidence):
            assert len(set(g.objects(action, prop))) == 1, (action, prop)
        assert g.value(action, OG.report) == report
        assert g.value(g.value(action, OG.evidence), OG.report) == report
        assert g.value(g.value(action, OG.priority), OG.report) == report


def test_a_recurring_risk_is_one_risk_per_report():
    g = built()
    risks = records(OG.Risk, "C.RR.01-23")
    assert risks == [
        OGR["midlothian/report/2020-2021/risk/C.RR.01-23"],
        OGR["midlothian/report/2021-2022/risk/C.RR.01-23"],
    ]
    for risk, report in zip(risks, (R20, R21), strict=True):
        for prop in (OG.score, OG.report, OG.evidence, OG.title):
            assert len(set(g.objects(risk, prop))) == 1, (risk, prop)
        assert g.value(risk, OG.report) == report


def test_an_uncoded_action_is_keyed_by_its_line_in_each_report():
    g = built()
    for report in ("2020-2021", "2021-2022"):
        action = OGR[f"midlothian/report/{report}/action/L318"]
        assert (action, RDF.type, OG.Action) in g
        assert g.value(action, OG.code) is None


def test_an_indicator_stays_one_and_measures_each_reports_action_with_that_reports_excerpt():
    g = built()
    ind = OGR["midlothian/indicator/CSPC.P.2.1a"]
    assert set(g.objects(ind, OG.report)) == {R20, R21}
    actions = records(OG.Action, "CSPC.P.2.1")
    assert set(g.objects(ind, OG.action)) == set(actions)
    for action in actions:
        (link,) = [
            link
            for link in g.subjects(RDF.subject, ind)
            if g.value(link, RDF.predicate) == OG.action and g.value(link, RDF.object) == action
        ]
        assert g.value(link, OG.basis) == OG.CodeStructure
        (evidence,) = g.objects(link, OG.evidence)
        assert g.value(evidence, OG.report) == g.value(action, OG.report)


def test_curated_links_hold_for_each_years_record_each_with_its_own_link_node():
    g = built()
    links = set()
    for action in records(OG.Action, "CSPC.P.2.1"):
        assert (action, OG.implements, UNCRC_19) in g
        (link,) = [
            link
            for link in g.subjects(RDF.subject, action)
            if g.value(link, RDF.predicate) == OG.implements and g.value(link, RDF.object) == UNCRC_19
        ]
        assert g.value(link, OG.basis) == OG.Curation and g.value(link, OG.rationale) is not None
        links.add(link)
    assert len(links) == 2
    risk20, risk21 = records(OG.Risk, "C.RR.01-23")
    assert (risk20, OG.relatesTo, ACT_2014) in g and (risk21, OG.relatesTo, ACT_2014) in g
    # a curated link to a priority (priorities are per report) holds for that report's risk only
    prio = OGR["midlothian/report/2020-2021/priority/01"]
    assert (risk20, OG.relatesTo, prio) in g
    assert (risk21, OG.relatesTo, prio) not in g


def test_no_violation_about_the_recurring_action_or_risk():
    summary = validate_graph(built())
    about = {str(s) for s in records(OG.Action, "CSPC.P.2.1") + records(OG.Risk, "C.RR.01-23")}
    assert len(about) == 4
    assert summary.violations == 0
    assert [
        (r.rule, r.focus, r.message)
        for r in summary.results
        if r.severity == "Violation" and r.focus in about
    ] == []
