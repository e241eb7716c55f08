"""How the audit is presented: what its cover says (council, report, date generated, data version), the
priority names the coverage grid is headed with, each indicator's chart (two figures or more), each quote
once, the summary against the report's own figures; the printed PDF is trace/print_pdf.py's. The audit's
content is trace/audit.py's.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from pathlib import Path

from ..charts import chart_svg, points_from_trace
from ..labels import Labels
from ..query_layer import Flight
from ..query_layer.reads import Slow
from .print_pdf import PdfUnavailable as PdfUnavailable  # noqa: F401  (where callers found it before)
from .print_pdf import write_pdf as write_pdf  # noqa: F401

# The council of the audited report (bound by its IRI: by its year alone, a national graph has a report of
# every council, and the first name in order was another council's).
COUNCIL_NAME = """PREFIX og: <https://w3id.org/outcome-graph/def#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?name WHERE {
  ?report og:organisation ?org .
  { ?org skos:prefLabel ?name } UNION { ?org rdfs:label ?name }
} ORDER BY ?name LIMIT 1"""


def data_version(store) -> str:
    """The store's version: the fingerprint of the sources its generation was built from (embedded), or
    the endpoint and the generation `load`/`add` stamped in its catalogue (a SPARQL server; without a
    stamp, a digest of its parts, and only for a graph without a catalogue its triple count). Not the
    count for every server: counting 10 M triples cost each audit 0.6-0.7 s on Virtuoso."""
    path = getattr(store, "path", None)
    if path is not None:
        fingerprint = Path(path).parent / "FINGERPRINT"
        if fingerprint.is_file():
            return "sources fingerprint " + fingerprint.read_text().strip()[:16]
    name = getattr(store, "name", None) or type(store).__name__
    if getattr(store, "graph", None) is None:  # not a SPARQL server's dataset: the store's own count
        try:
            return f"{name}, {store.triple_count():,} triples"
        except Exception:  # noqa: BLE001 - a store without a count still has a name
            return str(name)
    from ..query_layer.remote_cache import identity

    try:
        found = identity(store)
    except Exception:  # noqa: BLE001 - a server that cannot say still has a name
        return str(name)
    if found.startswith("unstamped:") and found.endswith(" triples"):
        return f"{name}, {int(found[len('unstamped:') : -len(' triples')]):,} triples"
    if found.startswith("unstamped:"):
        return f"{name}, parts {found[len('unstamped:') :][:16]} (no generation stamp)"
    return f"{name}, generation {found[:16]}"


def council_name(store, year: str, council: str | None) -> str:
    from rdflib import URIRef

    from ..query_layer.reads import read_select

    try:
        report = _report_iri(store, council, year)
        rows = read_select(store, COUNCIL_NAME, "the council's name", {"report": [URIRef(report)]}).rows
    except Exception:  # noqa: BLE001 - the cover then names the council by its key
        rows = []
    return str(rows[0]["name"]) if rows else (council or "").replace("-", " ").title()


def _report_iri(store, council: str | None, year: str) -> str:
    """The IRI of the council's report for `year` (the list of reports is read once per store)."""
    from ..query_layer import scope_of

    scope = scope_of(store, council, None, [year])
    return scope.reports[0]


def _council_reports(store, council: str | None) -> tuple[str, ...]:
    """Every report of the council (a chart shows the council's figures in all of them)."""
    from ..query_layer import scope_of

    return scope_of(store, council).reports


def generated_at() -> _dt.datetime:
    """Now, or the moment SOURCE_DATE_EPOCH names (the reproducible-builds convention), so that two runs
    over the same graph can print byte-identical audits when asked to."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.UTC)
    return _dt.datetime.now(_dt.UTC)


class Quotes:
    """Each excerpt of a report is quoted once, where the audit first shows it; every later mention refers
    to that quote (on the page, a link; in print, its page number). Keyed by report and line span, which
    is what an excerpt is, so the same lines reached by two records are one quote."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    @staticmethod
    def anchor(report, lines) -> str:
        return "quote-" + re.sub(r"[^0-9A-Za-z]+", "-", f"{report}-{lines}").strip("-")

    def first(self, report, lines) -> bool:
        key = self.anchor(report, lines)
        if key in self._seen:
            return False
        self._seen.add(key)
        return True


