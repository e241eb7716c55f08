"""What claim extraction yields: a figure the report states in words, with its role, and the claim it
belongs to (one sentence of the narrative or of a note), each with the excerpt it was read from.

Kept apart from records.py (the tables' records): claims are read from the text those records carry.
Values are as the report states them; `raw` keeps the figure as written ("£29,877.18", "12.5%").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .records import Excerpt, Period

# Roles a figure plays in its claim: local names of og: FigureRole concepts (ontology/claims.ttl).
ROLES = ("value", "from", "to", "change", "difference", "rate", "comparator", "part", "whole")
# Units a claim's figure is stated in: og: Unit concepts (ontology/codelists.ttl, ontology/claims.ttl).
CLAIM_UNITS = ("Percent", "GBP", "Number")  # a rate per 1,000 is a Number, as in the tables
VERDICTS = ("Agrees", "Disagrees", "CannotCheck")
CHECK_KINDS = ("SelfCheck", "TableCheck", "CrossCheck")


@dataclass(frozen=True)
class Figure:
    role: str  # one of ROLES
    value: Decimal  # signed: a stated decrease is negative
    raw: str  # the figure as written
    unit: str  # one of CLAIM_UNITS
    period: Period | None = None  # where the report states one for this figure
    decimals: int = 0  # decimal places as written: the report's rounding for this figure
    span: tuple[int, int] | None = (
        None  # quarters of the year a stated period of months spans ("April - Sept")
    )


@dataclass(frozen=True)
class Claim:
    report: str  # the report's id, "2016-2017"
    key: str  # "L25-2": line and position among the claims read from that line
    statement: str  # the sentence, verbatim
    about: str  # what it is about, in its words
    figures: tuple[Figure, ...]
    excerpt: Excerpt
    source: str  # "narrative", "observation note", "action note"
    record: str | None = None  # the indicator key or action code whose note it is
    period: Period | None = None  # the period the claim states (or its note's "20/21:")
    negated: bool = False  # the statement counts what did not happen ("off target", "declined")

    def of_role(self, role: str) -> list[Figure]:
        return [f for f in self.figures if f.role == role]

    def first(self, role: str) -> Figure | None:
        return next((f for f in self.figures if f.role == role), None)


@dataclass(frozen=True)
class Check:
    """One comparison of a claim: with itself, with a table cell, or with another claim."""

    claim: str  # Claim.key
    report: str
    kind: str  # one of CHECK_KINDS
    verdict: str  # one of VERDICTS
    reason: str  # what was compared and what was found, naming lines and figures
    stated: str | None = None  # the claim's figure, as written
    expected: str | None = None  # what the other side gives (computed or read)
    against_line: int | None = None  # the other side's line (table row or other claim)
    against_report: str | None = None
    against: str | None = None  # "observation:<indicator key>@<period key>" or "claim:<report>/<key>"
