"""No dead ends (issue 11, items 6 and 7) and plain words on the gaps, validation and audit pages, on the
real reports."""

from __future__ import annotations

import re
from html import unescape

from conftest import validated

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
INTERNAL = re.compile(r"\b(OffTarget|OnTarget|DataOnly|NotAvailable|pis\.[a-z_]+|actions\.[a-z_]+)\b")


def text_of(html: str) -> str:
    main = html.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<(style|svg)\b.*?</\1>", " ", main, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", main))


def test_a_saved_query_opens_as_a_page_in_a_browser_and_as_json_for_a_program(client):
    r = client.get("/queries/risks", headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.mimetype == "text/html"
    r = client.get("/queries/risks", headers={"Accept": "*/*"})
    assert r.mimetype == "application/sparql-results+json"


def test_the_endpoint_link_opens_the_query_page_for_a_person_only(client):
    r = client.get("/sparql", headers={"Accept": BROWSER})
    assert r.status_code == 303 and r.headers["Location"].endswith("/")
    for accept in ("text/turtle", "*/*", None):
        r = client.get("/sparql", headers={"Accept": accept} if accept else {})
        assert r.status_code == 200 and r.mimetype == "text/turtle", accept


def test_a_missing_page_is_the_sites_own_page_with_ways_on(client):
    r = client.get("/no/such/page", headers={"Accept": BROWSER})
    assert r.status_code == 404 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert '<form class="site-search"' in html and 'href="/search"' in html and 'href="/trace"' in html
    assert "There is no page at /no/such/page" in html and 'href="/id/"' in html  # the index, a way on
    assert client.get("/no/such/page", headers={"Accept": "application/json"}).get_json()["status"] == 404
    r = client.get("/id/midlothian/nothing-here", headers={"Accept": BROWSER})
    assert r.status_code == 404 and '<form class="site-search"' in r.get_data(as_text=True)


def test_record_pages_link_to_their_trace_and_read_in_words(client):
    html = client.get(
        "/id/midlothian/report/2020-2021/action/CSPC.P.2.1", headers={"Accept": BROWSER}
    ).get_data(as_text=True)
    iri = "https://w3id.org/outcome-graph/id/midlothian/report/2020-2021/action/CSPC.P.2.1"
    assert f'href="/trace?node={iri}"' in html
    text = text_of(html)
    assert "og:" not in text and "rdf:" not in text and "/link/" not in text
    assert re.search(r"due date\s+2021-03-31", text) and "Off Target" in text
    # "Linked from" and the links read as sentences: subject, verb, object
    text = re.sub(r"\s+", " ", text)
    assert re.search(r"CSPC\.P\.2\.1a Increase the number of staff .* measures action CSPC\.P\.2\.1", text)
    assert re.search(r"CSPC\.P\.2\.1 Evidence further .* is reported under priority 02", text)


def test_gaps_name_things_once_and_in_words(client):
    text = text_of(client.get("/gaps", headers={"Accept": BROWSER}).get_data(as_text=True))
    for doubled in ("Care Care", "Family Family", "People People", "Scaffolding Scaffolding"):
        assert doubled not in text
    assert not INTERNAL.search(text), INTERNAL.search(text)
    assert "Performance indicators on target, complete or data only" in text
    assert "2020/21 line 208" in text


def test_validation_looks_like_the_other_pages_and_warnings_are_not_errors(client):
    validated(client, "/validation?format=json")  # its reports, validated in the background
    html = client.get("/validation", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert '<table class="results validation">' in html
    assert 'class="badge badge-warning"' in html and "badge-violation" not in html
    assert '<tr class="warning">' not in html and 'class="error"' not in html
    assert '<th scope="col">Line</th><th scope="col">Value</th>' in html
    assert not INTERNAL.search(text_of(html)), INTERNAL.search(text_of(html))


def test_the_audit_names_priorities_on_the_grid_and_shows_charts(client):
    html = client.get("/audit?report=2020-2021&validate=0", headers={"Accept": BROWSER}).get_data(
        as_text=True
    )
    text = text_of(html)
    assert '<abbr title="Increase the proportion of C &amp; YP who feel safe' in html
    assert "The priorities heading the columns" in text
    # a chart for each indicator the audit shows with two figures or more (issue 19: none for fewer)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="indicator-chart"') == 7
    assert "@page{size:A4" in html and "Data version" in text and "Midlothian Council" in text
    assert not INTERNAL.search(text), INTERNAL.search(text)


def test_a_figure_placed_by_inference_is_marked_on_its_chart(client):
    # 2020/21 line 207: the extractor placed two figures in their periods by inference (og:placement)
    html = client.get(
        "/id/midlothian/indicator/corporate/service-priority-actions-on-target", headers={"Accept": BROWSER}
    ).get_data(as_text=True)
    chart = html.split('class="indicator-chart"', 1)[1].split("</svg>", 1)[0]
    assert "period inferred" in chart and 'stroke-dasharray="2 2"' in chart
    assert "(period inferred)" in text_of(html)  # and in the table beside it
