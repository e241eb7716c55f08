"""Views on a small national graph: the two real reports of Midlothian plus the same reports re-keyed
as a second council (Fife), built into one embedded store. Every view is scoped to the council (and
report) it shows: a page of one council shows nothing of the other, gives the same rows as the
single-council graph, and counts what every other view counts; a graph of several councils needs one
named; a slow part of a page is a 503 with Retry-After, answered once and remembered, never a 404."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import threading
import time

import pytest
from rdflib import URIRef

from outcome_graph.build import build_from_extractions, sources_fingerprint, to_ntriples
from outcome_graph.counts import count_members
from outcome_graph.extract import extract_report
from outcome_graph.paths import bundled_reports
from outcome_graph.query_layer import Flight, Slow, scope_of
from outcome_graph.serve.app import create_app
from outcome_graph.store import open_store
from outcome_graph.store.build import ensure_built
from outcome_graph.trace import source

OGR = "https://w3id.org/outcome-graph/id/"
OTHER = "fife"


def rekeyed(x, council: str):
    info = dataclasses.replace(x.report, council=council, source=f"{council}-{x.report.id}.txt")
    return dataclasses.replace(x, report=info)


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    real = [extract_report(p) for p in bundled_reports()]
    g = build_from_extractions(real).graph
    g += build_from_extractions([rekeyed(x, OTHER) for x in real]).graph
    data = to_ntriples(g)
    directory = tmp_path_factory.mktemp("national")
    ensure_built(directory, fingerprint=sources_fingerprint(), source=lambda _p: io.BytesIO(data))
    store = open_store(directory, progress=None, build_if_missing=False)
    yield store
    store.close()


@pytest.fixture(scope="module")
def client(national):
    return create_app(store=national, config={"timeout": 30, "max_rows": 10000}).test_client()


def get_json(client, url: str, status: int = 200):
    r = client.get(url)
    assert r.status_code == status, (url, r.get_data(as_text=True)[:500])
    return r.get_json()


def mentions(data, council: str) -> bool:
    return f"{OGR}{council}/" in json.dumps(data)


def test_the_graph_holds_two_councils_each_with_both_reports(national):
    for council in ("midlothian", OTHER):
        scope = scope_of(national, council)
        assert scope.years == ("2016-2017", "2020-2021")
        assert all(r.startswith(f"{OGR}{council}/report/") for r in scope.reports)


def test_a_council_s_graph_is_the_single_council_graph(national, built_store):
    """The trace graph read for Midlothian from the national store has exactly the nodes and links of
    the graph of Midlothian's reports alone (the bundled store): nothing of Fife, nothing lost."""
    tg = source.load(built_store)
    mid = source.load(national, "midlothian")
    assert set(mid.g.nodes) == set(tg.g.nodes)
    assert set(mid.g.edges) == set(tg.g.edges)
    fife = source.load(national, OTHER)
    assert not any(n.startswith(f"{OGR}midlothian/") for n in fife.g)
    assert len(fife.g) == len(mid.g)


def test_counts_asked_of_the_scope_are_the_counts_of_the_whole_store(national):
    """The counts a page shows are asked of the triples fetched for its council (query_layer.local);
    asked of the whole national store for the same reports they give the same members."""
    for council in ("midlothian", OTHER):
        tg = source.load(national, council)
        whole = count_members(national, tg.scope.report_terms)
        assert tg.counts == whole
        assert sum(len(m) for c in whole.values() for m in c.values()) > 100


def test_pages_of_one_council_show_nothing_of_the_other(client):
    node = f"{OGR}{OTHER}/report/2020-2021/action/CSPC.P.2.1"
    t = get_json(client, f"/trace?node={node}&format=json")
    assert t["root"]["iri"] == node and t["nodes"]
    assert mentions(t, OTHER) and not mentions(t, "midlothian")
    act = "http://www.legislation.gov.uk/id/asp/2014/8"
    for council, other in (("midlothian", OTHER), (OTHER, "midlothian")):
        t = get_json(client, f"/trace?node={act}&council={council}&report=2020-2021&format=json")
        assert mentions(t, council) and not mentions(t, other)
        gaps = get_json(client, f"/gaps?council={council}&report=2020-2021&format=json")
        assert gaps["gaps"] and not mentions(gaps, other)
        audit = get_json(client, f"/audit?council={council}&report=2020-2021&validate=0&format=json")
        assert audit["council"] == council and not mentions(audit, other)


