"""The trace engine on the real reports: down from duties and priorities, up from evidence, across years."""

from __future__ import annotations

import pytest

from outcome_graph.trace import engine
from outcome_graph.trace.engine import TraceError, down, resolve, up

ACT = "http://www.legislation.gov.uk/id/asp/2014/8"
OGR = "https://w3id.org/outcome-graph/id/midlothian/"
REPORT_2016 = "2016-2017"
REPORT_2020 = "2020-2021"


def by_code(t, kind):
    return {t.graph.nodes[n].get("code"): n for n in t.nodes_of(kind)}


def annual(t, indicator, year):
    for o in t.graph.successors(indicator):
        d = t.graph.nodes[o]
        if d.get("kind") == "Observation" and d.get("period") == year and year in d.get("reports", []):
            return d | {"iri": o}
    raise AssertionError(f"no {year} observation of {indicator}")


def excerpt_of(t, n):
    [e] = [m for m in t.graph.successors(n) if t.graph.nodes[m].get("kind") == "Excerpt"]
    return t.graph.nodes[e]


def test_the_2014_act_is_found_by_its_short_name_and_reaches_the_named_person_indicators(tg):
    assert resolve(tg, "2014 Act") == ACT
    t = down(tg, ACT)
    actions = by_code(t, "Action")
    assert "CS.S.01.02" in actions
    # the action's link to Part 4 rests on its own words (line 104 of the 2016/17 report)
    part4 = ACT + "/part/4"
    edge = t.graph.edges[part4, actions["CS.S.01.02"]]
    assert edge["rel"] == "implements" and "ReportText" in edge["basis"]
    assert [tg.node(e)["first"] for e in edge["evidence"]] == [104]
    indicators = by_code(t, "Indicator")
    for letter, line in zip("abcd", (130, 131, 132, 133), strict=True):
        ind = indicators[f"CS.S.01.02{letter}"]
        assert t.graph.edges[actions["CS.S.01.02"], ind]["basis"] == "CodeStructure"
        obs = annual(t, ind, REPORT_2016)
        assert (obs["value"], obs["unit"], obs["target"], obs["status"]) == (
            "100",
            "Percent",
            "100",
            "OnTarget",
        )
        ex = excerpt_of(t, obs["iri"])
        assert (ex["first"], ex["last"], ex["reports"]) == (line, line, [REPORT_2016])
        assert ex["text"].startswith(f"CS.S.01.02{letter}\t")
        assert "Named Person legislation rollout has been delayed until 2018" in obs["note"]


def test_priority_02_of_2020_21_reaches_safe_and_together(tg):
    with pytest.raises(TraceError, match=r"matches 2 nodes \(add --report YEAR\).*2016-2017.*2020-2021"):
        resolve(tg, "02")
    prio = resolve(tg, "02", REPORT_2020)
    assert prio == OGR + "report/2020-2021/priority/02"
    t = down(tg, prio)
    actions = by_code(t, "Action")
    assert set(actions) == {"CSPC.P.2.1", "CSPC.P.2.2"}
    a = t.graph.nodes[actions["CSPC.P.2.1"]]
    assert (a["progress"], a["status"], a["due"]) == ("80", "OffTarget", "2021-03-31")
    assert excerpt_of(t, actions["CSPC.P.2.1"])["first"] == 269
    assert set(by_code(t, "Indicator")) == {
        "CSPC.P.2.1a",
        "CSPC.P.2.1b",
        "CSPC.P.2.1c",
        "CSPC.P.2.1d",
        "CSPC.P.2.2a",
    }
    staff = annual(t, by_code(t, "Indicator")["CSPC.P.2.1a"], REPORT_2020)
    assert (staff["value"], staff["status"]) == ("19", "DataOnly")
    assert staff["note"] == "20/21: Data Only Includes 14 in process of completing"
    assert excerpt_of(t, staff["iri"])["first"] == 349
    # nothing of the 2016/17 report hangs under a 2020/21 priority
    assert all(REPORT_2016 not in d.get("reports", []) for _, d in t.graph.nodes(data=True))


