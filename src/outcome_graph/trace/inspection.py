"""The audit organised by the questions an inspection asks: the Care Inspectorate's five key questions
for joint inspections of services for children, and the council's duties; plus every claim of the
report with its verdict. Pure functions over the trace graph and one CONSTRUCT answer (inspection.rq).

Which records bear on a key question is curated (graph/curated/inspection-map.csv, a rationale per
row): the reports never name the key questions. For a duty the evidence is also what the report's own
words give (an action whose text names the duty's provision, an excerpt that names it) and the
curated links of graph/curated/links.csv; each item says which, and a duty with nothing says so.
"""

from __future__ import annotations

from pathlib import Path

import rdflib
from rdflib import URIRef
from rdflib.namespace import RDF, SKOS

from ..counts import load_counts
from ..namespaces import OG
from .audit_records import _indicator as full
from .evidence_kinds import (
    CLAIM,
    CURATED_KIND,
    FIGURE_KIND,
    IMPLEMENTS,
    MENTIONS,
    RISK,
    claims_on,
    label_kinds,
)
from .gaps import children, evidence_of, members
from .graph import TraceGraph, local
from .summaries import period_label as period_label  # where the audit's modules read it

QUERY = (Path(__file__).with_name("inspection.rq")).read_text(encoding="utf-8")
# The claim numbers the audit shows, each a count of queries/counts/ (by the key the section uses).
CLAIM_COUNTS = {
    "total": "claims-total",
    "Agrees": "claims-agree",
    "Disagrees": "claims-disagree",
    "CannotCheck": "claims-cannot-check",
}
WORDS, CURATED, FIGURE = "the report's own words", "a curated link", "a figure"
BASIS = {"ReportText": WORDS, "Curation": CURATED, "CodeStructure": WORDS}
MAPPING_SOURCE = "graph/curated/inspection-map.csv"


REPORT_QUERIES = tuple(
    (Path(__file__).with_name(f"inspection-{name}.rq").read_text(encoding="utf-8"), part)
    for name, part in (("report", "the claims of the report"), ("bearings", "what the records bear on"))
)


def read(store, scope=None, timeout=None) -> rdflib.Graph:
    """What every council shares (inspection.rq), plus the claims and og:bearsOn links of the scope's
    reports (a query_layer.Scope: one council's), read through the query layer; never the nation's."""
    from ..query_layer import read_construct
    from ..query_layer.scope import council_base, council_of

    rdf = read_construct(store, QUERY, "the key questions and duties", timeout=timeout)
    if scope is None or not scope.reports:
        return rdf
    bound = {"reportDoc": scope.report_terms}
    constants = {"councilBase": council_base(scope.council)}
    for text, part in REPORT_QUERIES:
        for s, p, o in read_construct(store, text, part, bound, timeout=timeout, constants=constants):
            if council_of(str(s)) in (None, scope.council):  # an LGBF indicator's links elsewhere
                rdf.add((s, p, o))
    return rdf


def _lines(tg: TraceGraph, n: str) -> list[dict]:
    out = []
    for e in evidence_of(tg, n):
        d = tg.node(e)
        first, last = d.get("first"), d.get("last")
        out.append(
            {
                "report": (d.get("reports") or [None])[0],
                "lines": f"{first}" if first == last else f"{first}-{last}",
                "text": d.get("text"),
            }
        )
    return out


def _in_report(tg: TraceGraph, n: str, report: str) -> bool:
    return n in tg.g and report in tg.node(n).get("reports", [])


def _indicator(tg: TraceGraph, ind: str, report: str) -> dict | None:
    i = full(tg, ind, report)
    figures = [o for o in i["observations"] if o["value"] is not None]
    if not i["observations"]:
        return None
    latest = figures[-1] if figures else i["observations"][-1]
    return {
        "iri": ind,
        "code": i["code"],
        "title": i["title"],
        "latest": latest["display"],
        "period": period_label(latest["period"]),
        "target": i["target"],
        "target_label": i["target_label"],
        "status": i["status"],
        "lines": [e for e in latest["evidence"]],
    }


