"""Questions of queries/ asked for the IRIs a page needs, each naming the part of the page it serves.

`values_for({"reportDoc": [iri, ...]})` writes a multi-row VALUES block of typed terms (the same writer
as saved-query parameters: an IRI is checked for characters an IRI may not hold, never pasted), and
`read_select` / `read_construct` place it first inside the query's outermost WHERE group, where it
binds variables that are not projected and constrains aggregates on every SPARQL 1.1 engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from rdflib.term import Node

from ..errors import DefectError, OutcomeGraphError
from ..store import QueryTimeout, StoreError
from ..store.bindings import substitute, term_sparql, where_group_start

RETRY_AFTER = 10  # seconds a client is told to wait after a part of a page was slow


class Slow(OutcomeGraphError):
    """A part of a page whose query ran past its time limit: 503 with Retry-After, naming the part."""

    status = 503

    def __init__(self, part: str, detail: str = "", retry_after: int = RETRY_AFTER):
        message = f"{part} took longer than the time limit; try again in {retry_after} s"
        super().__init__(message + (f" ({detail})" if detail else ""))
        self.part, self.retry_after = part, retry_after


def values_for(columns: Mapping[str, Iterable[Node]]) -> str:
    """One VALUES block per variable: `VALUES ?v { <a> <b> }` (each variable independently)."""
    blocks = []
    for name in sorted(columns):
        terms = " ".join(term_sparql(t) for t in columns[name])
        blocks.append(f"VALUES ?{name} {{ {terms} }}")
    return "\n".join(blocks)


MARK = "#@values"  # a query's own place for the bound IRIs (inside a sub-select that must see them)
# `#@values ?a ?b` on a line of its own takes only those variables: a query whose sub-select must see some
# of them and whose outer group the others (a sub-select does not see the VALUES of the group around it)
_MARK_LINE = re.compile(r"^[ \t]*#@values((?:[ \t]+\?[A-Za-z_][A-Za-z0-9_]*)*)[ \t]*$", re.MULTILINE)


def _at_marks(query: str, columns: Mapping[str, Iterable[Node]]) -> str:
    """`query` with each `#@values` line replaced by the VALUES of the variables it names (all of them
    on a line that names none); every variable bound at exactly one line."""
    marks = list(_MARK_LINE.finditer(query))
    if len(marks) != query.count(MARK):
        raise DefectError(f"a {MARK} mark is a line of its own, naming only variables")
    out, at, placed = [], 0, []
    for m in marks:
        names = [n[1:] for n in m[1].split()] or sorted(columns)
        if any(n not in columns for n in names):
            raise DefectError(f"{MARK} names {', '.join(n for n in names if n not in columns)}: not bound")
        out += [query[at : m.start()], values_for({n: columns[n] for n in names})]
        at, placed = m.end(), placed + names
    if sorted(placed) != sorted(columns):
        raise DefectError(f"each bound variable has one {MARK} line: {sorted(placed)} for {sorted(columns)}")
    return "".join(out) + query[at:]


def scoped_text(
    query: str, columns: Mapping[str, Iterable[Node]] | None, constants: Mapping[str, Node] | None = None
) -> str:
    """`query` with `columns` bound: at its `#@values` line(s) where it has any, else first in its
    outermost WHERE group; and each variable of `constants` replaced by its term (store.bindings.substitute:
    a filter's constant, which the engine tests early)."""
    query = substitute(query, constants)
    if not columns:
        return query
    if MARK in query:
        return _at_marks(query, columns)
    block = values_for(columns)
    at = where_group_start(query)
    if at is None:
        raise DefectError("a scoped query needs a WHERE { ... } group to bind its IRIs in")
    return f"{query[:at]}\n{block}\n{query[at:]}"


def read_select(
    store,
    query: str,
    part: str,
    columns=None,
    *,
    timeout=None,
    max_rows=None,
    constants=None,
    named_graphs=None,
):
    """`store.select` of `query` bound to `columns` (and `constants`); a timeout is `Slow(part)`.
    `named_graphs`: the only parts its GRAPH patterns read (store.protocol)."""
    extra = {} if named_graphs is None else {"named_graphs": named_graphs}
    try:
        return store.select(
            scoped_text(query, columns, constants), timeout=timeout, max_rows=max_rows, **extra
        )
    except QueryTimeout as e:
        raise Slow(part, str(e)) from e
    except StoreError as e:
        if e.status != 504:
            raise
        # a SPARQL server's own time limit (store/remote_reply.py): the same slow part, said the same way
        # (a bare 504 named no part and had no Retry-After: /gaps of 47 reports on Virtuoso)
        raise Slow(part, str(e)) from e


def read_construct(
    store, query: str, part: str, columns=None, *, timeout=None, max_triples=None, constants=None
):
    """`store.construct` of `query` bound to `columns` (and `constants`); a timeout is `Slow(part)`."""
    try:
        return store.construct(
            scoped_text(query, columns, constants), timeout=timeout, max_triples=max_triples
        )
    except QueryTimeout as e:
        raise Slow(part, str(e)) from e
    except StoreError as e:
        if e.status != 504:
            raise
        # a SPARQL server's own time limit (store/remote_reply.py): the same slow part, said the same way
        # (a bare 504 named no part and had no Retry-After: /gaps of 47 reports on Virtuoso)
        raise Slow(part, str(e)) from e


def query_text(name: str) -> str:
    """A structure question from queries/structure/ by name."""
    from ..paths import QUERIES_DIR

    return (Path(QUERIES_DIR) / "structure" / f"{name}.rq").read_text(encoding="utf-8")
