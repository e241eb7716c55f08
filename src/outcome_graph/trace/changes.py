"""What changed between two reports of the same council and service: pure functions over the trace
graph (so `outcome-graph diff`, the audit's section and any store give the same answer).

- actions carried over (same code, or same title where the report gives no code), new and dropped,
  each with its progress and status in each report (a dropped action with its last progress);
- indicators that appeared or disappeared (an indicator is in a report when it has a cell there);
- targets changed (the annual target each report sets);
- figures restated: the same indicator and period with a different value in the two reports, both
  lines quoted;
- statuses moved: an action's or indicator's status for its report's year in one and the other;
- continuity (trace/continuity.py): continued under a new code (curated), possibly continued (suggested,
  with the score), wording and definition changes, risks, figures rounded, ranks moved, near duplicates.
"""

from __future__ import annotations

from ..counts import change_members, load_changes
from ..errors import OutcomeGraphError
from . import continuity
from .engine import display_value
from .gaps import children, evidence_of, parents, status_in_year
from .graph import TraceGraph
from .summaries import period_label


def _line(tg: TraceGraph, n: str) -> dict:
    ev = evidence_of(tg, n)
    if not ev:
        return {"lines": None, "text": None}
    d = tg.node(ev[0])
    first, last = d.get("first"), d.get("last")
    return {"lines": f"{first}" if first == last else f"{first}-{last}", "text": d.get("text")}


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


def _ind(tg: TraceGraph, i: str) -> dict:
    d = tg.node(i)
    return {"iri": i, "code": d.get("code"), "title": d.get("title")}


def _by_code(items: list[dict]) -> list[dict]:
    return sorted(
        items, key=lambda x: (x["code"] is None, x["code"] or "", x["title"] or "", x.get("iri") or "")
    )


def _short(text: str | None) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= 100 else flat[:99] + "…"


def _annual_target(tg: TraceGraph, ind: str, report: str) -> dict:
    """The year's target: the plain number (for machines), in its unit for people ("£15.46m", "20 days"),
    and its line."""
    from ..labels import value_text

    cell = _cells(tg, ind, report).get(report)
    t = tg.node(cell).get("target") if cell else None
    if t is None:
        return {"target": None, "target_label": None, "lines": None}
    return {
        "target": t,
        "target_label": value_text(t, tg.node(cell).get("unit")),
        "lines": _line(tg, cell)["lines"],
    }


def _report_node(tg: TraceGraph, year: str) -> str:
    found = [n for n in tg.nodes_of("Report") if tg.node(n).get("reports") == [year]]
    if len(found) != 1:
        raise OutcomeGraphError(f"the graph has {len(found)} reports for {year} here; choose a council")
    return found[0]


def change_lists(tg: TraceGraph, store, old: str, new: str) -> dict[str, list[tuple[str, str | None]]]:
    """The members of each change of queries/changes/ from report `old` to report `new`: (record, the
    matching record of the old report or None), read once per store and kept with the trace graph."""
    if tg.changes is None:
        # the council's own reports only (bound by the query layer), never every pair of the nation
        local = tg.local_store or store  # the scope's own triples, fetched with the graph (trace/source.py)
        tg.changes = change_members(local, tg.scope.report_terms if tg.scope else None)
    pair = (_report_node(tg, old), _report_node(tg, new))
    return {name: by_pair.get(pair, []) for name, by_pair in tg.changes.items()}


def _with_status(x: dict, tg: TraceGraph, year: str) -> dict:
    """An indicator not in the later report, with the status its last report gave it."""
    return {**x, "status": status_in_year(tg, x["iri"], year)}


def compare_reports(tg: TraceGraph, old: str, new: str, store) -> dict:
    """Every change from report `old` to report `new` (government years of one council's reports): the
    members of each change defined in queries/changes/ (the lists and their numbers are one), shown with
    what the trace graph holds of each record."""
    m = change_lists(tg, store, old, new)
    # the continuity links and duplicates of the scope's own triples (trace/source.py), not the nation's
    more = continuity.sections(
        tg, tg.local_store or store, m, old, new, _report_node(tg, old), _report_node(tg, new)
    )
    carried = []
    for item, was in m["actions-carried-over"]:
        a, b = _action(tg, was), _action(tg, item)
        carried.append({"code": a["code"], "title": b["title"], old: a, new: b})
    targets = []
    for item, was in m["targets-changed"]:
        targets.append(
            {**_ind(tg, item), old: _annual_target(tg, was, old), new: _annual_target(tg, item, new)}
        )
    restated = []
    for item, was in m["figures-restated"]:
        d0, d1 = tg.node(was), tg.node(item)
        [indicator] = parents(tg, item, "indicator", "Indicator")
        restated.append(
            {
                **_ind(tg, indicator),
                "period": period_label(d1.get("period")),
                old: {"value": display_value(d0), **_line(tg, was)},
                new: {"value": display_value(d1), **_line(tg, item)},
            }
        )
    statuses = []
    for item, was in m["statuses-moved"]:
        if tg.kind(item) == "Action":
            s0, s1 = tg.node(was).get("status"), tg.node(item).get("status")
            d = tg.node(item)
            statuses.append(
                {"kind": "action", "code": d.get("code"), "title": d.get("title"), old: s0, new: s1}
            )
        else:
            s0, s1 = status_in_year(tg, was, old), status_in_year(tg, item, new)
            statuses.append({"kind": "indicator", **_ind(tg, item), old: s0, new: s1})
    statuses.sort(
        key=lambda x: (x["kind"] != "indicator", x["code"] is None, x["code"] or "", x["title"] or "")
    )
    return {
        "old": old,
        "new": new,
        "actions": {
            "carried_over": _by_code(carried),
            "continued": more.pop("actions_continued"),
            "suggested": more.pop("actions_suggested"),
            "new": _by_code([_action(tg, a) for a, _ in m["actions-new"]]),
            "dropped": _by_code([_action(tg, a) for a, _ in m["actions-dropped"]]),
        },
        "indicators": {
            "continued": more.pop("indicators_continued"),
            "suggested": more.pop("indicators_suggested"),
            "appeared": _by_code([_ind(tg, i) for i, _ in m["indicators-appeared"]]),
            "disappeared": _by_code(
                [_with_status(_ind(tg, i), tg, old) for i, _ in m["indicators-disappeared"]]
            ),
            "in_both": len(m["indicators-in-both"]),
        },
        **more,
        "targets_changed": _by_code(targets),
        "restated": sorted(
            restated, key=lambda x: (x["code"] is None, x["code"] or "", x["title"] or "", x["period"] or "")
        ),
        "statuses_moved": statuses,
        # what each number counts, in its definition's words
        "counts": [
            {"count": name, "counts": c.says_change(old, new), "value": len(m[name])}
            for name, c in load_changes().items()
        ],
    }


