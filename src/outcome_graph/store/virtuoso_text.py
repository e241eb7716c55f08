"""The text a Virtuoso server is given: the check's canonical text, with three forms Virtuoso 7.2 cannot
compile, costs as a cross product, or compiles for seconds, written another way that gives the same rows
(`for_virtuoso`; each rewrite's reason at its function):

- `_split`: a one-row VALUES block of several variables, as one block per variable (below);
- `_filter_only_constants`: a one-value block only its group's filters read, written into the filters;
- `_unions_apart`: a run of UNION branches holding sub-selects, as one sub-select of its own.

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


def _split(text: Canonical) -> Canonical:
    """`text` with every one-row VALUES block of several variables inside a group written as one block
    per variable (an UNDEF cell as `VALUES ?v { UNDEF }`: the variable stays in `SELECT *`). A trailing
    VALUES clause (after the query's WHERE group, where only one block may stand) is left as written,
    as is a text whose strings hold codepoint escapes (re-read, they would be decoded twice)."""
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
                ]
                out += [text[at : token.offset], " ".join(blocks)]
                at = toks[end - 1].end
                i = end
                continue
        i += 1
    if not out:
        return text
    return for_engine("".join(out) + text[at:])


def _groups(toks: list[Token]) -> list[int]:
    """For each token, the index of the `{` that opens the group it stands in (-1: outside every group)."""
    out, stack = [], [-1]
    for i, t in enumerate(toks):
        if t.text == "}" and len(stack) > 1:
            stack.pop()
        out.append(stack[-1])
        if t.text == "{":
            stack.append(i)
    return out


def _filter_end(toks: list[Token], i: int) -> int:
    """The index after the constraint of the FILTER at toks[i]: a bracketed expression, a function
    call, or [NOT] EXISTS with its group."""
    j = i + 1
    if j < len(toks) and toks[j].kind == "word" and toks[j].value.upper() == "NOT":
        j += 1
    opening = "{" if j < len(toks) and toks[j].kind == "word" and toks[j].value.upper() == "EXISTS" else "("
    closing = "}" if opening == "{" else ")"
    while j < len(toks) and toks[j].text != opening:
        j += 1
    depth = 0
    for k in range(j, len(toks)):
        depth += (toks[k].text == opening) - (toks[k].text == closing)
        if depth == 0:
            return k + 1
    return len(toks)


def _filter_only_constants(text: Canonical) -> Canonical:
    """`text` with each one-value VALUES block (`VALUES ?v { term }`) whose variable is read by nothing
    but the FILTERs of the same group taken out, and the term written in those filters instead.

    The same rows: every solution of the group has ?v = term (the block is joined into the group, and a
    FILTER constrains the group's solutions), and ?v is read nowhere else (no pattern, projection,
    aggregate, sub-select or outer group; no `SELECT *`), so nothing sees its binding. Virtuoso costs a
    block that no pattern joins as a cross product with the whole scan: note-search for one council
    (?text read by its CONTAINS filter only) was refused as "estimated 1,528 s"; with "Covid" in the
    filter it answers the same 572 rows in 0.2 s (at 10 M triples). A variable inside a group nested in
    the filter (EXISTS { ... }) is another use, so such a block is kept."""
    toks = tokens(text)
    if any(
        t.text == "*" and toks[i - 1].value.upper() in ("SELECT", "DISTINCT", "REDUCED", "DESCRIBE")
        for i, t in enumerate(toks)
        if i
    ):
        return text
    group = _groups(toks)
    in_filter: dict[int, int] = {}  # token index -> group of the FILTER it is read by
    for i, t in enumerate(toks):
        if t.kind == "word" and t.value.upper() == "FILTER":
            for k in range(i + 1, _filter_end(toks, i)):
                in_filter.setdefault(k, group[i])
    uses: dict[str, list[int]] = {}
    for i, t in enumerate(toks):
        if t.kind == "var":
            uses.setdefault(t.text, []).append(i)
    cut: dict[int, tuple[int, str]] = {}  # token index -> (index after the replaced span, replacement)
    for i, t in enumerate(toks[:-3]):
        if not (t.kind == "word" and t.value.upper() == "VALUES" and toks[i + 1].kind == "var"):
            continue
        end = _term(toks, i + 3) if toks[i + 2].text == "{" else None
        if end is None or end >= len(toks) or toks[end].text != "}":
            continue
        if toks[i + 3].kind == "word" and toks[i + 3].value.upper() == "UNDEF":
            continue
        others = [k for k in uses[toks[i + 1].text] if k != i + 1]
        if not others or any(in_filter.get(k) != group[i] or group[k] != group[i] for k in others):
            continue
        if any(toks[k - 2].kind == "word" and toks[k - 2].value.upper() == "BOUND" for k in others):
            continue  # BOUND(term) is no SPARQL (Virtuoso: SP030 syntax error): the block is kept
        term = text[toks[i + 3].offset : toks[end - 1].end]
        cut[i] = (end + 1, "")
        cut.update({k: (k + 1, term) for k in others})
    if not cut:
        return text
    out: list[str] = []
    at = 0
    for i in sorted(cut):
        after, replacement = cut[i]
        out += [text[at : toks[i].offset], replacement]
        at = toks[after - 1].end
    return for_engine("".join(out) + text[at:])


def _closing(toks: list[Token]) -> dict[int, int]:
    """The index of each `{`'s matching `}`."""
    out, stack = {}, []
    for i, t in enumerate(toks):
        if t.text == "{":
            stack.append(i)
        elif t.text == "}" and stack:
            out[stack.pop()] = i
    return out


def _unions_apart(text: Canonical) -> Canonical:
    """`text` with each run of two or more UNION branches that hold a sub-select written as one
    sub-select of its own, `{ SELECT * WHERE { {B1} UNION {B2} ... } }`, in the run's place.

    The same rows: UNION is associative, and a sub-select that projects every variable in scope of a
    group is that group. Virtuoso 7.2 compiles such branches with the patterns of the group they stand in
    and takes seconds to: reported-totals for a council's report (ten count branches, each a grouped
    sub-select, beside the totals' patterns) took 1.4-3.1 s at 10 M triples and as long on an empty
    graph, and 0.3 s with its branches apart. A branch without a sub-select (reported-totals' empty
    branch, which keeps every total) stays outside: Virtuoso joins a sub-select's unbound variable with
    nothing, where SPARQL joins it with everything. On Oxigraph the same form ran 1.5-2x slower, so the
    query files keep the plain form."""
    toks = tokens(text)
    closing = _closing(toks)
    runs: list[tuple[int, int]] = []  # token spans (first `{`, last `}`) to wrap
    i = 0
    while i < len(toks):
        if toks[i].text != "{" or i not in closing:
            i += 1
            continue
        branches = [(i, closing[i])]
        while (
            branches[-1][1] + 2 < len(toks)
            and toks[branches[-1][1] + 1].value.upper() == "UNION"
            and toks[branches[-1][1] + 2].text == "{"
        ):
            start = branches[-1][1] + 2
            branches.append((start, closing[start]))
        if len(branches) < 2:
            i += 1
            continue
        run: list[tuple[int, int]] = []
        for a, b in [*branches, (-1, -1)]:
            holds = a >= 0 and any(t.value.upper() == "SELECT" for t in toks[a:b])
            if holds:
                run.append((a, b))
                continue
            if len(run) >= 2:
                runs.append((run[0][0], run[-1][1]))
            run = []
        i = branches[0][0] + 1  # on into the first branch: a union inside a branch is read too
    runs = [r for r in runs if not any(o != r and o[0] <= r[0] and r[1] <= o[1] for o in runs)]
    if not runs:
        return text
    out: list[str] = []
    at = 0
    for a, b in sorted(set(runs)):
        out += [text[at : toks[a].offset], "{ SELECT * WHERE { ", text[toks[a].offset : toks[b].end], " } }"]
        at = toks[b].end
    return for_engine("".join(out) + text[at:])


def for_virtuoso(text: Canonical) -> Canonical:
    """The text Virtuoso is given for `text` (the check's): one-row blocks of several variables split
    (`_split`), a block that only its group's filters read written into them
    (`_filter_only_constants`), and a union of sub-selects set apart (`_unions_apart`). A text whose
    strings hold codepoint escapes is given as written (read again, they would be decoded twice)."""
    if decode_escapes(text) != text:
        return text
    upper = text.upper()
    if "VALUES" in upper:
        text = _filter_only_constants(_split(text))
    return _unions_apart(text) if "UNION" in upper else text
