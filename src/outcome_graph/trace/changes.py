"""What changed between two reports of the same council and service: pure functions over the trace
graph (so `outcome-graph diff`, the audit's section and any store give the same answer).

- actions carried over (same code, or same title where the report gives no code), new and dropped,
  each with its progress and status in each report (a dropped action with its last progress);
- indicators that appeared or disappeared (an indicator is in a report when it has a cell there);
- targets changed (the annual target each report sets);
- figures restated: the same indicator and period with a different value in the two reports, both
  lines quoted;
- statuses moved: an action's or indicator's status for its report's year in one and the other.
"""

from __future__ import annotations

from .engine import display_value
from .gaps import children, evidence_of, status_in_year
from .graph import TraceGraph
from .inspection import period_label


def _line(tg: TraceGraph, n: str) -> dict:
    ev = evidence_of(tg, n)
    if not ev:
        return {"lines": None, "text": None}
    d = tg.node(ev[0])
    first, last = d.get("first"), d.get("last")
    return {"lines": f"{first}" if first == last else f"{first}-{last}", "text": d.get("text")}


def _actions(tg: TraceGraph, report: str) -> dict[str, str]:
    out = {}
    for a in tg.nodes_of("Action"):
        d = tg.node(a)
        if report in d.get("reports", []):
            out[d.get("code") or f"title:{' '.join((d.get('title') or '').lower().split())}"] = a
    return out


def _action(tg: TraceGraph, a: str) -> dict:
    d = tg.node(a)
    return {
        "code": d.get("code"),
        "title": d.get("title"),
        "progress": d.get("progress"),
        "status": d.get("status"),
        **_line(tg, a),
    }


def _cells(tg: TraceGraph, ind: str, report: str) -> dict[str, str]:
    return {
        tg.node(o).get("period"): o
        for o in children(tg, ind, "indicator", "Observation")
        if report in tg.node(o).get("reports", [])
    }


def _indicators(tg: TraceGraph, report: str) -> dict[str, str]:
    """key -> indicator: its IRI, or its title where the report gives it no code (such a record is
    minted per report and line, so the same uncoded PI has another IRI in the next report)."""
    out = {}
    for i in tg.nodes_of("Indicator"):
        if _cells(tg, i, report):
            d = tg.node(i)
            out[i if d.get("code") else f"title:{' '.join((d.get('title') or '').lower().split())}"] = i
    return out


def _ind(tg: TraceGraph, i: str) -> dict:
    d = tg.node(i)
    return {"iri": i, "code": d.get("code"), "title": d.get("title")}


def _by_code(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda x: (x["code"] is None, x["code"] or "", x["title"] or "", x["iri"]))


def _short(text: str | None) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= 100 else flat[:99] + "…"


def _annual_target(tg: TraceGraph, ind: str, report: str) -> tuple[str | None, str | None]:
    cells = _cells(tg, ind, report)
    for period in sorted(cells, reverse=True):
        t = tg.node(cells[period]).get("target")
        if t is not None:
            return t, _line(tg, cells[period])["lines"]
    return None, None


def _same(a: str | None, b: str | None) -> bool:
    try:
        return a is not None and b is not None and float(a) == float(b)
    except ValueError:
        return a == b


