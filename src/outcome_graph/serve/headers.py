"""Security headers on every response, whatever view (or error handler) made it.

- Content-Security-Policy: scripts only from this server (the pages' one script is a static file; the
  examples ride in a `<script type="application/json">` data block, which is never executed); styles
  from this server or inline (the trace pictures are SVG with their own `<style>` and `style=`
  attributes, and every value written into a page is escaped); nothing may frame a page, no plugin,
  no `<base>`, forms post only here.
- X-Content-Type-Options: nosniff; X-Frame-Options: DENY (for browsers without frame-ancestors);
  Referrer-Policy: no-referrer (a query in a URL never leaks to another site through a link).

And no Location names a host the client chose: Werkzeug's own redirects (merging slashes in /id//x,
adding one to /queries) build an absolute URL from the request's Host header, which anyone can set.
`relative_location` turns every absolute Location that does not name this server's own address into
a path, whichever redirect made it.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Response

# The SPARQL endpoint's own headers, here so that its Flask view (sparql.py) and its plain-WSGI path
# (fastpath.py) both import them from one place and not from each other.
TRUNCATED_HEADER = "X-Outcome-Graph-Truncated"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": TRUNCATED_HEADER,
}

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def relative_location(response: Response) -> Response:
    location = response.headers.get("Location")
    if not location:
        return response
    parts = urlsplit(location)
    if parts.scheme or parts.netloc:
        from . import public_base  # imported here: serve/__init__ is the package this module is in

        if parts.netloc.lower() != urlsplit(public_base()).netloc.lower():
            path = "/" + parts.path.lstrip("/")  # never "//host": a browser reads that as a host
            response.headers["Location"] = urlunsplit(("", "", path, parts.query, parts.fragment))
    return response


def retry_after_on_timeouts(response: Response) -> Response:
    """Every 503 and 504 says when to try again, whichever view answered it: a saved query, a record page
    or a download whose read passed the store's or a SPARQL server's time limit answered without one
    (tests/serve/test_routes.py). A view that knows better (a slow part's own Retry-After) keeps its own."""
    if response.status_code in (503, 504) and "Retry-After" not in response.headers:
        from ..query_layer.reads import RETRY_AFTER

        response.headers["Retry-After"] = str(RETRY_AFTER)
    return response
