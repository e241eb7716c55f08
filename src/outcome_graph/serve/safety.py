"""Check a query before it runs: the server is read-only and never makes a request on a user's behalf.

pyoxigraph and the Oxigraph server fetch any SERVICE IRI (SERVICE SILENT too) with no switch to turn
it off, and other engines fetch FROM/FROM NAMED documents and LOAD. What is checked is exactly what
runs: the query is read once by SPARQL 1.1's own lexical rules (`lexer`), the checks read those
tokens, and the engine is given only the canonical text written from them, never the text the client
sent. A second parser's opinion decides nothing: the engine's own parser then reads the canonical text
(in a query worker, under the query's time limit) and its syntax errors come back as 400s.

What is refused: SERVICE anywhere (as a keyword token, and as a belt, as a word anywhere outside string
literals of the canonical text), LOAD and every update, a dataset (FROM, FROM NAMED) naming a graph
that is not in the store, and anything that is not SPARQL: a word that is not one of its keywords or
functions, an undeclared prefix, an IRI naming an engine's procedure (`sparql_terms`: a remote
Virtuoso would otherwise fetch a URL for `bif:http_get`). The dataset is also handed to the engine
explicitly, which overrides the query's own FROM / FROM NAMED: whatever an engine thinks those clauses
say, it reads only those graphs.

Checking is linear in the length of the text (at most `max_query` characters), takes no lock, and a
text is read once; the query workers have no network at all (`store.workers`), the layer below.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin

from .lexer import LexError, Token, canonical, decode_escapes, position_in, tokens
from .sparql_terms import WORDS, is_procedure

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATES = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
# The belt: SERVICE or LOAD as a word of its own anywhere outside string literals of the canonical
# text (a prefixed name's local part `og:service` or a variable `?service` is not one).
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BELT = re.compile(r"(?<![\w:?$@\-.\\%/#])(?:service|load)(?![\w:\-])", re.I)
_ENGINE_POSITION = re.compile(r"error at (\d+):(\d+): ?")

# pySHACL parses SPARQL with rdflib, whose pyparsing grammar is not thread-safe on first use: the
# validation view holds this lock around it. No request's query check takes it.
PARSER_LOCK = threading.Lock()


class Refused(Exception):
    """The request is not answered; `status` is the HTTP status and the message says why."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)  # shared between requests through the cache: never changed
class QueryInfo:
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    default_graphs: tuple[str, ...] = ()  # FROM, resolved
    named_graphs: tuple[str, ...] = ()  # FROM NAMED, resolved
    text: str = ""  # the canonical text: the only text an engine is given
    has_dataset: bool = False  # the query has FROM or FROM NAMED
    _decoded: str = field(default="", repr=False)
    _offsets: tuple[int, ...] = field(default=(), repr=False)  # where each token starts, as sent
    _starts: tuple[int, ...] = field(default=(), repr=False)

    def explain(self, message: str) -> str:
        """An engine's error about the canonical text, with the position in the client's own text."""
        m = _ENGINE_POSITION.search(message)
        if not m or not self._offsets:
            return message
        line, column = int(m.group(1)), int(m.group(2))
        offset = column - 1 if line == 1 else len(self.text)
        at_line, at_column = position_in(self._decoded, self._offsets, self._starts, offset)
        rest = message[m.end() :].strip()
        return _with_pointer(
            f"SPARQL syntax error at line {at_line}, column {at_column}: {rest}",
            self._decoded,
            at_line,
            at_column,
        )


def _with_pointer(message: str, text: str, line: int, column: int) -> str:
    lines = text.split("\n")  # as `line` counts them; a bare CR is shown as a space
    shown = lines[line - 1].replace("\r", " ") if 0 < line <= len(lines) else ""
    if not shown.strip() or len(shown) > 300:
        return message
    return f"{message}\n  {shown}\n  {' ' * (column - 1)}^"


CACHED = 4096  # texts up to this length are cached: the cache holds a few megabytes whatever is sent
IN_PROCESS = 8192  # texts up to this length are checked in the server process (about a millisecond)


def check_query(text: str, timeout: float | None = None) -> QueryInfo:
    """The query's form, dataset and canonical text, or Refused: a syntax error, an update, SERVICE.

    With a `timeout` (the query's own time limit), a text longer than IN_PROCESS characters is checked
    in a checker process that is killed at that limit (QueryTimeout): the check of a huge text costs
    its sender time, not the server (which would otherwise hold the interpreter's lock for up to a
    second for a 100 KB text).
    """
    if len(text) <= CACHED:
        return _check_cached(text)
    if len(text) <= IN_PROCESS or timeout is None:
        return _check(text)
    reply = _checker().run({"op": "check", "query": text}, timeout)
    if "refused" in reply:
        raise Refused(*reply["refused"])
    return reply["info"]


def check_here(text: str) -> QueryInfo:
    """check_query in this process, whatever the length (a checker process's side)."""
    return _check(text)


_checker_pool = None
_checker_lock = threading.Lock()


def _checker():
    """The one checker process (started on first need; only long texts ever wait for it)."""
    global _checker_pool
    with _checker_lock:
        if _checker_pool is None or _checker_pool._closed:
            from ..store.workers import CHECKER, WorkerPool

            _checker_pool = WorkerPool(CHECKER, size=1, memory_limit=2 * 1024**3)
        return _checker_pool


@functools.lru_cache(maxsize=1024)
def _check_cached(text: str) -> QueryInfo:
    return _check(text)


