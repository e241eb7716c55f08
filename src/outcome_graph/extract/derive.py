"""Cross-section resolution after every section is read: codes the report leaves out.

Some action rows and service-priority PI rows have no code in the report (an empty cell, a bullet
glyph, a stray "1"). A code is derived from the record's position only where the report leaves one
answer; the record then carries `code_derived=True`, and everything else stays None with a warning
that says why. The rules work per service-plan priority, on what the report itself shows:

Actions. The PIs of a priority are coded after the action they measure (CSPC.P.4.1a measures
CSPC.P.4.1), so the priority's PI codes name its actions. If exactly one action of the priority is
uncoded and exactly one action code named by its PIs is held by no coded action, that is its code:
- 2020/21 line 284 (priority 04): PIs CSPC.P.4.1a/b/c name CSPC.P.4.1, no coded action holds it ->
  CSPC.P.4.1;
- line 295 (priority 06): PIs CSPC.P.6.2a and CSPC.P.6.3a name 6.2 and 6.3, the coded sibling holds
  6.3 -> CSPC.P.6.2;
- line 318 (priority 10): the priority has no PIs, so nothing names the action -> None and a warning.
The numbers of coded siblings alone are not used: numbering has gaps (priority 05's actions are 5.7
and 5.8, priority 07's 7.2 and 7.3), so "the next number" is a guess.

Service PIs. An action's PIs are its code plus a letter (5.7a, 7.3b). An uncoded PI of a priority is
given <action>a when all of these hold:
- it is the priority's only uncoded PI, and exactly one coded action of the priority has no PI (in
  the 2020/21 report every other action with PIs in its priority has at least one, so a PI-less action
  is the gap the uncoded row fills);
- it sits in the report's order where that action's PIs would (after the PIs of the actions listed
  before it, before those of the actions after it);
- nothing in the row points elsewhere: its code cell holds no stray text that the derived code does
  not contain, and its title shares no content word with another action of the priority.
- 2020/21 line 382 (priority 05, "Completion of transfer to CLL, user group established, capital
  works completed"): 5.7 has 5.7a, 5.8 has none, the row follows 5.7a, the code cell is empty and the
  title shares no word with 5.7 ("Midlothian Youth Platform ...") -> CSPC.P.5.8a. Its words (transfer
  to CLL, capital works) fit 5.8, the Cowan Institute building, which the rule does not need but
  agrees with.
- line 364 (priority 03, "Offer income assessments to families at HFLC"): 3.2 (supper club at HFLC)
  is the only action without a PI, but the title shares "offer", "income", "assessment" with 3.1
  and the code cell holds "1", which CSPC.P.3.2a does not contain -> ambiguous: None and a warning.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .records import Action, Extraction, Indicator, Observation, Unplaced

_LETTER = re.compile(r"[a-z]$")
_STOPWORDS = frozenset(
    "with from that this their they have been will into over also were which what where when those "
    "them than then each more most such other these there about after before under number numbers "
    "support supported continue increase".split()
)


def action_of(pi_code: str) -> str:
    """The action a PI measures: 'CSPC.P.4.1a' -> 'CSPC.P.4.1'."""
    return _LETTER.sub("", pi_code)


def content_words(text: str) -> set[str]:
    """Words that carry meaning, crudely singular: 'assessments' and 'assessment' agree."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {_singular(w) for w in words if len(w) >= 4 and w not in _STOPWORDS}


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def derive_action_code(
    uncoded: list[Action], coded_codes: list[str], pi_codes: list[str], taken: set[str]
) -> tuple[str | None, str]:
    """The code for the one uncoded action of a priority, or None and why not.

    coded_codes: codes of the priority's coded actions; pi_codes: codes (as read) of its PIs;
    taken: every action code in the report.
    """
    named = list(dict.fromkeys(action_of(c) for c in pi_codes))
    free = [c for c in named if c not in taken]
    if not pi_codes:
        sibling = (
            f"its coded actions ({', '.join(coded_codes)}) do not fix its number"
            if coded_codes
            else "no coded action"
        )
        return None, (
            f"no code in the report and none can be derived: the priority has no performance "
            f"indicators whose codes would name the action, and {sibling}"
        )
    if len(uncoded) != 1:
        return None, (
            f"no code in the report and none can be derived: {len(uncoded)} actions of the "
            f"priority are uncoded, so the free codes {free} cannot be told apart"
        )
    if len(free) != 1:
        why = "every code its PIs name is held by a coded action" if not free else f"its PIs name {free}"
        return None, f"no code in the report and none can be derived: {why}"
    return free[0], f"derived: the priority's PIs name {free[0]} and no coded action holds it"


