"""Unit tests, with fixtures built to tell right from wrong, for rules the two bundled reports exercise
only one way (issue 9, part 8): the cell parser, the status reader (a note's opening words, not anywhere
in it), and the feeder arithmetic's pairing of a formula's numerator and denominator of the same report
and period."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph

from outcome_graph.extract.common import status_of
from outcome_graph.extract.values import parse_cell
from outcome_graph.paths import ONTOLOGY_DIR
from outcome_graph.validate import validate_graph

# --- the cell parser -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value, unit",
    [
        ("85%", Decimal(85), "Percent"),
        ("87.32 %", Decimal("87.32"), "Percent"),  # a space the PDF put before the sign
        ("1,385", Decimal(1385), "Number"),
        ("1,024.9 9", Decimal("1024.99"), "Number"),  # a space inside the figure
        ("£15.431m", Decimal(15431000), "GBP"),
        ("£ 15.55 8 m", Decimal(15558000), "GBP"),
        ("£2,158 .63", Decimal("2158.63"), "GBP"),
        ("£319.83", Decimal("319.83"), "GBP"),
        ("0", Decimal(0), "Number"),
        (".5", Decimal("0.5"), "Number"),
        ("11.02", Decimal("11.02"), "Number"),
    ],
)
def test_a_figure_is_read_with_its_unit(text, value, unit):
    cell = parse_cell(text)
    assert (cell.value, cell.unit, cell.problem, cell.marker) == (value, unit, None, None)


@pytest.mark.parametrize(
    "text, marker",
    [("N/A", "NotAvailable"), ("n/a.", "NotAvailable"), ("New for 16/17", "New"), ("Data only", "DataOnly")],
)
def test_a_marker_is_never_a_number(text, marker):
    cell = parse_cell(text)
    assert (cell.value, cell.marker, cell.problem) == (None, marker, None)


@pytest.mark.parametrize(
    "text",
    ["12..5", "1,38", "13,6", "11.", "5%%", "£", "%", "10 %5", "1,0245", "abc", "12-5", "£1m2"],
)
def test_anything_not_plainly_a_figure_is_reported_not_turned_into_one(text):
    # A cut or garbled cell ("13,6" from "13,626"; "1,38" from "1,385") must never become a number.
    cell = parse_cell(text)
    assert cell.value is None and cell.problem == f"not a figure: {' '.join(text.split())!r}"


def test_an_empty_cell_is_blank_not_zero():
    assert parse_cell("  ") == parse_cell("") and parse_cell("").marker == "Blank"
    assert parse_cell("").value is None


# --- the status reader -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "note, status",
    [
        ("20/21: Off Target Actions off target have been impacted by Covid", "OffTarget"),
        ("16/17 : On Target New structure went live on 1st April.", "OnTarget"),
        ("16/17: Complete", "Complete"),
        ("20/21 : Data Only", "DataOnly"),
        ("16/17: Data Only. The 16/17 School roll shows 13 CEYP in S5", "DataOnly"),
        ("20/21: N/A This is on hold due to Covid 19", "NotAvailable"),
        ("20/21: Data not available at time of producing the report.", "NotAvailable"),
        ("Q4 20/21: Data not available at time of producing the report.", "NotAvailable"),
        ("16/17: Off target We can currently only record those who have left care", "OffTarget"),
    ],
)
def test_the_status_is_the_notes_opening_words(note, status):
    assert status_of(note) == status


@pytest.mark.parametrize(
    "note",
    [
        # A status word later in the note is not the note's status: each of these would be misread by a
        # reader that searched the whole note.
        "20/21: There are no high risks identified; last year was Off Target.",
        "20/21: Numbers rose, previously Off Target, now On Target in Q4",
        "16/17: The review is complete and data only covers Q1-Q3",
        "16/17: Two PIs were off target and one is complete.",
        # No opening "YY/YY:" head: the text states no status of its own.
        "Off Target",
        "On Target Actions were delayed",
        "Complete 110 people were supported",
        "Numbers low due to COVID. Benchmark to be set April 2022",
        "",
        None,
    ],
)
def test_a_status_word_that_does_not_open_the_note_is_not_its_status(note):
    assert status_of(note) is None


# --- feeder arithmetic: numerator and denominator of the same report and period --------------------------

FIXTURES = Path(__file__).resolve().parents[1] / "validate" / "fixtures"
PREFIXES = """
@base <https://w3id.org/outcome-graph/id/testshire/> .
@prefix og: <https://w3id.org/outcome-graph/def#> .
@prefix qb: <http://purl.org/linked-data/cube#> .
"""
YEAR = "<http://reference.data.gov.uk/id/government-year/2016-2017>"
Q3 = "<http://reference.data.gov.uk/id/government-quarter/2016-2017/Q3>"


def _obs(report: str, key: str, period: str, pkey: str, value: str, raw: str, unit: str) -> str:
    return (
        f"<report/{report}/observation/{key}/{pkey}> a og:Observation, qb:Observation ; "
        f"og:figure <figure/{key}/{pkey}> ; "
        f"qb:dataSet <report/{report}/dataset> ; og:report <report/{report}> ; "
        f"og:evidence <report/2016-2017/lines/12-12> ; og:indicator <indicator/{key}> ; og:period {period} ; "
        f'og:value {value} ; og:unit og:{unit} ; og:rawValue "{raw}" .\n'
    )


def feeder_graph(year_figure: str) -> Graph:
    """% of invoices paid within 30 days = 100 x paid / received, with feeder figures for the year and for
    Q3 in the 2016/17 report, and for the same year restated, with other counts, in a 2017/18 report.
    Paired within one report and period every figure agrees with its feeders; paired across periods or
    reports, none does (2296/1000, 970/2397, 1000/2397 ...)."""
    ttl = (
        PREFIXES
        + """