def _claim(rdf: rdflib.Graph, c) -> dict:
    e = rdf.value(c, OG.evidence)
    verdict = rdf.value(c, OG.verdict)
    return {
        "iri": str(c),
        "key": local(c),
        "statement": str(rdf.value(c, OG.statement) or ""),
        "about": str(rdf.value(c, OG.about) or ""),
        "verdict": local(verdict) if verdict else None,
        "verdict_label": str(rdf.value(verdict, SKOS.prefLabel) or local(verdict)) if verdict else None,
        "reason": str(rdf.value(c, OG.reason) or ""),
        "line": _line_of(str(e)),
        "figures": sorted(
            (
                int(rdf.value(f, OG.position)),
                local(rdf.value(f, OG.role)).removesuffix("Role").lower(),
                str(rdf.value(f, OG.rawValue)),
            )
            for f in rdf.objects(c, OG.figure)
        ),
    }


def _line_of(excerpt_iri: str) -> str:
    # ogr:{council}/report/{year}/lines/{first}-{last}
    span = excerpt_iri.rsplit("/", 1)[-1]
    first, _, last = span.partition("-")
    return first if first == last else span


def _bearing(rdf: rdflib.Graph, s, target) -> str | None:
    for link in rdf.subjects(RDF.subject, s):
        if rdf.value(link, RDF.predicate) == OG.bearsOn and rdf.value(link, RDF.object) == target:
            return str(rdf.value(link, OG.rationale) or "")
    return None


def _empty() -> dict:
    return {"actions": [], "indicators": [], "claims": [], "risks": [], "words": []}


def _add(
    tg: TraceGraph,
    rdf: rdflib.Graph,
    out: dict,
    s: str,
    report: str,
    basis: str,
    why: str | None,
    claims: dict[str, dict],
    kind_of: str | None = None,
) -> bool:
    """Puts one record into its list, with its evidence kind (`kind_of`, else the kind of a curated record
    of its list); False when it is not part of this report."""
    if s in claims:
        out["claims"].append({**claims[s], "basis": basis, "rationale": why, "kind": kind_of or CLAIM})
        return True
    if s not in tg.g:
        return False
    kind = tg.kind(s)
    d = tg.node(s)
    if kind == "Indicator":
        i = _indicator(tg, s, report) if report in d.get("reports", []) else None
        if i:
            out["indicators"].append({**i, "basis": basis, "rationale": why, "kind": kind_of or FIGURE_KIND})
        return i is not None
    if not _in_report(tg, s, report):
        return False
    item = {
        "iri": s,
        "code": d.get("code"),
        "title": d.get("title"),
        "basis": basis,
        "rationale": why,
        "lines": _lines(tg, s),
    }
    listed = {"Action": "actions", "Risk": "risks"}.get(kind, "words")
    item["kind"] = kind_of or CURATED_KIND[listed]
    if kind == "Action":
        out["actions"].append({**item, "progress": d.get("progress"), "status": d.get("status")})
    elif kind == "Risk":
        out["risks"].append({**item, "score": d.get("score")})
    elif kind == "Excerpt":
        first, last = d.get("first"), d.get("last")
        lines = f"{first}" if first == last else f"{first}-{last}"
        out["words"].append(
            {
                **item,
                "text": d.get("text"),
                "lines": [{"report": report, "lines": lines, "text": d.get("text")}],
            }
        )
    else:  # the report itself, a priority
        out["words"].append({**item, "text": d.get("title"), "lines": []})
    return True


def _sort(out: dict) -> dict:
    for k in ("actions", "indicators", "risks"):
        out[k].sort(key=lambda x: (x.get("code") or "", x["iri"]))
    out["claims"].sort(key=lambda c: (int(c["line"].split("-")[0]), c["key"]))
    out["words"].sort(key=lambda x: x["iri"])
    return out


