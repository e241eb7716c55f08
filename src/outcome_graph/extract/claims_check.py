"""Checking claims: against themselves, against the tables, against each other. Pure functions.

Each check compares two figures within the rounding the report uses for the stated one (half a unit of
its last decimal place: "12.5%" within 0.05, "39%" within 0.5) and says what it compared, naming the
lines and both figures. A claim's verdict: "Disagrees" if any check disagrees, "Agrees" if at least one
agrees, else "CannotCheck" with the reasons.

A note's figure is compared with its own table row automatically (the row is on the same line, or the
note is that row's); comparisons with other cells and other claims are in claims_compare.
"""

from __future__ import annotations

from decimal import Decimal

from .claims_records import Check, Claim, Figure
from .records import Observation

HUNDRED = Decimal(100)


def tolerance(f: Figure) -> Decimal:
    return Decimal(5) * Decimal(10) ** -(f.decimals + 1)


def fits(stated: Figure, computed: Decimal) -> bool:
    return abs(computed - stated.value) <= tolerance(stated) + Decimal("1e-9")


def show(value: Decimal) -> str:
    q = value.quantize(Decimal("0.01")).normalize()
    return format(q, "f")


def fmt(f: Figure) -> str:
    return f.raw


def _line(c: Claim) -> str:
    return f"line {c.excerpt.first_line}"


def _check(c: Claim, kind: str, ok: bool | None, reason: str, stated=None, expected=None, **kw) -> Check:
    verdict = "CannotCheck" if ok is None else ("Agrees" if ok else "Disagrees")
    return Check(c.key, c.report, kind, verdict, reason, stated, expected, **kw)


# -- against itself ---------------------------------------------------------------------------------


def self_checks(c: Claim) -> list[Check]:
    out: list[Check] = []
    change, frm = c.first("change"), c.first("from")
    to = c.first("to") or (c.first("value") if frm and change else None)
    if change and frm and to:
        out.append(_change_check(c, change, frm, to))
    part, whole, pct = (
        c.first("part"),
        c.first("whole"),
        next((f for f in c.figures if f.role == "value" and f.unit == "Percent"), None),
    )
    if part and whole and pct and whole.value:
        ratio = part.value / whole.value * HUNDRED
        out.append(
            _check(
                c,
                "SelfCheck",
                fits(pct, ratio),
                f"{_line(c)}: {part.raw} out of {whole.raw} is {show(ratio)}%, stated as {pct.raw}",
                pct.raw,
                f"{show(ratio)}%",
            )
        )
    diff, comp, value = c.first("difference"), c.first("comparator"), c.first("value") or c.first("rate")
    if diff and comp and value:
        points = value.value - comp.value
        relative = points / comp.value * HUNDRED if comp.value else None
        ok = fits(diff, points) or (relative is not None and diff.unit == "Percent" and fits(diff, relative))
        out.append(
            _check(
                c,
                "SelfCheck",
                ok,
                f"{_line(c)}: {value.raw} against {comp.raw} is a difference of {show(points)}, "
                f"stated as {diff.raw}",
                diff.raw,
                show(points),
            )
        )
    parts = c.of_role("part")
    if whole and len(parts) >= 2:
        total = sum((p.value for p in parts), Decimal(0))
        out.append(
            _check(
                c,
                "SelfCheck",
                fits(whole, total),
                f"{_line(c)}: the parts {' + '.join(p.raw for p in parts)} add up to {show(total)}, "
                f"stated as {whole.raw}",
                whole.raw,
                show(total),
            )
        )
    return out


def _change_check(c: Claim, change: Figure, frm: Figure, to: Figure) -> Check:
    points = to.value - frm.value
    if change.unit == "Percent":
        relative = points / frm.value * HUNDRED if frm.value else None
        candidates = [relative] if frm.unit != "Percent" else [points, relative]
        ok = any(x is not None and fits(change, x) for x in candidates)
        shown = f"{show(relative)}%" if relative is not None else "undefined (from 0)"
        if frm.unit == "Percent":
            shown = f"{show(points)} points ({shown})"
    else:
        ok, shown = fits(change, points), show(points)
    return _check(
        c,
        "SelfCheck",
        ok,
        f"{_line(c)}: from {frm.raw} to {to.raw} is a change of {shown}, stated as {change.raw}",
        change.raw,
        shown,
    )


# -- against the tables -----------------------------------------------------------------------------

Rows = dict[tuple[str, str], Observation]  # (indicator key, period key) -> the report's cell


def rows_of(observations: list[Observation]) -> Rows:
    return {(o.indicator, o.period.key): o for o in observations}


def label(period) -> str:
    """'2016/17' for a year, 'Q4 2016/17' for a quarter: as the reports write them."""
    start = period.year[:4]
    year = f"{start}/{int(start[2:]) + 1:02d}"
    return year if period.quarter is None else f"Q{period.quarter} {year}"


def _cell(o: Observation) -> str:
    return f"{o.raw} ({o.indicator}, {label(o.period)}, line {o.excerpt.first_line})"


def _cell_figure(o: Observation) -> Figure:
    raw = o.raw.replace("%", "").replace("£", "").replace(",", "").strip()
    decimals = len(raw.split(".")[1]) if "." in raw else 0
    return Figure("value", o.value or Decimal(0), o.raw, o.unit or "Number", None, decimals)


