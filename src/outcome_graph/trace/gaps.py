"""Where the chain from duty to evidence breaks. Pure functions over a TraceGraph; each gap names the
record (IRI, code, title) and the report lines it was read from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .. import counts
from ..labels import value_text
from .graph import TraceGraph, period_key

# The duties whose parts must each be implemented by some action: the Parts of the 2014 Act, and The
# Promise's foundations (found by their IRIs, whatever IRI the framework itself has).
DUTY_SCOPES = ("http://www.legislation.gov.uk/id/asp/2014/8",)
DUTY_PART_PREFIXES = ("https://w3id.org/outcome-graph/id/framework/the-promise/foundation/",)

# Each kind of gap is the members of one count of queries/counts/ (its title heads the list; its words,
# per report, are in the counts table), so a gap list and its number come from one definition. The
# stated totals that disagree compare two defined numbers: a total's own value and its count's.
GAP_COUNTS = {
    "priority-without-indicator": "priorities-without-indicator",
    "action-without-indicator": "actions-without-indicator",
    "off-target-unaddressed": "indicators-off-target-unaddressed",
    "duty-without-action": "duties-without-action",
    "record-without-evidence": "records-without-evidence",
    "no-value-in-year": "indicators-without-value-in-year",
}
GAP_KINDS = {
    **{kind: counts.load_counts()[name].title for kind, name in GAP_COUNTS.items()},
    "total-disagrees": "Totals the report states that disagree with its records",
}
# Listed beside the gaps, and said not to be gaps: parts of an Act never commenced bind no council
# (og:commencement og:NeverCommenced in graph/reference/statutes.ttl).
NOT_GAP_COUNT = "duties-not-commenced"


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


def _members(tg: TraceGraph, kind: str) -> list[tuple[str, str, str]]:
    """(report node, report year, record) for every member of a gap kind's count, report by report."""
    out = []
    for report in tg.nodes_of("Report"):
        year = (tg.node(report).get("reports") or [None])[0]
        out += [(report, year, n) for n in members(tg, GAP_COUNTS[kind], report) if n in tg.g]
    return out


def _names(tg: TraceGraph, nodes: list[str]) -> str:
    return ", ".join(tg.node(n).get("code") or source_lines(tg, n) or n for n in nodes)


def priority_without_indicator(tg: TraceGraph) -> list[Gap]:
    out = []
    for _, year, p in _members(tg, "priority-without-indicator"):
        actions = sorted(children(tg, p, "priority", "Action"), key=lambda a: tg.node(a).get("code") or a)
        detail = f"no indicator; its actions: {_names(tg, actions)}" if actions else "no indicator; no action"
        out.append(_gap(tg, "priority-without-indicator", p, detail, year))
    return out


def action_without_indicator(tg: TraceGraph) -> list[Gap]:
    return [
        _gap(tg, "action-without-indicator", a, f"status {tg.node(a).get('status') or 'not given'}", year)
        for _, year, a in _members(tg, "action-without-indicator")
    ]


def off_target_unaddressed(tg: TraceGraph) -> list[Gap]:
    """The indicators of `indicators-off-target` in each report that no action is measured by (the count
    indicators-off-target-unaddressed); the gap names the annual figure and its line."""
    out = []
    for _, year, ind in _members(tg, "off-target-unaddressed"):
        annual = [
            o
            for o in children(tg, ind, "indicator", "Observation")
            if tg.node(o).get("period") == year and year in tg.node(o).get("reports", [])
        ]
        s = tg.node(annual[0]) if annual else {}
        value = value_text(s["value"], s.get("unit")) if s.get("value") is not None else s.get("raw") or "N/A"
        target = (
            f" against target {value_text(s['target'], s.get('unit'))}" if s.get("target") is not None else ""
        )
        gap = _gap(tg, "off-target-unaddressed", ind, f"{year}: {value}{target}, Off Target", year)
        gap.lines = (source_lines(tg, annual[0]) if annual else None) or gap.lines
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
    for _, year, part in _members(tg, "duty-without-action"):
        wholes = parents(tg, part, "partOf")
        where = tg.node(wholes[0]).get("title") or tg.node(wholes[0]).get("label") if wholes else "?"
        detail = f"part of {where}; no action of the {year} report implements it"
        # no implementing action is the gap; a risk of the register on the part is evidence of another
        # kind, and the reader must see it rather than read "nothing"
        risks = sorted(
            r
            for b in [part, *children(tg, part, "partOf")]
            for r in children(tg, b, "relatesTo", "Risk")
            if year in tg.node(r).get("reports", [])
        )
        if risks:
            named = "; ".join(f"{tg.node(r).get('code') or r} ({source_lines(tg, r)})" for r in risks)
            detail += f"; but its risk register relates to it: {named}"
        out.append(_gap(tg, "duty-without-action", part, detail, year))
    return sorted(out, key=lambda g: (g.report or "", _natural(tg.node(g.record))))


def not_gaps(tg: TraceGraph, report: str | None = None, council: str | None = None) -> list[Gap]:
    """Parts of an Act never commenced, per report: listed so that a reader sees why they are not gaps."""
    tg = tg.scoped(council)
    out = []
    for r in tg.nodes_of("Report"):
        year = (tg.node(r).get("reports") or [None])[0]
        if report and year != report:
            continue
        for part in members(tg, NOT_GAP_COUNT, r):
            if part in tg.g:
                detail = "never commenced: binds no council, so no action implementing it is a gap"
                out.append(_gap(tg, "not-commenced", part, detail, year))
    return sorted(out, key=lambda g: (g.report or "", _natural(tg.node(g.record))))


