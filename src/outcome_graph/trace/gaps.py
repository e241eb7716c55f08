"""Where the chain from duty to evidence breaks. Pure functions over a TraceGraph; each gap names the
record (IRI, code, title) and the report lines it was read from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .graph import RECORD_KINDS, TraceGraph, period_key

# The duties whose parts must each be implemented by some action: the Parts of the 2014 Act, and The
# Promise's foundations (found by their IRIs, whatever IRI the framework itself has).
DUTY_SCOPES = ("http://www.legislation.gov.uk/id/asp/2014/8",)
DUTY_PART_PREFIXES = ("https://w3id.org/outcome-graph/id/framework/the-promise/foundation/",)

GAP_KINDS = {
    "priority-without-indicator": "Priorities with no indicator (directly or through their actions)",
    "action-without-indicator": "Actions with no indicator measuring them",
    "off-target-unaddressed": "Indicators whose latest status is Off Target, with no action addressing them",
    "duty-without-action": "Parts of the 2014 Act and Promise foundations with no implementing action",
    "record-without-evidence": "Records with no evidence excerpt",
    "no-value-in-year": "Indicators with no value for their report's own year",
    "total-disagrees": "Totals the report states that disagree with its records",
}

# How each total a report states is counted from its records: (record kind, indicator set, statuses).
# The words are the report's own ("Number of service & corporate priority actions on tgt/completed";
# "Number on tgt/complete or Data Only"); a status of None counts every record of the kind.
TOTAL_RULES: dict[str, tuple[str, str | None, frozenset[str] | None]] = {
    "actions.total": ("Action", None, None),
    "actions.on_target_or_complete": ("Action", None, frozenset({"OnTarget", "Complete"})),
    "pis.total": ("Indicator", "ServicePriorityPI", None),
    "pis.on_target_or_complete": (
        "Indicator",
        "ServicePriorityPI",
        frozenset({"OnTarget", "Complete", "DataOnly"}),
    ),
}


@dataclass
class Gap:
    kind: str
    record: str
    code: str | None
    title: str | None
    report: str | None
    lines: str | None
    detail: str

    def to_dict(self) -> dict:
        return asdict(self)


def evidence_of(tg: TraceGraph, n: str) -> list[str]:
    return sorted(m for m in tg.g.successors(n) if tg.g.edges[n, m]["rel"] == "evidence")


def source_lines(tg: TraceGraph, n: str) -> str | None:
    refs = []
    for e in evidence_of(tg, n):
        d = tg.node(e)
        first, last = d.get("first"), d.get("last")
        span = f"line {first}" if first == last else f"lines {first}-{last}"
        refs.append(f"{(d.get('reports') or ['?'])[0]} {span}")
    return "; ".join(refs) or None


def _gap(tg: TraceGraph, kind: str, n: str, detail: str, report: str | None = None) -> Gap:
    d = tg.node(n)
    return Gap(
        kind,
        n,
        d.get("code"),
        d.get("title") or d.get("label"),
        report or (d.get("reports") or [None])[0],
        source_lines(tg, n),
        detail,
    )


def children(tg: TraceGraph, n: str, rel: str, kind: str | None = None) -> list[str]:
    return [
        m
        for m in tg.g.successors(n)
        if tg.g.edges[n, m]["rel"] == rel and (kind is None or tg.kind(m) == kind)
    ]


def parents(tg: TraceGraph, n: str, rel: str, kind: str | None = None) -> list[str]:
    return [
        m
        for m in tg.g.predecessors(n)
        if tg.g.edges[m, n]["rel"] == rel and (kind is None or tg.kind(m) == kind)
    ]


def latest_status(tg: TraceGraph, ind: str, report: str | None = None) -> dict | None:
    """The indicator's latest observation that carries a status (in `report` when given)."""
    best = None
    for o in children(tg, ind, "indicator", "Observation"):
        d = tg.node(o)
        if not d.get("status") or (report and report not in d.get("reports", [])):
            continue
        key = (period_key(d.get("period", "")), d.get("reports", []))
        if best is None or key > best[0]:
            best = (key, o)
    return None if best is None else {"iri": best[1], **tg.node(best[1])}


def status_in_year(tg: TraceGraph, ind: str, report: str) -> str | None:
    """The status a report gives an indicator for its own year (its annual cell, else its latest)."""
    s = latest_status(tg, ind, report)
    return s.get("status") if s else None


def priority_without_indicator(tg: TraceGraph) -> list[Gap]:
    out = []
    for p in tg.nodes_of("Priority"):
        direct = children(tg, p, "priority", "Indicator")
        via = [
            i for a in children(tg, p, "priority", "Action") for i in children(tg, a, "action", "Indicator")
        ]
        if not direct and not via:
            n_actions = len(children(tg, p, "priority", "Action"))
            out.append(_gap(tg, "priority-without-indicator", p, f"no indicator; {n_actions} action(s)"))
    return out


def action_without_indicator(tg: TraceGraph) -> list[Gap]:
    return [
        _gap(tg, "action-without-indicator", a, f"status {tg.node(a).get('status') or 'not given'}")
        for a in tg.nodes_of("Action")
        if not children(tg, a, "action", "Indicator")
    ]


def off_target_unaddressed(tg: TraceGraph) -> list[Gap]:
    out = []
    for ind in tg.nodes_of("Indicator"):
        s = latest_status(tg, ind)
        if s and s["status"] == "OffTarget" and not parents(tg, ind, "action", "Action"):
            value = s.get("value") if s.get("value") is not None else s.get("raw") or "N/A"
            target = f" against target {s['target']}" if s.get("target") is not None else ""
            gap = _gap(tg, "off-target-unaddressed", ind, f"{s.get('period')}: {value}{target}, Off Target")
            gap.report = (s.get("reports") or [None])[0]
            gap.lines = source_lines(tg, s["iri"]) or gap.lines
            out.append(gap)
    return out


