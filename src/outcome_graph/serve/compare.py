"""One indicator compared across councils and years: `/compare?code=CHN9[&year=2019-2020][&council=x]`.

The rows are the saved query councils-compared (queries/councils-compared.rq), so the page, its CSV
(/queries/councils-compared?format=csv&code=...) and an analyst's own run give the same figures; the
chart and table show one year (the latest with figures, or the one asked for), a bar per council, the
council asked for marked, with links to the other years and to every year's CSV. Bounded by design: one
indicator's observations in one year, after a small query for the years it has figures in."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, jsonify, render_template, request
from rdflib import URIRef

from .. import labels as labels_mod
from ..compare_chart import Bar, bars_svg, number
from ..errors import OutcomeGraphError
from ..query_layer import Flight
from ..query_layer.reads import RETRY_AFTER
from ..query_layer.scope import store_key
from ..saved_queries import load_queries
from . import current_store
from .pages import error_status, limits

bp = Blueprint("compare", __name__, template_folder="templates")
YEARS = Path(__file__).with_name("compare-years.rq").read_text(encoding="utf-8")


def _text(row: dict, name: str) -> str | None:
    v = row.get(name)
    return None if v is None else str(v)


def comparison(store, code: str, year: str | None, timeout=None, max_rows=None) -> dict:
    """The saved query's rows for the year charted (the one asked for, else the latest with figures),
    and the years there are to chart. The page shows one year, so it reads one year: the years first by
    a small query, then that year's rows with `year` bound (every year at once was 14,656 rows for CHN9
    at 32 councils x 47 years, past the time limit); every year's table is the saved query's CSV."""
    query = load_queries()["councils-compared"]
    values = {"code": code, **({"year": year} if year else {})}
    bound = query.bindings(values)  # the parameter's own errors (a year it cannot read) first
    found = store.select(YEARS, bindings={"code": bound["code"]}, timeout=timeout, max_rows=max_rows)
    by_name: dict[str, str] = {}
    for r in found.rows:  # ORDER BY ?year: the last IRI of a local name wins, whatever the engine's order
        iri = _text(r, "year") or ""
        name = labels_mod.local_name(iri)
        by_name[name] = max(by_name.get(name, iri), iri)
    years = sorted(by_name)
    if year:
        charted = labels_mod.local_name(str(bound["year"]))
    elif years:
        charted = years[-1]
        bound["year"] = URIRef(by_name[charted])
    else:
        charted = None
    result = store.select(query.text_for(bound), bindings=bound, timeout=timeout, max_rows=max_rows)
    rows = []
    for r in result.rows:
        unit = labels_mod.local_name(_text(r, "unit")) if r.get("unit") is not None else None
        value = _text(r, "value")
        rows.append(
            {
                "council": labels_mod.local_name(_text(r, "council") or ""),
                "name": _text(r, "councilName") or labels_mod.local_name(_text(r, "council") or ""),
                "year": labels_mod.local_name(_text(r, "year") or ""),
                "report": labels_mod.local_name(_text(r, "reportYear") or ""),
                "value": value,
                "shown": labels_mod.value_text(value, unit) if value is not None else "N/A",
                "rank": int(_text(r, "rank")) if r.get("rank") is not None else None,
                "quartile": int(_text(r, "quartile")) if r.get("quartile") is not None else None,
                "family": _text(r, "familyGroup"),
                "line": _text(r, "firstLine"),
                "observation": _text(r, "observation"),
            }
        )
    latest: dict[str, dict] = {}
    for r in rows:  # a figure restated by a later report: the latest report's statement is charted
        if r["year"] == charted and r["value"] is not None:
            if r["council"] not in latest or r["report"] > latest[r["council"]]["report"]:
                latest[r["council"]] = r
    bars = [
        Bar(r["council"], r["name"], number(r["value"]), r["shown"], r["rank"], r["quartile"])
        for r in latest.values()
        if number(r["value"]) is not None
    ]
    return {
        "code": code,
        "year": charted,
        "years": years,
        "rows": rows,
        "bars": bars,
        "truncated": result.truncated or found.truncated,
    }


# A served store does not change: one comparison per store generation and question, made by one request
# while the others wait (it reads one indicator's figures in every council: a second or two nationally).
_COMPARISONS = Flight(size=32)


@bp.get("/compare")
def compare_page():
    code = request.args.get("code", "").strip()
    year = request.args.get("year") or None
    council = request.args.get("council") or None
    wants_json = request.args.get("format") == "json"
    if not code:
        return render_template("compare.html", data=None, code="", council=council, chart="", error=None)
    timeout, max_rows = limits()
    try:
        store = current_store()
        data = _COMPARISONS.get(
            (store_key(store), code, year, max_rows),
            lambda: comparison(store, code, year, timeout, max_rows),
            f"the comparison of {code}",
        )
    except OutcomeGraphError as e:
        status = error_status(e)
        # a query past its time limit is not a missing page: 503, and when to try again
        headers = {"Retry-After": str(RETRY_AFTER)} if status == 503 else {}
        if wants_json:
            return jsonify({"error": str(e)}), status, headers
        page = render_template("compare.html", data=None, code=code, council=council, chart="", error=str(e))
        return page, status, headers
    if wants_json:
        return jsonify({k: v for k, v in data.items() if k != "bars"})
    title = f"{code}, {labels_mod.year_text(data['year'])}" if data["year"] else code
    chart = bars_svg(data["bars"], title, council)
    return render_template("compare.html", data=data, code=code, council=council, chart=chart, error=None)
