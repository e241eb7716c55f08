"""/sparql: the SPARQL 1.1 Protocol, read-only, every query checked before it runs and time-limited.

Query by GET (`?query=`), POST form (`query=`) or POST `application/sparql-query`. Results by Accept or
by `format=` (json, xml, csv, tsv, ttl, nt, jsonld). A result cut at the row limit carries
`X-Outcome-Graph-Truncated: true` (and in JSON `head.truncated`, in XML a comment). Errors are plain
text with the reason: 400 bad query or refused feature, 403 update, 406 no acceptable format, 413 body
too large, 415 unknown request type, 503 time limit, 502/504 remote store failure.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, request, url_for

from ..query_layer import Flight
from ..query_layer.scope import store_key
from ..store import QueryError, QueryTimeout, StoreError
from . import EXTENSION, current_store, public_base, settings
from .cache import mark_cacheable
from .description import service_description
from .fastpath import FAILED
from .formats import UnknownFormat, choose, content_type, offered
from .headers import CORS_HEADERS as CORS_HEADERS
from .headers import TRUNCATED_HEADER as TRUNCATED_HEADER
from .safety import Refused, check_dataset, check_query

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"


def _error(status: int, message: str, **headers: str) -> Response:
    return Response(message.rstrip() + "\n", status=status, mimetype="text/plain", headers=headers)


@bp.after_request
def _cors(response: Response) -> Response:
    response.headers.update(CORS_HEADERS)
    return response


@bp.errorhandler(Refused)
def _refused(e: Refused) -> Response:
    return _error(e.status, e.message)


@bp.errorhandler(QueryError)
def _query_error(e: QueryError) -> Response:
    return _error(e.status, e.message)


@bp.errorhandler(QueryTimeout)
def _timeout(e: QueryTimeout) -> Response:
    return _error(e.status, e.message, **{"Retry-After": "5"})


@bp.errorhandler(StoreError)
def _store_error(e: StoreError) -> Response:
    return _error(e.status, e.message)


def _request_parts() -> tuple[str | None, list[str], list[str]]:
    """(query text or None, default-graph-uri values, named-graph-uri values) from any protocol form.

    A body is already whole in memory and within the size limit: serve.bodies refused it (413) otherwise.
    """
    if request.method in ("GET", "HEAD"):  # HEAD answers as GET, without the body
        params = request.args
        if "update" in params:
            raise Refused("this endpoint is read-only: updates are refused", 403)
        queries = params.getlist("query")
    else:
        media_type = request.mimetype
        if media_type == "application/sparql-update":
            raise Refused("this endpoint is read-only: SPARQL updates are refused", 403)
        if media_type == FORM:
            params = request.form
            if "update" in params:
                raise Refused("this endpoint is read-only: updates are refused", 403)
            queries = params.getlist("query")
        elif media_type == "application/sparql-query":
            try:
                queries = [request.get_data().decode("utf-8")]
            except UnicodeDecodeError:
                raise Refused("the query is not valid UTF-8") from None
            params = request.args
        else:
            raise Refused(
                "POST a query as application/sparql-query or as a form (application/x-www-form-urlencoded)",
                415,
            )
    if len(queries) > 1:
        raise Refused("give exactly one `query` parameter")
    query = queries[0] if queries else None
    if query is not None and len(query) > settings().max_query:
        raise Refused(f"the query is longer than {settings().max_query} characters", 413)
    return query, params.getlist("default-graph-uri"), params.getlist("named-graph-uri")


def _local_graphs() -> set[str]:
    cache = current_app.extensions[EXTENSION]
    if "graph_names" not in cache:
        cache["graph_names"] = current_store().graph_names()
    return cache["graph_names"]


@bp.route("/sparql", methods=["OPTIONS"])
def preflight() -> Response:
    return Response(
        status=204,
        headers={
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": "Accept, Content-Type",
            "Access-Control-Max-Age": "86400",
        },
    )


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    failed = request.environ.pop(FAILED, None)
    if failed is not None:  # serve.fastpath ran this request's query: its failure is answered here
        raise failed
    query, default_uris, named_uris = _request_parts()
    if query is None:
        if request.method == "POST":
            raise Refused(
                "the request has no `query`: POST a SPARQL query (GET /sparql describes the service)"
            )
        if _browser():
            # A person following the "SPARQL endpoint" link gets the query page, not raw Turtle.
            return redirect(url_for("pages.index"), 303)
        return _description()
    # The check runs in this process: inside the sender's own admission slot, so that what it costs
    # counts against the sender's share of the lane (serve.admission), and the query it guards runs
    # in the same slot.
    with current_app.extensions[EXTENSION]["admission"].held():
        return _answer(query, default_uris, named_uris)


def _answer(query: str, default_uris: list[str], named_uris: list[str]) -> Response:
    info = check_query(query, settings().timeout)
    # Protocol dataset parameters replace the query's own FROM / FROM NAMED (SPARQL 1.1 Protocol 2.1.4).
    # Either way the dataset is handed to the engine explicitly, so FROM cannot pick any other graph.
    if default_uris or named_uris:
        default, named = list(default_uris), list(named_uris)
    elif info.has_dataset:
        default, named = list(info.default_graphs), list(info.named_graphs)
    else:
        default = named = None
    if default or named:
        check_dataset(default + named, _local_graphs())
    try:
        media_type = choose(info.form, request.accept_mimetypes, request.values.get("format"))
    except UnknownFormat as e:
        raise Refused(str(e)) from None
    if media_type is None:
        return _error(406, f"{info.form} results can be given as: {', '.join(offered(info.form))}")
    limits = settings()
    try:
        answer = current_store().execute(
            info.text,  # the canonical text that was checked, never the text as sent
            media_type,
            timeout=limits.timeout,
            max_rows=limits.max_rows,
            default_graphs=default,
            named_graphs=named,
        )
    except QueryError as e:
        raise QueryError(info.explain(e.message), e.status) from None
    response = Response(answer.body, content_type=content_type(answer.media_type))
    response.headers["Vary"] = "Accept"
    if answer.truncated:
        response.headers[TRUNCATED_HEADER] = "true"
    mark_cacheable()  # the engine's answer to this exact request on this generation of the store
    return response


def _browser() -> bool:
    """True for a browser: it names text/html and prefers it to every RDF type."""
    accept = request.accept_mimetypes
    if not any(m == "text/html" for m, _ in accept) or "pages.index" not in current_app.view_functions:
        return False
    html = accept.quality("text/html")
    return all(
        html > accept.quality(m) for m in ("text/turtle", "application/n-triples", "application/ld+json")
    )


_COUNTS = Flight(size=2)


def triple_count(store) -> int:
    """The store's triple count, once per store (a scan of every quad: 5 s at 10 M triples), counted by
    the server's warm-up (serve.warmup) so that the service description's first answer does not wait
    for it; a request meanwhile waits for that count rather than starting its own."""
    return _COUNTS.get(store_key(store), store.triple_count, "the store's triple count")


def _description() -> Response:
    accept = request.accept_mimetypes
    offers = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld"}
    best = accept.best_match(list(offers)) if accept else None
    media_type = best or "text/turtle"
    graph = service_description(public_base() + "/sparql", settings(), triple_count(current_store()))
    body = graph.serialize(format=offers[media_type])
    response = Response(body, content_type=content_type(media_type))
    response.headers["Vary"] = "Accept"
    return response
