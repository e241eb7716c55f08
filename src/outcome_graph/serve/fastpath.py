"""The common /sparql request answered without Flask: what a first-seen query costs in this process.

A query never seen before (the result cache misses) is checked here and run in a worker; on a quiet
machine Flask's request machinery (context, routing, hooks, the Response object) cost more of this
process's time than the check and the hand-over to the worker together (BENCHMARKS.md, the cold
path), and this process is the one that every request shares. So `SparqlFront`, between the result
cache and Flask, answers the plain case itself, with the same functions the view uses:

- GET /sparql whose only parameter is one `query`, or POST /sparql of `application/sparql-query` with
  no parameters; the text strict UTF-8 and within `max_query`;
- admitted exactly as the view is (the `adhoc` lane of the sender, the check inside its slot);
- the check accepts it, it names no dataset (FROM), and something the client accepts can be given.
  Over the embedded store the check runs in the worker that then runs the query (`checks_in_worker`:
  the store's `check_and_execute`; a text up to IN_PROCESS characters), so that it costs this process
  nothing; the worker says "unchecked" for anything else, having run nothing. Over a remote store, and
  for a longer text, the check runs here (a long one in the checker process) and only its canonical
  text is sent.

Then the engine's answer goes out with the headers the view gives it (type, Vary, CORS, the security
headers, truncation) and is marked cacheable. Anything else, before the query runs, goes to Flask
untouched (the view checks it again). A failure after the query was
handed to the engine (a syntax error from the engine, the time limit, a store error, admission's
refusal) is not run again: it is handed to Flask as `environ[FAILED]`, and the view raises it there,
so the app's own error handlers answer it. tests/serve/test_fastpath.py holds the two paths to the same
bytes, status and headers over a corpus of requests.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from ..sparql.check import FORMS
from ..store import QueryError
from ..store.lanes import LANE
from ..store.protocol import Response
from .bodies import BODY
from .cache import CACHEABLE
from .formats import UnknownFormat, choose, content_type
from .headers import SECURITY_HEADERS
from .safety import IN_PROCESS, Refused, check_query

FAILED = "outcome_graph.failed"  # the exception the engine or admission raised, for the view to raise
SPARQL_QUERY = "application/sparql-query"
StartResponse = Callable[..., Any]


@functools.lru_cache(maxsize=256)  # a client sends the same Accept every time; each is at most 8 KiB
def _negotiate(form: str, accept: str | None) -> str | None:
    """The media type the view would choose for a `form` query and this Accept header (or None)."""
    return choose(form, parse_accept_header(accept, MIMEAccept), None)


@functools.lru_cache(maxsize=256)
def _media_types(accept: str | None) -> dict[str, str | None]:
    """For each query form, the media type the view would choose for this Accept header (or None): what
    a worker that checks the query itself answers in, once it knows the form."""
    return {form: _negotiate(form, accept) for form in FORMS}


class _ToFlask(Exception):
    """Not the plain case: Flask answers it, nothing having run."""


class SparqlFront:
    def __init__(self, app: Callable, extension: dict):
        self.app, self.extension = app, extension
        from .headers import CORS_HEADERS, TRUNCATED_HEADER  # the view's own headers, not copies

        self.cors, self.truncated_header = list(CORS_HEADERS.items()), TRUNCATED_HEADER
        self.security = list(SECURITY_HEADERS.items())
        # The embedded store's workers check a first-seen query themselves (store.query_worker): the
        # check is then off this process, which every request shares. A remote store's engine is
        # someone else's: there the check runs here, and only its canonical text is sent.
        self.in_worker = bool(getattr(extension["store"], "checks_in_worker", False))

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/sparql":
            return self.app(environ, start_response)
        try:
            query = self._query(environ)
        except _ToFlask:
            return self.app(environ, start_response)
        admission, store = self.extension["admission"], self.extension["store"]
        limits = self.extension["settings"]
        lane = admission.lane_for("sparql.sparql", environ.get("REMOTE_ADDR") or "")
        token = LANE.set(lane)
        try:
            with admission.held():
                if self.in_worker and len(query) <= IN_PROCESS:
                    answer = store.check_and_execute(
                        query,
                        _media_types(environ.get("HTTP_ACCEPT")),
                        timeout=limits.timeout,
                        max_rows=limits.max_rows,
                    )
                    if answer is None:  # refused, a dataset, or not acceptable: nothing ran
                        raise _ToFlask
                else:
                    answer = self._checked_here(query, environ, store, limits)
        except _ToFlask:
            return self.app(environ, start_response)
        except Exception as e:  # ran (or was refused a slot): the app's handlers answer, nothing reruns
            environ[FAILED] = e
            return self.app(environ, start_response)
        finally:
            LANE.reset(token)
        return self._answer(answer, environ, start_response)

    def _checked_here(self, query: str, environ: dict, store: Any, limits: Any) -> Response:
        """The query checked in this process and its canonical text run (a remote store, a long text)."""
        try:
            info = check_query(query, limits.timeout)
            if info.has_dataset:
                raise _ToFlask
            media_type = _negotiate(info.form, environ.get("HTTP_ACCEPT"))
            if media_type is None:
                raise _ToFlask
        except (Refused, UnknownFormat):
            raise _ToFlask from None
        try:
            answer = store.execute(
                info.text,
                media_type,
                timeout=limits.timeout,
                max_rows=limits.max_rows,
                default_graphs=None,
                named_graphs=None,
            )
        except QueryError as e:
            raise QueryError(info.explain(e.message), e.status) from None
        return answer

    def _answer(self, answer: Response, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        headers = [
            ("Content-Type", content_type(answer.media_type)),
            ("Content-Length", str(len(answer.body))),
            ("Vary", "Accept"),
        ]
        if answer.truncated:
            headers.append((self.truncated_header, "true"))
        headers += self.cors + self.security
        environ[CACHEABLE] = True  # as the view marks it
        start_response("200 OK", headers)
        return [answer.body]

    def _query(self, environ: dict) -> str:
        """The query text of a plain request, or _ToFlask."""
        method, qs = environ.get("REQUEST_METHOD"), environ.get("QUERY_STRING", "")
        try:
            if method == "GET":
                params = parse_qsl(qs, keep_blank_values=True, strict_parsing=True, errors="strict")
                if len(params) != 1 or params[0][0] != "query":
                    raise _ToFlask
                query = params[0][1]
            elif method == "POST" and not qs:
                kind = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
                body = environ.get(BODY)
                if kind != SPARQL_QUERY or body is None:
                    raise _ToFlask
                query = body.decode("utf-8")
            else:
                raise _ToFlask
        except (ValueError, UnicodeError):
            raise _ToFlask from None
        if not query or len(query) > self.extension["settings"].max_query:
            raise _ToFlask
        return query
