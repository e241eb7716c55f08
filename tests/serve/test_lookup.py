"""Linked-data lookup: every instance IRI resolves at /id/..., as HTML for a person (properties,
neighbours, evidence quoted with report and line) and as Turtle / JSON-LD / N-Triples for a machine."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef

from outcome_graph.build import build_graph, to_ntriples

OG = "https://w3id.org/outcome-graph/def#"
OGR = "https://w3id.org/outcome-graph/id/"
RISK = OGR + "midlothian/report/2020-2021/risk/C.RR.01-23"
OBS_2016 = OGR + "midlothian/report/2016-2017/observation/lgbf/CHN8a/2015-2016"
PART_11 = "http://www.legislation.gov.uk/id/asp/2014/8/part/11"
HOSTILE = "<script>alert('x')</script>"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The real graph plus two test resources: one whose literals carry markup, one whose IRI has a
    %-encoded segment, loaded into an embedded store as the build does."""
    from outcome_graph.store.embedded import EmbeddedStore

    db = tmp_path_factory.mktemp("lookup-store") / "db"
    extra = (
        f'<{OGR}test/escaping> <{OG}title> "{HOSTILE}" .\n'
        f'<{OGR}test/escaping> <{OG}note> "a & b <b>bold</b>" .\n'
        f"<{OGR}test/escaping> <{OG}relatesTo> <{OGR}test/odd%20name> .\n"
        f'<{OGR}test/odd%20name> <{OG}title> "Odd name" .\n'
    ).encode()
    writer = ox.Store(str(db))
    writer.load(to_ntriples(build_graph()) + extra, format=ox.RdfFormat.N_TRIPLES)
    writer.flush()
    del writer
    s = EmbeddedStore(db, workers=1)
    yield s
    s.close()


@pytest.fixture(scope="module")
def client(store):
    from outcome_graph.serve.app import create_app

    return create_app(store).test_client()


def local(iri: str) -> str:
    return "/id/" + iri[len(OGR) :]


def test_a_risk_page_has_its_properties_evidence_and_linked_duties(client):
    r = client.get(local(RISK))
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    text = unescape(html)
    assert "<h1>C.RR.01-23 GIRFEC Children &amp; Young People&#39;s (Scotland) Act 2014</h1>" in html
    # the evidence: line 436 of the 2020/21 report, quoted
    assert (
        "line 436" in text and "midlothian-childrens-services-partnership-and-communities-2020-21.txt" in text
    )
    assert "Lack of suitable accommodation for those 16+ who are unable to reside" in text
    # properties
    # properties, named by their labels in the ontology (never og:score)
    assert re.search(r">score</a></th>\s*<td class=\"number\">12</td>", html)
    assert ">og:" not in html
    # the links to duties as sentences, with their basis (its label) and the analyst's rationale
    assert f'href="/resource?iri={quote(PART_11, safe="")}"' in html
    assert "relates to" in text
    assert "Curation: " in text and "bears on continuing care, the right to stay in placement" in text
    assert "Report text" in text


def test_an_observation_page_quotes_its_report_line(client):
    html = unescape(client.get(local(OBS_2016)).get_data(as_text=True))
    assert "£2,951.54" in html  # the figure with its unit, as the report writes it
    assert "line 211" in html and "midlothian-childrens-services-2016-17.txt" in html
    assert "£2,951.54" in html  # the cell as the report wrote it, in the quoted line
    assert 'href="/id/lgbf/indicator/CHN8a"' in html  # its indicator, a neighbour


def test_incoming_links_are_listed(client):
    html = client.get("/id/lgbf/indicator/CHN8a").get_data(as_text=True)
    assert 'id="incoming"' in html
    # every figure the reports give for CHN8a links here by og:indicator
    assert f'href="{local(OBS_2016)}"' in html
    assert 'href="/id/midlothian/report/2020-2021/observation/lgbf/CHN8a/2015-2016"' in html


