"""The audit's record summaries (an action, an indicator with its figures in one report, the lines a
record was read from): shared by the audit (audit.py) and its inspection sections (inspection.py), which
import them from here and never each other."""

from __future__ import annotations

from ..labels import value_text
from .engine import display_value
from .gaps import children, evidence_of, status_in_year
from .graph import TraceGraph, period_key


def _evidence(tg: TraceGraph, n: str) -> list[dict]:
    out = []
    for e in evidence_of(tg, n):
        d = tg.node(e)
        out.append(
            {
                "report": (d.get("reports") or [None])[0],
                "first_line": d.get("first"),
                "last_line": d.get("last"),
                "lines": f"{d.get('first')}"
                if d.get("first") == d.get("last")
                else f"{d.get('first')}-{d.get('last')}",
                "text": d.get("text"),
                "iri": e,
            }
        )
    return out


def _action(tg: TraceGraph, a: str) -> dict:
    d = tg.node(a)
    return {
        "iri": a,
        "code": d.get("code"),
        "title": d.get("title"),
        "progress": d.get("progress"),
        "status": d.get("status"),
        "due": d.get("due"),
        "note": d.get("note"),
        "evidence": _evidence(tg, a),
    }


def _indicator(tg: TraceGraph, ind: str, report: str) -> dict:
    d = tg.node(ind)
    obs = []
    for o in children(tg, ind, "indicator", "Observation"):
        od = tg.node(o)
        if report not in od.get("reports", []):
            continue
        obs.append(
            {
                "iri": o,
                "period": od.get("period"),
                "value": od.get("value"),
                "display": display_value(od),
                "unit": od.get("unit"),
                "target": od.get("target"),
                "status": od.get("status"),
                "note": od.get("note"),
                "evidence": _evidence(tg, o),
            }
        )
    obs.sort(key=lambda o: period_key(o["period"] or ""))
    target = next((o["target"] for o in reversed(obs) if o["target"] is not None), None)
    unit = next((o["unit"] for o in reversed(obs) if o["unit"]), None)
    status = status_in_year(tg, ind, report)
    note = next((o["note"] for o in reversed(obs) if o["status"] and o["note"]), None)
    return {
        "iri": ind,
        "code": d.get("code"),
        "title": d.get("title"),
        "target": target,
        "unit": unit,
        "target_label": value_text(target, unit) if target is not None else None,  # "£15.46m", "20 days"
        "status": status,
        "off_target_reason": note if status == "OffTarget" else None,
        "note": note,
        "observations": obs,
        "evidence": [e for e in _evidence(tg, ind) if e["report"] == report],
    }
