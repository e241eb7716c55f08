"""Service-priority PI tables of both layouts, read from the real reports (line numbers are the files')."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from outcome_graph.extract import (
    SectionResult,
    read_report_lines,
    report_info,
    service_pis,
    split_sections,
)
from outcome_graph.extract.records import Indicator, Observation
from outcome_graph.paths import REPORTS_DIR

from .conftest import R16, R20, extracted


@cache
def section_result(name: str) -> SectionResult:
    """The service_pis parser's own output, before the cross-section steps (derive) run."""
    lines = read_report_lines(REPORTS_DIR / name)
    info = report_info(lines, str(REPORTS_DIR / name))
    (section,) = [s for s in split_sections(lines) if s.kind == "service_pis"]
    return service_pis.parse(section, info)


def pis(name: str) -> dict[str, Indicator]:
    return {i.key: i for i in extracted(name).of(Indicator) if i.indicator_set == "ServicePriorityPI"}


def obs(name: str, key: str) -> dict[str, Observation]:
    """The report's observations of one indicator, by period key; fails if a period occurs twice."""
    found = [o for o in extracted(name).of(Observation) if o.indicator == key]
    by_period = {o.period.key: o for o in found}
    assert len(by_period) == len(found), f"{key}: two observations for one period"
    return by_period


# -- 2016/17, lines 118-156 ---------------------------------------------------------------------------

CODES_2016 = [
    "BS.CS.LPI.04",
    "BS.CS.LPI.05",
    "CS.S.01.01a",
    "CS.S.01.01b",
    "CS.S.01.01c",
    "CS.S.01.01d",
    "CS.S.01.02a",
    "CS.S.01.02b",
    "CS.S.01.02c",
    "CS.S.01.02d",
    "CS.S.02.01a",
    "CS.S.02.02a",
    "CS.S.02.02b",
    "CS.S.02.03a",
    "CS.S.02.04a",
    "CS.S.02.04b",
    "CS.S.02.05a",
    "CS.S.03.01a",
    "CS.S.03.02a",
    "CS.S.03.02b",
    "CS.S.03.02c",
    "CS.S.03.03a",
    "M.G.CS.01.04f",
    "M.G.CS.01.04g",
]


def test_2016_every_pi_row_of_lines_121_to_156_is_one_indicator():
    # Counted by reading the report: 5 rows on 121-125, 5 on 129-133, 5 on 137-141, 6 on 145-150 and 3
    # on 154-156 (the brief's "23" was one short).
    found = pis(R16)
    assert sorted(found) == sorted(CODES_2016)
    assert len(found) == 24
    lines = sorted(i.excerpt.first_line for i in found.values())
    assert lines == [*range(121, 126), *range(129, 134), *range(137, 142), *range(145, 151), 154, 155, 156]


def test_2016_split_code_on_line_155_is_the_scorecard_code_of_line_199():
    ind = pis(R16)["M.G.CS.01.04f"]
    assert ind.excerpt.first_line == 155 and ind.code == "M.G.CS.01.04f"
    assert ind.excerpt.text.startswith("M.G.CS.01.04 f\t")
    scorecard = [i for i in extracted(R16).of(Indicator) if i.indicator_set == "BalancedScorecard"]
    assert [i.excerpt.first_line for i in scorecard if i.key == "M.G.CS.01.04f"] == [199]


def test_2016_priority_is_carried_from_the_merged_priority_cell():
    found = pis(R16)
    assert found["CS.S.01.02b"].priority == "01"  # line 131, the full "01. Children and young people ..."
    assert found["CS.S.01.02c"].priority == "01"  # line 132: its "•" is a stray glyph
    assert found["CS.S.02.05a"].priority == "02"  # line 146, "efficient use of resources"
    assert found["BS.CS.LPI.04"].priority == "01"  # line 121, above "01. Children and" on 122
    assert found["CS.S.03.03a"].priority == "03"  # line 154
    assert found["M.G.CS.01.04g"].priority == "03"  # line 156, carried down from 154
    # Where the code names the priority (CS.S.<priority>.<n>), the carried priority agrees with it:
    # rows above a priority's text on its page (137-138) and between two texts (147) included.
    for code, ind in found.items():
        if code.startswith("CS.S."):
            assert ind.priority == code.split(".")[2], (code, ind.priority)


