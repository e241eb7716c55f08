"""The saved queries (queries/*.rq) on the real reports, their parameters, and /queries, /openapi.json.

Expected rows are read off the report files in graph/reports/ (line numbers as kept there).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef

from outcome_graph.cli import main
from outcome_graph.parameter_terms import PARAM_TYPES, ParameterError, to_term
from outcome_graph.saved_queries import QueryDefinitionError, load_queries, parse_query, run_query
from outcome_graph.store.bindings import bind

R16 = "http://reference.data.gov.uk/id/government-year/2016-2017"
R20 = "http://reference.data.gov.uk/id/government-year/2020-2021"
OG = "https://w3id.org/outcome-graph/def#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"  # (rdflib.namespace.XSD as a test-module global upsets pytest)
OGR = "https://w3id.org/outcome-graph/id/"
ACT_2014 = "http://www.legislation.gov.uk/id/asp/2014/8"
JSON_RESULTS = "application/sparql-results+json"
INJECTIONS = ['" } ; DROP ALL #', "}", 'x" } UNION { ?s ?p ?o } #', "') } #", '\\" } #\n}']


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("saved-queries-store")


@pytest.fixture
def store(each_store):
    """Every question is asked of the embedded store and of a real Oxigraph server (tests/conftest.py)."""
    return each_store


@pytest.fixture(scope="module")
def queries():
    return load_queries()


def plain(term):
    if term is None:
        return None
    if isinstance(term, URIRef):
        return str(term)
    return term.toPython()


def run(store, queries, name, **params):
    result = run_query(store, queries[name], params)
    return [{k: plain(v) for k, v in row.items()} for row in result.rows]


# --- the library ------------------------------------------------------------------------------------


def test_at_least_twelve_questions_each_with_title_description_and_typed_parameters(queries):
    assert len(queries) >= 12
    for q in queries.values():
        assert q.title and q.description, q.name
        assert q.text.lstrip().startswith("#"), q.name
        for p in q.parameters:
            assert p.type in PARAM_TYPES
            assert f"?{p.name}" in q.text


def test_header_errors_name_the_file_line_and_fix(tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_text("# title: T\n# description: D\n# param: code colour CHN8a\nSELECT ?code WHERE {}\n")
    with pytest.raises(QueryDefinitionError, match=r"bad\.rq:3: parameter 'code' has unknown type 'colour'"):
        load_queries(tmp_path)
    with pytest.raises(QueryDefinitionError, match=r"x\.rq:1: the header has no '# title: \.\.\.' line"):
        parse_query("# description: D\nSELECT * WHERE {}", "x", Path("x.rq"))
    with pytest.raises(QueryDefinitionError, match="'year' is not used as \\?year"):
        parse_query("# title: T\n# description: D\n# param: year year 2016\nSELECT * {}", "x")
    with pytest.raises(QueryDefinitionError, match="default: parameter 'report'"):
        parse_query("# title: T\n# description: D\n# param: report year 1999\nSELECT ?report {}", "x")


@pytest.mark.parametrize(
    "text",
    ["2016-2017", "2016/17", "2016-17", "16/17", "2016", " 2016 / 2017 "],
)
def test_a_year_in_any_of_the_reports_spellings_is_the_government_year_iri(text):
    assert to_term("year", text) == URIRef(R16)


def test_parameter_values_become_typed_terms():
    assert to_term("code", "CSPC.P. 1.2a") == Literal("CSPC.P.1.2a")  # extraction noise removed
    assert to_term("code", "C.RR.01 – 23") == Literal("C.RR.01-23")
    assert to_term("iri", "ogr:midlothian/report/2020-2021/risk/C.RR.01-23") == URIRef(
        OGR + "midlothian/report/2020-2021/risk/C.RR.01-23"
    )
    assert to_term("iri", f"<{ACT_2014}>") == URIRef(ACT_2014)
    assert to_term("integer", "12") == Literal(12, datatype=URIRef(XSD_NS + "integer"))
    assert to_term("decimal", "2,951.54") == Literal(Decimal("2951.54"), datatype=URIRef(XSD_NS + "decimal"))
    assert to_term("string", 'a "quoted" } value') == Literal('a "quoted" } value')


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("year", "2016-2018", "not a government year; give it as 2016-2017"),
        ("year", '" } ; DROP ALL #', "not a government year"),
        ("iri", "not an iri", "not an absolute IRI"),
        ("iri", "http://x/> } ; DROP ALL #", "not an absolute IRI"),
        ("integer", "1.5", "not a whole number"),
        ("decimal", "NaN", "not a decimal number"),
    ],
)
def test_a_value_not_of_its_type_is_refused_with_the_parameter_named(kind, value, message):
    with pytest.raises(ParameterError, match=message) as e:
        to_term(kind, value, "report")
    assert "'report'" in str(e.value)


def test_unknown_and_missing_parameters_are_named(queries):
    with pytest.raises(ParameterError, match="query 'evidence' needs the parameter 'record'"):
        queries["evidence"].bindings({})
    with pytest.raises(ParameterError, match="has no parameter 'colour' \\(its parameters: report\\)"):
        queries["off-target-indicators"].bindings({"colour": "red"})


# --- each question, on the real reports --------------------------------------------------------------


def test_off_target_indicators_2020_21_are_the_seven_the_report_lists(store, queries):
    rows = run(store, queries, "off-target-indicators", report="2020/21")
    got = {(r.get("code") or r["title"], r.get("value"), r["firstLine"]) for r in rows}
    # Lines 115-127 list five corporate PIs off target and lines 143-149 two service-plan PIs.
    assert got == {
        ("% of service priority Actions on target / completed, of the total number", Decimal("78.26"), 207),
        ("Average time in working days for a full response for escalated complaints", Decimal("33.5"), 251),
        ("Percentage of complaints at stage 1 complete within 5 working days", Decimal("83.3"), 252),
        ("Percentage of complaints at stage 2 complete within 20 working days", Decimal("92.9"), 253),
        ("Percentage of complaints escalated and complete within 20 working days", Decimal("0"), 254),
        ("CSPC.P.4.1b", Decimal("92"), 374),
        ("CSPC.P.4.1c", Decimal("92"), 375),
    }
    fgdm = next(r for r in rows if r.get("code") == "CSPC.P.4.1b")
    assert fgdm["note"].startswith("20/21: Off Target While it is mandatory that all families are offered")
    assert fgdm["period"] == R20


def test_off_target_indicators_2016_17(store, queries):
    rows = run(store, queries, "off-target-indicators", report="2016-2017")
    by_code = {r["code"]: r for r in rows if "code" in r}
    # line 201: CAMHS referrals 649 against a target of 360
    assert by_code["M.G.CS.01.06a"]["value"] == 649 and by_code["M.G.CS.01.06a"]["target"] == 360
    assert by_code["M.G.CS.01.06a"]["firstLine"] == 201
    # line 188: care leavers in positive destinations 76.92% against 95%
    assert by_code["BS.CS.25"]["value"] == Decimal("76.92") and by_code["BS.CS.25"]["target"] == 95
    assert all(r["period"] == R16 for r in rows)
    assert not {r["code"] for r in rows if "code" in r} & {"CSPC.P.4.1b", "CSPC.P.4.1c"}


def test_one_indicators_history_across_both_reports_quarters_and_years(store, queries):
    rows = run(store, queries, "indicator-history", code="corporate/invoices-paid-within-30-days")
    got = [(r["period"].rsplit("/id/", 1)[1], r["value"], r["reportYear"]) for r in rows]
    # 2016/17 lines 83-84 (96% 95% 97% 97% 96%) and 2020/21 lines 214-215 (98% 99% 99% 98% 98%)
    assert got == [
        ("government-year/2015-2016", 96, R16),
        ("government-quarter/2016-2017/Q1", 95, R16),
        ("government-quarter/2016-2017/Q2", 97, R16),
        ("government-quarter/2016-2017/Q3", 97, R16),
        ("government-year/2016-2017", 96, R16),
        ("government-year/2019-2020", 98, R20),
        ("government-quarter/2020-2021/Q1", 99, R20),
        ("government-quarter/2020-2021/Q2", 99, R20),
        ("government-quarter/2020-2021/Q3", 98, R20),
        ("government-year/2020-2021", 98, R20),
    ]
    annual = [r for r in rows if r["period"] == R20][0]
    assert annual["status"] == OG + "OnTarget" and annual["target"] == 95


def test_history_by_code_and_by_the_older_lgbf_code(store, queries):
    quarters = run(store, queries, "indicator-history", code="BS.CS.04")
    # line 165: referrals to the duty service, cumulative: 1,385 2,469 3,707 4,764
    assert [r["value"] for r in quarters] == [1385, 2469, 3707, 4764]
    assert all(r["firstLine"] == 165 for r in quarters)
    new = run(store, queries, "indicator-history", code="CHN8a")
    old = run(store, queries, "indicator-history", code="CHN08a")  # the 2016/17 report's code
    assert [(r["period"], r.get("value")) for r in new] == [(r["period"], r.get("value")) for r in old]
    assert {(r["value"], r["reportYear"]) for r in new if r["period"].endswith("/2015-2016")} == {
        (Decimal("2951.54"), R16),
        (Decimal("3225.8"), R20),
    }


def test_lgbf_values_with_rank_and_quartile_over_time(store, queries):
    rows = run(store, queries, "lgbf-benchmarks", code="CHN8a")
    ranked = {
        (r["period"][-9:], r["reportYear"]): (r.get("value"), r["rank"], r["quartile"])
        for r in rows
        if "rank" in r
    }
    # line 450: "19/20 Rank 18 (Third Quartile) ... 16/17 Rank 8 (Top Quartile) 15/16 Rank 10 (Second ..."
    assert ranked[("2019-2020", R20)] == (Decimal("4048.58"), 18, 3)
    assert ranked[("2016-2017", R20)] == (Decimal("2902.91"), 8, 1)
    assert ranked[("2015-2016", R20)] == (Decimal("3225.8"), 10, 2)
    # line 211 of 2016/17: "15/16 Rank 10 (Second Quartile)"
    assert ranked[("2015-2016", R16)] == (Decimal("2951.54"), 10, 2)
    every = run(store, queries, "lgbf-benchmarks")
    assert {r["code"] for r in every} == {"CHN8a", "CHN8b", "CHN9", "CHN22", "CHN23"}


def test_restated_values_chn8a_2015_16(store, queries):
    rows = run(store, queries, "restated-values", code="CHN8a")
    row = next(r for r in rows if r["period"].endswith("/2015-2016"))
    assert (row["earlierReport"], row["earlierValue"], row["earlierLine"]) == (R16, Decimal("2951.54"), 211)
    assert (row["laterReport"], row["laterValue"], row["laterLine"]) == (R20, Decimal("3225.8"), 450)
    everything = run(store, queries, "restated-values")
    # CHN9 2010/11 is 88.41 in both reports (lines 213 and 452): the same figure is not a restatement
    assert not [r for r in everything if r["code"] == "CHN9" and r["period"].endswith("/2010-2011")]
    assert all(r["earlierValue"] != r["laterValue"] for r in everything)


def test_actions_and_indicators_by_provision_part_9(store, queries):
    rows = run(store, queries, "implementing-records")  # default: Part 9 (corporate parenting)
    actions = {(r["code"], r["basis"].rsplit("#", 1)[1]) for r in rows if r["kind"] == "action"}
    assert ("CS.S.02.02", "ReportText") in actions  # line 106 names the 2014 Act's care-experienced duties
    assert ("CSPC.P.11.6", "Curation") in actions  # graph/curated/links.csv, with a rationale
    curated = next(r for r in rows if r["code"] == "CSPC.P.11.6")
    assert "Champions group of care experienced young people" in curated["rationale"]
    indicators = {r["code"] for r in rows if r["kind"] == "indicator"}
    assert "CSPC.P.11.6a" in indicators  # measures CSPC.P.11.6 by its code


def test_actions_and_indicators_by_promise_foundation(store, queries):
    rows = run(store, queries, "implementing-records", provision="ogr:framework/the-promise/foundation/voice")
    assert {(r["kind"], r["code"]) for r in rows} == {
        ("action", "CSPC.P.11.6"),
        ("indicator", "CSPC.P.11.6a"),
    }


def test_provisions_of_the_2014_act_with_no_implementing_action(store, queries):
    gaps = {r["provision"] for r in run(store, queries, "unimplemented-provisions")}
    assert ACT_2014 + "/part/13" in gaps  # kinship care: no action names it
    assert ACT_2014 + "/part/11" in gaps  # continuing care: only an indicator (line 138), no action
    assert ACT_2014 + "/part/9" not in gaps and ACT_2014 + "/part/10" not in gaps
    assert all(p.startswith(ACT_2014 + "/") for p in gaps)


def test_priorities_with_no_indicator(store, queries):
    rows = run(store, queries, "priorities-without-indicators")
    # 2020/21 priority 10 (line 315): its action is on line 318 but the PI report (lines 334-429) has no
    # section 10.
    assert [(r["code"], r["report"], r["firstLine"]) for r in rows] == [("10", R20, 315)]
    assert run(store, queries, "priorities-without-indicators", report="2016/17") == []


def test_risks_and_what_they_relate_to(store, queries):
    rows = run(store, queries, "risks")
    scores = {r["code"]: r["score"] for r in rows}
    # lines 436-441: four risks, scores 12, 12, 9, 9 ("4 Medium Risks and no High Risks", line 155)
    assert scores == {"C.RR.01-23": 12, "C.RR.01-25": 12, "C.RR.01-09": 9, "C.RR.01-10": 9}
    related = {(r["relatesTo"], r["basis"].rsplit("#", 1)[1]) for r in rows if r["code"] == "C.RR.01-23"}
    assert (ACT_2014, "Curation") in related
    assert (ACT_2014 + "/part/11", "Curation") in related
    assert (OGR + "midlothian/report/2020-2021/priority/01", "Curation") in related


def test_complaints_handling_across_years(store, queries):
    rows = run(store, queries, "complaints")
    stage1 = {
        (r["period"][-9:], r["report"]): (r.get("value"), r.get("target"), r["firstLine"])
        for r in rows
        if r["title"] == "Average time in working days to respond to complaints at stage 1"
    }
    # 2016/17 lines 61-62: 2015/16 1, 2016/17 0.67 (target 5); 2020/21 line 249: 2019/20 5, 2020/21 3
    assert stage1 == {
        ("2015-2016", R16): (1, None, 61),
        ("2016-2017", R16): (Decimal("0.67"), 5, 61),
        ("2019-2020", R20): (5, None, 249),
        ("2020-2021", R20): (3, 5, 249),
    }
    only_2020 = run(store, queries, "complaints", report="2020-2021")
    assert {r["report"] for r in only_2020} == {R20}
    assert len({r["indicator"] for r in only_2020}) == 12  # lines 244-255


def test_the_evidence_lines_behind_a_record_by_iri_and_by_code(store, queries):
    rows = run(store, queries, "evidence", record="ogr:midlothian/report/2020-2021/risk/C.RR.01-23")
    assert [(r["source"], r["firstLine"], r["lastLine"]) for r in rows] == [
        ("midlothian-childrens-services-partnership-and-communities-2020-21.txt", 436, 436)
    ]
    assert rows[0]["text"].startswith("C.RR.01 – 23 GIRFEC Children & Young People's (Scotland) Act 2014\t")
    by_code = run(store, queries, "evidence-by-code", code="CHN8a")
    lines = {(r["reportYear"], r["firstLine"]) for r in by_code}
    assert (R16, 211) in lines and (R20, 450) in lines
    line_450 = Path(__file__).parents[2] / "graph" / "reports" / "midlothian-cspc-2020-21.txt"
    text_450 = line_450.read_text(encoding="utf-8").split("\n")[449]
    assert any(r["text"] == text_450 for r in by_code if r["firstLine"] == 450)


def test_actions_by_status_per_report_add_up_to_the_reported_totals(store, queries):
    rows = run(store, queries, "actions-by-status")
    totals: dict[str, int] = {}
    for r in rows:
        totals[r["report"]] = totals.get(r["report"], 0) + r["actions"]
    # 2016/17 line 81 "Number of service & corporate priority actions 10"; 2020/21 line 207: 23
    assert totals == {R16: 10, R20: 23}
    status_2020 = {r.get("status", "").rsplit("#", 1)[-1]: r["actions"] for r in rows if r["report"] == R20}
    assert status_2020["OffTarget"] == 3  # CSPC.P.2.1, 2.2 (lines 269-270) and 11.7 (line 332)


def test_reported_totals_against_counted_records(store, queries):
    rows = run(store, queries, "reported-totals")
    got = {(r["report"], r["totalOf"]): (r["reported"], r.get("counted"), r["firstLine"]) for r in rows}
    assert got[(R16, "actions.total")] == (10, 10, 81)
    assert got[(R20, "actions.total")] == (23, 23, 207)
    assert got[(R20, "risks.medium")] == (4, 4, 155)
    assert got[(R20, "pis.total")] == (32, 32, 222)
    # line 208 claims 18 actions on target or complete; the notes of the 23 actions say Complete 17 times
    # and On Target never: the query makes the gap visible instead of hiding it.
    assert got[(R20, "actions.on_target_or_complete")][:2] == (18, 17)


def test_note_search_and_mentions(store, queries):
    covid = run(store, queries, "note-search", text="covid")
    assert {"CSPC.P.2.2", "CSPC.P.11.3"} <= {r.get("code") for r in covid}
    assert all("covid" in r["note"].lower() for r in covid)
    promise = run(store, queries, "mentions")  # default: The Promise
    assert [(r["reportYear"], r["firstLine"], r["heading"]) for r in promise] == [
        (R20, 23, "The Promise/UNCRC")
    ]


# --- parameters are bound as terms, never pasted ------------------------------------------------------


@pytest.mark.parametrize("value", INJECTIONS)
def test_an_injection_in_a_string_or_code_parameter_only_fails_to_match(store, queries, value):
    before = store.triple_count()
    assert run(store, queries, "note-search", text=value) == []
    if "\n" in value:  # a code is one line: refused before it reaches the store
        with pytest.raises(ParameterError, match="a code is one line of text"):
            run(store, queries, "evidence-by-code", code=value)
    else:
        assert run(store, queries, "evidence-by-code", code=value) == []
        assert run(store, queries, "indicator-history", code=value) == []
    assert store.triple_count() == before


def test_a_quote_in_a_string_parameter_matches_literally(store, queries):
    # line 423's note: 'Data not available at time of producing the report.' has no quote; line 139's
    # indicator title has one: Establish "advice, guidance and assistance" provision
    rows = run(store, queries, "note-search", text="don't engage")
    assert rows == [] or all("don't engage" in r["note"].lower() for r in rows)
    quoted = run(store, queries, "note-search", text='"middle 60%"')
    assert [r["code"] for r in quoted] == ["CS.S.02.04a"]  # line 141: the "middle 60%" of learners


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_over_http_is_a_clean_answer(client, built_store, value):
    before = built_store.triple_count()
    r = client.get("/queries/note-search", query_string={"text": value})
    assert r.status_code == 200
    assert r.get_json()["results"]["bindings"] == []
    r = client.get("/queries/off-target-indicators", query_string={"report": value})
    assert r.status_code == 400 and "not a government year" in r.get_json()["error"]
    r = client.get("/queries/evidence", query_string={"record": value})
    assert r.status_code == 400 and "not an absolute IRI" in r.get_json()["error"]
    assert built_store.triple_count() == before


# --- over HTTP -----------------------------------------------------------------------------------------


def test_queries_list_as_json_and_html(client, queries):
    doc = client.get("/queries").get_json()
    assert [q["name"] for q in doc["queries"]] == list(queries)
    off = next(q for q in doc["queries"] if q["name"] == "off-target-indicators")
    assert off["parameters"] == [
        {
            "name": "report",
            "type": "year",
            "default": "2020-2021",
            "required": False,
            "description": "The report's government year (2020-2021, 2020/21 or 2020)",
        }
    ]
    html = client.get("/queries", headers={"Accept": "text/html"})
    assert html.status_code == 200 and html.mimetype == "text/html"
    for q in queries.values():
        assert q.title.replace("'", "&#39;") in html.get_data(as_text=True)


@pytest.mark.parametrize(
    ("accept", "fmt", "mimetype"),
    [
        ("application/sparql-results+json", None, "application/sparql-results+json"),
        ("application/sparql-results+xml", None, "application/sparql-results+xml"),
        ("text/csv", None, "text/csv"),
        ("text/tab-separated-values", None, "text/tab-separated-values"),
        ("*/*", None, "application/sparql-results+json"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", None, "text/html"),
        ("text/html", "csv", "text/csv"),
    ],
)
def test_a_saved_query_in_every_results_format(client, accept, fmt, mimetype):
    qs = {"code": "CHN8a"} | ({"format": fmt} if fmt else {})
    r = client.get("/queries/restated-values", query_string=qs, headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == mimetype
    body = r.get_data(as_text=True)
    if mimetype.endswith("json"):
        rows = r.get_json()["results"]["bindings"]
        row = next(b for b in rows if b["period"]["value"].endswith("/2015-2016"))
        assert row["earlierValue"] == {
            "type": "literal",
            "value": "2951.54",
            "datatype": "http://www.w3.org/2001/XMLSchema#decimal",
        }
    elif mimetype.endswith("xml"):
        ns = {"s": "http://www.w3.org/2005/sparql-results#"}
        values = [
            e.text for e in ET.fromstring(r.data).iterfind(".//s:binding[@name='laterValue']/s:literal", ns)
        ]
        assert "3225.8" in values
    elif mimetype == "text/csv":
        rows = list(csv.DictReader(io.StringIO(body)))
        row = next(x for x in rows if x["period"].endswith("/2015-2016"))
        assert (row["earlierValue"], row["earlierLine"], row["laterValue"], row["laterLine"]) == (
            "2951.54",
            "211",
            "3225.8",
            "450",
        )
    elif mimetype == "text/tab-separated-values":
        header, *lines = body.splitlines()
        assert header.startswith("?code\t?title\t?period")
        assert any("\t2951.54\t211\t" in line and "\t3225.8\t450\t" in line for line in lines)
    else:
        assert "2951.54" in body and "3225.8" in body and "<table" in body


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("restated-values", {"code": "CHN8a"}),
        ("implementing-records", {"provision": OGR + "framework/the-promise/foundation/voice"}),
        ("off-target-indicators", {}),
        ("evidence-by-code", {"code": "CHN8a"}),
    ],
)
def test_a_saved_query_answers_as_sparql_does_for_its_bound_text(client, queries, name, params):
    """/queries/<name> hands the bound text to the engine: its JSON is /sparql's for that same text."""
    q = queries[name]
    text = bind(q.text, q.bindings(params))
    saved = client.get(f"/queries/{name}", query_string=params, headers={"Accept": JSON_RESULTS})
    direct = client.get("/sparql", query_string={"query": text}, headers={"Accept": JSON_RESULTS})
    assert saved.status_code == direct.status_code == 200
    got = saved.get_json(force=True)
    if q.has_figures:
        # the saved query's JSON also gives each figure in its unit, beside the plain number
        labelled = [v for v in got["head"]["vars"] if v.endswith("_label")]
        assert labelled and all(v.removesuffix("_label") in got["head"]["vars"] for v in labelled)
        got["head"]["vars"] = [v for v in got["head"]["vars"] if v not in labelled]
        for b in got["results"]["bindings"]:
            for v in labelled:
                b.pop(v, None)
    assert got == direct.get_json(force=True)
    assert saved.get_json(force=True)["results"]["bindings"]  # a real answer, not two empty ones
    # The TSV has the same rows, one line each with one cell per variable: a tab or newline inside a
    # literal (the excerpts of evidence-by-code keep the report's tabs) is escaped, not written raw.
    doc = direct.get_json(force=True)
    tsv = client.get(f"/queries/{name}", query_string=params | {"format": "tsv"}).get_data(as_text=True)
    lines = tsv.split("\n")
    assert lines[-1] == "" and len(lines) - 2 == len(doc["results"]["bindings"])
    assert {len(line.split("\t")) for line in lines[:-1]} == {len(doc["head"]["vars"])}


