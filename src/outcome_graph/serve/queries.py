"""Saved queries over HTTP: `/queries` (the list), `/queries/<name>?param=...` (results in every SPARQL
results format, or an HTML table for a browser), and `/openapi.json` describing them all.

Parameters arrive as query-string text and are bound as typed RDF terms by saved_queries (never pasted
into the query): a value that is not of the parameter's type is a 400 naming the parameter.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request, url_for

from ..errors import OutcomeGraphError
from ..parameter_terms import ParameterError
from ..parameter_values import check_values
from ..query_layer import ScopeError, require_council
from ..results_formats import FORMATS
from ..saved_pages import default_page
from ..saved_queries import SavedQuery, UnknownQuery, get_query
from ..store.bindings import bind
from . import current_store, query_pages, settings
from .cache import mark_cacheable
from .pages import error_status, limits, saved_queries, table
from .safety import Refused, check_query

bp = Blueprint("queries", __name__, template_folder="templates")

HTML = "text/html"
# Offered in this order: a client that accepts anything gets JSON; a browser (which names text/html)
# gets the table.
OFFERS = [FORMATS["json"], HTML, FORMATS["xml"], FORMATS["csv"], FORMATS["tsv"], "application/json"]
BY_MEDIA_TYPE = {v: k for k, v in FORMATS.items()} | {HTML: "html", "application/json": "json"}
RESERVED = ("format",)


def negotiate(default: str = "json") -> str | None:
    """'json', 'xml', 'csv', 'tsv' or 'html' from ?format= or Accept; None when nothing fits (406)."""
    fmt = request.args.get("format")
    if fmt:
        fmt = fmt.lower()
        aliases = {"text": "tsv", "htm": "html"}
        fmt = aliases.get(fmt, fmt)
        return fmt if fmt in FORMATS or fmt == "html" else None
    if not request.headers.get("Accept"):
        return default
    best = request.accept_mimetypes.best_match(OFFERS)
    return BY_MEDIA_TYPE.get(best) if best else None


def _cors(resp: Response) -> Response:
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Vary"] = "Accept"
    return resp


def _error(message: str, status: int, fmt: str | None, query: SavedQuery | None = None):
    if fmt == "html":
        body = render_template("error.html", message=message, status=status, query=query)
        return _cors(Response(body, status, mimetype=HTML))
    if fmt == "json":
        return _cors(
            Response(json.dumps({"error": message, "status": status}), status, mimetype="application/json")
        )
    return _cors(Response(message + "\n", status, mimetype="text/plain"))


@bp.get("/queries")
def list_queries():
    fmt = negotiate(default="json")
    queries = [q.as_dict() | {"url": url_for("queries.run", name=q.name)} for q in saved_queries().values()]
    if fmt == "html":
        return _cors(Response(render_template("queries.html", queries=queries), mimetype=HTML))
    if fmt != "json":
        return _error(
            "the list of saved queries is HTML or JSON: ask for text/html or application/json", 406, "text"
        )
    doc = {"queries": queries, "openapi": url_for("queries.openapi")}
    return _cors(Response(json.dumps(doc, ensure_ascii=False, indent=1), mimetype="application/json"))


@bp.get("/queries/<name>")
def run(name: str):
    fmt = negotiate(default="json")
    if fmt is None:
        return _error(
            "no acceptable results format: ask for one of "
            + ", ".join(list(FORMATS.values()) + [HTML])
            + " (Accept header), or give ?format=json|xml|csv|tsv|html",
            406,
            "text",
        )
    try:
        query = get_query(name, saved_queries())
    except UnknownQuery as e:
        return _error(str(e), 404, fmt)
    values = {k: v for k, v in request.args.items() if k not in RESERVED}
    limit = settings().max_query
    if sum(len(k) + len(v) for k, v in values.items()) > limit:
        return _error(f"the parameters are longer than {limit} characters in all", 413, fmt, query)
    timeout, max_rows = limits()
    pages = None
    try:
        # Parameters are bound as typed terms; the bound text then passes the same check as a query
        # sent to /sparql, and the engine runs the checked canonical text.
        bound = query.bindings(values)
        if query.scope == "council" or query.page == "council":
            try:
                require_council(current_store(), query.name, "council" in bound, timeout)
            except ScopeError as e:
                if fmt == "html":  # the question, and the councils to choose from
                    return query_pages.choice(query, values, str(e), timeout, every=query.scope is None)
                if query.scope == "council":
                    raise
        # a value that names nothing in the graph: 400 listing what there is, not an empty answer
        check_values(current_store(), query, values, bound, timeout=timeout)
        if query.page:
            # read one value of the page parameter at a time (saved_pages.py)
            pages = query_pages.cached_values(query, bound, None, timeout)
            if query.page not in bound:
                if fmt != "html":  # a download: every value's part in turn, streamed
                    return query_pages.stream(query, bound, pages, fmt, timeout, max_rows)
                chosen = default_page(pages)
                if chosen is not None:
                    bound[query.page] = chosen.term
                    values = {**values, query.page: chosen.text}
        if fmt != "html":  # the body a download's part is written with too (query_pages.part_body)
            body, cut = query_pages.part_body(query, bound, fmt, timeout, max_rows)
        else:
            checked = check_query(bind(query.text_for(bound), bound), timeout).text
            result = current_store().select(checked, timeout=timeout, max_rows=max_rows)
    except Refused as e:
        return _error(e.message, e.status, fmt, query)
    except ParameterError as e:
        return _error(str(e), 400, fmt, query)
    except OutcomeGraphError as e:
        return _error(str(e), error_status(e), fmt, query)
    if fmt != "html":
        resp = Response(body, mimetype=FORMATS[fmt])
        if fmt in ("csv", "tsv"):
            resp.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        if cut:
            resp.headers["X-Outcome-Graph-Truncated"] = "true"
        mark_cacheable()
        return _cors(resp)
    shown = {p.name: values.get(p.name, p.default or "") for p in query.parameters}
    given = {k: v for k, v in request.args.items() if k not in RESERVED}
    page = render_template(
        "saved_query.html",
        query=query,
        values=shown,
        result=table(result),
        downloads={f: url_for("queries.run", name=name, **values, format=f) for f in FORMATS},
        # a paged question: this page's value, links to the others, and the download of every value
        pages=[
            (v.label, query_pages.link(query, given, query.page, v.text), v.text == shown[query.page])
            for v in pages or []
            if v.text is not None
        ],
        every={
            f: url_for(
                "queries.run", name=name, **{k: v for k, v in given.items() if k != query.page}, format=f
            )
            for f in FORMATS
        }
        if pages is not None
        else {},
    )
    resp = Response(page, mimetype=HTML)
    if result.truncated:
        resp.headers["X-Outcome-Graph-Truncated"] = "true"
    return _cors(resp)


# --- OpenAPI ----------------------------------------------------------------------------------------

_SCHEMAS = {
    "string": {"type": "string"},
    "code": {"type": "string", "example": "CSPC.P.1.2a"},
    "iri": {"type": "string", "format": "iri", "example": "https://w3id.org/outcome-graph/id/..."},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "year": {"type": "string", "pattern": r"^(20)?\d\d([-/](20)?\d\d)?$", "example": "2020-2021"},
}
_RESULTS = {
    media: {"schema": {"type": "object"} if fmt in ("json",) else {"type": "string"}}
    for fmt, media in FORMATS.items()
} | {HTML: {"schema": {"type": "string"}}}
_ERRORS = {
    "400": {
        "description": "A parameter value is not of its type (the message names it), names nothing in the "
        "graph (the message lists what there is), or the query failed"
    },
    "404": {"description": "No saved query of that name"},
    "406": {"description": "None of the results formats is acceptable"},
    "503": {"description": "The query ran past the time limit and was stopped"},
}


def _parameter(p) -> dict:
    schema = dict(_SCHEMAS[p.type])
    if p.default is not None:
        schema["default"] = p.default
    desc = p.description or p.name
    if p.optional:
        desc += " (optional: when not given, every value matches)"
    return {
        "name": p.name,
        "in": "query",
        "required": p.required,
        "description": f"{desc} [type: {p.type}]",
        "schema": schema,
    }


def openapi_document(queries: dict[str, SavedQuery], server: str) -> dict:
    fmt_param = {
        "name": "format",
        "in": "query",
        "required": False,
        "description": "Results format, instead of the Accept header",
        "schema": {"type": "string", "enum": [*FORMATS, "html"]},
    }
    paths: dict[str, dict] = {
        "/queries": {
            "get": {
                "operationId": "listQueries",
                "summary": "The saved queries, with their descriptions and parameters",
                "responses": {
                    "200": {
                        "description": "The list",
                        "content": {"application/json": {"schema": {"type": "object"}}, HTML: {}},
                    }
                },
            }
        }
    }
    for q in queries.values():
        paths[f"/queries/{q.name}"] = {
            "get": {
                "operationId": "query_" + q.name.replace("-", "_"),
                "summary": q.title,
                "description": q.description,
                "tags": ["saved queries"],
                "parameters": [_parameter(p) for p in q.parameters] + [fmt_param],
                "responses": {
                    "200": {
                        "description": "SPARQL 1.1 SELECT results; the header "
                        "X-Outcome-Graph-Truncated: true says the row limit cut them",
                        "content": _RESULTS,
                    },
                    **_ERRORS,
                },
            }
        }
    sparql_params = [
        {
            "name": "query",
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": "A SPARQL 1.1 query (read-only; SERVICE, LOAD and remote FROM are refused). "
            "Without it, the SPARQL service description.",
        },
        {
            "name": "default-graph-uri",
            "in": "query",
            "required": False,
            "schema": {"type": "array", "items": {"type": "string"}},
        },
        {
            "name": "named-graph-uri",
            "in": "query",
            "required": False,
            "schema": {"type": "array", "items": {"type": "string"}},
        },
        fmt_param | {"schema": {"type": "string"}},
    ]
    all_types = {
        m: {} for m in [*FORMATS.values(), "text/turtle", "application/n-triples", "application/ld+json"]
    }
    sparql_responses = {
        "200": {"description": "Results (SELECT/ASK) or a graph (CONSTRUCT/DESCRIBE)", "content": all_types},
        "400": {"description": "Malformed or refused query; the message gives the parser's position"},
        "406": {"description": "No acceptable format"},
        "503": {"description": "Time limit reached"},
    }
    paths["/sparql"] = {
        "get": {
            "operationId": "sparqlGet",
            "summary": "SPARQL 1.1 Protocol query by GET",
            "tags": ["SPARQL"],
            "parameters": sparql_params,
            "responses": sparql_responses,
        },
        "post": {
            "operationId": "sparqlPost",
            "summary": "SPARQL 1.1 Protocol query by POST (form or application/sparql-query)",
            "tags": ["SPARQL"],
            "requestBody": {
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "properties": {"query": {"type": "string"}},
                            "required": ["query"],
                        }
                    },
                    "application/sparql-query": {"schema": {"type": "string"}},
                }
            },
            "responses": sparql_responses,
        },
    }
    paths["/id/{path}"] = {
        "get": {
            "operationId": "lookup",
            "summary": "Look up an instance IRI https://w3id.org/outcome-graph/id/{path}",
            "tags": ["linked data"],
            "parameters": [{"name": "path", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {
                "200": {
                    "description": "The resource: HTML, Turtle, N-Triples or JSON-LD by Accept",
                    "content": {
                        HTML: {},
                        "text/turtle": {},
                        "application/n-triples": {},
                        "application/ld+json": {},
                    },
                },
                "404": {"description": "No such resource in the graph"},
            },
        }
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "outcome-graph",
            "version": _version(),
            "description": "Saved SPARQL queries and the SPARQL 1.1 endpoint over the outcome-graph "
            "knowledge graph of council children's-services performance reports.",
        },
        "servers": [{"url": server}],
        "paths": paths,
    }


def _version() -> str:
    from .. import __version__

    return __version__


@bp.get("/openapi.json")
def openapi():
    # A relative server URL (resolved against this document's own address): never the Host header.
    doc = openapi_document(saved_queries(), request.script_root or "/")
    return _cors(Response(json.dumps(doc, indent=1), mimetype="application/json"))
