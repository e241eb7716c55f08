"""The corporate PI summary of both reports (2016/17 lines 55-95, 2020/21 lines 188-236), read from the
real files; line numbers are the files'."""

from __future__ import annotations

from decimal import Decimal

import pytest

from outcome_graph.errors import ReportError
from outcome_graph.extract import read_report_lines, report_info
from outcome_graph.extract.indicators import load_key_rules, parse_lines
from outcome_graph.extract.records import Indicator, Observation, Period, ReportedTotal
from outcome_graph.extract.sections import split_sections
from outcome_graph.paths import REPORTS_DIR

from .conftest import R16, R20

INVOICES = "corporate/invoices-paid-within-30-days"


def obs(x, key: str, period: Period) -> Observation:
    found = [o for o in x.of(Observation) if o.indicator == key and o.period == period]
    assert len(found) == 1, f"{len(found)} observations of {key} for {period.key}"
    return found[0]


def indicator(x, key: str) -> Indicator:
    found = [i for i in x.of(Indicator) if i.key == key]
    assert len(found) == 1, f"{len(found)} indicators keyed {key}"
    return found[0]


def periods_of(x, key: str) -> set[str]:
    return {o.period.key for o in x.of(Observation) if o.indicator == key}


def totals(x) -> dict[str, tuple[Decimal, int]]:
    return {
        t.name: (t.value, t.excerpt.first_line)
        for t in x.of(ReportedTotal)
        if t.name.split(".")[0] in ("actions", "pis")
    }


def in_lines(items, first: int, last: int) -> list:
    return [u for u in items if first <= u.line <= last]


# -- 2016/17 ------------------------------------------------------------------------------------------


def test_2016_line_74_revenue_budget(extraction):
    x = extraction(R16)
    year = obs(x, "corporate/revenue-budget", Period("2016-2017"))
    assert (year.value, year.unit, year.raw) == (Decimal(15431000), "GBP", "£ 15.43 1m")
    assert (year.target, year.target_raw, year.status) == (Decimal(15461000), "£ 15.4 61m", "OnTarget")
    assert year.note == "16/17: On Target"
    assert obs(x, "corporate/revenue-budget", Period("2015-2016")).value == Decimal(15558000)
    assert obs(x, "corporate/revenue-budget", Period("2016-2017", 1)).value == Decimal(14707000)
    assert obs(x, "corporate/revenue-budget", Period("2016-2017", 3)).value == Decimal(14858000)
    # The Q2 cell of line 74 is blank: no observation, rather than a made-up one.
    assert "2016-2017-Q2" not in periods_of(x, "corporate/revenue-budget")
    ind = indicator(x, "corporate/revenue-budget")
    assert (ind.group, ind.priority, ind.indicator_set) == ("Manage budget effectively", None, "CorporatePI")
    assert (year.excerpt.first_line, year.excerpt.last_line) == (74, 74)


def test_2016_lines_75_76_sickness_absence_with_run_on_note_and_feeders(extraction):
    x = extraction(R16)
    key = "corporate/sickness-absence-days"
    year = obs(x, key, Period("2016-2017"))
    assert (year.value, year.unit, year.target, year.status) == (
        Decimal("7.40"),
        "Number",
        Decimal("8.50"),
        "OnTarget",
    )
    assert year.note.startswith(
        "16/17: On Target Implementation of a Service Review has resulted in a reduced"
    )
    assert obs(x, key, Period("2015-2016")).value == Decimal("12.84")
    assert obs(x, key, Period("2016-2017", 3)).value == Decimal("10.22")
    assert indicator(x, key).group == "Manage stress and absence"
    days = obs(x, f"{key}/feeder/number-of-days-lost-cumulative", Period("2016-2017"))
    fte = obs(x, f"{key}/feeder/average-number-of-fte-in-service-year-to-date", Period("2016-2017"))
    assert (days.value, days.raw, days.excerpt.first_line) == (Decimal("1024.99"), "1,024.9 9", 75)
    assert (fte.value, fte.excerpt.first_line) == (Decimal("138.45"), 76)


