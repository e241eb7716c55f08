"""The bounded reads a record's page makes around the record (serve/lookup.py): the names of the nodes it
shows, its qualified links with their basis, and what points to it by the properties few enough to list
(NEIGHBOURS_SHOWN subjects each); a property with more, a class's members or a statute's mentions, is
counted instead. Each read is bound to the record or to the nodes the page shows, never the graph."""

from __future__ import annotations

from rdflib import URIRef

from ..namespaces import OG, PREFIXES
from ..query_layer import read_select
from ..query_layer.reads import query_text
from ..store import SelectResult

NEIGHBOURS_SHOWN = 500
# a qualified link's own triples, read as "Links and their basis", never listed as what points to a record
REIFICATION = {PREFIXES["rdf"] + x for x in ("subject", "predicate", "object")}

# The variable suffixes of a neighbour's names (as _label reads them), by property.
_NAME_KEYS = {
    str(OG.title): "t",
    PREFIXES["skos"] + "prefLabel": "l",
    PREFIXES["rdfs"] + "label": "r",
    str(OG.code): "c",
    str(OG.period): "pe",
    str(OG.firstLine): "f",
    str(OG.lastLine): "e",
}


def names_of(store, nodes, timeout) -> dict[str, dict[str, object]]:
    """{node: {"t": title, "l": ..., "c": code, ...}} for the IRIs a page shows: one bounded read
    (queries/structure/labels.rq with the IRIs bound), the least value of each name, so a node with
    two labels is named the same on every run."""
    iris = sorted({n for n in nodes if isinstance(n, URIRef)})
    out: dict[str, dict[str, object]] = {}
    if not iris:
        return out
    rows = read_select(
        store, query_text("labels"), "the names of the record's neighbours", {"n": iris}, timeout=timeout
    ).rows
    for r in rows:
        key = _NAME_KEYS.get(str(r["lp"]))
        if key is None:
            continue
        got = out.setdefault(str(r["n"]), {})
        if key not in got or str(r["v"]) < str(got[key]):
            got[key] = r["v"]
    return out


def named(rows, var: str, names: dict) -> list[dict]:
    """Rows with the neighbour's names under the keys lookup._label reads (t_o, c_o, ...)."""
    out = []
    for r in rows:
        extra = {f"{k}_{var}": v for k, v in names.get(str(r[var]), {}).items()}
        out.append({**r, **extra})
    return out


def links_of(store, iri: URIRef, timeout) -> list[dict]:
    """The record's qualified links as rows of link, p, o, out, basis, rationale, first, last and the
    linked node's names: three bounded reads (the links, their details, the names)."""
    bound = {"s": [iri]}
    rows = read_select(
        store, query_text("links-of"), "the record's links", bound, timeout=timeout, max_rows=NEIGHBOURS_SHOWN
    ).rows
    rows.sort(key=lambda r: (str(r["p"]), str(r["o"]), str(r["link"])))  # not the engine's ORDER BY of IRIs
    links = sorted({r["link"] for r in rows})
    details: dict[str, dict] = {}
    if links:
        for r in read_select(
            store,
            query_text("link-details"),
            "the basis of the record's links",
            {"n": links},
            timeout=timeout,
        ).rows:
            d = details.setdefault(str(r["n"]), {})
            key = {str(OG.basis): "basis", str(OG.rationale): "rationale", str(OG.evidence): "ex"}[
                str(r["lp"])
            ]
            if key not in d or str(r["v"]) < str(d[key]):
                d[key] = r["v"]
    names = names_of(
        store, [r["o"] for r in rows] + [d["ex"] for d in details.values() if "ex" in d], timeout
    )
    out = []
    for r in rows:
        d = details.get(str(r["link"]), {})
        row = {**r, **{k: v for k, v in d.items() if k in ("basis", "rationale")}}
        lines = names.get(str(d.get("ex")), {}) if "ex" in d else {}
        if "f" in lines and "e" in lines:
            row["first"], row["last"] = lines["f"], lines["e"]
        o = names.get(str(r["o"]), {})
        row.update({f"{k}_o": v for k, v in o.items() if k in ("t", "c", "l")})
        out.append(row)
    return out


def incoming(store, iri: URIRef, timeout):
    """What points to the record: the rows (x, p) of every property few enough to show (at most
    NEIGHBOURS_SHOWN subjects each, NEIGHBOURS_SHOWN * 4 in all), in (p, x) order; and (p, count) of the
    others, which the page gives as counts. Never every subject of a class or a statute read and sorted
    (queries/structure/neighbours-in-counts.rq says what that cost)."""
    counts = read_select(
        store,
        query_text("neighbours-in-counts"),
        "how many things point to the record",
        {"s": [iri]},
        timeout=timeout,
        max_rows=1000,
    ).rows
    shown, counted, budget = [], [], NEIGHBOURS_SHOWN * 4
    for r in sorted(counts, key=lambda r: str(r["p"])):
        n = int(str(r["n"]))
        if n <= min(NEIGHBOURS_SHOWN, budget):
            shown.append(r["p"])
            budget -= n
        elif str(r["p"]) not in REIFICATION:  # a qualified link's parts: read as "Links and their basis"
            counted.append((r["p"], n))
    inc = SelectResult([], [], False)
    if shown:
        inc = read_select(
            store,
            query_text("neighbours-in"),
            "what points to the record",
            {"p": shown},
            timeout=timeout,
            max_rows=NEIGHBOURS_SHOWN * 4,
            constants={"s": iri},
        )
        inc.rows = sorted(inc.rows, key=lambda r: (str(r["p"]), str(r["x"])))
    inc.truncated = bool(inc.truncated or counted)
    return inc, counted, {str(r["p"]): int(str(r["n"])) for r in counts}