def test_every_link_to_a_record_or_duty_resolves(client):
    html = client.get(local(RISK)).get_data(as_text=True)
    # instances, statutes and frameworks; vocabulary terms of other namespaces (rdf:subject) are links
    # too but are not described in this graph
    found = set(re.findall(r'href="(/(?:id/|resource\?iri=http%3A%2F%2Fwww.legislation)[^"]+)"', html))
    targets = sorted(found)
    assert len(targets) > 10
    for href in targets:
        r = client.get(unescape(href))
        assert r.status_code == 200, href


def test_rdf_for_machines(client):
    for accept, fmt in (
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
    ):
        r = client.get(local(RISK), headers={"Accept": accept})
        assert r.status_code == 200 and r.mimetype == accept
        g = Graph().parse(data=r.data, format=fmt)
        risk = URIRef(RISK)
        assert g.value(risk, URIRef(OG + "score")).toPython() == 12
        assert (risk, URIRef(OG + "relatesTo"), URIRef(PART_11)) in g
        # incoming too: the qualified link's rdf:subject
        assert any(
            True for _ in g.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#subject"), risk)
        )
    r = client.get(local(OBS_2016), query_string={"format": "ttl"})
    g = Graph().parse(data=r.data, format="turtle")
    assert g.value(URIRef(OBS_2016), URIRef(OG + "value")).toPython() == Decimal("2951.54")


def test_unknown_iris_are_404(client):
    r = client.get("/id/midlothian/report/2020-2021/risk/C.RR.99-99")
    assert r.status_code == 404 and "is not in the graph" in r.get_data(as_text=True)
    assert (
        client.get(
            "/id/midlothian/report/2020-2021/risk/C.RR.99-99", headers={"Accept": "text/turtle"}
        ).status_code
        == 404
    )
    assert client.get("/resource", query_string={"iri": "not an iri"}).status_code == 400


def test_other_iris_of_the_graph_resolve_at_resource(client):
    r = client.get("/resource", query_string={"iri": "http://www.legislation.gov.uk/id/asp/2014/8/part/9"})
    html = unescape(r.get_data(as_text=True))
    assert r.status_code == 200 and "<h1>Part 9 Corporate parenting</h1>" in html
    assert 'href="/id/midlothian/report/2020-2021/action/CSPC.P.11.6"' in html  # implements Part 9 (curated)


def test_literals_are_escaped_and_encoded_iris_resolve(client):
    html = client.get("/id/test/escaping").get_data(as_text=True)
    assert HOSTILE not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "a &amp; b &lt;b&gt;bold&lt;/b&gt;" in html
    assert 'href="/id/test/odd%20name"' in html
    r = client.get("/id/test/odd%20name")
    assert r.status_code == 200 and "<h1>Odd name</h1>" in r.get_data(as_text=True)
    g = Graph().parse(
        data=client.get("/id/test/escaping", headers={"Accept": "text/turtle"}).data, format="turtle"
    )
    assert g.value(URIRef(OGR + "test/escaping"), URIRef(OG + "title")) == Literal(HOSTILE)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rest=st.text(min_size=1, max_size=40), accept=st.sampled_from(["text/html", "text/turtle", "*/*"]))
def test_fuzzed_lookups_never_give_a_server_error(client, rest, accept):
    r = client.get("/id/" + quote(rest, safe="/"), headers={"Accept": accept})
    assert r.status_code in (200, 308, 404), (rest, r.get_data(as_text=True)[-500:])  # 308: "//" merged
    r = client.get("/resource", query_string={"iri": rest})
    assert r.status_code in (200, 400, 404), rest


def test_lookup_answers_the_same_over_either_store(each_client):
    """The embedded store and a real Oxigraph server (tests/conftest.py) give the same page and triples."""
    html = unescape(each_client.get(local(RISK)).get_data(as_text=True))
    assert "line 436" in html and "Lack of suitable accommodation for those 16+" in html
    r = each_client.get(local(RISK), headers={"Accept": "text/turtle"})
    g = Graph().parse(data=r.data, format="turtle")
    assert g.value(URIRef(RISK), URIRef(OG + "score")).toPython() == 12
    assert (URIRef(RISK), URIRef(OG + "relatesTo"), URIRef(PART_11)) in g
    assert each_client.get("/id/midlothian/report/2020-2021/risk/C.RR.99-99").status_code == 404
