"""Every saved query (queries/*.rq) with its default parameters on a national store, through the app's
own request path (Flask test client, result cache off unless --cache): which of them span the nation
too slowly.

    nice python benchmarks/saved_queries_national.py --store DIR [--timeout 30] [--repeat N] [NAME ...]
    nice python benchmarks/saved_queries_national.py --endpoint URL ...   # a SPARQL server instead
    nice python benchmarks/saved_queries_national.py --store DIR --combinations   # each parameter combination

The store is opened as it is (never rebuilt: `outcome-graph query --store DIR` would rebuild a store
that was not built from the bundled reports' current sources). Each query's page is asked as a person
opens it (format=html): with its defaults (a council's question on a national graph: the choice of
councils, 300), and, for a council's question or one read council by council, again bound to Midlothian
(a question read page by page then shows its latest report or year). With --repeat N, each request runs N
more times after the first and the table gives the first answer's time and the p95 of the repeats (the
issue's targets: 5 s and 1 s). A second table times the downloads of the questions read page by page
(`# page:`, JSON without the page parameter): the parts, the first byte and the whole. Prints Markdown.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import re
import time
from pathlib import Path
from urllib.parse import quote

OGR = "https://w3id.org/outcome-graph/id/"
# The parameters a query requires (it has no default): a real record and code of the bundled reports.
REQUIRED = {
    "evidence-by-code": "code=CHN9",
    "evidence": "record=" + quote(f"{OGR}midlothian/report/2020-2021/action/CSPC.P.2.1", safe=""),
}
COUNCIL = "council=ogr:midlothian"


def requests(names: list[str]) -> list[tuple[str, str]]:
    """(query name, parameters) in the order they run: the defaults, then a council's variant."""
    from outcome_graph.saved_queries import load_queries

    queries = load_queries()
    out = []
    for name in names or list(queries):
        out.append((name, REQUIRED.get(name, "")))
        if queries[name].scope == "council" or queries[name].page == "council":
            out.append((name, "&".join(p for p in (REQUIRED.get(name, ""), COUNCIL) if p)))
    return out


# --combinations: a sample of each parameter type, as a person gives it (an early report with earlier ones
# before it, and one in the middle of the 47 years; an LGBF code; a word; a provision).
SAMPLES = {
    "year": ("2017-2018", "2040-2041"),
    "code": ("CHN9",),
    "string": ("Covid",),
    "iri": ("http://www.legislation.gov.uk/id/asp/2014/8/part/9",),
}


def combinations(names: list[str]) -> list[tuple[str, str]]:
    """(query name, parameters): for each query its defaults; each optional parameter alone (a year, a
    code); the council alone and with each other parameter (a council's report: the page a person opens
    from the council's list); and every parameter at once. Parameters a query requires are given always."""
    from outcome_graph.saved_queries import load_queries

    queries = load_queries()
    out: list[tuple[str, str]] = []
    for name in names or list(queries):
        query = queries[name]
        base = [REQUIRED[name]] if name in REQUIRED else []
        given = {p.split("=", 1)[0] for p in base}
        others = [p for p in query.parameters if p.name not in given and p.name != "council"]
        has_council = any(p.name == "council" for p in query.parameters)
        sets: list[list[str]] = [[]]
        alone = [f"{p.name}={v}" for p in others for v in SAMPLES.get(p.type, ())]
        sets += [[a] for a in alone]
        if has_council:
            sets += [[COUNCIL]] + [[COUNCIL, a] for a in alone]
        every = [f"{p.name}={SAMPLES[p.type][0]}" for p in others if p.type in SAMPLES]
        sets.append(([COUNCIL] if has_council else []) + every)
        seen: set[str] = set()
        for extra in sets:
            params = "&".join(base + extra)
            if params not in seen:
                seen.add(params)
                out.append((name, params))
    return out


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _rows(r) -> str:
    if r.status_code == 300:
        return f"choice of {r.get_data(as_text=True).count('<li><a href=')} councils"
    if r.status_code != 200:  # what the answer says, shortened: which limit, which council is wanted
        page = r.get_data(as_text=True)
        alert = re.search(r'<p class="error"[^>]*>(.*?)</p>', page, re.S)  # an HTML page's own message
        said = (r.get_json(silent=True) or {}).get("error") or (html.unescape(alert[1]) if alert else page)
        return "— " + _cell(said)[:90]
    page = r.get_data(as_text=True)
    return str(max(0, page.split("<table", 1)[-1].count("<tr") - 1)) if "<table" in page else "0"


