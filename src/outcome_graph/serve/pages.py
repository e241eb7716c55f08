"""The query page at `/`: an editor with the prefixes filled in, the saved queries as examples, results
as a table whose IRIs link to their lookup pages, and downloads as CSV or JSON.

Plain server-rendered HTML: the page works without JavaScript (the form posts back to `/`); a few
lines of script only load an example into the editor. Nothing is fetched from anywhere but this server.
Also the view helpers the other page blueprints share: the store of the running app, result cells,
and the local link for an IRI.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from flask import Blueprint, Response, current_app, render_template, request
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from .. import labels as labels_mod
from ..errors import OutcomeGraphError
from ..human import instance_labels, labelled_csv
from ..namespaces import GOV_QUARTER, GOV_YEAR, OG, OGR, shorten, sparql_prefixes
from ..results_formats import FORMATS, serialize
from ..saved_queries import SavedQuery, load_queries
from . import current_store, settings
from .filters import bp as filters_bp
from .filters import labels
from .safety import Refused, check_dataset, check_query

bp = Blueprint(
    "pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/outcome-graph",
)
bp.register_blueprint(filters_bp)  # the pages' templates read figures and labels through these

DEFAULT_QUERY = """SELECT ?code ?title ?period ?value ?note
WHERE {
  ?observation og:status og:OffTarget ;
               og:indicator ?indicator ;
               og:period ?period .
  ?indicator og:title ?title .
  OPTIONAL { ?indicator og:code ?code }
  OPTIONAL { ?observation og:value ?value }
  OPTIONAL { ?observation og:note ?note }
}
ORDER BY ?code
LIMIT 100
"""

# --- helpers shared by the page blueprints --------------------------------------------------------


def limits() -> tuple[float | None, int | None]:
    """The app's time limit and row limit (outcome_graph.serve.Settings)."""
    cfg = settings()
    return cfg.timeout, cfg.max_rows


def local_href(iri: str) -> str:
    """Where this server shows the IRI: /id/... for the project's instances, /resource?iri= for others
    (statutes, periods, vocabulary terms), so that following a link never leaves the server."""
    root = request.script_root
    if iri.startswith(str(OGR)) and len(iri) > len(str(OGR)):
        return f"{root}/id/{iri[len(str(OGR)) :]}"
    return f"{root}/resource?iri={quote(iri, safe='')}"


def display(iri: str) -> str:
    """How an IRI reads in a table: a period as "Q1 2016/17", a vocabulary term by its label, others
    with the project's prefixes."""
    if iri.startswith((GOV_QUARTER, GOV_YEAR)):
        return labels_mod.period_text(iri)
    if iri.startswith(str(OG)):
        return labels().term(iri)
    return shorten(URIRef(iri))


def labelled_csv_of(result) -> bytes:
    """A SELECT result as CSV for people: a label column beside each IRI column."""
    iris = [str(t) for r in result.rows for t in r.values() if isinstance(t, URIRef)]
    return labelled_csv(result, labels(), instance_labels(current_store(), iris))


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None
    title: str | None = None  # the full IRI or the literal's datatype/language, shown on hover
    kind: str = "literal"  # uri, literal, number, bnode, empty


def cell(term: Node | None) -> Cell:
    if term is None:
        return Cell("", kind="empty")
    if isinstance(term, URIRef):
        return Cell(display(str(term)), local_href(str(term)), str(term), "uri")
    if isinstance(term, BNode):
        return Cell(f"_:{term}", kind="bnode")
    assert isinstance(term, Literal)
    if term.language:
        return Cell(str(term), title=f"@{term.language}")
    numeric = term.datatype in (
        XSD.integer,
        XSD.decimal,
        XSD.double,
        XSD.float,
        XSD.positiveInteger,
        XSD.nonNegativeInteger,
        XSD.int,
        XSD.long,
    )
    title = shorten(term.datatype) if term.datatype and term.datatype != XSD.string else None
    return Cell(str(term), title=title, kind="number" if numeric else "literal")


