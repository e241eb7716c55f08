"""Finding the figures a sentence states: pure text functions, no records.

A figure is a number the text states as a quantity ("56", "12.5%", "£29,877.18", "1,385"). Numbers that
are not quantities are masked first, each for a stated reason: dates and periods ("31/03/2017",
"2015/16", "Q4", "May 2017"), ordinals ("1st cohort"), ages ("up to the age of 26", "16-19 year olds"),
the time limits that define a measure ("within 5 working days"), names and codes ("Covid-19", "S5",
"Level 6", "7 Eskdaill Court"), and the base of a rate ("per 1,000", which sets the rate's unit).
Figures spelled out in words are read where a word from two to twelve counts something ("two young people
in secure care", 2016/17 line 111; raw "two", value 2), not a span of time ("two quarters", "three
months") and not "one" (too often not a count: "one to one", "one of").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .records import Period

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b"
)
# Patterns whose numbers are not figures; order matters only for readability (all are masked).
NOT_FIGURES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (why, re.compile(p, re.IGNORECASE if flags else 0))
    for why, p, flags in (
        ("date", r"\b\d{1,2}/\d{1,2}/\d{2,4}\b", 0),
        ("date", rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:\s+(?:19|20)\d\d)?", 1),
        ("date", rf"\b{_MONTH}\s*(?:-\s*|–\s*)?(?:(?:19|20)\d\d|\d\d)\b", 1),
        ("period", r"\b(?:19|20)\d\d\s*[-/–]\s*(?:(?:19|20)?\d\d)\b", 0),
        ("period", r"\b\d\d/\d\d\b", 0),
        ("period", r"\bQ\s?[1-4]\b", 0),
        ("period", r"\bquarters?\s*\d(?:\s*[-&]\s*\d)?\b", 1),
        ("period", r"\b(?:19|20)\d\d\b", 0),
        ("ordinal", r"\b\d+(?:st|nd|rd|th)\b", 0),
        ("age", r"\b(?:age\s+of|aged|under(?:\s+the\s+age\s+of)?)\s+\d+(?:\s*-\s*\d+)?", 1),
        ("age", r"\b\d+\s*-\s*\d+\s+(?:year|month)", 1),
        ("age", r"\b\d+\s+year\s+olds?", 1),
        ("age", r"\b\d+\+", 0),
        ("measure", r"\bwithin\s+(?:the\s+|a\s+)?\d+\s+(?:working\s+)?(?:days?|weeks?)", 1),
        ("measure", r"\b\d+\s+(?:day|week)\s+(?:challenge|period)", 1),
        ("measure", r"\b(?:past|last)\s+\d+\s+(?:months?|weeks?|years?)", 1),
        ("name", r"\bcovid[\s-]*19\b", 1),
        ("name", r"\b(?:level|nat)\s+\d(?:/\d)?", 1),
        ("name", r"\b[A-Z]\d\b", 0),
        ("name", r"\b\d+\s+Eskdaill\b", 0),
        ("name", r"\b\d+:\d+\b", 0),
        ("name", r"\b(?:stage|phase)\s+\d\b", 1),
        ("name", r'"middle \d+%"', 0),
        ("rate base", r"\bper\s+1,?000\b", 1),
    )
)
_NUMBER = re.compile(
    r"(?P<gbp>£\s?)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<suffix>\s?%|\s?m\b|\s+million\b)?"
)
_PERIOD_AFTER = re.compile(r"^\s*(?:in\s+)?(?P<p>Q[1-4]|(?:20)?\d\d\s*[/-]\s*\d\d)\b(?!\s*/)")
_PERIOD_BEFORE_PAREN = re.compile(r"(?P<p>(?:20)?\d\d\s*/\s*\d\d)\s*\(\s*$")
_QUARTER_BEFORE = re.compile(r"Q(?P<q>[1-4])\s*-\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z£\d(])")
# A period of months right after a figure ("306 April - Sept 16", "383 Oct- March"): the quarters of the
# government year it spans (April-June is Q1 ... January-March Q4).
_SPAN_AFTER = re.compile(
    rf"^\s*(?:in\s+|from\s+|between\s+)?(?P<a>{_MONTH})\s*(?:-|–|to)\s*(?P<b>{_MONTH})", re.I
)
_MONTH_QUARTER = {
    m: q
    for q, months in enumerate(
        (("apr", "may", "jun"), ("jul", "aug", "sep"), ("oct", "nov", "dec"), ("jan", "feb", "mar")), 1
    )
    for m in months
}


def quarters_spanned(first: str, last: str) -> tuple[int, int] | None:
    """(first quarter, last quarter) of the government year from one month to another ("April", "Sept")."""
    a, b = _MONTH_QUARTER.get(first[:3].lower()), _MONTH_QUARTER.get(last[:3].lower())
    return (a, b) if a and b and a <= b else None


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    raw: str
    value: Decimal
    unit: str
    decimals: int
    period: Period | None
    span: tuple[int, int] | None = None  # the quarters a period of months after it spans


def sentences(text: str) -> list[str]:
    """The text's sentences, verbatim. A sentence that only restates the one before ("This equates to
    28 of 32 young people.") stays with it: together they are one claim."""
    parts = [p.strip() for p in _SENTENCE_END.split(text) if p and p.strip()]
    out: list[str] = []
    for p in parts:
        if out and re.match(r"^(?:(?:This|Which)\s+(?:equates|is equivalent)|Q1\s*-)", p):
            out[-1] = f"{out[-1]} {p}"
        else:
            out.append(p)
    return out


