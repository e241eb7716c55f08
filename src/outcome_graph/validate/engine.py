"""Runs pySHACL over an in-memory rdflib graph (its fastest setting) with the project's shapes.

Three things keep the SHACL-SPARQL rules cheap and their cost linear in the graph's size:
- pySHACL checks every constraint's text against SHACL's restrictions (no MINUS, VALUES, SERVICE; nested
  SELECTs project $this) with regular expressions once per focus node, not once per text; over a long
  query text these backtrack, and were a third of a report's validation: the check's answer depends only
  on the text and the variables that may be pre-bound, so it is made once per text (`_checked_once`);
- pySHACL sends the same query text once per focus node and rdflib would parse it each time (about
  18 ms, against well under 1 ms to evaluate it), so texts are parsed once and cached;
- rdflib orders the triples of a basic graph pattern once, when it parses, by a guess that cannot know
  that $this will be bound, and may start from a triple that scans every observation in the graph for
  each focus node (quadratic). While validating, basic graph patterns are evaluated instead in the
  order of what is bound at run time: each step takes the pattern whose subject (then object) is
  already known, so every rule walks outward from its focus node.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from itertools import islice

from rdflib import BNode, Graph, Variable
from rdflib.paths import Path
from rdflib.plugins.sparql import CUSTOM_EVALS, prepareQuery
from rdflib.plugins.sparql.sparql import Query, QueryContext

from .results import ValidationSummary, parse_report
from .shapes import load_shapes
from .targets import oxigraph_copy, select_on

_EVAL_KEY = "outcome_graph.validate:bound-first-bgp"
_lock = threading.Lock()
_CAP = 64
_UNANCHORED = 1 << 40


_IMPORT = threading.Lock()


def import_pyshacl():
    """pySHACL's validate, imported by one thread at a time: the server imports it in the background after
    its first pages (serve/warmup.py) while a validation may ask for it (two threads importing the same
    modules at once can meet a partially initialised one)."""
    with _IMPORT:
        from pyshacl import validate

        _checked_once()
        return validate


def _checked_once() -> None:
    """pySHACL's check of a SHACL-SPARQL text, made once per (text, pre-bound variables) instead of once
    per focus node. The check is a pure function of those (regular expressions over the text), so the
    same texts pass or fail as before; a failure is not remembered and raises again every time."""
    from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper

    check = SPARQLQueryHelper.check_invalid_sparql
    if getattr(check, "_outcome_graph_once", False):
        return
    passed: set[tuple] = set()

    def check_invalid_sparql(self, sparql_text, valuenode=None, extravars=None):
        key = (sparql_text, valuenode is None, frozenset(extravars or ()))
        if key not in passed:
            check(self, sparql_text, valuenode, extravars)
            passed.add(key)
        return True

    check_invalid_sparql._outcome_graph_once = True  # type: ignore[attr-defined]
    SPARQLQueryHelper.check_invalid_sparql = check_invalid_sparql


def _shacl_validate(*args, **kwargs):
    # imported when a validation runs: pySHACL's import takes seconds on a loaded machine, and the server
    # need not pay it before its first answer
    return import_pyshacl()(*args, **kwargs)


@lru_cache(maxsize=512)
def _prepared(text: str) -> Query:
    return prepareQuery(text)


class _PreparedQueryGraph(Graph):
    """The data graph as pySHACL sees it: the same store; query texts parsed once. A target's query (the
    only kind pySHACL sends with nothing pre-bound) goes to an Oxigraph copy of the graph, made on the
    first one (validate/targets.py says why)."""

    _copy = None

    def query(
        self,
        query_object,
        processor="sparql",
        result="sparql",
        initNs=None,
        initBindings=None,
        *args,
        **kwargs,
    ):  # noqa: N803
        # rdflib's own signature: pySHACL passes these by position
        if isinstance(query_object, str) and not initBindings and not initNs:
            if self._copy is None:
                self._copy = oxigraph_copy(self)
            return select_on(self._copy, query_object)
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, processor, result, initNs, initBindings, *args, **kwargs)


def _count(graph: Graph, pattern: tuple, exact_unanchored: bool) -> int:
    """How many triples match `pattern`, from the in-memory store's indexes (dictionary sizes, no
    iteration). A pattern with only its predicate bound is counted only when nothing else is bound
    (the first step of a query that has no focus node); otherwise it is taken as a full scan."""
    s, p, o = pattern
    if isinstance(p, Path):  # a property path: cheap from a bound end, a walk of the graph otherwise
        return 2 if s is not None or o is not None else _UNANCHORED
    store = graph.store
    spo = getattr(store, "_Memory__spo", None)
    pos = getattr(store, "_Memory__pos", None)
    osp = getattr(store, "_Memory__osp", None)
    if spo is None or pos is None or osp is None:  # another store: count a few, enough to rank
        return sum(1 for _ in islice(graph.triples(pattern), _CAP))
    if s is not None:
        by_p = spo.get(s, {})
        if p is not None:
            objects = by_p.get(p, {})
            return (1 if o in objects else 0) if o is not None else len(objects)
        return sum(1 for v in by_p.values() if o is None or o in v)
    if p is not None:
        if o is not None:
            return len(pos.get(p, {}).get(o, {}))
        if exact_unanchored:
            return sum(len(v) for v in pos.get(p, {}).values())
        return _UNANCHORED
    if o is not None:
        return sum(len(v) for v in osp.get(o, {}).values())
    return _UNANCHORED


def _pick(graph: Graph, patterns: list[tuple]) -> int:
    """The pattern with the fewest matches given what is bound now (greedy join ordering)."""
    anchored = any(pat[0] is not None or pat[2] is not None for pat in patterns)
    counts = [_count(graph, pat, exact_unanchored=not anchored) for pat in patterns]
    return counts.index(min(counts))


def _is_var(term) -> bool:
    # as rdflib's QueryContext: in SPARQL a blank node in a pattern is a variable
    return isinstance(term, (Variable, BNode))


def _solve(graph: Graph, triples: list[tuple], known: dict) -> Iterator[dict]:
    """The solutions of `triples` as the variables each adds to `known`. The bindings are kept in a plain
    dict through the recursion, not in a pushed QueryContext per step: looking a variable up through
    rdflib's chain of contexts (for every term of every pattern, at every step, to rank them) was a fifth
    of a report's validation. The order of evaluation, and so of the solutions, is the same as before."""
    if not triples:
        yield known
        return
    patterns = [tuple(known.get(t) if _is_var(t) else t for t in triple) for triple in triples]
    best = _pick(graph, patterns) if len(patterns) > 1 else 0
    s, p, o = triples[best]
    _s, _p, _o = patterns[best]
    rest = triples[:best] + triples[best + 1 :]
    for ss, sp, so in graph.triples((_s, _p, _o)):
        new = known
        if _s is None or _p is None or _o is None:
            new = dict(known)
            clash = False
            for var, bound, value in ((s, _s, ss), (p, _p, sp), (o, _o, so)):
                if bound is None:
                    # the same variable twice in one pattern (?x og:p ?x) must take one value
                    if var in new and new[var] != value:
                        clash = True
                        break
                    new[var] = value
            if clash:
                continue
        yield from _solve(graph, rest, new)