def previous_report(tg: TraceGraph, report: str) -> str | None:
    """The latest report year before `report` in the (council-scoped) graph."""
    earlier = [r for r in tg.reports if r < report]
    return earlier[-1] if earlier else None


def as_text(c: dict) -> str:
    old, new = c["old"], c["new"]
    labels = c.get("labels") or {}
    says = {x["count"]: f"{x['counts']}: {x['value']}" for x in c.get("counts", [])}

    def st(name: str | None) -> str:
        return labels.get(name or "", name or "no status")

    def head(title: str, count: str) -> str:
        return f"{title} — {says[count]}" if count in says else title

    out = [f"Changes from the {period_label(old)} report to the {period_label(new)} report"]
    a = c["actions"]

    def act(x: dict) -> str:
        p = f"{x['progress']}%" if x["progress"] is not None else "no progress"
        return f"{x['code'] or '(no code)'} {x['title']} — {p}, {st(x['status'])} (line {x['lines']})"

    out.append("\n" + head("Actions carried over (same code)", "actions-carried-over"))
    for x in a["carried_over"]:
        out.append(
            f"  {x['code'] or '(no code)'} {x['title']}: {period_label(old)} {x[old]['progress']}% "
            f"{st(x[old]['status'])} (line {x[old]['lines']}) -> {period_label(new)} {x[new]['progress']}% "
            f"{st(x[new]['status'])} (line {x[new]['lines']})"
        )
    more = continuity.text_lines(c, head, st) if "risks" in c else {}
    out += more.get("actions", [])
    out.append(head("New actions", "actions-new"))
    out += [f"  {act(x)}" for x in a["new"]]
    out.append(
        head("Actions not in the later report, with their last progress and status", "actions-dropped")
    )
    out += [f"  {act(x)}" for x in a["dropped"]]
    ind = c["indicators"]
    if "indicators-in-both" in says:
        out.append("\n" + head("Indicators carried over (same code)", "indicators-in-both"))
    out += more.get("indicators", [])
    out.append(head("New indicators", "indicators-appeared"))
    out += [f"  {' '.join(filter(None, (x['code'], x['title'])))}" for x in ind["appeared"]]
    out.append(head("Indicators not in the later report, with their last status", "indicators-disappeared"))
    out += [
        f"  {' '.join(filter(None, (x['code'], x['title'])))} — {st(x.get('status'))}"
        for x in ind["disappeared"]
    ]
    out += more.get("risks", [])
    out.append("\n" + head("Targets changed", "targets-changed"))
    for x in c["targets_changed"]:
        t0, t1 = (x[r]["target_label"] if x[r]["target"] is not None else "no target" for r in (old, new))
        l0, l1 = (f" (line {x[r]['lines']})" if x[r]["lines"] else "" for r in (old, new))
        out.append(f"  {x['code'] or x['title']}: {t0}{l0} -> {t1}{l1}")
    out.append("\n" + head("Figures restated (beyond the precision of the older report)", "figures-restated"))
    for x in c["restated"]:
        a, b = x[old], x[new]
        out.append(
            f"  {x['code'] or x['title']} {x['period']}: {a['value']} in the {period_label(old)} report "
            f'(line {a["lines"]}: "{_short(a["text"])}") -> {b["value"]} in the {period_label(new)} report '
            f'(line {b["lines"]}: "{_short(b["text"])}")'
        )
    if "rounded" in c:
        out += continuity.figure_lines(c, head)
    out.append("\n" + head("Statuses moved", "statuses-moved"))
    for x in c["statuses_moved"]:
        out.append(f"  {x['kind']} {x['code'] or x['title']}: {st(x[old])} -> {st(x[new])}")
    out.append("\nEach number is the members of queries/changes/NAME.rq for the two reports.")
    return "\n".join(out) + "\n"
