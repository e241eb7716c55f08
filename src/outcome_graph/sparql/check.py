"""Check a query before it runs: the server is read-only and never makes a request on a user's behalf.

pyoxigraph and the Oxigraph server fetch any SERVICE IRI (SERVICE SILENT too) with no switch to turn
it off, and other engines fetch FROM/FROM NAMED documents and LOAD. What is checked is exactly what
runs: the query is read once by SPARQL 1.1's own lexical rules (`lexer`), the checks read those
tokens, and every engine is given only the canonical text written from them (`Canonical`), never the
text the client sent: every prefixed name written as its full IRI, no PREFIX and no BASE (relative
IRIs resolved; BASE kept only where IRI()/URI() need it at run time), a space between every two tokens.
Oxigraph matches keywords with no word boundary (`SERVICEx:` reads as `SERVICE x:`): in the canonical
text the only bare words are SPARQL's own, so no engine can read a keyword the check did not see.

What is refused: SERVICE anywhere (the keyword layer, `refuse_outbound_words`; and the belt, `belt`,
SERVICE or LOAD as a word anywhere in the canonical text outside strings and IRIs), LOAD and every
update, a dataset (FROM, FROM NAMED) naming a graph that is not in the store (`check_dataset`), a
construct over its bound (`bounds`), SPARQL 1.2's syntax, and anything that is not SPARQL: a word that
is not one of its keywords or functions, an undeclared prefix, an IRI naming an engine's procedure
(`terms`: a remote Virtuoso would otherwise fetch a URL for `bif:http_get`). The dataset is also handed
to the engine explicitly, which overrides the query's own FROM / FROM NAMED.

Checking is linear in the length of the text, takes no lock, and a text is read once; the query workers
have no network at all (`store.workers`), the layer below.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .bounds import OverBound, check_bounds
from .iri import resolve
from .lexer import V12, LexError, Token, decode_escapes, position_in, tokens
from .terms import WORDS, is_procedure

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATES = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
# The belt: SERVICE or LOAD as a word of its own anywhere outside string literals of the canonical
# text (a prefixed name's local part `og:service` or a variable `?service` is not one).
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|<[^<>"{}|^`\\\x00-\x20]*>', re.S)  # strings, IRIs
_BELT = re.compile(r"(?<![\w:?$@\-.\\%/#])(?:service|load)(?![\w:\-])", re.I)
_ENGINE_POSITION = re.compile(r"error at (\d+):(\d+): ?")


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
# texts up to this length are checked where they arrive (about a millisecond): the server, or the worker
# that runs them; a longer one in a checker process under its own deadline (serve.safety)
IN_PROCESS = 8192


def check_query(text: str) -> QueryInfo:
    """The query's form, dataset and canonical text, or Refused: a syntax error, an update, SERVICE, a
    construct over its bound, SPARQL 1.2. Linear in the length of the text."""
    if len(text) <= CACHED:
        return _check_cached(text)
    return _check(text)


@functools.lru_cache(maxsize=1024)
def _check_cached(text: str) -> QueryInfo:
    return _check(text)


class Canonical(str):
    """A query text the check wrote: the only kind of text a store gives an engine (see `for_engine`)."""

    __slots__ = ()


def for_engine(text: str) -> Canonical:
    """`text` as an engine may be given it: itself if the check wrote it, else its canonical text.

    The stores call this on every query they send, so a text that did not pass the check (an internal
    query, a saved query with its parameters bound) cannot reach an engine by any path.
    """
    if type(text) is Canonical:
        return text
    return check_query(text).text


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
    refuse_outbound_words(toks)
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
    if form == "VERSION":
        raise _v12(decoded, head, "VERSION")
    if form not in FORMS:
        raise _syntax(decoded, head, f"expected SELECT, ASK, CONSTRUCT or DESCRIBE, found {head.text[:40]!r}")
    body = toks[index:]
    try:
        check_bounds(body)
    except OverBound as e:
        raise _syntax(
            decoded, e.token, e.message + ": simplify the query or split it", what="refused"
        ) from None
    written = _write(body, base, prefixes, decoded)
    default, named, has_dataset = _dataset(body, written, decoded)
    if base is not None and any(t.kind == "word" and t.value.upper() in ("IRI", "URI") for t in body):
        # IRI("x") and URI("x") resolve a string against the query's base at run time: the one case
        # where the base is still needed once every IRI in the text is absolute
        body = [Token("word", "BASE", "BASE", 0, 0), Token("iri", f"<{base}>", base, 0, 0), *body]
        written = [f"<{base}>" if i == 1 else w for i, w in enumerate(["BASE", "", *written])]
    text_out, starts = _join(body, written)
    belt(text_out)
    offsets = tuple(t.offset for t in body)
    return QueryInfo(form, default, named, Canonical(text_out), has_dataset, decoded, offsets, starts)


def refuse_outbound_words(toks: list[Token]) -> None:
    """The keyword layer: SERVICE or LOAD as a keyword token anywhere, at any depth, is refused."""
    for token in toks:
        if token.kind == "word":
            word = token.value.upper()
            if word == "SERVICE":
                raise _service()
            if word == "LOAD":
                raise _load()


def belt(text_out: str) -> None:
    """The belt, under the keyword layer: SERVICE or LOAD as a word of its own anywhere in the canonical
    text outside its strings and IRIs (a variable `?service` or a blank node `_:load` is not one)."""
    m = _BELT.search(_STRINGS.sub('""', text_out))
    if m:
        raise _load() if m.group().upper() == "LOAD" else _service()


def _load() -> Refused:
    return Refused("LOAD is refused: this server never fetches a document on a user's behalf", 400)


def _write(body: list[Token], base: str | None, prefixes: dict[str, str], decoded: str) -> list[str]:
    """The canonical text's pieces, one per token: every prefixed name written as its full `<IRI>` and
    every IRI resolved against BASE, so that no prefixed name, PREFIX or BASE reaches an engine; only
    SPARQL's own words (SPARQL 1.2's are refused); no IRI that names an engine's procedure.

    A literal's language tag or datatype is written against it (`"x"@en`, `"1"^^<…>`): both read as one
    term for every engine, and some engines want them so."""
    out: list[str] = []
    for i, token in enumerate(body):
        kind = token.kind
        if kind in ("word", "number") and i >= 2 and body[i - 1].text == "/" and _glued(body, i - 1):
            slashed = _slashed_name(body, i, prefixes, decoded)
            if slashed:
                raise _syntax(decoded, slashed[0], slashed[1])
        if kind == "word":
            word = token.value.upper()
            if word in ("PREFIX", "BASE", "VERSION"):
                if word == "VERSION":
                    raise _v12(decoded, token, "VERSION")
                raise _syntax(
                    decoded, token, f"{token.text} belongs before SELECT, ASK, CONSTRUCT or DESCRIBE"
                )
            if word not in WORDS:
                raise _syntax(decoded, token, _not_a_word(token))
            piece = token.text
        elif kind == "pname":
            prefix, _, local = token.value.partition(":")
            if prefix not in prefixes:
                raise _syntax(
                    decoded, token, f"the prefix {prefix}: is not declared: add PREFIX {prefix}: <...>"
                )
            namespace = prefixes[prefix]
            if namespace is None:
                raise _syntax(
                    decoded, token, f"the prefix {prefix}: names a relative IRI and the query has no BASE"
                )
            piece = "<" + namespace + (re.sub(r"\\(.)", r"\1", local) if "\\" in local else local) + ">"
        elif kind == "iri":
            iri = resolve(token.value, base)
            if iri is None:
                raise _syntax(
                    decoded,
                    token,
                    f"<{token.value[:60]}> is a relative IRI and the query has no BASE: write the full IRI",
                )
            piece = "<" + iri + ">"
        else:
            piece = token.text
        if (kind == "iri" or kind == "pname") and is_procedure(piece[1:-1]):
            raise _procedure(decoded, token)
        out.append(piece)
    return out


def _join(body: list[Token], pieces: list[str]) -> tuple[str, tuple[int, ...]]:
    """The pieces with a space between each two, but a language tag or `^^` written against its
    literal and a built-in's name against its `(`; and where each piece starts."""
    parts: list[str] = []
    starts: list[int] = []
    size = 0
    before = ""
    before_kind = ""
    for token, piece in zip(body, pieces, strict=True):
        # Oxigraph reads some built-in calls only with the `(` against the name (`IF(`, not `IF (`)
        call = piece == "(" and before_kind == "word"
        if parts and not (call or token.kind == "langtag" or piece == "^^" or before == "^^"):
            parts.append(" ")
            size += 1
        starts.append(size)
        parts.append(piece)
        size += len(piece)
        before, before_kind = piece, token.kind
    return "".join(parts), tuple(starts)