def compare_reports(tg: TraceGraph, old: str, new: str) -> dict:
    """Every change from report `old` to report `new` (government years of one council's reports)."""
    oa, na = _actions(tg, old), _actions(tg, new)
    carried = []
    for key in sorted(oa.keys() & na.keys()):
        a, b = _action(tg, oa[key]), _action(tg, na[key])
        carried.append({"code": a["code"], "title": b["title"], old: a, new: b})
    actions = {
        "carried_over": carried,
        "new": [_action(tg, na[k]) for k in sorted(na.keys() - oa.keys())],
        "dropped": [_action(tg, oa[k]) for k in sorted(oa.keys() - na.keys())],
    }
    oi, ni = _indicators(tg, old), _indicators(tg, new)
    both = sorted(oi.keys() & ni.keys())
    targets, restated, statuses = [], [], []
    for key in both:
        i, j = oi[key], ni[key]
        t0, l0 = _annual_target(tg, i, old)
        t1, l1 = _annual_target(tg, j, new)
        if (t0 is not None or t1 is not None) and not _same(t0, t1):
            targets.append(
                {**_ind(tg, j), old: {"target": t0, "lines": l0}, new: {"target": t1, "lines": l1}}
            )
        c0, c1 = _cells(tg, i, old), _cells(tg, j, new)
        for period in sorted(c0.keys() & c1.keys()):
            d0, d1 = tg.node(c0[period]), tg.node(c1[period])
            if d0.get("value") is None or d1.get("value") is None:
                continue  # a figure first given (or no longer given) is not a restatement
            if not _same(d0.get("value"), d1.get("value")):
                restated.append(
                    {
                        **_ind(tg, j),
                        "period": period_label(period),
                        old: {"value": display_value(d0), **_line(tg, c0[period])},
                        new: {"value": display_value(d1), **_line(tg, c1[period])},
                    }
                )
        s0, s1 = status_in_year(tg, i, old), status_in_year(tg, j, new)
        if s0 and s1 and s0 != s1:
            statuses.append({"kind": "indicator", **_ind(tg, j), old: s0, new: s1})
    for c in carried:
        s0, s1 = c[old]["status"], c[new]["status"]
        if s0 and s1 and s0 != s1:
            statuses.append({"kind": "action", "code": c["code"], "title": c["title"], old: s0, new: s1})
    return {
        "old": old,
        "new": new,
        "actions": actions,
        "indicators": {
            "appeared": _by_code([_ind(tg, ni[k]) for k in ni.keys() - oi.keys()]),
            "disappeared": _by_code([_ind(tg, oi[k]) for k in oi.keys() - ni.keys()]),
            "in_both": len(both),
        },
        "targets_changed": targets,
        "restated": restated,
        "statuses_moved": statuses,
    }


def previous_report(tg: TraceGraph, report: str) -> str | None:
    """The latest report year before `report` in the (council-scoped) graph."""
    earlier = [r for r in tg.reports if r < report]
    return earlier[-1] if earlier else None


def as_text(c: dict) -> str:
    old, new = c["old"], c["new"]
    labels = c.get("labels") or {}

    def st(name: str | None) -> str:
        return labels.get(name or "", name or "no status")

    out = [f"Changes from the {period_label(old)} report to the {period_label(new)} report"]
    a = c["actions"]

    def act(x: dict) -> str:
        p = f"{x['progress']}%" if x["progress"] is not None else "no progress"
        return f"{x['code'] or '(no code)'} {x['title']} — {p}, {st(x['status'])} (line {x['lines']})"

    out.append(f"\nActions carried over ({len(a['carried_over'])}):")
    for x in a["carried_over"]:
        out.append(
            f"  {x['code'] or '(no code)'} {x['title']}: {period_label(old)} {x[old]['progress']}% "
            f"{st(x[old]['status'])} (line {x[old]['lines']}) -> {period_label(new)} {x[new]['progress']}% "
            f"{st(x[new]['status'])} (line {x[new]['lines']})"
        )
    out.append(f"New actions ({len(a['new'])}):")
    out += [f"  {act(x)}" for x in a["new"]]
    out.append(f"Dropped actions, with their last progress ({len(a['dropped'])}):")
    out += [f"  {act(x)}" for x in a["dropped"]]
    ind = c["indicators"]
    out.append(f"\nIndicators that appeared ({len(ind['appeared'])}):")
    out += [f"  {' '.join(filter(None, (x['code'], x['title'])))}" for x in ind["appeared"]]
    out.append(f"Indicators that disappeared ({len(ind['disappeared'])}):")
    out += [f"  {' '.join(filter(None, (x['code'], x['title'])))}" for x in ind["disappeared"]]
    out.append(f"\nTargets changed ({len(c['targets_changed'])}):")
    for x in c["targets_changed"]:
        t0, t1 = (x[r]["target"] if x[r]["target"] is not None else "no target" for r in (old, new))
        l0, l1 = (f" (line {x[r]['lines']})" if x[r]["lines"] else "" for r in (old, new))
        out.append(f"  {x['code'] or x['title']}: {t0}{l0} -> {t1}{l1}")
    out.append(f"\nFigures restated ({len(c['restated'])}):")
    for x in c["restated"]:
        a, b = x[old], x[new]
        out.append(
            f"  {x['code'] or x['title']} {x['period']}: {a['value']} in the {period_label(old)} report "
            f'(line {a["lines"]}: "{_short(a["text"])}") -> {b["value"]} in the {period_label(new)} report '
            f'(line {b["lines"]}: "{_short(b["text"])}")'
        )
    out.append(f"\nStatuses moved ({len(c['statuses_moved'])}):")
    for x in c["statuses_moved"]:
        out.append(f"  {x['kind']} {x['code'] or x['title']}: {st(x[old])} -> {st(x[new])}")
    return "\n".join(out) + "\n"
