"""Linked-data lookup: every instance IRI https://w3id.org/outcome-graph/id/<rest> resolves at /id/<rest>.

A person gets an HTML page: the resource's properties, its neighbours (outgoing and incoming links),
the basis of each qualified link, and the report excerpt it was read from, quoted with report and line
numbers. A machine that asks for RDF (Accept: text/turtle, application/ld+json, application/n-triples,
or ?format=ttl|jsonld|nt) gets the resource's triples, in both directions (what points to it by a property
used by more than NEIGHBOURS_SHOWN subjects, a class's members, is left out and the answer says it is cut:
X-Outcome-Graph-Truncated). Unknown IRIs are a 404.
Other IRIs the graph uses (statutes, periods, vocabulary terms) are shown the same way at
/resource?iri=..., so that following a link never leaves the server.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, redirect, render_template, request
from rdflib import Graph, URIRef

from .. import labels as labels_mod
from ..charts import chart_svg, points_from_rows
from ..errors import OutcomeGraphError
from ..human import name_of
from ..namespaces import OG, OGR, PREFIXES, segment, shorten
from ..parameter_terms import ParameterError, expand_iri
from ..query_layer import read_select
from ..query_layer.reads import query_text
from . import current_store
from . import lookup_reads as around
from .headers import TRUNCATED_HEADER
from .lookup_reads import REIFICATION
from .pages import cell, error_status, labels, limits

# Kinds of record a trace starts from (trace/graph.py KINDS): their pages link to their trace.
TRACE_KINDS = {"Statute", "Provision", "Framework", "FrameworkElement", "Priority", "Action", "Indicator"}
TRACE_KINDS |= {"Observation", "Risk", "Excerpt"}

bp = Blueprint("lookup", __name__, template_folder="templates")

RDF_TYPES = {
    "text/turtle": ("turtle", "text/turtle"),
    "application/ld+json": ("json-ld", "application/ld+json"),
    "application/n-triples": ("nt", "application/n-triples"),
    "application/rdf+xml": ("xml", "application/rdf+xml"),  # rdflib's and SPARQLWrapper's default
}
# other names clients send for the same formats
RDF_ALIASES = {
    "text/n3": "text/turtle",
    "application/x-turtle": "text/turtle",
    "text/plain": "application/n-triples",
}
RDF_FORMATS = {
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "json": "application/ld+json",
    "nt": "application/n-triples",
    "xml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
    "n3": "text/turtle",
}

FIGURES = (Path(__file__).with_name("indicator-figures.rq")).read_text(encoding="utf-8")
EVIDENCE = """
PREFIX og: <https://w3id.org/outcome-graph/def#>
SELECT ?excerpt ?first ?last ?text ?year ?source ?title WHERE {
  { ?s og:evidence ?excerpt } UNION { ?s a og:Excerpt . BIND(?s AS ?excerpt) }
  ?excerpt og:firstLine ?first ; og:lastLine ?last ; og:report ?report .
  OPTIONAL { ?excerpt og:text ?text }
  OPTIONAL { ?report og:period ?year }
  OPTIONAL { ?report og:sourceFile ?source }
  OPTIONAL { ?report og:title ?title }
} ORDER BY ?year ?first
"""
# A resource's RDF: what it says, and what points to it by the properties few enough to give (_incoming);
# the others are counted on its page and asked of /sparql (a class: every one of its members)
DESCRIBE = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


class NotAcceptable(Exception):
    pass


def _rdf_choice() -> str | None:
    """The RDF media type asked for, or None for the HTML page. An Accept header that names only
    types neither HTML nor an RDF format offered here is refused (406), never answered with HTML."""
    fmt = request.args.get("format")
    if fmt:
        return RDF_FORMATS.get(fmt.lower()) if fmt.lower() not in ("html", "htm") else None
    accept = request.accept_mimetypes
    best = accept.best_match(["text/html", "application/xhtml+xml", *RDF_TYPES, *RDF_ALIASES])
    if best is None and accept:
        raise NotAcceptable()
    return RDF_ALIASES.get(best, best) if best not in ("text/html", "application/xhtml+xml", None) else None


def _label(row: dict, v: str) -> str | None:
    """A neighbour's name: code and title, else its label; a figure by its period; an excerpt by lines."""
    title = row.get(f"t_{v}") or row.get(f"l_{v}") or row.get(f"r_{v}")
    code = row.get(f"c_{v}")
    if title is not None or code is not None:
        return name_of(str(code) if code is not None else None, str(title) if title is not None else None)
    if row.get(f"pe_{v}") is not None:
        return f"figure for {labels_mod.period_text(str(row[f'pe_{v}']))}"
    if row.get(f"f_{v}") is not None:
        first, last = str(row[f"f_{v}"]), str(row[f"e_{v}"])
        return f"line {first}" if first == last else f"lines {first}–{last}"
    return None


