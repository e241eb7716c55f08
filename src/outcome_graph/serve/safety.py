"""Check a query before it runs: the server is read-only and never makes a request on a user's behalf.

pyoxigraph and the Oxigraph server fetch any SERVICE IRI (SERVICE SILENT too) with no switch to turn
it off, and other engines fetch FROM/FROM NAMED documents and LOAD, so the query is parsed with a real
SPARQL parser (rdflib's) and its syntax tree is searched: a keyword in a string, an IRI or a comment
is not a SERVICE clause, while `service` in lower case inside a subquery, OPTIONAL, UNION or FILTER
EXISTS is one.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from pyparsing import ParseBaseException, ParseResults
from rdflib.plugins.sparql.algebra import translatePrologue
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

FORMS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}


class Refused(Exception):
    """The request is not answered; `status` is the HTTP status and the message says why."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)  # shared between requests through the cache: never changed
class QueryInfo:
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    default_graphs: tuple[str, ...] = ()  # FROM
    named_graphs: tuple[str, ...] = ()  # FROM NAMED


def _nodes(tree):
    """Every CompValue in a parse tree, depth first."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node
            stack.extend(node.values())
        elif isinstance(node, (list, tuple, ParseResults)):
            stack.extend(node)


def syntax_message(error: ParseBaseException, text: str) -> str:
    line = text.splitlines()[error.lineno - 1] if 0 < error.lineno <= len(text.splitlines()) else ""
    pointer = f"\n  {line}\n  {' ' * (error.col - 1)}^" if line.strip() else ""
    return f"SPARQL syntax error at line {error.lineno}, column {error.col}: {error.msg}{pointer}"


# pyparsing recurses many frames per nesting level of a query; give it room once, at import, rather
# than changing a process-wide limit per request under a threaded server. Deeper still is a 400.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 8000))

# rdflib's pyparsing grammar is not safe to use from several threads at once: on first use pyparsing
# works out each parse action's arity by trial, and threads racing there fix wrong arities for good.
# Every parse here holds this lock (other modules parsing SPARQL with rdflib in server threads should
# hold it too), and `warm_up` runs the grammar once at start-up. Checks are cached by query text.
PARSER_LOCK = threading.Lock()


WARM_UP = """PREFIX e: <http://example.org/> BASE <http://example.org/>
SELECT DISTINCT ?s (COUNT(*) AS ?n) (SAMPLE(?o) AS ?x) FROM e:g FROM NAMED <g>
WHERE { ?s e:p/e:q* ?o ; a e:C . OPTIONAL { ?o ?p "a"@en, 1, -1, 2.5, 2e3, true, "b"^^e:t }
  { ?s ?p [] } UNION { GRAPH ?g { ?s ?p ?o } } MINUS { ?s e:r ?o }
  FILTER(?o > 1 && !BOUND(?x) || REGEX(STR(?o), "^a", "i") || ?o IN (1, 2) || EXISTS { ?s ?p ?o })
  BIND(IF(?o = 1, CONCAT("a", STR(?s)), COALESCE(?x, 0)) AS ?y) VALUES (?z) { (1) (UNDEF) }
  { SELECT ?s WHERE { ?s ?p ?o } GROUP BY ?s HAVING (COUNT(?o) > 1) ORDER BY DESC(?s) LIMIT 1 } }
GROUP BY ?s ORDER BY ?s LIMIT 10 OFFSET 1"""


def warm_up() -> None:
    """Run the grammar once, single-threaded, before a server's threads share it."""
    for text in (WARM_UP, "ASK {}", "CONSTRUCT WHERE { ?s ?p ?o }", "DESCRIBE <http://example.org/>"):
        _parse_query(text)
    _parse_update(
        "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 } ; LOAD <http://example.org/>"
    )


def _parse_query(text: str):
    with PARSER_LOCK:
        return parseQuery(text)


def _parse_update(text: str):
    with PARSER_LOCK:
        return parseUpdate(text)


def _refuse_update(text: str, query_error: ParseBaseException) -> None:
    """Raise Refused(403) if `text` is a SPARQL update; otherwise return (it is just a bad query)."""
    try:
        tree = _parse_update(text)
    except (ParseBaseException, RecursionError, ValueError, TypeError, KeyError):
        return
    if not tree.get("request"):
        return  # an empty update is also an empty query: let the query's syntax error stand
    if any(node.name == "Load" for node in _nodes(tree)):
        raise Refused("LOAD is refused: this server never fetches a document on a user's behalf", 400)
    raise Refused(
        "this endpoint is read-only: SPARQL updates (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ...) "
        "are refused; send a query (SELECT, ASK, CONSTRUCT or DESCRIBE)",
        403,
    )


def check_query(text: str) -> QueryInfo:
    """The query's form and dataset, or Refused: a syntax error, an update, SERVICE."""
    # Only short texts are cached, so the cache holds at most a few megabytes whatever clients send.
    return _check_cached(text) if len(text) <= 4096 else _check(text)


@functools.lru_cache(maxsize=1024)
def _check_cached(text: str) -> QueryInfo:
    return _check(text)


def _check(text: str) -> QueryInfo:
    if not text or not text.strip():
        raise Refused("the query is empty: give a SPARQL query in the `query` parameter")
    try:
        tree = _parse_query(text)
    except ParseBaseException as e:
        _refuse_update(text, e)
        raise Refused(syntax_message(e, text)) from None
    except RecursionError:
        raise Refused("the query is nested too deeply to parse") from None
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        # rdflib's parse actions reject some input beyond the grammar (a bad IRI or escape) and, as a
        # known rdflib limitation, a negative decimal constant as a triple's object (-1.5).
        raise Refused(
            f"the query cannot be checked: the SPARQL parser stopped at a term it cannot read ({e}); "
            "if this is a negative decimal in a triple pattern, write it as FILTER(?v = -1.5)"
        ) from None
    prologue_tree, query = tree[0], tree[1]
    for node in _nodes(query):
        if node.name == "ServiceGraphPattern":
            raise Refused(
                "SERVICE is refused: this server never sends a request to another endpoint on a user's "
                "behalf; run federated queries from your own client"
            )
    try:
        prologue = translatePrologue(prologue_tree, None)
        default, named = [], []
        # CompValue.get resolves names magically; plain membership tests read the tree as it is
        for clause in query["datasetClause"] if "datasetClause" in query else []:
            if "default" in clause:
                default.append(str(prologue.absolutize(clause["default"])))
            if "named" in clause:
                named.append(str(prologue.absolutize(clause["named"])))
    except Exception as e:  # an undeclared prefix in FROM, for one
        raise Refused(f"SPARQL error in the dataset clause: {e}") from None
    return QueryInfo(FORMS.get(query.name, query.name), tuple(default), tuple(named))


def check_dataset(iris: Sequence[str], local_graphs: set[str]) -> None:
    """Refuse graph IRIs (FROM, FROM NAMED, default-graph-uri, named-graph-uri) that name no graph here.

    The whole graph is in the store's default graph; an IRI that is not one of the store's own named
    graphs could only be read by fetching it, which this server never does.
    """
    foreign = [iri for iri in iris if iri not in local_graphs]
    if foreign:
        raise Refused(
            f"the dataset names {', '.join('<' + i + '>' for i in foreign)}, which is not a graph in this "
            "store, and this server never fetches documents on a user's behalf; the whole graph is in the "
            "default graph, so leave out FROM / FROM NAMED / default-graph-uri / named-graph-uri"
        )
