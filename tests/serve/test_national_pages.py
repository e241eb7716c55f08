"""The saved queries on a national graph (issue 17 part 2): a council's question asked without a council
offers exactly the graph's councils (a person) or is a 400 naming them (a program); a council's answer is
the answer of the graph of that council alone and shows nothing of another council; a question read page
by page (`# page:`) shows one value with links to every other, and its download is the whole answer,
streamed part by part in the whole answer's order. The graph: the two real Midlothian reports and the
same reports re-keyed as Fife (test_national.py's fixture)."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import test_national

from outcome_graph.errors import OutcomeGraphError
from outcome_graph.query_layer import councils
from outcome_graph.saved_queries import QueryDefinitionError, load_queries, parse_query, run_query
from outcome_graph.serve import query_pages

OGR, OTHER = test_national.OGR, test_national.OTHER
national, client = test_national.national, test_national.client  # the national graph's fixtures
QUERIES = load_queries()
SCOPED = sorted(n for n, q in QUERIES.items() if q.scope == "council")
REQUIRED = {"evidence-by-code": {"code": "CHN9"}}


def bindings(client, url: str, **params) -> list[dict]:
    r = client.get(url, query_string={**params, "format": "json"})
    assert r.status_code == 200, (url, params, r.get_data(as_text=True)[:400])
    return json.loads(r.get_data(as_text=True))["results"]["bindings"]


def plain(rows: list[dict]) -> list[str]:
    """Rows as sorted JSON text of their values, without the figure labels the app adds."""
    return sorted(
        json.dumps({k: v["value"] for k, v in r.items() if not k.endswith("_label")}, sort_keys=True)
        for r in rows
    )


def plain_terms(result) -> list[str]:
    return sorted(json.dumps({k: str(v) for k, v in r.items()}, sort_keys=True) for r in result.rows)


def test_the_council_questions_are_every_question_that_lists_a_council_s_records():
    assert set(SCOPED) >= {
        "claims",
        "complaints",
        "continuity",
        "evidence-by-code",
        "implementing-records",
        "lgbf-benchmarks",
        "note-search",
        "priorities-without-indicators",
        "reported-totals",
        "restated-values",
        "risks",
    }


def choices(page: str) -> list[tuple[str, dict]]:
    """(label, parameters) of each council the choice page links to."""
    out = []
    for href, label in re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', page):
        out.append((html.unescape(label), parse_qs(urlsplit(html.unescape(href)).query)))
    return out


@pytest.mark.parametrize("name", SCOPED + ["indicator-history"])
def test_asked_without_a_council_a_person_gets_the_question_and_exactly_the_graph_s_councils(
    client, national, name
):
    params = REQUIRED.get(name, {}) | ({"code": "CHN8a"} if name == "indicator-history" else {})
    r = client.get(f"/queries/{name}", query_string={**params, "format": "html"})
    assert r.status_code == 300, r.get_data(as_text=True)[:300]
    page = r.get_data(as_text=True)
    assert QUERIES[name].title in html.unescape(page) and "<form" in page
    offered = choices(page)
    assert [q["council"] for _label, q in offered] == [[f"ogr:{c}"] for c in councils(national)]
    assert councils(national) == ["fife", "midlothian"]
    for _label, q in offered:  # each link keeps the other parameters, and answers
        assert {k: v for k, v in q.items() if k not in ("council", "format")} == {
            k: [v] for k, v in params.items()
        }
        chosen = {k: v[0] for k, v in q.items()}
        assert client.get(f"/queries/{name}", query_string=chosen).status_code == 200
    # a question read council by council offers every council's rows as a download; a council's own
    # question does not (its download without a council is the 400 below)
    assert ("Download every council" in page) == (name == "indicator-history")


@pytest.mark.parametrize("name", SCOPED)
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_asked_without_a_council_a_program_gets_a_400_naming_every_council(client, name, fmt):
    r = client.get(f"/queries/{name}", query_string={**REQUIRED.get(name, {}), "format": fmt})
    assert r.status_code == 400
    text = r.get_data(as_text=True)
    assert "2 councils" in text and "ogr:fife" in text and "ogr:midlothian" in text and "council=" in text


@pytest.mark.parametrize("name", SCOPED)
def test_a_council_s_answer_is_its_graph_s_answer_and_nothing_of_another_council(client, built_store, name):
    """Bound to Midlothian on the national graph (streamed report by report where the question is read
    by report), the rows are those the question gives on the graph of Midlothian's reports alone; Fife's
    answer holds no Midlothian record."""
    params = REQUIRED.get(name, {})
    alone = run_query(built_store, QUERIES[name], params)
    mine = bindings(client, f"/queries/{name}", council="ogr:midlothian", **params)
    assert plain(mine) == plain_terms(alone)
    fife = bindings(client, f"/queries/{name}", council=f"ogr:{OTHER}", **params)
    # the same reports re-keyed: as many rows, but for what is curated for Midlothian alone (continuity)
    assert fife and (len(fife) == len(mine) or name == "continuity")
    assert f"{OGR}midlothian/" not in json.dumps(fife) and f'{OGR}midlothian"' not in json.dumps(fife)


PAGED = [  # a paged question, its other parameters, and its page variable as a column of the answer
    ("councils-compared", {"code": "CHN9"}, "year"),
    ("indicator-history", {"code": "CHN8a"}, "council"),
    ("restated-values", {"council": "ogr:midlothian"}, "laterReport"),
    ("claims", {"council": f"ogr:{OTHER}"}, "report"),
    ("risks", {"council": "ogr:midlothian"}, "report"),
    ("implementing-records", {"council": f"ogr:{OTHER}"}, "reportYear"),
    ("lgbf-benchmarks", {"council": f"ogr:{OTHER}"}, "reportYear"),
    ("priorities-without-indicators", {"council": f"ogr:{OTHER}"}, "report"),
]


@pytest.mark.parametrize("name, params, column", PAGED)
def test_a_download_is_the_whole_answer_streamed_part_by_part_in_its_order(
    client, national, name, params, column
):
    query = QUERIES[name]
    whole = run_query(national, query, params)
    assert whole.rows, name
    r = client.get(f"/queries/{name}", query_string={**params, "format": "json"})
    assert r.status_code == 200 and r.is_streamed
    values = query_pages.page_values(national, query, query.bindings(params))
    assert int(r.headers["X-Outcome-Graph-Parts"]) == len(values) > 1
    got = json.loads(r.get_data(as_text=True))["results"]["bindings"]
    assert plain(got) == plain_terms(whole)
    # in the whole answer's order: its page column runs as the whole answer's does
    assert [g[column]["value"] for g in got] == [str(w[column]) for w in whole.rows]
    csv_text = client.get(f"/queries/{name}", query_string={**params, "format": "csv"}).get_data(as_text=True)
    lines = csv_text.splitlines()
    first = re.search(r"SELECT\s+(?:DISTINCT\s+)?\?(\w+)", query.text)[1]
    assert lines[0].startswith(first + ",")
    assert sum(1 for line in lines if line == lines[0]) == 1  # one header
    assert not any(line.startswith("# the download stopped") for line in lines)


def test_a_part_that_fails_ends_the_download_so_that_it_cannot_pass_for_the_whole(client, monkeypatch):
    url = "/queries/councils-compared"
    parts = int(
        client.get(url, query_string={"code": "CHN9", "format": "csv"}).headers["X-Outcome-Graph-Parts"]
    )
    real = query_pages.part_body
    calls: list[dict] = []

    def fails_last(query, bound, fmt, timeout, max_rows, **kw):
        calls.append(bound)
        if len(calls) == parts:
            raise OutcomeGraphError("the query ran past the time limit")
        return real(query, bound, fmt, timeout, max_rows, **kw)

    monkeypatch.setattr(query_pages, "part_body", fails_last)
    text = client.get(url, query_string={"code": "CHN9", "format": "csv"}).get_data(as_text=True)
    assert text.splitlines()[-1].startswith(f"# the download stopped at part {parts} of {parts} (")
    assert "ran past the time limit" in text.splitlines()[-1]
    calls.clear()
    body = client.get(url, query_string={"code": "CHN9", "format": "json"}).get_data(as_text=True)
    with pytest.raises(ValueError):
        json.loads(body)
    assert len({str(b["year"]) for b in calls}) == parts  # each part its own query, one year each


def test_the_national_comparison_page_shows_the_latest_year_with_figures_and_links_every_year(
    client, national
):
    query = QUERIES["councils-compared"]
    whole = run_query(national, query, {"code": "CHN9"})
    years = sorted(
        {str(r["year"]).rsplit("/", 1)[1] for r in whole.rows if "government-year" in str(r["year"])}
    )
    with_figures = sorted({str(r["year"]).rsplit("/", 1)[1] for r in whole.rows if "value" in r})
    r = client.get("/queries/councils-compared", query_string={"code": "CHN9", "format": "html"})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    nav = page.split('<nav class="pages"', 1)[1].split("</nav>", 1)[0]
    current = re.search(r'<strong aria-current="page">([^<]+)</strong>', nav)[1]
    latest = with_figures[-1]
    assert current == f"{latest[:4]}/{latest[7:]}"
    linked = [
        parse_qs(urlsplit(html.unescape(h)).query)["year"][0] for h in re.findall(r'href="([^"]+)"', nav)
    ]
    assert sorted(linked + [latest]) == years
    shown = len(re.findall(r"<tr", page.split("<table", 1)[1])) - 1
    assert shown == sum(1 for r in whole.rows if str(r["year"]).endswith("/" + latest)) > 0
    assert "Download every year" in page


def test_a_count_in_a_sub_select_is_read_for_the_parameters_given():
    """reported-totals' counts are grouped sub-selects, which the outer VALUES does not reach: each gets
    the parameters at its own #@values line."""
    query = QUERIES["reported-totals"]
    bound = query.bindings({"council": "ogr:fife", "report": "2020-2021"})
    text = query.text_for(bound)
    subselects = text.split("{ SELECT ?reportDoc")[1:]
    assert subselects and all(f"<{OGR}fife>" in s.split("GROUP BY", 1)[0] for s in subselects)
    assert query.text_for({}).count("VALUES") == 0


