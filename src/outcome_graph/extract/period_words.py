"""Period words the vocabulary does not know, in a year or quarter cell or heading (issue 18 part 5): a
quarter word that is not one of og:QuarterScheme's labels ("Q5 2020/21", "Qrt 2 2016/17") or a year whose
second part is not the year after its first ("2020/12"). Table columns are placed by position, so such a
word changes no figure; but a reader of the report cannot tell which period the column is, and nothing
may pass unnoticed. Each is an UnknownWord of kind "period" (a build warning, and a violation naming
file, line and word with the nearest known word, shapes/core/words.ttl).

Known quarter words are the labels of ontology/codelists.ttl (extract/words.py reads them); years are
checked by arithmetic, since they are not a closed list. PDF text extraction splits and cuts cells ("Q1
2020/2 1", "2019/2" on 2020/21 line 242), so spaces inside a year are ignored and a second part that is
the start of the right one (a digit cut off) is read as it.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from .records import Extraction, UnknownWord, Unplaced
from .sections import Line
from .words import NEAR, known_words

# A year as the reports write it: "2016/17", "2016/ 17", "2020/2 1" (split), "2021/2022".
# The second part: four digits, or two (perhaps split by a space), or one (the other cut off).
_YEAR = r"(?P<start>(?:19|20)\d\d)\s?/\s?(?P<end>\d{4}|\d\s?\d|\d)"
# A quarter word before a year: a short word, an optional space and one digit ("Q1", "Qtr 2", "Quarter 3").
_QUARTER = re.compile(rf"(?<![\w/])(?P<word>(?P<head>[A-Za-z]{{1,7}})\.?\s?(?P<n>\d))\s+{_YEAR}(?![\d/])")
_YEAR_ONLY = re.compile(rf"(?<![\w/]){_YEAR}(?![\d/])")


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _quarter_labels() -> list[tuple[str, int]]:
    """(label, quarter number) for every label of og:QuarterScheme."""
    return [(label, int(concept[-1])) for label, concept in known_words("QuarterScheme")]


def _known_quarter(word: str) -> int | None:
    """The quarter a word names by one of og:QuarterScheme's labels, else None."""
    return next((q for label, q in _quarter_labels() if _norm(label) == _norm(word)), None)


def _near_quarter(word: str, head: str, n: int, expected: int | None) -> str | None:
    """The nearest quarter label to a quarter word that is not one, or None if it is one or is not a
    quarter word at all (not near any label, and not a known label's word with another number)."""
    labels = _quarter_labels()
    if _norm(word) in {_norm(label) for label, _ in labels}:
        return None
    heads = {_norm(label.rsplit(" ", 1)[0] if " " in label else label[:-1]) for label, _ in labels}
    scored = [(fuzz.ratio(_norm(word), _norm(label)), label, q) for label, q in labels]
    best = max(s for s, _, _ in scored)
    if best < NEAR and _norm(head) not in heads:
        return None
    # ties (every label of "Q5" scores alike): the quarter the line's order expects, else the nearest number
    top = [(label, q) for s, label, q in scored if s == best]
    return min(top, key=lambda lq: (lq[1] != expected, abs(lq[1] - n), lq[0]))[0]


def _year_problem(start: str, end: str, report_year: str) -> str | None:
    """The nearest right year for a year whose second part is not the year after its first, else None."""
    end = end.replace(" ", "")
    after = str(int(start) + 1)
    if (after if len(end) == 4 else after[2:]).startswith(end):  # right, or a digit cut off ("2019/2")
        return None
    # the written end may be right and the start wrong ("2011/12" for "2010/12"): prefer the one of the
    # report's own years (its year and the one before), else keep the start
    first = int(report_year[:4])
    own = {f"{y}/{str(y + 1)[2:]}" for y in (first - 1, first)}
    from_start = f"{start}/{after[2:]}"
    end_year = int(start[:2] + end[-2:]) if len(end) >= 2 else None
    from_end = f"{end_year - 1}/{str(end_year)[2:]}" if end_year else from_start
    for candidate in (from_start, from_end):
        if candidate in own:
            return candidate
    return from_start


def find_period_words(x: Extraction, lines: list[Line]) -> None:
    """Adds an UnknownWord and a warning for every unrecognised quarter or year word of the report."""
    found: dict[tuple[int, str], tuple[UnknownWord, str]] = {}
    for ln in lines:
        if ln.blank:
            continue
        hits: list[tuple[str, str]] = []
        quarters = list(_QUARTER.finditer(ln.text))
        known = [_known_quarter(m["word"]) for m in quarters]
        for i, m in enumerate(quarters):
            if known[i] is not None:
                continue
            # the quarter the line's order expects: one after the known quarter before it, else one
            # before the known quarter after it ("Q1 Q5 Q3": Q2)
            before = next((q for q in reversed(known[:i]) if q is not None), None)
            after = next((q for q in known[i + 1 :] if q is not None), None)
            expected = before + 1 if before is not None else after - 1 if after is not None else None
            near = _near_quarter(m["word"], m["head"], int(m["n"]), expected)
            if near:
                hits.append((m["word"], near))
        for m in _YEAR_ONLY.finditer(ln.text):
            near = _year_problem(m["start"], m["end"], x.report.id)
            if near:
                hits.append((m.group(0), near))
        for word, near in hits:
            w = UnknownWord(x.report.id, ln.number, ln.text, "period", word, near)
            why = (
                f"unrecognised period word {word!r} (nearest known: {near!r}; quarters are the labels "
                "of og:QuarterScheme, ontology/codelists.ttl; a year's second part is the next year)"
            )
            found.setdefault((ln.number, word), (w, why))
    for (line, _), (w, why) in sorted(found.items()):
        x.unknown_words.append(w)
        x.warnings.append(Unplaced(x.report.id, line, w.text.strip(), why))