def _targets(rdf: rdflib.Graph, cls) -> list:
    return sorted(rdf.subjects(RDF.type, cls), key=lambda t: int(rdf.value(t, OG.order) or 0))


def key_questions(rdf: rdflib.Graph, tg: TraceGraph, report: str, claims: dict[str, dict]) -> list[dict]:
    out = []
    for q in _targets(rdf, OG.KeyQuestion):
        items = _empty()
        for s in sorted(rdf.subjects(OG.bearsOn, q)):
            _add(tg, rdf, items, str(s), report, CURATED, _bearing(rdf, s, q), claims)
        kinds = label_kinds(rdf, items)
        out.append(
            {
                "iri": str(q),
                "notation": str(rdf.value(q, SKOS.notation)),
                "label": str(rdf.value(q, SKOS.prefLabel)),
                "kinds": kinds,
                # no number of its own: the section is the lists below, or "no evidence"
                "evidenced": any(items.values()),
                **_sort(items),
            }
        )
    return out


def _derived(tg: TraceGraph, provisions: list[str]) -> list[tuple[str, str, str | None, str]]:
    """(record, basis, rationale, evidence kind) from the graph's own links: actions implementing the
    provisions (or their sections), excerpts naming them, risks of the register related to them."""
    found = []
    for p in provisions:
        if p not in tg.g:
            continue
        for b in [p, *children(tg, p, "partOf")]:
            for rel, kind, record_kind in (("implements", IMPLEMENTS, "Action"), ("relatesTo", RISK, "Risk")):
                for a in children(tg, b, rel, record_kind):
                    edge = tg.g.edges[b, a]
                    basis = BASIS.get(edge.get("basis", "").split("+")[0], CURATED)
                    found.append((a, basis, edge.get("rationale"), kind))
            for e in children(tg, b, "mentions", "Excerpt"):
                found.append((e, WORDS, None, MENTIONS))
    return found


def duties(rdf: rdflib.Graph, tg: TraceGraph, report: str, claims: dict[str, dict]) -> list[dict]:
    out = []
    for duty in _targets(rdf, OG.Duty):
        provisions = sorted(str(p) for p in rdf.objects(duty, OG.provision))
        items = _empty()
        seen: set[str] = set()
        for s, basis, why, kind in _derived(tg, provisions):
            if s not in seen and _add(tg, rdf, items, s, report, basis, why, claims, kind):
                seen.add(s)
        for s in sorted(rdf.subjects(OG.bearsOn, duty)):
            if str(s) not in seen and _add(
                tg, rdf, items, str(s), report, CURATED, _bearing(rdf, s, duty), claims
            ):
                seen.add(str(s))
        for c in claims_on(rdf, tg, items, claims):
            if c not in seen and _add(tg, rdf, items, c, report, WORDS, None, claims, CLAIM):
                seen.add(c)
        kinds = sorted({x["basis"] for v in items.values() for x in v})
        if items["indicators"] or items["claims"]:
            kinds.append(FIGURE)
        found_kinds = label_kinds(rdf, items)
        out.append(
            {
                "iri": str(duty),
                "notation": str(rdf.value(duty, SKOS.notation)),
                "label": str(rdf.value(duty, SKOS.prefLabel)),
                "provisions": provisions,
                "evidence_kinds": kinds,
                "kinds": found_kinds,
                "evidenced": bool(seen),
                **_sort(items),
            }
        )
    return out


def status_labels(rdf: rdflib.Graph) -> dict[str, str]:
    """Status (and verdict) concept names -> the vocabulary's labels: "OffTarget" -> "Off Target"."""
    # sorted: the graph's triple order is the store's answer order, which differs between stores
    labelled = rdf.subject_objects(SKOS.prefLabel)
    pairs = sorted((local(s), str(o)) for s, o in labelled if str(s).startswith(str(OG)))
    return dict(pairs)


