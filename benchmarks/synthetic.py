"""Synthetic graphs for scaling measurements: the real extracted records re-keyed under other councils
and years, built by the project's own builder.

    python benchmarks/synthetic.py --councils 10 [--years 1] [--out FILE.nt]

Each copy is every real record (outcome_graph.extract on graph/reports/*.txt) cloned with
dataclasses.replace under the council "synthetic-NNN"; with --years N each council also gets the two
reports again for every further 5-year block (2021-22 and 2025-26, ...), so the periods, dates and
report ids move too. The curated formulas of graph/curated/formulas.ttl (written for Midlothian) are
copied for each synthetic council, so the feeder-arithmetic rule runs on every copy.

Actions and risks are minted per report (ogr:{council}/report/{year}/action/{code}), so with --years > 1
an action that recurs in a council's later report is a node of its own in each report. (Until they were,
such an action was one node with two reports, which the validator flagged; the validation benchmark has
used --years 1 since then.)
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from datetime import date
from functools import cache
from pathlib import Path

from rdflib import Graph, URIRef

from outcome_graph.build import build_from_extractions, to_ntriples
from outcome_graph.extract import extract_report
from outcome_graph.extract.records import Excerpt, Extraction, Period
from outcome_graph.namespaces import OGR
from outcome_graph.paths import CURATED_DIR, bundled_reports

YEAR_BLOCK = 5  # the real reports are 2016-17 and 2020-21: blocks of 5 years never overlap them


def council_id(n: int) -> str:
    return f"synthetic-{n:03d}"


def _shift_year(year: str, offset: int) -> str:
    start = int(year[:4]) + offset
    return f"{start}-{start + 1}"


def _shift_date(d: date, offset: int) -> date:
    try:
        return d.replace(year=d.year + offset)
    except ValueError:  # 29 February
        return d.replace(year=d.year + offset, day=28)


def rekey(x: Extraction, council: str, offset: int) -> Extraction:
    """The extraction as if `council` had published it `offset` years later."""
    old, new = x.report.id, _shift_year(x.report.id, offset)

    def move(name: str, value):
        if isinstance(value, Excerpt):
            return dataclasses.replace(value, report=new)
        if isinstance(value, Period):
            return dataclasses.replace(value, year=_shift_year(value.year, offset))
        if isinstance(value, date) and offset:
            return _shift_date(value, offset)
        if name in ("report",):
            return new
        # keys of uncoded records carry their report's year ("2020-2021/L364")
        if name in ("key", "indicator", "feeds") and isinstance(value, str) and value.startswith(old + "/"):
            return new + value[len(old) :]
        return value

    def record(r):
        changes = {}
        for f in dataclasses.fields(r):
            value = getattr(r, f.name)
            moved = move(f.name, value)
            if moved is not value:
                changes[f.name] = moved
        return dataclasses.replace(r, **changes)

    info = dataclasses.replace(
        x.report,
        id=new,
        council=council,
        title=x.report.title.replace(old, new),
        source=f"{council}-{new}.txt",
    )
    return dataclasses.replace(
        x,
        report=info,
        records=[record(r) for r in x.records],
        unplaced=[record(u) for u in x.unplaced],
        warnings=[record(w) for w in x.warnings],
    )


@cache
def real_extractions() -> tuple[Extraction, ...]:
    return tuple(sorted((extract_report(p) for p in bundled_reports()), key=lambda x: x.report.id))


def synthetic_extractions(councils: int, years: int = 1, first: int = 1) -> list[Extraction]:
    out = []
    for n in range(first, first + councils):
        for block in range(years):
            out.extend(rekey(x, council_id(n), YEAR_BLOCK * block) for x in real_extractions())
    return out


def _formulas_for(council: str) -> Graph:
    """graph/curated/formulas.ttl (formulas, risk bands) with Midlothian's IRIs renamed to `council`'s."""
    source = Graph().parse(CURATED_DIR / "formulas.ttl", format="turtle")
    mid, new = str(OGR["midlothian"]), str(OGR[council])

    def move(t):
        text = str(t)
        if isinstance(t, URIRef) and (text == mid or text.startswith(mid + "/")):
            return URIRef(new + text[len(mid) :])
        return t

    g = Graph()
    for s, p, o in source:
        g.add((move(s), p, move(o)))
    return g


def synthetic_graph(copies: int, years: int = 1) -> Graph:
    """`copies` councils, each with the two real reports (and `years` 5-year blocks of them)."""
    g = build_from_extractions(synthetic_extractions(copies, years)).graph
    for n in range(1, copies + 1):
        g += _formulas_for(council_id(n))
    return g


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--councils", type=int, default=10)
    p.add_argument("--years", type=int, default=1, help="5-year blocks of the two reports per council")
    p.add_argument("--out", type=Path, help="write the graph as N-Triples")
    args = p.parse_args(argv)
    if args.councils < 1 or args.years < 1:
        p.error("--councils and --years must be at least 1")
    started = time.perf_counter()
    g = synthetic_graph(args.councils, args.years)
    print(
        f"{len(g)} triples: {args.councils} councils x {args.years} block(s) of the two reports "
        f"in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    if args.out:
        args.out.write_bytes(to_ntriples(g))
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