def test_2016_lpi_04_line_121_cells_target_status_and_benchmark():
    ind = pis(R16)["BS.CS.LPI.04"]
    assert ind.benchmark == "Benchmark 100%; National std is 8 wks; Midlothian std is 4 wks."
    o = obs(R16, "BS.CS.LPI.04")
    assert (o["2016-2017-Q1"].value, o["2016-2017-Q2"].value, o["2016-2017-Q3"].value) == (85, 68, 96)
    assert o["2016-2017-Q1"].excerpt.first_line == 121  # the service table's cell, not the scorecard's copy
    year = o["2016-2017"]
    assert (year.value, year.unit, year.status, year.target, year.target_raw) == (
        Decimal(80),
        "Percent",
        "OffTarget",
        Decimal(100),
        "100%",
    )
    assert year.excerpt.first_line == 121
    assert year.note.startswith("16/17: Off Target Q1-85% Q2-68% Q3-96% Q4- 69%")


def test_2016_new_for_16_17_is_kept_as_what_the_report_says_for_2015_16():
    o = obs(R16, "CS.S.01.01a")  # line 123
    prev = o["2015-2016"]
    assert (prev.raw, prev.value) == ("New for 16/17", None)
    assert (o["2016-2017"].value, o["2016-2017"].status, o["2016-2017"].target) == (95, "OffTarget", 100)
    assert "2015-2016" not in obs(R16, "CS.S.01.01b")  # line 124: blank cell, no observation


def test_2016_na_cells_have_no_value_and_zero_stays_zero():
    o = obs(R16, "CS.S.01.01c")  # line 125: Q1 N/A
    assert (o["2016-2017-Q1"].raw, o["2016-2017-Q1"].value) == ("N/A", None)
    o = obs(R16, "CS.S.02.04a")  # line 141: N/A N/A N/A 167
    assert [o[f"2016-2017-Q{q}"].value for q in (1, 2, 3)] == [None, None, None]
    assert (o["2016-2017"].value, o["2016-2017"].unit, o["2016-2017"].status) == (167, "Number", "DataOnly")
    o = obs(R16, "CS.S.03.02c")  # line 150: N/A throughout, the year included
    assert (o["2016-2017"].raw, o["2016-2017"].value, o["2016-2017"].status) == ("N/A", None, "DataOnly")
    o = obs(R16, "CS.S.02.05a")  # line 146: 0 1 1 2, target 1
    assert o["2016-2017-Q1"].value == Decimal(0) and o["2016-2017-Q1"].raw == "0"
    assert (o["2016-2017"].value, o["2016-2017"].status, o["2016-2017"].target) == (2, "OffTarget", 1)


def test_2016_status_comes_from_the_note_not_the_icon_columns():
    # Line 131's Status cell is the glyph "0", line 130's Short Trend "倉": the notes say On Target.
    assert obs(R16, "CS.S.01.02b")["2016-2017"].status == "OnTarget"
    assert obs(R16, "CS.S.01.02a")["2016-2017"].status == "OnTarget"
    o = obs(R16, "CS.S.03.02b")  # line 149: 3.2 against a target of 3.0
    assert (o["2016-2017"].value, o["2016-2017"].target, o["2016-2017"].target_raw) == (
        Decimal("3.2"),
        Decimal("3.0"),
        "3.0",
    )


def test_2016_headers_are_consumed_and_nothing_in_the_table_is_unplaced():
    assert [u for u in extracted(R16).unplaced if 118 <= u.line <= 157] == []
    result = section_result(R16)
    assert {119, 120, 127, 128, 135, 136, 143, 144, 152, 153} <= result.consumed
    assert result.warnings == []


# -- 2020/21, lines 334-429 ---------------------------------------------------------------------------


def test_2020_thirty_two_service_plan_pis_as_the_report_totals_them():
    found = pis(R20)
    assert len(found) == 32
    line_222 = (REPORTS_DIR / R20).read_text(encoding="utf-8").split("\n")[221]
    assert line_222.endswith("Total number of PI's\t32")


def test_2020_split_code_and_priority_from_the_sub_table_heading():
    found = pis(R20)
    ind = found["CSPC.P.1.2a"]  # line 342: "CSPC.P. 1.2a"
    assert (ind.code, ind.priority, ind.excerpt.first_line) == ("CSPC.P.1.2a", "01", 342)
    year = obs(R20, "CSPC.P.1.2a")["2020-2021"]
    assert (year.value, year.status, year.target) == (9, "Complete", 8)
    assert found["CSPC.P.11.7a"].priority == "11"  # heading on line 419 ("11. Life-Long Learning ...")
    assert found["CSPC.P.4.1c"].priority == "04"


