"""The canonical rewrite changes no result on the W3C SPARQL 1.0 and 1.1 test suites (issue 16).

    python benchmarks/w3c_canonical.py [--suites DIR] [--list]

The suites are those rdflib ships in its source distribution (`test/data/suites/w3c/dawg-data-r2` and
`sparql11`); without --suites, the sdist of the installed rdflib is fetched with pip into
`.cache/w3c-suites/` and unpacked there. For every query test:

- evaluation tests: the test's data is loaded into pyoxigraph; the query as written (with the test's
  base IRI) and the check's canonical text (no base needed: it holds only absolute IRIs) are run, and
  their results compared (rows as multisets, blank nodes as `_`);
- positive syntax tests: where Oxigraph reads the query as written, it must read the canonical text;
- negative syntax tests: the canonical text must not turn a query Oxigraph refuses into one it runs.

The check may refuse a test query (SERVICE, an update, SPARQL 1.2, an engine's word); those are
counted by reason, not compared. Prints the counts; exits 1 if a result changed or a positive syntax
test's canonical text does not parse (the names are listed with --list).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tarfile
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF

from outcome_graph.sparql import Refused
from outcome_graph.sparql.check import _check

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
EVALUATION = {MF.QueryEvaluationTest, MF.CSVResultFormatTest}
POSITIVE = {MF.PositiveSyntaxTest, MF.PositiveSyntaxTest11}
NEGATIVE = {MF.NegativeSyntaxTest, MF.NegativeSyntaxTest11}
FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".rdf": ox.RdfFormat.RDF_XML, ".nt": ox.RdfFormat.N_TRIPLES}
# results that differ from run to run by nature
VOLATILE = re.compile(r"\b(RAND|NOW|UUID|STRUUID|BNODE)\s*\(", re.I)


def suites_dir(given: str | None) -> Path:
    if given:
        return Path(given)
    cache = Path(".cache/w3c-suites").resolve()
    root = cache / f"rdflib-{rdflib.__version__}" / "test" / "data" / "suites" / "w3c"
    if not root.exists():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-binary", ":all:", "--no-deps"]
            + [f"rdflib=={rdflib.__version__}", "-d", str(cache)],
            check=True,
        )
        with tarfile.open(cache / f"rdflib-{rdflib.__version__}.tar.gz") as archive:
            members = [m for m in archive.getmembers() if "/test/data/suites/w3c/" in m.name]
            archive.extractall(cache, members=members, filter="data")
    return root


def reason(message: str) -> str:
    first = message.split("\n")[0]
    for needle, name in [
        ("SERVICE", "SERVICE"),
        ("LOAD", "LOAD"),
        ("read-only", "update"),
        ("SPARQL 1.2", "SPARQL 1.2"),
        ("more than", "over a bound"),
        ("nested too deeply", "over a bound"),
        ("not a word of SPARQL", "not a SPARQL word"),
        ("is not declared", "undeclared prefix"),
        ("does not begin a SPARQL token", "not a SPARQL token"),
        ("is not a character", "not a SPARQL token"),
    ]:
        if needle in first:
            return name
    return "other: " + re.sub(r"line \d+, column \d+", "…", first)[:80]


def normalised(result) -> tuple:
    if isinstance(result, ox.QueryBoolean):
        return ("ASK", bool(result))
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = Counter(tuple(_term(s[n]) for n in names) for s in result)
        return ("SELECT", tuple(names), tuple(sorted(rows.items(), key=repr)))
    return (
        "GRAPH",
        tuple(
            sorted(
                Counter(tuple(map(_term, (t.subject, t.predicate, t.object))) for t in result).items(),
                key=repr,
            )
        ),
    )


def _term(term) -> str:
    return "_" if term is None or isinstance(term, ox.BlankNode) else str(term)


def run(store: ox.Store, text: str, base: str | None = None):
    try:
        return "ok", normalised(store.query(text, base_iri=base) if base else store.query(text))
    except SyntaxError as e:
        return "syntax", str(e)
    except Exception as e:  # an evaluation error: a result too, to be the same both ways
        return "error", type(e).__name__


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suites", help="the folder holding dawg-data-r2/ and sparql11/")
    parser.add_argument("--list", action="store_true", help="name every test in each count")
    args = parser.parse_args()
    root = suites_dir(args.suites)
    counts: Counter = Counter()
    names: dict[str, list[str]] = {}

    def note(key: str, name: str) -> None:
        counts[key] += 1
        names.setdefault(key, []).append(name)

    for manifest in sorted(root.glob("*/**/manifest.ttl")):
        if (
            manifest.parts[-3 if manifest.parent.parent != root else -2] not in ("dawg-data-r2", "sparql11")
            and "dawg-data-r2" not in manifest.parts
            and "sparql11" not in manifest.parts
        ):
            continue
        graph = rdflib.Graph().parse(manifest, format="turtle", publicID=manifest.as_uri())
        for test, kind in sorted(graph.subject_objects(RDF.type)):
            name = f"{manifest.parent.relative_to(root)}/{str(test).rsplit('#', 1)[-1]}"
            action = graph.value(test, MF.action)
            if action is None:
                continue
            query_iri = graph.value(action, QT.query) if kind in EVALUATION else action
            if query_iri is None or not str(query_iri).startswith("file:"):
                continue
            path = Path(str(query_iri)[len("file://") :])
            if path.suffix not in (".rq", ".rq11") and kind not in POSITIVE | NEGATIVE | EVALUATION:
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            base = path.as_uri()
            suite = "1.0" if "dawg-data-r2" in manifest.parts else "1.1"
            if kind in EVALUATION:
                store = ox.Store()
                for data in graph.objects(action, QT.data):
                    store.load(
                        path=str(data)[7:],
                        format=FORMATS.get(Path(str(data)).suffix, ox.RdfFormat.TURTLE),
                        base_iri=str(data),
                    )
                for data in graph.objects(action, QT.graphData):
                    store.load(
                        path=str(data)[7:],
                        format=FORMATS.get(Path(str(data)).suffix, ox.RdfFormat.TURTLE),
                        base_iri=str(data),
                        to_graph=ox.NamedNode(str(data)),
                    )
                original = run(store, text, base)
                if original[0] == "syntax":
                    note(f"{suite} evaluation: Oxigraph refuses the query as written", name)
                    continue
                try:
                    canonical = _check(f"BASE <{base}>\n{text}").text
                except Refused as e:
                    note(f"{suite} evaluation: refused by the check ({reason(e.message)})", name)
                    continue
                rewritten = run(store, canonical)
                if rewritten == original:
                    note(f"{suite} evaluation: same result", name)
                elif VOLATILE.search(text):
                    note(f"{suite} evaluation: differs, but the query draws random or fresh values", name)
                else:
                    note(f"{suite} evaluation: RESULT CHANGED", name)
            elif kind in POSITIVE | NEGATIVE:
                empty = ox.Store()
                original = run(empty, text, base)
                if kind in POSITIVE and original[0] == "syntax":
                    note(f"{suite} positive syntax: Oxigraph refuses the query as written", name)
                    continue
                try:
                    canonical = _check(f"BASE <{base}>\n{text}").text
                except Refused as e:
                    sign = "positive" if kind in POSITIVE else "negative"
                    note(f"{suite} {sign} syntax: refused by the check ({reason(e.message)})", name)
                    continue
                rewritten = run(empty, canonical)
                if kind in POSITIVE:
                    if rewritten[0] == "syntax":
                        note(f"{suite} positive syntax: CANONICAL TEXT DOES NOT PARSE", name)
                    else:
                        note(f"{suite} positive syntax: canonical text parses", name)
                elif original[0] == "syntax" and rewritten[0] != "syntax":
                    note(f"{suite} negative syntax: CANONICAL TEXT RUNS WHERE THE QUERY DID NOT", name)
                else:
                    note(f"{suite} negative syntax: refused by the engine as written", name)
    width = max(map(len, counts))
    for key in sorted(counts):
        print(f"{key:<{width}}  {counts[key]}")
        if args.list or key.isupper() or "CHANGED" in key or "DOES NOT" in key or "RUNS WHERE" in key:
            if args.list or any(w in key for w in ("CHANGED", "DOES NOT", "RUNS WHERE")):
                for n in names[key]:
                    print(f"    {n}")
    bad = [k for k in counts if any(w in k for w in ("CHANGED", "DOES NOT", "RUNS WHERE"))]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
