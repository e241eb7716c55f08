"""What a page of one council answers when it is asked of a graph of several councils without one (the
start page's links, a bookmark): the councils to choose from, each a link to the same page with its
other parameters kept (300 Multiple Choices, as a saved query asked the same way). A program asking for
JSON gets the 400 that names them."""

from __future__ import annotations

from flask import render_template, request, url_for

from ..query_layer import Flight, ScopeError
from ..query_layer.scope import store_key
from . import current_store
from .error_page import error_response, wants_json
from .pages import limits

_COUNCILS = Flight(size=4)  # the councils to choose from, once per store generation


def council_names() -> list[tuple[str, str]]:
    """(slug, name) of every council with a report in the graph, by slug (queries/pages/councils.rq)."""
    from ..namespaces import OGR
    from ..saved_pages import COUNCILS, values_text

    timeout, _ = limits()
    store = current_store()

    def read():
        rows = store.select(values_text(COUNCILS), timeout=timeout).rows
        out = []
        for r in rows:
            slug = str(r["value"])[len(str(OGR)) :]
            out.append((slug, str(r["label"]) if r.get("label") is not None else slug))
        return sorted(out)

    return _COUNCILS.get(store_key(store), read, "the list of councils")


def needs_council(e: Exception) -> bool:
    """A page of one council asked of a graph of several without one (scope_of's 400)."""
    return isinstance(e, ScopeError) and e.status == 400 and not request.args.get("council")


def council_choice(e: ScopeError):
    """The page a person reaches from a link without a council (the start page's, a bookmark) on a graph of
    several: the councils to choose from, each a link to the same page with its other parameters kept
    (300 Multiple Choices, as a saved query asked the same way); a program gets the 400 naming them."""
    if wants_json():
        return error_response(e, 400)
    kept = {k: v for k, v in request.args.items() if k != "council"}
    choices = [
        (name, url_for(request.endpoint, **(request.view_args or {}), **kept, council=slug))
        for slug, name in council_names()
    ]
    return render_template("council_choice.html", message=str(e), choices=choices), 300