def test_2020_note_run_on_after_a_page_header_joins_its_record():
    ind = pis(R20)["CSPC.P.2.1c"]
    assert (ind.excerpt.first_line, ind.excerpt.last_line) == (351, 355)
    year = obs(R20, "CSPC.P.2.1c")["2020-2021"]
    assert year.value == 23
    assert year.note == "20/21: Data Only Numbers low due to COVID. Benchmark to be set April 2022"
    assert year.status == "DataOnly"


def test_2020_title_run_on_after_a_page_header_joins_its_record():
    ind = pis(R20)["CSPC.P.9.2a"]
    assert (ind.excerpt.first_line, ind.excerpt.last_line) == (413, 417)
    assert ind.title == (
        "Instances of bespoke 1-1 support to community and voluntary groups on funding, "
        "capital projects, governance, income generation, and organisational development."
    )


def test_2020_uncoded_pis_on_lines_364_and_382_are_kept_with_warnings():
    result = section_result(R20)
    by_line = {i.excerpt.first_line: i for i in result.records if isinstance(i, Indicator)}
    for line, priority, title in [
        (364, "03", "Offer income assessments to families at HFLC"),
        (382, "05", "Completion of transfer to CLL, user group established, capital works completed"),
    ]:
        ind = by_line[line]
        assert (ind.code, ind.code_derived, ind.key, ind.priority, ind.title) == (
            None,
            False,
            f"2020-2021/L{line}",
            priority,
            title,
        )
    assert [(w.line, w.reason) for w in result.warnings] == [
        (
            364,
            "service-priority PI with no code in the report (a stray '1' in its place); "
            "kept as 2020-2021/L364",
        ),
        (382, "service-priority PI with no code in the report (the code cell empty); kept as 2020-2021/L382"),
    ]
    year = [o for o in result.records if isinstance(o, Observation) and o.indicator == "2020-2021/L364"]
    assert [(o.period.key, o.value, o.status) for o in year] == [("2020-2021", 0, "DataOnly")]
    # The warnings reach the report's extraction.
    assert 364 in {w.line for w in extracted(R20).warnings}


def test_2020_cells_na_glyphs_and_statuses():
    o = obs(R20, "CSPC.P.4.1b")  # line 374: Q2 100%, Q3 92%, year 92%, target 100%
    assert (o["2020-2021-Q2"].value, o["2020-2021-Q3"].value) == (100, 92)
    assert (o["2020-2021"].value, o["2020-2021"].unit, o["2020-2021"].status, o["2020-2021"].target) == (
        92,
        "Percent",
        "OffTarget",
        100,
    )
    o = obs(R20, "CSPC.P.6.2a")  # line 388: Q2 111, year N/A, "**" in the Status column is a glyph
    assert o["2020-2021-Q2"].value == 111
    assert (o["2020-2021"].raw, o["2020-2021"].value, o["2020-2021"].status) == ("N/A", None, "NotAvailable")
    o = obs(R20, "CSPC.P.11.3a")  # line 425: "Q4 20/21: Data not available ..."
    assert (o["2020-2021-Q2"].value, o["2020-2021"].value, o["2020-2021"].status) == (0, None, "NotAvailable")
    o = obs(R20, "CSPC.P.2.2a")  # line 357: 0% makes the indicator a percentage
    assert (o["2020-2021"].value, o["2020-2021"].unit) == (0, "Percent")
    assert o["2020-2021-Q2"].unit == "Percent" and o["2020-2021-Q2"].value is None


def test_2020_headings_and_headers_are_consumed_and_nothing_is_unplaced():
    assert [u for u in extracted(R20).unplaced if 334 <= u.line <= 430] == []
    result = section_result(R20)
    headings = {338, 345, 359, 366, 377, 384, 391, 399, 408, 419}
    headers = {
        340,
        341,
        347,
        348,
        353,
        354,
        361,
        362,
        368,
        369,
        372,
        373,
        379,
        380,
        386,
        387,
        393,
        394,
        401,
        402,
        410,
        411,
        415,
        416,
        421,
        422,
    }
    assert headings | headers == result.consumed
    assert result.unplaced == []
