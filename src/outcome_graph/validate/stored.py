"""Each report's validation, kept beside the store when the report is built or added, so that a page or
`outcome-graph validate --store` reads it instead of running pySHACL again.

A report's validation depends only on its own graph (the report built alone, with the reference data:
tests/serve/test_national_scoped.py holds the served store to that), so it is made once per report, when
`build --store` or `add` checks the report, and written into the store's generation directory:

    gen-*/VALIDATION/<council>/report/<year>.json   {"key": ..., "conforms": ..., "results": [...],
                                                      "report": canonical N-Triples of sh:ValidationReport}

The key is a digest of everything the result depends on: the report's own bytes and identity (council,
service, year) and the rules' inputs — the shapes, the vocabulary, the curated and reference data and the
code (`rules_fingerprint`). A result is served only when its key is the one the current report and rules
give: a report replaced by `add` (new bytes), changed shapes or curated data, or new code never get an old
result, they are validated again. A file that cannot be read is treated as missing, never as a result.

A council's validation is the sum of its reports' results (`merged`). What a scoped run cannot see: a
rule about a council's own curated records rather than a report's (a curated formula of
graph/curated/formulas.ttl, whose feeder rows one report holds and another does not). Such a result has no
report; each report alone may say "none of its formulas names feeder rows of this graph" where the reports
together would not, so in the sum a result without a report is kept only when every report's run gives
it — which is what the reports validated together give for that rule.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from .results import SEVERITY_ORDER, ValidationResult, ValidationSummary

FOLDER = "VALIDATION"
SERVING = ("serve", "trace", "query_layer", "commands", "sparql", "store")


@cache
def rules_fingerprint() -> str:
    """A digest of every input of a report's validation other than the report: shapes, vocabulary,
    curated and reference data, and the code (read once per process: a few MB)."""
    from .. import __version__
    from ..paths import GRAPH_DIR, ONTOLOGY_DIR, ROOT, SHAPES_DIR

    h = hashlib.sha256(f"validation {__version__}\n".encode())
    files = [*SHAPES_DIR.rglob("*"), *ONTOLOGY_DIR.rglob("*"), *GRAPH_DIR.rglob("*")]
    package = ROOT / "src" / "outcome_graph"
    # the code that reads, builds and validates a report; not the packages that only serve or store it
    # (a change to a page must not make every kept result stale: tests/test_import_graph.py-style, none
    # of extract/, build/, validate/ or the top-level modules imports them)
    files += (f for f in package.rglob("*.py") if f.relative_to(package).parts[0] not in SERVING)
    for path in sorted(set(files)):
        if path.is_file():
            h.update(str(path.relative_to(ROOT)).encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def result_key(sha256: str, council: str, service: str | None, year: str) -> str:
    """What a report's result is valid for: its bytes, its identity and the rules."""
    text = f"{rules_fingerprint()}\n{sha256}\n{council}\n{service or ''}\n{year}\n"
    return hashlib.sha256(text.encode()).hexdigest()


def to_record(summary: ValidationSummary, key: str) -> dict:
    from rdflib.compare import to_canonical_graph

    report = to_canonical_graph(summary.report_graph).serialize(format="nt")
    return {
        "key": key,
        "conforms": summary.conforms,
        "results": [r.as_dict() for r in summary.results],
        "report": "\n".join(sorted(line for line in report.splitlines() if line.strip())) + "\n",
    }


def from_record(record: dict) -> ValidationSummary:
    from rdflib import Graph

    graph = Graph()
    if record.get("report", "").strip():
        graph.parse(data=record["report"], format="nt")
    results = [ValidationResult(**r) for r in record["results"]]
    return ValidationSummary(conforms=bool(record["conforms"]), results=results, report_graph=graph)


def _file(generation: Path, part: str) -> Path:
    return generation / FOLDER / f"{part}.json"


