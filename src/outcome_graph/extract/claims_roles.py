"""The role each figure of a sentence plays: pure pattern matching over the sentence with its figures
replaced by numbered tokens ("increased by <0> from <1> in Q1 to <2> in Q4").

Each pattern is a plain English construction the reports use; a figure takes the role of the first
pattern that names it, and any figure no pattern names is a "value". A decrease is recorded as a
negative change; a figure "below" its comparator as a negative difference.
"""

from __future__ import annotations

import re

from .claims_text import Found

T = r"⟨(\d+)⟩"
W = r"(?:[^⟨.;]{0,60}?)"  # a few words, not crossing another figure or the sentence's end

# (roles of the groups in order, pattern). Matched case-insensitively over the tokenised sentence.
PATTERNS: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = tuple(
    (roles, re.compile(p, re.IGNORECASE))
    for roles, p in (
        # "increased ... by 12.5% from 56 in Q1 to 63 in Q4"
        (("change", "from", "to"), rf"\bby {T} from {T}{W} to {T}"),
        # "4764 which is a 4% increase from 2015/16 (4580)"; "70 children ... which is a 63% increase
        # from this time last year (43 children)"
        (
            ("to", "change", "from"),
            rf"{T}[^⟨.;]{{0,120}}?which is an? {T} (?:increase|decrease|rise|fall) from{W}\(?{T}",
        ),
        # "94.4% 1.1% above the Scottish average of 93.3%"
        (("value", "difference", "comparator"), rf"{T}\s*{T} (?:above|below) the{W}(?:average|rate) of {T}"),
        (("difference", "comparator"), rf"{T} (?:above|below) the{W}(?:average|rate) of {T}"),
        # "a rate of 3.2 children per 1,000 against a national average rate of 3.0"
        (
            ("rate", "comparator"),
            rf"rate of {T}{W}(?:against|compared (?:to|with)) the{W}(?:average|rate)\s*(?:rate\s*)?of {T}",
        ),
        (
            ("rate", "comparator"),
            rf"rate of {T}{W}(?:against|compared (?:to|with)) an?{W}(?:average|rate)\s*(?:rate\s*)?of {T}",
        ),
        # "the current rate per 1,000 ... is 14.5 compared to the national average rate of 14.9"
        (
            ("rate", "comparator"),
            rf"rate{W}(?:is|was) {T} compared (?:to|with) the{W}(?:average|rate)\s*(?:rate\s*)?of {T}",
        ),
        # "increasing their target to 8 weeks from 4"
        (("to", "from"), rf"\bto {T}{W} from {T}"),
        # "from 306 April - Sept 16 to 383 Oct- March"
        (("from", "to"), rf"\bfrom {T}{W} to {T}"),
        # "167, up from 141 in 14/15"
        (("value", "from"), rf"{T}\W{{0,3}}\s*(?:up|down) from {T}"),
        # "5 out of 6", "2 of 9 Performance measures", "104 income assessments offered out of 208 meetings"
        (("part", "whole"), rf"{T}{W}\bout of {T}"),
        (("part", "whole"), rf"{T} of {T}"),
        # "25 families offered services in quarters 3&4 2 declined the offer"
        (("whole", "part"), rf"{T}{W}\boffered\b{W}{T} declined"),
        # "an increase of 2 children", "a decrease of 6 young people", "an increase of 0.7% on last year"
        (("change",), rf"\ban? (?:increase|decrease|rise|fall|reduction) of {T}"),
        # "a 39% increase in child protection referrals"
        (("change",), rf"\ban? {T} (?:increase|decrease|rise|fall|reduction)\b"),
        (("change",), rf"\b(?:increased|decreased|risen|fallen) by {T}"),
        # "National average was 195 and the virtual comparator was 228"; "the national rate of 3.0";
        # "The Scottish average rate is 3.8"; "Scottish rate is 11.0"
        (("comparator",), rf"(?:national|scottish)(?: average)?(?: rate)? (?:was|is|of) {T}"),
        (("comparator",), rf"\bcomparator (?:was|is|of) {T}"),
        (("comparator",), rf"\bcapacity{W}\bbeing {T}"),
        # "the rate per 1,000 ... is 14.5"; "at the highest rate (87%)"
        (("rate",), rf"\brate per{W}\b(?:is|was) {T}"),
        (("part",), rf"\bincludes {T}"),
    )
)
_DECREASE = re.compile(r"\b(?:decrease|fall|reduction|decreased|fallen|down from)\b", re.IGNORECASE)
_BELOW = re.compile(r"\bbelow\b", re.IGNORECASE)


def tokenise(sentence: str, found: list[Found]) -> str:
    out, pos = [], 0
    for i, f in enumerate(found):
        out.append(sentence[pos : f.start])
        out.append(f"⟨{i}⟩")
        pos = f.end
    out.append(sentence[pos:])
    return "".join(out)


def roles(sentence: str, found: list[Found]) -> list[tuple[str, int]]:
    """(role, sign) for each figure, in order: sign is -1 for a stated decrease or a figure below its
    comparator, else 1."""
    text = tokenise(sentence, found)
    assigned: dict[int, tuple[str, int]] = {}
    for names, pattern in PATTERNS:
        for m in pattern.finditer(text):
            idx = [int(g) for g in m.groups()]
            if any(i in assigned for i in idx):
                continue
            for name, i in zip(names, idx, strict=True):
                sign = 1
                if name == "change" and _DECREASE.search(m.group(0)):
                    sign = -1
                if name == "difference" and _BELOW.search(m.group(0)):
                    sign = -1
                assigned[i] = (name, sign)
    _quarter_parts(found, assigned)
    return [assigned.get(i, ("value", 1)) for i in range(len(found))]


def _quarter_parts(found: list[Found], assigned: dict[int, tuple[str, int]]) -> None:
    """A figure followed by one figure for each of the four quarters is a total and its parts
    ("4,764 referrals ... Q1-1,385, Q2-1,084, Q3-1,238, Q4-1,057"); whether they add up is for the check.
    Fewer quarters ("51, Q1 - 55, Q2 - 56, Q3 - 54": a stock counted each quarter) or percentages stay
    values of their quarter."""
    quarters = [i for i, f in enumerate(found) if f.period and f.period.quarter and i not in assigned]
    if sorted(found[i].period.quarter for i in quarters) != [1, 2, 3, 4]:
        return
    unit = found[quarters[0]].unit
    if unit == "Percent" or any(found[i].unit != unit for i in quarters):
        return
    before = [j for j in range(quarters[0]) if j not in assigned and found[j].unit == unit]
    if before:
        assigned[before[-1]] = ("whole", 1)
        for i in quarters:
            assigned[i] = ("part", 1)