<report/2017-2018> a og:Report ; og:title "Children's Services Annual Performance Report 2017/18" ;
    og:period <http://reference.data.gov.uk/id/government-year/2017-2018> ;
    og:service <service/childrens-services> ; og:organisation <> ;
    og:sourceFile "testshire-2017-18.txt" ; og:lineCount 200 .
<report/2017-2018/dataset> a qb:DataSet ; qb:structure og:ReportDSD ; og:report <report/2017-2018> .
<indicator/inv> a og:Indicator ; og:key "inv" ;
    og:report <report/2016-2017> ; og:evidence <report/2016-2017/lines/12-12> ;
    og:title "% of invoices paid within 30 days" ; og:indicatorSet og:CorporatePI ; og:formula <formula/inv> .
<formula/inv> a og:Formula ; og:numerator <indicator/inv/feeder/paid> ;
    og:denominator <indicator/inv/feeder/received> ; og:scale 100.0 .
<indicator/inv/feeder/paid> a og:Indicator ; og:key "inv/feeder/paid" ; og:report <report/2016-2017> ;
    og:evidence <report/2016-2017/lines/12-12> ; og:title "Number paid within 30 days" ;
    og:indicatorSet og:FeederData ; og:feeds <indicator/inv> .
<indicator/inv/feeder/received> a og:Indicator ; og:key "inv/feeder/received" ; og:report <report/2016-2017> ;
    og:evidence <report/2016-2017/lines/12-12> ; og:title "Number received" ;
    og:indicatorSet og:FeederData ; og:feeds <indicator/inv> .
"""
    )
    rows = [
        ("2016-2017", "inv", YEAR, "2016-2017", year_figure, f"{int(float(year_figure))}%", "Percent"),
        ("2016-2017", "inv/feeder/paid", YEAR, "2016-2017", "2296.0", "2,296", "Number"),
        ("2016-2017", "inv/feeder/received", YEAR, "2016-2017", "2397.0", "2,397", "Number"),
        ("2016-2017", "inv", Q3, "2016-2017-Q3", "97.0", "97%", "Percent"),
        ("2016-2017", "inv/feeder/paid", Q3, "2016-2017-Q3", "970.0", "970", "Number"),
        ("2016-2017", "inv/feeder/received", Q3, "2016-2017-Q3", "1000.0", "1,000", "Number"),
        ("2017-2018", "inv", YEAR, "2016-2017", "50.0", "50%", "Percent"),
        ("2017-2018", "inv/feeder/paid", YEAR, "2016-2017", "500.0", "500", "Number"),
        ("2017-2018", "inv/feeder/received", YEAR, "2016-2017", "1000.0", "1,000", "Number"),
    ]
    ttl += "".join(_obs(*row) for row in rows)
    g = Graph()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        g.parse(path, format="turtle")
    g.parse(FIXTURES / "base.ttl", format="turtle")
    g.parse(data=ttl, format="turtle")
    return g


def feeder_results(g: Graph) -> list:
    return [r for r in validate_graph(g).results if r.rule == "feeder arithmetic"]


def test_feeders_pair_within_one_report_and_period():
    # Every figure agrees with the feeders of its own report and period: no result. A rule that paired a
    # numerator with a denominator of another period or report would flag several of these.
    assert feeder_results(feeder_graph("96.0")) == []


def test_a_wrong_figure_is_checked_against_its_own_report_and_periods_feeders():
    [r] = feeder_results(feeder_graph("94.0"))
    assert r.focus.endswith("report/2016-2017/observation/inv/2016-2017")
    assert "the report shows 94.0 but its feeder data give 95.7864 (100.0 × 2296.0 / 2397.0" in r.message
