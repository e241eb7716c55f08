"""A parameter value that names nothing in the graph is an error that says what there is.

`query off-target-indicators --param report=2021-2022` used to answer 0 rows and exit 0: a reader could
not tell "nothing is off target" from "there is no such report". Each parameter type that names a thing
in the graph (year, code, iri) has a query in `queries/parameters/<type>.rq` whose ?value is what such a
parameter may name. Bound to the given value it says whether it is there (one bounded lookup); when it is
not, the message lists what there is: every value where there are few, else the closest ones (by
spelling, or the IRIs under the nearest prefix that has any). The CLI exits non-zero with it and
/queries/NAME answers 400 with it. Values a user typed are checked, never a query's own default.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.term import Node

from .parameter_terms import ParameterError

CHECKED_TYPES = ("year", "code", "iri")
LIST_ALL = 12  # at most this many values: list them all
SUGGEST = 8  # else the closest this many
MAX_CANDIDATES = 20000  # the values read to find the closest (a bounded read)


class UnknownValue(ParameterError):
    """A parameter value that names nothing in the graph; the message lists what there is."""


@cache
def _query(kind: str) -> str:
    from .paths import QUERIES_DIR

    return (Path(QUERIES_DIR) / "parameters" / f"{kind}.rq").read_text(encoding="utf-8")


def _shown(term: Node, kind: str) -> str:
    text = str(term)
    if kind == "year":
        return text.rsplit("/", 1)[-1]
    return text


def check_values(
    store,
    query,
    values: Mapping[str, str],
    bindings: Mapping[str, Node],
    *,
    timeout: float | None = None,
) -> None:
    """Raise UnknownValue for the first value the user gave (in `values`) for a year, code or iri
    parameter that names nothing in the graph."""
    for p in query.parameters:
        if p.type not in CHECKED_TYPES or not values.get(p.name) or p.name not in bindings:
            continue
        term = bindings[p.name]
        text = _query(p.type)
        found = store.select(text, bindings={"value": term}, timeout=timeout, max_rows=1).rows
        if found:
            continue
        raise UnknownValue(_message(store, query.name, p, term, timeout))


def _message(store, query_name: str, p, term: Node, timeout: float | None) -> str:
    given = _shown(term, p.type)
    head = f"query {query_name!r}: parameter {p.name!r}: {values_word(p.type)} {given!r}"
    head += " names nothing in the graph"
    if p.type == "iri":
        near = _iris_near(store, str(term), timeout)
        if not near:
            return head + "; no IRI of the graph shares its start. Look one up at /id/ or with the search."
        prefix, iris = near
        return head + f"; under {prefix} the graph holds: " + ", ".join(iris)
    rows = store.select(_query(p.type), timeout=timeout, max_rows=MAX_CANDIDATES).rows
    have = sorted({_shown(r["value"], p.type) for r in rows if r.get("value") is not None})
    if not have:
        return head + "; the graph holds none."
    if len(have) <= LIST_ALL:
        return head + f"; the graph holds: {', '.join(have)}"
    close = difflib.get_close_matches(given, have, n=SUGGEST, cutoff=0.5)
    if not close:
        folded = given.casefold()
        close = [h for h in have if folded[:3] and h.casefold().startswith(folded[:3])][:SUGGEST]
    listed = f"; the closest are: {', '.join(close)}" if close else ""
    return head + f"{listed} ({len(have)} in all)"


def values_word(kind: str) -> str:
    return {"year": "the year", "code": "the code", "iri": "the IRI"}.get(kind, "the value")


def _iris_near(store, iri: str, timeout: float | None) -> tuple[str, list[str]] | None:
    """The IRIs under the longest prefix of `iri` (cut at a '/' or '#') that the graph has any under."""
    cut = iri
    for _ in range(6):
        i = max(cut.rstrip("/#").rfind("/"), cut.rstrip("/#").rfind("#"))
        if i <= len("https://"):
            return None
        cut = cut[: i + 1]
        rows = store.select(
            _query("iri"), bindings={"prefix": Literal(cut)}, timeout=timeout, max_rows=SUGGEST + 1
        ).rows
        iris = [str(r["value"]) for r in rows if isinstance(r.get("value"), URIRef)]
        if iris:
            more = ", …" if len(iris) > SUGGEST else ""
            return cut, [*iris[:SUGGEST]] + ([more.strip(", ")] if more else [])
    return None