def mask(text: str) -> str:
    """The text with every non-figure number replaced by '#' (same length, so positions hold)."""
    chars = list(text)
    for _, pattern in NOT_FIGURES:
        for m in pattern.finditer(text):
            for i in range(m.start(), m.end()):
                if chars[i].isdigit():
                    chars[i] = "#"
    return "".join(chars)


def government_year(text: str, report_year: str) -> str | None:
    """'2015-2016' from '2015/16', '15/16', '2015- 16' or '2021/2022'; None if it is not a year pair."""
    m = re.fullmatch(r"\s*((?:20)?\d\d)\s*[-/–]\s*((?:20)?\d\d)\s*", text)
    if not m:
        return None
    a, b = (int(x) if len(x) == 4 else 2000 + int(x) for x in (m[1], m[2]))
    return f"{a}-{b}" if b == a + 1 else None


def period_of(text: str, report_year: str) -> Period | None:
    """'Q4' (a quarter of the report's year) or a government year."""
    text = text.strip()
    if re.fullmatch(r"Q[1-4]", text):
        return Period(report_year, int(text[1]))
    year = government_year(text, report_year)
    return Period(year) if year else None


# A count written as a word, before the thing counted (a word, not a time span).
WORD_NUMBERS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12,
}  # fmt: skip
_WORD_NUMBER = re.compile(
    r"(?<!stage )(?<!level )(?<!phase )\b(?P<word>" + "|".join(WORD_NUMBERS) + r")\s+"
    r"(?!(?:quarters?|years?|months?|weeks?|days?|times?)\b)(?=[A-Za-z])",
    re.I,
)


# "None of the Escalated complaints were complete ..." (2020/21 line 254): a share written as a word, 0%
# of the things named (checked like "0%" against the row whose note it is).
_NONE_OF = re.compile(r"\b(?P<word>None)\s+of\s+(?:the|our|these)\b", re.I)


def word_figures(sentence: str, report_year: str) -> list[Found]:
    """Counts written as words ("two young people"): figures like any other, of unit Number; and "None of
    the ...", a share of 0%."""
    counts = [
        Found(m.start(), m.start() + len(m["word"]), m["word"], Decimal(WORD_NUMBERS[m["word"].lower()]),
              "Number", 0, None)
        for m in _WORD_NUMBER.finditer(sentence)
    ]  # fmt: skip
    shares = [
        Found(m.start(), m.start() + len(m["word"]), m["word"], Decimal(0), "Percent", 0, None)
        for m in _NONE_OF.finditer(sentence)
    ]
    return counts + shares


def figures(sentence: str, report_year: str) -> list[Found]:
    found = digit_figures(sentence, report_year) + word_figures(sentence, report_year)
    return sorted(found, key=lambda f: f.start)


def digit_figures(sentence: str, report_year: str) -> list[Found]:
    masked = mask(sentence)
    out: list[Found] = []
    for m in _NUMBER.finditer(masked):
        if "#" in m.group(0) or (m.start() > 0 and masked[m.start() - 1] in "#./"):
            continue
        num = m["num"].replace(",", "")
        value = Decimal(num)
        suffix = (m["suffix"] or "").strip()
        unit = "Number"
        if suffix == "%" or re.match(r"\s*-\s*\d+(?:\.\d+)?%", masked[m.end() :]):
            unit = "Percent"
        elif m["gbp"] or suffix in ("m", "million"):
            unit = "GBP"
            if suffix in ("m", "million"):
                value = (
                    (value * 1_000_000).quantize(Decimal(1))
                    if value * 1_000_000 == int(value * 1_000_000)
                    else value * 1_000_000
                )
        decimals = len(num.split(".")[1]) if "." in num else 0
        period = None
        after = _PERIOD_AFTER.match(sentence[m.end() :])
        if after:
            period = period_of(after["p"], report_year)
        paren = _PERIOD_BEFORE_PAREN.search(sentence[: m.start()])
        if paren and not period:
            period = period_of(paren["p"], report_year)
        before = _QUARTER_BEFORE.search(sentence[: m.start()])
        if before:
            period = Period(report_year, int(before["q"]))
        raw = sentence[m.start() : m.end()].strip()
        months = _SPAN_AFTER.match(sentence[m.end() :])
        span = quarters_spanned(months["a"], months["b"]) if months else None
        out.append(Found(m.start(), m.end(), raw, value, unit, decimals, period, span))
    return out


def stated_period(sentence: str, report_year: str) -> Period | None:
    """The period a sentence states for itself: 'for 2019/20', 'in 2015- 16', 'In Q4', 'in 16/17'."""
    m = re.search(
        r"\b(?:for|in|during)\s+(?P<p>Q[1-4]|(?:20)?\d\d\s*[/-]\s*(?:20)?\d\d)\b(?!\s*/)", sentence, re.I
    )
    return period_of(m["p"], report_year) if m else None
