"""A validation summary as text (for a performance officer), JSON (for tools) or Turtle (the standard
sh:ValidationReport). Each is the same bytes for the same graph on every run: no timings (the command
prints those on standard error) and no random blank-node labels."""

from __future__ import annotations

import json

from rdflib import Graph
from rdflib.compare import to_canonical_graph

from .results import ValidationSummary

FORMATS = ("text", "json", "turtle")


def as_text(summary: ValidationSummary, source: str = "the graph") -> str:
    lines = [
        f"Validation of {source}: {summary.violations} violation(s), {summary.warnings} warning(s)"
        + (f", {summary.infos} note(s)" if summary.infos else "")
    ]
    if not summary.results:
        lines.append("Everything conforms to the shapes.")
    for rule, results in summary.by_rule().items():
        severity = results[0].severity
        lines.append("")
        lines.append(f"{severity}: {rule} ({len(results)})")
        for r in results:
            where = f"{r.report} line {r.line}" if r.line else (r.report or "graph")
            value = f" [value: {r.value}]" if r.value is not None else ""
            lines.append(f"  {r.code or r.focus} ({where}){value}")
            lines.append(f"    {r.message}")
    return "\n".join(lines) + "\n"


def as_json(summary: ValidationSummary, source: str = "the graph") -> str:
    doc = {
        "source": source,
        "conforms": summary.conforms,
        "violations": summary.violations,
        "warnings": summary.warnings,
        "infos": summary.infos,
        "results": [r.as_dict() for r in summary.results],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def as_turtle(summary: ValidationSummary, source: str = "the graph") -> str:
    # pySHACL names its blank nodes at random; relabelled by their content, the same findings give the
    # same bytes on every run.
    g = Graph()
    g += to_canonical_graph(summary.report_graph)
    g.bind("sh", "http://www.w3.org/ns/shacl#")
    g.bind("og", "https://w3id.org/outcome-graph/def#")
    g.bind("ogr", "https://w3id.org/outcome-graph/id/")
    g.bind("ogsh", "https://w3id.org/outcome-graph/shapes#")
    return g.serialize(format="turtle")


def render(summary: ValidationSummary, fmt: str, source: str = "the graph") -> str:
    if fmt == "text":
        return as_text(summary, source)
    if fmt == "json":
        return as_json(summary, source)
    if fmt == "turtle":
        return as_turtle(summary, source)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
