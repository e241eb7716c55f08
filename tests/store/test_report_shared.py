"""One report's graph read from a national store costs the report, not its council's other years (issue 17).

`query_layer.report_graphs.scope_graph` (what /validation and the audit's validation read) used to read the
council's shared graphs whole (105,497 rows for one report at 47 years) and keep, in Python, what the report
names. The server now sends only that: the nodes the report's own graph names, the links from them, and no
triple that names another report or council. The property: on a national graph of two councils and five
reports, built the user's way (report files -> `build --store`, then `load --endpoint` onto a real Oxigraph
server and a real Virtuoso), each report's graph is exactly the triples the old filter gave, on each store,
and every row the server sends is kept (nothing is read to be thrown away)."""

from __future__ import annotations

import sys

import pytest
from rdflib import RDF, Graph, URIRef

from outcome_graph.cli import main as cli_main
from outcome_graph.errors import DefectError
from outcome_graph.paths import ROOT, bundled_reports
from outcome_graph.query_layer import report_graphs
from outcome_graph.query_layer.reads import query_text, read_select, scoped_text
from outcome_graph.query_layer.scope import Scope
from outcome_graph.store import open_store
from outcome_graph.store.layout import NATIONAL, REFERENCE, part_iri, part_of
from outcome_graph.store.protocol import QueryError
from outcome_graph.store.remote import RemoteStore
from outcome_graph.store.reports import build_store

sys.path.insert(0, str(ROOT / "benchmarks"))
from report_files import rekey, start_year  # noqa: E402 - a sibling script, not a package

OGR = "https://w3id.org/outcome-graph/id/"
GRAPH = "https://w3id.org/outcome-graph/graph/report-shared"
REPORTS = [
    ("midlothian", "2016-2017"),
    ("midlothian", "2020-2021"),
    ("fife", "2018-2019"),
    ("fife", "2019-2020"),
    ("fife", "2020-2021"),
]


@pytest.fixture(scope="module")
def nation_dir(tmp_path_factory):
    """Midlothian's two bundled reports and Fife's copies of the 2020/21 one for three years: both
    councils share every LGBF indicator, and Fife's years are linked to each other (continuity)."""
    folder = tmp_path_factory.mktemp("report-shared-files")
    r16, r20 = sorted(bundled_reports(), key=lambda p: start_year(p.read_text(encoding="utf-8")))
    (folder / "a.txt").write_bytes(r16.read_bytes())
    (folder / "b.txt").write_bytes(r20.read_bytes())
    text = r20.read_text(encoding="utf-8")
    for name, year in (("c.txt", 2018), ("d.txt", 2019), ("e.txt", 2020)):
        (folder / name).write_text(rekey(text, "fife", year), encoding="utf-8")
    directory = tmp_path_factory.mktemp("report-shared-store")
    build_store(sorted(folder.glob("*.txt")), directory, progress=None)
    return directory


@pytest.fixture(scope="module")
def embedded(nation_dir):
    store = open_store(nation_dir, progress=None, build_if_missing=False)
    yield store
    store.close()


@pytest.fixture(
    scope="module",
    params=[
        "embedded",
        pytest.param("oxigraph", marks=pytest.mark.server),
        pytest.param("virtuoso", marks=pytest.mark.server),
    ],
)
def each(request, nation_dir, embedded, monkeypatch_module):
    if request.param == "embedded":
        return embedded
    if request.param == "oxigraph":
        endpoint = request.getfixturevalue("oxigraph_server")
        args = ["load", "--endpoint", endpoint, "--graph", GRAPH, "--store", str(nation_dir)]
    else:
        from virtuoso import LOADER

        endpoint = request.getfixturevalue("virtuoso_server").endpoint
        monkeypatch_module.setenv("OUTCOME_GRAPH_PASSWORD", LOADER.password)
        args = [
            "load",
            "--endpoint",
            endpoint,
            "--graph",
            GRAPH,
            "--store",
            str(nation_dir),
            "--user",
            LOADER.user,
        ]
    assert cli_main(args) == 0
    return RemoteStore(endpoint, graph=GRAPH, timeout=60)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as m:
        yield m