def test_a_page_header_names_an_optional_parameter_and_a_values_query(tmp_path):
    head = "# title: t\n# description: d\n# param: year year * y\n"
    body = "SELECT ?x WHERE { ?x ?p ?year }\n"
    with pytest.raises(QueryDefinitionError, match="is not '# page: PARAM VALUES'"):
        parse_query(head + "# page: year\n" + body, "t", tmp_path / "t.rq")
    with pytest.raises(QueryDefinitionError, match="needs an optional parameter"):
        parse_query(head + "# page: other years\n" + body, "t", tmp_path / "t.rq")
    with pytest.raises(QueryDefinitionError, match="which is not there"):
        parse_query(head + "# page: year years\n" + body, "t", tmp_path / "t.rq")
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "years.rq").write_text("SELECT ?value WHERE { ?value ?p ?o }\n")
    assert parse_query(head + "# page: year years\n" + body, "t", tmp_path / "t.rq").page == "year"


def test_a_part_cut_by_the_row_limit_after_the_download_started_is_said_in_the_answer(national):
    """The header can say only what the parts run before the answer started found; a later part cut by
    the row limit is said in the answer: the JSON head (written last), an XML comment, a last CSV line."""
    from outcome_graph.serve.app import create_app

    cut = create_app(store=national, config={"timeout": 30, "max_rows": 1}).test_client()
    url, params = "/queries/councils-compared", {"code": "CHN9"}
    parts = int(cut.get(url, query_string={**params, "format": "csv"}).headers["X-Outcome-Graph-Parts"])
    assert parts > 1
    doc = json.loads(cut.get(url, query_string={**params, "format": "json"}).get_data(as_text=True))
    assert doc["head"]["truncated"] is True and doc["head"]["vars"][0] == "council"
    assert len(doc["results"]["bindings"]) == parts  # one row a part, each part cut
    last = cut.get(url, query_string={**params, "format": "csv"}).get_data(as_text=True).splitlines()[-1]
    said = rf"# the download was cut: only the first rows of part 2 of {parts} \(.+\) are given"
    said += r" \(the row limit\)"
    assert re.fullmatch(said, last), last
    xml = cut.get(url, query_string={**params, "format": "xml"}).get_data(as_text=True)
    assert "<!-- outcome-graph: truncated: only the first rows of part 2 of" in xml
