"""The saved queries' national pages: a council's question asked without a council, and an answer read one
value of a parameter at a time (`# page:`, saved_pages.py).

- A question of one council (`# scope: council`) asked of a graph of several: a person gets the question
  and the councils to choose from, links that keep the other parameters (300 Multiple Choices, as
  /trace/CODE answers a code that names several records); JSON, CSV and the rest get a 400 naming them.
- A paged question without its page parameter: a person's page shows one value (a year: the latest with
  figures; a council: the choice), with links to the others; a download streams every value's part in
  turn. Each part is a bounded query run when the one before has been written, so the memory held and the
  time to the first byte are a part's, whatever the nation's size. The first part is run before the
  answer starts (its error is a proper status); a later part that fails ends a CSV/TSV with a line
  saying so and leaves JSON/XML unterminated, so that a reader never takes a cut answer for a whole one.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping

from flask import Response, render_template, url_for
from rdflib import URIRef
from rdflib.term import Node

from ..errors import OutcomeGraphError
from ..human import instance_labels, labelled_csv, with_figure_labels
from ..query_layer import Flight
from ..query_layer.scope import store_key
from ..results_formats import FORMATS, serialize, tsv_from_json
from ..saved_pages import COUNCILS, PageValue, page_values
from ..saved_queries import SavedQuery
from ..store.bindings import bind
from ..store.lanes import LANE, current_lane
from . import current_store
from .filters import labels as served_labels
from .pages import labelled_csv_of
from .safety import check_query

HTML = "text/html"
_VALUES = Flight(size=64)


def cached_values(
    query: SavedQuery, bound: Mapping[str, Node], values: str | None, timeout
) -> list[PageValue]:
    """The page values, once per store generation and question (a served store does not change)."""
    store = current_store()
    key = (store_key(store), query.name, values, tuple(sorted((k, str(v)) for k, v in bound.items())))
    return _VALUES.get(
        key, lambda: page_values(store, query, bound, values, timeout), f"the pages of {query.name}"
    )


def link(query: SavedQuery, given: Mapping[str, str], param: str, text: str, fmt: str = "html") -> str:
    return url_for("queries.run", name=query.name, **{**given, param: text}, format=fmt)


def choice(query: SavedQuery, given: Mapping[str, str], message: str, timeout, every: bool = False):
    """The councils to choose from, each a link keeping the other parameters (300). `every`: the
    downloads of every council's rows are offered too (a question read council by council)."""
    councils = cached_values(query, {}, COUNCILS, timeout)
    shown = {p.name: given.get(p.name, p.default or "") for p in query.parameters}
    page = render_template(
        "saved_query_choice.html",
        query=query,
        values=shown,
        message=message,
        choices=[(c.label, link(query, given, "council", c.text or str(c.term))) for c in councils],
        downloads={f: url_for("queries.run", name=query.name, **given, format=f) for f in FORMATS}
        if every
        else {},
    )
    resp = Response(page, 300, mimetype=HTML)
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Vary"] = "Accept"
    return resp


def part_body(
    query: SavedQuery, bound: Mapping[str, Node], fmt: str, timeout, max_rows, *, store=None, names=None
) -> tuple[bytes, bool]:
    """One answer's body in `fmt` exactly as /queries/NAME writes it, and whether the row limit cut it.
    `store` and `names` (the labels): given when run outside the request (a download's later parts are
    written after the view has returned, with no request context to read them from)."""
    store = store if store is not None else current_store()
    checked = check_query(bind(query.text_for(bound), dict(bound)), timeout).text
    if fmt == "csv" or (fmt == "json" and query.has_figures):
        # A person's formats: the CSV with a label beside each IRI (human.py; /sparql keeps the standard
        # SPARQL CSV), and figures in their units beside the plain numbers ("value_label": "£15.46m").
        result = store.select(checked, timeout=timeout, max_rows=max_rows)
        if fmt == "csv":
            if names is None:
                return labelled_csv_of(result), bool(result.truncated)
            iris = [str(t) for r in result.rows for t in r.values() if isinstance(t, URIRef)]
            return labelled_csv(result, names, instance_labels(store, iris)), bool(result.truncated)
        return serialize(with_figure_labels(result), "json"), bool(result.truncated)
    # The engine writes the results itself, as for /sparql: converting each row to Python terms and back
    # cost about 0.1 ms a row. TSV is taken from its JSON to keep numbers bare.
    media_type = FORMATS["json"] if fmt == "tsv" else FORMATS[fmt]
    answer = store.execute(checked, media_type, timeout=timeout, max_rows=max_rows)
    body = tsv_from_json(answer.body) if fmt == "tsv" else answer.body
    return body, bool(answer.truncated)


