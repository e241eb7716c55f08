"""The inspection audit report's data: pure functions over a TraceGraph (and, optionally, the validation
results). The HTML and CSV are made from this by the templates and `audit_tables`.
"""

from __future__ import annotations

from dataclasses import asdict

from ..counts import load_counts
from .audit_records import _action, _evidence, _indicator
from .audit_tables import TABLES as TABLES  # the CSV tables, re-exported for the views
from .audit_tables import audit_tables as audit_tables
from .engine import natural, sort_key
from .gaps import (
    children,
    duty_parts,
    find_gaps,
    implementing_actions,
    members,
    not_gaps,
    not_gaps_title,
    parents,
)
from .graph import TraceGraph, council_of


def priorities_of(tg: TraceGraph, report: str) -> list[str]:
    return sorted(
        (p for p in tg.nodes_of("Priority") if report in tg.node(p).get("reports", [])),
        key=lambda p: natural(tg.node(p).get("code") or ""),
    )


def priority_section(tg: TraceGraph, p: str, report: str) -> dict:
    actions = sorted(children(tg, p, "priority", "Action"), key=lambda n: sort_key(tg, n))
    inds = set(children(tg, p, "priority", "Indicator"))
    for a in actions:
        inds |= set(children(tg, a, "action", "Indicator"))
    inds = {i for i in inds if report in tg.node(i).get("reports", [])}
    d = tg.node(p)
    return {
        "iri": p,
        "code": d.get("code"),
        "title": d.get("title"),
        "evidence": _evidence(tg, p),
        "actions": [_action(tg, a) for a in actions],
        "indicators": [_indicator(tg, i, report) for i in sorted(inds, key=lambda n: sort_key(tg, n))],
    }


# Which count of queries/counts/ each figure of the audit's summary is (one definition for every view).
SUMMARY_COUNTS = {
    "actions": {
        "total": "actions-total",
        "Complete": "actions-complete",
        "OnTarget": "actions-on-target",
        "OffTarget": "actions-off-target",
        "NotAvailable": "actions-not-available",
        "no status": "actions-without-status",
    },
    "indicators": {
        "total": "pis-total",
        "OnTarget": "pis-on-target",
        "Complete": "pis-complete",
        "OffTarget": "pis-off-target",
        "DataOnly": "pis-data-only",
        "NotAvailable": "pis-not-available",
        "no status": "pis-without-status",
    },
}


def summary(tg: TraceGraph, report: str) -> dict:
    """The summary's figures, each the size of one count of queries/counts/ for this report, and the
    words that say what each counts ("service-priority PIs whose 2020/21 annual figure is Off Target")."""
    node = next((r for r in tg.nodes_of("Report") if tg.node(r).get("reports") == [report]), None)
    out: dict = {}
    for group, figures in SUMMARY_COUNTS.items():
        out[group] = {k: len(members(tg, name, node)) if node else 0 for k, name in figures.items()}
    out["counts"] = [
        {"count": name, "counts": c.says(report), "value": len(members(tg, name, node)) if node else 0}
        for name, c in load_counts().items()
    ]
    return out


def label(d: dict) -> str:
    code, title = d.get("code"), d.get("title") or d.get("label") or ""
    return title if not code or code == title else f"{code} {title}"


def coverage(tg: TraceGraph, report: str, priorities: list[str]) -> dict:
    """Which priorities' actions implement each Part of the 2014 Act and each Promise foundation."""
    rows = []
    for part in duty_parts(tg):
        d = tg.node(part)
        cells = {}
        for a in implementing_actions(tg, part):
            if report not in tg.node(a).get("reports", []):
                continue
            for p in parents(tg, a, "priority", "Priority"):
                cells.setdefault(tg.node(p).get("code"), []).append(tg.node(a).get("code") or a)
        wholes = parents(tg, part, "partOf")
        rows.append(
            {
                "iri": part,
                "whole": (tg.node(wholes[0]).get("title") or tg.node(wholes[0]).get("label"))
                if wholes
                else None,
                "label": label(d),
                "cells": {k: sorted(v) for k, v in cells.items()},
            }
        )
    return {"columns": [tg.node(p).get("code") for p in priorities], "rows": rows}


