"""A parameter value that names nothing in the graph is an error listing what there is (CLI and server).

The graph holds the 2016/17 and 2020/21 reports; 2021-2022 names no report, CHN8 no code (CHN8a and
CHN8b do), and Part 99 of the 2014 Act no provision.
"""

from __future__ import annotations

import pytest

from outcome_graph.cli import main
from outcome_graph.parameter_values import UnknownValue, check_values
from outcome_graph.saved_queries import load_queries

QUERIES = load_queries()
PART = "http://www.legislation.gov.uk/id/asp/2014/8/part/"


def _check(store, name: str, **values: str) -> None:
    q = QUERIES[name]
    check_values(store, q, values, q.bindings(values))


def test_an_unknown_report_year_lists_the_years_there_are(built_store):
    with pytest.raises(UnknownValue) as e:
        _check(built_store, "off-target-indicators", report="2021-2022")
    assert str(e.value) == (
        "query 'off-target-indicators': parameter 'report': the year '2021-2022' names nothing in the graph; "
        "the graph holds: 2016-2017, 2020-2021"
    )


def test_an_unknown_code_lists_the_closest_codes(built_store):
    with pytest.raises(UnknownValue) as e:
        _check(built_store, "lgbf-benchmarks", code="CHN8")
    message = str(e.value)
    assert "'CHN8' names nothing" in message and "CHN8a" in message and "CHN8b" in message
    assert "in all)" in message


def test_an_unknown_iri_lists_what_is_under_its_nearest_prefix(built_store):
    with pytest.raises(UnknownValue) as e:
        _check(built_store, "implementing-records", provision=PART + "99")
    assert f"under {PART} the graph holds: {PART}1" in str(e.value)


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("off-target-indicators", {"report": "2020/21"}),
        ("lgbf-benchmarks", {"code": "CHN08a"}),  # an older code
        ("indicator-history", {"code": "corporate/revenue-budget"}),  # an uncoded indicator's key
        ("implementing-records", {"provision": PART + "9"}),
    ],
)
def test_values_the_graph_holds_pass(built_store, name, values):
    _check(built_store, name, **values)


def test_the_server_answers_400_with_the_list(client):
    r = client.get("/queries/off-target-indicators", query_string={"report": "2021-2022", "format": "json"})
    assert r.status_code == 400
    assert "the graph holds: 2016-2017, 2020-2021" in r.get_json()["error"]
    r = client.get(
        "/queries/off-target-indicators",
        query_string={"report": "2021-2022"},
        headers={"Accept": "text/html"},
    )
    assert r.status_code == 400 and "2016-2017, 2020-2021" in r.get_data(as_text=True)
    # a query's own default is not the user's value, and a real one answers
    assert client.get("/queries/off-target-indicators", query_string={"format": "json"}).status_code == 200


def test_the_cli_exits_non_zero_with_the_list(capsys, tmp_path):
    code = main(["query", "off-target-indicators", "--param", "report=2021-2022", "--store", str(tmp_path)])
    err = capsys.readouterr().err
    assert code != 0
    assert "'2021-2022' names nothing in the graph; the graph holds: 2016-2017, 2020-2021" in err