def test_2016_line_84_invoices_and_their_feeder_data(extraction):
    x = extraction(R16)
    year = obs(x, INVOICES, Period("2016-2017"))
    assert (year.value, year.unit, year.target, year.status) == (
        Decimal(96),
        "Percent",
        Decimal(95),
        "OnTarget",
    )
    ind = indicator(x, INVOICES)
    assert ind.title == "% of invoices paid within 30 days of invoice receipt (cumulative)"
    assert (ind.excerpt.first_line, ind.excerpt.last_line) == (83, 84)
    assert ind.group == "Process invoices efficiently"
    feeders = {i.title: i for i in x.of(Indicator) if i.feeds == INVOICES}
    assert set(feeders) == {"Number received (cumulative)", "Number paid within 30 days (cumulative)"}
    received = feeders["Number received (cumulative)"]
    assert received.indicator_set == "FeederData"
    assert received.key == f"{INVOICES}/feeder/number-received-cumulative"
    assert obs(x, received.key, Period("2016-2017")).value == Decimal(2397)
    assert obs(x, feeders["Number paid within 30 days (cumulative)"].key, Period("2016-2017")).value == 2296


def test_2016_line_66_stage_1_percentage_note_runs_on_into_lines_67_68(extraction):
    x = extraction(R16)
    key = "complaints/stage-1-within-5-days"
    year = obs(x, key, Period("2016-2017"))
    assert (year.value, year.unit, year.status, year.target) == (
        Decimal("66.67"),
        "Percent",
        "OffTarget",
        Decimal(95),
    )
    assert year.note == (
        "16/17 : Off Target A Council wide review to raise awareness and understanding for staff and "
        "therefore improve performance is performance is planned for 2017/18"
    )
    assert (year.excerpt.first_line, year.excerpt.last_line) == (65, 68)
    ind = indicator(x, key)
    assert (ind.indicator_set, ind.group) == ("Complaints", "Provide an efficient complaints service")
    # The next row (stage 2) has no note of its own: the fragments on its lines belong to stage 1.
    stage2 = obs(x, "complaints/stage-2-within-20-days", Period("2016-2017"))
    assert (stage2.value, stage2.note, stage2.status) == (Decimal("85.71"), None, None)


def test_2016_line_60_q3_na_is_kept_without_a_value(extraction):
    x = extraction(R16)
    q3 = obs(x, "complaints/received-cumulative", Period("2016-2017", 3))
    assert (q3.raw, q3.value) == ("N/A", None)
    year = obs(x, "complaints/received-cumulative", Period("2016-2017"))
    assert (year.value, year.status) == (Decimal(35), "DataOnly")


def test_2016_lines_61_62_garbled_duplicate_values_are_not_read_twice(extraction):
    x = extraction(R16)
    key = "complaints/stage-1-average-days"
    assert indicator(x, key).title == "Average time in working days to respond to complaints at stage 1"
    assert {o.period.key: o.value for o in x.of(Observation) if o.indicator == key} == {
        "2015-2016": Decimal(1),
        "2016-2017-Q1": Decimal(6),
        "2016-2017-Q2": Decimal(6),
        "2016-2017-Q3": None,
        "2016-2017": Decimal("0.67"),
    }
    assert obs(x, key, Period("2016-2017")).target == Decimal(5)
    (w,) = in_lines(x.warnings, 61, 61)
    assert "'1 6 6 N/A 0.67'" in w.reason and "garbled duplicate" in w.reason
    # Its feeder item sits out of place on line 61, but is still read.
    feeder = obs(x, f"{key}/feeder/number-of-complaints-complete-at-stage-1", Period("2016-2017"))
    assert (feeder.value, feeder.excerpt.first_line) == (Decimal(3), 61)


