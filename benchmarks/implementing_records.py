"""The saved query implementing-records against its two earlier forms, on pyoxigraph, in the same run.

    python benchmarks/implementing_records.py [--skip-national] [--councils 32 --years 5]
                                              [--repeat 5] [--plain] [--memory]
    python benchmarks/implementing_records.py --endpoint URL [--graph IRI] [--plain]

Forms (the saved query must give the same rows as both on Oxigraph, and be right on Virtuoso too):
- `saved`: queries/implementing-records.rq as it is now;
- `exists`: commit 31a1557's form, the link's reified statement checked with FILTER EXISTS inside the
  OPTIONAL: fast on Oxigraph, but Virtuoso 7.2 loses every row's basis with it;
- `plain`: commit 334f5c1's form (on main from 9f43c99), plain link patterns but ?title joined after
  the OPTIONALs: right on Virtuoso, slow on Oxigraph. On the national graph it takes minutes, so it runs
  there only with --plain, and for the first input only.

Each is timed on the two-report graph and on the synthetic national graph (benchmarks/national.py,
cached N-Triples) for three inputs: the default (the 2014 Act's part 9), the Promise's "voice"
foundation and the whole UNCRC (the most rows). A time is the best of --repeat runs of executing the
bound text and reading every row, in an embedded pyoxigraph store on disk (as `outcome-graph` runs it;
--memory for an in-memory one). Rows are compared as multisets with the saved form's; a difference is
printed and makes the exit status 1.

With --endpoint, the same three inputs and forms run instead on a SPARQL server already loaded with a
graph (an Oxigraph server or Virtuoso; --graph names the graph, default the store's main graph; --holds
says which: the two reports or the national graph), through the project's RemoteStore. Each form's rows
there are checked against the saved form's rows in pyoxigraph on the same N-Triples. On Virtuoso the
`exists` form is expected to differ: that is the bug the saved form avoids.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
from rdflib import XSD, BNode, Literal, URIRef
from rdflib.term import Node

from outcome_graph.build import build_graph, to_ntriples
from outcome_graph.saved_queries import load_queries
from outcome_graph.store.bindings import bind
from outcome_graph.store.remote import DEFAULT_GRAPH, RemoteStore

sys.path.insert(0, str(Path(__file__).resolve().parent))
from national import national_ntriples  # noqa: E402 - a sibling script, not a package

PREFIXES = """PREFIX og: <https://w3id.org/outcome-graph/def#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?kind ?code ?title ?reportYear ?implements ?basis ?rationale ?evidenceLine ?record
"""
WALK = """  ?implements og:partOf* ?provision .
  ?action og:implements ?implements .
  ?action ^og:action? ?record .
  BIND(IF(?record = ?action, "action", "indicator") AS ?kind)
"""
TAIL = """  ?record og:title ?title .
  OPTIONAL { ?record og:code ?code }
  OPTIONAL { ?record og:report/og:period ?reportYear }
}
ORDER BY ?kind ?code ?title
"""
# The two earlier forms, as they were in queries/implementing-records.rq (comments left out).
EXISTS_FORM = (
    PREFIXES
    + "WHERE {\n"
    + WALK
    + """  OPTIONAL {
    ?link rdf:subject ?action .
    FILTER EXISTS { ?link rdf:predicate og:implements ; rdf:object ?implements }
    OPTIONAL { ?link og:basis ?basis }
    OPTIONAL { ?link og:rationale ?rationale }
    OPTIONAL { ?link og:evidence/og:firstLine ?evidenceLine }
  }
"""
    + TAIL
)
PLAIN_FORM = (
    PREFIXES
    + "WHERE {\n"
    + WALK
    + """  OPTIONAL {
    ?link rdf:subject ?action ;
          rdf:predicate og:implements ;
          rdf:object ?implements .
    OPTIONAL { ?link og:basis ?basis }
    OPTIONAL { ?link og:rationale ?rationale }
    OPTIONAL { ?link og:evidence/og:firstLine ?evidenceLine }
  }
"""
    + TAIL
)

INPUTS = {
    "2014 Act part 9 (default)": "http://www.legislation.gov.uk/id/asp/2014/8/part/9",
    "Promise foundation voice": "https://w3id.org/outcome-graph/id/framework/the-promise/foundation/voice",
    "UNCRC (whole)": "https://w3id.org/outcome-graph/id/framework/uncrc",
}


def open_store(ntriples: Path, directory: Path | None) -> ox.Store:
    store = ox.Store(str(directory)) if directory else ox.Store()
    store.bulk_load(path=str(ntriples), format=ox.RdfFormat.N_TRIPLES)
    return store


def rdflib_term(term) -> Node:
    """A pyoxigraph term as the rdflib term RemoteStore gives for it, so rows compare across stores."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(
        term.value, datatype=None if term.datatype.value == str(XSD.string) else term.datatype.value
    )


def run(store, text: str) -> Counter:
    """The rows as a multiset of tuples of N3 terms ("" for unbound), in the SELECT's order."""
    if isinstance(store, RemoteStore):
        result = store.select(text, timeout=3600)
        return Counter(tuple(row[n].n3() if n in row else "" for n in result.vars) for row in result.rows)
    result = store.query(text)
    names = [v.value for v in result.variables]
    return Counter(
        tuple(rdflib_term(row[n]).n3() if row[n] is not None else "" for n in names) for row in result
    )


