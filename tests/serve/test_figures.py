"""Figures for people on the real reports: each figure in its unit beside the plain number.

The revenue budget line of the 2016/17 report (line 74: "£ 15.43 1m", target "£ 15.4 61m") reads £15.43m
with the target £15.46m; the escalated-complaints line of 2020/21 (line 251: "33.5", target "20") reads
33.5 days against 20 days. Saved queries keep the plain number for machines and add `<name>_label`.
"""

from __future__ import annotations

import csv
import io
from html import unescape

import pytest
from rdflib import XSD, Literal

from outcome_graph.saved_queries import load_queries

OBS = "/id/midlothian/report/2016-2017/observation/"


def test_the_revenue_budget_reads_in_millions_of_pounds(client):
    html = unescape(client.get("/id/midlothian/indicator/corporate/revenue-budget").get_data(as_text=True))
    assert "£15.43m" in html and "£15.46m" in html  # 2016/17 figure and its target


def test_the_escalated_complaints_figure_reads_in_days(client):
    html = unescape(
        client.get("/id/midlothian/indicator/complaints/escalated-average-days").get_data(as_text=True)
    )
    assert "33.5 days" in html and "20 days" in html


def test_the_off_target_csv_gives_figures_in_their_units(client):
    body = client.get("/queries/off-target-indicators", query_string={"format": "csv"}).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))
    row = next(r for r in rows if r["title"].startswith("Average time in working days for a full response"))
    assert (row["value"], row["value_label"], row["target"], row["target_label"]) == (
        "33.5",
        "33.5 days",
        "20",
        "20 days",
    )


def test_the_saved_query_json_carries_the_labels_beside_the_numbers(client):
    doc = client.get(
        "/queries/indicator-history", query_string={"code": "corporate/revenue-budget", "format": "json"}
    ).get_json(force=True)
    names = doc["head"]["vars"]
    assert names.index("value_label") == names.index("value") + 1
    row = next(
        b for b in doc["results"]["bindings"] if b["period"]["value"].endswith("government-year/2016-2017")
    )
    assert row["value"]["value"] == "15431000" and row["value_label"]["value"] == "£15.43m"


QUERIES = load_queries()
REQUIRED_VALUES = {
    "record": "https://w3id.org/outcome-graph/id/midlothian/report/2016-2017/observation/corporate/revenue-budget/2016-2017",
    "code": "CHN8a",
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_figure_column_of_a_saved_query_has_its_label(client, built_store, name):
    """Each column of xsd:decimal figures that carry a unit gets `<name>_label`, the figure in the row's
    unit; a query that answers figures projects their ?unit (else its labels could carry none)."""
    from outcome_graph.saved_queries import run_query
    from outcome_graph.units import figure_text

    q = QUERIES[name]
    # a required parameter gets a value the graph holds (evidence, evidence-by-code)
    given = {p.name: REQUIRED_VALUES[p.name] for p in q.parameters if p.required}
    result = run_query(built_store, q, given)
    figures = [
        v
        for v in result.vars
        if any(isinstance(r.get(v), Literal) and r[v].datatype == XSD.decimal for r in result.rows)
    ]
    with_unit = [
        v for v in figures if any(r.get("unit") is not None and r.get(v) is not None for r in result.rows)
    ]
    if figures and any(v in ("value", "target") or v.endswith("Value") for v in figures):
        assert "unit" in result.vars, f"{name} answers figures {figures} without their ?unit"
    body = client.get(f"/queries/{name}", query_string={"format": "csv", **given}).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))
    for v in with_unit:
        assert f"{v}_label" in rows[0], f"{name}: no {v}_label"
        for r in rows:
            if r[v]:
                assert r[f"{v}_label"] == figure_text(r[v], r["unit"] or None)


def test_only_indicators_that_count_days_are_in_days(built_store):
    """og:WorkingDay's og:titlePattern gives the unit to averages of working days and days lost, never to
    counts of complaints answered "within 20 working days" or percentages."""
    rows = built_store.select(
        """PREFIX og: <https://w3id.org/outcome-graph/def#>
        SELECT DISTINCT ?title ?unit WHERE { ?o og:indicator ?i ; og:unit ?unit . ?i og:title ?title }"""
    ).rows
    in_days = {str(r["title"]) for r in rows if str(r["unit"]).endswith("#WorkingDay")}
    assert "Average time in working days for a full response for escalated complaints" in in_days
    assert "Average number of working days lost due to sickness absence (cumulative)" in in_days
    not_days = {str(r["title"]) for r in rows if not str(r["unit"]).endswith("#WorkingDay")}
    assert any("within 20 working days" in t for t in not_days)
    assert not any("within" in t for t in in_days)


# -- LGBF rank and quartile, and the chart's axis ---------------------------------------------------------