def test_2016_reported_totals(extraction):
    assert totals(extraction(R16)) == {
        "actions.total": (Decimal(10), 81),
        "actions.on_target_or_complete": (Decimal(10), 82),
        "pis.on_target_or_complete": (Decimal(7), 85),
        "pis.total": (Decimal(9), 86),
        "pis.off_target": (Decimal(2), 85),  # the note: "2 of 9 Performance measures currently off target"
    }


def test_2016_every_corporate_priority_is_a_group_not_a_service_plan_priority(extraction):
    x = extraction(R16)
    main = [i for i in x.of(Indicator) if i.excerpt.first_line < 97 and i.indicator_set != "FeederData"]
    assert {i.group for i in main} == {
        "Provide an efficient complaints service",
        "Manage budget effectively",
        "Manage stress and absence",
        "Complete all service priorities",
        "Process invoices efficiently",
        "Improve PI performance",
        "Control risk",
        "Implement improvement plans",
    }
    assert all(i.priority is None and i.code is None for i in main)
    assert len(main) == 12


def test_2016_section_leaves_no_line_unplaced(extraction):
    x = extraction(R16)
    assert in_lines(x.unplaced, 55, 96) == []
    # What it kept but flags: the garbled title cell (61) and a title fragment in a figure column (67).
    assert [w.line for w in in_lines(x.warnings, 55, 96)] == [61, 67]


# -- 2020/21 ------------------------------------------------------------------------------------------


def test_2020_line_194_budget_year_not_available(extraction):
    x = extraction(R20)
    year = obs(x, "corporate/revenue-budget", Period("2020-2021"))
    # N/A is kept with no value; the unit is the indicator's, as on its other cells.
    assert (year.raw, year.value, year.unit, year.status) == ("N/A", None, "GBP", "NotAvailable")
    assert year.note == "20/21: Data not available"
    assert obs(x, "corporate/revenue-budget", Period("2020-2021", 2)).value == Decimal(19402000)
    assert obs(x, "corporate/revenue-budget", Period("2020-2021", 3)).value == Decimal(19527000)
    # £15.139m stands in the third cell, the previous year's column of every 2020/21 corporate table.
    assert obs(x, "corporate/revenue-budget", Period("2019-2020")).value == Decimal(15139000)
    assert "2020-2021-Q1" not in periods_of(x, "corporate/revenue-budget")


def test_2020_line_201_sickness_absence(extraction):
    x = extraction(R20)
    key = "corporate/sickness-absence-days"
    year = obs(x, key, Period("2020-2021"))
    assert (year.value, year.target, year.status) == (Decimal("6.11"), Decimal("9.00"), "OnTarget")
    assert obs(x, key, Period("2019-2020")).value == Decimal("11.02")
    assert obs(x, f"{key}/feeder/number-of-days-lost", Period("2020-2021")).value == Decimal("1298.71")
    assert obs(x, f"{key}/feeder/number-of-fte-in-service", Period("2020-2021")).value == Decimal("212.69")


def test_2020_lines_207_208_service_priority_actions_all_percent(extraction):
    x = extraction(R20)
    key = "corporate/service-priority-actions-on-target"
    year = obs(x, key, Period("2020-2021"))
    assert (year.value, year.unit, year.status, year.target) == (
        Decimal("78.26"),
        "Percent",
        "OffTarget",
        Decimal(90),
    )
    assert year.note == (
        "20/21: Off Target Actions off target have been impacted by Covid and staff being "
        "directed to community resilience response."
    )
    quarters = {
        o.period.quarter: (o.value, o.unit)
        for o in x.of(Observation)
        if o.indicator == key and o.period.quarter
    }
    assert quarters == {
        1: (Decimal("72.04"), "Percent"),
        2: (Decimal("73.91"), "Percent"),
        3: (Decimal("70.06"), "Percent"),
    }
    # Line 207's two figures share columns with line 208's: where they went is said, not hidden.
    reasons = [w.reason for w in in_lines(x.warnings, 207, 207)]
    assert len(reasons) == 2 and all("check against the published PDF" in r for r in reasons)
    assert (
        indicator(x, key).title == "% of service priority Actions on target / completed, of the total number"
    )


