"""The query page at `/`: editor, examples, results table with links, downloads, and the same safety
checks as /sparql (a page must not be a way around them).

Fixtures `client` and `built_store` are in tests/conftest.py.
"""

from __future__ import annotations

import csv
import io
import re
import socket

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outcome_graph.saved_queries import load_queries

RISKS = """PREFIX og: <https://w3id.org/outcome-graph/def#>
SELECT ?risk ?code ?score WHERE { ?risk a og:Risk ; og:code ?code ; og:score ?score } ORDER BY ?code"""
RISK = "midlothian/report/2020-2021/risk/C.RR.01-23"
# a record reads as its code and title; the link goes to its page (and the IRI shows on hover)
RISK_NAME = "C.RR.01-23 GIRFEC Children &amp; Young People&#39;s (Scotland) Act 2014"
RISK_LINK = f'<a href="/id/{RISK}">{RISK_NAME}</a>'


def page(client, **args):
    r = client.get("/", query_string=args)
    return r, r.get_data(as_text=True)


def test_the_editor_has_the_prefixes_and_every_saved_query_as_an_example(client):
    r, html = page(client)
    assert r.status_code == 200 and r.mimetype == "text/html"
    textarea = re.search(r'<textarea id="query" name="query"[^>]*>(.*?)</textarea>', html, re.S)[1]
    assert "PREFIX og: &lt;https://w3id.org/outcome-graph/def#&gt;" in textarea
    assert "PREFIX ogr: &lt;https://w3id.org/outcome-graph/id/&gt;" in textarea
    names = re.findall(r'<option value="([^"]+)"', html)
    assert names == list(load_queries())


def test_every_example_runs_on_the_page_and_stays_chosen(client):
    for name, q in load_queries().items():
        if any(p.required for p in q.parameters):  # required parameters: shown unbound, with a form
            r, body = page(client, example=name)
            assert f'name="p.{q.parameters[0].name}"' in body, name
            continue
        r, body = page(client, example=name)
        assert r.status_code == 200, (name, body[-2000:])
        assert '<table class="results">' in body, name
        assert f'<option value="{name}" selected>' in body, name


def test_picking_an_example_loads_and_runs_it_with_its_defaults_bound(client):
    r, html = page(client, example="off-target-indicators")
    assert r.status_code == 200
    assert "VALUES (?report) { (&lt;http://reference.data.gov.uk/id/government-year/2020-2021&gt;) }" in html
    assert "CSPC.P.4.1b" in html and "7 rows" in html  # the seven off-target PIs of 2020/21
    # a period reads as the year, and still links to (and names, on hover) its reference IRI
    year = "http://reference.data.gov.uk/id/government-year/2020-2021"
    assert f'title="{year}"><a href="/resource?iri=http%3A%2F%2Freference' in html
    assert ">2020/21</a>" in html


def test_results_are_a_table_whose_iris_link_to_their_lookup_pages(client):
    r, html = page(client, query=RISKS)
    assert r.status_code == 200
    assert RISK_LINK in html
    assert "4 rows" in html
    # the score is a number cell
    assert re.search(r'<td class="number" title="xsd:integer">12</td>', html)
    # other IRIs stay on this server too
    r, html = page(
        client, query="SELECT ?p WHERE { BIND(<http://www.legislation.gov.uk/id/asp/2014/8> AS ?p) }"
    )
    assert 'href="/resource?iri=http%3A%2F%2Fwww.legislation.gov.uk%2Fid%2Fasp%2F2014%2F8"' in html


def test_literals_and_the_query_text_are_escaped(client):
    q = 'SELECT ?x WHERE { BIND("<script>alert(1)</script><img src=x onerror=alert(2)>" AS ?x) }'
    r, html = page(client, query=q)
    assert r.status_code == 200
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    # the error message (which quotes the query) is escaped too
    r, html = page(client, query='SELECT ?x WHERE { "<script>alert(3)</script>" }')
    assert r.status_code == 400 and "<script>alert(3)" not in html