def old_filter(store, scope: Scope) -> Graph:
    """What scope_graph gave before: the shared graphs read whole, then filtered here (the code of
    report_graphs at a38fc7f, kept as the oracle)."""
    own, base, shared = report_graphs._parts(store, scope, 60)
    reference = part_iri(base, REFERENCE)
    g = Graph()
    for t in report_graphs._triples(store, own, "own", 60):
        g.add(t)
    named = set(g.subjects()) | set(g.objects())
    for t in report_graphs._triples(store, [x for x in shared if x == reference], "reference", 60):
        g.add(t)
    allowed = {*(p[len(base) + 1 :] for p in own), scope.council, NATIONAL}

    def foreign(o) -> bool:
        return isinstance(o, URIRef) and part_of(str(o)) not in allowed

    rest = report_graphs._triples(store, [x for x in shared if x != reference], "shared", 60)
    links = {s for s, p, _ in rest if p == RDF.subject}
    wanted = {s for s, p, o in rest if s in named or (p == RDF.subject and o in named)}
    wanted -= {s for s, _, o in rest if s in links and foreign(o)}
    for s, p, o in rest:
        if s in wanted and not foreign(o):
            g.add((s, p, o))
    return g


def scope_of(council: str, *years: str) -> Scope:
    return Scope(council, tuple(f"{OGR}{council}/report/{y}" for y in years), years)


class Counting:
    """A store that keeps the rows of the shared-graph question (and can say it is Virtuoso)."""

    def __init__(self, store, software: str | None = None):
        self._store, self.sent = store, set()
        if software is not None:
            self.is_virtuoso = lambda timeout=None: software.lower().startswith("virtuoso")

    def __getattr__(self, name):
        return getattr(self._store, name)

    def select(self, query, **kwargs):
        result = self._store.select(query, **kwargs)
        if "REGEX" in query:  # the shared question: its patterns are written in
            self.sent |= {(r["s"], r["p"], r["o"]) for r in result.rows}
            self.listed = "VALUES ?n" in query
        return result


@pytest.mark.parametrize(
    "council, years", [(c, (y,)) for c, y in REPORTS] + [("fife", ("2018-2019", "2020-2021"))]
)
def test_a_report_s_graph_is_what_the_whole_shared_graphs_filtered_gave(each, council, years):
    scope = scope_of(council, *years)
    old = set(old_filter(each, scope))
    counting = Counting(each)
    new = set(report_graphs.scope_graph(counting, scope, 60))
    assert new == old, (sorted(old - new)[:5], sorted(new - old)[:5])
    # Virtuoso is given the report's nodes; Oxigraph (embedded and server) finds them itself
    assert counting.listed == (isinstance(each, RemoteStore) and each.is_virtuoso())
    # every row sent is kept: the server, not this process, leaves out what the report does not need
    assert counting.sent and counting.sent <= new
    # and the case is one that tells: the shared graphs hold other years' and the other council's
    # triples, which the old read brought here to be left out
    shared = report_graphs._parts(each, scope, 60)[2]
    rest = set(report_graphs._triples(each, [g for g in shared if not g.endswith("/reference")], "all", 60))
    assert counting.sent <= rest and rest - new


def test_the_listed_form_gives_the_nested_form_s_triples(embedded):
    """Virtuoso is given the report's nodes (report-shared-triples-listed.rq); Oxigraph finds them itself.
    Both texts, asked of the same store, give the same graph for every report and for a council's three."""
    for council, years in [
        *((c, (y,)) for c, y in REPORTS),
        ("fife", ("2018-2019", "2019-2020", "2020-2021")),
    ]:
        scope = scope_of(council, *years)
        nested = set(report_graphs.scope_graph(Counting(embedded), scope, 60))
        listed = set(report_graphs.scope_graph(Counting(embedded, "Virtuoso/07.20.3229"), scope, 60))
        assert listed == nested and nested