def test_http_errors(client):
    r = client.get("/queries/no-such-query")
    assert r.status_code == 404 and "no saved query 'no-such-query'" in r.get_json()["error"]
    r = client.get("/queries/risks", headers={"Accept": "image/png"})
    assert r.status_code == 406
    r = client.get("/queries/risks", query_string={"format": "pdf"})
    assert r.status_code == 406
    r = client.get("/queries/evidence-by-code")
    assert r.status_code == 400 and "needs the parameter 'code'" in r.get_json()["error"]
    r = client.get("/queries/risks", query_string={"colour": "red"})
    assert r.status_code == 400 and "no parameter 'colour'" in r.get_json()["error"]
    r = client.get("/queries/risks", query_string={"report": "1999"}, headers={"Accept": "text/html"})
    assert r.status_code == 400 and "not a government year" in r.get_data(as_text=True)


def test_openapi_describes_every_saved_query_and_sparql(client, queries):
    r = client.get("/openapi.json")
    assert r.status_code == 200
    doc = r.get_json()
    assert doc["openapi"].startswith("3.")
    for q in queries.values():
        op = doc["paths"][f"/queries/{q.name}"]["get"]
        assert op["summary"] == q.title and op["description"] == q.description
        params = {p["name"]: p for p in op["parameters"]}
        for p in q.parameters:
            assert params[p.name]["required"] == p.required
            assert params[p.name]["in"] == "query"
        assert "format" in params
    assert {"get", "post"} <= set(doc["paths"]["/sparql"])
    assert "/queries" in doc["paths"] and "/id/{path}" in doc["paths"]
    json.dumps(doc)  # plain JSON all the way down


