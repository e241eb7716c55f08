"""The audit's tables as (header, rows), for CSV download: made from the audit's data (trace/audit.py)
and its inspection sections (trace/inspection.py), nothing counted here."""

from __future__ import annotations

from ..labels import value_text

TABLES = (
    "summary",
    "key-questions",
    "duties",
    "claims",
    "actions",
    "indicators",
    "observations",
    "coverage",
    "gaps",
    "warnings",
    "compare",
)


# figures keep the plain number for machines, with the figure in its unit beside it ("£15.46m")
COMPARE_COLUMNS = [
    "indicator",
    "title",
    "report",
    "period",
    "value",
    "value_label",
    "target",
    "target_label",
    "status",
    "lines",
]


def _lines(ev: list[dict]) -> str:
    return "; ".join(f"{e['report']} line {e['lines']}" for e in ev)


def _with_evidence(first: list, x: dict, keys: tuple[str, ...]) -> list:
    """A row: `first`, then x's fields named by `keys`, then its evidence lines and their text."""
    ev = x["evidence"]
    return [*first, *(x[k] for k in keys), _lines(ev), " | ".join(e["text"] or "" for e in ev)]


def audit_tables(a: dict) -> dict[str, tuple[list[str], list[list]]]:
    """Every table of the audit as (header, rows), for CSV download."""
    from .inspection import inspection_tables

    t: dict[str, tuple[list[str], list[list]]] = dict(inspection_tables(a))
    t["summary"] = (
        ["what is counted", "count", "definition"],
        [[c["counts"], c["value"], f"queries/counts/{c['count']}.rq"] for c in a["summary"]["counts"]],
    )
    t["actions"] = (
        ["priority", "code", "title", "progress", "status", "due", "note", "lines", "evidence"],
        [
            _with_evidence([s["code"]], x, ("code", "title", "progress", "status", "due", "note"))
            for s in a["priorities"]
            for x in s["actions"]
        ],
    )
    t["indicators"] = (
        ["priority", "code", "title", "target", "target_label", "status", "off_target_reason", "lines"],
        [
            [
                s["code"],
                i["code"],
                i["title"],
                i["target"],
                i.get("target_label"),
                i["status"],
                i["off_target_reason"],
                _lines(i["evidence"]),
            ]
            for s in a["priorities"]
            for i in s["indicators"]
        ],
    )
    t["observations"] = (
        [
            "priority",
            "indicator",
            "period",
            "value",
            "shown",
            "unit",
            "target",
            "target_label",
            "status",
            "note",
            "lines",
            "evidence",
        ],
        [
            _with_evidence(
                [s["code"], i["code"]],
                {**o, "target_label": value_text(o["target"], o["unit"]) or None},
                ("period", "value", "display", "unit", "target", "target_label", "status", "note"),
            )
            for s in a["priorities"]
            for i in s["indicators"]
            for o in i["observations"]
        ],
    )
    cols = a["coverage"]["columns"]
    t["coverage"] = (
        ["duty", "part", *[f"priority {c}" for c in cols]],
        [
            [r["whole"], r["label"], *[" ".join(r["cells"].get(c, [])) for c in cols]]
            for r in a["coverage"]["rows"]
        ],
    )
    t["gaps"] = (
        ["kind", "code", "title", "report", "lines", "detail", "record"],
        [
            [g["kind"], g["code"], g["title"], g["report"], g["lines"], g["detail"], g["record"]]
            for g in a["gaps"]
        ],
    )
    t["warnings"] = (
        ["severity", "rule", "code", "report", "line", "value", "message", "focus"],
        [
            [w[k] for k in ("severity", "rule", "code", "report", "line", "value", "message", "focus")]
            for w in a["warnings"]
        ],
    )
    c = a.get("compare")
    if c:
        old, new = c["reports"]
        rows = []
        for i in c["indicators"]:
            for r in (old, new):
                for o in i[r]["observations"]:
                    rows.append(
                        [
                            i["code"],
                            i["title"],
                            r,
                            o["period"],
                            o["value"],
                            value_text(o["value"], o.get("unit")) or None,
                            o["target"],
                            value_text(o["target"], o.get("unit")) or None,
                            o["status"],
                            _lines(o["evidence"]),
                        ]
                    )
        t["compare"] = (COMPARE_COLUMNS, rows)
    else:
        t["compare"] = (COMPARE_COLUMNS, [])
    return t
