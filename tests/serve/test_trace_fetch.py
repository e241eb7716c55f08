"""A trace reads what it draws (issue 17): from the node asked for, step by step, never the council's whole
graph. Property: for every kind of start node of the real reports and every direction, with and without a
report, the trace read that way has the same nodes, links, bases, evidence and summaries as the trace over
the council's whole trace graph; and it reads fewer triples than the council holds. (On a graph of two
councils it shows nothing of the other: test_national_scoped.py.)"""

from __future__ import annotations

import pytest

from outcome_graph.query_layer import scope_of
from outcome_graph.trace import engine, neighbourhood, source

OGR = "https://w3id.org/outcome-graph/id/"
PART9 = "http://www.legislation.gov.uk/id/asp/2014/8/part/9"


@pytest.fixture(scope="module")
def whole(built_store):
    """The trace graph of the council's every report, as the trace was made before (trace/source.py)."""
    return source.load(built_store)


def starts(whole) -> list[str]:
    """Start nodes of every kind (the first few of each, in display order), and the Act's Part 9."""
    out = [PART9]
    for kind in (
        "Statute",
        "Provision",
        "FrameworkElement",
        "Priority",
        "Action",
        "Indicator",
        "Risk",
        "Observation",
        "Excerpt",
    ):
        nodes = sorted(whole.nodes_of(kind), key=lambda n: engine.sort_key(whole, n))
        out += nodes[:: max(1, len(nodes) // 3)][:3]
    return sorted(set(out))


def same(a: dict, b: dict) -> None:
    assert a["counts"] == b["counts"]
    assert [n["iri"] for n in a["nodes"]] == [n["iri"] for n in b["nodes"]]
    for x, y in zip(a["edges"], b["edges"], strict=True):
        assert x == y
    assert a == b


def test_every_kind_of_trace_read_step_by_step_is_the_trace_over_the_council(built_store, whole):
    checked = 0
    for root in starts(whole):
        for direction, report in (("down", None), ("up", None), ("across", None), ("down", "2020-2021")):
            if report and not engine._in_report(whole, root, report):
                continue
            years = [report] if report else None
            over = source.load(built_store, None, root, years) if years else whole
            expected = engine.trace_dict(over, engine.trace(over, root, direction, report))
            tg = neighbourhood.fetch(built_store, scope_of(built_store, None, root, years), root, direction)
            same(engine.trace_dict(tg, engine.trace(tg, root, direction, report)), expected)
            checked += 1
    assert checked >= 30


def test_a_trace_reads_fewer_triples_than_the_council_holds(built_store, whole, monkeypatch):
    read = []
    real = neighbourhood._read

    def counting(*args, **kwargs):
        rows = real(*args, **kwargs)
        read.append(len(rows))
        return rows

    monkeypatch.setattr(neighbourhood, "_read", counting)
    neighbourhood._TRACES.clear()
    action = f"{OGR}midlothian/report/2020-2021/action/CSPC.P.2.1"
    scope = scope_of(built_store, None, action, None)
    tg = neighbourhood.fetch(built_store, scope, action, "down")
    assert action in tg.g and sum(read) > 0
    council = len(source._scoped_rdf(built_store, scope))
    assert sum(read) * 10 < council, (sum(read), council)
