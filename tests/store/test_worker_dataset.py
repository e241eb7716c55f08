"""The dataset a query worker gives the engine when the server names none: the union of the store's graphs,
every graph named for GRAPH, and the list of named graphs given only where it changes what is read.

Listing the store's named graphs on every query (1,539 of them at 10 M triples) made every query about
twice as slow, one without any GRAPH pattern too; the engine names every graph by default. The list still
overrides a FROM NAMED written in the text (so a query reads the graphs the server checked and no
others), and is given where the store holds a blank-node graph, which it leaves out."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from outcome_graph.store import query_worker

A, B, P = ox.NamedNode("urn:x:a"), ox.NamedNode("urn:x:b"), ox.NamedNode("urn:x:p")
G1, G2 = ox.NamedNode("urn:x:g1"), ox.NamedNode("urn:x:g2")


@pytest.fixture
def store(monkeypatch):
    """A store with two named graphs and the unnamed default graph, as the worker sees it at start."""
    s = ox.Store()
    s.add(ox.Quad(A, P, ox.Literal("1"), G1))
    s.add(ox.Quad(B, P, ox.Literal("2"), G2))
    s.add(ox.Quad(A, P, ox.Literal("0"), ox.DefaultGraph()))
    monkeypatch.setattr(query_worker, "_NAMED_GRAPHS", [G1, G2])
    monkeypatch.setattr(query_worker, "_ALL_GRAPHS_NAMED", [True])
    return s


def rows(store, text: str) -> list[tuple[str, ...]]:
    dataset = query_worker._dataset(store, {"query": text})
    return sorted(tuple(str(t) for t in r) for r in store.query(text, **dataset))


def test_a_query_without_from_is_given_the_union_and_no_list_of_graphs(store):
    text = "SELECT ?s WHERE { ?s ?p ?o }"
    assert query_worker._dataset(store, {"query": text}) == {"use_default_graph_as_union": True}
    assert rows(store, text) == [("<urn:x:a>",), ("<urn:x:a>",), ("<urn:x:b>",)]
    # every named graph is still named for GRAPH, and only those: the default graph is not one
    graphs = rows(store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert graphs == [("<urn:x:g1>",), ("<urn:x:g2>",)]


def test_a_from_named_in_the_text_is_overridden_by_the_list(store):
    text = "SELECT ?g ?s FROM NAMED <urn:x:g1> WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert query_worker._dataset(store, {"query": text})["named_graphs"] == [G1, G2]
    # the server's dataset, not the text's: both graphs, as every query without a dataset reads them
    assert rows(store, text) == [("<urn:x:g1>", "<urn:x:a>"), ("<urn:x:g2>", "<urn:x:b>")]


def test_a_store_with_a_blank_node_graph_keeps_the_list(store, monkeypatch):
    store.add(ox.Quad(B, P, ox.Literal("3"), ox.BlankNode("hidden")))
    monkeypatch.setattr(query_worker, "_ALL_GRAPHS_NAMED", [False])
    graphs = rows(store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert graphs == [("<urn:x:g1>",), ("<urn:x:g2>",)]


def test_through_a_worker_graph_patterns_and_from_named_read_the_store_s_named_graphs(tmp_path):
    """A real worker over a store on disk: GRAPH ?g reads every named graph, a FROM NAMED in the text
    does not narrow it (the dataset is the server's), and the default graph is their union."""
    from outcome_graph.sparql import check
    from outcome_graph.store.embedded import EmbeddedStore

    disk = ox.Store(str(tmp_path / "db"))
    disk.extend([ox.Quad(A, P, ox.Literal("1"), G1), ox.Quad(B, P, ox.Literal("2"), G2)])
    disk.flush()
    del disk
    store = EmbeddedStore(tmp_path / "db", workers=1, timeout=10)
    try:

        def select(text: str) -> list[str]:
            canonical = check.check_query(text).text
            return sorted(str(r["g"]) + str(r.get("s", "")) for r in store.select(canonical).rows)

        graphs = select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert graphs == ["urn:x:g1", "urn:x:g2"] and set(graphs) == store.graph_names()
        both = select("SELECT ?g ?s FROM NAMED <urn:x:g1> WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert both == ["urn:x:g1urn:x:a", "urn:x:g2urn:x:b"]
        assert select("SELECT (COUNT(*) AS ?g) WHERE { ?s ?p ?o }") == ["2"]
    finally:
        store.close()
