"""The text a Virtuoso server is given: the check's canonical text, with the one form Virtuoso 7.2 cannot
compile written another way that gives the same rows.

Virtuoso 7.2 (07.20.3229) refuses a group that fixes two or more variables to one value each in one
construct (a one-row VALUES block of two variables, or two BINDs of constants) when the group also has
an OPTIONAL and the query does not project every fixed variable: HTTP 400, "SP031: SPARQL compiler:
Internal error: ssg_print_rvr_fixed_val(): no SPART_VARR_FIXED". A council's saved question asked with a
report is exactly that (`VALUES (?report ?council) { (<year> <council>) }`, claims, risks, mentions ...).
The same bindings as one VALUES block per variable compile, and are the same solutions: the join of
one-row tables is their one row.

The rewrite is for Virtuoso only: on Oxigraph the per-variable form changed the plan and made
indicator-history ten times slower at 10 M triples (BENCHMARKS.md, "Virtuoso at about 10 M triples"),
so the other engines keep the text the check wrote.
"""

from __future__ import annotations

from ..sparql import Canonical, for_engine
from ..sparql.lexer import Token, decode_escapes, tokens

_TERM_KINDS = frozenset({"iri", "string", "number", "word", "bnode"})


def _term(toks: list[Token], i: int) -> int | None:
    """The index after the data-block term that starts at toks[i] (an IRI, a number, a boolean or
    UNDEF, a literal with its language tag or datatype), or None when toks[i] starts no term."""
    if i >= len(toks) or toks[i].kind not in _TERM_KINDS:
        return None
    if toks[i].kind == "string" and i + 1 < len(toks):
        if toks[i + 1].kind == "langtag":
            return i + 2
        if toks[i + 1].text == "^^" and i + 2 < len(toks) and toks[i + 2].kind == "iri":
            return i + 3
    return i + 1


def _one_row_block(toks: list[Token], i: int) -> tuple[int, list[str], list[tuple[int, int]]] | None:
    """For `VALUES ( ?a ?b ... ) { ( t1 t2 ... ) }` at toks[i]: (index after it, the variables, each
    term's token span); None for any other form (one variable, several rows, no row)."""
    j = i + 1
    if j >= len(toks) or toks[j].text != "(":
        return None
    names: list[str] = []
    j += 1
    while j < len(toks) and toks[j].kind == "var":
        names.append(toks[j].text)
        j += 1
    if len(names) < 2 or [t.text for t in toks[j : j + 3]] != [")", "{", "("]:
        return None
    j += 3
    spans: list[tuple[int, int]] = []
    while len(spans) < len(names):
        end = _term(toks, j)
        if end is None:
            return None
        spans.append((j, end))
        j = end
    if j + 1 >= len(toks) or toks[j].text != ")" or toks[j + 1].text != "}":
        return None
    return j + 2, names, spans


def for_virtuoso(text: Canonical) -> Canonical:
    """`text` with every one-row VALUES block of several variables inside a group written as one block
    per variable (an UNDEF cell as no block: a one-row table with UNDEF constrains nothing). A trailing
    VALUES clause (after the query's WHERE group, where only one block may stand) is left as written,
    as is a text whose strings hold codepoint escapes (re-read, they would be decoded twice)."""
    if "VALUES" not in text.upper() or decode_escapes(text) != text:
        return text
    toks = tokens(text)
    out: list[str] = []
    at = 0  # how much of `text` is in `out`
    depth = 0
    i = 0
    while i < len(toks):
        token = toks[i]
        if token.text == "{":
            depth += 1
        elif token.text == "}":
            depth -= 1
        elif token.kind == "word" and token.value.upper() == "VALUES" and depth > 0:
            found = _one_row_block(toks, i)
            if found is not None:
                end, names, spans = found
                blocks = [
                    f"VALUES {name} {{ {text[toks[a].offset : toks[b - 1].end]} }}"
                    for name, (a, b) in zip(names, spans, strict=True)
                    if not (b == a + 1 and toks[a].kind == "word" and toks[a].value.upper() == "UNDEF")
                ]
                out += [text[at : token.offset], " ".join(blocks)]
                at = toks[end - 1].end
                i = end
                continue
        i += 1
    if not out:
        return text
    return for_engine("".join(out) + text[at:])