_STOP = frozenset(
    "a an and the of to in on for with by from at as or who whose that this their its is are be which "
    "what how whether report reports".split()
)


def _words(text: str | None) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", (text or "").casefold()) if w not in _STOP and len(w) > 2]


def basis_note(x: dict) -> str | None:
    """A curated rationale, unless it mostly repeats the record's own title (or a claim's statement):
    then the basis alone is shown. "Mostly": two thirds of its words (stems of five letters) are the
    title's."""
    why = (x.get("rationale") or "").strip()
    if not why:
        return None
    title = x.get("title") or x.get("statement") or x.get("text") or ""
    stems = {w[:5] for w in _words(title)}
    words = _words(why)
    if words and sum(w[:5] in stems for w in words) * 3 >= len(words) * 2:
        return None
    return why


def claim_groups(claims: list[dict]) -> list[dict]:
    """Claims grouped by verdict and reason, in the order of each group's first claim: a reason shared by
    eighteen claims is written once, above them."""
    groups: dict[tuple, dict] = {}
    for c in claims:
        key = (c.get("verdict_label") or "", c.get("reason") or "")
        groups.setdefault(key, {"verdict_label": key[0], "reason": key[1], "claims": []})["claims"].append(c)
    return list(groups.values())


def risks_of(tg, report: str) -> list[dict]:
    """The report's risk register: each risk with its score and where it is written."""
    from .audit import _evidence
    from .engine import sort_key

    out = []
    for n in sorted(
        (r for r in tg.nodes_of("Risk") if report in tg.node(r).get("reports", [])),
        key=lambda r: sort_key(tg, r),
    ):
        d = tg.node(n)
        ev = [e for e in _evidence(tg, n) if e["report"] == report]
        out.append(
            {
                "iri": n,
                "code": d.get("code"),
                "title": d.get("title"),
                "score": d.get("score"),
                "evidence": ev,
            }
        )
    return out


def _units(a: dict, tg) -> dict[str, str]:
    """Each indicator's unit (the og:unit local name its figures carry), for targets written without one."""
    found: dict[str, str] = {}
    for s in a["priorities"]:
        for i in s["indicators"]:
            unit = next((o["unit"] for o in i["observations"] if o.get("unit")), None)
            if unit:
                found[i["iri"]] = unit
    return found


def _figures(points) -> int:
    return len({p.period for p in points if p.number is not None})


def running_header(council_name: str, a: dict, version: str) -> str:
    from ..labels import year_text

    return f"{council_name or a.get('council') or ''} · {year_text(a['report'])} report · data {version}"


