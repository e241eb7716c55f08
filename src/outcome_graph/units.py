"""How a figure is written for people, in its unit: '£15.46m', '85%', '33.5 days', '1,385'.

The way each unit is written is data in `ontology/codelists.ttl` (og:symbolBefore, og:symbolAfter,
og:singularSymbolAfter, og:fractionDigits, og:scale on each og:Unit concept), read once from the ontology
files: pages, charts, the human CSV, the CLI and the printed audit all write figures through
`figure_text`, so a unit is spelled one way everywhere. A unit the ontology does not describe is
written as a plain number, never with an invented symbol.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

UNITS_QUERY = """
PREFIX og: <https://w3id.org/outcome-graph/def#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?unit ?label ?before ?after ?single ?digits ?pattern ?scale ?least ?divisor ?sbefore ?safter ?sdigits
WHERE {
  ?unit skos:inScheme og:UnitScheme .
  OPTIONAL { ?unit skos:prefLabel ?label }
  OPTIONAL { ?unit og:symbolBefore ?before }
  OPTIONAL { ?unit og:symbolAfter ?after }
  OPTIONAL { ?unit og:singularSymbolAfter ?single }
  OPTIONAL { ?unit og:fractionDigits ?digits }
  OPTIONAL { ?unit og:titlePattern ?pattern }
  OPTIONAL { ?unit og:scale ?scale . ?scale og:atLeast ?least ; og:divisor ?divisor .
             OPTIONAL { ?scale og:symbolBefore ?sbefore } OPTIONAL { ?scale og:symbolAfter ?safter }
             OPTIONAL { ?scale og:fractionDigits ?sdigits } }
}
"""


@dataclass(frozen=True)
class Scale:
    at_least: Decimal
    divisor: Decimal
    before: str | None  # None: the unit's own
    after: str | None
    digits: int | None


@dataclass(frozen=True)
class Unit:
    name: str  # the og: local name (Percent, GBP, WorkingDay)
    label: str
    before: str = ""
    after: str = ""
    singular_after: str | None = None
    digits: int | None = None
    title_pattern: str | None = None
    scales: tuple[Scale, ...] = ()


def _dec(text) -> Decimal | None:
    try:
        d = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def units_from_rows(rows) -> dict[str, Unit]:
    """Units from rows of UNITS_QUERY (dicts of variable -> term), by local name."""
    found: dict[str, dict] = {}
    scales: dict[str, set[Scale]] = {}
    for r in rows:
        iri = str(r["unit"])
        name = iri.rsplit("#", 1)[-1]
        cur = found.setdefault(name, {"name": name, "label": name})
        for var, key in (
            ("label", "label"),
            ("before", "before"),
            ("after", "after"),
            ("single", "singular_after"),
            ("pattern", "title_pattern"),
        ):
            if r.get(var) is not None:
                cur[key] = str(r[var])
        if r.get("digits") is not None:
            cur["digits"] = int(str(r["digits"]))
        if r.get("scale") is not None:
            scales.setdefault(name, set()).add(
                Scale(
                    _dec(r["least"]) or Decimal(0),
                    _dec(r["divisor"]) or Decimal(1),
                    None if r.get("sbefore") is None else str(r["sbefore"]),
                    None if r.get("safter") is None else str(r["safter"]),
                    None if r.get("sdigits") is None else int(str(r["sdigits"])),
                )
            )
    out = {}
    for name in sorted(found):
        # the largest scale a figure reaches wins: try them from the top
        ordered = tuple(sorted(scales.get(name, ()), key=lambda s: s.at_least, reverse=True))
        out[name] = Unit(**found[name], scales=ordered)
    return out


@lru_cache(maxsize=1)
def units() -> dict[str, Unit]:
    """The units the ontology files describe, by local name."""
    from .ontology_rows import ontology_rows

    return units_from_rows(ontology_rows(UNITS_QUERY))


def unit_of(unit) -> Unit | None:
    """The unit named by an IRI, an og: prefixed name or a local name; None for no or an unknown unit."""
    if not unit:
        return None
    text = str(unit)
    name = text.rsplit("#", 1)[-1] if "#" in text else text.rsplit(":", 1)[-1]
    return units().get(name)


def grouped(d: Decimal, digits: int | None) -> str:
    """A number with thousands separated: with exactly `digits` decimals when given and the number is not
    whole, else the decimals it has (no trailing zeros: 76.92, 33.5, 1,385)."""
    if d == d.to_integral_value():
        return f"{int(d):,}"
    if digits is not None:
        q = d.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
        if q == q.to_integral_value() and digits == 0:
            return f"{int(q):,}"
        return f"{q:,.{digits}f}"
    whole, _, frac = format(d.normalize(), "f").partition(".")
    sign = "-" if d < 0 else ""
    return f"{sign}{abs(int(whole)):,}.{frac}"


def number_text(value) -> str:
    """A figure as a plain number, the way the reports write it: thousands separated, no trailing '.0'."""
    d = _dec(value)
    return str(value) if d is None else grouped(d, None)


def figure_text(value, unit=None) -> str:
    """A figure in its unit, in people's terms: '£15.46m', '£3,225.80', '85%', '33.5 days', '1 day', '1,385'.
    An empty value is ''; a value that is not a number is returned as it is."""
    if value is None or str(value) == "":
        return ""
    d = _dec(value)
    if d is None:
        return str(value)
    u = unit_of(unit)
    if u is None:
        return grouped(d, None)
    for s in u.scales:
        if abs(d) >= s.at_least:
            before = u.before if s.before is None else s.before
            return f"{_signed(before, grouped(d / s.divisor, s.digits))}{s.after or ''}"
    after = u.singular_after if (u.singular_after is not None and abs(d) == 1) else u.after
    return f"{_signed(u.before, grouped(d, u.digits))}{after}"


def _signed(before: str, number: str) -> str:
    """'-£450' rather than '£-450'."""
    return f"-{before}{number[1:]}" if before and number.startswith("-") else f"{before}{number}"


def unit_label(unit) -> str:
    """The unit's name for a table header or an axis ('Percent', 'Pounds sterling', 'Working days')."""
    u = unit_of(unit)
    return u.label if u else ""
