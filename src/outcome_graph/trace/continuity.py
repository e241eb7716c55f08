"""What `diff` and the audit's "what changed" show of continuity (issue 18): for each pair of records, how
it was matched — carried over (same code), continued under a new code (curated), possibly continued
(suggested, with the score), new, or not in the later report (with its old status) — for actions,
indicators and risks; wording and definition changes; figures rounded rather than restated; ranks and
quartiles moved. The members are those of queries/changes/*.rq (`m`); the link details (kind, rationale,
score, wordings) come from the saved query queries/continuity.rq, so nothing here decides a match.
"""

from __future__ import annotations

from ..counts import load_counts
from ..paths import QUERIES_DIR
from .gaps import evidence_of, parents, status_in_year
from .graph import TraceGraph, local
from .inspection import period_label
from .summaries import display_value

LINKS = (QUERIES_DIR / "continuity.rq").read_text(encoding="utf-8")
DUPLICATES = "records-near-duplicate"


def _year_of(excerpt_iri: str) -> str | None:
    part = excerpt_iri.split("/report/", 1)
    return part[1].split("/", 1)[0] if len(part) == 2 else None


def lines_in(tg: TraceGraph, n: str, year: str | None = None) -> dict:
    """Where a record is in one report (an indicator has an excerpt in each report it is in); an excerpt
    is its own place."""
    evs = [n] if tg.kind(n) == "Excerpt" else evidence_of(tg, n)
    evs = [e for e in evs if year is None or _year_of(e) == year] or evs
    if not evs:
        return {"lines": None, "text": None}
    d = tg.node(evs[0])
    first, last = d.get("first"), d.get("last")
    return {"lines": f"{first}" if first == last else f"{first}-{last}", "text": d.get("text")}


def record(tg: TraceGraph, n: str, year: str) -> dict:
    """A record as diff shows it: code, title, status (an indicator's for the report's year; an action's
    progress too; a risk's score), and its lines in that report."""
    d = tg.node(n)
    kind = tg.kind(n)
    out = {"iri": n, "kind": kind.lower(), "code": d.get("code"), "title": d.get("title") or d.get("heading")}
    if kind == "Action":
        out.update(progress=d.get("progress"), status=d.get("status"))
    elif kind == "Indicator":
        out["status"] = status_in_year(tg, n, year)
    elif kind == "Risk":
        out["score"] = d.get("score")
    return {**out, **lines_in(tg, n, year)}


def link_details(store, old_doc: str, new_doc: str) -> dict[tuple[str, str, str], dict]:
    """{(relation, item, was): the link's kind, basis, score, rationale and wordings} for the pair."""
    out: dict[tuple[str, str, str], dict] = {}
    for row in store.select(LINKS).rows:
        if (str(row["oldDoc"]), str(row["newDoc"])) != (old_doc, new_doc):
            continue
        key = (local(row["relation"]), str(row["item"]), str(row["was"]))
        d = out.setdefault(key, {"bases": set()})
        d["bases"].add(local(row["basis"]))
        for name in ("kind", "similarity", "threshold", "rationale", "oldWording", "newWording"):
            value = row.get(name)
            if value is not None:
                d[name] = local(value) if name == "kind" else str(value)
    for d in out.values():
        d["bases"] = sorted(d["bases"])
    return out


def _pair(tg, links, relation, item, was, old, new) -> dict:
    d = links.get((relation, item, was), {})
    return {
        old: record(tg, was, old),
        new: record(tg, item, new),
        "kind": d.get("kind"),
        "basis": "+".join(d.get("bases", [])) or None,
        "score": d.get("similarity"),
        "threshold": d.get("threshold"),
        "rationale": d.get("rationale"),
        "old_wording": d.get("oldWording"),
        "new_wording": d.get("newWording"),
    }


def _by_new_code(items: list[dict], new: str) -> list[dict]:
    return sorted(items, key=lambda x: (x[new]["code"] or "", x[new]["title"] or "", x[new]["iri"]))


