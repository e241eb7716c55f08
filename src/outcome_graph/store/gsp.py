"""Push the graph to a SPARQL server with the SPARQL 1.1 Graph Store HTTP Protocol, into a named graph.

The Graph Store URL of the servers this project is tested against is known from the query endpoint and
the server's own `Server` header: Oxigraph serves queries at /query and the graph store at /store;
Virtuoso serves queries at /sparql and a graph store that takes a login at /sparql-graph-crud-auth
(digest; its /sparql-graph-crud without a login is refused unless the anonymous SPARQL user is given
write rights, which a shared server should not do). Other servers (Fuseki's /DATASET/data, GraphDB's
/repositories/ID/rdf-graphs/service) must be named with --graph-store.

Large graphs go up in chunks of whole N-Triples lines: the first chunk replaces the graph (PUT), the
others are added to it (POST), so that no single request is larger than a server's request limit.
"""

from __future__ import annotations

import itertools
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator

from .credentials import Credentials, opener, public_url
from .protocol import StoreError

CHUNK_BYTES = 32 * 1024**2
GSP_HINT = (
    "give it with --graph-store URL (Oxigraph: http://HOST:PORT/store; Virtuoso: "
    "http://HOST:PORT/sparql-graph-crud-auth; Fuseki: http://HOST:PORT/DATASET/data)"
)


def beside(endpoint: str, server: str, virtuoso: str, oxigraph: str) -> str | None:
    """A service's URL next to a query endpoint, from its layout and its `Server` header: Virtuoso's is
    /sparql + `virtuoso`, Oxigraph's (or an unnamed server's) /query replaced by `oxigraph`; None for
    any other layout."""
    parts = urllib.parse.urlsplit(public_url(endpoint))
    path = parts.path.rstrip("/")
    software = server.lower()
    if software.startswith("virtuoso") and path.endswith("/sparql"):
        return urllib.parse.urlunsplit(parts._replace(path=path + virtuoso, query=""))
    if (software.startswith("oxigraph") or not software) and path.endswith("/query"):
        return urllib.parse.urlunsplit(parts._replace(path=path[: -len("query")] + oxigraph, query=""))
    return None


def graph_store_url(endpoint: str, server: str = "") -> str:
    """The Graph Store Protocol URL next to a query endpoint."""
    url = beside(endpoint, server, "-graph-crud-auth", "store")
    if url is not None:
        return url
    named = f" (the server says it is {server.strip()})" if server.strip() else ""
    raise StoreError(
        f"cannot tell the Graph Store Protocol URL for {public_url(endpoint)}{named}: {GSP_HINT}"
    )


def chunks(data: bytes, size: int = CHUNK_BYTES) -> list[bytes]:
    """`data` (N-Triples) cut at line ends into pieces of at most about `size` bytes."""
    out, start = [], 0
    while start < len(data):
        end = min(start + size, len(data))
        if end < len(data):
            newline = data.rfind(b"\n", start, end)
            end = newline + 1 if newline >= start else data.find(b"\n", end) + 1 or len(data)
        out.append(data[start:end])
        start = end
    return out or [b""]


def line_chunks(groups: Iterable[Iterable[bytes]], size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Groups of N-Triples lines (without their ends) joined into pieces of about `size` bytes, made
    one at a time as they are sent: a body as large as the nation (the union of every part, load.py)
    is never held whole in memory, nor all its pieces at once."""
    piece: list[bytes] = []
    held, sent = 0, False
    for lines in groups:
        for line in lines:
            piece.append(line)
            held += len(line) + 1
            if held >= size:
                yield b"".join(x + b"\n" for x in piece)
                piece, held, sent = [], 0, True
    if piece or not sent:  # no line at all: one empty body, which empties the graph as chunks(b"") does
        yield b"".join(x + b"\n" for x in piece)


def put_graph(
    store_url: str,
    data: bytes | Iterator[bytes],
    *,
    graph: str | None = None,
    credentials: Credentials | None = None,
    media_type: str = "application/n-triples",
    replace: bool = True,
    timeout: float = 300.0,
    chunk_bytes: int = CHUNK_BYTES,
    progress: Callable[[str], None] | None = None,
) -> int:
    """PUT (replace) or POST (add) N-Triples `data` as the named `graph` (the default graph when None):
    bytes, cut here into chunks of `chunk_bytes`, or pieces already cut (`line_chunks`), sent as they come.

    Returns the number of requests made. A refusal names the URL (without any login) and the server's
    own message; a failure after the first chunk says how far the load got.
    """
    query = urllib.parse.urlencode({"graph": graph}) if graph else "default"
    separator = "&" if "?" in store_url else "?"
    url = f"{public_url(store_url)}{separator}{query}"
    client = opener(store_url, credentials)
    pieces = chunks(data, chunk_bytes) if isinstance(data, bytes) else data
    of = f" of {len(pieces)}" if isinstance(pieces, list) else ""
    # An empty POST first (it adds nothing): a login is checked, and its challenge answered, before a
    # large body is sent — a server that refuses an upload (Virtuoso, without a login) closes the
    # connection under it, and the client would see a broken pipe instead of the refusal.
    steps = itertools.chain(
        [(0, b"", "POST")],
        ((n, piece, "PUT" if replace and n == 1 else "POST") for n, piece in enumerate(pieces, 1)),
    )
    for number, piece, method in steps:
        request = urllib.request.Request(url, data=piece, method=method, headers={"Content-Type": media_type})
        where = f" (chunk {number}{of}; the first {number - 1} are in)" if number > 1 else ""
        if not number:
            where = " (an empty POST, to check access)"
        try:
            with client.open(request, timeout=timeout) as response:
                response.read()
        except urllib.error.HTTPError as e:
            detail = " ".join(e.read().decode("utf-8", "replace").split())[:500]
            if e.code in (401, 403):
                who = f"refused the login from {credentials.source}" if credentials else "needs a login"
                raise StoreError(
                    f"the graph store at {url} {who} (HTTP {e.code}){where}: give a login with --user "
                    "and OUTCOME_GRAPH_PASSWORD, or in ~/.netrc (machine HOST login USER password PASS)"
                ) from None
            raise StoreError(
                f"the graph store at {url} refused the graph{where}: HTTP {e.code} {detail}"
            ) from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise StoreError(f"cannot reach the graph store at {url}{where}: {reason}") from None
        if progress and number and of != " of 1":
            progress(f"  chunk {number}{of} {method} done")
    return number  # the last chunk's number: how many requests were made
