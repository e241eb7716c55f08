"""Bind query parameters as typed RDF terms, never by pasting user text into a query.

A binding becomes a one-row `VALUES` block written from each term (an IRI checked for characters an IRI
may not hold; a literal quoted with every special character escaped) and placed first inside the query's
outermost WHERE group. Placing it there (rather than as a trailing VALUES clause) makes it constrain
variables that are not projected and queries that aggregate, on every SPARQL 1.1 engine: pyoxigraph's
own `substitutions=` binds only projected variables, and a remote server has nothing like it.

Finding the WHERE group needs a tokenizer, not a search for "{": braces also occur inside strings,
IRIs and comments, in CONSTRUCT templates and in `EXISTS { }` inside SELECT expressions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from .protocol import QueryError

_VARNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Characters that may not appear in an IRIREF (SPARQL 1.1 grammar, production 139).
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_IRIREF = re.compile(r'<[^\x00-\x20<>"{}|^`\\]*>')
_LANGTAG = re.compile(r"[A-Za-z]+(-[A-Za-z0-9]+)*\Z")
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-.:]*")
_VAR = re.compile(r"[A-Za-z0-9_]+")


def term_sparql(term: Node) -> str:
    """The SPARQL text of one term; refuses terms that could not be written safely."""
    if isinstance(term, URIRef):
        if _IRI_FORBIDDEN.search(str(term)):
            raise QueryError(f"parameter IRI {str(term)!r} contains a character not allowed in an IRI")
        return f"<{term}>"
    if isinstance(term, Literal):
        # Always the short quoted form with every special character escaped: no long-string edge cases.
        text = '"' + str(term).translate(_ESCAPES) + '"'
        if term.language:
            if not _LANGTAG.match(term.language):
                raise QueryError(f"parameter language tag {term.language!r} is not a language tag")
            return f"{text}@{term.language}"
        if term.datatype:
            return f"{text}^^{term_sparql(URIRef(term.datatype))}"
        return text
    if isinstance(term, BNode):
        raise QueryError("a blank node cannot be a query parameter: it names nothing outside one graph")
    raise QueryError(f"a query parameter must be an IRI or a literal, not {type(term).__name__}")


def values_block(bindings: dict[str, Node]) -> str:
    names = []
    for name in bindings:
        if not _VARNAME.match(name):
            raise QueryError(f"{name!r} is not a SPARQL variable name")
        names.append(name)
    head = " ".join(f"?{n}" for n in names)
    row = " ".join(term_sparql(bindings[n]) for n in names)
    return f"VALUES ({head}) {{ ({row}) }}"


def _tokens(query: str):
    """Yield (kind, text, start) for the tokens that matter here: words, braces, parentheses."""
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c.isspace():
            i += 1
        elif c == "#":
            end = query.find("\n", i)
            i = n if end < 0 else end + 1
        elif c in "\"'":
            i = _skip_string(query, i)
        elif c == "<":
            m = _IRIREF.match(query, i)
            i = m.end() if m else i + 1  # not an IRI: the less-than operator
        elif c in "{}()":
            yield c, c, i
            i += 1
        elif c in "?$":
            m = _VAR.match(query, i + 1)
            if m:
                yield "var", m.group(0), i
            i = m.end() if m else i + 1
        else:
            m = _WORD.match(query, i)
            if m:
                yield "word", m.group(0).upper(), i
                i = m.end()
            else:
                i += 1


def _skip_string(query: str, i: int) -> int:
    quote = query[i]
    if query.startswith(quote * 3, i):
        end = i + 3
        while True:
            j = query.find(quote * 3, end)
            if j < 0:
                return len(query)
            # an escaped quote just before the closing triple is part of the string
            backslashes = len(query[end:j]) - len(query[end:j].rstrip("\\"))
            if backslashes % 2 == 0:
                return j + 3
            end = j + 1
    j = i + 1
    while j < len(query):
        if query[j] == "\\":
            j += 2
        elif query[j] == quote or query[j] == "\n":
            return j + 1
        else:
            j += 1
    return j


def where_group_start(query: str) -> int | None:
    """The index just after the `{` that opens the outermost WHERE group, or None when the VALUES
    block must trail the query instead (DESCRIBE <x> without WHERE, the CONSTRUCT WHERE short form)."""
    form = None
    depth_paren = 0
    top_level_braces = 0
    saw_where = False
    for kind, text, pos in _tokens(query):
        if kind == "word":
            if form is None and text in ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK"):
                form = text
            elif form and text == "WHERE" and depth_paren == 0:
                if form == "CONSTRUCT" and top_level_braces == 0:
                    return None  # CONSTRUCT WHERE { triples }: only a trailing VALUES clause is allowed
                saw_where = True
        elif kind == "(":
            depth_paren += 1
        elif kind == ")":
            depth_paren = max(0, depth_paren - 1)
        elif kind == "{" and form and depth_paren == 0:
            top_level_braces += 1
            # CONSTRUCT's first group is its template; its WHERE group comes second
            if form == "CONSTRUCT" and not saw_where and top_level_braces == 1:
                continue
            return pos + 1
    return None


def bind(query: str, bindings: dict[str, Node] | None) -> str:
    """`query` with `bindings` fixed as a VALUES block at the top of its WHERE group."""
    if not bindings:
        return query
    block = values_block(bindings)
    at = where_group_start(query)
    if at is None:
        # No group to open (DESCRIBE <x>) or one that admits only triples (CONSTRUCT WHERE): a trailing
        # VALUES clause is valid there and, with no aggregation in such queries, constrains the same way.
        return f"{query}\n{block}\n"
    return f"{query[:at]} {block} {query[at:]}"


def substitute(query: str, constants: Mapping[str, Node] | None) -> str:
    """`query` with every occurrence of each variable of `constants` replaced by its term, written by
    `term_sparql` (checked and escaped, as a VALUES block's: never pasted text) — the substitution of
    SEP-0007. For a FILTER that must be a constant: Oxigraph tests a filter on a constant as soon as its
    pattern's variables are bound, but one on a VALUES variable only after the whole group is joined
    (queries/structure/*.rq say where that cost seconds). Only a variable's own tokens are replaced: not
    text in strings, IRIs or comments, and not a longer name (?ours in ?oursToo)."""
    if not constants:
        return query
    for name in constants:
        if not _VARNAME.match(name):
            raise QueryError(f"{name!r} is not a SPARQL variable name")
    out, at = [], 0
    for kind, text, pos in _tokens(query):
        if kind == "var" and text in constants:
            out += [query[at:pos], term_sparql(constants[text])]
            at = pos + 1 + len(text)
    return "".join(out) + query[at:]


def engine_text(query: str, bindings: dict[str, Node] | None = None) -> str:
    """The only text a store gives an engine: `query` with `bindings` bound, as the query check writes
    it (`sparql.for_engine`: full IRIs, no PREFIX or BASE, tokens apart, every construct bounded). A
    text the check refuses is a QueryError with the check's message and status."""
    from ..sparql import Refused, for_engine

    try:
        return for_engine(bind(query, bindings))
    except Refused as e:
        raise QueryError(e.message, e.status) from None
