"""The error answer of the views that read the store (trace, gaps, audit, validation): HTML or JSON as
asked, with the error's own status, and Retry-After where a slow part of the page was given up on."""

from __future__ import annotations

from flask import jsonify, render_template, request

from ..query_layer import Slow
from ..query_layer.reads import RETRY_AFTER


def wants_json() -> bool:
    """JSON if ?format=json or the Accept header prefers it to HTML."""
    fmt = request.args.get("format")
    if fmt:
        return fmt == "json"
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(e: Exception, status: int = 404):
    """The error page: the error's own status where it has one (a slow part of the page is 503 with
    Retry-After, naming the part; a council that is not in the graph 404), else `status`."""
    own = getattr(e, "status", None)
    if isinstance(own, int) and 400 <= own < 600:
        status = own
    headers = {}
    retry = getattr(e, "retry_after", None)
    # a 504 is a SPARQL server's time limit met by a read the page made itself: the same "try again"
    if isinstance(e, Slow) or (status == 503 and retry) or status == 504:
        headers["Retry-After"] = str(retry or RETRY_AFTER)
    if wants_json():
        return jsonify({"error": str(e)}), status, headers
    return render_template("error.html", status=status, message=str(e)), status, headers
