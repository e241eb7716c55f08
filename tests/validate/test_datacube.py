"""W3C RDF Data Cube well-formedness (section 11, IC-1 to IC-21) of the real graph's data sets, after the
recommendation's normalization (section 10). The ASK queries are in tests/validate/datacube/; each is true
when its constraint is violated. Run in Oxigraph (pyoxigraph), where IC-12's pairwise comparison is fast.
Each check is also shown to fail on a graph broken in the way it guards against."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from outcome_graph.namespaces import OG, QB

HERE = Path(__file__).parent / "datacube"
IC_FILES = sorted(HERE.glob("ic-*.rq"))
TEMPLATES = sorted(HERE.glob("ic-*.rq.template"))
_PFX = "PREFIX qb: <http://purl.org/linked-data/cube#> PREFIX owl: <http://www.w3.org/2002/07/owl#> "
PARENT_CHILD = {  # the parent-child properties each hierarchy template is instantiated for
    "ic-20": _PFX + "SELECT DISTINCT ?p WHERE { ?l a qb:HierarchicalCodeList ; qb:parentChildProperty ?p . "
    "FILTER(isIRI(?p)) }",
    "ic-21": _PFX + "SELECT DISTINCT ?p WHERE { ?l a qb:HierarchicalCodeList ; "
    "qb:parentChildProperty [ owl:inverseOf ?p ] }",
}


def oxigraph_store(graph: Graph) -> ox.Store:
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    store.update((HERE / "normalize.ru").read_text(encoding="utf-8"))
    return store


def violated(store: ox.Store) -> list[str]:
    """The names of the integrity constraints the store's data violates."""
    out = [f.name for f in IC_FILES if store.query(f.read_text(encoding="utf-8"))]
    for template in TEMPLATES:
        name = template.name.split(".")[0]
        text = template.read_text(encoding="utf-8")
        for row in store.query(PARENT_CHILD[name]):
            if store.query(text.replace("PCP", f"<{row['p'].value}>")):
                out.append(name)
    return out


@pytest.fixture(scope="module")
def real_store(real_graph) -> ox.Store:
    return oxigraph_store(real_graph)


def test_all_twenty_one_constraints_are_checked():
    names = {f.name.split(".")[0] for f in IC_FILES} | {t.name.split(".")[0] for t in TEMPLATES}
    assert names == {f"ic-{n:02d}" for n in range(1, 22)}


def test_real_graph_satisfies_every_integrity_constraint(real_store):
    assert violated(real_store) == []


def test_the_real_data_sets_are_there_to_check(real_store):
    # Two reports, two data sets, each with its DSD; hundreds of qb:Observations with the measure.
    q = f"SELECT (COUNT(DISTINCT ?d) AS ?n) (COUNT(?o) AS ?obs) WHERE {{ ?o <{QB.dataSet}> ?d }}"
    [row] = list(real_store.query(q))
    assert int(row["n"].value) == 2
    assert int(row["obs"].value) > 250


def _first_observation(g: Graph) -> URIRef:
    return sorted(g.subjects(RDF.type, QB.Observation))[0]


def _copy(g: Graph) -> Graph:
    out = Graph()
    out += g
    return out


def test_a_missing_measure_violates_ic_14(real_graph):
    g = _copy(real_graph)
    g.remove((_first_observation(g), OG.value, None))
    assert "ic-14.rq" in violated(oxigraph_store(g))


def test_a_missing_dimension_violates_ic_11_and_a_missing_unit_ic_13(real_graph):
    g = _copy(real_graph)
    obs = _first_observation(g)
    g.remove((obs, OG.period, None))
    g.remove((obs, OG.unit, None))
    found = violated(oxigraph_store(g))
    assert "ic-11.rq" in found and "ic-13.rq" in found


def test_a_duplicate_observation_violates_ic_12(real_graph):
    g = _copy(real_graph)
    obs = _first_observation(g)
    twin = URIRef(str(obs) + "-twin")
    for p, o in list(g.predicate_objects(obs)):
        g.add((twin, p, o))
    assert "ic-12.rq" in violated(oxigraph_store(g))


def test_an_observation_in_two_data_sets_violates_ic_1(real_graph):
    g = _copy(real_graph)
    datasets = sorted(set(g.objects(None, QB.dataSet)))
    obs = next(o for o in g.subjects(QB.dataSet, datasets[0]))
    g.add((obs, QB.dataSet, datasets[1]))
    assert "ic-01.rq" in violated(oxigraph_store(g))


def test_a_code_outside_its_hierarchy_violates_ic_20():
    g = Graph().parse(
        data="""
        @prefix qb: <http://purl.org/linked-data/cube#> . @prefix ex: <http://example.org/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ex:dsd a qb:DataStructureDefinition ; qb:component [ qb:dimension ex:area ], [ qb:measure ex:v ] .
        ex:area a qb:DimensionProperty ; rdfs:range ex:Area ; qb:codeList ex:areas .
        ex:areas a qb:HierarchicalCodeList ; qb:hierarchyRoot ex:scotland ;
            qb:parentChildProperty ex:contains .
        ex:scotland ex:contains ex:midlothian .
        ex:ds a qb:DataSet ; qb:structure ex:dsd .
        ex:o1 qb:dataSet ex:ds ; ex:area ex:midlothian ; ex:v 1 .
        ex:o2 qb:dataSet ex:ds ; ex:area ex:atlantis ; ex:v 2 .
        """,
        format="turtle",
    )
    assert violated(oxigraph_store(g)) == ["ic-20"]
    g.remove((URIRef("http://example.org/o2"), None, None))
    g.add((URIRef("http://example.org/o3"), QB.dataSet, URIRef("http://example.org/ds")))
    g.add(
        (
            URIRef("http://example.org/o3"),
            URIRef("http://example.org/area"),
            URIRef("http://example.org/scotland"),
        )
    )
    g.add((URIRef("http://example.org/o3"), URIRef("http://example.org/v"), Literal(3)))
    assert violated(oxigraph_store(g)) == []