def test_2020_line_222_garbled_percent_cells_are_not_numbers(extraction):
    x = extraction(R20)
    key = "corporate/pis-on-target"
    assert not [o for o in x.of(Observation) if "0070" in o.raw]
    year = obs(x, key, Period("2020-2021"))
    assert (year.value, year.unit, year.raw, year.target) == (
        Decimal("93.75"),
        "Percent",
        "93.75 %",
        Decimal(90),
    )
    assert (
        year.note == "20/21: On Target Two PIs off target are linked to FGDM which families can opt out of."
    )
    reasons = [w.reason for w in in_lines(x.warnings, 222, 222)]
    assert len(reasons) == 3 and all("garbled copy" in r for r in reasons)


def test_2020_reported_totals(extraction):
    assert totals(extraction(R20)) == {
        "actions.total": (Decimal(23), 207),
        "actions.on_target_or_complete": (Decimal(18), 208),
        "pis.on_target_or_complete": (Decimal(30), 221),
        "pis.total": (Decimal(32), 222),
        "pis.off_target": (Decimal(2), 221),  # the note: "Two PIs off target are linked to FGDM"
    }


def test_2020_section_leaves_no_line_unplaced(extraction):
    x = extraction(R20)
    assert in_lines(x.unplaced, 188, 237) == []
    assert [w.line for w in in_lines(x.warnings, 188, 237)] == [207, 207, 222, 222, 222]


def test_same_measure_same_key_in_both_reports(extraction):
    a, b = extraction(R16), extraction(R20)
    for key in (
        INVOICES,
        "corporate/revenue-budget",
        "corporate/sickness-absence-days",
        "corporate/service-priority-actions-on-target",
        "corporate/pis-on-target",
        "corporate/high-risks-reviewed",
        "corporate/audit-actions-on-target",
    ):
        assert indicator(a, key).report == "2016-2017" and indicator(b, key).report == "2020-2021"
    assert obs(b, INVOICES, Period("2020-2021")).value == Decimal(98)
    # 2016/17 words it "% of service priorities on target / completed": the curated key joins them.
    assert indicator(a, "corporate/service-priority-actions-on-target").title.startswith(
        "% of service priorities on target"
    )


# -- curated keys: errors and unmatched titles ----------------------------------------------------------


def test_unmatched_title_gets_a_slug_key_and_a_warning():
    lines = read_report_lines(REPORTS_DIR / R20)
    section = next(s for s in split_sections(lines) if s.kind == "indicators")
    result = parse_lines(section, report_info(lines, R20), rules=())
    budget = next(r for r in result.records if isinstance(r, Indicator) and r.excerpt.first_line == 194)
    assert budget.key == "corporate/performance-against-revenue-budget"
    (w,) = [w for w in result.warnings if w.line == 194]
    assert "corporate-indicators.csv" in w.reason and "'Performance against revenue budget'" in w.reason


def test_key_file_errors_name_file_and_line(tmp_path):
    bad = tmp_path / "keys.csv"
    bad.write_text("key,title_pattern,indicator_set,rationale\ncorporate/x,^(unclosed,CorporatePI,because\n")
    with pytest.raises(ReportError, match=r"keys\.csv:2 \(title_pattern\): not a valid regular expression"):
        load_key_rules(bad)
    bad.write_text("key,title_pattern,indicator_set,rationale\ncorporate/x,^x$,Corporate,because\n")
    with pytest.raises(
        ReportError, match=r"keys\.csv:2 \(indicator_set\): unknown indicator set 'Corporate'"
    ):
        load_key_rules(bad)


def test_curated_key_file_rows_all_have_rationales():
    rules = load_key_rules()
    assert len({r.key for r in rules}) == len(rules)
    assert all(r.rationale for r in rules)
