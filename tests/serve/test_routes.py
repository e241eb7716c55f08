"""Every route of the app, in every representation the route benchmark (benchmarks/routes_national.py) asks
on a small national store built the user's way (report files of Midlothian and Fife -> `build --store`,
one named graph per report, as test_national_scoped.py builds it): each answers a page, a
redirect or a timeout told as one (503/504 with Retry-After), never 400, 404 or 500; and every route of
the app, and every parameter of every saved query, has its entry in the benchmark's tables, so that a new
page cannot go unmeasured at national scale."""

from __future__ import annotations

import html
import importlib.util
import json
import re
import sys
import threading
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Blueprint
from rdflib import Graph, URIRef

from outcome_graph.paths import ROOT
from outcome_graph.serve.app import create_app
from outcome_graph.store import open_store
from outcome_graph.store.reports import build_store

OGR = "https://w3id.org/outcome-graph/id/"


def _benchmark(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


routes = _benchmark("routes_national")
report_files = _benchmark("report_files")


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    folder, directory = tmp_path_factory.mktemp("route-files"), tmp_path_factory.mktemp("route-store")
    a, *_ = report_files.two_councils(folder)  # Midlothian 2016/17 and 2020/21, Fife 2019/20 (a copy)
    # and Fife's own first report, so that its earliest and latest reports differ in kind, not only year
    fife16 = report_files.rekey(a.read_text(encoding="utf-8"), "fife", 2016)
    (folder / "d.txt").write_text(fife16, encoding="utf-8")
    build_store(sorted(folder.iterdir()), directory, progress=None)
    store = open_store(directory, progress=None, build_if_missing=False)
    yield store
    store.close()


@pytest.fixture(scope="module")
def client(national):
    return create_app(store=national, config={"timeout": 60, "max_rows": 10000, "cache": False}).test_client()


@pytest.fixture(scope="module")
def values(client):
    get = routes.test_client_get(client)
    return routes.discover(lambda url: routes.sparql_json(get, url))


def test_the_cases_are_asked_of_another_council_than_midlothian_and_its_first_and_last_report(values):
    assert values["council"] == values["council2"] == "fife"
    assert (values["early"], values["late"]) == ("2016-2017", "2019-2020")
    for kind in ("action", "priority", "observation", "risk", "excerpt", "early_action", "indicator"):
        assert values[kind].startswith(f"{OGR}fife/"), (kind, values[kind])


def test_every_route_of_the_app_and_every_saved_query_parameter_has_cases(national):
    app = create_app(store=national, config={"timeout": 60})
    cases, missing = routes.plan(app)
    assert missing == []
    rules = {r.rule for r in app.url_map.iter_rules() if "GET" in r.methods}
    assert {rule for rule, *_ in cases} == rules


def test_a_route_added_without_an_entry_is_said_to_be_unmeasured(national):
    app = create_app(store=national, config={"timeout": 60})
    extra = Blueprint("extra", __name__)
    extra.add_url_rule("/new-page", "new", lambda: "new")
    app.register_blueprint(extra)
    _, missing = routes.plan(app)
    assert missing == ["/new-page: no entry in ROUTES"]


def test_a_saved_query_parameter_without_a_value_is_said_to_be_unmeasured(monkeypatch):
    from outcome_graph.saved_queries import load_queries

    monkeypatch.delitem(routes.PARAMETERS, "statute")
    _, missing = routes.saved_cases(load_queries())
    assert missing and all(m.endswith("parameter statute") for m in missing)


def test_every_case_answers_a_page_or_a_timeout_told_as_one(national, client, values):
    app = create_app(store=national, config={"timeout": 60})
    cases, _ = routes.plan(app)
    get = routes.test_client_get(client)
    wrong = []
    for rule, what, template, accept in cases:
        url = template.format(**values)
        a = get(url, accept)
        told = a.status in (503, 504) and "Retry-After" in a.headers
        if not (200 <= a.status < 400 or told) or not a.body and a.status != 304:
            wrong.append((rule, what, url, a.status, a.body[-300:]))
    assert wrong == [], "\n".join(f"{w[3]} {w[0]} {w[1]} {w[2]} {w[4][-200:]!r}" for w in wrong)


def test_a_page_of_one_council_asked_without_one_offers_every_council_keeping_its_other_parameters(client):
    """The start page's links (/gaps, /audit, a trace from Part 9) on a graph of several councils: a person
    gets the councils to choose from, each link the same page for that council; a program a 400 naming
    them; the start page itself is the start page, with the councils in its form."""
    start = client.get("/trace")
    assert start.status_code == 200
    assert re.findall(r'<option value="([a-z-]+)">', start.get_data(as_text=True)) == ["fife", "midlothian"]
    for page in ("/gaps?report=2016-2017", "/audit?validate=0", "/trace?node=" + routes.q(routes.PART9)):
        r = client.get(page)
        assert r.status_code == 300, (page, r.status_code)
        links = re.findall(r'<li><a href="([^"]+)">', r.get_data(as_text=True))
        assert len(links) == 2, (page, links)
        for link, council in zip(links, ("fife", "midlothian"), strict=True):
            asked = parse_qs(urlsplit(html.unescape(link)).query)
            expected = parse_qs(urlsplit(page).query) | {"council": [council]}
            assert urlsplit(html.unescape(link)).path == urlsplit(page).path and asked == expected, link
            assert client.get(html.unescape(link)).status_code == 200, link
        program = client.get(page + ("&" if "?" in page else "?") + "format=json")
        assert program.status_code == 400
        assert "fife" in program.get_json()["error"] and "midlothian" in program.get_json()["error"]


def test_the_vocabulary_as_turtle_is_the_store_s_own_vocabulary(client, national):
    """/def's Turtle is made from the reference data the store was built from, without reading the store
    (its pattern read every triple of a national store, and its worker died): the same statements as
    the store's own, blank-node lists and all."""
    from rdflib.compare import isomorphic

    from outcome_graph.serve.catalogue import _queries

    r = client.get("/def?format=ttl")
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    served = Graph().parse(data=r.get_data(as_text=True), format="turtle")
    own = national.construct(_queries("ontology"), timeout=60)
    assert len(served) == len(own) > 1000
    assert isomorphic(served, own)


def test_a_page_of_a_term_pointed_to_by_many_gives_their_count_not_a_sorted_list_of_all(client, national):
    """A class or a statute is the object of thousands of triples nationally (33,344 actions have type
    og:Action at 10 M): its page lists the properties few enough to show and counts the others, the same
    count as the graph's, instead of reading and sorting every subject (20 s at 10 M)."""
    from outcome_graph.serve.lookup_reads import NEIGHBOURS_SHOWN

    iri = "https://w3id.org/outcome-graph/def#Observation"
    count = national.select(f"SELECT (COUNT(?x) AS ?n) WHERE {{ ?x a <{iri}> }}").rows[0]["n"]
    assert int(count) > NEIGHBOURS_SHOWN  # else this page lists them all and shows nothing of the kind
    r = client.get("/resource?iri=" + routes.q(iri), headers={"Accept": "text/html"})
    assert r.status_code == 200
    page = html.unescape(r.get_data(as_text=True))
    assert f"{int(count):,} things" in page
    assert page.count('<li><a href="/id/') < NEIGHBOURS_SHOWN  # none of the observations listed one by one


def test_a_thing_only_pointed_to_by_many_has_its_page_with_their_counts(
    client, national, values, monkeypatch
):
    """A government year is the object of every figure of its year and the subject of nothing: its page
    is its counts (it was a 404 once the many were counted instead of listed). The small graph's "many"
    is made so by showing fewer (10 a property) than the national pages do."""
    from outcome_graph.serve import lookup_reads as lookup

    monkeypatch.setattr(lookup, "NEIGHBOURS_SHOWN", 10)
    year = f"http://reference.data.gov.uk/id/government-year/{values['late']}"
    rows = national.select(f"SELECT ?p (COUNT(?x) AS ?n) WHERE {{ ?x ?p <{year}> }} GROUP BY ?p").rows
    many = {str(r["p"]): int(str(r["n"])) for r in rows if int(str(r["n"])) > 10}
    assert many and not national.select(f"SELECT ?p WHERE {{ <{year}> ?p ?o }}").rows
    r = client.get("/resource?iri=" + routes.q(year), headers={"Accept": "text/html"})
    assert r.status_code == 200
    page = html.unescape(r.get_data(as_text=True))
    for n in many.values():
        assert f"{n:,} things" in page


def test_a_statute_s_page_counts_its_many_qualified_links_and_lists_a_record_s_few(
    client, national, monkeypatch
):
    from outcome_graph.serve import lookup_reads as lookup

    part9 = routes.PART9
    n = national.select(
        "SELECT (COUNT(?l) AS ?n) WHERE { { ?l <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> "
        f"<{part9}> }} UNION {{ ?l <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> <{part9}> }} }}"
    ).rows[0]["n"]
    assert 5 < int(n) <= lookup.NEIGHBOURS_SHOWN
    listed = html.unescape(client.get("/resource?iri=" + routes.q(part9)).get_data(as_text=True))
    assert listed.count("(the link’s record)") == int(n)  # every link listed
    monkeypatch.setattr(lookup, "NEIGHBOURS_SHOWN", 5)
    counted = html.unescape(client.get("/resource?iri=" + routes.q(part9)).get_data(as_text=True))
    assert f"{int(n):,} qualified links" in counted and "(the link’s record)" not in counted


def test_a_read_past_a_sparql_server_s_time_limit_is_a_503_naming_the_part_with_retry_after(
    client, national, monkeypatch
):
    """A remote server's own time limit (Virtuoso's S1T00: StoreError 504) met by one of a page's reads
    is the page's slow part, said as every slow part is: 503, Retry-After, the part named (it was a bare
    504 naming nothing, without Retry-After). The server is made to time out on the records' read."""
    from outcome_graph.query_layer.reads import RETRY_AFTER
    from outcome_graph.serve import trace_views
    from outcome_graph.store import StoreError
    from outcome_graph.trace import source

    real = national.select

    def server_time_limit(query, **kw):
        if "og:report" in query or "outcome-graph/def#report" in query:
            raise StoreError("the query ran past the SPARQL server's time limit (HTTP 500): S1T00", 504)
        return real(query, **kw)

    monkeypatch.setattr(national, "select", server_time_limit)
    try:
        for fmt in ("json", "html"):
            r = client.get(f"/gaps?council=midlothian&report=2020-2021&format={fmt}")
            assert r.status_code == 503, (fmt, r.status_code)
            assert r.headers["Retry-After"] == str(RETRY_AFTER)
            assert "took longer than the time limit" in r.get_data(as_text=True)
    finally:
        monkeypatch.undo()
        source.forget()  # the remembered failure: the other tests ask for the same pages
        trace_views._GAPS.clear()


def test_the_service_description_s_count_is_the_warm_up_s_not_its_first_request_s(national, monkeypatch):
    """/sparql's service description gives the store's triple count, a scan of every quad (5 s at 10 M
    triples, the description's first answer): counted once per store, by the server's warm-up."""
    from rdflib.namespace import VOID

    from outcome_graph.serve.warmup import warm

    app = create_app(store=national, config={"timeout": 60})
    expected = national.triple_count()
    warm(app.extensions["outcome_graph"]["store"]).join()

    def counted_again():
        raise AssertionError("the request counted the store's triples itself")

    monkeypatch.setattr(national, "triple_count", counted_again)
    r = app.test_client().get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    described = Graph().parse(data=r.get_data(as_text=True), format="turtle")
    assert [int(n) for n in described.objects(None, VOID.triples)] == [expected]


@pytest.mark.parametrize(
    "url, error",
    [
        ("/queries/risks?council=ogr:fife&format=json", "timeout"),
        ("/queries/risks?council=ogr:fife&format=html", "server"),
        ("/id/fife/report/2019-2020", "server"),
        ("/id/fife/report/2019-2020?format=ttl", "timeout"),
    ],
)
def test_every_answer_past_a_time_limit_says_when_to_try_again(national, monkeypatch, url, error):
    """Whichever view meets a time limit (the store's: QueryTimeout, 503; a SPARQL server's: StoreError,
    504), its answer carries Retry-After (a saved query or a record page gave none). The store is made to
    time out on every query."""
    from outcome_graph.store import QueryTimeout, StoreError

    def limit(*a, **kw):
        if error == "timeout":
            raise QueryTimeout("the query ran past the time limit of 60 s")
        raise StoreError("the query ran past the SPARQL server's time limit (HTTP 500): S1T00", 504)

    app = create_app(store=national, config={"timeout": 60, "cache": False})
    monkeypatch.setattr(national, "select", limit)
    monkeypatch.setattr(national, "construct", limit)
    r = app.test_client().get(url)
    assert r.status_code in (503, 504), (url, r.status_code, r.get_data(as_text=True)[-300:])
    assert r.headers.get("Retry-After", "").isdigit(), (url, dict(r.headers))


def test_a_resource_s_rdf_leaves_out_a_crowd_pointing_to_it_and_says_it_is_cut(client, national, monkeypatch):
    """The RDF of a class (Turtle of og:Observation) is what it says and what points to it by the
    properties few enough to give; its members (more than NEIGHBOURS_SHOWN: every observation of the
    nation at 10 M) are left out, and the answer says it is cut, as every cut answer does. A record's RDF
    is whole: every triple naming it, both ways."""
    from outcome_graph.serve import lookup_reads as lookup

    monkeypatch.setattr(lookup, "NEIGHBOURS_SHOWN", 10)
    iri = "https://w3id.org/outcome-graph/def#Observation"
    r = client.get("/resource?iri=" + routes.q(iri) + "&format=ttl")
    assert r.status_code == 200 and r.headers.get("X-Outcome-Graph-Truncated") == "true"
    g = Graph().parse(data=r.get_data(as_text=True), format="turtle")
    rdf_type = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert not list(g.subjects(rdf_type, URIRef(iri)))  # no member listed
    own = national.select(f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}").rows
    assert len(list(g.predicate_objects(URIRef(iri)))) == len(own) > 0
    monkeypatch.undo()  # a record's page as served: nothing of it left out
    record = "https://w3id.org/outcome-graph/id/fife/report/2019-2020/priority/01"
    r = client.get("/id/fife/report/2019-2020/priority/01?format=nt")
    assert r.status_code == 200 and "X-Outcome-Graph-Truncated" not in r.headers
    g = Graph().parse(data=r.get_data(as_text=True), format="nt")
    both = national.select(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ <{record}> ?p ?o }} UNION {{ ?x ?q <{record}> }} }}"
    ).rows[0]["n"]
    assert len(g) == int(both) > 0