def _neighbours(rows, var: str) -> list[dict]:
    seen, out = set(), []
    L = labels()
    for row in rows:
        key = (row["p"], row[var])
        if key in seen:  # several labels give several rows; the first label wins
            continue
        seen.add(key)
        out.append(
            {
                "p": cell(row["p"]),
                "p_label": L.term(str(row["p"])),
                "reading": L.readings.get(str(row["p"])),
                "node": cell(row[var]),
                "label": _label(row, var),
            }
        )
    return out


def _figures(outgoing: list[dict]) -> None:
    """og:value and og:target with the record's unit: 85%, £15.56m."""
    unit = next((n["node"].title for n in outgoing if n["p"].title == str(OG.unit)), None)
    for n in outgoing:
        if n["p"].title in (str(OG.value), str(OG.target)) and unit:
            n["label"] = labels_mod.value_text(n["node"].text, unit)


TITLE_PROPERTIES = (
    "https://w3id.org/outcome-graph/def#title",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
)


def _title(rows) -> str | None:
    """The resource's own title, else its preferred label, else its label."""
    found = {str(row["p"]): str(row["o"]) for row in reversed(rows) if str(row["p"]) in TITLE_PROPERTIES}
    return next((found[p] for p in TITLE_PROPERTIES if p in found), None)


def describe(iri: URIRef):
    store = current_store()
    timeout, _ = limits()
    bound = {"s": iri}
    one = {"s": [iri]}
    out = read_select(
        store,
        query_text("neighbours-out"),
        "what the record says",
        one,
        timeout=timeout,
        max_rows=around.NEIGHBOURS_SHOWN * 4,
    )
    inc, counted, by_property = around.incoming(store, iri, timeout)
    if not out.rows and not inc.rows and not counted:  # a year: only pointed to, by thousands
        return None
    names = around.names_of(store, [r["o"] for r in out.rows] + [r["x"] for r in inc.rows], timeout)
    out.rows = around.named(out.rows, "o", names)
    inc.rows = around.named(inc.rows, "x", names)
    outgoing = _neighbours(out.rows, "o")
    _figures(outgoing)
    # The qualified links (og:Link, by rdf:subject/rdf:object) are read as sentences in "Links and their
    # basis"; listing their reification triples again would show internal names.
    incoming = [n for n in _neighbours(inc.rows, "x") if n["p"].title not in REIFICATION]
    evidence = store.select(EVIDENCE, bindings=bound, timeout=timeout, max_rows=50).rows
    # its qualified links: as many as the record is the rdf:subject or rdf:object of (counted above); a
    # statute's thousands are given as their number, not read and sorted (1 s for Part 9's 4,416)
    link_count = sum(by_property.get(PREFIXES["rdf"] + x, 0) for x in ("subject", "object"))
    links = around.links_of(store, iri, timeout) if link_count <= around.NEIGHBOURS_SHOWN else []
    title = _title(out.rows)
    rdf_type = PREFIXES["rdf"] + "type"
    types = [n["node"] for n in outgoing if n["p"].title == rdf_type]
    kinds = {labels_mod.local_name(t.title or "") for t in types if t.title}
    chart = figures = None
    if "Indicator" in kinds:
        rows = store.select(FIGURES, bindings={"indicator": iri}, timeout=timeout, max_rows=2000).rows
        points = points_from_rows(rows)
        chart = chart_svg(points, labels(), title or shorten(iri), "figures-chart")
        figures = points
    L = labels()
    this_name = name_of(
        next((str(r["o"]) for r in out.rows if str(r["p"]) == str(OG.code)), None), title
    ) or shorten(iri)
    return {
        "name": this_name,
        "kinds": sorted(kinds),
        "traceable": bool(kinds & TRACE_KINDS),
        "chart": chart,
        "figures": figures,
        "iri": str(iri),
        "short": shorten(iri),
        "title": title,
        "types": types,
        "outgoing": [n for n in outgoing if n["p"].title != rdf_type][: around.NEIGHBOURS_SHOWN],
        "incoming": incoming[: around.NEIGHBOURS_SHOWN],
        "more_incoming": len(incoming) > around.NEIGHBOURS_SHOWN or inc.truncated,
        # the properties with too many subjects to list: their label, reading and count
        "incoming_counts": [
            {"p": cell(p), "p_label": L.term(str(p)), "reading": L.readings.get(str(p)), "count": n}
            for p, n in counted
        ],
        "more_outgoing": len(outgoing) > around.NEIGHBOURS_SHOWN or out.truncated,
        "evidence": [
            {
                "excerpt": cell(r["excerpt"]),
                "first": int(r["first"]),
                "last": int(r["last"]),
                "text": str(r.get("text", "")),
                "year": labels_mod.period_text(str(r["year"])) if "year" in r else "",
                "source": str(r.get("source", "")),
                "report_title": str(r.get("title", "")),
            }
            for r in evidence
        ],
        "links_not_listed": link_count if link_count > around.NEIGHBOURS_SHOWN else 0,
        "links": [
            {
                "link": cell(r["link"]),
                "p": cell(r["p"]),
                "o": cell(r["o"]),
                "o_name": _label(r, "o") or cell(r["o"]).text,
                "out": str(r.get("out", "")).lower() == "true",
                "verb": L.reading(str(r["p"])),
                "basis": cell(r.get("basis")),
                "basis_label": L.term(str(r["basis"])) if r.get("basis") is not None else "",
                "rationale": str(r["rationale"]) if "rationale" in r else None,
                "lines": (f"{r['first']}" if r.get("first") == r.get("last") else f"{r['first']}–{r['last']}")
                if "first" in r
                else None,
            }
            for r in links
        ],
    }


