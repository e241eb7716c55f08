"""Gap analysis on the real reports: each gap names its record and source line."""

from __future__ import annotations

import networkx as nx
import pytest

from outcome_graph.trace import gaps as G
from outcome_graph.trace.graph import TraceGraph

OGR = "https://w3id.org/outcome-graph/id/midlothian/"


@pytest.fixture(scope="module")
def found(tg):
    return G.find_gaps(tg)


def of(found, kind):
    return {g.record: g for g in found if g.kind == kind}


def test_reported_actions_on_target_disagree_with_the_action_table(found):
    gaps = of(found, "total-disagrees")
    g = gaps[OGR + "report/2020-2021/total/actions.on_target_or_complete"]
    assert g.lines == "2020-2021 line 208"
    assert g.detail.startswith("the report says 18; the records give 17")
    # the stated totals that do agree are not gaps: 23 actions in 2020/21, 10 in 2016/17
    assert OGR + "report/2020-2021/total/actions.total" not in gaps
    assert OGR + "report/2016-2017/total/actions.total" not in gaps


def test_priority_and_actions_without_indicators(found):
    prio = of(found, "priority-without-indicator")
    assert list(prio) == [OGR + "report/2020-2021/priority/10"]
    assert prio[OGR + "report/2020-2021/priority/10"].lines == "2020-2021 line 315"
    actions = of(found, "action-without-indicator")
    assert actions[OGR + "report/2020-2021/action/CSPC.P.3.2"].lines == "2020-2021 line 279"
    assert OGR + "report/2020-2021/action/CSPC.P.2.1" not in actions


def test_off_target_indicators_with_no_action(found):
    off = of(found, "off-target-unaddressed")
    g = off[OGR + "indicator/BS.CS.LPI.04"]
    assert g.report == "2016-2017" and g.lines == "2016-2017 line 121"
    assert g.detail == "2016-2017: 80 against target 100, Off Target"
    # off-target indicators that an action measures are not gaps
    assert not any(code and code.startswith("CS.S.") for code in (x.code for x in off.values()))


def test_duties_without_implementing_actions(found, tg):
    duty = of(found, "duty-without-action")
    act = "http://www.legislation.gov.uk/id/asp/2014/8"
    assert act + "/part/1" in duty and act + "/part/18" in duty
    assert act + "/part/4" not in duty  # CS.S.01.02 implements the Named Person provision
    assert act + "/part/9" not in duty
    promise = [n for n in duty if "/the-promise/foundation/" in n]
    assert promise and all(not G.implementing_actions(tg, n) for n in promise)
    assert "https://w3id.org/outcome-graph/id/framework/the-promise/foundation/voice" not in duty


def test_indicators_without_a_value_in_their_year_quote_what_the_report_says(found):
    gaps = [g for g in found if g.kind == "no-value-in-year" and g.code == "CS.S.03.02c"]
    [g] = gaps
    assert g.lines == "2016-2017 line 150" and "the report says: N/A" in g.detail


def test_a_record_without_evidence_is_found(tg, found):
    assert not of(found, "record-without-evidence")
    g = nx.DiGraph(tg.g)
    action = OGR + "report/2020-2021/action/CSPC.P.2.1"
    g.remove_edges_from(
        [(action, m) for m in list(g.successors(action)) if g.edges[action, m]["rel"] == "evidence"]
    )
    broken = G.record_without_evidence(TraceGraph(g))
    assert [x.record for x in broken] == [action]


def test_gap_output_formats(found):
    text = G.gaps_text(found)
    assert "Totals the report states that disagree with its records: " in text
    assert (
        "actions.on_target_or_complete [2020-2021 line 208]: the report says 18; the records give 17" in text
    )
    d = G.gaps_dict(found)
    assert d["counts"]["total-disagrees"] == len(of(found, "total-disagrees"))
    assert set(d["kinds"]) == set(G.GAP_KINDS)
