"""Claims compared with what the report says elsewhere: curated comparisons (graph/curated/
claim-comparisons.csv: a narrative figure and the table cell or the other claim that states the same
measure for the same period, each with a rationale) and claims of one report about the same words (at
least three) for the same period, compared automatically. Then each claim's verdict. Pure functions.

A curated comparison between two claims is a check of both: each names the other's line and figure.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .claims_check import Rows, _cell, _cell_figure, _check, _line, fits, self_checks, show, table_checks
from .claims_records import Check, Claim, Figure
from .claims_spans import span_checks


@dataclass(frozen=True)
class Comparison:
    """A curated row: this claim's figure (role, or role.n for the n-th of that role) states the same
    measure and period as `against`."""

    report: str
    claim: str  # "L25-1"
    role: str  # "value", "value.2", "change"
    against: str  # "observation:BS.CS.17@2016-2017", "change:BS.CS.17@2016-2017-Q3..2016-2017",
    # "claim:2016-2017/L148-1/comparator"
    rationale: str
    line: int  # the CSV line


def figure_of(c: Claim, role: str) -> Figure | None:
    name, _, n = role.partition(".")
    found = c.of_role(name)
    i = int(n) - 1 if n else 0
    return found[i] if 0 <= i < len(found) else None


def curated_check(
    c: Claim, comp: Comparison, rows: dict[str, Rows], claims: dict[tuple[str, str], Claim], source: str
) -> Check:
    f = figure_of(c, comp.role)
    if f is None:
        raise ValueError(
            f"{source}:{comp.line}: claim {comp.report} {comp.claim} has no {comp.role!r} figure"
        )
    kind, _, ref = comp.against.partition(":")
    why = f" (curated: {comp.rationale})"
    if kind == "claim":
        year, key, role = ref.split("/")
        other = claims.get((year, key))
        g = figure_of(other, role) if other else None
        if g is None:
            raise ValueError(f"{source}:{comp.line}: no claim {ref!r} with that figure")
        ok = fits(f, g.value) or fits(g, f.value)
        return _check(
            c,
            "CrossCheck",
            ok,
            f"{c.report} {_line(c)} says {f.raw}; {year} line {other.excerpt.first_line} says {g.raw}" + why,
            f.raw,
            g.raw,
            against_line=other.excerpt.first_line,
            against_report=year,
            against=f"claim:{year}/{key}",
        )
    ind, _, period = ref.partition("@")
    table = rows.get(c.report, {})
    if kind == "observation":
        cell = table.get((ind, period))
        if cell is None or cell.value is None:
            raise ValueError(f"{source}:{comp.line}: no figure for {ind} {period} in {c.report}")
        ok = fits(f, cell.value) or fits(_cell_figure(cell), f.value)
        return _check(
            c,
            "TableCheck",
            ok,
            f"{_line(c)} says {f.raw}; the table says {_cell(cell)}" + why,
            f.raw,
            cell.raw,
            against_line=cell.excerpt.first_line,
            against_report=c.report,
            against=f"observation:{ind}@{period}",
        )
    if kind == "change":
        p0, _, p1 = period.partition("..")
        a, b = table.get((ind, p0)), table.get((ind, p1))
        if not a or not b or a.value is None or b.value is None:
            raise ValueError(f"{source}:{comp.line}: no figures for {ind} {p0} and {p1} in {c.report}")
        delta = b.value - a.value
        return _check(
            c,
            "TableCheck",
            fits(f, delta),
            f"{_line(c)} says a change of {f.raw}; the table goes from {_cell(a)} to {_cell(b)}, "
            f"a change of {show(delta)}" + why,
            f.raw,
            show(delta),
            against_line=b.excerpt.first_line,
            against_report=c.report,
            against=f"observation:{ind}@{p1}",
        )
    raise ValueError(f"{source}:{comp.line}: 'against' must start observation:, change: or claim:")


def _words(c: Claim) -> str:
    return " ".join(c.about.lower().split())


def mutual_checks(claims: list[Claim]) -> list[Check]:
    """Claims of one report about the same words (three or more) for the same period: their figures of
    the same role must agree."""
    out: list[Check] = []
    by: dict[tuple[str, str, str], list[Claim]] = {}
    for c in claims:
        if len(_words(c).split()) >= 3:
            by.setdefault((c.report, _words(c), c.period.key if c.period else ""), []).append(c)
    for group in by.values():
        for i, c in enumerate(group):
            for other in group[:i] + group[i + 1 :]:
                for f in c.figures:
                    g = other.first(f.role)
                    if g is None or f.unit != g.unit:
                        continue
                    ok = fits(f, g.value) or fits(g, f.value)
                    out.append(
                        _check(
                            c,
                            "CrossCheck",
                            ok,
                            f"line {c.excerpt.first_line} says {f.raw} ({f.role}) about {c.about!r}; "
                            f"line {other.excerpt.first_line} says {g.raw}",
                            f.raw,
                            g.raw,
                            against_line=other.excerpt.first_line,
                            against_report=other.report,
                            against=f"claim:{other.report}/{other.key}",
                        )
                    )
                    break
    return out


def verdict(checks: list[Check]) -> tuple[str, str]:
    """The claim's verdict and why, from its checks."""
    if not checks:
        return "CannotCheck", "no second figure to check it against: the report states it once"
    bad = [k for k in checks if k.verdict == "Disagrees"]
    if bad:
        return "Disagrees", "; ".join(k.reason for k in bad)
    good = [k for k in checks if k.verdict == "Agrees"]
    if good:
        return "Agrees", "; ".join(k.reason for k in good)
    return "CannotCheck", "; ".join(k.reason for k in checks)


