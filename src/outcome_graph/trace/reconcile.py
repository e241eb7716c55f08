"""Each number of the audit's summary beside the report's own statement of it, and why they differ.

A count of queries/counts/ names the total the report states for it (`# total: actions.total`, an
og:ReportedTotal read from the report) and the heading the report lists its members under (`# listed:
Service Plan Actions Off Target`, the dashboard's list, kept as excerpts with that og:heading). The
audit counts records by what their own notes say; the report's dashboard may count differently (an
action whose note says "Data not available" is on the dashboard's off-target list). Both are shown, and
where they differ the records that make the difference are named, with what their notes say.
"""

from __future__ import annotations

import re

from ..counts import load_counts
from .gaps import evidence_of, members
from .graph import TraceGraph

_WORDS = re.compile(r"[a-z0-9]+")


def _norm(text: str | None) -> str:
    return " ".join(_WORDS.findall((text or "").casefold()))


def _span(tg: TraceGraph, n: str) -> tuple[int, int] | None:
    spans = [(tg.node(e).get("first"), tg.node(e).get("last")) for e in evidence_of(tg, n)]
    spans = [s for s in spans if s[0] is not None]
    return min(spans) if spans else None


def _lines(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}–{last}"


def _stated(tg: TraceGraph, report: str, key: str) -> dict | None:
    for n in sorted(tg.nodes_of("ReportedTotal")):
        d = tg.node(n)
        if d.get("reports") == [report] and d.get("total_of") == key and d.get("value") is not None:
            span = _span(tg, n)
            return {"value": int(float(d["value"])), "key": key, "lines": _lines(*span) if span else ""}
    return None


def _record_for(tg: TraceGraph, report: str, text: str) -> str | None:
    """The action or indicator of the report a listed line names (its title, as the list prints it)."""
    said = _norm(text)
    for kind in ("Action", "Indicator"):
        for n in sorted(tg.nodes_of(kind)):
            d = tg.node(n)
            title = _norm(d.get("title"))
            if report in d.get("reports", []) and title and (title == said or said.startswith(title)):
                return n
    return None


def _listed(tg: TraceGraph, report: str, heading: str) -> dict | None:
    items = []
    for e in sorted(tg.nodes_of("Excerpt")):
        d = tg.node(e)
        if d.get("reports") == [report] and d.get("heading") == heading:
            items.append((d.get("first") or 0, d.get("text") or "", _record_for(tg, report, d.get("text"))))
    if not items:
        return None
    items.sort()
    return {
        "heading": heading,
        "lines": _lines(items[0][0], items[-1][0]),
        "items": [{"line": f, "text": t, "record": r} for f, t, r in items],
    }


def _name(tg: TraceGraph, n: str) -> dict:
    d = tg.node(n)
    return {"iri": n, "code": d.get("code"), "title": d.get("title"), "status": d.get("status")}


def reconcile(tg: TraceGraph, a: dict) -> list[dict]:
    """One row per summary count the report states or lists itself: ours, the report's, the difference."""
    report = a["report"]
    node = next((r for r in tg.nodes_of("Report") if tg.node(r).get("reports") == [report]), None)
    if node is None:
        return []
    counts = load_counts()
    rows = []
    for c in a["summary"]["counts"]:
        count = counts[c["count"]]
        stated = _stated(tg, report, count.total) if count.total else None
        listed = _listed(tg, report, count.listed) if count.listed else None
        if stated is None and listed is None:
            continue
        ours = set(members(tg, c["count"], node))
        row = {"count": c["count"], "counts": c["counts"], "value": c["value"], "stated": stated}
        if listed:
            named = {i["record"] for i in listed["items"] if i["record"]}
            listed["count"] = len(listed["items"])
            row["listed"] = listed
            row["listed_not_counted"] = [_name(tg, n) for n in sorted(named - ours)]
            row["counted_not_listed"] = [_name(tg, n) for n in sorted(ours - named)]
            row["unmatched"] = [i for i in listed["items"] if not i["record"]]
        row["agrees"] = (stated is None or stated["value"] == c["value"]) and (
            listed is None or (listed["count"] == c["value"] and not row["listed_not_counted"])
        )
        rows.append(row)
    return rows
