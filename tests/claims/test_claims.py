"""Claims read from named lines of the real reports: figures, roles, units, periods; and the six
statements quoted in issue 12, each exactly."""

from __future__ import annotations

from decimal import Decimal

from outcome_graph.extract.records import Period

Y16, Y20 = "2016-2017", "2020-2021"


def figs(c):
    return [(f.role, f.value, f.unit, f.period.key if f.period else None) for f in c.figures]


def test_foster_care_numbers_line_23(claim):
    c = claim(Y16, 23, 2)
    assert "by 12.5% from 56 in Q1 to 63 in Q4" in c.statement
    assert c.about == "our current foster care numbers"
    assert figs(c) == [
        ("change", Decimal("12.5"), "Percent", None),
        ("from", Decimal(56), "Number", "2016-2017-Q1"),
        ("to", Decimal(63), "Number", "2016-2017-Q4"),
    ]
    assert (c.excerpt.first_line, c.excerpt.last_line) == (23, 23)


def test_child_protection_referrals_line_27(claim):
    c = claim(Y16, 27)
    assert figs(c) == [
        ("change", Decimal(39), "Percent", None),
        ("from", Decimal(364), "Number", "2015-2016"),
        ("to", Decimal(507), "Number", "2016-2017"),
    ]
    assert c.period == Period(Y16)


def test_referrals_line_45(claim):
    c = claim(Y16, 45)
    assert "4764 which is a 4% increase from 2015/16 (4580)" in c.statement
    assert figs(c) == [
        ("to", Decimal(4764), "Number", None),
        ("change", Decimal(4), "Percent", None),
        ("from", Decimal(4580), "Number", "2015-2016"),
    ]
    assert c.period == Period(Y16)  # "for 2016/17"


def test_child_protection_rate_line_25(claim):
    c = claim(Y16, 25, 2)
    assert "a rate of 3.2 children per 1,000 against a national average rate of 3.0" in c.statement
    assert [(f.role, f.raw) for f in c.figures] == [("rate", "3.2"), ("comparator", "3.0")]
    assert c.about == "number of children on the child protection register"


def test_stage_1_complaints_line_252(claim):
    c = claim(Y20, 252)
    assert c.statement == "5 out of 6 Stage 1 Complaints were completed within 5 working days."
    # "Stage 1" and "within 5 working days" name the measure: they are not figures
    assert figs(c) == [("part", Decimal(5), "Number", None), ("whole", Decimal(6), "Number", None)]
    assert (c.source, c.record, c.period) == (
        "observation note",
        "complaints/stage-1-within-5-days",
        Period(Y20),
    )


def test_positive_destinations_line_301(claim):
    c = claim(Y20, 301)
    assert c.statement.startswith("Midlothian's positive destination rate for 2019/20 was 94.4% 1.1% above")
    assert figs(c) == [
        ("value", Decimal("94.4"), "Percent", None),
        ("difference", Decimal("1.1"), "Percent", None),
        ("comparator", Decimal("93.3"), "Percent", None),
        ("change", Decimal("0.7"), "Percent", None),
    ]
    assert c.period == Period("2019-2020")
    assert (c.source, c.record) == ("action note", "CSPC.P.7.2")
    assert c.about == "Midlothian's positive destination rate"


def test_a_decrease_is_a_negative_change(claim):
    c = claim(Y16, 29, 2)  # "32 children placed, which is a decrease of 6 young people"
    assert figs(c) == [("value", Decimal(32), "Number", None), ("change", Decimal(-6), "Number", None)]


def test_quarterly_parts_and_their_total_line_165(claim):
    c = claim(Y16, 165)
    assert [(f.role, f.value, f.period.quarter if f.period else None) for f in c.figures] == [
        ("whole", Decimal(4764), None),
        ("part", Decimal(1385), 1),
        ("part", Decimal(1084), 2),
        ("part", Decimal(1238), 3),
        ("part", Decimal(1057), 4),
    ]