def check_claims(
    claims: list[Claim],
    rows: dict[str, Rows],
    comparisons: tuple[Comparison, ...] = (),
    source: str = "",
    problems: list[str] | None = None,
    aggregation: dict[str, str] | None = None,
) -> dict[tuple[str, str], list[Check]]:
    """Every check of every claim, keyed by (report, claim key). `rows` per report id. A curated
    comparison that names a claim, figure or cell this build does not have (a changed or cut report)
    is left out and said in `problems`, never applied to something else. `aggregation` (indicator key ->
    og:Aggregation name, graph/curated/aggregation.csv) lets a figure stated for months ("April - Sept")
    be checked against the quarters they span (claims_spans)."""
    problems = [] if problems is None else problems
    index = {(c.report, c.key): c for c in claims}
    out: dict[tuple[str, str], list[Check]] = {k: [] for k in index}
    for c in claims:
        own = rows.get(c.report, {})
        out[(c.report, c.key)] += (
            self_checks(c) + table_checks(c, own) + span_checks(c, own, aggregation or {})
        )
    for comp in comparisons:
        c = index.get((comp.report, comp.claim))
        if c is None:
            if comp.report in rows:
                problems.append(
                    f"{source}:{comp.line}: the {comp.report} report has no claim {comp.claim}; not compared"
                )
            continue  # or a report not in this build
        try:
            check = curated_check(c, comp, rows, index, source)
        except ValueError as e:
            problems.append(f"{e}; not compared")
            continue
        out[(c.report, c.key)].append(check)
        if check.against and check.against.startswith("claim:"):
            year, key = check.against[len("claim:") :].split("/")
            out[(year, key)].append(_reverse(check, index[(year, key)], c))
    for k in mutual_checks(claims):
        out[(k.report, k.claim)].append(k)
    return out


def _reverse(check: Check, other: Claim, c: Claim) -> Check:
    """The same comparison seen from the other claim."""
    return replace(
        check,
        claim=other.key,
        report=other.report,
        stated=check.expected,
        expected=check.stated,
        against_line=c.excerpt.first_line,
        against_report=c.report,
        against=f"claim:{c.report}/{c.key}",
    )
