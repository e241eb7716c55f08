"""How the graph is laid out in a store: one named graph per report, so that one report is replaced whole.

A dataset is named by one graph IRI, `base` (default `DEFAULT_GRAPH`, or --graph / $OUTCOME_GRAPH_GRAPH on a
shared server). Its triples sit in named graphs under it, each triple in exactly one of them:

    <base>/reference                          the vocabulary, code lists, statutes and frameworks
    <base>/national                           records no council owns (LGBF indicators: ogr:lgbf/...)
    <base>/<council>                          what a council's reports share: its organisation, services,
                                              indicators (one per code across years) and curated links
    <base>/<council>/report/<year>            one report: everything under ogr:<council>/report/<year>/

and `base` itself holds the catalogue: `<base> og:graphPart <part>` for each, and for each report
`<report> og:namedGraph <part>`, so a query can find (and scope itself to) a report's graph.

Why each triple in exactly one graph: Oxigraph (embedded and server) and Virtuoso read the union of several
graphs without removing duplicates, so a triple held twice would be counted twice. Queries read the union
(embedded: the default graph is given as the list of every graph; remote: one `default-graph-uri` per graph),
so every query written for one graph keeps its answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from ..namespaces import OG, OGR

DEFAULT_GRAPH = "https://w3id.org/outcome-graph/graph/main"
REFERENCE, NATIONAL = "reference", "national"
GRAPH_PART = str(OG.graphPart)
NAMED_GRAPH = str(OG.namedGraph)

_OWNED = re.compile(re.escape(str(OGR)) + r"([^/]+)(/report/([^/]+))?(/|$)")


def part_iri(base: str, part: str) -> str:
    return f"{base.rstrip('/')}/{part}"


def report_part(council: str, year: str) -> str:
    return f"{council}/report/{year}"


def part_of(subject: str) -> str:
    """The part of a non-reference triple, from its subject's IRI (without the angle brackets)."""
    m = _OWNED.match(subject)
    if m and m[1] in _councils():
        return report_part(m[1], m[3]) if m[3] else m[1]
    # ogr:lgbf/..., ogr:framework/... and anything else no council owns: shared by every council's build,
    # so only ever added to (store.reports), never replaced by one council's version
    return NATIONAL


@cache
def _councils() -> frozenset[str]:
    from ..extract.identity import known_councils

    return frozenset(known_councils())


def partition(ntriples: bytes, static: bytes = b"") -> dict[str, list[bytes]]:
    """Canonical N-Triples (`build.to_ntriples`) as lines per part, in their order. A line of `static`
    (the reference graph's own N-Triples) or with a blank node (only the vocabulary has them: OWL lists)
    is reference data."""
    static_lines = set(static.splitlines())
    parts: dict[str, list[bytes]] = {}
    for line in ntriples.splitlines():
        if not line.strip():
            continue
        if line in static_lines or _has_blank(line):
            part = REFERENCE
        else:
            part = part_of(line[1 : line.index(b">")].decode("utf-8"))
        parts.setdefault(part, []).append(line)
    return dict(sorted(parts.items()))


def _has_blank(line: bytes) -> bool:
    # a blank node is a term of its own: " _:" outside a literal; literals come last on a line
    head = line.split(b'"', 1)[0]
    return b" _:" in head or head.startswith(b"_:")


def catalogue(base: str, parts: Iterable[str]) -> list[str]:
    """N-Triples lines of the catalogue held in `base` itself."""
    lines = []
    for part in sorted(set(parts)):
        lines.append(f"<{base}> <{GRAPH_PART}> <{part_iri(base, part)}> .")
        m = re.fullmatch(r"([^/]+)/report/([^/]+)", part)
        if m:
            lines.append(f"<{OGR}{part}> <{NAMED_GRAPH}> <{part_iri(base, part)}> .")
    return sorted(lines)


def in_graph(lines: Iterable[bytes], graph: str) -> bytes:
    """N-Triples lines as N-Quads lines in `graph`."""
    suffix = f" <{graph}> .".encode()
    return b"".join(line.rstrip()[:-1].rstrip() + suffix + b"\n" for line in lines)


def to_nquads(parts: dict[str, list[bytes]], base: str = DEFAULT_GRAPH) -> bytes:
    """Every part in its named graph, and the catalogue in `base`: what an embedded store loads."""
    out = [in_graph(lines, part_iri(base, part)) for part, lines in sorted(parts.items())]
    out.append(in_graph((ln.encode() for ln in catalogue(base, parts)), base))
    return b"".join(out)