# --- from the shell ----------------------------------------------------------------------------------


def test_query_command_lists_and_runs_saved_queries(store_dir, capsys):
    assert main(["query", "--list"]) == 0
    listing = capsys.readouterr().out
    assert "off-target-indicators\n    Off-target indicators by report\n    --param report=<year>" in listing
    args = ["query", "restated-values", "--param", "code=CHN8a", "--format", "csv", "--store", str(store_dir)]
    assert main(args) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    row = next(r for r in rows if r["period"].endswith("/2015-2016"))
    assert (row["earlierValue"], row["earlierLine"], row["laterValue"], row["laterLine"]) == (
        "2951.54",
        "211",
        "3225.8",
        "450",
    )
    assert main(["query", "risks", "--store", str(store_dir)]) == 0
    table = capsys.readouterr().out
    # for people: the risk by its code and title, periods as the reports write them, lines that fit
    assert "C.RR.01-23 GIRFEC Children & Young People's (Scotland) Act 2014" in table
    assert "2020/21" in table and "(10 rows)" in table
    assert "ogr:" not in table and "https://" not in table
    width = shutil.get_terminal_size((100, 24)).columns
    assert max(len(line) for line in table.splitlines()) <= width


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["query", "nope"], "no saved query 'nope'; the saved queries are: actions-by-status"),
        (["query", "risks", "--param", "report"], "--param 'report': give it as NAME=VALUE"),
        (["query", "risks", "-p", "report=1999"], "parameter 'report': '1999' is not a government year"),
        (["query", "evidence"], "needs the parameter 'record' (iri); give it as record=VALUE"),
        (["query"], "give a saved query's name (outcome-graph query --list shows them)"),
    ],
)
def test_query_command_errors_say_what_to_do(argv, message, capsys):
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("outcome-graph query: error: ") and message in err