_STOPS = frozenset("{}()[];,.")


def _glued(body: list[Token], i: int) -> bool:
    """Whether body[i] is written against the tokens on both sides, with no space."""
    return body[i - 1].end == body[i].offset and (i + 1 >= len(body) or body[i].end == body[i + 1].offset)


def _slashed_name(body: list[Token], i: int, prefixes, decoded: str) -> tuple[Token, str] | None:
    """A prefixed name that runs on with `/` (`ogr:midlothian/report/2020-2021`): a prefixed name cannot
    hold a `/`, so the query reads a property path and then a stray word. Said as such, with the IRI
    to write instead; None if body[i] does not end such a name."""
    start = i - 1
    while start > 0 and body[start - 1].end == body[start].offset and body[start - 1].kind != "pname":
        start -= 1
    first = body[start - 1] if start > 0 else None
    if first is None or first.kind != "pname" or first.end != body[start].offset:
        return None
    end = i
    while end + 1 < len(body) and body[end].end == body[end + 1].offset and body[end + 1].text not in _STOPS:
        end += 1
    written = decoded[first.offset : body[end].end]
    prefix, _, local = first.value.partition(":")
    namespace = prefixes.get(prefix)
    full = f"<{namespace}{local}{decoded[first.end : body[end].end]}>" if namespace else "<…full IRI…>"
    return first, (
        f"{written!r} is not one prefixed name: a prefixed name cannot hold a '/' (the query reads a "
        f"property path there); write the IRI in full between < and >: {full}"
    )