def test_both_councils_show_the_same_numbers_for_the_same_reports(client):
    a = get_json(client, "/gaps?council=midlothian&report=2020-2021&format=json")["counts"]
    b = get_json(client, f"/gaps?council={OTHER}&report=2020-2021&format=json")["counts"]
    # The score bands that say which risks are "Medium" are curated for Midlothian only
    # (graph/curated/formulas.ttl og:usedBy): Fife's "4 Medium Risks" disagrees with its 0, one more.
    assert a.pop("total-disagrees") + 1 == b.pop("total-disagrees")
    assert a == b and sum(a.values()) > 10


def test_a_national_page_needs_a_council_and_a_council_must_exist(client):
    for url in ("/gaps?format=json", "/audit?validate=0&format=json", "/trace/CSPC.P.2.1?format=json"):
        r = client.get(url)
        assert r.status_code == 400, url
        assert "2 councils" in r.get_json()["error"] and OTHER in r.get_json()["error"]
    r = client.get("/gaps?council=atlantis&format=json")
    assert r.status_code == 404 and "no council 'atlantis'" in r.get_json()["error"]
    r = client.get(f"/audit?council={OTHER}&report=2030-2031&validate=0&format=json")
    assert r.status_code == 404 and "2016-2017, 2020-2021" in r.get_json()["error"]


def test_search_reads_the_index_and_scopes_to_a_council(client):
    hits = get_json(client, "/search?q=02&format=json")["results"]
    exact = [h["iri"] for h in hits if h["exact"]]
    assert {
        f"{OGR}{c}/report/{y}/priority/02" for c in ("midlothian", OTHER) for y in ("2016-2017", "2020-2021")
    } == set(exact)
    hits = get_json(client, f"/search?q=02&council={OTHER}&report=2020/21&format=json")["results"]
    assert [h["iri"] for h in hits if h["exact"]] == [f"{OGR}{OTHER}/report/2020-2021/priority/02"]
    assert not mentions(hits, "midlothian")
    shared = get_json(client, f"/search?q=2014+Act&council={OTHER}&format=json")["results"]
    assert shared[0]["iri"] == "http://www.legislation.gov.uk/id/asp/2014/8"