def _figure(tg: TraceGraph, item: str, was: str, old: str, new: str) -> dict:
    [indicator] = parents(tg, item, "indicator", "Indicator")
    d0, d1 = tg.node(was), tg.node(item)
    ind = tg.node(indicator)
    out = {
        "iri": indicator,
        "code": ind.get("code"),
        "title": ind.get("title"),
        "period": period_label(d1.get("period")),
    }
    for year, n, d in ((old, was, d0), (new, item, d1)):
        out[year] = {
            "value": display_value(d),
            "rank": d.get("rank"),
            "quartile": d.get("quartile"),
            **lines_in(tg, n),
        }
    return out


def sections(tg: TraceGraph, store, m: dict, old: str, new: str, old_doc: str, new_doc: str) -> dict:
    """The continuity parts of `compare_reports`, keyed as it shows them."""
    links = link_details(store, old_doc, new_doc)

    def pairs(name: str, relation: str) -> list[dict]:
        return _by_new_code([_pair(tg, links, relation, i, w, old, new) for i, w in m[name]], new)

    def one(name: str, year: str) -> list[dict]:
        items = [record(tg, i, year) for i, _ in m[name]]
        return sorted(items, key=lambda x: (x["code"] is None, x["code"] or "", x["title"] or "", x["iri"]))

    figures = {
        name: sorted(
            (_figure(tg, i, w, old, new) for i, w in m[name]),
            key=lambda x: (x["code"] or "", x["title"] or "", x["period"] or ""),
        )
        for name in ("figures-rounded", "ranks-moved")
    }
    reworded = [{**_pair(tg, links, "continues", i, w, old, new)} for i, w in m["records-reworded"]]
    duplicates = {}
    count = load_counts()[DUPLICATES]
    members = {(str(r["reportDoc"]), str(r["item"])) for r in store.select(count.text).rows}
    for year, doc in ((old, old_doc), (new, new_doc)):
        flagged = sorted(i for d, i in members if d == doc and i in tg.g)
        same = [k for k in link_details(store, doc, doc) if k[0] == "nearDuplicateOf"]
        duplicates[year] = [
            {
                **record(tg, i, year),
                "with": sorted(
                    record(tg, other, year)["code"] or other
                    for (_, a, b) in same
                    for other in ((b,) if a == i else (a,) if b == i else ())
                ),
            }
            for i in flagged
        ]
    return {
        "actions_continued": pairs("actions-continued", "continues"),
        "actions_suggested": pairs("actions-suggested", "mayContinue"),
        "indicators_continued": pairs("indicators-continued", "continues"),
        "indicators_suggested": pairs("indicators-suggested", "mayContinue"),
        "reworded": _by_new_code(reworded, new),
        "redefined": pairs("indicators-redefined", "continues"),
        "risks": {
            "carried_over": _by_new_code(
                [{old: record(tg, w, old), new: record(tg, i, new)} for i, w in m["risks-carried-over"]], new
            ),
            "continued": pairs("risks-continued", "continues"),
            "suggested": pairs("risks-suggested", "mayContinue"),
            "new": one("risks-new", new),
            "dropped": one("risks-dropped", old),
        },
        "rounded": figures["figures-rounded"],
        "ranks_moved": figures["ranks-moved"],
        "near_duplicates": duplicates,
        "near_duplicate_counts": {year: len(duplicates[year]) for year in (old, new)},
    }


def _rec(x: dict) -> str:
    name = " ".join(filter(None, (x.get("code"), x.get("title"))))
    if x["kind"] == "excerpt":
        name = f'the report\'s own words "{_short(x.get("text"), 70)}"'
    return f"{name} (line {x['lines']})"


def _short(text: str | None, n: int = 100) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= n else flat[: n - 1] + "…"


