"""og:within, written by the build (queries/derived/within.rq), is og:partOf's reflexive and transitive
closure: the saved queries that ask it with one triple pattern (so that Virtuoso answers them right on a
dataset of many graphs) give the rows the property-path forms gave, for every statute, provision,
framework and framework element as their parameter."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from outcome_graph.namespaces import OG
from outcome_graph.saved_queries import load_queries, run_query

KINDS = ("Statute", "Provision", "Framework", "FrameworkElement")
# each query, its parameter, and the property-path form it had before og:within
PATH_FORMS = {
    "mentions": ("target", [("og:within ?target", "og:partOf* ?target")]),
    "implementing-records": ("provision", [("og:within ?provision", "og:partOf* ?provision")]),
    "unimplemented-provisions": (
        "statute",
        [
            ("og:within ?statute .\n  FILTER(?provision != ?statute)", "og:partOf+ ?statute ."),
            ("?part og:within ?provision", "?part og:partOf* ?provision"),
        ],
    ),
}


def nodes(store) -> list[str]:
    values = " ".join(f"og:{k}" for k in KINDS)
    query = f"PREFIX og: <{OG}> SELECT DISTINCT ?n WHERE {{ VALUES ?k {{ {values} }} ?n a ?k }} ORDER BY ?n"
    return [str(r["n"]) for r in store.select(query).rows]


def as_rows(result) -> Counter:
    return Counter(tuple(sorted((k, v.n3()) for k, v in row.items())) for row in result.rows)


def test_within_is_the_closure_of_part_of(built_store):
    """Every node within itself, and X within Y exactly when Y is reached from X along og:partOf."""
    found = nodes(built_store)
    assert len(found) > 50  # the 2014 Act's parts and sections, the frameworks and their elements
    kinds = " ".join(f"og:{k}" for k in KINDS)
    closure = f"PREFIX og: <{OG}> SELECT ?a ?b WHERE {{ VALUES ?k {{ {kinds} }} ?a a ?k ; og:partOf* ?b }}"
    expected = as_rows(built_store.select(closure))
    within = f"PREFIX og: <{OG}> SELECT ?a ?b WHERE {{ ?a og:within ?b }}"
    assert as_rows(built_store.select(within)) == expected
    assert all(Counter({(("a", f"<{n}>"), ("b", f"<{n}>")): 1}) <= expected for n in found)


@pytest.mark.parametrize("name", sorted(PATH_FORMS))
def test_the_queries_give_the_rows_of_their_property_path_forms(built_store, name):
    query = load_queries()[name]
    parameter, swaps = PATH_FORMS[name]
    old_text = query.text
    for new, old in swaps:
        assert new in old_text, f"{name} no longer reads {new!r}"
        old_text = old_text.replace(new, old)
    old = dataclasses.replace(query, text=old_text)
    answered = 0
    for node in nodes(built_store):
        got = run_query(built_store, query, {parameter: node}, timeout=30)
        expected = run_query(built_store, old, {parameter: node}, timeout=30)
        assert as_rows(got) == as_rows(expected), f"{name} {parameter}={node}"
        answered += bool(got.rows)
    assert answered > 0, f"{name} answered no node at all: the comparison proves nothing"
