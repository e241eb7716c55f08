"""Action reports of both layouts, read from the real reports (line numbers are the files')."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from outcome_graph.extract.records import Action, Priority

from .conftest import R16, R20, extracted


def actions(name: str) -> dict[int, Action]:
    return {a.excerpt.first_line: a for a in extracted(name).of(Action)}


def priorities(name: str) -> dict[str, Priority]:
    return {p.code: p for p in extracted(name).of(Priority)}


# -- 2016/17: Code | Priority | Action | Due Date | Icon | Progress | Comment, lines 97-117 -----------


def test_2016_three_priorities_assembled_from_wrapped_fragments():
    ps = priorities(R16)
    assert sorted(ps) == ["01", "02", "03"]
    assert (
        ps["01"].title
        == "Children and young people are supported to be Healthy, happy and reach their potential"
    )
    assert (ps["01"].excerpt.first_line, ps["01"].excerpt.last_line) == (103, 104)
    # Fragments at 106 ("02. Effective and efficient use of") and 111 (the whole title); the
    # re-drawn fragment at 107 ("efficient use of contract of c") is kept out of the title.
    assert ps["02"].title == "Effective and efficient use of resources"
    assert (ps["02"].excerpt.first_line, ps["02"].excerpt.last_line) == (106, 111)
    assert ps["03"].title == "Participation"
    assert (ps["03"].excerpt.first_line, ps["03"].excerpt.last_line) == (113, 113)


def test_2016_garbage_priority_fragment_is_reported_not_read():
    warnings = [w for w in extracted(R16).warnings if w.line == 107]
    assert len(warnings) == 1
    assert "efficient use of contract of c" in warnings[0].reason
    assert "not read into the title" in warnings[0].reason


def test_2016_ten_actions_as_the_corporate_pi_counts():
    acts = actions(R16)
    # Line 81: "Number of service & corporate priority actions 10".
    assert len(acts) == 10
    assert [a.code for a in acts.values()] == [
        "CS.S.01.01",
        "CS.S.01.02",
        "CS.S.02.01",
        "CS.S.02.02",
        "CS.S.02.03",
        "CS.S.02.04",
        "CS.S.02.05",
        "CS.S.03.01",
        "CS.S.03.02",
        "CS.S.03.03",
    ]
    assert not any(a.code_derived for a in acts.values())


def test_2016_action_fields():
    acts = actions(R16)
    first = acts[103]
    assert first.code == "CS.S.01.01"
    assert first.priority == "01"
    assert first.title.startswith("Establish a service that is flexible and responsive")
    assert first.due_date == date(2017, 3, 31)  # "31-Mar- 2017"
    assert first.progress == Decimal(100)
    assert first.status == "Complete"
    assert first.note.startswith("16/17: Complete The new Children's service structure was implemented")
    assert acts[104].status == "OnTarget"  # "16/17: On Target The Named Person legislation ..."
    assert acts[104].note.startswith("16/17: On Target The Named Person legislation rollout has been delayed")


def test_2016_priority_comes_from_the_code_not_the_misaligned_fragments():
    acts = actions(R16)
    # Line 105 has no priority text and sits under the "01" fragments, but is CS.S.02.01.
    assert acts[105].priority == "02"
    # Line 112 (CS.S.03.01) comes before the "03. Participation" fragment at 113.
    assert acts[112].priority == "03"
    assert [a.priority for a in acts.values()].count("02") == 5


def test_2016_missing_due_date_is_none_and_icon_glyphs_are_ignored():
    a = actions(R16)[107]
    assert a.code == "CS.S.02.03"
    assert a.due_date is None
    # The Icon cell holds "0": it is neither the progress nor the status.
    assert a.progress == Decimal(100)
    assert a.status == "Complete"
    assert (
        a.note
        == "16/17: Complete Work progressing with Corporate Parenting Board with strategy and plan endorsed."
    )


# -- 2020/21: priority headings, Code | Action | Due Date | Icon | Progress | Comment, lines 257-333 ---


def test_2020_eleven_priorities_from_their_heading_lines():
    ps = priorities(R20)
    assert sorted(ps) == [f"{n:02d}" for n in range(1, 12)]
    assert ps["01"].title == (
        "Increase the proportion of C & YP who feel safe in their homes, communities, school and online"
    )
    assert (ps["01"].excerpt.first_line, ps["01"].excerpt.last_line) == (261, 261)
    assert ps["10"].title == "There is a reduction in the number of people living in Poverty in Midlothian"
    assert ps["10"].excerpt.first_line == 315
    assert ps["11"].title == "Life-Long Learning & Career-Ready Employability"


def test_2020_twenty_three_actions_as_the_summary_counts():
    acts = actions(R20)
    # "Number of service & corporate priority actions 23".
    assert len(acts) == 23
    per_priority = {}
    for a in acts.values():
        per_priority[a.priority] = per_priority.get(a.priority, 0) + 1
    assert per_priority == {
        "01": 1,
        "02": 2,
        "03": 2,
        "04": 1,
        "05": 2,
        "06": 2,
        "07": 2,
        "08": 1,
        "09": 2,
        "10": 1,
        "11": 7,
    }


def test_2020_off_target_action():
    a = actions(R20)[269]
    assert a.code == "CSPC.P.2.1"
    assert a.priority == "02"
    assert a.due_date == date(2021, 3, 31)
    assert a.progress == Decimal(80)
    assert a.status == "OffTarget"
    assert a.note.startswith("20/21: Off Target Over the past year we have delivered 9 'Domestic Abuse")


def test_2020_statuses_from_the_comment_not_the_icon():
    acts = actions(R20)
    assert acts[270].progress == Decimal(60) and acts[270].status == "OffTarget"  # Icon "83"
    assert acts[307].status == "NotAvailable"  # "20/21: N/A", Icon "8"
    assert acts[307].progress == Decimal(0)
    assert acts[312].status == "Complete"  # Icon "②"
    assert acts[296].due_date == date(2021, 6, 30)
    # Header variants ("Due Date Due Date Icon Progress" at 288) do not move the cells.
    assert acts[289].code == "CSPC.P.5.7" and acts[289].progress == Decimal(100)
    statuses = [a.status for a in acts.values()]
    assert statuses.count("Complete") == 17
    assert statuses.count("OffTarget") == 3
    assert statuses.count("NotAvailable") == 3


def test_2020_comments_running_on_after_a_page_break_are_joined():
    acts = actions(R20)
    a = acts[275]
    assert a.code == "CSPC.P.3.1"
    assert (a.excerpt.first_line, a.excerpt.last_line) == (275, 278)
    assert "This pilot has highlighted the success of the income maximisation officer" in a.note
    assert a.note.endswith("rolling this out further in the coming year.")
    b = acts[318]
    assert (b.excerpt.first_line, b.excerpt.last_line) == (318, 321)
    assert "school meals to the most vulnerable in the schools" in b.note
    assert 278 not in acts and 321 not in acts


def test_2020_rows_without_a_code_keep_none_before_derivation_and_say_so():
    acts = actions(R20)
    # 284 and 295 are derived (see test_derive); 318 begins with a bullet glyph and stays uncoded.
    assert acts[318].code is None
    assert acts[318].code_derived is False
    assert acts[318].priority == "10"
    assert acts[318].title.startswith("Deliver the actions in the child poverty plan")
    assert acts[284].priority == "04" and acts[295].priority == "06"


def test_no_action_row_is_out_of_place_in_the_real_reports():
    # Every non-blank line of both action sections is read: nothing unplaced. The only warnings the
    # parser raises there are the re-drawn priority fragment (2016/17 line 107); the warnings about
    # uncoded actions come from derive.py and are tested in test_derive.
    for name, (lo, hi), expected in ((R16, (97, 117), [107]), (R20, (257, 333), [])):
        x = extracted(name)
        assert [u for u in x.unplaced if lo <= u.line <= hi] == []
        parser_warnings = [
            w.line for w in x.warnings if lo <= w.line <= hi and not w.reason.startswith("no code")
        ]
        assert parser_warnings == expected


@pytest.mark.parametrize(
    "text,expected", [("31-Mar- 2017", date(2017, 3, 31)), ("30-Jun-2021", date(2021, 6, 30)), ("", None)]
)
def test_parse_due_date(text, expected):
    from outcome_graph.extract.actions import parse_due_date

    assert parse_due_date(text) == expected


def test_parse_due_date_rejects_other_text():
    from outcome_graph.extract.actions import parse_due_date

    with pytest.raises(ValueError, match="not a date"):
        parse_due_date("end of March")


def test_a_comment_runs_on_only_within_its_priority_table():
    from outcome_graph.extract import actions as parser
    from outcome_graph.extract.sections import Line, Section

    rows = [
        "01. First priority",
        "Code\tAction\tDue Date\tIcon\tProgress\tComment & Planned Improvement Action",
        "X.P.1.1\tDo a thing\t31-Mar-2021\t8\t100%\t20/21: Complete Half",
        "\t\t\t\t\tof the note.",
        "02. Second priority",
        "\t\t\t\t\tstray comment",
    ]
    section = Section("actions", None, tuple(Line(i + 1, t) for i, t in enumerate(rows)))
    info = extracted(R20).report
    result = parser.parse(section, info)
    [action] = [r for r in result.records if isinstance(r, Action)]
    assert action.note == "20/21: Complete Half of the note."
    assert (action.excerpt.first_line, action.excerpt.last_line) == (3, 4)
    assert [p.code for p in result.records if isinstance(p, Priority)] == ["01", "02"]
    assert [(u.line, u.reason) for u in result.unplaced] == [
        (6, "comment text with no action row above it in this priority's table")
    ]