def table(result) -> dict:
    """A SelectResult as header and rows of cells, for the results table template: the project's records
    by their code and title (the IRI on hover and in the link), columns named in words."""
    iris = [str(t) for r in result.rows for t in r.values() if isinstance(t, URIRef)]
    names = instance_labels(current_store(), iris) if iris else {}

    def named(term, row) -> Cell:
        c = cell(term)
        if c.kind == "uri" and c.title in names:
            return Cell(names[c.title], c.href, c.title, c.kind)
        if (
            c.kind == "number"
            and row.get("unit") is not None
            and str(getattr(term, "datatype", "")) == str(XSD.decimal)
        ):
            # a figure in its unit ("33.5 days"); the plain number stays on hover
            return Cell(labels_mod.value_text(str(term), str(row["unit"])), title=str(term), kind="number")
        return c

    return {
        "vars": list(result.vars),
        "headers": [labels_mod.humanise(v).capitalize() for v in result.vars],
        "rows": (rows := [[named(row.get(v), row) for v in result.vars] for row in result.rows]),
        # a column of numbers is right-aligned, its header too (GOV.UK tables)
        "numeric": [
            any(r[i].kind == "number" for r in rows) and all(r[i].kind in ("number", "empty") for r in rows)
            for i in range(len(result.vars))
        ],
        "truncated": bool(getattr(result, "truncated", False)),
    }


def graph_table(graph: Graph, limit: int | None) -> dict:
    triples = sorted(graph, key=lambda t: (str(t[0]), str(t[1]), str(t[2])))
    truncated = limit is not None and len(triples) > limit
    triples = triples[:limit] if limit is not None else triples
    return {
        "vars": ["subject", "predicate", "object"],
        "headers": ["Subject", "Predicate", "Object"],
        "rows": [[cell(s), cell(p), cell(o)] for s, p, o in triples],
        "truncated": truncated,
    }


def saved_queries() -> dict[str, SavedQuery]:
    directory = current_app.config.get("QUERIES_DIR")
    cache = current_app.extensions.setdefault("outcome_graph.saved_queries", {})
    key = str(directory)
    if key not in cache:
        cache[key] = load_queries(directory)
    return cache[key]


def error_status(e: Exception) -> int:
    status = getattr(e, "status", None)
    if isinstance(status, int) and 400 <= status < 600:
        return status
    return 400


@bp.app_errorhandler(404)
def not_found(e):
    """A page that is not there (a mistyped path, an IRI the graph does not hold): the site's own page
    with ways on, or plain text for a program. /id/ alone is the index of what the graph holds."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json", "text/plain"])
    if best == "application/json":
        return {"error": "not found", "status": 404}, 404
    if best != "text/html":
        return Response("not found\n", 404, mimetype="text/plain")
    message = f"There is no page at {request.path}."
    return render_template("error.html", status=404, message=message), 404


# --- the query page -------------------------------------------------------------------------------


class PageError(Exception):
    """A query typed on the page that is refused or fails: the message for the page, and a status."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


def run_text(text: str):
    """('select' | 'boolean' | 'graph', value) for a query typed on the page.

    The same checks as /sparql run first (read-only, no SERVICE, no remote FROM): the page must not
    be a way around them.
    """
    limit = settings().max_query
    if len(text) > limit:
        raise PageError(f"the query is longer than {limit} characters", 413)
    try:
        info = check_query(text, settings().timeout)
        graphs = info.default_graphs + info.named_graphs
        if graphs:
            check_dataset(graphs, current_store().graph_names())
    except Refused as e:
        raise PageError(e.message, e.status) from None
    except OutcomeGraphError as e:  # a long text's check stopped at the time limit
        raise PageError(str(e), error_status(e)) from None
    if info.has_dataset:  # the page runs over the whole graph; /sparql hands a dataset to the engine
        raise PageError("FROM / FROM NAMED are for /sparql: this page queries the whole graph", 400)
    store = current_store()
    timeout, limit = limits()
    checked = info.text  # the canonical text that was checked, never the text as typed
    try:
        if info.form == "ASK":
            return "boolean", store.ask(checked, timeout=timeout)
        if info.form in ("CONSTRUCT", "DESCRIBE"):
            # One triple over the limit, so that graph_table can tell a cut graph from one of exactly
            # `limit` triples (and the page says so).
            more = None if limit is None else limit + 1
            return "graph", store.construct(checked, timeout=timeout, max_triples=more)
        return "select", store.select(checked, timeout=timeout, max_rows=limit)
    except OutcomeGraphError as e:
        raise PageError(info.explain(str(e)), error_status(e)) from None


