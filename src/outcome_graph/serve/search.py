"""Search on every page: `/search?q=words[&report=YEAR]` as HTML (for people) or JSON (for programs).

Codes, title words, statute and framework names, across every report. An exact code comes first, then
titles; a code that several records share (priority "02" in each report) lists each with its report. The
words are looked up in the search index (query_layer/search_index.py: SQLite FTS5, built from the
store once per generation and kept beside it; for a store on a SPARQL server, kept in a cache directory
in step with the server and built in the background: query_layer/remote_index.py), never a scan of the
graph. While a server's index is being built, a search is 503 with Retry-After saying how far it is.
"""

from __future__ import annotations

import re

from flask import Blueprint, jsonify, render_template, request
from rdflib import URIRef

from .. import labels as labels_mod
from ..errors import OutcomeGraphError
from ..human import name_of
from ..namespaces import OG
from ..query_layer.remote_index import index_of
from . import current_store
from .error_page import wants_json
from .pages import error_status, labels, limits

bp = Blueprint("search", __name__, template_folder="templates")

MAX_WORDS = 6
KIND_ORDER = (
    "Statute",
    "Framework",
    "Provision",
    "FrameworkElement",
    "Priority",
    "Action",
    "Indicator",
    "Risk",
)
_SPLIT = re.compile(r"[^a-z0-9.]+")


class SearchError(OutcomeGraphError):
    status = 400


def words_of(q: str) -> list[str]:
    """The words as the search index compares them: lower case, split at anything but letters, digits and '.';
    "priority 2" means priority 02, as the reports number them."""
    text = q.casefold().strip()
    text = re.sub(r"\bpriority\s+(\d)\b", r"priority 0\1", text)
    return [w for w in _SPLIT.split(text) if w and w != "."]


def search(
    store, q: str, report: str | None = None, timeout: float | None = None, council: str | None = None
) -> list[dict]:
    """Matches of `q` (in one council's records and what all share, when `council` is given): dicts
    with iri, kind, code, title, name, reports (years) and exact, best first."""
    words = words_of(q)
    if not words:
        return []
    if len(words) > MAX_WORDS:
        raise SearchError(f"search for at most {MAX_WORDS} words at a time (you gave {len(words)})")
    report_iri = str(_report_iri(store, report, council)) if report else None
    found = {h["iri"]: h for h in index_of(store).lookup(words, report_iri, council)}
    out = []
    for hit in found.values():
        hit["reports"] = sorted(hit["reports"])
        hit["name"] = name_of(hit["code"], hit["title"])
        out.append(hit)
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    out.sort(
        key=lambda h: (
            not h["exact"],
            order.get(h["kind"], 99),
            _natural(h["code"] or ""),
            h["reports"],
            h["title"] or "",
            h["iri"],
        )
    )
    return out


def _natural(text: str) -> tuple:
    return tuple((0, int(x), "") if x.isdigit() else (1, 0, x) for x in re.split(r"(\d+)", text) if x)


def _report_iri(store, report: str, council: str | None = None) -> URIRef:
    from ..query_layer import scope_of
    from ..trace.engine import normalise_year

    year = normalise_year(report)
    if council:  # that council's report of the year (a ScopeError, 404, names the years it has)
        return URIRef(scope_of(store, council, years=[year]).reports[0])
    rows = store.select(
        "PREFIX og: <https://w3id.org/outcome-graph/def#> SELECT ?r WHERE { ?r a og:Report ; og:period ?p }"
        " ORDER BY ?r",
        bindings={"p": URIRef(labels_mod.GOV_YEAR + year)},
    ).rows
    if not rows:
        raise SearchError(f"no {labels_mod.year_text(year)} report in the graph")
    if len(rows) > 1:
        return URIRef(str(OG) + "nothing")  # several councils: the year alone does not pick one report
    return URIRef(str(rows[0]["r"]))


def decorate(hits: list[dict]) -> list[dict]:
    """What the page shows for each hit: its kind's label and its reports as years ("2020/21")."""
    L = labels()
    for h in hits:
        h["kind_label"] = L.term(h["kind"])
        h["years"] = [labels_mod.year_text(y) for y in h["reports"]]
    return hits


@bp.get("/search")
def search_page():
    q = request.args.get("q", "").strip()
    report = request.args.get("report") or None
    timeout, _ = limits()
    try:
        council = request.args.get("council") or None
        hits = search(current_store(), q, report, timeout, council) if q else []
    except OutcomeGraphError as e:
        status = error_status(e)
        # a slow part, or the index being built (query_layer/remote_index.py): when to ask again
        retry = getattr(e, "retry_after", None)
        headers = {"Retry-After": str(int(retry))} if status == 503 and retry else {}
        if wants_json():
            return jsonify({"q": q, "error": str(e)}), status, headers
        page = render_template("search.html", q=q, report=report, hits=[], error=str(e), report_years=[])
        return page, status, headers
    if wants_json():
        return jsonify({"q": q, "report": report, "results": hits})
    return render_template(
        "search.html", q=q, report=report, hits=decorate(hits), error=None, report_years=report_years()
    )


REPORT_YEARS = """PREFIX og: <https://w3id.org/outcome-graph/def#>
SELECT DISTINCT ?period WHERE { ?r a og:Report ; og:period ?period } ORDER BY ?period"""


def report_years() -> list[str]:
    timeout, _ = limits()
    rows = current_store().select(REPORT_YEARS, timeout=timeout, max_rows=200).rows
    return [labels_mod.local_name(str(r["period"])) for r in rows]
