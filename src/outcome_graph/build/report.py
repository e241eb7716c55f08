"""The build report: per report, the records by kind, every line no record used, and the warnings."""

from __future__ import annotations

from collections import Counter

from ..extract.records import Extraction


def summarise(x: Extraction) -> str:
    kinds = Counter(type(r).__name__ for r in x.records)
    info = x.report
    out = [f"{info.source} — {info.title} ({info.id}, {info.line_count} lines)"]
    out.append("  records: " + ", ".join(f"{kinds[k]} {k.lower()}" for k in sorted(kinds)))
    if x.unplaced:
        out.append(f"  {len(x.unplaced)} line(s) not understood (not part of any record):")
        out += [
            f"    line {u.line}: {u.reason}: {u.text[:90]!r}"
            for u in sorted(x.unplaced, key=lambda u: u.line)
        ]
    else:
        out.append("  every non-blank line is part of a record")
    if x.warnings:
        out.append(f"  {len(x.warnings)} warning(s):")
        out += [f"    line {w.line}: {w.reason}" for w in sorted(x.warnings, key=lambda w: w.line)]
    return "\n".join(out)