def examples() -> list[dict]:
    """The saved queries with their default parameters written in as a VALUES block, ready to run."""
    from ..store.bindings import bind

    out = []
    for q in saved_queries().values():
        try:
            text = bind(q.text, q.bindings({}))
        except OutcomeGraphError:
            text = q.text  # a required parameter: shown unbound, for the analyst to fill in
        out.append(
            {
                "name": q.name,
                "title": q.title,
                "description": q.description,
                "text": text,
                "parameters": [
                    {
                        "name": p.name,
                        "type": p.type,
                        "default": p.default or "",
                        "required": p.required,
                        "description": p.description or "",
                    }
                    for p in q.parameters
                ],
            }
        )
    return out


def _bound_example(name: str, values: dict[str, str]) -> str:
    """A saved query's text with the parameter form's values bound as typed terms (never pasted)."""
    from ..store.bindings import bind

    q = saved_queries()[name]
    return bind(q.text, q.bindings({k: v for k, v in values.items() if v.strip()}))


@bp.get("/")
def index():
    text = request.args.get("query")
    example = request.args.get("example") or ""
    listed = examples()
    chosen = next((e for e in listed if e["name"] == example), None)
    values = {k[2:]: v for k, v in request.args.items() if k.startswith("p.")}
    context = {
        "examples": listed,
        "chosen": chosen,
        "values": {
            p["name"]: values.get(p["name"], p["default"]) for p in (chosen or {}).get("parameters", [])
        },
        "result": None,
        "boolean": None,
        "error": None,
        "ran": False,
    }
    status = 200
    if chosen and (text is None or request.args.get("bind")):
        # The parameter form (or a bare example link): bind its values into the saved query.
        try:
            text = _bound_example(chosen["name"], values)
        except OutcomeGraphError as e:
            text = chosen["text"]
            context["error"], status = str(e), 400
    shown = text if text is not None else sparql_prefixes() + "\n" + DEFAULT_QUERY
    context["query"] = shown
    # A query given (typed, or an example picked) is run; the bare page only shows the editor.
    if text is not None and text.strip() and not context["error"]:
        context["ran"] = True
        try:
            kind, value = run_text(text)
            if kind == "boolean":
                context["boolean"] = value
            elif kind == "graph":
                context["result"] = graph_table(value, limits()[1])
            else:
                context["result"] = table(value)
        except PageError as e:
            context["error"] = e.message
            status = e.status
    resp = Response(render_template("query.html", **context), status, mimetype="text/html")
    if context["result"] and context["result"]["truncated"]:
        resp.headers["X-Outcome-Graph-Truncated"] = "true"  # as every other route that cuts rows
    return resp


@bp.get("/download.<fmt>")
def download(fmt: str):
    """The page's results as a file: SELECT results as CSV, TSV, JSON or XML."""
    if fmt not in FORMATS:
        return Response(
            f"unknown download format {fmt!r}; use one of {', '.join(FORMATS)}\n", 404, mimetype="text/plain"
        )
    text = request.args.get("query", "")
    try:
        kind, result = run_text(text)
    except PageError as e:
        return Response(e.message + "\n", e.status, mimetype="text/plain")
    if kind != "select":
        return Response(
            "downloads here are for SELECT queries; ask /sparql for ASK, CONSTRUCT and DESCRIBE results\n",
            400,
            mimetype="text/plain",
        )
    body = labelled_csv_of(result) if fmt == "csv" else serialize(result, fmt)
    resp = Response(body, mimetype=FORMATS[fmt])
    # Named after the saved query it came from, where it did.
    name = request.args.get("name", "")
    stem = name if name in saved_queries() else "results"
    resp.headers["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    if result.truncated:
        resp.headers["X-Outcome-Graph-Truncated"] = "true"
    return resp