def _natural(d: dict) -> tuple:
    iri = d.get("iri", "")
    tail = iri.rstrip("/").rsplit("/", 1)[-1]
    return (iri.rsplit("/", 1)[0], int(tail) if tail.isdigit() else 0, tail)


def record_without_evidence(tg: TraceGraph) -> list[Gap]:
    return [
        _gap(tg, "record-without-evidence", n, f"{tg.kind(n)} has no og:evidence excerpt", year)
        for _, year, n in _members(tg, "record-without-evidence")
    ]


def no_value_in_year(tg: TraceGraph) -> list[Gap]:
    out = []
    for _, report, ind in _members(tg, "no-value-in-year"):
        in_year = [
            o
            for o in children(tg, ind, "indicator", "Observation")
            if report in tg.node(o).get("reports", [])
            and (tg.node(o).get("period") or "").split(" ")[0] == report
        ]
        said = sorted({str(tg.node(o).get("raw") or "blank") for o in in_year})
        detail = f"no figure for {report}" + (f" (the report says: {', '.join(said)})" if said else "")
        gap = _gap(tg, "no-value-in-year", ind, detail, report)
        gap.lines = "; ".join(x for x in (source_lines(tg, ind) or "").split("; ") if x.startswith(report))
        out.append(gap)
    return out


def members(tg: TraceGraph, count: str, report_iri: str) -> list[str]:
    """The records a count (queries/counts/COUNT.rq) counts in one report, as the store gave them."""
    if count not in tg.counts:
        raise KeyError(f"no count {count!r} read with the graph (queries/counts/{count}.rq)")
    return tg.counts[count].get(report_iri, [])


def report_node(tg: TraceGraph, n: str) -> str | None:
    """The Report a record (or a Report year, of the record's council) was read from."""
    d = tg.node(n)
    year = (d.get("reports") or [None])[0]
    council = d.get("council")
    return next(
        (
            r
            for r in tg.nodes_of("Report")
            if tg.node(r).get("reports") == [year] and tg.node(r).get("council") == council
        ),
        None,
    )


def total_disagrees(tg: TraceGraph, only: str | None = None) -> list[Gap]:
    out = []
    for t in tg.nodes_of("ReportedTotal"):
        d = tg.node(t)
        report = (d.get("reports") or [None])[0]
        if only and report != only:
            continue
        count = counts.by_total(d.get("total_of", ""))
        where = report_node(tg, t)
        if count is None or where is None:
            continue
        n = len(members(tg, count.name, where))
        stated = d.get("value")
        if stated is None or float(stated) != n:
            gap = _gap(
                tg,
                "total-disagrees",
                t,
                f"the report says {stated}; the records give {n} ({count.says(report)})",
            )
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


def count_rows(tg: TraceGraph, report: str | None = None, council: str | None = None) -> list[dict]:
    """Every count of queries/counts/ for each report (one year and council, when given): what it counts
    in words, and the number. Shown beside the gaps, so that each number the tool gives says what it is."""
    tg = tg.scoped(council)
    rows = []
    for r in tg.nodes_of("Report"):
        year = (tg.node(r).get("reports") or [None])[0]
        if report and year != report:
            continue
        for name, c in counts.load_counts().items():
            rows.append(
                {
                    "count": name,
                    "report": year,
                    "council": tg.node(r).get("council"),
                    "counts": c.says(year),
                    "value": len(members(tg, name, r)),
                }
            )
    return rows


def not_gaps_title() -> str:
    return counts.load_counts()[NOT_GAP_COUNT].title


def gaps_dict(
    gaps: list[Gap], count_table: list[dict] | None = None, excluded: list[Gap] | None = None
) -> dict:
    return {
        "kinds": GAP_KINDS,
        "counts": {k: sum(1 for g in gaps if g.kind == k) for k in GAP_KINDS},
        "gaps": [g.to_dict() for g in gaps],
        "not_gaps": {"title": not_gaps_title(), "items": [g.to_dict() for g in excluded or []]},
        "record_counts": count_table or [],
    }


def gaps_text(
    gaps: list[Gap], count_table: list[dict] | None = None, excluded: list[Gap] | None = None
) -> str:
    out = []
    for kind, title in GAP_KINDS.items():
        these = [g for g in gaps if g.kind == kind]
        out.append(f"{title}: {len(these)}")
        for g in these:
            title = (g.title or "")[:70] if g.title != g.code else ""
            name = " ".join(x for x in (g.code, title) if x) or g.record
            where = f" [{g.lines}]" if g.lines else (f" [{g.report}]" if g.report else f" <{g.record}>")
            out.append(f"  {name}{where}: {g.detail}")
    if excluded:
        out.append(f"Not gaps. {not_gaps_title()}: {len(excluded)}")
        out += [f"  {g.code} {g.title or ''} [{g.report}]: {g.detail}" for g in excluded]
    if count_table:
        out.append("Counts (each defined in queries/counts/NAME.rq):")
        out += [f"  {r['counts']}: {r['value']} [{r['count']}]" for r in count_table]
    return "\n".join(out) + "\n"