def presentation(
    tg, a: dict, store, labels: Labels, now: _dt.datetime | None = None, printing: bool = False
) -> dict:
    """Everything the audit template shows beyond the audit's data."""
    now = now or generated_at()
    charts = {}
    if store is not None:
        shown = [i["iri"] for section in a["priorities"] for i in section["indicators"]]
        prefetch_figures(store, shown, a.get("council"))
    for section in a["priorities"]:
        for i in section["indicators"]:
            if i["iri"] not in charts and (store is not None or tg is not None):
                if store is not None:
                    points = figures(store, i["iri"], a.get("council"))
                else:
                    points = points_from_trace(tg, i["iri"])
                if _figures(points) < 2:  # one figure is a number, not a movement: the table shows it
                    continue
                name = " ".join(x for x in (i.get("code"), i.get("title")) if x)
                charts[i["iri"]] = chart_svg(points, labels, name, "chart-" + str(len(charts) + 1))
    units = _units(a, tg)
    if tg is not None:
        from .graph import TraceGraph

        if isinstance(tg, TraceGraph):
            for ind in tg.nodes_of("Indicator"):
                if ind not in units:
                    obs = [o for o, _ in tg.g.in_edges(ind)] + [o for _, o in tg.g.out_edges(ind)]
                    unit = next((tg.node(o).get("unit") for o in sorted(obs) if tg.node(o).get("unit")), None)
                    if unit:
                        units[ind] = unit
    council = council_name(store, a["report"], a.get("council")) if store is not None else ""
    version = data_version(store) if store is not None else "not recorded"
    generated = now.strftime("%-d %B %Y, %H:%M UTC")
    from .reconcile import reconcile

    return {
        "council_name": council,
        "generated": generated,
        "data_version": version,
        "priority_names": {p["code"]: p["title"] for p in a["priorities"]},
        "charts": charts,
        "quotes": Quotes(),
        "basis_note": basis_note,
        "claim_groups": claim_groups,
        "unit_of": lambda x: units.get((x or {}).get("iri") or "") if isinstance(x, dict) else None,
        "risks": risks_of(tg, a["report"]) if tg is not None else [],
        "reconciliation": reconcile(tg, a) if tg is not None else [],
        "printing": printing,
        "running_header": running_header(council, a, version),
        "running_footer": f"Inspection audit, generated {generated}",
    }


FIGURES = (Path(__file__).resolve().parents[1] / "serve" / "indicator-figures.rq").read_text(encoding="utf-8")


def figures(store, indicator: str, council: str | None = None):
    """An indicator's figures in every report of the council (`council`; None: the graph's only one), by
    the same query as its /id/ page's chart with the council's reports bound: a national LGBF indicator
    has figures in every council's reports, and an audit charts its own council's. Read once per store
    generation (an audit shows dozens of charts; the served store does not change)."""
    from rdflib import URIRef

    from ..charts import points_from_rows
    from ..query_layer.reads import read_select
    from ..query_layer.scope import store_key

    reports = _council_reports(store, council)

    def load():
        bound = {"indicator": [URIRef(indicator)], "report": [URIRef(r) for r in reports]}
        return points_from_rows(read_select(store, FIGURES, "an indicator's figures", bound).rows)

    return _FIGURES.get((store_key(store), reports, indicator), load, "an indicator's figures")


# the same question for many indicators at once: ?indicator projected, so the rows can be told apart
FIGURES_MANY = FIGURES.replace("SELECT ?observation", "SELECT ?indicator ?observation", 1)


def prefetch_figures(store, indicators: list[str], council: str | None = None) -> None:
    """The figures of every indicator an audit charts, by one query (VALUES ?indicator) instead of one
    per chart: on Virtuoso 32 round trips cost about 2 s of an audit's first answer. Each indicator's
    rows are the ones its own query gives, in the same order (ORDER BY, filtered by ?indicator).

    Only a saving: when the one query is slow or refused (Virtuoso's cost estimate refused it on a
    scratch server whose statistics were not yet made), each chart reads its own figures, as before."""
    from rdflib import URIRef

    from ..charts import points_from_rows
    from ..query_layer.reads import read_select
    from ..query_layer.scope import store_key

    key = store_key(store)
    reports = _council_reports(store, council)
    wanted = sorted({i for i in indicators if not _FIGURES.has((key, reports, i))})
    if not wanted:
        return
    bound = {"indicator": [URIRef(i) for i in wanted], "report": [URIRef(r) for r in reports]}
    try:
        rows = read_select(store, FIGURES_MANY, "the indicators' figures", bound).rows
    except Slow:
        return
    by: dict[str, list] = {i: [] for i in wanted}
    for row in rows:
        row = dict(row)
        by[str(row.pop("indicator"))].append(row)
    for i in wanted:
        _FIGURES.get((key, reports, i), lambda rows=by[i]: points_from_rows(rows), "an indicator's figures")


_FIGURES = Flight(size=4096)  # a few councils' audits' charts (a point list is a few hundred bytes)
