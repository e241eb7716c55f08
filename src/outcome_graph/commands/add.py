"""`outcome-graph add REPORT ... --store DIR [--endpoint URL]`: add or replace reports in a store built
from report files, in seconds: only the named graphs that changed (the report's own, its council's) are
replaced. With --endpoint the same graphs are replaced on a SPARQL server by the Graph Store Protocol."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..store import default_store_dir


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("reports", nargs="+", type=Path, help="report text files (or folders of them)")
    p.add_argument("--store", type=Path, metavar="DIR", help="the store (default $OUTCOME_GRAPH_STORE)")
    p.add_argument("--council", help="council id for reports that do not name their council")
    p.add_argument("--no-validate", action="store_true", help="do not check each report on its own graph")
    p.add_argument("--endpoint", metavar="URL", help="also replace the changed graphs on this SPARQL server")
    p.add_argument("--graph-store", metavar="URL", help="its Graph Store Protocol URL (see `load`)")
    p.add_argument("--graph", metavar="IRI", help="the dataset's graph on the server (see `load`)")
    p.add_argument("--user", metavar="NAME", help="login name for the server (see `load`)")
    p.add_argument(
        "--index-cache", type=Path, metavar="DIR", help="where its search index is kept (see `load`)"
    )


def run(args: argparse.Namespace) -> int:
    from ..store.reports import add_reports, report_files
    from ..validate.each_report import keep_results, validate_reports

    def note(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    paths = report_files(args.reports)
    results: dict[str, dict] = {}
    if not args.no_validate:  # each report on its own graph, before it goes in
        validate_reports(paths, note, council=args.council, keep=results)
    directory = args.store or default_store_dir()

    def then(previous: Path, generation: Path, councils: list[str], replaced: list[str]) -> None:
        from ..namespaces import OGR
        from ..query_layer.search_kept import update_index

        started = time.perf_counter()  # before the generation is current
        read = update_index(previous, generation, councils, replaced)  # from the previous generation's
        scope = ", ".join(p.removeprefix(str(OGR)).rstrip("/") or "every record" for p in read) or "nothing"
        note(f"search index updated for {scope} in {time.perf_counter() - started:.1f} s")
        keep_results(generation, results)  # the new generation's results for the reports added

    update = add_reports(paths, directory, council=args.council, progress=note, then=then)
    if args.endpoint:
        from ..query_layer.remote_kept import after_add
        from ..store.remote import RemoteStore
        from .load import push_parts, use_index_cache

        use_index_cache(args.index_cache)
        pushed = push_parts(args, update.lines, note)
        remote = RemoteStore(args.endpoint, graph=args.graph, user=args.user, timeout=120)
        after_add(remote, pushed.previous, pushed.stamp, sorted(update.lines), note)
        from ..query_layer.remote_results import results_after_add

        results_after_add(remote, pushed.previous, pushed.stamp, sorted(update.lines), directory, note)
    print(
        f"{len(update.replaced)} named graph(s) replaced in {update.seconds:.1f} s; "
        "restart `outcome-graph serve` to serve them"
    )
    return 0