def _check(text: str) -> QueryInfo:
    if not text or not text.strip():
        raise Refused("the query is empty: give a SPARQL query in the `query` parameter")
    decoded = text
    try:
        decoded = decode_escapes(text)
        toks = tokens(decoded)
    except LexError as e:
        raise Refused(_with_pointer(str(e), decoded, e.line, e.column)) from None
    if not toks:
        raise Refused("the query is empty (only comments): give a SPARQL query")
    words = [t.value.upper() for t in toks if t.kind == "word"]
    if "SERVICE" in words:
        raise _service()
    if "LOAD" in words:
        raise Refused("LOAD is refused: this server never fetches a document on a user's behalf", 400)
    base, prefixes, index = _prologue(toks, decoded)
    if index >= len(toks):
        raise _syntax(decoded, toks[-1], "the query ends before its SELECT, ASK, CONSTRUCT or DESCRIBE")
    head = toks[index]
    form = head.value.upper() if head.kind == "word" else ""
    if form in UPDATES:
        raise Refused(
            "this endpoint is read-only: SPARQL updates (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ...) "
            "are refused; send a query (SELECT, ASK, CONSTRUCT or DESCRIBE)",
            403,
        )
    if form not in FORMS:
        raise _syntax(decoded, head, f"expected SELECT, ASK, CONSTRUCT or DESCRIBE, found {head.text[:40]!r}")
    _only_sparql(toks, index, base, prefixes, decoded)
    default, named, has_dataset = _dataset(toks, index, base, prefixes, decoded)
    text_out, starts = canonical(toks)
    if _BELT.search(_STRINGS.sub('""', text_out)):
        raise _service()
    offsets = tuple(t.offset for t in toks)
    return QueryInfo(form, default, named, text_out, has_dataset, decoded, offsets, tuple(starts))


def _only_sparql(toks: list[Token], start: int, base, prefixes: dict[str, str], decoded: str) -> None:
    """The query body says nothing but SPARQL: no engine's extension words, no undeclared prefix (an
    engine's predefined ones), no IRI naming an engine procedure (see sparql_terms)."""
    declared = [base or "", *prefixes.values()]
    if any(is_procedure(iri) for iri in declared):
        raise _procedure(decoded, toks[0])
    for token in toks[start:]:
        if token.kind == "word" and token.value.upper() not in WORDS:
            raise _syntax(
                decoded, token, f"{token.text[:40]!r} is not a word of SPARQL 1.1 (an engine's extension?)"
            )
        if token.kind == "pname":
            prefix = token.value.split(":", 1)[0]
            if prefix not in prefixes:
                message = f"the prefix {prefix}: is not declared: add PREFIX {prefix}: <...>"
                raise _syntax(decoded, token, message)
        elif token.kind == "iri" and is_procedure(_resolve(token.value, base)):
            raise _procedure(decoded, token)


def _procedure(decoded: str, token: Token) -> Refused:
    return _syntax(
        decoded,
        token,
        "an IRI in the bif: or sql: scheme names a database procedure, not data: this server runs "
        "SPARQL only, never an engine's own functions",
        what="refused",
    )


def _service() -> Refused:
    return Refused(
        "SERVICE is refused: this server never sends a request to another endpoint on a user's "
        "behalf; run federated queries from your own client"
    )


def _syntax(decoded: str, token: Token, message: str, what: str = "SPARQL syntax error") -> Refused:
    line = decoded.count("\n", 0, token.offset) + 1
    column = token.offset - (decoded.rfind("\n", 0, token.offset) + 1) + 1
    return Refused(_with_pointer(f"{what} at line {line}, column {column}: {message}", decoded, line, column))


def _prologue(toks: list[Token], decoded: str) -> tuple[str | None, dict[str, str], int]:
    """BASE and PREFIX declarations: (base, {prefix: namespace}, index of the first token after them)."""
    base: str | None = None
    prefixes: dict[str, str] = {}
    i = 0
    while i < len(toks) and toks[i].kind == "word" and toks[i].value.upper() in ("BASE", "PREFIX"):
        if toks[i].value.upper() == "BASE":
            if i + 1 >= len(toks) or toks[i + 1].kind != "iri":
                raise _syntax(decoded, toks[min(i + 1, len(toks) - 1)], "BASE must be followed by an <IRI>")
            base = _resolve(toks[i + 1].value, base)
            i += 2
        else:
            ok = i + 2 < len(toks) and toks[i + 1].kind == "pname" and toks[i + 1].value.endswith(":")
            if not ok or toks[i + 2].kind != "iri":
                raise _syntax(
                    decoded, toks[min(i + 1, len(toks) - 1)], "PREFIX must be followed by name: <IRI>"
                )
            prefixes[toks[i + 1].value[:-1]] = _resolve(toks[i + 2].value, base)
            i += 3
    return base, prefixes, i


def _resolve(iri: str, base: str | None) -> str:
    return urljoin(base, iri) if base else iri


def _dataset(toks, start, base, prefixes, decoded) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    default: list[str] = []
    named: list[str] = []
    found = False
    for i in range(start, len(toks)):
        if toks[i].kind != "word" or toks[i].value.upper() != "FROM":
            continue
        found = True
        j = i + 1
        target = (
            named
            if j < len(toks) and toks[j].kind == "word" and toks[j].value.upper() == "NAMED"
            else default
        )
        j += target is named
        if j >= len(toks) or toks[j].kind not in ("iri", "pname"):
            raise _syntax(decoded, toks[min(j, len(toks) - 1)], "FROM must be followed by a graph IRI")
        term = toks[j]
        if term.kind == "iri":
            target.append(_resolve(term.value, base))
        else:
            prefix, _, local = term.value.partition(":")
            if prefix not in prefixes:
                raise _syntax(decoded, term, f"the prefix {prefix + ':'!r} is not declared")
            target.append(prefixes[prefix] + re.sub(r"\\(.)", r"\1", local))
    return tuple(default), tuple(named), found


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
