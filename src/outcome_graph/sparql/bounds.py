"""Bounds on every construct an engine reads recursively, so that no query that passes the check can
overflow an engine's stack.

Oxigraph's parser and evaluator recurse once per operator of a chain (`1+1+1…`), per step of a property
path, per item of a collection, per triple pattern and group pattern joined, per BIND, and per level of
brackets; about 7,000 chained `+` abort the Oxigraph server (`oxigraph serve`), and every later request
then fails until someone restarts it. Depth and length both count: a chain is as deep as it is long.

What is counted is counted over the whole query, not per bracket: the deepest tree an engine can build
from a query is at most as deep as the query has brackets, chained operators and joined patterns taken
together, whatever their arrangement, so a bound on the totals is a bound on any engine's recursion.
Flat lists (a VALUES block, a function's arguments, an `IN` list) are not counted: engines keep them as
lists. The limits are far above any query a person writes, and well under what the Oxigraph server was
measured to survive (about 7,000 chained `+`; fewer than 4,000 MINUS, BINDs, nested `{` or `[`):
tests/store/test_bounds_on_servers.py sends a query at every limit to a real `oxigraph serve-read-only`
process and checks that it still answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from .lexer import Token

# What each counter names, and its limit. The total bounds them all taken together.
MAX_DEPTH = 200  # nested brackets: ( [ {
MAX_UNARY = 100  # `! ! ! …` and `- - - …` in a row
LIMITS = {
    "operators": (1000, "operators in expressions (+ - * / && || = != < > <= >= IN)"),
    # Oxigraph plans a join of n patterns in more than linear time: 100 triple patterns (or path steps, or
    # collection items, each of which is a pattern) take it about 2 s, 250 more than 15 s
    "path": (100, "steps in property paths (/ | ^)"),
    "collection": (100, "items in collections `( … )`"),
    "triples": (100, "triple patterns (. ; , [ ])"),
    "patterns": (500, "group patterns ({ } UNION OPTIONAL MINUS FILTER GRAPH)"),
    "binds": (200, "BINDs"),
}
MAX_TOTAL = 1500  # all of the above together

_OPERATORS = frozenset(("+", "-", "*", "/", "&&", "||", "=", "!=", "<", ">", "<=", ">="))
_PATH = frozenset(("/", "|", "^"))
_TRIPLES = frozenset((".", ";", ","))
_PATTERN_WORDS = frozenset(("UNION", "OPTIONAL", "MINUS", "FILTER", "GRAPH", "SERVICE", "EXISTS"))
_EXPRESSION_WORDS = frozenset(("IN",))
_TERMS = frozenset(("iri", "pname", "var", "string", "number", "bnode"))
_UNARY = frozenset(("!", "-", "+"))


@dataclass(frozen=True)
class OverBound(Exception):
    """The query is over one of the bounds: `token` is where it went over, `message` says which."""

    message: str
    token: Token


def check_bounds(toks: list[Token]) -> None:
    """Raise OverBound if the query is nested too deeply, or has too many of a recursive construct.

    One pass over the tokens, keeping a stack of what each open bracket holds: `{` a group (or the rows
    of a VALUES block), `[` a blank node's properties, `(` an expression or a collection (which one is
    told by what comes before it, as the grammar tells it).
    """
    counts = dict.fromkeys(LIMITS, 0)
    total = 0
    stack: list[str] = []  # 'group', 'blank', 'expr', 'list', 'values'
    unary = 0
    before: Token | None = None
    values_next = False  # a VALUES keyword was read: its `{` opens a flat block
    for token in toks:
        text, kind = token.text, token.kind
        frame = stack[-1] if stack else "top"
        counted = None
        if kind == "punct" and text in "{([":
            if len(stack) >= MAX_DEPTH:
                raise OverBound(
                    f"the query is nested too deeply (over {MAX_DEPTH} levels of brackets)", token
                )
            if frame == "values":
                stack.append("values")
            elif text == "{":
                stack.append("values" if values_next else "group")
                counted = None if values_next else "patterns"
                values_next = False
            elif text == "[":
                stack.append("blank")  # a blank node's properties are triple patterns
                counted = "collection" if frame == "list" else "triples"
            else:
                stack.append(_paren_kind(frame, before))
                counted = "collection" if frame == "list" else None
        elif kind == "punct" and text in "})]":
            if stack:
                stack.pop()
        elif frame == "values":
            pass  # a VALUES block is a flat table
        elif kind == "word":
            word = token.value.upper()
            if word == "VALUES":
                values_next = True
            elif word == "BIND":
                counted = "binds"
            elif word in _PATTERN_WORDS:
                counted = "patterns"
            elif word in _EXPRESSION_WORDS:
                counted = "operators"
            elif frame == "list" and word in ("A", "TRUE", "FALSE"):
                counted = "collection"
        elif frame == "expr" or frame == "top":
            if (kind == "punct" and text in _OPERATORS) or (kind == "number" and text[0] in "+-"):
                counted = "operators"
        elif frame == "list":
            if kind in _TERMS:
                counted = "collection"
            elif kind == "punct" and text in _PATH:
                counted = "path"
        elif kind == "punct":  # in a group or a blank node's properties
            if text in _PATH:
                counted = "path"
            elif text in _TRIPLES:
                counted = "triples"
        if kind == "punct" and text in _UNARY:
            unary += 1
            if unary > MAX_UNARY:
                raise OverBound(f"more than {MAX_UNARY} unary operators in a row (! - +)", token)
        else:
            unary = 0
        if counted:
            counts[counted] += 1
            total += 1
            limit, what = LIMITS[counted]
            if counts[counted] > limit:
                raise OverBound(f"the query has more than {limit} {what}", token)
            if total > MAX_TOTAL:
                raise OverBound(
                    f"the query has more than {MAX_TOTAL} operators, path steps, collection items, "
                    "triple patterns, group patterns and BINDs in all",
                    token,
                )
        before = token


def _paren_kind(frame: str, before: Token | None) -> str:
    """'expr' for the `(` of a call, a FILTER, a BIND, a projection or a bracketed expression; 'list'
    for a collection (or the bracket of a property path), which stands where a term may."""
    if frame in ("expr", "top"):
        return "expr"
    if before is None or before.kind == "word" and before.value.upper() not in ("A", "TRUE", "FALSE"):
        return "expr"  # FILTER (, BIND (, a function's call, VALUES (?a ?b), GROUP BY (
    return "list"