def table_checks(c: Claim, rows: Rows) -> list[Check]:
    """A note's figures against its own row: the year's cell, or the quarter the note names."""
    if c.source != "observation note" or not c.record:
        return []
    year = (c.record, c.report)
    cell = rows.get(year)
    kw = {"against_report": c.report}
    out: list[Check] = []
    part, whole = c.first("part"), c.first("whole")
    if cell is None or cell.value is None:
        why = f"the table gives no figure for {c.record} in the report's year"
        return [_check(c, "TableCheck", None, f"{_line(c)}: {why}")]
    against = dict(kw, against_line=cell.excerpt.first_line, against=f"observation:{c.record}@{c.report}")
    if part and whole and cell.unit == "Percent" and whole.value:
        ratio = part.value / whole.value * HUNDRED
        row = _cell_figure(cell)
        ok, said = fits(row, ratio), f"{part.raw} out of {whole.raw} is {show(ratio)}%"
        if not ok and c.negated:
            ok, said = fits(row, HUNDRED - ratio), f"{said}, so {show(HUNDRED - ratio)}% the other way"
        out.append(
            _check(
                c,
                "TableCheck",
                ok,
                f"{_line(c)}: {said}; the table says {_cell(cell)}",
                f"{part.raw} of {whole.raw}",
                cell.raw,
                **against,
            )
        )
    if whole and c.of_role("part") and len(c.of_role("part")) >= 2:
        out.append(_equal(c, whole, cell, against, "the total"))
    for f in c.figures:
        if f.period and f.period.quarter and f.role == "value":
            q = rows.get((c.record, f.period.key))
            if q is None or q.value is None:
                out.append(
                    _check(
                        c,
                        "TableCheck",
                        None,
                        f"{_line(c)}: the table gives no {label(f.period)} figure for {c.record}",
                    )
                )
            else:
                qa = dict(
                    kw, against_line=q.excerpt.first_line, against=f"observation:{c.record}@{f.period.key}"
                )
                out.append(_equal(c, f, q, qa, f"the {label(f.period)} figure"))
    plain = [f for f in c.figures if f.role in ("value", "rate") and not (f.period and f.period.quarter)]
    if plain and not out:
        out.append(_plain(c, plain, cell, against))
    comparator = c.first("comparator")
    if comparator and not plain and not out:
        out.append(_direction(c, comparator, cell, against))
    return out


def _equal(c: Claim, f: Figure, cell: Observation, against: dict, what: str) -> Check:
    ok = fits(f, cell.value) or fits(_cell_figure(cell), f.value)
    return _check(
        c,
        "TableCheck",
        ok,
        f"{_line(c)}: {what} {f.raw}; the table says {_cell(cell)}",
        f.raw,
        cell.raw,
        **against,
    )


def _plain(c: Claim, plain: list[Figure], cell: Observation, against: dict) -> Check:
    """A plain figure in a note may count something other than the row, so it can confirm the row but
    not refute it; only a different period for the same figure is a disagreement."""
    same = next((f for f in plain if fits(f, cell.value) or fits(_cell_figure(cell), f.value)), None)
    if same is None and len(plain) >= 2 and sum(f.value for f in plain) == cell.value:
        return _check(
            c,
            "TableCheck",
            True,
            f"{_line(c)}: {' + '.join(f.raw for f in plain)} make the table's {_cell(cell)}",
            " + ".join(f.raw for f in plain),
            cell.raw,
            **against,
        )
    if same is None:
        return _check(
            c,
            "TableCheck",
            None,
            f"{_line(c)}: {', '.join(f.raw for f in plain)} may measure something other than "
            f"the row's {_cell(cell)}",
            ", ".join(f.raw for f in plain),
            cell.raw,
            **against,
        )
    if c.period and c.period.key != cell.period.key:
        return _check(
            c,
            "TableCheck",
            False,
            f"{_line(c)}: the note gives {same.raw} for {label(c.period)}; the table shows {cell.raw} "
            f"under {label(cell.period)} ({cell.indicator}, line {cell.excerpt.first_line})",
            f"{same.raw} ({label(c.period)})",
            f"{cell.raw} ({label(cell.period)})",
            **against,
        )
    return _check(
        c,
        "TableCheck",
        True,
        f"{_line(c)}: {same.raw}; the table says {_cell(cell)}",
        same.raw,
        cell.raw,
        **against,
    )


def _direction(c: Claim, comparator: Figure, cell: Observation, against: dict) -> Check:
    words = c.statement.lower()
    if " above " in f" {words} " or " below " in f" {words} ":
        above = " above " in f" {words} "
        ok = cell.value > comparator.value if above else cell.value < comparator.value
        side = "above" if above else "below"
        return _check(
            c,
            "TableCheck",
            ok,
            f"{_line(c)}: the note says {side} {comparator.raw}; the table says {_cell(cell)}",
            f"{side} {comparator.raw}",
            cell.raw,
            **against,
        )
    return _check(
        c,
        "TableCheck",
        None,
        f"{_line(c)}: {comparator.raw} is a comparator (a national figure) the report gives "
        f"nothing to check against",
    )