def _chart_texts(html: str) -> list[str]:
    import re
    import xml.etree.ElementTree as ET

    svg = re.search(r"<svg.*?</svg>", html, re.S)
    assert svg, "no chart"
    root = ET.fromstring(svg.group(0))
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_lgbf_rank_and_quartile_with_their_changes_on_the_record_page(client):
    """CHN9 (Balance of Care): the 2020/21 report ranks 2015/16 15th (quartile 2), which its 2016/17
    report had ranked 18th (quartile 3), and 2014/15 20th (lines 213 and 452)."""
    html = unescape(client.get("/id/lgbf/indicator/CHN9").get_data(as_text=True))
    assert "National rank" in html and "Quartile" in html
    assert "15 <small>(was 20 in 2014/15; 18 in the 2016/17 report)</small>" in html
    assert "2 <small>(was 3 in 2014/15; 3 in the 2016/17 report)</small>" in html
    texts = _chart_texts(html)
    assert "Rank" in texts and "18→15" in texts and "3→2" in texts  # the chart shows them too


def test_the_chart_axis_shows_the_movement_and_says_where_it_starts(client):
    """CHN9's figures lie between 87% and 92%: the axis starts at 86%, and says so."""
    texts = _chart_texts(unescape(client.get("/id/lgbf/indicator/CHN9").get_data(as_text=True)))
    assert "Vertical axis starts at 86%, not 0" in texts and "86%" in texts and "0%" not in texts
    # CHN8a's costs run from £1,748 to £4,049: there an axis from 0 shows the movement, and says so
    texts = _chart_texts(unescape(client.get("/id/lgbf/indicator/CHN8a").get_data(as_text=True)))
    assert "Vertical axis starts at £0" in texts and "£4,000" in texts


def test_no_empty_slot_for_a_period_with_no_figure(client):
    """CHN8a's 2016/17 report gives "Q1 2016/17" and 2016/17 as N/A (line 194): they are rows of the table,
    not empty slots in the chart."""
    html = unescape(client.get("/id/lgbf/indicator/CHN8a").get_data(as_text=True))
    assert "Q1 2016/17" in html  # in the table
    texts = _chart_texts(html)
    assert "Q1" not in texts and not any(t.startswith("Q") and len(t) == 2 for t in texts)


def test_the_cli_csv_gives_figures_in_their_units(capsys, tmp_path):
    from outcome_graph.cli import main

    args = ["query", "indicator-history", "--param", "code=corporate/revenue-budget", "--format", "csv"]
    assert main([*args, "--store", str(tmp_path)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    row = next(r for r in rows if r["period"].endswith("government-year/2016-2017"))
    assert (row["value"], row["value_label"], row["target"], row["target_label"]) == (
        "15431000",
        "£15.43m",
        "15461000",
        "£15.46m",
    )


@pytest.mark.parametrize("table", ["observations", "indicators", "compare"])
def test_the_audit_downloads_give_targets_and_figures_in_their_units(client, table):
    from outcome_graph.units import figure_text

    body = client.get(f"/audit.csv?report=2020-2021&compare=2016-2017&table={table}&validate=0")
    rows = list(csv.DictReader(io.StringIO(body.get_data(as_text=True))))
    targets = [r for r in rows if r["target"]]
    assert targets and all(r["target_label"] for r in targets)
    if table == "observations":  # the unit is in the row: every label is the figure in it
        assert all(r["target_label"] == figure_text(r["target"], r["unit"]) for r in targets)
        assert any(r["unit"] == "Percent" and r["target_label"].endswith("%") for r in targets)
    if table == "compare":
        assert all(r["value_label"] for r in rows if r["value"])


class _Counting:
    """The real store, its SELECTs counted by the question they ask (the audit's charts' figures)."""

    def __init__(self, store):
        self._store, self.figures = store, 0

    def __getattr__(self, name):
        return getattr(self._store, name)

    def select(self, query, **kw):
        self.figures += "og:indicator ?indicator" in query
        return self._store.select(query, **kw)


def test_an_audit_reads_its_charts_figures_in_one_query_with_each_indicator_s_own_points(built_store):
    """Every chart's points come from one query (VALUES ?indicator), not one per chart (32 round trips,
    ~2 s of the first answer on Virtuoso), and are the points of that indicator's own query."""
    from rdflib import URIRef

    from outcome_graph.charts import points_from_rows
    from outcome_graph.trace import audit_view

    indicators = sorted(
        str(r["i"])
        for r in built_store.select(
            "SELECT DISTINCT ?i WHERE { ?i a <https://w3id.org/outcome-graph/def#Indicator> }"
        ).rows
    )
    assert len(indicators) > 20, "the graph's indicators: a batch worth making"
    audit_view._FIGURES.clear()
    counting = _Counting(built_store)
    audit_view.prefetch_figures(counting, indicators)
    assert counting.figures == 1
    charted = 0
    for i in indicators:
        own = points_from_rows(built_store.select(audit_view.FIGURES, bindings={"indicator": URIRef(i)}).rows)
        assert audit_view.figures(counting, i) == own, i
        charted += bool(own)
    assert counting.figures == 1, "the figures were kept, not asked again"
    assert charted > 20, "most indicators have figures, so the comparison shows something"