def test_a_load_past_its_budget_goes_on_and_a_later_request_gets_it():
    """Flight's budget: the request that starts a load waits at most its budget, then is told to retry
    (Pending, a 503) while the load goes on; a later request gets the answer, loaded once."""
    from outcome_graph.query_layer import Flight, Pending

    flight, gate, loads = Flight(size=2), threading.Event(), []

    def load():
        loads.append(1)
        gate.wait(10)
        return 42

    started = time.monotonic()
    with pytest.raises(Pending):
        flight.get("k", load, "the part", budget=0.2)
    assert time.monotonic() - started < 2
    with pytest.raises(Pending):  # asked again while it loads: told to retry, not loaded twice
        flight.get("k", load, "the part", budget=0.2)
    gate.set()
    assert flight.get("k", load, "the part", budget=5) == 42
    assert loads == [1]


@pytest.mark.parametrize(
    "page, part",
    [
        ("/gaps?council=fife&format=json", "the gaps of fife (2016-2017, 2019-2020)"),
        ("/audit?council=fife&report=2019-2020&validate=0&format=json", "the audit of fife 2019-2020"),
    ],
)
def test_a_page_slower_to_read_than_the_time_limit_is_a_503_then_the_page(national, monkeypatch, page, part):
    """/gaps of every report of a council, an audit, on a store slower than the app's time limit for all
    they read: the first answer is a 503 with Retry-After within about the limit (the gaps of 47 reports
    at 10 M triples were a 200 after 41 s), naming the page's part, and the page once it is made in the
    background."""
    from outcome_graph.serve import trace_views
    from outcome_graph.trace import source

    real = national.select

    def slow(query, **kw):
        time.sleep(0.4)  # every read of the page; about 8 of them
        return real(query, **kw)

    app = create_app(store=national, config={"timeout": 1, "cache": False})
    client = app.test_client()
    client.get("/gaps?council=fife&report=2016-2017&format=json")  # the report list, read before
    source.forget()
    for kept in (trace_views._GAPS, trace_views._AUDITS):
        kept.clear()
    monkeypatch.setattr(national, "select", slow)
    started = time.monotonic()
    r = client.get(page)
    assert r.status_code == 503 and r.headers["Retry-After"].isdigit(), r.get_data(as_text=True)
    assert time.monotonic() - started < 3
    assert part in r.get_json()["error"]
    deadline = time.monotonic() + 60
    while (r := client.get(page)).status_code == 503 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert r.status_code == 200 and "fife" in json.dumps(r.get_json())
