"""The package's layout has no import circles: each view reads the store through the query layer
(outcome_graph.query_layer) and imports it, never another view; the trace modules, the count and
saved-query readers and the store's modules each import what they need one way.

The import graph is read from the source with ast (every `import` and `from ... import`, also those
inside functions: a lazy import is still a dependency), so a circle anywhere fails this test."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

import outcome_graph

ROOT = Path(outcome_graph.__file__).resolve().parent
# The one circle left, in the query language's checker: the worker process runs the checker
# (serve.safety) and the checker's own pool starts workers. The language is moving into its own
# package below serve/ and store/ (issue of the `lang` work); remove this when it has.
KNOWN = {
    frozenset(
        {"outcome_graph.serve.safety", "outcome_graph.store.workers", "outcome_graph.store.query_worker"}
    )
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> nx.DiGraph:
    modules = {module_name(p): p for p in ROOT.rglob("*.py")}
    g = nx.DiGraph()
    g.add_nodes_from(modules)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                # `from pkg import mod` imports the module pkg.mod; `from mod import name` the module mod
                found = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in modules]
                targets = found or [target]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            for t in targets:
                if t in modules and t != name:
                    g.add_edge(name, t)
    return g


def test_the_package_has_no_import_circles():
    g = import_graph()
    assert len(g) > 100 and g.has_edge("outcome_graph.trace.source", "outcome_graph.query_layer")
    circles = [c for c in nx.simple_cycles(g) if frozenset(c) not in KNOWN]
    assert circles == [], "import circles: " + "; ".join(" -> ".join(c + c[:1]) for c in circles)


def test_the_reader_finds_a_circle():
    """The check itself can fail: the graph of a package with a circle has one."""
    g = import_graph()
    g.add_edge("outcome_graph.query_layer", "outcome_graph.trace.source")
    assert any(
        set(c) >= {"outcome_graph.query_layer", "outcome_graph.trace.source"} for c in nx.simple_cycles(g)
    )


def test_views_read_the_store_through_the_query_layer():
    """The trace, gaps and audit, the counts and the record pages reach the store's readers through the
    query layer; no view module imports another view's loader (trace.source)."""
    g = import_graph()
    loaders = {"outcome_graph.trace.source"}
    importers = {u for u, v in g.edges if v in loaders}
    allowed = {"outcome_graph.serve.trace_views", "outcome_graph.trace.cli_common", "outcome_graph.commands"}
    assert all(any(i == a or i.startswith(a + ".") for a in allowed) for i in importers), importers
    for view in ("outcome_graph.trace.source", "outcome_graph.counts", "outcome_graph.trace.inspection"):
        assert g.has_edge(view, "outcome_graph.query_layer") or any(
            v.startswith("outcome_graph.query_layer") for v in g.successors(view)
        ), view
