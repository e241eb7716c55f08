"""The saved query implementing-records on every store: embedded pyoxigraph, the Oxigraph server, Virtuoso.

The query's text was rewritten so that one text is right on Virtuoso 7.2 and fast on Oxigraph
(benchmarks/implementing_records.py measures the speed; nothing here is timed). Here it must give:
- for the 2014 Act's Part 9 (its default), the nine records the reports and graph/curated/links.csv
  name, each with the basis of its link (Virtuoso dropped every basis with the FILTER EXISTS form);
- for every provision or framework element the graph links to, and every whole it is part of, exactly
  the rows read straight off the triples by a walk in Python (rdflib) that follows the query's words:
  the provision's parts, the actions implementing them, the action itself and the indicators measuring
  it, each with the reified statement of its link (basis, rationale, evidence line), code and report year.
"""

from __future__ import annotations

from collections import Counter
from itertools import product

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from outcome_graph.saved_queries import load_queries, run_query
from outcome_graph.store.remote import RemoteStore

OG = Namespace("https://w3id.org/outcome-graph/def#")
PART_9 = "http://www.legislation.gov.uk/id/asp/2014/8/part/9"
Y16 = "http://reference.data.gov.uk/id/government-year/2016-2017"
Y20 = "http://reference.data.gov.uk/id/government-year/2020-2021"
VARS = ("kind", "code", "title", "reportYear", "implements", "basis", "rationale", "evidenceLine", "record")


@pytest.fixture(
    scope="module",
    params=[
        "embedded",
        pytest.param("oxigraph", marks=pytest.mark.server),
        pytest.param("virtuoso", marks=pytest.mark.server),
    ],
)
def store(request):
    if request.param == "embedded":
        return request.getfixturevalue("built_store")
    if request.param == "oxigraph":
        return request.getfixturevalue("remote_store")
    return RemoteStore(request.getfixturevalue("virtuoso_server").endpoint, timeout=30)


@pytest.fixture(scope="module")
def graph(graph_ntriples) -> Graph:
    return Graph().parse(data=graph_ntriples, format="nt")


def rows(store, provision: str | None = None) -> list[dict]:
    values = {"provision": provision} if provision else {}
    return run_query(store, load_queries()["implementing-records"], values, timeout=30).rows


def text(row: dict, name: str) -> str | None:
    return str(row[name]) if name in row else None


def test_part_9_gives_the_nine_records_the_reports_and_the_curation_name_with_their_basis(store):
    found = rows(store)  # the default: Part 9 of the 2014 Act (corporate parenting)
    got = Counter(
        (
            text(r, "kind"),
            text(r, "code"),
            text(r, "reportYear"),
            text(r, "basis").rsplit("#")[1],
            text(r, "evidenceLine"),
        )
        for r in found
    )
    assert got == Counter(
        {
            # 2016/17 line 106: "Implement the changes outlined in the Children & Young People (Scotland)
            # Act 2014 in relation to supporting care-experienced ..."; its two indicators, lines 138-139
            ("action", "CS.S.02.02", Y16, "ReportText", "106"): 1,
            ("indicator", "CS.S.02.02a", Y16, "ReportText", "106"): 1,
            ("indicator", "CS.S.02.02b", Y16, "ReportText", "106"): 1,
            # line 107: care-experienced young people and the champions board; its indicator, line 140
            ("action", "CS.S.02.03", Y16, "ReportText", "107"): 1,
            ("indicator", "CS.S.02.03a", Y16, "ReportText", "107"): 1,
            # 2020/21 lines 330-331 and their indicators 427-428: curated links (links.csv), no line
            ("action", "CSPC.P.11.5", Y20, "Curation", None): 1,
            ("indicator", "CSPC.P.11.5a", Y20, "Curation", None): 1,
            ("action", "CSPC.P.11.6", Y20, "Curation", None): 1,
            ("indicator", "CSPC.P.11.6a", Y20, "Curation", None): 1,
        }
    )
    assert {text(r, "implements") for r in found} == {PART_9}
    rationale = {text(r, "code"): text(r, "rationale") for r in found}
    assert "in transition from schools to post school living" in rationale["CSPC.P.11.5"]  # links.csv line 19
    assert "Part 9 of the 2014 Act" in rationale["CSPC.P.11.6a"]  # links.csv line 21, through its action
    assert rationale["CS.S.02.02"] is None  # the report's own words are the basis: nothing curated
    titles = {text(r, "code"): text(r, "title") for r in found}
    assert titles["CS.S.02.03a"].startswith("Attendance of Corporate Parents at Champions Board Meeting")


def walk(graph: Graph, provision: URIRef) -> Counter:
    """implementing-records' rows for `provision`, read off the triples without SPARQL."""

    def each(subject, predicate) -> list:
        return sorted(graph.objects(subject, predicate)) or [None]

    out: Counter = Counter()
    for implements in set(graph.transitive_subjects(OG.partOf, provision)):
        for action in set(graph.subjects(OG.implements, implements)):
            links = [
                link
                for link in graph.subjects(RDF.subject, action)
                if (link, RDF.predicate, OG.implements) in graph and (link, RDF.object, implements) in graph
            ]
            found = [
                (basis, rationale, line)
                for link in links
                for basis, rationale in product(each(link, OG.basis), each(link, OG.rationale))
                for line in [
                    x for e in graph.objects(link, OG.evidence) for x in graph.objects(e, OG.firstLine)
                ]
                or [None]
            ] or [(None, None, None)]
            records = [(action, "action")] + [(r, "indicator") for r in graph.subjects(OG.action, action)]
            for record, kind in records:
                years = [y for r in graph.objects(record, OG.report) for y in graph.objects(r, OG.period)]
                for title, code, year, (basis, rationale, line) in product(
                    graph.objects(record, OG.title), each(record, OG.code), years or [None], found
                ):
                    row = (Literal(kind), code, title, year, implements, basis, rationale, line, record)
                    out[tuple((v, x.n3()) for v, x in zip(VARS, row, strict=True) if x is not None)] += 1
    return out


def test_every_linked_provision_and_every_whole_gives_the_rows_of_its_triples(store, graph):
    linked = set(graph.objects(None, OG.implements))
    provisions = sorted({w for p in linked for w in graph.transitive_objects(p, OG.partOf)})
    assert len(provisions) > len(linked) > 10  # parts and their wholes: acts, articles, foundations
    total = 0
    for provision in provisions:
        expected = walk(graph, provision)
        got = Counter(
            tuple((v, row[v].n3()) for v in VARS if v in row) for row in rows(store, str(provision))
        )
        assert got == expected, provision
        assert all(dict(r).get("basis") for r in got), f"{provision}: a row without its link's basis"
        total += len(got)
    assert total > 100