def _label_statuses(rdf: rdflib.Graph, sections: list[dict]) -> None:
    """Each action's and indicator's status as the vocabulary labels it ("Off Target")."""
    labels = status_labels(rdf)
    for s in sections:
        for x in s["actions"] + s["indicators"]:
            x["status_label"] = labels.get(x.get("status") or "", x.get("status"))


def claim_counts(tg: TraceGraph, report: str, report_node: str | None) -> list[dict]:
    """Each claim count (queries/counts/claims-*.rq) of the report: key, count, words and number."""
    return [
        {
            "key": key,
            "count": name,
            "counts": load_counts()[name].says(report),
            "value": len(members(tg, name, report_node)) if report_node else 0,
        }
        for key, name in CLAIM_COUNTS.items()
    ]


def build_inspection(rdf: rdflib.Graph, tg: TraceGraph, report: str) -> dict:
    report_node = next((n for n in tg.nodes_of("Report") if tg.node(n).get("reports") == [report]), None)
    # the claims listed are the members of the count claims-total: the list and its number are one
    listed = [_claim(rdf, URIRef(c)) for c in members(tg, "claims-total", report_node)] if report_node else []
    listed.sort(key=lambda c: (int(c["line"].split("-")[0]), c["key"]))
    by_iri = {c["iri"]: c for c in listed}
    numbers = claim_counts(tg, report, report_node)
    questions, duty_sections = key_questions(rdf, tg, report, by_iri), duties(rdf, tg, report, by_iri)
    _label_statuses(rdf, questions + duty_sections)
    return {
        "mapping": f"curated ({MAPPING_SOURCE}, a rationale per row); for duties also the report's "
        "own words (actions and paragraphs naming the provision) and graph/curated/links.csv",
        "key_questions": questions,
        "duties": duty_sections,
        "claims": listed,
        "claim_counts": {c["key"]: c["value"] for c in numbers},
        "claim_count_words": numbers,
    }


def _where(lines: list[dict]) -> str:
    return "; ".join(f"{e['report']} line {e['lines']}" for e in lines)


def _rows(section: dict, name: str, label: str) -> list[list]:
    rows = []
    for kind in ("actions", "indicators", "claims", "risks", "words"):
        for x in section[kind]:
            if kind == "claims":
                what, shown, where = x["key"], f"{x['statement']} [{x['verdict_label']}]", f"line {x['line']}"
            elif kind == "indicators":
                what = x["code"] or x["title"]
                target, status = x["target_label"] or "-", x["status"] or "no status"
                shown = f"{x['latest']} ({x['period']}); target {target}; {status}"
                where = _where(x["lines"])
            else:
                what, shown, where = (
                    x.get("code") or x.get("title"),
                    x.get("title") or x.get("text"),
                    _where(x["lines"]),
                )
            rows.append(
                [name, label, x["kind_label"], what, shown, where, x["basis"], x.get("rationale") or ""]
            )
    return rows


def inspection_tables(a: dict) -> dict[str, tuple[list[str], list[list]]]:
    """The sections as CSV tables (empty when the audit was built without the store)."""
    i = a.get("inspection") or {"key_questions": [], "duties": [], "claims": []}
    head = ["key", "label", "kind", "record", "what", "lines", "basis", "rationale"]
    duties = []
    for d in i["duties"]:
        rows = _rows(d, d["notation"], d["label"])
        duties += rows or [[d["notation"], d["label"], "", "", "no evidence in this report", "", "", ""]]
    return {
        "key-questions": (head, [r for q in i["key_questions"] for r in _rows(q, q["notation"], q["label"])]),
        "duties": (head, duties),
        "claims": (
            ["claim", "line", "statement", "about", "figures", "verdict", "reason"],
            [
                [
                    c["key"],
                    c["line"],
                    c["statement"],
                    c["about"],
                    "; ".join(f"{role} {raw}" for _, role, raw in c["figures"]),
                    c["verdict_label"],
                    c["reason"],
                ]
                for c in i["claims"]
            ],
        ),
    }
