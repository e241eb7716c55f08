"""The same trace, gaps and audit from a real Oxigraph server (SPARQL protocol, remote store) as from the
embedded store: the structure comes from the same scoped queries whichever store answers them."""

from __future__ import annotations

import pytest

from outcome_graph.cli import main
from outcome_graph.trace import engine
from outcome_graph.trace.audit import build_audit
from outcome_graph.trace.gaps import find_gaps
from outcome_graph.trace.source import load

pytestmark = pytest.mark.server


def test_remote_store_gives_the_same_trace_graph(tg, remote_store):
    remote = load(remote_store)
    assert remote is not tg
    assert set(remote.g.nodes) == set(tg.g.nodes)
    assert set(remote.g.edges) == set(tg.g.edges)
    for u, v, d in tg.g.edges(data=True):
        assert remote.g.edges[u, v]["basis"] == d["basis"]
    assert remote.counts == tg.counts
    prio = engine.resolve(remote, "02", "2020-2021")
    assert set(engine.down(remote, prio).graph) == set(engine.down(tg, prio).graph)
    assert [g.to_dict() for g in find_gaps(remote)] == [g.to_dict() for g in find_gaps(tg)]
    assert build_audit(remote, "2020-2021")["summary"] == build_audit(tg, "2020-2021")["summary"]


def test_cli_over_an_endpoint(capsys, oxigraph_server):
    assert main(["trace", "CS.S.01.02a", "--up", "--endpoint", oxigraph_server]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "up trace of Indicator CS.S.01.02a Establish a named person service "
        "<https://w3id.org/outcome-graph/id/midlothian/indicator/CS.S.01.02a>"
    )
    assert "Provision Part 4 Provision of named persons" in out
