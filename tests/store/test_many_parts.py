"""A dataset of many named graphs on a real Virtuoso, as a national load leaves it (one graph per report,
320 for 32 councils x 10 years): every query names each graph twice (default-graph-uri, named-graph-uri)
and Virtuoso echoes each name as a response header, past http.client's limit of 100 headers."""

from __future__ import annotations

import urllib.parse

import pytest
from virtuoso import LOADER

from outcome_graph.store.gsp import put_graph
from outcome_graph.store.layout import catalogue, part_iri
from outcome_graph.store.remote import NO_NAMED_GRAPHS, RemoteStore
from outcome_graph.store.union import union_iri, union_triple

GRAPH = "https://w3id.org/outcome-graph/graph/many-parts-test"
PARTS = [f"council-{i:03d}/report/2020-2021" for i in range(80)]


@pytest.fixture
def many_parts(virtuoso_server):
    try:
        for i, part in enumerate(PARTS):
            data = (
                f'<urn:x:record-{i}> <urn:x:figure> "{i}" .\n'
                f"<urn:x:record-{i}> <urn:x:partOf> <urn:x:whole> .\n"
                f"<urn:x:record-{i}> <urn:x:within> <urn:x:whole> .\n"
                f"<urn:x:excerpt-{i}> <urn:x:mentions> <urn:x:record-{i}> .\n"
            ).encode()
            put_graph(virtuoso_server.graph_store, data, graph=part_iri(GRAPH, part), credentials=LOADER)
        listing = "".join(f"{line}\n" for line in catalogue(GRAPH, PARTS)).encode()
        put_graph(virtuoso_server.graph_store, listing, graph=GRAPH, credentials=LOADER)
        yield virtuoso_server
    finally:
        virtuoso_server.drop_graphs(GRAPH)


@pytest.mark.server
def test_a_dataset_of_many_named_graphs_answers_on_virtuoso(many_parts):
    store = RemoteStore(many_parts.endpoint, graph=GRAPH, timeout=60)
    assert len(store.parts()) == len(PARTS)
    rows = store.select("SELECT ?o WHERE { ?s <urn:x:figure> ?o }").rows
    assert sorted(int(r["o"]) for r in rows) == list(range(len(PARTS)))
    assert store.triple_count() == 4 * len(PARTS) + len(catalogue(GRAPH, PARTS))


@pytest.mark.server
@pytest.mark.xfail(
    strict=True,
    reason="Virtuoso 7.2 (07.20.3229) joins a property path (og:partOf*, og:partOf+) with one graph's rows "
    "only when a request names many default graphs (5 parts: every row; 40, 80 or 300: one row), "
    "so `mentions` and `unimplemented-provisions` answered 0 rows on the national load (BENCHMARKS.md); "
    "the saved queries ask og:within (the closure, written by the build) instead; kept to show the "
    "server's bug: an XPASS says the server got it right",
)
def test_a_property_path_reads_every_named_graph_on_virtuoso(many_parts):
    store = RemoteStore(many_parts.endpoint, graph=GRAPH, timeout=60)
    # queries/mentions.rq's shape: what mentions anything that is part of the whole
    plain = "SELECT ?e WHERE { ?r <urn:x:partOf> <urn:x:whole> . ?e <urn:x:mentions> ?r }"
    assert len(store.select(plain).rows) == len(PARTS)
    assert len(store.select(plain.replace("partOf>", "partOf>*")).rows) == len(PARTS)


@pytest.mark.server
def test_the_closure_written_as_data_reads_every_named_graph_on_virtuoso(many_parts):
    """What the saved queries ask instead of og:partOf* (og:within, written by the build: one triple
    pattern, no property path) answers from every graph of a many-graph request."""
    store = RemoteStore(many_parts.endpoint, graph=GRAPH, timeout=60)
    query = "SELECT ?e WHERE { ?r <urn:x:within> <urn:x:whole> . ?e <urn:x:mentions> ?r }"
    assert len(store.select(query).rows) == len(PARTS)


def with_union(many_parts) -> RemoteStore:
    """The many-part dataset with its union graph and the catalogue's line naming it, as `load` writes
    them; a store reading it."""
    every = "".join(
        f"<urn:x:record-{i}> <urn:x:partOf> <urn:x:whole> .\n"
        f"<urn:x:excerpt-{i}> <urn:x:mentions> <urn:x:record-{i}> .\n"
        f'<urn:x:record-{i}> <urn:x:figure> "{i}" .\n<urn:x:record-{i}> <urn:x:within> <urn:x:whole> .\n'
        for i in range(len(PARTS))
    ).encode()
    listing = "".join(f"{line}\n" for line in [*catalogue(GRAPH, PARTS), union_triple(GRAPH)]).encode()
    put_graph(many_parts.graph_store, every + listing, graph=union_iri(GRAPH), credentials=LOADER)
    put_graph(many_parts.graph_store, listing, graph=GRAPH, credentials=LOADER)
    return RemoteStore(many_parts.endpoint, graph=GRAPH, timeout=60)


@pytest.mark.server
def test_with_the_union_named_a_property_path_reads_every_part_on_virtuoso(many_parts):
    """The same dataset with its union graph written as `load` writes it (store/union.py): a request then
    names one default graph, not one per part, and the property path the server got wrong over many
    default graphs (the xfail above) gives every part's row."""
    store = with_union(many_parts)
    assert [g for k, g in store._dataset(None) if k == "default-graph-uri"] == [union_iri(GRAPH)]
    assert len(store.parts()) == len(PARTS)
    path = "SELECT ?e WHERE { ?r <urn:x:partOf>* <urn:x:whole> . ?e <urn:x:mentions> ?r }"
    assert len(store.select(path).rows) == len(PARTS)
    assert store.triple_count() == 4 * len(PARTS) + len(catalogue(GRAPH, PARTS)) + 1


@pytest.mark.server
def test_only_a_query_with_a_graph_pattern_names_the_parts_on_virtuoso(many_parts):
    """Named graphs are read by GRAPH patterns only: a query without one is sent with the union as its
    default graph and the empty named graph, whatever the number of parts (naming each of the 1,538 parts
    cost Virtuoso 0.45 s a request at 10 M triples, BENCHMARKS.md "Virtuoso at about 10 M triples"); a
    query with one, in any case and at any depth, is still given every part, and reads each."""
    store = with_union(many_parts)
    sent: list[dict[str, list[str]]] = []
    real_open = store._opener.open

    def recording(request, *args, **kwargs):  # the real server answers; the form it was sent is kept
        sent.append(urllib.parse.parse_qs(request.data.decode()))
        return real_open(request, *args, **kwargs)

    store._opener.open = recording
    rows = store.select("SELECT ?o WHERE { ?s <urn:x:figure> ?o }").rows
    assert sorted(int(r["o"]) for r in rows) == list(range(len(PARTS)))
    assert sent[-1]["named-graph-uri"] == [NO_NAMED_GRAPHS]
    assert sent[-1]["default-graph-uri"] == [union_iri(GRAPH)]
    every_part = sorted(part_iri(GRAPH, p) for p in PARTS)
    for query in (
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s <urn:x:figure> ?o } }",
        "select distinct ?g where { { select ?g where { optional { graph ?g { ?s <urn:x:figure> ?o } } } } }",
    ):
        graphs = store.select(query).rows
        assert sorted(str(r["g"]) for r in graphs) == every_part
        assert sorted(sent[-1]["named-graph-uri"]) == every_part