def write(generation: Path, part: str, record: dict) -> None:
    """Kept whole or not at all (written aside, then renamed into place)."""
    path = _file(generation, part)
    path.parent.mkdir(parents=True, exist_ok=True)
    aside = path.with_name(f".{path.name}.{os.getpid()}")
    aside.write_text(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(aside, path)


SOURCES = "SOURCES.json"  # in FOLDER, for a store without REPORTS.json (the bundled reports' own)


def write_sources(generation: Path, rows: dict[str, dict]) -> None:
    """What each kept result was made from (part -> council, service, year, sha256: the inputs of its
    key), for a store whose generation keeps no catalogue (store/build.py's of the bundled reports)."""
    path = generation / FOLDER / SOURCES
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(sorted(rows.items())), indent=1, sort_keys=True) + "\n", encoding="utf-8")


def read_sources(generation: Path) -> dict[str, dict] | None:
    try:
        return json.loads((generation / FOLDER / SOURCES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def read_record(generation: Path, part: str, key: str) -> dict | None:
    """The stored record of `part`, if there is one for `key` (else None: validate it again)."""
    try:
        record = json.loads(_file(generation, part).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("key") == key else None


def read(generation: Path, part: str, key: str) -> ValidationSummary | None:
    """The stored result of `part`, if there is one for `key` (else None: validate it again)."""
    record = read_record(generation, part, key)
    try:
        return None if record is None else from_record(record)
    except (ValueError, TypeError, KeyError):
        return None


def carry_over(old: Path, new: Path) -> None:
    """The results of an older generation into a new one (hard links: nothing copied). Each is still
    checked against its key when read, so a replaced report's old result is never served."""
    source = old / FOLDER
    if not source.is_dir():
        return
    for f in sorted(source.rglob("*.json")):
        target = new / FOLDER / f.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(f, target)
        except OSError:
            target.write_bytes(f.read_bytes())


def _order(r: ValidationResult) -> tuple:
    return (SEVERITY_ORDER[r.severity], r.rule, r.report or "", r.line or 0, r.code or "", r.focus, r.message)


def merged(
    summaries: Iterable[ValidationSummary], councils: Iterable[str] | None = None
) -> ValidationSummary:
    """Several reports' results as one (see the module's docstring for results without a report).
    `councils`: each summary's council, where they are of several (a result without a report is about
    one council's records: it is kept when every report of that council gives it)."""
    from rdflib import BNode, Graph, Literal
    from rdflib.namespace import RDF, SH, XSD

    summaries = list(summaries)
    if len(summaries) == 1:
        return summaries[0]
    groups = list(councils) if councils is not None else [""] * len(summaries)
    own: list[ValidationResult] = []
    shared: dict[str, list[set[ValidationResult]]] = {}
    for s, group in zip(summaries, groups, strict=True):
        own += [r for r in s.results if r.report is not None]
        shared.setdefault(group, []).append({r for r in s.results if r.report is None})
    common = set().union(*(set.intersection(*sets) for sets in shared.values()))
    results = sorted(own + list(common), key=_order)
    # one sh:ValidationReport with every kept result (the results' own nodes, from each report's graph)
    graph = Graph()
    head = BNode()
    conforms = not any(r.severity == "Violation" for r in results)
    graph.add((head, RDF.type, SH.ValidationReport))
    graph.add((head, SH.conforms, Literal(conforms, datatype=XSD.boolean)))
    kept = {(r.focus, r.message) for r in results}
    once = {(r.focus, r.message) for r in common}
    done: set[tuple[str, str]] = set()
    for s in summaries:
        g = s.report_graph
        for res in sorted(g.objects(None, SH.result)):
            key = (
                str(g.value(res, SH.focusNode)),
                min(map(str, g.objects(res, SH.resultMessage)), default=""),
            )
            if key not in kept or key in done:
                continue
            if key in once:  # a council-level result that every report gives: once
                done.add(key)
                graph.add((head, SH.result, res))
                for t in _closure(g, res):
                    graph.add(t)
    return ValidationSummary(conforms=conforms, results=results, report_graph=graph)


def _closure(g, node) -> list[tuple]:
    """The triples of `node` and of the blank nodes it leads to (a result's details)."""
    from rdflib import BNode

    out, todo, seen = [], [node], set()
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        for _, p, o in g.triples((n, None, None)):
            out.append((n, p, o))
            if isinstance(o, BNode):
                todo.append(o)
    return out