# --- the same answers from a remote SPARQL server -------------------------------------------------------


REQUIRED = {
    "evidence": {"record": "ogr:midlothian/report/2020-2021/risk/C.RR.01-23"},
    "evidence-by-code": {"code": "CHN8a"},
}


@pytest.mark.server
def test_every_saved_query_gives_the_same_rows_embedded_and_remote(
    built_store, remote_store, oxigraph_server, queries, capsys
):
    for name, q in queries.items():
        params = REQUIRED.get(name, {})
        here = run_query(built_store, q, params)
        there = run_query(remote_store, q, params)
        assert here.vars == there.vars, name
        assert here.rows == there.rows, name
        assert here.rows or name in ("note-search",), f"{name} found nothing on the real reports"
    assert (
        main(
            [
                "query",
                "off-target-indicators",
                "-p",
                "report=2020/21",
                "-f",
                "json",
                "--endpoint",
                oxigraph_server,
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["results"]["bindings"]) == 7


# --- no input is a server error --------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(
        ["note-search", "evidence-by-code", "indicator-history", "off-target-indicators", "evidence", "risks"]
    ),
    value=st.text(max_size=40),
    fmt=st.sampled_from(["json", "xml", "csv", "tsv", "html"]),
)
def test_fuzzed_parameters_never_give_a_server_error(client, name, value, fmt):
    params = {
        "note-search": "text",
        "evidence-by-code": "code",
        "indicator-history": "code",
        "off-target-indicators": "report",
        "evidence": "record",
        "risks": "report",
    }
    r = client.get(f"/queries/{name}", query_string={params[name]: value, "format": fmt})
    assert r.status_code in (200, 400), (name, value, r.get_data(as_text=True)[:500])


def test_indicator_history_finds_each_indicator_through_one_branch(built_store):
    """CHN9's key is also its code: the union finds each indicator through one branch only, so even
    without DISTINCT each figure is one row and the engine joins each observation once (the key branch
    matching too doubled the work at 10 M triples)."""
    query = load_queries()["indicator-history"]
    once = query.text.replace("SELECT DISTINCT", "SELECT", 1)
    assert once != query.text
    key = built_store.select(
        'PREFIX og: <https://w3id.org/outcome-graph/def#> SELECT ?k WHERE { ?i og:code "CHN9" ; og:key ?k }'
    ).rows
    assert [str(r["k"]) for r in key] == ["CHN9"], "the case this guards: a key equal to the code"
    for code in ("CHN9", "CHN09i"):
        rows = built_store.select(once, bindings=query.bindings({"code": code})).rows
        figures = [r["observation"] for r in rows]
        assert figures and len(figures) == len(set(figures)), code
