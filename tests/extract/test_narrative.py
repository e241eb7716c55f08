"""Prose sections: one Narrative per paragraph with its heading (2016/17 lines 5-54, 2020/21 5-96)."""

from __future__ import annotations

from outcome_graph.extract.narrative import inline_label
from outcome_graph.extract.records import Narrative

from .conftest import R16, R20, extracted

# The prose sections this parser reads (other sections may keep prose as Narrative records too).
PROSE = {R16: range(5, 55), R20: range(5, 97)}


def paragraphs(name: str) -> dict[int, Narrative]:
    return {
        n.excerpt.first_line: n for n in extracted(name).of(Narrative) if n.excerpt.first_line in PROSE[name]
    }


def test_2016_one_record_per_paragraph_with_inline_labels():
    ps = paragraphs(R16)
    # Paragraphs are the odd lines 7-39 and 43-53 (blank lines between them; 5 and 41 are headings).
    assert sorted(ps) == list(range(7, 40, 2)) + list(range(43, 54, 2))
    assert ps[7].heading == "Progress on Delivery of strategic outcomes"
    assert ps[23].heading == "Family Placement Team"
    assert ps[25].heading == "Child Protection"
    assert ps[29].heading == "Looked After at home and away from home (LAC/LAAC)"  # "(LAC/LAAC):Over"
    assert ps[47].heading == "Finance"
    # A label belongs to its own paragraph: "Sickness absence ..." is not about Finance.
    assert ps[49].heading is None
    assert ps[43].heading is None  # "The challenges and risk within Children's Services are:"
    assert all(p.excerpt.first_line == p.excerpt.last_line for p in ps.values())


def test_2016_line_9_names_the_2014_act_in_its_excerpt():
    p = paragraphs(R16)[9]
    assert "Children & Young People (Scotland) Act 2014" in p.excerpt.text
    assert p.excerpt.text.startswith("We committed to ensuring that changes and new duties")


def test_2020_heading_lines_head_the_paragraphs_below_them():
    ps = paragraphs(R20)
    assert ps[23].heading == "The Promise/UNCRC"
    assert "The Promise and the UNCRC" in ps[23].excerpt.text
    assert ps[27].heading == "National Child Protection Guidance"
    assert ps[27].excerpt.text.startswith("The new National Child Protection Guidance")
    assert ps[33].heading == "Equity and Inclusion"  # the second paragraph under the heading at 29
    assert ps[65].heading == ps[67].heading == "5-12 Residential provision"
    assert ps[75].heading == "CLL"
    assert "Education Act (1980)" in ps[75].excerpt.text
    assert ps[81].heading == "Impact of Covid-19"
    assert ps[91].heading == "Instrumental Music Service"
    assert ps[9].heading is None  # before the first heading line
    assert ps[7].heading == "Our Vision"  # "Our Vision: All children, ..."


def test_2020_heading_lines_are_consumed_not_paragraphs():
    ps = paragraphs(R20)
    for heading_line in (21, 25, 29, 35, 41, 47, 53, 57, 63, 69, 79, 89, 93):
        assert heading_line not in ps
    assert sorted(ps) == [
        7,
        9,
        11,
        13,
        15,
        17,
        19,
        23,
        27,
        31,
        33,
        37,
        39,
        43,
        45,
        49,
        51,
        55,
        59,
        61,
        65,
        67,
        71,
        73,
        75,
        81,
        83,
        85,
        87,
        91,
    ]


def test_nothing_in_the_prose_sections_is_unplaced():
    assert [u for u in extracted(R16).unplaced if u.line <= 54] == []
    assert [u for u in extracted(R20).unplaced if u.line <= 96] == []


def test_inline_label_only_for_a_short_capitalised_prefix():
    assert inline_label("Child Protection: In Q4 there are 54 children") == "Child Protection"
    assert inline_label("The challenges and risk within Children's Services are:") is None
    assert (
        inline_label("During the period October 2019 – April 2021, the service managed 87 referrals") is None
    )