def duty_parts(tg: TraceGraph) -> list[str]:
    """The parts whose implementation the gap analysis and the audit's coverage matrix check."""
    parts = [p for whole in DUTY_SCOPES if whole in tg.g for p in children(tg, whole, "partOf")]
    parts += [n for n in tg.g if n.startswith(DUTY_PART_PREFIXES)]
    return sorted(dict.fromkeys(parts), key=lambda n: _natural(tg.node(n)))


def implementing_actions(tg: TraceGraph, part: str) -> list[str]:
    """Actions that implement a part or one of its sections."""
    below = [part, *children(tg, part, "partOf")]
    return sorted({a for b in below for a in children(tg, b, "implements", "Action")})


def duty_without_action(tg: TraceGraph) -> list[Gap]:
    out = []
    for part in duty_parts(tg):
        if not implementing_actions(tg, part):
            wholes = parents(tg, part, "partOf")
            where = tg.node(wholes[0]).get("title") or tg.node(wholes[0]).get("label") if wholes else "?"
            out.append(_gap(tg, "duty-without-action", part, f"part of {where}; no action implements it"))
    return out


def _natural(d: dict) -> tuple:
    iri = d.get("iri", "")
    tail = iri.rstrip("/").rsplit("/", 1)[-1]
    return (iri.rsplit("/", 1)[0], int(tail) if tail.isdigit() else 0, tail)


def record_without_evidence(tg: TraceGraph) -> list[Gap]:
    return [
        _gap(tg, "record-without-evidence", n, f"{tg.kind(n)} has no og:evidence excerpt")
        for kind in RECORD_KINDS
        for n in tg.nodes_of(kind)
        if not evidence_of(tg, n)
    ]


def no_value_in_year(tg: TraceGraph) -> list[Gap]:
    out = []
    for ind in tg.nodes_of("Indicator"):
        obs = children(tg, ind, "indicator", "Observation")
        for report in tg.node(ind).get("reports", []):
            own = [o for o in obs if report in tg.node(o).get("reports", [])]
            in_year = [o for o in own if (tg.node(o).get("period") or "").split(" ")[0] == report]
            if not any(tg.node(o).get("value") is not None for o in in_year):
                said = sorted({str(tg.node(o).get("raw") or "blank") for o in in_year})
                detail = f"no figure for {report}" + (
                    f" (the report says: {', '.join(said)})" if said else ""
                )
                gap = _gap(tg, "no-value-in-year", ind, detail, report)
                gap.lines = "; ".join(
                    x for x in (source_lines(tg, ind) or "").split("; ") if x.startswith(report)
                )
                out.append(gap)
    return out


def counted(tg: TraceGraph, name: str, report: str) -> tuple[int, str] | None:
    """The count of records a reported total should equal, and how it was counted."""
    rule = TOTAL_RULES.get(name)
    if rule is None:
        return None
    kind, indicator_set, statuses = rule
    records = [
        n
        for n in tg.nodes_of(kind)
        if report in tg.node(n).get("reports", [])
        and (indicator_set is None or tg.node(n).get("indicator_set") == indicator_set)
    ]
    if statuses is None:
        return len(records), f"{kind.lower()}s in the {report} report"
    if kind == "Action":
        n = sum(1 for r in records if tg.node(r).get("status") in statuses)
    else:
        n = sum(1 for r in records if status_in_year(tg, r, report) in statuses)
    return n, f"{kind.lower()}s with status {' / '.join(sorted(statuses))}"


def total_disagrees(tg: TraceGraph, only: str | None = None) -> list[Gap]:
    out = []
    for t in tg.nodes_of("ReportedTotal"):
        d = tg.node(t)
        report = (d.get("reports") or [None])[0]
        if only and report != only:
            continue
        c = counted(tg, d.get("total_of", ""), report) if report else None
        if c is None:
            continue
        n, how = c
        stated = d.get("value")
        if stated is None or float(stated) != n:
            gap = _gap(tg, "total-disagrees", t, f"the report says {stated}; the records give {n} ({how})")
            gap.code = d.get("total_of")
            out.append(gap)
    return out


def find_gaps(tg: TraceGraph, report: str | None = None, council: str | None = None) -> list[Gap]:
    """Every gap (in one report year and one council's records, when given)."""
    tg = tg.scoped(council)
    gaps = (
        priority_without_indicator(tg)
        + action_without_indicator(tg)
        + off_target_unaddressed(tg)
        + duty_without_action(tg)
        + record_without_evidence(tg)
        + no_value_in_year(tg)
        + total_disagrees(tg, report)
    )
    if report:
        gaps = [g for g in gaps if g.report in (None, report)]
    return gaps


def gaps_dict(gaps: list[Gap]) -> dict:
    return {
        "kinds": GAP_KINDS,
        "counts": {k: sum(1 for g in gaps if g.kind == k) for k in GAP_KINDS},
        "gaps": [g.to_dict() for g in gaps],
    }


def gaps_text(gaps: list[Gap]) -> str:
    out = []
    for kind, title in GAP_KINDS.items():
        these = [g for g in gaps if g.kind == kind]
        out.append(f"{title}: {len(these)}")
        for g in these:
            title = (g.title or "")[:70] if g.title != g.code else ""
            name = " ".join(x for x in (g.code, title) if x) or g.record
            where = f" [{g.lines}]" if g.lines else (f" [{g.report}]" if g.report else f" <{g.record}>")
            out.append(f"  {name}{where}: {g.detail}")
    return "\n".join(out) + "\n"
