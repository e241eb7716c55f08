"""Totals a note states in words about the report's own records: "Two PIs off target are linked to FGDM"
(2020/21 line 221), "2 of 9 Performance measures currently off target" (2016/17 line 85), "There are no
high risks identified" (2020/21 line 228). Each becomes a ReportedTotal with the note's line, which the
reported-totals rule checks against the count of queries/counts/ that says `# total: NAME` (the records
themselves), so a figure written as a word is checked like one written as digits.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .records import Excerpt, Extraction, Observation, ReportedTotal

# English number words as the reports write counts in prose (a count, not a vocabulary of the graph).
NUMBER_WORDS = {
    "no": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_N = r"(?:\d+|" + "|".join(NUMBER_WORDS) + r")"
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "Two PIs off target", "2 of 9 Performance measures currently off target"
    (
        "pis.off_target",
        re.compile(
            rf"\b(?P<n>{_N})(?:\s+of\s+{_N})?\s+(?:PIs?|Pls|performance\s+(?:measures|indicators))\s+"
            r"(?:are\s+|is\s+)?(?:currently\s+)?off\s+target\b",
            re.I,
        ),
    ),
    # "There are no high risks identified", "There are currently no risks reviewed as High"
    (
        "risks.high",
        re.compile(
            rf"\bthere\s+(?:are|is)\s+(?:currently\s+)?(?P<n>{_N})\s+(?:high\s+risks?|risks?\s+(?:\w+\s+)?as\s+high)\b",
            re.I,
        ),
    ),
)


def _value(word: str) -> Decimal:
    return Decimal(word) if word.isdigit() else Decimal(NUMBER_WORDS[word.lower()])


def _line_of(excerpt: Excerpt, text: str) -> Excerpt:
    """The line of a (possibly multi-line) record that holds the start of the phrase."""
    rows = excerpt.text.split("\n")
    words = text.split()[:2]
    for offset, row in enumerate(rows):
        if all(w.lower() in row.lower() for w in words):
            n = excerpt.first_line + offset
            return Excerpt(excerpt.report, n, n, row)
    return Excerpt(excerpt.report, excerpt.first_line, excerpt.first_line, rows[0])


def note_totals(x: Extraction) -> None:
    """Adds a ReportedTotal for every total a table note states in words or digits about the records."""
    seen: set[tuple[str, int]] = set()
    for r in x.records:
        if not isinstance(r, Observation) or not r.note or r.period.quarter or r.period.year != x.report.id:
            continue
        for name, pattern in PATTERNS:
            for m in pattern.finditer(r.note):
                ex = _line_of(r.excerpt, m.group(0))
                if (name, ex.first_line) in seen:
                    continue
                seen.add((name, ex.first_line))
                x.records.append(
                    ReportedTotal(report=x.report.id, name=name, value=_value(m["n"]), excerpt=ex)
                )