def test_batches_of_listed_nodes_give_the_same_graph(embedded, monkeypatch):
    scope = scope_of("fife", "2019-2020")
    whole = set(report_graphs.scope_graph(Counting(embedded, "Virtuoso"), scope, 60))
    monkeypatch.setattr(report_graphs, "BATCH", 7)
    assert set(report_graphs.scope_graph(Counting(embedded, "Virtuoso"), scope, 60)) == whole


SERVERS = [
    pytest.param("oxigraph", marks=pytest.mark.server),
    pytest.param("virtuoso", marks=pytest.mark.server),
]


@pytest.mark.parametrize("each", SERVERS, indirect=True)  # the embedded store has no graphs outside it
def test_a_named_graph_outside_the_dataset_is_refused(each):
    with pytest.raises(QueryError, match="not a part of the dataset"):
        each.select("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1", named_graphs=["urn:x:another"])


def test_each_values_mark_takes_the_variables_it_names():
    text = "SELECT * WHERE {\n { SELECT ?a WHERE {\n #@values ?a\n ?a ?p ?o } }\n #@values ?b ?c\n ?b ?q ?c }"
    out = scoped_text(text, {"a": [URIRef("urn:a")], "b": [URIRef("urn:b")], "c": [URIRef("urn:c")]})
    assert "VALUES ?a { <urn:a> }\n ?a ?p ?o" in out
    assert "VALUES ?b { <urn:b> }\nVALUES ?c { <urn:c> }\n ?b ?q ?c" in out
    with pytest.raises(DefectError, match="each bound variable has one #@values line"):
        scoped_text(text, {"a": [URIRef("urn:a")], "b": [URIRef("urn:b")], "c": [], "d": [URIRef("urn:d")]})
    with pytest.raises(DefectError, match="names c: not bound"):
        scoped_text(text, {"a": [URIRef("urn:a")], "b": [URIRef("urn:b")]})
    # one unnamed mark takes every variable, as before
    single = scoped_text(
        "SELECT * WHERE { { SELECT * WHERE {\n#@values\n?a ?b ?c } } }", {"b": [URIRef("urn:b")]}
    )
    assert "VALUES ?b { <urn:b> }\n?a ?b ?c" in single


def test_the_shared_question_needs_its_graphs_bound(embedded):
    with pytest.raises(DefectError):
        read_select(embedded, query_text("report-shared-triples"), "x", {"own": [URIRef(GRAPH)]})


def test_a_report_read_from_each_store_is_validated_as_the_embedded_one(each, embedded):
    """The validation of a report's graph as each store gives it: the same findings everywhere. A graph read
    from Virtuoso names its blank nodes nodeID://b…, which the validation's in-memory Oxigraph copy refused
    (the audit's validation and /validation answered 500 over `serve --endpoint`)."""
    from outcome_graph.validate import validate_graph

    scope = scope_of("midlothian", "2020-2021")
    here = validate_graph(report_graphs.scope_graph(embedded, scope, 60))
    there = validate_graph(report_graphs.scope_graph(each, scope, 60))
    assert here.results, "the report has findings to compare"
    assert sorted(map(repr, there.results)) == sorted(map(repr, here.results))


def test_the_audit_s_data_version_is_the_loaded_generation_not_a_count(each):
    """The printed audit names the data it was made from. On a SPARQL server that is the generation `load`
    stamped, read from the catalogue: counting every triple cost each audit 0.6-0.7 s at 10 M triples."""
    from outcome_graph.query_layer.remote_cache import read_stamp
    from outcome_graph.trace.audit_view import data_version

    asked = []

    class Watching(Counting):
        def select(self, query, **kwargs):
            asked.append(query)
            return super().select(query, **kwargs)

    version = data_version(Watching(each))
    if isinstance(each, RemoteStore):
        stamp = read_stamp(each)
        assert stamp, "load stamps the dataset"
        assert version == f"{each.name}, generation {stamp[:16]}"
        assert asked and not any("COUNT" in q.upper() for q in asked)
    else:
        assert version.startswith("sources fingerprint ")
