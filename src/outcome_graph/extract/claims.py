"""Claims: every figure a report states in words, in its narrative and in the notes of its tables.

`claims_of(extraction)` is pure: it reads the text the extracted records carry (narrative paragraphs,
the notes of observations, actions and risks), splits it into sentences, and makes one Claim of each
sentence that states at least one figure, with each figure's role (claims_roles), unit and period
(claims_text) and the record's excerpt. The checks are in claims_check.
"""

from __future__ import annotations

import re
from collections import Counter

from .claims_records import Claim, Figure
from .claims_roles import roles
from .claims_text import Found, figures, period_of, sentences, stated_period
from .records import Action, Excerpt, Extraction, Narrative, Observation, Period, Risk

# "16/17: Off Target", "20/21 : Data Only.", "Q4 20/21: Data not available", "Q1 19/20:"
_NOTE_PREFIX = re.compile(
    r"^\s*(?:Q[1-4]\s+)?(?P<year>\d\d/\d\d)\s*:\s*"
    r"(?:On Target|Off Target|Complete|Data Only|Data not available|N/A)?\s*\.?\s*",
    re.IGNORECASE,
)
_NEGATED = re.compile(r"\b(?:off target|declined|not|neither|none)\b", re.IGNORECASE)
_STOP = re.compile(
    r"^(?:which|from|to|were|was|is|are|have|has|had|and|but|so|by|for|with|since|over|against|"
    r"compared|up|down|equates|this|that|who|an|whose|when|at|out|despite|resulting)$",
    re.IGNORECASE,
)
_OBJECT = re.compile(
    r"\b(?:increased|decreased|reduced|grown)\s+(?P<s>[^.;⟨]{3,90}?)\s+by\s+⟨", re.IGNORECASE
)
# "Midlothian's positive destination rate for 2019/20 was 94.4%": the sentence's subject, up to the verb
# that states its first figure.
_LEADING = re.compile(r"^(?P<s>[A-Z][^⟨.;,]{3,90}?)(?:\s+(?:for|in)\s+[^\s⟨]+)?\s+(?:was|is|were|are)\s+⟨0⟩")
_SUBJECT = re.compile(
    r"\b(?:the|our)\s+(?P<s>[^.;⟨]{3,90}?)\s+(?:has\s+|have\s+|had\s+)?(?:continued\s+to\s+)?"
    r"(?:increased|decreased|risen|fallen|is|was|were|are|remains?|equates)\b",
    re.IGNORECASE,
)


def note_text(note: str, report_year: str) -> tuple[str, Period | None]:
    """The note without its status prefix, and the year the prefix names ("16/17:" -> 2016-2017)."""
    m = _NOTE_PREFIX.match(note)
    if not m:
        return note.strip(), None
    return note[m.end() :].strip(), period_of(m["year"], report_year)


def about(sentence: str, found: list[Found]) -> str:
    """What the claim is about, in its words: what 'increased ... by' names, else the subject of 'the
    X has increased / is ...', else the words after its leading figure ('54 children on the Child
    Protection Register'; after 'out of 6' for a part of a whole)."""
    from .claims_roles import tokenise

    text = tokenise(sentence, found)
    for pattern in (_OBJECT, _SUBJECT):
        m = pattern.search(text)
        if m:
            return " ".join(m["s"].split())
    if not found:
        return ""
    m = re.search(r"⟨\d+⟩(?:\s*(?:out\s+)?of\s+⟨\d+⟩)?", text)
    words: list[str] = []
    for w in text[m.end() :].split() if m else []:
        clean = w.strip(",.;:()'\"")
        if not clean or _STOP.match(clean) or "⟨" in clean or len(words) >= 10:
            break
        words.append(clean)
        if w.endswith((",", ".", ";", ":")):
            break
    if not words and (lead := _LEADING.search(text)):
        return " ".join(lead["s"].split())  # nothing names it after the figure: the subject before it
    return " ".join(words)


def claims_in(
    text: str,
    excerpt: Excerpt,
    report_year: str,
    source: str,
    record: str | None = None,
    default_period: Period | None = None,
) -> list[tuple[str, Claim]]:
    """The claims of one text (a paragraph or a note), keyed later by line: (sentence, claim) pairs."""
    out = []
    for sentence in sentences(text):
        found = figures(sentence, report_year)
        if not found:
            continue
        figs = []
        for f, (role, sign) in zip(found, roles(sentence, found), strict=True):
            figs.append(Figure(role, f.value * sign, f.raw, f.unit, f.period, f.decimals, f.span))
        to = next((f.period for f in figs if f.role in ("to", "whole") and f.period), None)
        period = to or stated_period(sentence, report_year) or default_period
        claim = Claim(
            report=excerpt.report,
            key="",
            statement=sentence,
            about=about(sentence, found),
            figures=tuple(figs),
            excerpt=excerpt,
            source=source,
            record=record,
            period=period,
            negated=bool(_NEGATED.search(sentence)),
        )
        out.append((sentence, claim))
    return out


def _texts(x: Extraction):
    """(text, excerpt, source, record key, default period) for every text that may state figures."""
    year = x.report.id
    seen: set[tuple[str | None, int, str]] = set()
    for r in x.records:
        if isinstance(r, Narrative):
            yield r.excerpt.text, r.excerpt, "narrative", None, None
            continue
        if isinstance(r, Observation):
            note, record = r.note, r.indicator
        elif isinstance(r, Action):
            note, record = r.note, r.key
        elif isinstance(r, Risk):
            note, record = r.latest_note, r.code
        else:
            continue
        if not note or (record, r.excerpt.first_line, note) in seen:
            continue
        seen.add((record, r.excerpt.first_line, note))
        text, period = note_text(note, year)
        kind = {Observation: "observation note", Action: "action note", Risk: "risk note"}[type(r)]
        yield text, r.excerpt, kind, record, period


def claims_of(x: Extraction) -> list[Claim]:
    """Every claim of one report, in line order; keys are "L<first line>-<n>"."""
    found: list[Claim] = []
    for text, excerpt, source, record, period in _texts(x):
        found += [c for _, c in claims_in(text, excerpt, x.report.id, source, record, period)]
    found.sort(key=lambda c: (c.excerpt.first_line, c.source != "narrative"))
    count: Counter[int] = Counter()
    out = []
    for c in found:
        count[c.excerpt.first_line] += 1
        out.append(_with_key(c, f"L{c.excerpt.first_line}-{count[c.excerpt.first_line]}"))
    return out


def _with_key(c: Claim, key: str) -> Claim:
    from dataclasses import replace

    return replace(c, key=key)