def best_of(store, text: str, repeat: int) -> tuple[float, Counter]:
    best, rows = float("inf"), Counter()
    for _ in range(repeat):
        started = time.perf_counter()
        rows = run(store, text)
        best = min(best, time.perf_counter() - started)
    return best, rows


def measure(
    label: str, store, forms: dict[str, str], repeat: int, expected: dict | None = None, large: bool = False
) -> bool:
    """Times each form on each input; compares its rows with `expected[input]` (the embedded store's
    rows) when given, else with the saved form's rows on the same store. On a `large` graph the plain
    form runs for the first input only."""
    print(f"\n{label}")
    print(f"  {'input':28} {'rows':>6} " + " ".join(f"{name:>10}" for name in forms) + "   saved/exists")
    same = True
    for i, (name, iri) in enumerate(INPUTS.items()):
        binding = {"provision": URIRef(iri)}
        times, reference = {}, expected[name] if expected else None
        for form, text in forms.items():
            if form == "plain" and large and i > 0:
                continue
            seconds, rows = best_of(store, bind(text, binding), repeat if form != "plain" else 1)
            times[form] = seconds
            if reference is None:
                reference = rows
            elif rows != reference:
                same = False
                extra, missing = sum((rows - reference).values()), sum((reference - rows).values())
                print(f"  ROWS DIFFER: {form} on {name}: {extra} rows extra, {missing} missing")
        cells = " ".join(f"{times[f] * 1000:8.1f}ms" if f in times else f"{'-':>10}" for f in forms)
        print(f"  {name:28} {sum(reference.values()):6} {cells}   {times['saved'] / times['exists']:.2f}x")
    return same


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-national", action="store_true")
    parser.add_argument("--councils", type=int, default=32)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--plain", action="store_true", help="time the plain form there too (minutes)")
    parser.add_argument("--memory", action="store_true", help="in-memory stores instead of on disk")
    parser.add_argument("--endpoint", help="a SPARQL server's query URL, already loaded with a graph")
    parser.add_argument("--graph", default=DEFAULT_GRAPH, help="the graph on --endpoint to query")
    parser.add_argument(
        "--holds",
        choices=("two", "national"),
        default="two",
        help="which graph --endpoint holds (default two)",
    )
    args = parser.parse_args()

    saved = load_queries()["implementing-records"].text
    if args.endpoint:
        return endpoint(args, saved)
    where = "in memory" if args.memory else "on disk"
    print(f"pyoxigraph {ox.__version__}; best of {args.repeat} (plain: 1 run); stores {where}")
    same = True
    with tempfile.TemporaryDirectory(prefix="implementing-records-") as tmp:
        two = Path(tmp) / "two-reports.nt"
        two.write_bytes(to_ntriples(build_graph()))
        store = open_store(two, None if args.memory else Path(tmp) / "two")
        forms = {"saved": saved, "exists": EXISTS_FORM, "plain": PLAIN_FORM}
        same &= measure(f"two-report graph ({len(store)} triples)", store, forms, args.repeat)
        del store
        if not args.skip_national:
            nt = national_ntriples(args.councils, args.years)
            started = time.perf_counter()
            store = open_store(nt, None if args.memory else Path(tmp) / "national")
            print(f"\nloaded {nt.name} in {time.perf_counter() - started:.0f} s")
            if not args.plain:
                del forms["plain"]
            label = f"national graph, {args.councils} councils x {args.years} years ({len(store)} triples)"
            same &= measure(label, store, forms, args.repeat, large=True)
    print("\nsame rows in every form" if same else "\nTHE FORMS GIVE DIFFERENT ROWS")
    return 0 if same else 1


def endpoint(args: argparse.Namespace, saved: str) -> int:
    """Every form on a running server, its rows checked against the saved form's in pyoxigraph."""
    with tempfile.TemporaryDirectory(prefix="implementing-records-") as tmp:
        if args.holds == "two":
            nt = Path(tmp) / "two-reports.nt"
            nt.write_bytes(to_ntriples(build_graph()))
        else:
            nt = national_ntriples(args.councils, args.years)
        local = open_store(nt, None)
        expected = {name: run(local, bind(saved, {"provision": URIRef(iri)})) for name, iri in INPUTS.items()}
        triples = len(local)
        del local
    store = RemoteStore(args.endpoint, graph=args.graph, timeout=3600)
    if store.triple_count() != triples:
        print(
            f"{args.endpoint} holds {store.triple_count()} triples in {args.graph}, not {nt.name}'s {triples}"
        )
        return 2
    forms = {"saved": saved, "exists": EXISTS_FORM, "plain": PLAIN_FORM}
    if not args.plain:
        del forms["plain"]
    print(f"{args.endpoint}, graph {args.graph}; best of {args.repeat} (plain: 1 run)")
    same = measure(
        f"{nt.name}: {triples} triples", store, forms, args.repeat, expected, args.holds == "national"
    )
    print("\nevery form gives pyoxigraph's rows" if same else "\nA FORM GIVES OTHER ROWS THAN PYOXIGRAPH")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
