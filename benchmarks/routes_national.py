"""Every route of the app, in every representation, on a national store: status, first answer, p95 of the
answers after it, and bytes. The route list is the app's own (app.url_map), and every saved query is the
app's own list: a route or a saved-query parameter without an entry in the tables below is said loudly
(and the exit status is 2), so that a new page is never left unmeasured.

    nice python benchmarks/routes_national.py --store DIR [--repeat 5] [--only TEXT]
    nice python benchmarks/routes_national.py --endpoint URL ...   # `serve --endpoint URL`'s app
    nice python benchmarks/routes_national.py --endpoint URL --server http://127.0.0.1:PORT ...

--store/--endpoint: the app runs in this process (Flask test client: the view's cost without the network),
result cache off unless --cache. --server: the requests go over HTTP to a running `outcome-graph serve`
(its own cache and admission; the app made here only lists the routes). The parameters are read from the
graph first (values below): a council other than Midlothian, its earliest, middle and latest report, a
record of every kind in its latest report, an LGBF code it reports, so that the same table runs on any
national store (tests/serve/test_routes.py runs every case on a small one in CI).

Targets (issue 17): first answer within 5 s, p95 after it within 1 s; a timeout is 503/504 with
Retry-After, never 400, 404 or 500.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

OG = "https://w3id.org/outcome-graph/def#"
OGR = "https://w3id.org/outcome-graph/id/"
PART9 = "http://www.legislation.gov.uk/id/asp/2014/8/part/9"
ACT = "http://www.legislation.gov.uk/id/asp/2014/8"
JSONLD, TURTLE, NT, RDFXML = (
    "application/ld+json",
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
)
COUNT_BY_REPORT = (
    f"PREFIX og: <{OG}> SELECT ?report (COUNT(?r) AS ?n) WHERE {{ ?r og:report ?report }} "
    "GROUP BY ?report ORDER BY ?report"
)


def q(text: str) -> str:
    return quote(text, safe="")


# rule -> cases: (what it is, URL template, Accept header or None). Templates name the values read from
# the graph (see discover). Every representation a route offers is a case of its own.
ROUTES: dict[str, list[tuple[str, str, str | None]]] = {
    "/": [
        ("home: the query editor", "/", None),
        ("an example run", "/?example=reports-and-councils", None),
        ("a typed query run", "/?query=" + q(COUNT_BY_REPORT), None),
    ],
    "/audit": [
        ("latest report, no validation", "/audit?council={council}&report={late}&validate=0", None),
        ("earliest report, validated", "/audit?council={council}&report={early}&validate=1", None),
        (
            "compared with the earliest",
            "/audit?council={council}&report={late}&compare={early}&validate=0",
            None,
        ),
        ("another council, its latest (default)", "/audit?council={council2}&validate=0", None),
        ("no council: the councils to choose", "/audit", None),
        ("JSON", "/audit?council={council}&report={mid}&validate=0&format=json", None),
    ],
    "/audit.csv": [
        ("actions table", "/audit.csv?council={council}&report={late}&table=actions&validate=0", None),
        ("warnings table, validated", "/audit.csv?council={council}&report={early}&table=warnings", None),
    ],
    "/compare": [
        ("the form", "/compare", None),
        ("an LGBF code, latest year, chart", "/compare?code={lgbf}&council={council}", None),
        ("an LGBF code, early year, JSON", "/compare?code={lgbf}&year={early}&format=json", None),
        ("a local code", "/compare?code={indicator_code}&council={council}", None),
    ],
    "/def": [
        ("HTML", "/def", None),
        ("JSON", "/def?format=json", None),
        ("Turtle (the ontology)", "/def?format=ttl", None),
        ("CSV", "/def?format=csv", None),
    ],
    "/download.<fmt>": [
        ("CSV of a query", "/download.csv?query=" + q(COUNT_BY_REPORT), None),
        ("JSON of a query", "/download.json?query=" + q(COUNT_BY_REPORT), None),
    ],
    "/gaps": [
        ("earliest report", "/gaps?council={council}&report={early}", None),
        ("latest report, JSON", "/gaps?council={council}&report={late}&format=json", None),
        ("every report of the council", "/gaps?council={council}", None),
        ("another council", "/gaps?council={council2}&report={mid}", None),
        ("no council: the councils to choose", "/gaps", None),
    ],
    "/id": [("what the graph holds", "/id", None)],
    "/id/": [
        ("HTML", "/id/", None),
        ("JSON", "/id/?format=json", None),
        ("Turtle", "/id/?format=ttl", None),
        ("CSV", "/id/?format=csv", None),
    ],
    "/id/<path:rest>": [
        ("the council", "/id/{council}", None),
        ("a report", "/id/{council}/report/{late}", None),
        ("an early report", "/id/{council}/report/{early}", None),
        ("a service", "/id/{service_path}", None),
        ("a priority", "/id/{priority_path}", None),
        ("an action", "/id/{action_path}", None),
        ("an action of the earliest report", "/id/{early_action_path}", None),
        ("an indicator (across years)", "/id/{indicator_path}", None),
        ("an observation", "/id/{observation_path}", None),
        ("a risk", "/id/{risk_path}", None),
        ("an excerpt", "/id/{excerpt_path}", None),
        ("a claim", "/id/{claim_path}", None),
        ("an action, Turtle (?format)", "/id/{action_path}?format=ttl", None),
        ("an indicator, JSON-LD (Accept)", "/id/{indicator_path}", JSONLD),
        ("the council, N-Triples (Accept)", "/id/{council}", NT),
        ("a report, RDF/XML (Accept)", "/id/{council}/report/{late}", RDFXML),
    ],
    "/openapi.json": [("the saved queries' OpenAPI", "/openapi.json", None)],
    "/queries": [("HTML", "/queries?format=html", None), ("JSON", "/queries", None)],
    "/queries/<name>": [],  # every saved query of the app: see saved_cases
    "/resource": [
        ("a provision (Part 9)", "/resource?iri=" + q(PART9), None),
        ("a statute, Turtle", "/resource?iri=" + q(ACT) + "&format=ttl", None),
        (
            "a government year",
            "/resource?iri=" + q("http://reference.data.gov.uk/id/government-year/") + "{late}",
            None,
        ),
        ("a vocabulary term", "/resource?iri=" + q(OG + "Action"), None),
    ],
    "/search": [
        ("words, the nation", "/search?q=corporate+parenting", None),
        (
            "words in one council and report",
            "/search?q=corporate+parenting&council={council}&report={early}",
            None,
        ),
        ("a code, JSON", "/search?q={action_code}&council={council}&format=json", None),
    ],
    "/sparql": [
        ("service description", "/sparql", None),
        ("COUNT by report, JSON", "/sparql?query=" + q(COUNT_BY_REPORT), None),
        ("COUNT by report, CSV", "/sparql?query=" + q(COUNT_BY_REPORT) + "&format=csv", None),
        (
            "a report's records, Turtle",
            "/sparql?query="
            + q(f"PREFIX og: <{OG}> CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s og:report <")
            + "{report_iri_q}"
            + q("> ; ?p ?o }"),
            TURTLE,
        ),
    ],
    "/static/<path:filename>": [("style sheet", "/static/style.css", None)],
    "/static/outcome-graph/<path:filename>": [("script", "/static/outcome-graph/app.js", None)],
    "/trace": [
        ("start page", "/trace", None),
        ("words: to /search", "/trace?q=corporate+parenting", None),
        ("an action, down", "/trace?node={action_q}&council={council}", None),
        ("Part 9 of the 2014 Act, down", "/trace?node=" + q(PART9) + "&council={council}", None),
        (
            "Part 9 in the earliest report",
            "/trace?node=" + q(PART9) + "&council={council}&report={early}",
            None,
        ),
        ("an indicator, up", "/trace?node={indicator_q}&council={council}&direction=up", None),
        (
            "an indicator, across years, JSON",
            "/trace?node={indicator_q}&council={council}&direction=across&format=json",
            None,
        ),
        ("a priority, SVG", "/trace?node={priority_q}&council={council}&format=svg", None),
        ("a risk, up, GraphML", "/trace?node={risk_q}&council={council}&direction=up&format=graphml", None),
    ],
    "/trace/<path:ref>": [
        ("an action code in the latest report", "/trace/{action_code}?council={council}&report={late}", None),
        (
            "an LGBF code across years, JSON",
            "/trace/{lgbf}?council={council}&direction=across&format=json",
            None,
        ),
        (
            "an early action code, up",
            "/trace/{early_action_code}?council={council}&report={early}&direction=up",
            None,
        ),
    ],
    "/validation": [
        ("one report, HTML", "/validation?council={council}&report={late}", None),
        ("one report, JSON", "/validation?council={council}&report={early}&format=json", None),
        ("one report, CSV", "/validation?council={council}&report={late}&format=csv", None),
        ("one report, Turtle", "/validation?council={council}&report={late}&format=ttl", None),
        ("the council, JSON", "/validation?council={council}&format=json", None),
    ],
}
# A saved query's parameter -> the value asked with (templates as above). A parameter not here: loud.
PARAMETERS = {
    "council": "ogr:{council}",
    "report": "{prev}",
    "laterReport": "{late}",
    "code": "{lgbf}",
    "year": "{late}",
    "record": "{action}",
    "provision": PART9,
    "statute": ACT,
    "target": "https://thepromise.scot/",
    "text": "Covid",
}


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def discover(get_json: Callable[[str], dict]) -> dict[str, str]:
    """The values the cases are asked with, read from the graph through the app's own /sparql: a council
    other than Midlothian (the first by name; the second is the last), its reports' years, and one record
    of each kind (the least IRI, so that every run asks the same) in its latest and earliest reports."""

    def rows(text: str) -> list[dict[str, str]]:
        doc = get_json("/sparql?query=" + q(f"PREFIX og: <{OG}> " + text))
        return [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]

    reports = sorted(r["r"] for r in rows("SELECT ?r WHERE { ?r a og:Report }"))
    councils = sorted({r[len(OGR) :].split("/")[0] for r in reports if r.startswith(OGR)})
    others = [c for c in councils if c != "midlothian"] or councils
    council, council2 = others[0], others[-1]
    years = sorted(r.rsplit("/", 1)[1] for r in reports if r.startswith(f"{OGR}{council}/report/"))
    v = {"council": council, "council2": council2, "early": years[0], "late": years[-1]}
    v["mid"], v["prev"] = years[len(years) // 2], years[-2] if len(years) > 1 else years[0]
    v["report_iri"] = f"{OGR}{council}/report/{v['late']}"
    for year, prefix in ((v["late"], ""), (v["early"], "early_")):
        kinds = " ".join(
            f"og:{k}" for k in ("Service", "Priority", "Action", "Observation", "Risk", "Excerpt", "Claim")
        )
        found = rows(
            f"SELECT ?kind (MIN(STR(?x)) AS ?one) WHERE {{ VALUES ?kind {{ {kinds} }} "
            f"?x a ?kind ; og:report <{OGR}{council}/report/{year}> }} GROUP BY ?kind"
        )
        for r in found:
            v[prefix + r["kind"][len(OG) :].lower()] = r["one"]
    service = rows(f"SELECT (MIN(STR(?s)) AS ?one) WHERE {{ <{v['report_iri']}> og:service ?s }}")
    if service and service[0].get("one"):
        v["service"] = service[0]["one"]
    coded = rows(
        f"SELECT (MIN(STR(?c)) AS ?code) (MIN(STR(?i)) AS ?ind) WHERE {{ ?o og:report <{v['report_iri']}> ; "
        f"og:indicator ?i . ?i og:code ?c FILTER(CONTAINS(STR(?o), '/observation/lgbf/')) }}"
    )
    local = rows(
        f"SELECT (MIN(STR(?c)) AS ?code) (MIN(STR(?i)) AS ?ind) WHERE {{ ?o og:report <{v['report_iri']}> ; "
        f"og:indicator ?i . ?i og:code ?c FILTER(!CONTAINS(STR(?o), '/observation/lgbf/')) }}"
    )
    v["lgbf"] = coded[0].get("code", "CHN9") if coded else "CHN9"
    v["indicator_code"], v["indicator"] = local[0]["code"], local[0]["ind"]
    for prefix in ("", "early_"):
        code = rows(f"SELECT ?c WHERE {{ <{v[prefix + 'action']}> og:code ?c }}")
        v[prefix + "action_code"] = code[0]["c"]
    for name in [k for k in v if v[k].startswith(OGR)]:
        v[name + "_path"] = v[name][len(OGR) :]
        v[name + "_q"] = q(v[name])
    return v


def saved_cases(queries: dict) -> tuple[list[tuple[str, str, str | None]], list[str]]:
    """Three cases per saved query (the app's list): its defaults with what it requires, as JSON; every
    parameter given, as the HTML page; every parameter given, as CSV. And the parameters with no value."""
    cases, missing = [], []
    for name in sorted(queries):
        params = queries[name].parameters
        unknown = [p.name for p in params if p.name not in PARAMETERS]
        missing += [f"/queries/{name}: parameter {p}" for p in unknown]
        every = {p.name: PARAMETERS[p.name] for p in params if p.name in PARAMETERS}
        needed = {k: every[k] for k in every if next(p for p in params if p.name == k).required}
        needed |= {"council": every["council"]} if "council" in every else {}
        for what, given, fmt in (("defaults", needed, "json"), ("all", every, "html"), ("all", every, "csv")):
            url = f"/queries/{name}?" + urlencode({**given, "format": fmt}, safe=":{}/")
            cases.append((f"{name}: {what}, {fmt}", url, None))
    return cases, missing


def plan(app) -> tuple[list[tuple[str, str, str, str | None]], list[str]]:
    """Every case of every route of `app` (rule, what, URL template, Accept), and what has no entry."""
    from outcome_graph.serve.pages import saved_queries

    rules = sorted({r.rule for r in app.url_map.iter_rules() if "GET" in r.methods})
    missing = [
        f"{rule}: no entry in ROUTES" for rule in rules if not ROUTES.get(rule) and rule != "/queries/<name>"
    ]
    missing += [
        f"{rule}: in ROUTES but not a route of the app" for rule in sorted(ROUTES) if rule not in rules
    ]
    with app.app_context():
        saved, unknown = saved_cases(saved_queries())
    out = []
    for rule in rules:
        for what, url, accept in saved if rule == "/queries/<name>" else ROUTES.get(rule, []):
            out.append((rule, what, url, accept))
    return out, missing + unknown


def verdict(a: Answer, first: float, later: list[float]) -> str:
    if a.status >= 500 and a.status in (503, 504) and "Retry-After" in a.headers:
        return f"TIMED OUT ({a.status}, Retry-After {a.headers['Retry-After']})"
    if a.status >= 400:
        return "WRONG STATUS"
    slow = first > 5 or (later and p95(later) > 1)
    return "over target" if slow else "ok"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def test_client_get(client) -> Callable[[str, str | None], Answer]:
    def get(url: str, accept: str | None = None) -> Answer:
        r = client.get(url, headers={"Accept": accept} if accept else {})
        return Answer(r.status_code, dict(r.headers), r.get_data())

    return get


def http_get(base: str, timeout: float) -> Callable[[str, str | None], Answer]:
    def get(url: str, accept: str | None = None) -> Answer:
        req = urllib.request.Request(base.rstrip("/") + url, headers={"Accept": accept} if accept else {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:  # noqa: S310 (loopback, ours)
                return Answer(r.status, dict(r.headers), r.read())
        except urllib.error.HTTPError as e:
            return Answer(e.code, dict(e.headers), e.read())

    return get


def sparql_json(get: Callable[[str, str | None], Answer], url: str) -> dict:
    """The JSON results of a discovery question; a failed one says its status and message (asked twice:
    a loaded machine may pass the time limit once)."""
    for _ in range(2):
        a = get(url, "application/sparql-results+json")
        if a.status == 200:
            return json.loads(a.body)
    raise SystemExit(f"reading the parameters failed: {a.status} {a.body[-300:]!r} for {url}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--store", type=Path, help="an embedded store directory (read only)")
    where.add_argument("--endpoint", help="a SPARQL server's query endpoint holding the national graphs")
    parser.add_argument("--server", help="time a running `outcome-graph serve` at this base URL instead")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cache", action="store_true", help="keep the result cache on (in-process app)")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument(
        "--only", action="append", default=[], help="only the cases whose rule or URL holds this"
    )
    args = parser.parse_args()

    from outcome_graph.serve.app import create_app
    from outcome_graph.serve.warmup import warm
    from outcome_graph.store import open_store

    store = open_store(args.store, args.endpoint, build_if_missing=False, progress=None, timeout=args.timeout)
    app = create_app(store=store, config={"timeout": args.timeout, "max_rows": 10000, "cache": args.cache})
    cases, missing = plan(app)
    for m in missing:
        print(f"!!! NOT MEASURED: {m}", file=sys.stderr)
    if args.server:
        get = http_get(args.server, args.timeout + 30)
    else:
        t = time.perf_counter()
        warm(app.extensions["outcome_graph"]["store"]).join()  # as `serve` does once it answers
        print(f"warm-up (search index, labels, modules) {time.perf_counter() - t:.1f} s")
        get = test_client_get(app.test_client())
    values = discover(lambda url: sparql_json(get, url))
    print(f"store: {args.store or args.endpoint} ({store.triple_count():,} triples)")
    print("values: " + ", ".join(f"{k}={v}" for k, v in sorted(values.items()) if not k.endswith("_q")))
    print()
    print("| route | case | status | first (s) | p95 after (s) | bytes | verdict |")
    print("|---|---|---|---|---|---|---|")
    bad = 0
    for rule, what, template, accept in cases:
        url = template.format(**values)
        if args.only and not any(o in rule or o in url for o in args.only):
            continue
        t = time.perf_counter()
        a = get(url, accept)
        first = time.perf_counter() - t
        later, statuses = [], {a.status}
        for _ in range(args.repeat):
            t = time.perf_counter()
            statuses.add(get(url, accept).status)
            later.append(time.perf_counter() - t)
        v = verdict(a, first, later)
        bad += v != "ok"
        status = "/".join(str(s) for s in sorted(statuses))
        note = (
            ""
            if a.status < 400
            else " — " + a.body.decode("utf-8", "replace").strip()[-120:].replace("|", "/")
        )
        shown = p95(later) if later else 0.0
        median = statistics.median(later) if later else 0.0
        print(
            f"| `{rule}` | {what} | {status} | {first:.2f} | {shown:.3f} (median {median:.3f}) | "
            f"{len(a.body):,} | {v}{note} |"
        )
        sys.stdout.flush()
    store.close()
    print(f"\n{len(cases)} cases; {bad} not ok; {len(missing)} not measured")
    return 2 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