def compare(tg: TraceGraph, report: str, other: str) -> dict:
    """The indicators and duties two reports share, side by side."""
    shared = [i for i in tg.nodes_of("Indicator") if {report, other} <= set(tg.node(i).get("reports", []))]
    indicators = []
    for i in sorted(shared, key=lambda n: sort_key(tg, n)):
        a, b = _indicator(tg, i, other), _indicator(tg, i, report)
        indicators.append(
            {"iri": i, "code": a["code"] or b["code"], "title": b["title"], other: a, report: b}
        )
    duties = []
    for part in duty_parts(tg):
        acts = implementing_actions(tg, part)
        by = {
            r: [tg.node(x).get("code") or x for x in acts if r in tg.node(x).get("reports", [])]
            for r in (other, report)
        }
        if by[other] and by[report]:
            duties.append({"iri": part, "label": tg.node(part).get("title"), **by})
    return {"reports": [other, report], "indicators": indicators, "duties": duties}


def build_audit(
    tg: TraceGraph,
    report: str,
    compare_with: str | None = None,
    validation=None,
    council: str | None = None,
    store=None,
) -> dict:
    """Everything the audit report shows for one report year (of one council, where the graph holds
    several councils' reports). With the store: also the sections by key question and by duty, and
    every claim with its verdict (trace/inspection.py)."""
    from .engine import TraceError

    if report not in tg.reports:
        raise TraceError(f"no report for {report} in the graph; reports: {', '.join(tg.reports)}")
    councils = tg.councils_reporting(report)
    if council is None and len(councils) > 1:
        shown = ", ".join(councils[:8]) + (" ..." if len(councils) > 8 else "")
        raise TraceError(
            f"the graph holds {report} reports of {len(councils)} councils; choose one ({shown})"
        )
    if council is not None and council not in councils:
        raise TraceError(f"no {report} report of council {council!r}; councils: {', '.join(councils)}")
    council = council or (councils[0] if councils else None)
    tg = tg.scoped(council)
    priorities = priorities_of(tg, report)
    sections = [priority_section(tg, p, report) for p in priorities]
    report_node = next((n for n in tg.nodes_of("Report") if tg.node(n).get("reports") == [report]), None)
    out = {
        "report": report,
        "council": council,
        "title": tg.node(report_node).get("title") if report_node else report,
        "source": tg.node(report_node).get("source") if report_node else None,
        "summary": summary(tg, report),
        "priorities": sections,
        "coverage": coverage(tg, report, priorities),
        "gaps": [g.to_dict() for g in find_gaps(tg, report)],
        "not_gaps": {"title": not_gaps_title(), "items": [g.to_dict() for g in not_gaps(tg, report)]},
        "warnings": [
            w
            for w in validation_rows(validation, report)
            if council_of(w.get("focus") or "") in (None, council)
        ],
        "validated": validation is not None,
        "compare": None,
        "inspection": None,
        "changes": None,
    }
    if store is not None:
        from .changes import compare_reports, previous_report
        from .inspection import build_inspection, read, status_labels

        rdf = read(store, tg.scope)
        out["inspection"] = build_inspection(rdf, tg, report)
        previous = previous_report(tg, report)
        if previous:
            out["changes"] = {**compare_reports(tg, previous, report, store), "labels": status_labels(rdf)}
    if compare_with:
        if compare_with not in tg.reports:
            raise TraceError(
                f"no report for {compare_with} to compare with; reports: {', '.join(tg.reports)}"
            )
        out["compare"] = compare(tg, report, compare_with)
    return out


def validation_rows(validation, report: str) -> list[dict]:
    if validation is None:
        return []
    rows = []
    for r in getattr(validation, "results", []):
        row = asdict(r) if hasattr(r, "__dataclass_fields__") else dict(r)
        if row.get("report") in (None, report):
            rows.append(
                {
                    k: row.get(k)
                    for k in ("severity", "rule", "code", "report", "line", "value", "message", "focus")
                }
            )
    return rows