def run(client, pairs: list[tuple[str, str]], repeat: int) -> None:
    print("| saved query | parameters | status | rows shown | first answer (s) | p95 of repeats (s) |")
    print("|---|---|---|---|---|---|")
    for name, params in pairs:
        url = f"/queries/{name}?format=html&{params}"
        started = time.perf_counter()
        r = client.get(url)
        first = time.perf_counter() - started
        rows = _rows(r)
        after = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(url)
            after.append(time.perf_counter() - started)
        shown = params.split("=", 1)[0] + "=…" if params.startswith("record=") else params
        p = f"{p95(after):.2f}" if after else "—"
        print(
            f"| `{name}` | {shown or '(defaults)'} | {r.status_code} | {rows} | {first:.2f} | {p} |",
            flush=True,
        )


def _download_rows(text: str) -> str:
    """The rows of a download's JSON results; for anything else what it says: an error answer's own
    message (`{"error": ...}`, the status is in its own column), or the end of a body that is not whole
    (a stream cut by a failing part)."""
    try:
        doc = json.loads(text)
    except ValueError:
        return "— not whole: " + _cell(text[-80:])
    if isinstance(doc, dict) and isinstance(doc.get("results"), dict):
        return str(len(doc["results"].get("bindings", [])))
    said = doc.get("error") if isinstance(doc, dict) else None
    return "— " + _cell(str(said if said is not None else text)[:90])


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


def downloads(client, names: list[str]) -> None:
    """Each paged question's download (JSON, without its page parameter): streamed part by part."""
    from outcome_graph.saved_queries import load_queries

    queries = load_queries()
    print()
    print("| download | parts | status | rows | first byte (s) | whole (s) |")
    print("|---|---|---|---|---|---|")
    for name in names or list(queries):
        query = queries[name]
        if not query.page:
            continue
        params = REQUIRED.get(name, "")
        if query.scope == "council" or query.page != "council":
            params = "&".join(p for p in (params, COUNCIL if query.scope == "council" else "") if p)
        url = f"/queries/{name}?format=json&{params}"
        started = time.perf_counter()
        r = client.get(url)
        chunks = iter(r.response) if r.status_code == 200 else iter([r.get_data()])
        body = [next(chunks, b"")]
        first = time.perf_counter() - started
        body += list(chunks)
        whole = time.perf_counter() - started
        close = getattr(r.response, "close", None)
        if close:
            close()
        rows = _download_rows(b"".join(body).decode("utf-8", "replace"))
        parts = r.headers.get("X-Outcome-Graph-Parts", "—")
        print(
            f"| `{name}` {params} | {parts} | {r.status_code} | {rows} | {first:.2f} | {whole:.2f} |",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--store", type=Path, help="an embedded store directory")
    where.add_argument("--endpoint", help="a SPARQL server's query endpoint holding the national graphs")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--repeat", type=int, default=0, help="runs after the first, for the p95")
    parser.add_argument("--no-downloads", action="store_true", help="the pages only")
    parser.add_argument(
        "--cache", action="store_true", help="the result cache on, as `serve` has it (default: off)"
    )
    parser.add_argument(
        "--combinations",
        action="store_true",
        help="each parameter combination a person gives (none, a year, a code, the council, the council "
        "with each, all), not only the defaults and the council",
    )
    parser.add_argument("names", nargs="*", help="the queries to run (default: all)")
    args = parser.parse_args()

    from outcome_graph.serve.app import create_app
    from outcome_graph.store import open_store

    store = open_store(args.store, args.endpoint, build_if_missing=False, progress=None, timeout=args.timeout)
    config = {"timeout": args.timeout, "max_rows": 100000, "cache": args.cache}
    app = create_app(store=store, config=config)
    pairs = combinations(args.names) if args.combinations else requests(args.names)
    run(app.test_client(), pairs, args.repeat)
    if not args.no_downloads:
        downloads(app.test_client(), args.names)
    close = getattr(store, "close", None)
    if close:
        close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
