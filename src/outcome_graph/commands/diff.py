"""`outcome-graph diff OLD NEW`: what changed from one report to the next of the same council: actions
carried over, new and dropped; indicators that appeared or disappeared; targets changed; figures restated;
statuses moved. OLD and NEW are report files (built together, in memory) or report years in the store
(2016-2017 or 2016/17). Who and when come from the reports' content, never from file names. A service
renamed or restructured between the reports (Midlothian's "Children's Services" of 2016/17 became
"Children's Services, Partnership and Communities" by 2020/21) is said, not refused; an OLD report newer
than NEW is compared as given, with a warning."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import OutcomeGraphError
from ..trace import engine
from ..trace.changes import as_text, compare_reports
from ..trace.cli_common import add_store_arguments, write_output
from ..trace.inspection import read, status_labels
from ..trace.source import load
from ..trace.store import open_trace_store


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("old", metavar="OLD", help="the earlier report: a report file, or a year in the store")
    p.add_argument("new", metavar="NEW", help="the later report: a report file, or a year in the store")
    p.add_argument("--council", help="the council, where the graph holds several councils' reports")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--out", type=Path, help="write here (default: standard output)")
    add_store_arguments(p)


def _from_files(old: Path, new: Path):
    from ..build import build, to_ntriples
    from ..trace.store import MemoryStore

    result = build([old, new])
    x0, x1 = result.extractions
    r0, r1 = x0.report, x1.report
    if r0.council != r1.council:
        raise OutcomeGraphError(
            f"{old} is a report of {r0.council} and {new} one of {r1.council}: diff compares two reports of "
            "the same council (the council is read from each report's content or its reports.csv manifest)"
        )
    if r0.id == r1.id:
        raise OutcomeGraphError(f"{old} and {new} are both reports for {r0.id}; give two different years")
    store = MemoryStore(to_ntriples(result.graph), name=f"memory:{old.name}+{new.name}")
    return store, r0.id, r1.id, r0.council


def services(store, council: str, years: tuple[str, str]) -> dict[str, str]:
    """Each report's service title, by year."""
    from ..namespaces import OG, OGR

    iris = " ".join(f"<{OGR}{council}/report/{y}>" for y in years)
    rows = store.select(
        f"SELECT ?r ?t WHERE {{ VALUES ?r {{ {iris} }} ?r <{OG.service}> ?s . ?s <{OG.title}> ?t }}"
    ).rows
    return {str(r["r"]).rsplit("/", 1)[-1]: str(r["t"]) for r in rows}


def notes(store, council: str, y0: str, y1: str) -> list[str]:
    """What a reader must know before reading the changes: the order, and a service restructured."""
    out = []
    if y0 > y1:
        out.append(
            f"warning: OLD ({y0}) is newer than NEW ({y1}): the changes read from the {y0} report to the "
            f"{y1} report, backwards in time; swap them for what changed since {y1}"
        )
    titles = services(store, council, (y0, y1))
    t0, t1 = titles.get(y0), titles.get(y1)
    if t0 and t1 and t0 != t1:
        out.append(
            f'note: the service was restructured between the reports: "{t0}" ({y0}) and "{t1}" ({y1}); '
            "its records are matched across the two reports as listed below, whatever the service was called"
        )
    return out


def run(args: argparse.Namespace) -> int:
    old, new = Path(args.old), Path(args.new)
    if old.is_file() or new.is_file():
        for p in (old, new):
            if not p.is_file():
                raise OutcomeGraphError(f"{p}: no such report file (give two report files, or two years)")
        store, y0, y1, council = _from_files(old, new)
        tg = load(store)
    else:
        y0, y1 = engine.normalise_year(args.old), engine.normalise_year(args.new)
        store = open_trace_store(args.store, args.endpoint, quiet=True)
        tg = load(store, args.council)
        councils = sorted(set(tg.councils_reporting(y0)) & set(tg.councils_reporting(y1)))
        council = args.council or (councils[0] if len(councils) == 1 else None)
        for y in (y0, y1):
            if y not in tg.reports:
                raise OutcomeGraphError(f"no report for {y} in the graph; reports: {', '.join(tg.reports)}")
        if council is None:
            raise OutcomeGraphError(
                f"choose a council with --council: {', '.join(councils) or 'none has both'}"
            )
    said = notes(store, council, y0, y1)
    if args.format == "json" or args.out:  # the text itself starts with them
        for line in said:
            print(line, file=sys.stderr)
    changes = {
        **compare_reports(tg.scoped(council), y0, y1, store),
        "labels": status_labels(read(store, tg.scope)),
    }
    changes["notes"] = said
    if args.format == "json":
        write_output(json.dumps(changes, indent=2, ensure_ascii=False) + "\n", args.out)
    else:
        write_output("".join(f"{line}\n" for line in said) + as_text(changes), args.out)
    return 0
