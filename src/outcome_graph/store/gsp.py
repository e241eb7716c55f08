"""Push the graph to a SPARQL server with the SPARQL 1.1 Graph Store HTTP Protocol."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

from . import StoreError


def graph_store_url(endpoint: str) -> str:
    """The Graph Store Protocol URL next to a query endpoint, for servers that follow Oxigraph's layout.

    Oxigraph serves queries at /query and the graph store at /store; other servers (Fuseki's /data,
    GraphDB's /rdf-graphs/service) must be named with --graph-store.
    """
    parts = urllib.parse.urlsplit(endpoint)
    path = parts.path.rstrip("/")
    if not path.endswith("/query"):
        raise StoreError(
            f"cannot tell the Graph Store Protocol URL for {endpoint}: give it with --graph-store URL"
        )
    return urllib.parse.urlunsplit(parts._replace(path=path[: -len("query")] + "store", query=""))


def put_default_graph(
    store_url: str,
    data: bytes,
    *,
    media_type: str = "application/n-triples",
    replace: bool = True,
    timeout: float = 300.0,
) -> int:
    """PUT (replace) or POST (add) `data` as the server's default graph; returns the HTTP status."""
    separator = "&" if "?" in store_url else "?"
    url = f"{store_url}{separator}default"
    request = urllib.request.Request(
        url, data=data, method="PUT" if replace else "POST", headers={"Content-Type": media_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as e:
        detail = " ".join(e.read().decode("utf-8", "replace").split())[:500]
        raise StoreError(f"the graph store at {url} refused the graph: HTTP {e.code} {detail}") from e
    except (urllib.error.URLError, OSError) as e:
        raise StoreError(f"cannot reach the graph store at {url}: {e}") from e
