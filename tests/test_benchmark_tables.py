"""The benchmarks' tables report what an answer says: a download that fails is a row with its status and
the server's message, never a stop of the whole table (benchmarks/saved_queries_national.py stopped with
KeyError 'results' on the first error body)."""

from __future__ import annotations

import importlib.util
import sys

from outcome_graph.paths import ROOT


def benchmark(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_a_failed_download_is_a_row_with_its_status_and_message(client, capsys, monkeypatch):
    tables = benchmark("saved_queries_national")
    monkeypatch.setattr(tables, "COUNCIL", "council=ogr:nowhere")  # a council the graph does not hold
    tables.downloads(client, ["claims", "risks"])
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| `")]
    assert len(lines) == 2
    for line in lines:
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[2] == "400", line
        assert cells[3].startswith("— query ") and "parameter 'council'" in cells[3], line


def test_a_whole_download_is_a_row_with_its_row_count(client, capsys):
    tables = benchmark("saved_queries_national")
    tables.downloads(client, ["risks"])
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("| `risks`"))
    cells = [c.strip() for c in line.strip("|").split("|")]
    expected = client.get("/queries/risks?format=json&council=ogr:midlothian").get_json()
    assert cells[2] == "200" and cells[3] == str(len(expected["results"]["bindings"])) != "0"


def test_a_failed_page_is_a_row_with_its_status_and_the_page_s_message(client, capsys):
    tables = benchmark("saved_queries_national")
    tables.run(client, [("claims", "council=ogr:nowhere")], 0)
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("| `claims`"))
    cells = [c.strip() for c in line.strip("|").split("|")]
    assert cells[2] == "400" and cells[3].startswith("— query 'claims': parameter 'council'"), line


def test_each_parameter_combination_a_person_gives_is_asked():
    """--combinations: every query with its defaults, each optional parameter alone, the council alone and
    with each other parameter, and all at once; every combination is one the query accepts (its
    parameters' types read the samples), a required parameter is in each, and none is asked twice."""
    from outcome_graph.saved_queries import load_queries

    tables = benchmark("saved_queries_national")
    queries = load_queries()
    pairs = tables.combinations([])
    assert len(pairs) == len(set(pairs))
    by_query: dict[str, list[dict[str, str]]] = {}
    for name, params in pairs:
        values = dict(p.split("=", 1) for p in params.split("&") if p)
        queries[name].bindings({k: v.replace("%3A", ":").replace("%2F", "/") for k, v in values.items()})
        by_query.setdefault(name, []).append(values)
    assert set(by_query) == set(queries)
    for name, asked in by_query.items():
        query = queries[name]
        required = {p.name for p in query.parameters if p.required}
        assert all(required <= set(v) for v in asked), name
        for p in query.parameters:
            if p.required or p.type not in tables.SAMPLES:
                continue
            assert any(set(v) - required == {p.name} for v in asked), (name, p.name)  # alone
            if p.name != "council" and any(q.name == "council" for q in query.parameters):
                assert any(set(v) - required == {p.name, "council"} for v in asked), (name, p.name)
        assert max(len(v) for v in asked) == len(
            required | {p.name for p in query.parameters if p.type in tables.SAMPLES}
        ), name  # all at once


def test_a_question_for_every_report_of_a_council_counts_each_report_and_each_refusal(built_store):
    """saved_query_years.py: each of Midlothian's reports asked in turn, its rows the sum of the reports'
    own answers; a report the store refuses is a line with the store's message, and the run goes on."""
    from outcome_graph.saved_queries import load_queries, run_query

    years = benchmark("saved_query_years")
    query = load_queries()["restated-values"]
    each = [len(run_query(built_store, query, {"laterReport": y}).rows) for y in ("2016-2017", "2020-2021")]
    lines = list(
        years.measure(built_store, "restated-values", "laterReport", {}, ["ogr:midlothian"], 10, True)
    )
    assert lines[0].startswith("ogr:midlothian 2016-2017: 0 rows") and lines[1].startswith(
        f"ogr:midlothian 2020-2021: {each[1]} rows"
    )
    assert lines[2].startswith(f"ogr:midlothian: 2 reports, 0 refused, {sum(each)} rows") and each[1] > 0
    refused = list(
        years.measure(
            built_store, "restated-values", "laterReport", {"nonesuch": "x"}, ["ogr:midlothian"], 10
        )
    )
    assert (
        refused[0].startswith("ogr:midlothian: 2 reports, 2 refused 2016-2017 (refused: ")
        and "no parameter 'nonesuch'" in refused[0]
    )
