"""Codes the report leaves out, derived from position only where one answer remains."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from outcome_graph.extract.derive import action_of, content_words, derive_action_code, derive_pi_code, resolve
from outcome_graph.extract.records import (
    Action,
    Excerpt,
    Extraction,
    Indicator,
    Observation,
    Period,
    ReportInfo,
)

from .conftest import R16, R20, extracted


def by_line(name: str, kind: type) -> dict[int, object]:
    return {r.excerpt.first_line: r for r in extracted(name).of(kind)}


# -- the real 2020/21 report --------------------------------------------------------------------------


def test_action_at_284_is_the_only_action_its_pis_name():
    a = by_line(R20, Action)[284]
    assert a.priority == "04"
    assert (a.code, a.code_derived) == ("CSPC.P.4.1", True)
    assert a.key == "CSPC.P.4.1"
    assert a.title.startswith("All children (under the age of 5) to be considered for a FGDM")


def test_action_at_295_takes_the_code_its_coded_sibling_does_not_hold():
    a = by_line(R20, Action)[295]
    assert a.priority == "06"
    assert (a.code, a.code_derived) == ("CSPC.P.6.2", True)
    sibling = by_line(R20, Action)[296]
    assert (sibling.code, sibling.code_derived) == ("CSPC.P.6.3", False)


def test_action_at_318_stays_uncoded_with_a_warning_saying_why():
    a = by_line(R20, Action)[318]
    assert (a.code, a.code_derived) == (None, False)
    assert a.key == "2020-2021/L318"
    [w] = [w for w in extracted(R20).warnings if w.line == 318]
    assert w.reason == (
        "no code in the report and none can be derived: the priority has no performance indicators whose "
        "codes would name the action, and no coded action"
    )
    assert w.text.startswith("•\tDeliver the actions in the child poverty plan")


def test_pi_at_382_is_derived_and_its_observation_follows_the_new_key():
    pi = by_line(R20, Indicator)[382]
    assert pi.title == "Completion of transfer to CLL, user group established, capital works completed"
    assert (pi.code, pi.key, pi.code_derived, pi.priority) == ("CSPC.P.5.8a", "CSPC.P.5.8a", True, "05")
    x = extracted(R20)
    assert not any(o.indicator == "2020-2021/L382" for o in x.of(Observation))
    assert [o.excerpt.first_line for o in x.of(Observation) if o.indicator == "CSPC.P.5.8a"] == [382]
    [w] = [w for w in x.warnings if w.line == 382]
    assert w.reason == (
        "no code in the report; CSPC.P.5.8a derived: "
        "CSPC.P.5.8 is the only action of the priority without a PI"
    )


def test_pi_at_364_is_ambiguous_and_kept_uncoded():
    pi = by_line(R20, Indicator)[364]
    assert pi.title == "Offer income assessments to families at HFLC"
    assert (pi.code, pi.key, pi.code_derived) == (None, "2020-2021/L364", False)
    mine = [w for w in extracted(R20).warnings if w.line == 364 and w.reason.startswith("no code")]
    assert len(mine) == 1
    assert "ambiguous: CSPC.P.3.2 is the only action of the priority without a PI" in mine[0].reason
    assert "its code cell holds '1'" in mine[0].reason
    assert "with action CSPC.P.3.1" in mine[0].reason


def test_derived_codes_in_the_2020_report_are_exactly_three():
    x = extracted(R20)
    derived = sorted(r.code for r in x.records if isinstance(r, Action | Indicator) and r.code_derived)
    assert derived == ["CSPC.P.4.1", "CSPC.P.5.8a", "CSPC.P.6.2"]
    uncoded_actions = [a.excerpt.first_line for a in x.of(Action) if a.code is None]
    uncoded_pis = [
        i.excerpt.first_line
        for i in x.of(Indicator)
        if i.code is None and i.indicator_set == "ServicePriorityPI"
    ]
    assert (uncoded_actions, uncoded_pis) == ([318], [364])


def test_2016_report_has_every_code_and_nothing_to_derive():
    x = extracted(R16)
    assert not any(getattr(r, "code_derived", False) for r in x.records)
    assert [w for w in x.warnings if w.reason.startswith("no code")] == []


# -- the rules, on small hand-made records ----------------------------------------------------------

REPORT = "2099-2100"


def _ex(line: int, text: str = "") -> Excerpt:
    return Excerpt(REPORT, line, line, text)


def _action(line: int, code: str | None, priority: str, title: str = "an action") -> Action:
    return Action(
        REPORT,
        code,
        False,
        priority,
        title,
        date(2100, 3, 31),
        Decimal(100),
        "Complete",
        "99/00: Complete",
        _ex(line, f"{code or ''}\t{title}"),
    )


def _pi(line: int, code: str | None, priority: str, title: str, cell: str | None = None) -> Indicator:
    key = code or f"{REPORT}/L{line}"
    text = f"{cell if cell is not None else code or ''}\t{title}"
    return Indicator(REPORT, key, code, False, title, "ServicePriorityPI", _ex(line, text), priority=priority)


def _extraction(*records) -> Extraction:
    info = ReportInfo(
        REPORT,
        "somewhere",
        "childrens-services",
        "Children's Services Annual Performance Report",
        "x.txt",
        100,
    )
    return Extraction(info, list(records))


def test_action_of_strips_the_pi_letter():
    assert action_of("CSPC.P.4.1a") == "CSPC.P.4.1"
    assert action_of("CSPC.P.11.7a") == "CSPC.P.11.7"


def test_content_words_are_crudely_singular():
    assert content_words("Offer income assessments to families") == {
        "offer",
        "income",
        "assessment",
        "family",
    }


def test_derive_action_code_cases():
    one = [_action(10, None, "07")]
    assert (
        derive_action_code(one, ["X.P.7.1"], ["X.P.7.1a", "X.P.7.2a", "X.P.7.2b"], {"X.P.7.1"})[0]
        == "X.P.7.2"
    )
    # Two free codes: which is which cannot be told.
    code, why = derive_action_code(one, [], ["X.P.7.1a", "X.P.7.2a"], set())
    assert code is None and "['X.P.7.1', 'X.P.7.2']" in why
    # Two uncoded actions, one free code.
    code, why = derive_action_code(one * 2, [], ["X.P.7.1a"], set())
    assert code is None and "2 actions of the priority are uncoded" in why
    # Coded siblings alone do not fix the number (numbering has gaps).
    code, why = derive_action_code(one, ["X.P.7.2"], [], {"X.P.7.2"})
    assert code is None and "its coded actions (X.P.7.2) do not fix its number" in why
    # Every named code is already held.
    code, why = derive_action_code(one, ["X.P.7.1"], ["X.P.7.1a"], {"X.P.7.1"})
    assert code is None and "every code its PIs name is held by a coded action" in why


def test_resolve_renames_the_indicator_key_in_observations():
    a1 = _action(10, "X.P.7.1", "07", "Run the youth platform")
    a2 = _action(11, "X.P.7.2", "07", "Refurbish the town hall")
    p1 = _pi(20, "X.P.7.1a", "07", "Platform membership")
    p2 = _pi(21, None, "07", "Capital works completed")
    obs = Observation(REPORT, p2.key, Period(REPORT), "**", None, None, _ex(21))
    x = _extraction(a1, a2, p1, p2, obs)
    resolve(x)
    new = [r for r in x.of(Indicator) if r.excerpt.first_line == 21][0]
    assert (new.code, new.key, new.code_derived) == ("X.P.7.2a", "X.P.7.2a", True)
    assert x.of(Observation)[0].indicator == "X.P.7.2a"
    assert [w.line for w in x.warnings] == [21]


def test_resolve_keeps_a_pi_whose_title_fits_another_action():
    a1 = _action(10, "X.P.3.1", "03", "Offer income assessment to families")
    a2 = _action(11, "X.P.3.2", "03", "Supper club at the centre")
    p1 = _pi(20, "X.P.3.1a", "03", "Income assessments offered at conferences")
    p2 = _pi(21, None, "03", "Income assessments at the centre")
    x = _extraction(a1, a2, p1, p2)
    resolve(x)
    assert [i.code for i in x.of(Indicator)] == ["X.P.3.1a", None]
    [w] = x.warnings
    assert w.line == 21 and "shares ['assessment', 'income'] with action X.P.3.1" in w.reason


def test_derive_pi_code_refuses_a_row_out_of_order():
    actions = [_action(10, "X.P.5.1", "05"), _action(11, "X.P.5.2", "05")]
    # The uncoded row comes before 5.1's PI, where 5.2's PIs would not be.
    pis = [_pi(20, None, "05", "Something else"), _pi(21, "X.P.5.1a", "05", "Members")]
    code, why = derive_pi_code(pis[0], actions, pis, {"X.P.5.1a"})
    assert code is None and "does not fit action X.P.5.2" in why


def test_derive_pi_code_refuses_a_stray_code_cell():
    actions = [_action(10, "X.P.5.1", "05"), _action(11, "X.P.5.2", "05")]
    pis = [_pi(20, "X.P.5.1a", "05", "Members"), _pi(21, None, "05", "Works done", cell="7")]
    code, why = derive_pi_code(pis[1], actions, pis, {"X.P.5.1a"})
    assert code is None and "its code cell holds '7', which X.P.5.2a does not contain" in why


def test_every_record_left_without_a_code_is_warned_about():
    a = _action(10, None, "09", "Do something")
    x = _extraction(a)
    resolve(x)
    assert x.of(Action)[0].code is None
    [w] = x.warnings
    assert (w.line, w.report) == (10, REPORT)
    assert w.reason.startswith("no code in the report and none can be derived")
