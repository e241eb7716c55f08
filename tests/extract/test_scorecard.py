"""The 2016/17 balanced scorecard (lines 158-201), read from the real report, and the merge of the cells
it restates from the service-priority and LGBF tables."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from outcome_graph.extract.records import Indicator, Observation

from .conftest import R16, R20, extracted


def scorecard() -> dict[str, Indicator]:
    return {i.key: i for i in extracted(R16).of(Indicator) if i.indicator_set == "BalancedScorecard"}


def obs(key: str) -> dict[str, Observation]:
    found = [o for o in extracted(R16).of(Observation) if o.indicator == key]
    by_period = {o.period.key: o for o in found}
    assert len(by_period) == len(found), f"{key}: two observations for one period"
    return by_period


def test_every_scorecard_row_is_an_indicator_and_nothing_is_unplaced():
    found = scorecard()
    assert sorted(i.excerpt.first_line for i in found.values()) == [
        *range(162, 168),
        *range(171, 185),
        *range(188, 196),
        199,
        200,
        201,
    ]
    assert len(found) == 31
    assert [u for u in extracted(R16).unplaced if 158 <= u.line <= 202] == []


def test_annual_measure_split_over_two_cells_on_line_162():
    o = obs("BS.CS.01")
    assert (o["2016-2017-Q1"].raw, o["2016-2017-Q1"].value) == ("Annual Measure", None)
    assert "2016-2017-Q2" not in o  # "isure" is the rest of the Q1 cell's marker
    assert "2016-2017-Q3" not in o  # "-": blank
    assert (o["2016-2017"].value, o["2016-2017"].status) == (234, "DataOnly")


def test_data_only_split_down_the_target_column_on_lines_163_164_is_not_a_target():
    for key, value in (("BS.CS.02", 180), ("BS.CS.03", 2)):
        year = obs(key)["2016-2017"]
        assert (year.value, year.target, year.target_raw, year.status) == (
            value,
            None,
            "Data only",
            "DataOnly",
        )
        assert (year.excerpt.first_line, year.excerpt.last_line) == (163, 164)
    o = obs("BS.CS.03")
    assert (o["2015-2016"].raw, o["2015-2016"].value) == ("New for 16/17", None)
    assert (o["2016-2017-Q1"].raw, o["2016-2017-Q1"].value, o["2016-2017-Q3"].value) == ("N/A", None, 1)
    assert "2015-2016" not in obs("BS.CS.02")  # "-"


def test_data_only_in_the_q3_column_of_line_184():
    o = obs("BS.CS.24")
    assert (o["2016-2017-Q3"].raw, o["2016-2017-Q3"].value) == ("Data only", None)
    assert [o[p].value for p in ("2015-2016", "2016-2017-Q1", "2016-2017-Q2", "2016-2017")] == [
        12,
        10,
        10,
        10,
    ]


def test_targets_and_statuses_as_the_report_states_them():
    o = obs("BS.CS.25")["2016-2017"]  # line 188
    assert (o.value, o.unit, o.target, o.status) == (Decimal("76.92"), "Percent", 95, "OffTarget")
    o = obs("BS.CS.26")["2016-2017"]  # line 189: 88 against 88, and the note says Off target: kept
    assert (o.value, o.target, o.status) == (88, 88, "OffTarget")
    assert obs("BS.CS.27")["2016-2017"].status == "Complete"  # line 190
    o = obs("BS.CS.08")  # line 166: Q1 blank
    assert "2016-2017-Q1" not in o
    assert (o["2016-2017"].value, o["2016-2017"].target, o["2016-2017"].status) == (11, 6, "OnTarget")
    assert obs("BS.CS.04")["2016-2017-Q1"].value == 1385  # line 165, "1,385"
    assert obs("BS.CS.25")["2016-2017-Q1"].value is None  # N/A
    assert obs("BS.CS.16")["2015-2016"].value == 192  # line 177


def test_line_186_header_with_blanks_keeps_the_standard_columns():
    o = obs("BS.CS.28")  # line 191, under the header of 186-187
    assert [o[p].value for p in ("2015-2016", "2016-2017-Q2", "2016-2017")] == [85, 85, Decimal("84.6")]
    assert o["2016-2017"].target == 85


def test_new_for_16_17_split_over_the_lpi_rows_192_193():
    for key in ("BS.CS.LPI.04", "BS.CS.LPI.05"):
        prev = obs(key)["2015-2016"]
        assert (prev.raw, prev.value) == ("New for 16/17", None)
        assert (prev.excerpt.first_line, prev.excerpt.last_line) == (192, 193)
    # The same key as the service-priority rows 121-122: one indicator in two tables.
    lpi = [i for i in extracted(R16).of(Indicator) if i.key == "BS.CS.LPI.05"]
    assert sorted((i.excerpt.first_line, i.indicator_set) for i in lpi) == [
        (122, "ServicePriorityPI"),
        (193, "BalancedScorecard"),
    ]


def test_restated_lpi_cells_are_emitted_once_with_the_first_tables_excerpt():
    o = obs("BS.CS.LPI.05")
    assert {p: (x.value, x.excerpt.first_line) for p, x in o.items() if p != "2015-2016"} == {
        "2016-2017-Q1": (82, 122),
        "2016-2017-Q2": (80, 122),
        "2016-2017-Q3": (71, 122),
        "2016-2017": (87, 122),
    }
    assert (o["2016-2017"].target, o["2016-2017"].status) == (100, "OffTarget")


def test_lgbf_rows_194_195_use_the_canonical_key_and_the_note_across_both_rows():
    found = scorecard()
    assert (found["lgbf/CHN8a"].code, found["lgbf/CHN8a"].alt_codes) == ("CHN8a", ("CHN08a",))
    assert (found["lgbf/CHN8b"].code, found["lgbf/CHN8b"].alt_codes) == ("CHN8b", ("CHN08b",))
    for key in ("lgbf/CHN8a", "lgbf/CHN8b"):
        o = obs(key)
        assert (o["2016-2017-Q1"].raw, o["2016-2017-Q1"].value) == ("Annual Measure", None)
        year = o["2016-2017"]
        assert (
            year.note
            == "Local Government Benchmarking Framework for 2016/17 will be published in January 2018."
        )
        assert (year.value, year.status, year.excerpt.first_line, year.excerpt.last_line) == (
            None,
            None,
            194,
            195,
        )


def test_lgbf_figures_restated_by_the_scorecard():
    # Line 194 shows £2,951 for CHN08a 2015/16; the LGBF table (line 211) £2,951.54: the report disagrees
    # with itself, the precise figure is kept and the difference is reported.
    o = obs("lgbf/CHN8a")["2015-2016"]
    assert (o.value, o.unit, o.excerpt.first_line, o.rank, o.quartile) == (
        Decimal("2951.54"),
        "GBP",
        211,
        10,
        2,
    )
    assert [(w.line, w.reason) for w in extracted(R16).warnings if "CHN8a" in w.reason] == [
        (
            194,
            "lgbf/CHN8a 2015-2016: line 194 says £2,951 and line 211 says £2,951.54; kept line 211's "
            "(the more precise)",
        )
    ]
    # Line 195's £319.83 equals line 212's: one observation, the one that also gives rank and quartile.
    o = obs("lgbf/CHN8b")["2015-2016"]
    assert (o.value, o.excerpt.first_line, o.rank, o.quartile) == (Decimal("319.83"), 212, 21, 3)


def test_m_g_cs_rows_restated_from_the_service_table_merge_cell_by_cell():
    o = obs("M.G.CS.01.04f")
    assert {p: (x.value, x.excerpt.first_line) for p, x in o.items()} == {
        "2015-2016": (None, 199),  # New for 16/17: only the scorecard says it
        "2016-2017-Q2": (42, 155),
        "2016-2017-Q3": (66, 155),
        "2016-2017": (70, 199),  # the scorecard's copy also gives the "Data only" target cell
    }
    assert o["2016-2017"].target_raw == "Data only" and o["2016-2017"].target is None
    o = obs("M.G.CS.01.06a")  # line 201: only in the scorecard
    assert (o["2016-2017-Q2"].value, o["2016-2017-Q3"].value, o["2016-2017"].value) == (266, None, 649)
    assert (o["2016-2017"].target, o["2016-2017"].status) == (360, "OffTarget")


def test_no_report_states_two_observations_for_one_cell():
    for name in (R16, R20):
        counts = Counter((o.indicator, o.period.key) for o in extracted(name).of(Observation))
        assert [k for k, n in counts.items() if n > 1] == []