def _bgp(ctx: QueryContext, triples: list) -> Iterator:
    names = {t for triple in triples for t in triple if _is_var(t)}
    known = {t: v for t in names if (v := ctx[t]) is not None}
    for solution in _solve(ctx.graph, triples, known):
        c = ctx.push()
        for var, value in solution.items():
            if var not in known:
                c[var] = value
        yield c.solution()


def _bound_first_eval(ctx: QueryContext, part):
    if part.name != "BGP":
        raise NotImplementedError
    return _bgp(ctx, list(part.triples))


@contextmanager
def _bound_first_bgps() -> Iterator[None]:
    """rdflib's hook for custom evaluation is process-wide, so it is installed only while validating."""
    with _lock:
        CUSTOM_EVALS[_EVAL_KEY] = _bound_first_eval
        try:
            yield
        finally:
            CUSTOM_EVALS.pop(_EVAL_KEY, None)


def validate_graph(graph: Graph, shapes: Graph | None = None) -> ValidationSummary:
    """Validates `graph` (which must hold the vocabulary and code lists, as every build does) against
    `shapes` (default: everything in shapes/). Never modifies `graph`."""
    shapes_graph = shapes if shapes is not None else load_shapes()
    started = time.perf_counter()
    data = _PreparedQueryGraph(
        store=graph.store, identifier=graph.identifier, namespace_manager=graph.namespace_manager
    )
    # No inference: the build asserts every type the shapes target, and RDFS/OWL inference over the
    # whole graph would cost more than the validation itself. advanced=True enables SPARQL targets.
    with _bound_first_bgps():
        _conforms, report, _text = _shacl_validate(
            data,
            shacl_graph=shapes_graph,
            inference="none",
            advanced=True,
            allow_warnings=True,
            allow_infos=True,
            inplace=True,
        )
    results = parse_report(report, shapes_graph, graph)
    seconds = time.perf_counter() - started
    conforms = not any(r.severity == "Violation" for r in results)
    return ValidationSummary(conforms=conforms, results=results, report_graph=report, seconds=seconds)