def _rdf(iri: URIRef, media_type: str) -> Response:
    timeout, _ = limits()
    store = current_store()
    graph: Graph = store.construct(DESCRIBE, bindings={"s": iri}, timeout=timeout)
    inc, counted, _ = around.incoming(store, iri, timeout)
    for r in inc.rows:
        graph.add((r["x"], r["p"], iri))
    # plain text: an RDF request never gets an HTML page, not even an error page
    if len(graph) == 0 and not counted:
        return Response(f"{iri} is not in the graph: no statement names it.\n", 404, mimetype="text/plain")
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    fmt, mime = RDF_TYPES[media_type]
    body = graph.serialize(format=fmt, encoding="utf-8")
    resp = Response(body, mimetype=mime)
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Vary"] = "Accept"
    if counted:  # some of what points to it left out: said as every cut answer says it
        resp.headers[TRUNCATED_HEADER] = "true"
    return resp


def _show(iri: URIRef):
    try:
        media_type = _rdf_choice()
    except NotAcceptable:
        offered = ", ".join(["text/html", *RDF_TYPES])
        return Response(f"{iri} can be given as: {offered}\n", 406, mimetype="text/plain")
    try:
        if media_type:
            return _rdf(iri, media_type)
        info = describe(iri)
    except OutcomeGraphError as e:
        if media_type:
            return Response(f"{e}\n", error_status(e), mimetype="text/plain")
        return Response(
            render_template("error.html", message=str(e), status=error_status(e)),
            error_status(e),
            mimetype="text/html",
        )
    if info is None:
        body = render_template(
            "error.html",
            status=404,
            message=f"{iri} is not in the graph: no statement names it.",
        )
        return Response(body, 404, mimetype="text/html")
    resp = Response(render_template("lookup.html", r=info), mimetype="text/html")
    resp.headers["Vary"] = "Accept"
    return resp


@bp.get("/id/<path:rest>")
def resource(rest: str):
    # The path arrives %-decoded; the build mints IRIs with the same encoding as segment(), so
    # re-encoding gives back the IRI as minted.
    iri = URIRef(str(OGR) + segment(rest))
    return _show(iri)


@bp.get("/resource")
def any_resource():
    raw = request.args.get("iri", "")
    try:
        iri = URIRef(expand_iri(raw, "iri"))
    except ParameterError as e:
        body = render_template("error.html", status=400, message=str(e))
        return Response(body, 400, mimetype="text/html")
    if str(iri).rstrip("#") == str(OG).rstrip("#") and not _wants_rdf():
        return redirect("/def")  # the vocabulary: a table of its terms (serve/catalogue.py)
    return _show(iri)


def _wants_rdf() -> bool:
    try:
        return bool(_rdf_choice())
    except NotAcceptable:
        return False
