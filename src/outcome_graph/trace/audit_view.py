"""How the audit is presented: what its cover says (council, report, date generated, data version), the
priority names the coverage grid is headed with, each indicator's chart; and the PDF, printed by a real
browser engine (headless Chromium, else WeasyPrint). The audit's content is trace/audit.py's.
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..charts import chart_svg, points_from_trace
from ..errors import OutcomeGraphError
from ..labels import Labels

COUNCIL_NAME = """PREFIX og: <https://w3id.org/outcome-graph/def#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?name WHERE {
  ?report a og:Report ; og:period ?period ; og:organisation ?org .
  { ?org skos:prefLabel ?name } UNION { ?org rdfs:label ?name }
} ORDER BY ?name LIMIT 1"""


class PdfUnavailable(OutcomeGraphError):
    pass


def data_version(store) -> str:
    """The store's version: the fingerprint of the sources its generation was built from (embedded), or
    the endpoint and its triple count (a remote store, whose data the project does not version)."""
    path = getattr(store, "path", None)
    if path is not None:
        fingerprint = Path(path).parent / "FINGERPRINT"
        if fingerprint.is_file():
            return "sources fingerprint " + fingerprint.read_text().strip()[:16]
    name = getattr(store, "name", None) or type(store).__name__
    try:
        count = store.triple_count()
    except Exception:  # noqa: BLE001 - a store without a count still has a name
        return str(name)
    return f"{name}, {count:,} triples"


def council_name(store, year: str, council: str | None) -> str:
    from rdflib import URIRef

    from ..namespaces import GOV_YEAR

    try:
        rows = store.select(COUNCIL_NAME, bindings={"period": URIRef(GOV_YEAR + year)}).rows
    except Exception:  # noqa: BLE001 - the cover then names the council by its key
        rows = []
    return str(rows[0]["name"]) if rows else (council or "").replace("-", " ").title()


def generated_at() -> _dt.datetime:
    """Now, or the moment SOURCE_DATE_EPOCH names (the reproducible-builds convention), so that two runs
    over the same graph can print byte-identical audits when asked to."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.UTC)
    return _dt.datetime.now(_dt.UTC)


def presentation(tg, a: dict, store, labels: Labels, now: _dt.datetime | None = None) -> dict:
    """Everything the audit template shows beyond the audit's data."""
    now = now or generated_at()
    charts = {}
    for section in a["priorities"]:
        for i in section["indicators"]:
            if i["iri"] not in charts and (store is not None or tg is not None):
                points = figures(store, i["iri"]) if store is not None else points_from_trace(tg, i["iri"])
                name = " ".join(x for x in (i.get("code"), i.get("title")) if x)
                charts[i["iri"]] = chart_svg(points, labels, name, "chart-" + str(len(charts) + 1))
    return {
        "council_name": council_name(store, a["report"], a.get("council")) if store is not None else "",
        "generated": now.strftime("%-d %B %Y, %H:%M UTC"),
        "data_version": data_version(store) if store is not None else "not recorded",
        "priority_names": {p["code"]: p["title"] for p in a["priorities"]},
        "charts": charts,
    }


FIGURES = (Path(__file__).resolve().parents[1] / "serve" / "indicator-figures.rq").read_text(encoding="utf-8")


def figures(store, indicator: str):
    """An indicator's figures in every report, by the same query as its /id/ page's chart."""
    from rdflib import URIRef

    from ..charts import points_from_rows

    return points_from_rows(store.select(FIGURES, bindings={"indicator": URIRef(indicator)}).rows)


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def weasyprint_available() -> bool:
    try:
        import weasyprint  # noqa: F401
    except Exception:  # noqa: BLE001 - missing, or its system libraries are
        return False
    return True


NO_ENGINE = (
    "cannot write a PDF: no PDF engine found. Install Chromium (Debian/Ubuntu: apt-get install chromium) "
    "or WeasyPrint (pip install weasyprint), or write HTML (--out audit.html) and print it from a browser"
)


def write_pdf(html: str, out: Path, timeout: float = 120) -> str:
    """Prints the audit's HTML (A4, per its @page rule) to `out`; returns the engine used."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    browser = chromium()
    if browser:
        with tempfile.TemporaryDirectory(prefix="outcome-graph-audit-") as tmp:
            page = Path(tmp) / "audit.html"
            page.write_text(html, encoding="utf-8")
            target = Path(tmp) / "audit.pdf"
            cmd = [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                f"--user-data-dir={tmp}/profile",
                f"--print-to-pdf={target}",
                page.as_uri(),
            ]
            try:
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
            except subprocess.TimeoutExpired:
                raise OutcomeGraphError(f"{browser} did not print the audit within {timeout:.0f} s") from None
            if not target.is_file() or target.stat().st_size == 0:
                tail = (done.stderr or "").strip().splitlines()[-3:]
                raise OutcomeGraphError(f"{browser} wrote no PDF: {' | '.join(tail) or 'no message'}")
            shutil.move(str(target), out)
        return "Chromium"
    if weasyprint_available():
        import weasyprint

        weasyprint.HTML(string=html).write_pdf(str(out))
        return "WeasyPrint"
    raise PdfUnavailable(NO_ENGINE)
