"""The build report: per report, the records by kind, what every line of the file is, the rows kept out,
the icon leftovers dropped, and the warnings."""

from __future__ import annotations

from collections import Counter

from ..extract.records import Extraction


def line_categories(x: Extraction) -> dict[str, set[int]]:
    """Every line of the report in exactly one category: listed as not understood (a row kept out is
    one of these), a record's (inside the excerpt of a record), a heading or table header, or blank."""
    listed = {u.line for u in x.unplaced}
    in_records = set()
    for r in x.records:
        ex = r.excerpt
        in_records.update(range(ex.first_line, ex.last_line + 1))
    in_records -= listed
    blank = set(range(1, x.report.line_count + 1)) - listed - in_records - x.structural
    return {
        "record": in_records,
        "structure": set(x.structural) - in_records - listed,
        "not understood": listed,
        "blank": blank,
    }


def summarise(x: Extraction) -> str:
    kinds = Counter(type(r).__name__ for r in x.records)
    info = x.report
    out = [f"{info.file or info.source} — {info.title} ({info.id}, {info.line_count} lines)"]
    out.append("  records: " + ", ".join(f"{kinds[k]} {k.lower()}" for k in sorted(kinds)))
    cats = line_categories(x)
    out.append(
        f"  lines: {len(cats['record'])} part of a record, {len(cats['structure'])} headings or table "
        f"headers, {len(cats['not understood'])} listed as not understood, {len(cats['blank'])} blank "
        f"(of {info.line_count})"
    )
    if x.unplaced:
        out.append(f"  {len(x.unplaced)} line(s) not understood (not part of any record):")
        out += [
            f"    line {u.line}: {u.reason}: {u.text[:90]!r}"
            for u in sorted(x.unplaced, key=lambda u: u.line)
        ]
    else:
        out.append("  every non-blank line is part of a record, a heading or a table header")
    if x.problems:
        out.append(
            f"  {len(x.problems)} problem(s): figures kept out of the graph, each recorded as an "
            "og:ExtractionProblem (a validation violation):"
        )
        out += [f"    line {p.line}: {p.reason}" for p in x.problems]
    if x.dropped:
        out.append(
            f"  {len(x.dropped)} icon leftover(s) dropped (digits where the report shows an icon; "
            "never read as figures):"
        )
        out += [f"    line {d.line}, column {d.column} ({d.column_name}): {d.fragment!r}" for d in x.dropped]
    placed = [o for o in x.records if getattr(o, "placement", None)]
    if placed:
        out.append(f"  {len(placed)} figure(s) placed in a column by inference (og:InferredPlacement):")
        out += [f"    {o.indicator} {o.period.key} = {o.raw!r}: {o.placement}" for o in placed]
    if x.warnings:
        out.append(f"  {len(x.warnings)} warning(s):")
        out += [f"    line {w.line}: {w.reason}" for w in sorted(x.warnings, key=lambda w: w.line)]
    return "\n".join(out)
