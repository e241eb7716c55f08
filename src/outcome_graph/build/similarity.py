"""How alike two records' words are, and which pairs to suggest: pure functions over plain strings.

rapidfuzz does the string comparison (a maintained C++ implementation of the fuzzywuzzy ratios; see the
README): the score of two texts is the mean of its token-set ratio (high when one text's words are
within the other's: "Number of PI's" / "Total number of PI's") and its token-sort ratio (which
penalises the words one text adds), each over rapidfuzz's default normalisation (lower case, no
punctuation). The mean keeps a short title that is a subset of a long one from scoring 100.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, utils

# A suggestion needs this score (0-100). Measured on the two bundled reports with no crosswalk: every
# pair at or above 65 of the same kind (and, for indicators, the same table kind and parent PI) is one
# an analyst confirmed in graph/curated/crosswalk.csv or rejected there as 'distinct' with a reason;
# CS.S.02.03 -> CSPC.P.11.6, the issue's own example, scores 65.7.
SUGGEST_AT = 65.0
# Two records of one report are near duplicates when both their titles and their comments reach this
# token-set ratio, 100: the words of one are all within the other's (a differing word, "MA" for "FA",
# makes two measures), and their titles name the same numbers.
DUPLICATE_AT = 100.0

_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
# The status words a note opens with ("20/21: Complete", "Q4 20/21: Data only") are not its content.
_NOTE_STATUS = re.compile(
    r"^\s*(?:q\d\s*)?\d{2}/\d{2}\s*:\s*(?:on target|off target|complete|data only|n/a|data not available"
    r"(?: at time of producing the report)?)?[.\s]*",
    re.I,
)


def score(a: str | None, b: str | None) -> float:
    """0-100, rounded to one decimal place so the graph's literal is the same on every run."""
    if not a or not b:
        return 0.0
    s = (
        fuzz.token_set_ratio(a, b, processor=utils.default_process)
        + fuzz.token_sort_ratio(a, b, processor=utils.default_process)
    ) / 2
    return round(s, 1)


def containment(a: str | None, b: str | None) -> float:
    """rapidfuzz's token-set ratio: 100 when one text's words are all within the other's."""
    if not a or not b:
        return 0.0
    return round(fuzz.token_set_ratio(a, b, processor=utils.default_process), 1)


def numbers(text: str | None) -> tuple[str, ...]:
    """The numbers a title names ("stage 1", "20 working days"): two titles that name different numbers
    are different measures, however alike their words."""
    return tuple(sorted(_NUMBER.findall(text or "")))


def note_content(note: str | None) -> str:
    return _NOTE_STATUS.sub("", note or "").strip()


@dataclass(frozen=True)
class Candidate:
    key: str  # identifies the record within its report (code, indicator key, "L318")
    group: str  # only records of the same group are compared (kind, table, parent PI)
    title: str
    note: str = ""


def suggestions(
    old: Iterable[Candidate],
    new: Iterable[Candidate],
    threshold: float = SUGGEST_AT,
    exclude: set[tuple[str, str]] | frozenset = frozenset(),
) -> list[tuple[Candidate, Candidate, float]]:
    """One-to-one pairs (old, new, score) at or above the threshold, best first: a record is suggested
    as the continuation of at most one other. Ties are broken by the keys, so the result never depends
    on input order or hash seed. `exclude` holds (old key, new key) pairs an analyst rejected."""
    scored = []
    for a in old:
        for b in new:
            if a.group != b.group or numbers(a.title) != numbers(b.title) or (a.key, b.key) in exclude:
                continue
            s = score(a.title, b.title)
            if s >= threshold:
                scored.append((-s, a.key, b.key, a, b))
    taken_old: set[str] = set()
    taken_new: set[str] = set()
    out = []
    for neg, ka, kb, a, b in sorted(scored, key=lambda t: t[:3]):
        if ka in taken_old or kb in taken_new:
            continue
        taken_old.add(ka)
        taken_new.add(kb)
        out.append((a, b, -neg))
    return sorted(out, key=lambda t: (t[0].key, t[1].key))


def near_duplicates(
    records: Iterable[Candidate], threshold: float = DUPLICATE_AT
) -> list[tuple[Candidate, Candidate, float]]:
    """Pairs of one report's records (different keys, same group) whose titles and comments are nearly
    the same: (first, second, the lower of the two ratios), in key order."""
    items = sorted(records, key=lambda c: c.key)
    out = []
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            if a.group != b.group or a.key == b.key or numbers(a.title) != numbers(b.title):
                continue
            na, nb = note_content(a.note), note_content(b.note)
            if len(na.split()) < 3 or len(nb.split()) < 3:
                continue  # a bare status word is not a comment two records can share
            s = min(containment(a.title, b.title), containment(na, nb))
            if s >= threshold:
                out.append((a, b, s))
    return out
