"""The 2020/21 risk register, lines 431-442."""

from __future__ import annotations

from outcome_graph.extract.records import Risk

from .conftest import R16, R20, extracted


def risks() -> dict[str, Risk]:
    return {r.code: r for r in extracted(R20).of(Risk)}


def test_four_medium_risks_with_codes_titles_scores_and_lines():
    rs = extracted(R20).of(Risk)
    # The summary: "4 Medium Risks".
    assert [(r.code, r.title, r.score, r.excerpt.first_line) for r in rs] == [
        ("C.RR.01-23", "GIRFEC Children & Young People's (Scotland) Act 2014", 12, 436),
        ("C.RR.01-25", "Unplanned Overspend", 12, 437),
        ("C.RR.01-09", "RESOURCES - High costs of external accommodation", 9, 438),
        ("C.RR.01-10", "Mental Health", 9, 441),
    ]
    assert all(isinstance(r.score, int) for r in rs)


def test_risk_columns_are_read_into_their_fields():
    r = risks()["C.RR.01-23"]
    assert r.identification.startswith("Lack of suitable accommodation for those 16+")
    assert r.control_measures.startswith("Working with Midlothian housing and homeless depts.")
    assert r.evaluation is None  # the Risk Evaluation cell is empty
    assert r.related_action.startswith("Looking at alternative forms of accommodation for 16-21 year olds")
    assert r.latest_note.startswith("Q1 19/20: This is an ongoing piece of work")
    assert r.matrix == "Impact"
    # The code is written "C.RR.01 – 23" (typographic dash, spaces) in the report.
    assert r.excerpt.text.startswith("C.RR.01 – 23 GIRFEC")


def test_empty_cells_are_none_not_empty_strings():
    r = risks()["C.RR.01-25"]
    assert (r.identification, r.control_measures, r.evaluation, r.related_action, r.latest_note) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert r.matrix == "Impact" and r.score == 12
    m = risks()["C.RR.01-10"]
    assert m.control_measures is None
    assert m.related_action == "health, education, children's services,"
    assert m.latest_note.startswith("Q1 19/20: 100 day challenge now complete")


def test_headers_are_consumed_and_nothing_in_the_section_is_unplaced():
    x = extracted(R20)
    assert [u for u in x.unplaced if 431 <= u.line <= 442] == []
    assert [w for w in x.warnings if 431 <= w.line <= 442] == []


def test_2016_report_has_no_risk_table():
    assert extracted(R16).of(Risk) == []