def test_councils_compared_and_off_target_by_council(client, national):
    rows = get_json(client, "/queries/councils-compared?code=CHN9&format=json")["results"]["bindings"]
    by_council: dict[str, set] = {}
    for r in rows:
        by_council.setdefault(r["council"]["value"], set()).add((r["year"]["value"], r["value"]["value"]))
    assert set(by_council) == {f"{OGR}midlothian", f"{OGR}{OTHER}"}
    assert by_council[f"{OGR}midlothian"] == by_council[f"{OGR}{OTHER}"]  # the same report, re-keyed
    assert any(r.get("rank") for r in rows)
    page = client.get(f"/compare?code=CHN9&council={OTHER}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html and "compare-chart" in html
    one = get_json(client, "/queries/off-target-by-council?report=2020-2021&format=json")["results"][
        "bindings"
    ]
    assert len(one) == 2
    for row in one:
        council = row["council"]["value"].rsplit("/", 1)[-1]
        tg = source.load(national, council)
        members = tg.counts["indicators-off-target"].get(row["reportDoc"]["value"], [])
        assert int(row["offTarget"]["value"]) == len(members) > 0  # the one count every view shows


@pytest.mark.parametrize("year", [None, "2018/19"])
def test_the_comparison_page_reads_the_year_it_charts_and_offers_every_year_with_figures(client, year):
    """/compare charts one year and reads only it: its rows are the saved query's rows for that year (the
    latest with a figure when none is asked for), and its other years are exactly the years of the saved
    query's every-year rows that have a value. Before, the page read every council's every year (14,656
    rows for CHN9 at 32 councils x 47 years, past the time limit) to show one."""
    every = get_json(client, "/queries/councils-compared?code=CHN9&format=json")["results"]["bindings"]
    with_value = sorted({r["year"]["value"].rsplit("/", 1)[-1] for r in every if "value" in r})
    page = get_json(client, "/compare?code=CHN9&format=json" + (f"&year={year}" if year else ""))
    assert page["years"] == with_value and len(with_value) > 1
    charted = "2018-2019" if year else with_value[-1]
    assert page["year"] == charted
    of_year = [r for r in every if r["year"]["value"].endswith("/" + charted)]
    assert of_year and len(of_year) < len(every)
    assert [r["observation"] for r in page["rows"]] == [r["observation"]["value"] for r in of_year]
    assert {r["council"] for r in page["rows"]} == {"midlothian", OTHER}


def test_reported_totals_count_each_council_s_members_and_run_each_count_once(client, national):
    """reported-totals on a national graph: every stated total of both councils (each council's two
    reports) beside the number of members its count file gives for that report, through the app.
    Each count is a grouped subquery, run once for the nation, never written in beside the total whose
    bound report made Oxigraph walk every record of that report once per total (77 s at 32 x 10)."""
    from outcome_graph.counts import by_total, load_counts
    from outcome_graph.saved_queries import get_query

    rows = [  # a council's question: asked of each council (the nation's is a 400 naming them)
        row
        for c in ("midlothian", OTHER)
        for row in get_json(client, f"/queries/reported-totals?format=json&council=ogr:{c}")["results"][
            "bindings"
        ]
    ]
    members = count_members(national)
    seen: dict[str, int] = {}
    for r in rows:
        year = r["report"]["value"].rsplit("/", 1)[1]
        report = r["total"]["value"].split("/report/")[0] + "/report/" + year
        count = by_total(r["totalOf"]["value"])
        assert count is not None, r["totalOf"]["value"]
        assert int(r["counted"]["value"]) == len(members[count.name].get(report, [])), (report, count.name)
        council = report.removeprefix(OGR).split("/")[0]
        seen[council] = seen.get(council, 0) + 1
    assert seen == {"midlothian": seen["midlothian"], OTHER: seen["midlothian"]} and seen[OTHER] >= 10
    assert any(int(r["counted"]["value"]) > 0 for r in rows)
    text = get_query("reported-totals").text
    stated = [c for c in load_counts().values() if c.total]
    assert text.count("(COUNT(DISTINCT ?record) AS ?n)") == text.count("GROUP BY ?reportDoc }") == len(stated)


@pytest.mark.parametrize("code", ["CHN8a", "corporate/invoices-paid-within-30-days"])
def test_indicator_history_takes_a_council_and_gives_that_council_s_rows(client, code):
    """`council` bounds indicator-history to one council's reports: each council's answer is its own
    reports' figures only, the two answers are the same reports re-keyed, and together they are the
    unbounded answer (a national indicator, CHN8a, and an uncoded one named by its key)."""

    def rows(extra: str = "") -> list[dict]:
        url = f"/queries/indicator-history?code={code}&format=json{extra}"
        return get_json(client, url)["results"]["bindings"]

    def key(r: dict) -> tuple:  # a row without the council in its IRIs
        return tuple(re.sub(f"/{OTHER}(/|$)", r"/midlothian\1", r[v]["value"]) for v in sorted(r))

    everyone = rows()
    by_council = {c: rows(f"&council=ogr:{c}") for c in ("midlothian", OTHER)}
    for council, own in by_council.items():
        assert own, council
        assert all(f"/id/{council}/report/" in r["observation"]["value"] for r in own), council
    assert sorted(map(key, by_council["midlothian"])) == sorted(map(key, by_council[OTHER]))
    both = by_council["midlothian"] + by_council[OTHER]
    assert sorted(json.dumps(r, sort_keys=True) for r in both) == sorted(
        json.dumps(r, sort_keys=True) for r in everyone
    )


def test_a_slow_part_is_503_with_retry_after_and_is_not_retried_by_every_request(national, monkeypatch):
    """A page whose query passes its time limit says which part was slow (503, Retry-After), and the
    requests after it get the same answer at once instead of running the query again."""
    monkeypatch.setattr(source, "_GRAPHS", Flight(size=4))
    calls = []
    real = source._scoped_rdf

    def slow(store, scope, timeout=None):
        calls.append(scope)
        raise Slow("the council's records", "stopped at the time limit")

    monkeypatch.setattr(source, "_scoped_rdf", slow)
    c = create_app(store=national, config={"timeout": 30, "max_rows": 10000}).test_client()
    for _ in range(3):
        r = c.get(f"/gaps?council={OTHER}&report=2016-2017&format=json")
        assert r.status_code == 503 and int(r.headers["Retry-After"]) > 0
        assert "the council's records took longer than the time limit" in r.get_json()["error"]
    assert len(calls) == 1
    monkeypatch.setattr(source, "_scoped_rdf", real)
    del real


def test_a_fault_in_a_query_file_is_a_500_not_a_missing_page(national, monkeypatch):
    """A query the views ask that the project got wrong (here two #@values lines) is the project's fault:
    the page answers 500 naming it, never 404 "not found" as a page asked of a missing record does."""
    from outcome_graph.query_layer.reads import query_text
    from outcome_graph.trace import neighbourhood

    c = create_app(store=national, config={"timeout": 30, "max_rows": 10000}).test_client()
    assert c.get(f"/trace?node={OGR}{OTHER}/report/1999-2000/action/NONE&format=json").status_code == 404
    monkeypatch.setattr(neighbourhood, "_TRACES", Flight(size=4))
    monkeypatch.setattr(neighbourhood, "query_text", lambda name: query_text(name) + "\n#@values\n#@values\n")
    r = c.get(f"/trace?node={OGR}{OTHER}/report/2016-2017&council={OTHER}&format=json")
    assert r.status_code == 500 and "#@values" in r.get_json()["error"]


def test_a_real_timeout_names_the_part(national):
    """With a time limit no query can meet, the store's own timeout comes back as Slow naming the part."""
    tg_flight = Flight(size=2)
    with pytest.raises(Slow, match="took longer than the time limit"):
        tg_flight.get(
            "k", lambda: source._scoped_rdf(national, scope_of(national, OTHER), timeout=0.000001), "x"
        )


def test_single_flight_loads_once_for_many_requests():
    flight = Flight(size=4, wait=10)
    loads = []
    started = threading.Event()

    def load():
        loads.append(1)
        started.set()
        time.sleep(0.3)
        return object()

    got = []
    threads = [threading.Thread(target=lambda: got.append(flight.get("k", load, "part"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loads) == 1 and len(got) == 8 and len({id(x) for x in got}) == 1


def test_report_iris_are_bound_as_terms_never_pasted(national):
    """A report IRI is written by the bindings' term writer: an IRI that could break out of the query is
    refused, not run."""
    from outcome_graph.query_layer import read_select

    with pytest.raises(Exception, match="not allowed in an IRI"):
        read_select(
            national, "SELECT ?x WHERE { ?x ?p ?reportDoc }", "x", {"reportDoc": [URIRef("http://x/> } ")]}
        )


def test_the_search_index_lives_with_the_store_generation(national, client):
    """The index is a file in the store's generation directory (a rebuilt store is a new generation and
    gets a new index); an index of another layout version is not used but rebuilt."""
    from pathlib import Path

    from outcome_graph.query_layer import search_index as si

    assert get_json(client, "/search?q=corporate+parenting&format=json")["results"]
    path = si._file_of(national)
    assert path is not None and path.exists() and path.parent == Path(national.path).parent
    assert path.parent.name == national.generation and si._current(path)
    import sqlite3

    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = 'old' WHERE key = 'version'")
    db.commit()
    db.close()
    assert not si._current(path)
    monkey = si.Flight(size=2)
    index = monkey.get("again", lambda: si._load(national), "index")
    assert si._current(path) and index.lookup(["corporate"], None, OTHER)


# --- saved queries that span the nation (issue 17): data and shapes that keep them bounded ---------------

OG_NS = "https://w3id.org/outcome-graph/def#"


def rowset(result) -> list[str]:
    return sorted(json.dumps({k: str(v) for k, v in row.items()}, sort_keys=True) for row in result.rows)


def test_every_indicator_carries_its_key_as_data(national):
    """The build writes og:key on every indicator: exactly the rest of its IRI after /indicator/, the
    key indicator-history used to compute for every indicator of the nation on each request."""
    result = national.select(
        f"SELECT ?i ?key WHERE {{ ?i a <{OG_NS}Indicator> OPTIONAL {{ ?i <{OG_NS}key> ?key }} }}"
    )
    assert len(result.rows) > 200
    wrong = [r for r in result.rows if str(r.get("key")) != str(r["i"]).split("/indicator/", 1)[1]]
    assert wrong == []
    keys = {str(r["key"]) for r in result.rows}
    assert {"corporate/invoices-paid-within-30-days", "CHN8a"} <= keys


def test_indicator_history_by_key_answers_what_the_computed_key_answered(built_store):
    """On the two-report graph, indicator-history with og:key gives the rows the query gave when it
    computed each indicator's key from its IRI, for every code, older code and key at once (the code
    left free)."""
    from outcome_graph.saved_queries import load_queries

    now = load_queries()["indicator-history"].text
    branch = "?indicator og:key ?code ."
    assert branch in now
    before = now.replace(
        branch, '?indicator a og:Indicator . BIND(STRAFTER(STR(?indicator), "/indicator/") AS ?code)'
    )
    new, old = built_store.select(now), built_store.select(before)
    observations = built_store.select(f"SELECT ?o WHERE {{ ?o <{OG_NS}indicator> ?i }}")
    assert {str(r["observation"]) for r in new.rows} == {str(r["o"]) for r in observations.rows}
    assert rowset(new) == rowset(old)
    assert {"corporate/invoices-paid-within-30-days", "CHN8a", "CHN08a"} <= {str(r["code"]) for r in new.rows}


@pytest.mark.parametrize("report", [None, "2016-2017", "2020-2021"])
def test_priorities_without_indicators_are_those_no_indicator_measures_in_every_council(national, report):
    """priorities-without-indicators joins a MINUS instead of testing NOT EXISTS per priority (the
    national graph took 9-28 s): the same rows as the NOT EXISTS form, for each council alike."""
    from outcome_graph.saved_queries import load_queries

    query = load_queries()["priorities-without-indicators"]
    assert query.text.count("MINUS {") == 2
    before = query.text.replace("MINUS {", "FILTER NOT EXISTS {")
    bound = query.bindings({"report": report} if report else {})
    new = national.select(query.text, bindings=bound)
    assert rowset(new) == rowset(national.select(before, bindings=bound))
    priorities = sorted(str(r["priority"]) for r in new.rows)
    wanted = (
        []
        if report == "2016-2017"
        else [f"{OGR}{c}/report/2020-2021/priority/10" for c in ("fife", "midlothian")]
    )
    assert priorities == wanted


def test_every_observation_fills_the_figure_of_its_council_indicator_and_period(national):
    """og:figure is the same IRI exactly when council, indicator and period are the same: every
    observation has one, and two observations share one only if they share all three."""
    result = national.select(
        f"""SELECT ?o ?figure ?indicator ?period ?council WHERE {{
          ?o a <{OG_NS}Observation> ; <{OG_NS}indicator> ?indicator ; <{OG_NS}period> ?period ;
             <{OG_NS}report>/<{OG_NS}organisation> ?council .
          OPTIONAL {{ ?o <{OG_NS}figure> ?figure }} }}"""
    )
    assert len(result.rows) > 1000 and all("figure" in r for r in result.rows)
    cell_of: dict[str, set] = {}
    figure_of: dict[tuple, set] = {}
    for r in result.rows:
        cell = (str(r["council"]), str(r["indicator"]), str(r["period"]))
        cell_of.setdefault(str(r["figure"]), set()).add(cell)
        figure_of.setdefault(cell, set()).add(str(r["figure"]))
    assert all(len(cells) == 1 for cells in cell_of.values())
    assert all(len(figures) == 1 for figures in figure_of.values())
    # a figure stated by both reports (restated or not) is one IRI, per council
    assert any(len({str(r["o"]) for r in result.rows if str(r["figure"]) == f}) == 2 for f in cell_of)


# What restated-values answered before og:figure: the same council's observations paired by indicator and
# period (the definition the new shape must keep).
RESTATED_BEFORE = """PREFIX og: <https://w3id.org/outcome-graph/def#>
SELECT ?code ?title ?period ?earlierReport ?earlierValue ?earlierLine ?laterReport ?laterValue ?laterLine
       ?unit ?earlier ?later
WHERE {
  ?indicator og:code ?code ; og:title ?title .
  ?earlier og:indicator ?indicator ; og:period ?period ; og:value ?earlierValue ; og:report ?r1 .
  ?later og:indicator ?indicator ; og:period ?period ; og:value ?laterValue ; og:report ?r2 .
  ?r1 og:period ?earlierReport ; og:organisation ?council .
  ?r2 og:period ?laterReport ; og:organisation ?council .
  FILTER(STR(?earlierReport) < STR(?laterReport) && ?earlierValue != ?laterValue)
  OPTIONAL { ?earlier og:evidence/og:firstLine ?earlierLine }
  OPTIONAL { ?later og:evidence/og:firstLine ?laterLine }
  OPTIONAL { ?later og:unit ?unit }
}"""

COUNCIL_QUERIES = ["restated-values", "lgbf-benchmarks"]


@pytest.mark.parametrize("name", COUNCIL_QUERIES)
def test_a_council_s_saved_query_on_a_national_graph_needs_the_council(client, name):
    """A question that is one council's (`# scope: council`) asked of several councils is a 400 naming
    them, answered at once, not a national scan that runs into the time limit."""
    r = client.get(f"/queries/{name}?format=json")
    assert r.status_code == 400
    error = r.get_json()["error"]
    assert "2 councils" in error and "ogr:fife" in error and "ogr:midlothian" in error and "council=" in error


@pytest.mark.parametrize("name", COUNCIL_QUERIES)
def test_a_council_s_saved_query_gives_the_single_council_graph_s_rows(client, built_store, name):
    """Bound to Midlothian on the national graph, each such query answers exactly the rows it gives on the
    graph of Midlothian's reports alone (where it needs no council), and Fife's answer is its own."""
    from outcome_graph.saved_queries import load_queries, run_query

    alone = run_query(built_store, load_queries()[name], {})
    mine = get_json(client, f"/queries/{name}?format=json&council=ogr:midlothian")["results"]["bindings"]
    assert len(mine) == len(alone.rows) > 0
    assert sorted(
        json.dumps({k: v["value"] for k, v in r.items() if not k.endswith("_label")}, sort_keys=True)
        for r in mine
    ) == sorted(json.dumps({k: str(v) for k, v in r.items()}, sort_keys=True) for r in alone.rows)
    fife = get_json(client, f"/queries/{name}?format=json&council=ogr:{OTHER}")["results"]["bindings"]
    assert fife and not mentions(fife, "midlothian")


def test_restated_values_are_the_same_council_s_pairs_as_before(national, built_store):
    """The og:figure shape answers what pairing by indicator, period and council answered, on the
    two-report graph and for each council of the national graph."""
    from outcome_graph.saved_queries import load_queries

    query = load_queries()["restated-values"]
    assert rowset(built_store.select(query.text)) == rowset(built_store.select(RESTATED_BEFORE))
    for council in ("midlothian", OTHER):
        bound = query.bindings({"council": f"ogr:{council}"})
        new = national.select(query.text, bindings=bound)
        assert len(new.rows) > 10
        assert rowset(new) == rowset(national.select(RESTATED_BEFORE, bindings=bound))


# restated-values as one group, before its nested sub-selects: the oracle of the nested form's rows.
RESTATED_ONE_GROUP = """PREFIX og: <https://w3id.org/outcome-graph/def#>
SELECT ?code ?title ?period ?earlierReport ?earlierValue ?earlierLine ?laterReport ?laterValue ?laterLine
       ?unit ?earlier ?later
WHERE {
  ?r2 og:organisation ?council ; og:period ?laterReport .
  ?later og:report ?r2 ; og:figure ?figure ; og:value ?laterValue .
  ?earlier og:figure ?figure ; og:value ?earlierValue ; og:report ?r1 .
  ?r1 og:period ?earlierReport .
  FILTER(STR(?earlierReport) < STR(?laterReport) && ?earlierValue != ?laterValue)
  ?earlier og:indicator ?indicator ; og:period ?period .
  ?indicator og:code ?code ; og:title ?title .
  ?earlier og:evidence ?earlierExcerpt . ?earlierExcerpt og:firstLine ?earlierLine .
  ?later og:evidence ?laterExcerpt . ?laterExcerpt og:firstLine ?laterLine .
  OPTIONAL { ?later og:unit ?unit }
}"""


def test_restated_values_nested_gives_the_one_group_s_rows_for_every_report(national):
    """restated-values reads in nested DISTINCT sub-selects, each starting from the parameters (Virtuoso
    7.2 refused the one group by its cost estimate for every report of a council but the latest, at 10 M
    triples; Oxigraph ran it 10x slower). The rows are the one group's, as a multiset (a DISTINCT that
    removed a row would show here): for each council, each report year of the graph, with and without
    a code, and the council's every report at once; and the text the server runs is the nested one."""
    from outcome_graph.saved_queries import load_queries

    query = load_queries()["restated-values"]
    lines = [line.strip() for line in query.text.splitlines() if not line.lstrip().startswith("# ")]
    assert lines.count("SELECT DISTINCT * WHERE {") == 4 and lines.count("#@values") == 4
    seen = 0
    for council in ("midlothian", OTHER):
        for values in (
            {},
            {"laterReport": "2016-2017"},
            {"laterReport": "2020-2021"},
            {"laterReport": "2020-2021", "code": "CHN8a"},
            {"code": "CHN8a"},
        ):
            bound = query.bindings({"council": f"ogr:{council}", **values})
            text = query.text_for(bound)
            assert "#@values" not in text
            new = national.select(text, bindings=bound)
            old = national.select(RESTATED_ONE_GROUP, bindings=bound)
            assert rowset(new) == rowset(old), (council, values)  # sorted lists: equal as multisets
            seen += len(new.rows)
            if values.get("laterReport") == "2016-2017":
                assert not new.rows  # the earliest report restates nothing
    assert seen > 40


# indicator-history as one group, before its nested sub-selects: the oracle of the nested form's rows.
HISTORY_ONE_GROUP = r"""PREFIX og: <https://w3id.org/outcome-graph/def#>
SELECT DISTINCT ?code ?title ?period ?value ?unit ?status ?target ?note ?reportYear ?firstLine
       ?observation ?placement ?council
WHERE {
  { ?indicator og:code ?code . }
  UNION { ?indicator og:altCode ?code . FILTER NOT EXISTS { ?indicator og:code ?code } }
  UNION { ?indicator og:key ?code . FILTER NOT EXISTS { ?indicator og:code|og:altCode ?code } }
  ?indicator og:title ?title .
  ?observation og:indicator ?indicator ; og:period ?period ; og:report ?report .
  ?report og:period ?reportYear ; og:organisation ?council .
  OPTIONAL { ?observation og:value ?value }
  OPTIONAL { ?observation og:unit ?unit }
  OPTIONAL { ?observation og:status ?status }
  OPTIONAL { ?observation og:target ?target }
  OPTIONAL { ?observation og:note ?note }
  OPTIONAL { ?observation og:evidence/og:firstLine ?firstLine }
  OPTIONAL { ?observation og:placementReason ?placement }
}"""


def test_indicator_history_nested_gives_the_one_group_s_rows(national):
    """indicator-history reads in nested sub-selects from its parameters (a council's CHN8a history at
    10 M triples 1.1 -> 0.65 s on Oxigraph): the rows are the one group's, as a multiset, for an LGBF
    code, an older code (CHN08a), a council's own code and an uncoded indicator's key, each for either
    council and for both at once; the text run has every values line filled."""
    from outcome_graph.saved_queries import load_queries

    query = load_queries()["indicator-history"]
    lines = [line.strip() for line in query.text.splitlines() if not line.lstrip().startswith("# ")]
    assert lines.count("SELECT DISTINCT * WHERE {") == 2 and lines.count("#@values") == 3
    key = str(
        national.select(
            "PREFIX og: <https://w3id.org/outcome-graph/def#> SELECT ?k WHERE { ?i og:key ?k "
            "FILTER NOT EXISTS { ?i og:code ?c } } ORDER BY ?k LIMIT 1"
        ).rows[0]["k"]
    )
    counted = {}
    for code in ("CHN8a", "CHN08a", "CSPC.P.2.1a", key):
        for council in ("midlothian", OTHER, None):
            values = {"code": code} | ({"council": f"ogr:{council}"} if council else {})
            bound = query.bindings(values)
            text = query.text_for(bound)
            assert "#@values" not in text
            new = national.select(text, bindings=bound)
            assert rowset(new) == rowset(national.select(HISTORY_ONE_GROUP, bindings=bound)), values
            counted[(code, council)] = len(new.rows)
    assert all(
        counted[(c, None)] == counted[(c, "midlothian")] + counted[(c, OTHER)] > 0 for c in ("CHN8a", key)
    )
    assert counted[("CHN08a", None)] == counted[("CHN8a", None)]  # the older code names the same indicator


def test_a_council_scope_needs_an_optional_council_parameter(tmp_path):
    from outcome_graph.saved_queries import QueryDefinitionError, parse_query

    text = "# title: t\n# description: d\n# scope: council\nSELECT ?x WHERE { ?x ?p ?o }\n"
    with pytest.raises(QueryDefinitionError, match="needs an optional parameter '# param: council iri"):
        parse_query(text, "t", tmp_path / "t.rq")
    with pytest.raises(QueryDefinitionError, match="'# scope: nation' is not a scope"):
        parse_query(text.replace("council", "nation"), "t", tmp_path / "t.rq")
