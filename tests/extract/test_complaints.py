"""The 2020/21 complaints indicator summary (lines 238-255), read from the real report."""

from __future__ import annotations

from decimal import Decimal

from outcome_graph.extract.records import Indicator, Observation, Period

from .conftest import R16, R20

YEAR = Period("2020-2021")


def values(x, key: str) -> dict[str, Decimal | None]:
    return {o.period.key: o.value for o in x.of(Observation) if o.indicator == key}


def annual(x, key: str) -> Observation:
    (o,) = [o for o in x.of(Observation) if o.indicator == key and o.period == YEAR]
    return o


def test_twelve_complaints_indicators_keyed_from_the_curated_file(extraction):
    x = extraction(R20)
    found = {i.excerpt.first_line: i for i in x.of(Indicator) if i.indicator_set == "Complaints"}
    assert sorted(found) == list(range(244, 256))
    assert all(i.group == "Commitment to valuing Complaints" and i.code is None for i in found.values())
    assert not [w for w in x.warnings if 238 <= w.line <= 256 and "corporate-indicators.csv" in w.reason]


def test_lines_249_to_254_values_with_q4(extraction):
    x = extraction(R20)
    assert values(x, "complaints/stage-1-average-days") == {
        "2019-2020": Decimal(5),
        "2020-2021-Q1": Decimal(1),
        "2020-2021-Q2": Decimal("2.5"),
        "2020-2021-Q3": Decimal(3),
        "2020-2021-Q4": Decimal("4.5"),
        "2020-2021": Decimal(3),
    }
    assert values(x, "complaints/stage-2-average-days")["2020-2021"] == Decimal("17.9")
    assert values(x, "complaints/escalated-average-days")["2020-2021-Q2"] == Decimal("25.67")
    assert values(x, "complaints/stage-2-within-20-days")["2020-2021"] == Decimal("92.9")
    assert values(x, "complaints/escalated-within-20-days") == {
        "2019-2020": Decimal("78.95"),
        "2020-2021-Q1": Decimal(0),
        "2020-2021-Q2": Decimal("66.67"),
        "2020-2021-Q3": Decimal(100),
        "2020-2021-Q4": Decimal(50),
        "2020-2021": Decimal(0),
    }
    o = annual(x, "complaints/stage-2-average-days")
    assert (o.target, o.status, o.unit) == (Decimal(20), "OnTarget", "Number")


def test_line_252_stage_1_within_5_days(extraction):
    o = annual(extraction(R20), "complaints/stage-1-within-5-days")
    assert (o.value, o.unit, o.target, o.target_raw, o.status) == (
        Decimal("83.3"),
        "Percent",
        Decimal(95),
        "95%",
        "OffTarget",
    )
    assert o.note == "20/21: Off Target 5 out of 6 Stage 1 Complaints were completed within 5 working days."
    assert (o.excerpt.first_line, o.excerpt.last_line) == (252, 252)


def test_lines_246_and_255_number_in_status_column_is_neither_value_nor_target(extraction):
    x = extraction(R20)
    upheld = annual(x, "complaints/upheld")
    assert (upheld.value, upheld.target, upheld.status) == (Decimal(4), None, "DataOnly")
    ext = annual(x, "complaints/extensions-authorised")
    assert (ext.value, ext.target) == (Decimal(3), None)
    # Dropped as icon leftovers, listed with line, column and fragment (one rule for every table).
    status = [(d.line, d.column, d.column_name, d.fragment) for d in x.dropped if 238 <= d.line <= 256]
    assert [d for d in status if d[2] == "Status"] == [(246, 8, "Status", "47"), (255, 8, "Status", "4")]


def test_shared_keys_with_2016_17_corporate_summary(extraction):
    a, b = extraction(R16), extraction(R20)
    for key in (
        "complaints/stage-1-average-days",
        "complaints/stage-2-average-days",
        "complaints/stage-1-within-5-days",
        "complaints/stage-2-within-20-days",
    ):
        assert [i.report for i in a.of(Indicator) if i.key == key] == ["2016-2017"]
        assert [i.report for i in b.of(Indicator) if i.key == key] == ["2020-2021"]
    assert values(a, "complaints/stage-2-average-days")["2016-2017"] == Decimal("11.5")


def test_section_leaves_no_line_unplaced(extraction):
    assert [u for u in extraction(R20).unplaced if 238 <= u.line <= 256] == []