def text_lines(c: dict, head, st) -> dict[str, list[str]]:
    """The continuity sections of `diff`'s text by part (actions, indicators, risks)."""
    old, new = c["old"], c["new"]
    o, n = period_label(old), period_label(new)
    parts: dict[str, list[str]] = {"actions": [], "indicators": [], "risks": []}
    out = parts["actions"]

    def pair_lines(items: list[dict], suggested: bool) -> None:
        nonlocal out
        for x in items:
            how = (
                f"possible continuation (suggested, score {x['score']} of 100, threshold {x['threshold']})"
                if suggested
                else f"continues under a new code (curated: {st(x['kind'])})"
            )
            out.append(f"  {_rec(x[new])} <- {o} {_rec(x[old])}: {how}")
            if x.get("rationale"):
                out.append(f"      why: {_short(x['rationale'], 300)}")

    out.append(head("Actions continuing under a new code (curated)", "actions-continued"))
    pair_lines(c["actions"]["continued"], False)
    out.append(head("Actions possibly continued (suggested, with their score)", "actions-suggested"))
    pair_lines(c["actions"]["suggested"], True)
    out = parts["indicators"]
    out.append(head("Indicators continuing under a new code or wording (curated)", "indicators-continued"))
    pair_lines(c["indicators"]["continued"], False)
    out.append(head("Indicators possibly continued (suggested, with their score)", "indicators-suggested"))
    pair_lines(c["indicators"]["suggested"], True)
    out.append(head("Wording changed (same measure)", "records-reworded"))
    for x in c["reworded"]:
        out.append(
            f'  {x[new]["code"] or x[new]["kind"]}: "{x["old_wording"]}" ({o}, line {x[old]["lines"]}) -> '
            f'"{x["new_wording"]}" ({n}, line {x[new]["lines"]}) [{x["basis"]}]'
        )
    out.append(head("Definitions changed (statuses not compared)", "indicators-redefined"))
    for x in c["redefined"]:
        moved = (
            f"; status {st(x[old]['status'])} -> {st(x[new]['status'])}, not compared"
            if x[old].get("status") or x[new].get("status")
            else ""
        )
        out.append(
            f'  "{x["new_wording"] or x[new]["title"]}" ({n}, line {x[new]["lines"]}) '
            f'was "{x["old_wording"] or x[old]["title"]}" ({o}, line {x[old]["lines"]}){moved}'
        )
        out.append(f"      why: {_short(x['rationale'], 300)}")
    r = c["risks"]
    out = parts["risks"]
    out.append("\n" + head("Risks carried over (same code)", "risks-carried-over"))
    for x in r["carried_over"]:
        out.append(f"  {_rec(x[new])}: score {x[old].get('score')} -> {x[new].get('score')}")
    out.append(head("Risks continuing under a new code (curated)", "risks-continued"))
    pair_lines(r["continued"], False)
    out.append(head("Risks possibly continued (suggested, with their score)", "risks-suggested"))
    pair_lines(r["suggested"], True)
    out.append(head("New risks", "risks-new"))
    out += [f"  {_rec(x)}, score {x.get('score')}" for x in r["new"]]
    out.append(head("Risks not in the later report, with their last score", "risks-dropped"))
    out += [f"  {_rec(x)}, score {x.get('score')}" for x in r["dropped"]]
    return parts


def figure_lines(c: dict, head) -> list[str]:
    old, new = c["old"], c["new"]
    o, n = period_label(old), period_label(new)
    out = ["\n" + head("Figures rounded, not restated", "figures-rounded")]
    for x in c["rounded"]:
        out.append(
            f"  {x['code'] or x['title']} {x['period']}: {x[old]['value']} ({o}, line {x[old]['lines']}) and "
            f"{x[new]['value']} ({n}, line {x[new]['lines']}): the same at the precision of the {o} report"
        )
    out.append("\n" + head("Ranks and quartiles moved", "ranks-moved"))
    for x in c["ranks_moved"]:
        a, b = x[old], x[new]
        out.append(
            f"  {x['code'] or x['title']} {x['period']}: rank {a['rank']} (quartile {a['quartile']}) "
            f"in the {o} report (line {a['lines']}) -> rank {b['rank']} (quartile {b['quartile']}) "
            f"in the {n} report (line {b['lines']})"
        )
    words = load_counts()[DUPLICATES]
    for year in (old, new):
        items = c["near_duplicates"][year]
        out.append(f"\nNear duplicates — {words.says(year)}: {len(items)}")
        for x in items:
            out.append(f"  {_rec(x)}: nearly repeats {', '.join(x['with'])}")
    return out
