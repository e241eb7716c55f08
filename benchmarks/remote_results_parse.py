"""How long reading a SPARQL server's XML answer takes: pyoxigraph's reader (store.results_xml.parse_xml)
against ElementTree's (parse_tree, the baseline), in the same process, on the answers of a council's
trace structure (queries/structure/*.rq bound to some of its reports, as trace/source.py reads them).

    nice python benchmarks/remote_results_parse.py --endpoint URL [--council midlothian]
        [--years 2020-2021 2019-2020] [--repeat 5]

Prints a Markdown table for BENCHMARKS.md: rows, bytes, the median of each reader and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time
import urllib.parse
import urllib.request


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--council", default="midlothian")
    parser.add_argument("--years", nargs="+", default=["2020-2021", "2019-2020"])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from rdflib import Literal

    from outcome_graph.query_layer import scope_of
    from outcome_graph.query_layer.reads import query_text, scoped_text
    from outcome_graph.query_layer.scope import council_base, drawn_segments
    from outcome_graph.store.remote import RemoteStore
    from outcome_graph.store.results_xml import parse_tree, parse_xml

    store = RemoteStore(args.endpoint, timeout=120)
    scope = scope_of(store, args.council, None, args.years, 120)
    bound = {"reportDoc": scope.report_terms}
    fixed = {
        "councilBase": council_base(scope.council),
        "ours": drawn_segments(scope.council),
        "shown": Literal("|" + "|".join(scope.reports) + "|"),
    }
    print(f"{args.endpoint}: {scope.council}, reports {', '.join(scope.years)}; median of {args.repeat}\n")
    print("| answer | rows | MB | ElementTree (s) | pyoxigraph (s) | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in ("records", "links", "membership"):
        text = store._text(scoped_text(query_text(name), bound, fixed), None, 120)
        request = urllib.request.Request(
            args.endpoint,
            data=urllib.parse.urlencode({"query": str(text)}).encode(),
            headers={"Accept": "application/sparql-results+xml"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            body = response.read()
        times = {}
        for reader in (parse_tree, parse_xml):
            runs = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                doc = reader(body)
                runs.append(time.perf_counter() - started)
            times[reader] = statistics.median(runs)
        rows = len(doc["results"]["bindings"])
        tree, fast = times[parse_tree], times[parse_xml]
        print(f"| {name} | {rows:,} | {len(body) / 1e6:.1f} | {tree:.3f} | {fast:.3f} | {fast / tree:.2f}× |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
