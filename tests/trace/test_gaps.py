"""Gap analysis on the real reports: each gap names its record and source line."""

from __future__ import annotations

import pytest

from outcome_graph.trace import gaps as G
from outcome_graph.trace.source import load
from outcome_graph.trace.store import MemoryStore

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
    assert g.detail == "2016-2017: 80% against target 100%, Off Target"  # line 121: "80%", target "100%"
    # off-target indicators that an action measures are not gaps
    assert not any(code and code.startswith("CS.S.") for code in (x.code for x in off.values()))


def test_duties_without_implementing_actions(found, tg):
    act = "http://www.legislation.gov.uk/id/asp/2014/8"
    by_year = {
        year: {g.record: g for g in found if g.kind == "duty-without-action" and g.report == year}
        for year in ("2016-2017", "2020-2021")
    }
    for year, duty in by_year.items():
        assert act + "/part/1" in duty and act + "/part/18" in duty
        assert act + "/part/9" not in duty
        # a Part is a gap of a report exactly when it is in force and no action of that report implements
        # it or a section; Parts 4 and 5 were never commenced (graph/reference/statutes.ttl)
        never = {g.record for g in G.not_gaps(tg, year)}
        assert never == {act + "/part/4", act + "/part/5"}, year
        for part in G.duty_parts(tg):
            acts = [a for a in G.implementing_actions(tg, part) if year in tg.node(a).get("reports", [])]
            assert (part in duty) == (not acts and part not in never), (year, part)
        promise = [n for n in duty if "/the-promise/foundation/" in n]
        assert promise
    # no 2020/21 action implements the Named Person provision (Part 4), and that is no gap: never commenced
    assert act + "/part/4" not in by_year["2020-2021"] and act + "/part/5" not in by_year["2020-2021"]
    assert "no action of the 2020-2021 report implements it" in by_year["2020-2021"][act + "/part/6"].detail
    # Part 11 (continuing care) has no action in 2020/21, and the gap says the risk register relates to it
    cc = by_year["2020-2021"][act + "/part/11"].detail
    assert "its risk register relates to it: C.RR.01-23 (2020-2021 line 436)" in cc
    assert (
        "https://w3id.org/outcome-graph/id/framework/the-promise/foundation/voice" not in by_year["2020-2021"]
    )


def test_indicators_without_a_value_in_their_year_quote_what_the_report_says(found):
    gaps = [g for g in found if g.kind == "no-value-in-year" and g.code == "CS.S.03.02c"]
    [g] = gaps
    assert g.lines == "2016-2017 line 150" and "the report says: N/A" in g.detail


def test_a_record_without_evidence_is_found(found, graph_ntriples):
    assert not of(found, "record-without-evidence")
    # the same graph without the excerpt of one action: the count's query finds it, and only it
    action = OGR + "report/2020-2021/action/CSPC.P.2.1"
    lines = graph_ntriples.decode().splitlines()
    kept = [x for x in lines if not x.startswith(f"<{action}> <https://w3id.org/outcome-graph/def#evidence>")]
    assert len(kept) < len(lines)
    broken = load(MemoryStore(("\n".join(kept) + "\n").encode(), name="memory:no-evidence"))
    assert [(x.record, x.report) for x in G.record_without_evidence(broken)] == [(action, "2020-2021")]


def test_a_priority_without_indicator_lists_its_actions(found):
    [g] = of(found, "priority-without-indicator").values()
    assert g.detail.startswith("no indicator; its actions: ")


def test_gap_output_formats(found):
    text = G.gaps_text(found)
    assert "Totals the report states that disagree with its records: " in text
    assert (
        "actions.on_target_or_complete [2020-2021 line 208]: the report says 18; the records give 17" in text
    )
    d = G.gaps_dict(found)
    assert d["counts"]["total-disagrees"] == len(of(found, "total-disagrees"))


def test_never_commenced_parts_are_said_not_to_be_gaps(found, tg):
    """Text and JSON list Parts 4 and 5 apart from the gaps, saying why, for each report."""
    excluded = G.not_gaps(tg, "2020-2021")
    assert [(g.code, g.title) for g in excluded] == [
        ("Part 4", "Provision of named persons"),
        ("Part 5", "Child's plan"),
    ]
    text = G.gaps_text(found, None, excluded)
    assert "Not gaps. Parts of the 2014 Act never commenced (not a council's gap): 2" in text
    assert "  Part 4 Provision of named persons [2020-2021]: never commenced: binds no council" in text
    d = G.gaps_dict(found, None, excluded)
    assert [x["code"] for x in d["not_gaps"]["items"]] == ["Part 4", "Part 5"]
    assert not any(g.kind == "duty-without-action" and g.code in ("Part 4", "Part 5") for g in found)
    assert set(d["kinds"]) == set(G.GAP_KINDS)
