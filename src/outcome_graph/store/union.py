"""One graph on a SPARQL server holding the union of a dataset's parts, kept in step by `load` and `add`.

Why: a request names its dataset, and on a server shared with other data it must (store/remote.py). Named
part by part, a national dataset is one `default-graph-uri` per report (355 at 32 councils x 10 years),
and Virtuoso 7.2 plans a query over hundreds of default graphs badly: evidence-by-code, councils-compared
and lgbf-benchmarks for one council ran past 30 s, risks was refused by its cost estimate, and property
paths lost rows (tests/store/test_many_parts.py). Over one union graph the same queries answer in
0.2-2.4 s with the same rows; and one graph, not two (the catalogue's and the union), because Virtuoso
answers `?s a og:Statute . ?s ?p ?o` in 0.4 s over one and 2.2 s over two (BENCHMARKS.md, "One union
graph on Virtuoso").

The union holds every part's triples and the catalogue's, so a request names it as the only default
graph. Standard protocols only: a whole load PUTs the union by the Graph Store Protocol beside the
parts; `add` replaces a part (and the catalogue) in it by SPARQL 1.1 Update (DELETE ... WHERE GRAPH
<part>, then INSERT ... WHERE GRAPH <part>) through the server's update endpoint. Exact because each
triple is in exactly one graph (store/layout.py): taking a part's triples out of the union takes out
nothing another part holds. The
catalogue says a union is there and complete (`<base> og:unionGraph <base>/union`), written after it; a
dataset loaded without one (an older load) is still read part by part.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

from ..namespaces import OG
from .credentials import Credentials, opener, public_url
from .gsp import beside
from .layout import part_iri
from .protocol import StoreError

UNION_GRAPH = str(OG.unionGraph)
UPDATE_HINT = (
    "give it with --update URL (Oxigraph: http://HOST:PORT/update; Virtuoso: http://HOST:PORT/sparql-auth)"
)


def union_iri(base: str) -> str:
    """The union graph of the dataset named `base` (not a part: the catalogue never lists it as one)."""
    return part_iri(base, "union")


def union_triple(base: str) -> str:
    """The catalogue's line saying the union is complete."""
    return f"<{base}> <{UNION_GRAPH}> <{union_iri(base)}> ."


def update_url(endpoint: str, server: str = "") -> str:
    """The SPARQL 1.1 Update URL next to a query endpoint (as gsp.graph_store_url: Virtuoso's that takes
    a login is /sparql-auth, Oxigraph's is /update)."""
    url = beside(endpoint, server, "-auth", "update")
    if url is not None:
        return url
    raise StoreError(f"cannot tell the SPARQL Update URL for {public_url(endpoint)}: {UPDATE_HINT}")


def run_update(url: str, text: str, credentials: Credentials | None, timeout: float = 300.0) -> None:
    """POST one SPARQL Update (the protocol's direct form); a refusal names the URL and the server's words."""
    request = urllib.request.Request(
        public_url(url),
        data=text.encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/sparql-update"},
    )
    try:
        with opener(url, credentials).open(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as e:
        detail = " ".join(e.read().decode("utf-8", "replace").split())[:500]
        where = public_url(url)
        raise StoreError(f"the update endpoint {where} refused an update: HTTP {e.code} {detail}") from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise StoreError(f"cannot reach the update endpoint {public_url(url)}: {reason}") from None


def take_out(base: str, graph: str) -> str:
    """The update taking a graph's triples (a part's, or the catalogue's) out of the union, before the
    graph is replaced."""
    return f"DELETE {{ GRAPH <{union_iri(base)}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"


def put_in(base: str, graph: str) -> str:
    """The update putting a graph's triples into the union, after it is replaced or added to."""
    return f"INSERT {{ GRAPH <{union_iri(base)}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
