"""A validation summary as text (for a performance officer), JSON (for tools) or Turtle (the standard
sh:ValidationReport)."""

from __future__ import annotations

import json

from .results import ValidationSummary

FORMATS = ("text", "json", "turtle")


def as_text(summary: ValidationSummary, source: str = "the graph") -> str:
    lines = [
        f"Validation of {source}: {summary.violations} violation(s), {summary.warnings} warning(s)"
        + (f", {summary.infos} note(s)" if summary.infos else "")
        + f" ({summary.seconds:.2f} s)"
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
        "seconds": round(summary.seconds, 3),
        "results": [r.as_dict() for r in summary.results],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def as_turtle(summary: ValidationSummary, source: str = "the graph") -> str:
    g = summary.report_graph
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