def test_every_edge_of_a_trace_says_its_basis(tg):
    t = down(tg, ACT)
    bases = {d["basis"] for _, _, d in t.graph.edges(data=True)}
    assert bases <= {"ReportText", "CodeStructure", "Curation", "Reference", "Curation+ReportText"}
    curated = [d for _, _, d in t.graph.edges(data=True) if "Curation" in d["basis"]]
    assert curated and all(d["rationale"] for d in curated)


def test_report_filter_keeps_one_years_records(tg):
    t = down(tg, ACT, REPORT_2016)
    assert "CS.S.01.02" in by_code(t, "Action")
    assert "CSPC.P.1.2" not in by_code(t, "Action")
    assert "CSPC.P.1.2" in by_code(down(tg, ACT), "Action")


def test_up_from_an_observation_reaches_the_priority_and_the_duty(tg):
    obs = OGR + "report/2016-2017/observation/CS.S.01.02a/2016-2017"
    t = up(tg, obs)
    nodes = set(t.graph)
    assert {
        ACT,
        ACT + "/part/4",
        OGR + "report/2016-2017/priority/01",
        OGR + "report/2016-2017/action/CS.S.01.02",
    } <= nodes
    assert OGR + "indicator/CS.S.01.02a" in nodes
    assert not any(tg.kind(n) == "Observation" and n != obs for n in nodes)


def test_up_from_an_excerpt_reaches_what_its_lines_evidence(tg):
    line_269 = OGR + "report/2020-2021/lines/269-269"
    t = up(tg, line_269)
    assert OGR + "report/2020-2021/action/CSPC.P.2.1" in t.graph
    assert OGR + "report/2020-2021/priority/02" in t.graph
    duties = {n for n in t.graph if engine.is_duty(tg, n)}
    assert duties, "the Safe & Together action is curated as implementing child-protection duties"
    for d in duties:
        for _, m, data in t.graph.out_edges(d, data=True):
            if m == OGR + "report/2020-2021/action/CSPC.P.2.1":
                assert data["basis"] == "Curation" and data["rationale"]


def test_across_years_shows_one_indicator_restated(tg):
    chn8a = resolve(tg, "CHN8a")
    assert resolve(tg, "CHN08a") == chn8a  # the curated same-indicator code
    a = engine.across(tg, chn8a)
    assert a["reports"] == [REPORT_2016, REPORT_2020]
    [ind] = a["indicators"]
    in_2016 = {o["period"]: o for o in ind["by_report"][REPORT_2016]}
    in_2020 = {o["period"]: o for o in ind["by_report"][REPORT_2020]}
    assert in_2016["2015-2016"]["value"] == "2951.54" and in_2016["2015-2016"]["unit"] == "GBP"
    assert in_2020["2015-2016"]["value"] == "3225.8"
    assert in_2020["2015-2016"]["evidence"][0]["first_line"] == 450
    assert ind["in_every_report"] and a["shared_indicators"] == ["CHN8a"]


def test_a_risk_is_traced_through_what_it_relates_to(tg):
    risk = resolve(tg, "C.RR.01-23")
    t = down(tg, risk)
    assert t.notes
    assert ACT + "/part/10" in t.graph
    assert "CSPC.P.1.2" in by_code(t, "Action")


def test_unknown_and_malformed_references_say_what_to_do(tg):
    with pytest.raises(
        TraceError, match="no statute, provision, priority, action, indicator or risk matches"
    ):
        resolve(tg, "ZZ.99.99")
    with pytest.raises(TraceError, match="is not a node of the graph"):
        resolve(tg, "https://example.org/nothing")
    with pytest.raises(TraceError, match="not a report year"):
        engine.normalise_year("last year")
    assert engine.normalise_year("2020/21") == engine.normalise_year("2020") == REPORT_2020


def test_search_finds_by_title_words(tg):
    hits = resolve(tg, "Safe together model")
    assert hits == OGR + "report/2020-2021/action/CSPC.P.2.1"
    found = engine.search(tg, "named person")
    assert ACT + "/part/4" in found and OGR + "report/2016-2017/action/CS.S.01.02" in found
