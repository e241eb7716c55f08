"""Which council and reports a request is about.

A council's pages read that council's reports only (and what all councils share: statutes, frameworks,
national LGBF indicators). The council of a record is the first segment of its IRI under ogr:
(`ogr:midlothian/report/2020-2021/action/CSPC.P.2.1`); the list of reports is read once per store
generation (one row per report, bounded by the number of report files).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass

from rdflib import Literal, URIRef

from ..errors import OutcomeGraphError
from ..namespaces import OGR
from .flight import Flight
from .reads import query_text, read_select

SHARED_SEGMENTS = ("lgbf", "framework")


class ScopeError(OutcomeGraphError):
    """No such council, or a council is needed and none was given."""

    def __init__(self, message: str, status: int = 404):
        super().__init__(message)
        self.status = status


def council_of(iri: str) -> str | None:
    """The council whose report a node comes from; None for what all councils share (statutes,
    frameworks, national LGBF indicators)."""
    base = str(OGR)
    if not iri.startswith(base):
        return None
    rest = iri[len(base) :]
    first = rest.split("/", 1)[0]
    return None if first in SHARED_SEGMENTS or "/" not in rest else first


def council_base(council: str | None) -> Literal:
    """The start of the IRIs of `council`'s nodes (its records, excerpts and links); every instance's
    where no council is named (a graph of one council)."""
    return Literal(f"{OGR}{council}/") if council else Literal(str(OGR))


def drawn_segments(council: str | None) -> Literal:
    """The first segments of the ids a page of `council` may show ("|midlothian|lgbf|framework|"), as
    the structure queries' `?ours` filter reads them: a node of another council is left out in the
    engine, so its rows never cost the page (a national LGBF indicator points to every council's)."""
    return Literal("|" + "|".join([*([council] if council else []), *SHARED_SEGMENTS]) + "|")


def local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Scope:
    """Some of one council's reports (IRIs and government years, in IRI order): the ones a page shows
    (a report and the one before it for an audit; all of them for a trace across years)."""

    council: str | None
    reports: tuple[str, ...]
    years: tuple[str, ...]
    all_years: tuple[str, ...] = ()  # every report year of the council (for navigation and messages)

    @property
    def report_terms(self) -> list[URIRef]:
        return [URIRef(r) for r in self.reports]

    def report_of(self, year: str) -> str | None:
        return next((r for r, y in zip(self.reports, self.years, strict=True) if y == year), None)


_INDEX = Flight(size=4)


_TOKENS = itertools.count(1)


def store_key(store) -> object:
    """What identifies the store's content: its generation (a rebuilt store is a new one); a store with
    none (a remote server, a test's in-memory store) by a token given to the object itself (never its
    id(), which a later store may reuse)."""
    generation = getattr(store, "generation", None)
    if generation:
        return ("generation", generation)
    token = getattr(store, "_query_layer_token", None)
    if token is None:
        token = next(_TOKENS)
        try:
            store._query_layer_token = token
        except AttributeError:  # a store that takes no attributes is keyed by its id while it lives
            return ("object", id(store))
    return ("object", token)


def report_index(store, timeout: float | None = None) -> dict[str | None, list[tuple[str, str]]]:
    """{council: [(report IRI, year)]} of the whole graph, read once per store generation."""

    def load():
        rows = read_select(store, query_text("reports"), "the list of reports", timeout=timeout).rows
        out: dict[str | None, set[tuple[str, str]]] = defaultdict(set)
        for r in rows:
            iri = str(r["report"])
            out[council_of(iri)].add((iri, local(str(r["period"]))))
        return {c: sorted(v) for c, v in sorted(out.items(), key=lambda kv: kv[0] or "")}

    return _INDEX.get(store_key(store), load, "the list of reports")


def councils(store, timeout: float | None = None) -> list[str]:
    return sorted(c for c in report_index(store, timeout) if c)


def require_council(store, query_name: str, given: bool, timeout: float | None = None) -> None:
    """A saved query that answers one council's question (header `# scope: council`) needs `council` on a
    graph of several councils: asked of the nation its answer and its cost grow with every council, so it
    is refused at once (400) naming the councils, as a page of several councils is."""
    if given:
        return
    names = councils(store, timeout)
    if len(names) > 1:
        shown = ", ".join(f"ogr:{n}" for n in names)  # every one: the answer is the choice
        raise ScopeError(
            f"query {query_name!r} answers for one council's reports and the graph holds the reports of "
            f"{len(names)} councils: give council=ogr:NAME (--param council=ogr:NAME on the command "
            f"line), one of {shown}",
            400,
        )


def scope_of(store, council=None, node=None, years=None, timeout=None) -> Scope:
    """The scope of a request: the council asked for; else the council of the node the page shows;
    else the only council of the graph (a graph of several councils needs one named). `years`: the
    report years the page shows (None: all of the council's); a year the council has no report for is
    a ScopeError (404) naming the years it has."""
    index = report_index(store, timeout)
    names = sorted(c for c in index if c)
    if council is None and node is not None:
        council = council_of(node)
    if council is None:
        if len(names) > 1:
            shown = ", ".join(names[:8]) + (" ..." if len(names) > 8 else "")
            raise ScopeError(
                f"the graph holds the reports of {len(names)} councils: choose one (council= on a page, "
                f"--council on the command line): {shown}",
                400,
            )
        council = names[0] if names else None
    if council is not None and council not in index:
        raise ScopeError(f"no council {council!r} in the graph; councils: {', '.join(names) or 'none'}")
    pairs = index.get(council, [])
    every = tuple(sorted({y for _, y in pairs}))
    if years is not None:
        wanted = {y for y in years if y}
        missing = sorted(wanted - set(every))
        if missing:
            whose = f" of council {council}" if council and len(names) > 1 else ""
            raise ScopeError(
                f"no report for {', '.join(missing)}{whose} in the graph; "
                f"reports: {', '.join(every) or 'none'}"
            )
        pairs = [(r, y) for r, y in pairs if y in wanted]
    return Scope(council, tuple(r for r, _ in pairs), tuple(y for _, y in pairs), every)


def year_before(scope: Scope, year: str) -> str | None:
    """The council's latest report year before `year` (what an audit compares with)."""
    earlier = [y for y in scope.all_years if y < year]
    return earlier[-1] if earlier else None
