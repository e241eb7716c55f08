"""A trace as GraphML, for any record: a record that has a label of its own (a risk's provisions, a
framework element) keeps it as record_label beside the line a viewer shows as label (the two collided,
and every such trace's GraphML was a 500)."""

from __future__ import annotations

import io

import networkx as nx

from outcome_graph.trace import engine, render
from outcome_graph.trace.source import load

RISK = "https://w3id.org/outcome-graph/id/midlothian/report/2020-2021/risk/C.RR.01-09"


def test_a_trace_of_records_with_their_own_label_is_graphml_with_both(built_store):
    tg = load(built_store)
    t = engine.trace(tg, RISK, "up", None)
    labelled = {n: d["label"] for n, d in t.graph.nodes(data=True) if d.get("label")}
    assert labelled, "the risk's trace up holds no record with a label of its own: the test shows nothing"
    g = nx.read_graphml(io.BytesIO(render.to_graphml(t)))
    assert set(g.nodes) == set(t.graph.nodes)
    for n, own in labelled.items():
        assert g.nodes[n]["record_label"] == str(own)
        assert g.nodes[n]["label"] == render.node_line(t.graph.nodes[n])[:120]