def test_ask_and_construct(client):
    r, html = page(client, query="PREFIX og: <https://w3id.org/outcome-graph/def#> ASK { ?r a og:Risk }")
    assert r.status_code == 200 and '<p class="boolean">true</p>' in html
    r, html = page(
        client,
        query="PREFIX og: <https://w3id.org/outcome-graph/def#> "
        "CONSTRUCT { ?r og:score ?s } WHERE { ?r a og:Risk ; og:score ?s }",
    )
    assert r.status_code == 200 and "4 rows" in html
    assert '<th scope="col" title="?subject">Subject</th>' in html


def test_errors_carry_the_parsers_message(client):
    r, html = page(client, query="SELECT ?x WHERE { ?x ?y }")
    assert r.status_code == 400
    assert "SPARQL syntax error at line 1" in html


def test_the_page_refuses_updates_and_service_like_the_endpoint(client, built_store):
    before = built_store.triple_count()
    r, html = page(client, query="DROP ALL")
    assert r.status_code == 403 and "read-only" in html
    assert built_store.triple_count() == before
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(0.5)
        port = listener.getsockname()[1]
        q = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
        r, html = page(client, query=q)
        assert r.status_code == 400 and "SERVICE is refused" in html
        r = client.get(f"/download.csv?query={q}")
        assert r.status_code == 400
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody called


def test_download_csv_and_json(client):
    r = client.get("/download.csv", query_string={"query": RISKS})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.headers["Content-Disposition"] == 'attachment; filename="results.csv"'
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    # lines 436-441 of the 2020/21 report
    assert [(x["code"], x["score"]) for x in rows] == [
        ("C.RR.01-09", "9"),
        ("C.RR.01-10", "9"),
        ("C.RR.01-23", "12"),
        ("C.RR.01-25", "12"),
    ]
    r = client.get("/download.json", query_string={"query": RISKS})
    doc = r.get_json(force=True)
    assert doc["head"]["vars"] == ["risk", "code", "score"] and len(doc["results"]["bindings"]) == 4
    r = client.get("/download.csv", query_string={"query": "ASK { ?s ?p ?o }"})
    assert r.status_code == 400 and "SELECT" in r.get_data(as_text=True)
    assert client.get("/download.pdf", query_string={"query": RISKS}).status_code == 404


def test_the_page_loads_nothing_from_elsewhere(client):
    for url in (
        "/",
        "/?example=risks",
        "/queries?format=html",
        "/queries/risks?format=html",
        "/id/midlothian/report/2020-2021/risk/C.RR.01-23",
    ):
        html = client.get(url).get_data(as_text=True)
        for attr in re.findall(r'<(?:script|link|img|iframe)[^>]*(?:src|href)="([^"]*)"', html):
            assert attr.startswith("/"), (url, attr)
    for asset in ("/static/outcome-graph/style.css", "/static/outcome-graph/app.js"):
        r = client.get(asset)
        assert r.status_code == 200 and b"http" not in r.data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.one_of(
        st.text(max_size=80),
        st.builds(
            lambda a, b: f"SELECT * WHERE {{ {a} }} {b}",
            st.text(alphabet="?$<>{}()\"'#.;:,ab \n\\", max_size=30),
            st.text(max_size=10),
        ),
    )
)
def test_fuzzed_page_queries_never_give_a_server_error(client, text):
    r = client.get("/", query_string={"query": text})
    assert r.status_code in (200, 400, 403, 413), (text, r.get_data(as_text=True)[-800:])
    r = client.get("/download.csv", query_string={"query": text})
    assert r.status_code in (200, 400, 403, 413), text


def test_the_page_answers_the_same_over_either_store(each_client):
    html = each_client.get("/", query_string={"query": RISKS}).get_data(as_text=True)
    assert RISK_LINK in html
    r = each_client.get("/download.csv", query_string={"query": RISKS})
    assert r.get_data(as_text=True).splitlines()[3] == (
        "https://w3id.org/outcome-graph/id/midlothian/report/2020-2021/risk/C.RR.01-23,"
        "C.RR.01-23 GIRFEC Children & Young People's (Scotland) Act 2014,C.RR.01-23,12"
    )
