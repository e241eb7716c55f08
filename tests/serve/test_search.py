"""Search on every page (/search, HTML and JSON) over the real reports, through the store (embedded and a
real Oxigraph server: the same answers, so the words run as SPARQL, not as a scan in Python)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from outcome_graph.serve.search import words_of

ACT = "http://www.legislation.gov.uk/id/asp/2014/8"
P02_2016 = "https://w3id.org/outcome-graph/id/midlothian/report/2016-2017/priority/02"
P02_2020 = "https://w3id.org/outcome-graph/id/midlothian/report/2020-2021/priority/02"


def found(client, q, **args):
    r = client.get("/search", query_string={"q": q, "format": "json", **args})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()["results"]


def test_an_ambiguous_code_lists_each_record_with_its_report(each_client):
    hits = found(each_client, "02")
    exact = [h for h in hits if h["exact"]]
    assert [(h["iri"], h["reports"]) for h in exact] == [(P02_2016, ["2016-2017"]), (P02_2020, ["2020-2021"])]
    # the exact code comes first
    assert hits[: len(exact)] == exact
    # "02" is a word, never the inside of a year: not the UNCRC Act 2024, not the 2021 guidance
    for h in hits:
        words = re.split(r"[^0-9A-Za-z.]+", f"{h['code'] or ''} {h['title'] or ''} {h['kind']}".lower())
        assert any(w.startswith("02") for w in words), h


def test_priority_words_and_one_report(each_client):
    assert [h["iri"] for h in found(each_client, "priority 02")] == [P02_2016, P02_2020]
    assert [h["iri"] for h in found(each_client, "priority 2")] == [P02_2016, P02_2020]
    assert [h["iri"] for h in found(each_client, "02", report="2020/21") if h["exact"]] == [P02_2020]


def test_statutes_and_frameworks_by_name_with_parts_in_their_order(each_client):
    hits = found(each_client, "2014 Act")
    assert hits[0]["iri"] == ACT
    parts = [h["code"] for h in hits if h["kind"] == "Provision" and h["code"].startswith("Part ")]
    assert parts == sorted(parts, key=lambda c: int(c.split()[1]))
    assert parts[:3] == ["Part 1", "Part 2", "Part 3"]
    assert found(each_client, "Promise")[0]["title"] == "The Promise"
    titles = [h["title"] for h in found(each_client, "corporate parenting")]
    assert "Corporate parenting" in titles


def test_codes_and_title_words_across_both_reports(each_client):
    hits = found(each_client, "CSPC.P.2.1")
    assert hits[0]["code"] == "CSPC.P.2.1" and hits[0]["exact"] and hits[0]["kind"] == "Action"
    assert {"CSPC.P.2.1a", "CSPC.P.2.1b"} <= {h["code"] for h in hits}  # a code's beginning finds its family
    chn8a = found(each_client, "CHN8a")
    assert chn8a[0]["reports"] == ["2016-2017", "2020-2021"]
    looked_after = found(each_client, "looked after")
    assert {y for h in looked_after for y in h["reports"]} == {"2016-2017", "2020-2021"}


def test_the_search_page_for_people(client):
    r = client.get("/search", query_string={"q": "02"}, headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = unescape(r.get_data(as_text=True))
    assert "2 matches for “02”" in html
    assert "(2016/17 report)" in html and "(2020/21 report)" in html
    assert 'href="/id/midlothian/report/2020-2021/priority/02"' in html
    # every page has the search box
    for path in ("/", "/gaps", "/queries?format=html", "/id/midlothian/indicator/BS.CS.LPI.04"):
        page = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert '<form class="site-search" method="get" action="/search" role="search">' in page, path


def test_an_ambiguous_trace_is_a_page_of_links_not_command_line_advice(client):
    r = client.get("/trace/02", headers={"Accept": "text/html"})
    assert r.status_code == 300
    html = unescape(r.get_data(as_text=True))
    assert "“02” names more than one record" in html
    assert "--report" not in html
    for iri in (P02_2016, P02_2020):
        assert f'href="/trace?node={iri}"' in html
    r = client.get("/trace/02", headers={"Accept": "application/json"})
    assert r.status_code == 300 and [m["iri"] for m in r.get_json()["matches"]] == [P02_2016, P02_2020]
    # the trace page's own search is the site's search
    r = client.get("/trace?q=02&report=2020-2021")
    assert r.status_code == 303 and r.headers["Location"].startswith("/search?q=02")


def test_too_many_words_is_a_clear_400(client):
    r = client.get("/search", query_string={"q": "a b c d e f g", "format": "json"})
    assert r.status_code == 400 and "at most 6 words" in r.get_json()["error"]


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("Priority 2", ["priority", "02"]),
        ("Safe & Together", ["safe", "together"]),
        ("CS.S.01.02", ["cs.s.01.02"]),
    ],
)
def test_words_as_the_query_compares_them(typed, words):
    assert words_of(typed) == words