class _Writer:
    """Joins the parts of one format into one answer: the head once (the first part with rows names the
    columns), every part's rows, the tail."""

    def __init__(self, fmt: str):
        self.fmt, self.header, self.cut = fmt, None, False

    def rows(self, body: bytes) -> tuple[str, bytes, bool]:
        """(head, rows, whether it has rows) of one part."""
        if self.fmt == "json":
            doc = json.loads(body)
            rows = doc["results"]["bindings"]
            text = ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
            head = json.dumps({"vars": doc["head"]["vars"]}, ensure_ascii=False)
            return head, text.encode("utf-8"), bool(rows)
        if self.fmt == "xml":
            text = body.decode("utf-8")
            m = re.search(r"<results>(.*)</results>", text, re.S)
            inner = m[1] if m else ""
            return text[: m.start()] if m else text, inner.encode("utf-8"), "<result>" in inner
        text = body.decode("utf-8")
        head, _, rest = text.partition("\r\n" if self.fmt == "csv" else "\n")
        return head, rest.encode("utf-8"), bool(rest.strip())

    def start(self, head: str) -> bytes:
        self.header = head
        if self.fmt == "json":  # the head is written last, when whether a part was cut is known
            return b'{"results": {"bindings": [\n'
        if self.fmt == "xml":
            return (head + "<results>").encode("utf-8")
        return (head + ("\r\n" if self.fmt == "csv" else "\n")).encode("utf-8")

    def csv_rows(self, head: str, rows: bytes) -> bytes:
        """A part's rows in the first part's columns (a label column is there where a part's IRIs are)."""
        if head == self.header or self.fmt not in ("csv", "tsv"):
            return rows
        delim = "," if self.fmt == "csv" else "\t"
        wanted = next(csv.reader([self.header], delimiter=delim))
        names = next(csv.reader([head], delimiter=delim))
        out = io.StringIO()
        w = csv.writer(out, delimiter=delim, lineterminator="\r\n" if self.fmt == "csv" else "\n")
        for row in csv.reader(io.StringIO(rows.decode("utf-8")), delimiter=delim):
            got = dict(zip(names, row, strict=False))
            w.writerow([got.get(n, "") for n in wanted])
        return out.getvalue().encode("utf-8")

    def end(self, late_cut: str | None = None) -> bytes:
        """The answer's tail. A part cut by the row limit after the answer started (its header sent
        without saying so) is said in the answer itself: in the JSON head (written last), and in an XML
        comment or a last CSV/TSV line naming the part."""
        said = f"only the first rows of {late_cut} are given (the row limit)" if late_cut else ""
        if self.fmt == "json":
            head = json.loads(self.header or '{"vars": []}')
            if self.cut:
                head |= {"link": ["#truncated"], "truncated": True}
            tail = json.dumps(head, ensure_ascii=False)
            return ('\n]}, "head": ' + tail + (', "truncated": true' if self.cut else "") + "}\n").encode()
        if self.fmt == "xml":
            note = f"<!-- outcome-graph: truncated: {said} -->\n" if late_cut else ""
            return f"</results>\n{note}</sparql>\n".encode()
        return f"# the download was cut: {said}\n".encode() if late_cut else b""

    def stopped(self, part: str, message: str) -> bytes:
        if self.fmt in ("csv", "tsv"):
            return f"# the download stopped at {part}: {message}\n".encode()
        return b""  # JSON and XML left unterminated: no reader takes them for a whole answer


def stream(
    query: SavedQuery,
    bound: Mapping[str, Node],
    pages: list[PageValue],
    fmt: str,
    timeout,
    max_rows,
) -> Response:
    """Every value's part, in order, as one answer in `fmt`."""
    assert query.page is not None
    writer = _Writer(fmt)
    parts = [{**bound, query.page: v.term} for v in pages] or [dict(bound)]
    part_names = [v.label for v in pages] or ["every value"]
    # The parts before the first with rows, run before the answer starts: the columns are that part's,
    # and an error in them is a proper status (raised to the caller).
    ready: list[tuple[str, bytes]] = []
    head = None
    while parts and head is None:
        body, cut = part_body(query, parts.pop(0), fmt, timeout, max_rows)
        writer.cut |= cut
        part_head, rows, has_rows = writer.rows(body)
        ready.append((part_head, rows))
        if has_rows or not parts:
            head = part_head
    done = len(ready)
    lane, store, names = current_lane(), current_store(), served_labels()

    def run_part(part: dict[str, Node]) -> tuple[bytes, bool]:
        # Run after the view has returned, in whichever thread writes the answer (each chunk may be
        # another), with no request context: the store and labels are the request's, and the part is
        # admitted in the request's lane, set and reset around it within one step.
        token = LANE.set(lane)
        try:
            return part_body(query, part, fmt, timeout, max_rows, store=store, names=names)
        finally:
            LANE.reset(token)

    def generate() -> Iterator[bytes]:
        yield writer.start(head or "")
        first = True
        for part_head, rows in ready:
            if rows.strip():
                yield (b",\n" if fmt == "json" and not first else b"") + writer.csv_rows(part_head, rows)
                first = False
        late_cut = None
        for number, part in enumerate(parts, done + 1):
            where = f"part {number} of {len(part_names)} ({part_names[number - 1]})"
            try:
                body, cut = run_part(part)
            except OutcomeGraphError as e:
                yield writer.stopped(where, str(e))
                return
            writer.cut |= cut
            late_cut = late_cut or (where if cut else None)
            part_head, rows, has_rows = writer.rows(body)
            if has_rows:
                yield (b",\n" if fmt == "json" and not first else b"") + writer.csv_rows(part_head, rows)
                first = False
        yield writer.end(late_cut)

    resp = Response(generate(), mimetype=FORMATS[fmt])
    resp.headers["X-Outcome-Graph-Parts"] = str(len(part_names))
    if writer.cut:
        resp.headers["X-Outcome-Graph-Truncated"] = "true"
    if fmt in ("csv", "tsv"):
        resp.headers["Content-Disposition"] = f'attachment; filename="{query.name}.{fmt}"'
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["Vary"] = "Accept"
    return resp