def test_money_line_37_and_275(claim):
    assert figs(claim(Y20, 37, 2)) == [("value", Decimal("29877.18"), "GBP", None)]
    assert figs(claim(Y20, 275)) == [("value", Decimal("29877.18"), "GBP", None)]
    assert figs(claim(Y20, 73)) == [("value", Decimal(1500000), "GBP", None)]  # "over £1.5 million"


def test_dates_ages_periods_and_names_are_not_figures(claims):
    # e.g. "31st March 2017", "up to the age of 26", "2015/16", "Covid-19", "S5", "Level 4/5"
    raws = {(c.report, c.key): [f.raw for f in c.figures] for c in claims}
    assert all("2017" not in r and "26" != r for rs in raws.values() for r in rs)
    assert raws[(Y16, "L145-1")] == ["13", "4"]  # "13 CEYP in S5 and 4 in S6"
    assert raws[(Y20, "L389-1")] == ["79", "40"]  # "Level 4/5 = 79, Level 6 = 40"


def test_every_claim_quotes_its_line(claims):
    from outcome_graph.extract import read_report_lines
    from outcome_graph.paths import REPORTS_DIR

    files = {
        "2016-2017": read_report_lines(REPORTS_DIR / "midlothian-childrens-services-2016-17.txt"),
        "2020-2021": read_report_lines(REPORTS_DIR / "midlothian-cspc-2020-21.txt"),
    }
    for c in claims:
        text = " ".join(ln.text for ln in files[c.report][c.excerpt.first_line - 1 : c.excerpt.last_line])
        flat = " ".join(text.split())
        # a note wrapped over table lines is interleaved with other cells: its words are all there
        assert set(c.statement.split()) <= set(flat.split()), (c.key, c.statement)
        for f in c.figures:
            assert f.raw in c.statement and f.raw in flat, (c.key, f.raw)
        assert c.key.startswith(f"L{c.excerpt.first_line}-")


def test_claims_are_counted_per_report_and_keys_are_unique(claims):
    keys = [(c.report, c.key) for c in claims]
    assert len(keys) == len(set(keys))
    per = {y: sum(c.report == y for c in claims) for y in (Y16, Y20)}
    # every narrative or note sentence with a figure in the 2016/17 report lies within lines 7-201
    assert all(7 <= c.excerpt.first_line <= 201 for c in claims if c.report == Y16)
    # the count issue 12's closing note reports (README "Claims")
    assert per == {Y16: 45, Y20: 38}  # with counts written as words ("two young people")


def test_counts_written_as_words_are_figures_and_checked(claim, checks):
    """Issue 18 part 3: "two young people in secure care" (2016/17 lines 33 and 111) is a figure, 2,
    checked like one written in digits: against line 146's note ("There were 2 young people in secure
    care") and CS.S.02.05a's 2016/17 cell (line 146: 2). "stage three" is a name, "two quarters" a span."""
    assert [(f.raw, f.value) for f in claim("2016-2017", 111).figures] == [("two", 2)]
    [cross] = checks[("2016-2017", "L111-1")]
    assert (cross.verdict, cross.against_line, cross.expected) == ("Agrees", 146, "2")
    [cell] = checks[("2016-2017", "L33-3")]
    assert (cell.verdict, cell.against_line, cell.stated) == ("Agrees", 146, "two")
    from outcome_graph.extract.claims_text import figures

    # "None of the Escalated complaints were complete within the 20 working days" (2020/21 line 254): 0%
    [none] = checks[("2020-2021", "L254-1")]
    assert (none.verdict, none.stated, none.expected, none.against_line) == ("Agrees", "None", "0%", 254)

    assert figures("the reduction in stage three forms of intervention", "2016-2017") == []
    assert figures("Over the past two quarters we have seen", "2016-2017") == []
    assert [(f.raw, f.value) for f in figures("We have 12 beds across the three houses.", "2016-2017")] == [
        ("12", Decimal(12)),
        ("three", Decimal(3)),
    ]
