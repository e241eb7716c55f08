"""SHACL-SPARQL targets are answered by an Oxigraph copy of the report graph (validate/targets.py), not by
rdflib's evaluator: every target in shapes/ must find exactly the focus nodes rdflib finds, on the real
reports and on the mutations of test_same_results (which trip the targets that find nothing on a sound
report), and a validation copies the graph once, whatever the number of targets."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH

import outcome_graph.validate.engine as engine
from outcome_graph.build import build_from_extractions
from outcome_graph.extract import extract_report
from outcome_graph.validate import validate_graph
from outcome_graph.validate.shapes import load_shapes
from outcome_graph.validate.targets import _to_rdflib, oxigraph_copy, select_on

from .test_same_results import variants

EX = Namespace("https://example.org/")


def _targets(shapes: Graph) -> list[tuple[str, str]]:
    prefixes = "".join(f"PREFIX {p}: <{n}>\n" for p, n in sorted(shapes.namespace_manager.namespaces()) if p)
    found = []
    for target in shapes.subjects(RDF.type, SH.SPARQLTarget):
        for text in shapes.objects(target, SH.select):
            shape = next(shapes.subjects(SH.target, target))
            found.append((str(shape), prefixes + str(text)))
    return sorted(found)


@pytest.fixture(scope="module")
def graphs(tmp_path_factory) -> dict[str, Graph]:
    folder = tmp_path_factory.mktemp("variants")
    return {name: build_from_extractions([extract_report(path)]).graph for name, path in variants(folder)}


def test_every_target_finds_what_rdflib_finds(graphs):
    targets = _targets(load_shapes())
    assert len(targets) >= 25  # the shapes' targets are all here, not a parse that found none
    total = 0
    for name, graph in graphs.items():
        copy = oxigraph_copy(graph)
        for shape, text in targets:
            expected = {row[0] for row in graph.query(text)}
            got = {row["this"] for row in select_on(copy, text)}
            assert got == expected, (
                f"{name}: {shape}: Oxigraph {len(got)} focus nodes, rdflib {len(expected)}"
            )
            total += len(got)
    assert total > 1000  # the comparison is over real focus nodes


@pytest.mark.parametrize("label", ["n1", "nodeID://b10006", "_:x y", "é", "n41", "abc123"])
def test_the_copy_keeps_every_term(label):
    """Any blank node label comes back as the same BNode: a report's graph read from Virtuoso has labels
    like nodeID://b10006, which Oxigraph does not accept as they are (the audit's validation was a 500)."""
    g = Graph()
    b = BNode(label)
    g.add((b, EX.p, Literal("6", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer"))))
    g.add((b, EX.q, Literal("six", lang="en")))
    g.add((EX.a, EX.r, Literal("plain")))
    g.add((EX.a, EX.s, b))
    copy = oxigraph_copy(g)
    assert len(copy) == 4
    rows = list(select_on(copy, "SELECT ?this ?v WHERE { ?this ?p ?v . FILTER (?v = 6) }"))
    assert [(r["this"], r["v"]) for r in rows] == [
        (b, Literal("6", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer")))
    ]
    back = Graph()
    for q in copy:
        back.add(tuple(_to_rdflib(t) for t in (q.subject, q.predicate, q.object)))
    assert set(back) == set(g)


def test_a_target_that_is_not_a_select_is_refused_by_name():
    copy = oxigraph_copy(Graph())
    with pytest.raises(ValueError, match="must be a SELECT query: ASK"):
        select_on(copy, "ASK { ?s ?p ?o }")


def test_one_copy_per_validation(graphs, monkeypatch):
    made = []

    def counting(graph):
        made.append(len(graph))
        return oxigraph_copy(graph)

    monkeypatch.setattr(engine, "oxigraph_copy", counting)
    graph = graphs["midlothian-cspc-2020-21.txt"]
    validate_graph(graph)
    assert made == [len(graph)]
    assert isinstance(oxigraph_copy(graph), ox.Store)