def _not_a_word(token: Token) -> str:
    return f"{token.text[:40]!r} is not a word of SPARQL 1.1 (an engine's extension?)"


def _v12(decoded: str, token: Token, what: str) -> Refused:
    return _syntax(decoded, token, f"{what} is SPARQL 1.2; {V12}", what="refused")


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


def _prologue(toks: list[Token], decoded: str) -> tuple[str | None, dict[str, str | None], int]:
    """BASE and PREFIX declarations: (base, {prefix: namespace or None if relative with no base}, index
    of the first token after them). Each is resolved against the BASE in force where it stands."""
    base: str | None = None
    prefixes: dict[str, str | None] = {}
    i = 0
    while i < len(toks) and toks[i].kind == "word" and toks[i].value.upper() in ("BASE", "PREFIX"):
        if toks[i].value.upper() == "BASE":
            if i + 1 >= len(toks) or toks[i + 1].kind != "iri":
                raise _syntax(decoded, toks[min(i + 1, len(toks) - 1)], "BASE must be followed by an <IRI>")
            resolved = resolve(toks[i + 1].value, base)
            if resolved is None:
                raise _syntax(decoded, toks[i + 1], "the first BASE must be an absolute IRI")
            if is_procedure(resolved):
                raise _procedure(decoded, toks[i + 1])
            base = resolved
            i += 2
        else:
            # PNAME_NS: a prefix and one colon, nothing after it (`ex:ex:` and `::` are no declarations)
            ok = (
                i + 2 < len(toks)
                and toks[i + 1].kind == "pname"
                and toks[i + 1].value.find(":") == len(toks[i + 1].value) - 1
            )
            if not ok or toks[i + 2].kind != "iri":
                raise _syntax(
                    decoded, toks[min(i + 1, len(toks) - 1)], "PREFIX must be followed by name: <IRI>"
                )
            namespace = resolve(toks[i + 2].value, base)
            if namespace is not None and is_procedure(namespace):
                raise _procedure(decoded, toks[i])
            prefixes[toks[i + 1].value[:-1]] = namespace
            i += 3
    return base, prefixes, i


def _dataset(body: list[Token], written: list[str], decoded: str):
    """FROM and FROM NAMED: (default graphs, named graphs, whether there were any), as written out."""
    default: list[str] = []
    named: list[str] = []
    found = False
    for i, token in enumerate(body):
        if token.kind != "word" or token.value.upper() != "FROM":
            continue
        found = True
        j = i + 1
        is_named = j < len(body) and body[j].kind == "word" and body[j].value.upper() == "NAMED"
        j += is_named
        if j >= len(body) or body[j].kind not in ("iri", "pname"):
            raise _syntax(decoded, body[min(j, len(body) - 1)], "FROM must be followed by a graph IRI")
        (named if is_named else default).append(written[j][1:-1])
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