def derive_pi_code(
    pi: Indicator, actions: list[Action], pis: list[Indicator], keys: set[str]
) -> tuple[str | None, str]:
    """The code for an uncoded service PI from the actions and PIs of its priority, or None and why.

    actions: the priority's actions in report order; pis: the priority's PIs (coded and not).
    """
    coded_pis = [p for p in pis if p.code]
    uncoded = [p for p in pis if not p.code]
    measured = {action_of(p.code) for p in coded_pis if p.code}
    coded_actions = [a for a in actions if a.code]
    lacking = [a for a in coded_actions if a.code not in measured]
    prefix = "no code in the report and none can be derived: "
    if len(uncoded) != 1:
        return None, prefix + f"{len(uncoded)} PIs of the priority are uncoded"
    if len(lacking) != 1:
        if not lacking:
            return (
                None,
                prefix + "every action of the priority has a PI, so this could be a further PI of any",
            )
        return None, prefix + f"actions {[a.code for a in lacking]} all have no PI"
    target = lacking[0]
    assert target.code
    line = pi.excerpt.first_line
    before = {a.code for a in coded_actions if a.excerpt.first_line < target.excerpt.first_line}
    after = {a.code for a in coded_actions if a.excerpt.first_line > target.excerpt.first_line}
    out_of_order = [
        p.code
        for p in coded_pis
        if p.code
        and (
            (action_of(p.code) in before and p.excerpt.first_line > line)
            or (action_of(p.code) in after and p.excerpt.first_line < line)
        )
    ]
    if out_of_order:
        return None, prefix + f"its place among the PIs ({out_of_order}) does not fit action {target.code}"
    letter = next(ch for ch in "abcdefghijklmnopqrstuvwxyz" if f"{target.code}{ch}" not in keys)
    code = f"{target.code}{letter}"
    residue = pi.excerpt.text.split("\n")[0].split("\t")[0].strip()
    conflicts = []
    if residue and residue not in code:
        conflicts.append(f"its code cell holds {residue!r}, which {code} does not contain")
    words = content_words(pi.title)
    for other in coded_actions:
        shared = sorted(words & content_words(other.title))
        if other is not target and shared:
            conflicts.append(f"its title shares {shared} with action {other.code}")
    if conflicts:
        return None, (
            prefix + f"ambiguous: {target.code} is the only action of the priority without a PI, "
            f"but " + " and ".join(conflicts)
        )
    return code, f"derived: {target.code} is the only action of the priority without a PI"


def _warn(out: Extraction, record: Action | Indicator, reason: str) -> None:
    first = record.excerpt.text.split("\n")[0].strip()
    out.warnings.append(Unplaced(record.report, record.excerpt.first_line, first, reason))


def resolve(extraction: Extraction) -> None:
    """Derive missing action and service-PI codes in place; warn for every one left without."""
    records = extraction.records
    actions = [r for r in records if isinstance(r, Action)]
    pis = [r for r in records if isinstance(r, Indicator) and r.indicator_set == "ServicePriorityPI"]
    swap: dict[int, Action | Indicator] = {}  # id(old record) -> new record
    renamed: dict[str, str] = {}  # old indicator key -> new
    reasons: dict[int, str] = {}
    derived: list[tuple[Indicator, str]] = []

    taken = {a.code for a in actions if a.code}
    for priority in dict.fromkeys(a.priority for a in actions):
        mine = [a for a in actions if a.priority == priority]
        uncoded = [a for a in mine if not a.code]
        if not uncoded:
            continue
        pi_codes = [p.code for p in pis if p.priority == priority and p.code and not p.code_derived]
        code, why = derive_action_code(uncoded, [a.code for a in mine if a.code], pi_codes, taken)
        for a in uncoded:
            if code:
                swap[id(a)] = replace(a, code=code, code_derived=True)
                taken.add(code)
            else:
                reasons[id(a)] = why
    actions = [swap.get(id(a), a) for a in actions]  # type: ignore[misc]

    keys = {r.key for r in records if isinstance(r, Indicator)}
    for pi in pis:
        if pi.code:
            continue
        if pi.priority is None:
            reasons[id(pi)] = "no code in the report and no priority to derive one from"
            continue
        mine = [a for a in actions if a.priority == pi.priority]
        code, why = derive_pi_code(pi, mine, [p for p in pis if p.priority == pi.priority], keys)
        if code:
            swap[id(pi)] = replace(pi, code=code, key=code, code_derived=True)
            derived.append((swap[id(pi)], why))
            renamed[pi.key] = code
            keys.add(code)
        else:
            reasons[id(pi)] = why

    new_records = []
    for r in records:
        r = swap.get(id(r), r)
        if isinstance(r, Observation) and r.indicator in renamed:
            r = replace(r, indicator=renamed[r.indicator])
        elif isinstance(r, Indicator) and r.feeds in renamed:
            r = replace(r, feeds=renamed[r.feeds])
        new_records.append(r)
    extraction.records[:] = new_records

    # A section parser's warning that an uncoded PI was "kept as <report>/L<line>" is no longer true
    # once its code is derived: it is replaced by one that says which code and why.
    for r, why in derived:
        old_key = next(k for k, v in renamed.items() if v == r.key)
        for w in [w for w in extraction.warnings if w.line == r.excerpt.first_line and old_key in w.reason]:
            extraction.warnings.remove(w)
        _warn(extraction, r, f"no code in the report; {r.code} {why}")
    for r in records:
        if id(r) in reasons:
            _warn(extraction, r, reasons[id(r)])  # type: ignore[arg-type]
    # Anything else still without a code (an uncoded row no rule saw) is reported too.
    for r in extraction.records:
        if isinstance(r, Action | Indicator) and not r.code and id(r) not in reasons:
            if isinstance(r, Indicator) and r.indicator_set != "ServicePriorityPI":
                continue  # corporate PIs are keyed by curated slugs, not codes
            _warn(extraction, r, "no code in the report and no rule derives one")
