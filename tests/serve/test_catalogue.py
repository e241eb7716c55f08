"""/id/ (what the graph holds), /def (the vocabulary, with an example query per term) and the README's
queries, on the real graph: every example query shown anywhere parses and returns rows."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

ROOT = Path(__file__).resolve().parents[2]
OG = "https://w3id.org/outcome-graph/def#"
JSON_RESULTS = "application/sparql-results+json"


def test_the_index_lists_councils_reports_code_lists_and_the_vocabulary(client):
    r = client.get("/id/")
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = unescape(r.get_data(as_text=True))
    assert "Midlothian Council" in html and 'href="/def"' in html
    assert "/id/midlothian/report/2016-2017" in html and "/id/midlothian/report/2020-2021" in html
    doc = client.get("/id/", headers={"Accept": "application/json"}).get_json()
    assert [c["name"] for c in doc["councils"]] == ["Midlothian Council"]
    assert [r["detail"] for r in doc["reports"]] == ["2016/17", "2020/21"]
    assert OG + "StatusScheme" in {c["iri"] for c in doc["codeLists"]}
    assert "http://www.legislation.gov.uk/id/asp/2014/8" in {c["iri"] for c in doc["references"]}
    assert doc["vocabulary"]["href"] == "/def"
    rows = list(csv.DictReader(io.StringIO(client.get("/id/?format=csv").get_data(as_text=True))))
    assert {r["section"] for r in rows} == {"councils", "reports", "codeLists", "references", "vocabulary"}
    assert client.get("/id").status_code == 200
    r = client.get("/id/", headers={"Accept": "text/turtle"})  # an RDF request gets RDF, never a table
    assert r.mimetype == "text/turtle"
    g = Graph().parse(data=r.get_data(as_text=True), format="turtle")
    root = URIRef("https://w3id.org/outcome-graph/id/")
    parts = set(g.objects(root, URIRef("http://purl.org/dc/terms/hasPart")))
    assert URIRef("https://w3id.org/outcome-graph/id/midlothian/report/2020-2021") in parts
    assert URIRef(OG.rstrip("#")) in parts


def test_the_vocabulary_gives_the_names_a_query_needs_and_no_blank_node(client):
    html = unescape(client.get("/def").get_data(as_text=True))
    assert "_:" not in html and "has is defined by" not in html
    row = re.search(r'<tr id="implements">(.*?)</tr>', html, re.S).group(1)
    text = " ".join(re.sub(r"<[^>]+>", " ", re.sub(r"<details>.*?</details>", "", row, flags=re.S)).split())
    # name, label, domain, range (a union read as "A or B")
    assert text.startswith(
        "og:implements implements og:Action og:Framework or og:FrameworkElement or og:Provision or og:Statute"
    )
    doc = client.get("/def?format=json").get_json()
    by_name = {t["name"]: t for t in doc}
    assert by_name["og:value"]["domain"] == ["og:ClaimFigure", "og:Observation", "og:ReportedTotal"]
    assert by_name["og:value"]["range"] == ["xsd:decimal"]
    assert all(not any(d.startswith("_:") for d in t["domain"] + t["range"]) for t in doc)
    assert all(t["name"].startswith("og:") and t["label"] for t in doc)


def test_the_vocabulary_as_turtle_is_the_ontology(client):
    r = client.get("/def", headers={"Accept": "text/turtle"})
    assert r.mimetype == "text/turtle"
    g = Graph().parse(data=r.get_data(as_text=True), format="turtle")
    assert str(g.value(URIRef(OG + "Priority"), RDFS.label)) == "Priority"


def test_the_ontology_iri_opens_the_vocabulary_page(client):
    r = client.get("/resource", query_string={"iri": OG.rstrip("#")}, headers={"Accept": "text/html"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/def")


def _vocabulary_examples() -> list[tuple[str, str]]:
    from outcome_graph.serve.catalogue import curated_examples

    return sorted({(e["file"], e["query"]) for e in curated_examples().values()})


def _readme_examples() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sparql\n(.*?)```", text, re.S)


def _rows(client, query: str) -> list:
    r = client.get("/sparql", query_string={"query": query}, headers={"Accept": JSON_RESULTS})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()["results"]["bindings"]


def test_every_example_on_the_vocabulary_page_returns_rows(client):
    doc = client.get("/def?format=json").get_json()
    shown = {t["example"] for t in doc if t["example"]}
    assert len(shown) > 60  # a curated or pattern example for every term the graph uses
    empty = [q.splitlines()[0] for q in sorted(shown) if not _rows(client, q)]
    assert not empty, f"examples that return no rows: {empty}"
    # every term the graph uses has one; the others say so
    assert sum(1 for t in doc if t["example"] is None) < len(doc) / 4


@pytest.mark.parametrize("index", range(len(_readme_examples())))
def test_every_readme_query_parses_and_returns_rows(client, index):
    query = _readme_examples()[index]
    assert "ogr:" not in query  # an instance IRI is written in full, in <...>
    assert _rows(client, query)


def test_the_readme_writes_instance_iris_validly():
    """`ogr:midlothian/report/2020-2021` is not a SPARQL prefixed name (it holds '/'): the README writes
    instance IRIs in full, except where it says not to write them that way."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    bad = [m for m in re.findall(r"`ogr:[^`\s]*/[^`]*`", text) if m != "`ogr:midlothian/report/2020-2021`"]
    assert not bad, bad


@pytest.mark.parametrize(("file", "query"), _vocabulary_examples())
def test_each_curated_example_returns_rows(client, file, query):
    assert _rows(client, query), file


def test_every_example_of_the_query_page_returns_rows(client, app):
    """The query page's examples (the saved queries, defaults bound) run on the real graph with rows; one
    with a required parameter is shown unbound for the analyst to fill in, and gets rows once filled."""
    from outcome_graph.serve.pages import examples

    filled = {
        "evidence": {
            "record": "https://w3id.org/outcome-graph/id/midlothian/report/2020-2021/risk/C.RR.01-23"
        },
        "evidence-by-code": {"code": "CHN8a"},
    }
    with app.app_context():
        listed = examples()
    assert len(listed) >= 15
    for e in listed:
        if any(p["required"] for p in e["parameters"]):
            values = {f"p.{k}": v for k, v in filled[e["name"]].items()}
            r = client.get("/", query_string={"example": e["name"], "bind": "1", **values})
        else:
            r = client.get("/", query_string={"example": e["name"]})
        html = r.get_data(as_text=True)
        assert r.status_code == 200, (e["name"], html[:300])
        assert '<table class="results">' in html and "<tbody>\n  \n  </tbody>" not in html, e["name"]
        assert re.search(r'<p class="count">[1-9]\d* rows?</p>', html), e["name"]
