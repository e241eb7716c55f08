"""The LGBF tables of both reports (2016/17 lines 203-213, 2020/21 lines 443-454) and the curated
same-indicator codes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from outcome_graph.errors import OutcomeGraphError, ReportError
from outcome_graph.extract.benchmarks import lgbf_identity, ranks, same_indicator
from outcome_graph.extract.records import Indicator, Observation

from .conftest import R16, R20, extracted


def lgbf(name: str) -> dict[str, Indicator]:
    return {i.key: i for i in extracted(name).of(Indicator) if i.indicator_set == "LGBF"}


def obs(name: str, key: str) -> dict[str, Observation]:
    found = [o for o in extracted(name).of(Observation) if o.indicator == key]
    return {o.period.key: o for o in found}


def test_curated_codes_are_read_from_graph_curated():
    assert same_indicator() == {"CHN08a": "CHN8a", "CHN08b": "CHN8b", "CHN09i": "CHN9"}
    assert lgbf_identity("CHN09i") == ("lgbf/CHN9", "CHN9", ("CHN09i",))
    assert lgbf_identity("CHN22") == ("lgbf/CHN22", "CHN22", ())


def test_a_bad_or_missing_curated_table_is_named(tmp_path):
    (tmp_path / "same-indicator.csv").write_text(
        "code,same_as,rationale\nCHN08a,CHN8a,renumbered\nCHN09i,,renumbered\n", encoding="utf-8"
    )
    with pytest.raises(OutcomeGraphError, match=r"same-indicator\.csv:3: empty 'same_as'"):
        same_indicator(tmp_path)
    with pytest.raises(
        ReportError, match=r"empty/same-indicator\.csv: the curated same-indicator table is missing"
    ):
        (tmp_path / "empty").mkdir()
        same_indicator(tmp_path / "empty")


def test_2016_three_indicators_under_their_canonical_keys():
    found = lgbf(R16)
    assert {k: (i.code, i.alt_codes, i.excerpt.first_line) for k, i in found.items()} == {
        "lgbf/CHN8a": ("CHN8a", ("CHN08a",), 211),
        "lgbf/CHN8b": ("CHN8b", ("CHN08b",), 212),
        "lgbf/CHN9": ("CHN9", ("CHN09i",), 213),
    }
    assert found["lgbf/CHN9"].group == "Children's Services Category"  # line 207


def test_2016_chn08a_line_211_six_years_with_rank_and_quartile():
    o = obs(R16, "lgbf/CHN8a")
    # (The scorecard's line 194 adds the 2016/17 cells: "Annual Measure" and the publication note.)
    assert [(p, x.value) for p, x in sorted(o.items()) if x.excerpt.first_line == 211] == [
        ("2010-2011", Decimal("1832.42")),
        ("2011-2012", Decimal("2404.40")),
        ("2012-2013", Decimal("2869.23")),
        ("2013-2014", Decimal("2465.38")),
        ("2014-2015", Decimal("1748.35")),
        ("2015-2016", Decimal("2951.54")),
    ]
    assert {x.unit for x in o.values()} == {"GBP"}
    assert (o["2015-2016"].rank, o["2015-2016"].quartile) == (10, 2)  # "15/16 Rank 10 (Second Quartile)"
    assert (o["2014-2015"].rank, o["2014-2015"].quartile) == (1, 1)  # "14/15 Rank 1 (TOP Quartile)"
    assert (o["2013-2014"].rank, o["2013-2014"].quartile) == (None, None)


def test_2016_chn08b_and_chn09i():
    o = obs(R16, "lgbf/CHN8b")  # line 212
    assert (o["2014-2015"].value, o["2014-2015"].rank, o["2014-2015"].quartile) == (Decimal("313.99"), 24, 4)
    assert (o["2015-2016"].rank, o["2015-2016"].quartile) == (21, 3)
    o = obs(R16, "lgbf/CHN9")  # line 213
    assert (o["2010-2011"].value, o["2010-2011"].unit) == (Decimal("88.41"), "Percent")
    assert (o["2015-2016"].value, o["2015-2016"].rank, o["2015-2016"].quartile) == (90, 18, 3)


def test_2020_garbled_header_gives_ten_years_2010_11_to_2019_20():
    o = obs(R20, "lgbf/CHN8a")  # line 450
    assert sorted(o) == [f"{y}-{y + 1}" for y in range(2010, 2020)]
    assert o["2010-2011"].raw == "£2,158 .63" and o["2010-2011"].value == Decimal("2158.63")
    assert o["2014-2015"].value == 2107
    assert (o["2019-2020"].value, o["2019-2020"].rank, o["2019-2020"].quartile) == (Decimal("4048.58"), 18, 3)
    assert (o["2016-2017"].rank, o["2016-2017"].quartile) == (8, 1)
    assert lgbf(R20)["lgbf/CHN8a"].alt_codes == ()  # written CHN8a, the canonical code


def test_2020_values_split_by_spaces_and_the_indicator_unit():
    assert obs(R20, "lgbf/CHN8b")["2011-2012"].value == Decimal("376.32")  # "£376.3 2"
    o = obs(R20, "lgbf/CHN9")  # line 452: "88.41" without % is a percentage like the rest of the row
    assert (o["2010-2011"].raw, o["2010-2011"].value, o["2010-2011"].unit) == (
        "88.41",
        Decimal("88.41"),
        "Percent",
    )
    assert (o["2011-2012"].value, o["2017-2018"].value) == (Decimal("87.32"), Decimal("90.99"))


def test_2020_rows_starting_with_blank_cells_and_trailing_dots_in_the_comparison():
    o = obs(R20, "lgbf/CHN22")  # line 453: data from 2012/13
    assert sorted(o)[0] == "2012-2013" and len(o) == 8
    assert o["2012-2013"].value == Decimal("17.83")
    assert (o["2015-2016"].rank, o["2015-2016"].quartile) == (29, 4)  # "(Bottom Quartile)."
    assert (o["2019-2020"].value, o["2019-2020"].rank, o["2019-2020"].quartile) == (Decimal("3.13"), 8, 1)
    o = obs(R20, "lgbf/CHN23")  # line 454, the file's last line (no newline)
    assert sorted(o)[0] == "2011-2012" and o["2011-2012"].value == Decimal("21.74")
    assert (o["2016-2017"].rank, o["2016-2017"].quartile) == (25, 4)
    assert o["2019-2020"].excerpt.first_line == 454


def test_restated_chn8a_2015_16_is_kept_from_each_report():
    a = obs(R16, "lgbf/CHN8a")["2015-2016"]
    b = obs(R20, "lgbf/CHN8a")["2015-2016"]
    assert (a.report, a.value, a.excerpt.first_line) == ("2016-2017", Decimal("2951.54"), 211)
    assert (b.report, b.value, b.excerpt.first_line) == ("2020-2021", Decimal("3225.80"), 450)


def test_ranks_read_every_statement_of_the_cell():
    found, rest = ranks(
        "19/20 Rank 9 (Second Quartile) 18/19 Rank 6 (Top Quartile) 15/16 Rank 4 (Top Quartile). "
        "14/15 Rank 20 (Third Quartile)."
    )
    assert found == {"2019-2020": (9, 2), "2018-2019": (6, 1), "2015-2016": (4, 1), "2014-2015": (20, 3)}
    assert rest == ""
    found, rest = ranks("15/16 Rank 3 (Middle Quartile)")
    assert (found, rest) == ({}, "15/16 Rank 3 (Middle Quartile)")


def test_nothing_in_the_lgbf_sections_is_unplaced_or_warned_about():
    assert [u for u in extracted(R16).unplaced if u.line >= 203] == []
    assert [u for u in extracted(R20).unplaced if u.line >= 443] == []
    assert [w for w in extracted(R20).warnings if w.line >= 443] == []
    assert [w.line for w in extracted(R16).warnings if w.line >= 194] == [194]  # the restated CHN08a figure
