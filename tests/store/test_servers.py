"""The production SPARQL servers as remote stores: the real Oxigraph server and Debian's Virtuoso 7.

On both: the graph lives in its own named graph and every query sees only it; every saved query gives
the embedded store's rows; trace, gaps, audit and validate print the same bytes; every route of the
server over the endpoint answers as it does over the embedded store; a result the server cut is
reported as cut, never passed on as complete.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from collections import Counter

import pytest
from conftest import validated

from outcome_graph.build import sources_fingerprint
from outcome_graph.cli import main as cli_main
from outcome_graph.saved_queries import load_queries, run_query
from outcome_graph.serve.app import create_app
from outcome_graph.store import StoreError
from outcome_graph.store.build import ensure_built
from outcome_graph.store.remote import DEFAULT_GRAPH, RemoteStore

pytestmark = pytest.mark.server

OG = "https://w3id.org/outcome-graph/def#"
# A cross product of every observation with every indicator: larger than Virtuoso's ResultSetMaxRows here.
CROSS = f"SELECT ?o ?i WHERE {{ ?o a <{OG}Observation> . ?i a <{OG}Indicator> }}"
CROSS_CONSTRUCT = (
    f"CONSTRUCT {{ ?o <urn:x:with> ?i }} WHERE {{ ?o a <{OG}Observation> . ?i a <{OG}Indicator> }}"
)


@pytest.fixture(scope="session", params=["oxigraph", "virtuoso"])
def server(request) -> tuple[str, str]:
    """(kind, query endpoint) of a server loaded with the graph in DEFAULT_GRAPH."""
    if request.param == "oxigraph":
        return "oxigraph", request.getfixturevalue("oxigraph_server")
    return "virtuoso", request.getfixturevalue("virtuoso_server").endpoint


@pytest.fixture(scope="session")
def store(server) -> RemoteStore:
    return RemoteStore(server[1], timeout=30)


@pytest.fixture(scope="session")
def embedded_dir(tmp_path_factory, graph_ntriples):
    directory = tmp_path_factory.mktemp("embedded-for-servers")
    ensure_built(
        directory, fingerprint=sources_fingerprint(), source=lambda progress: graph_ntriples, progress=None
    )
    return directory


def raw_count(endpoint: str, **dataset: str) -> int:
    """COUNT(*) sent as a plain client would send it, with or without dataset parameters."""
    form = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **dataset}
    request = urllib.request.Request(
        endpoint,
        data=urllib.parse.urlencode(form).encode(),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return int(json.load(response)["results"]["bindings"][0]["n"]["value"])


# ---- scope --------------------------------------------------------------------------------------------


def test_queries_see_the_named_graph_and_nothing_else(server, store, graph_ntriples):
    kind, endpoint = server
    triples = graph_ntriples.count(b"\n")
    assert store.graph == DEFAULT_GRAPH
    assert store.triple_count() == triples
    assert raw_count(endpoint, **{"default-graph-uri": DEFAULT_GRAPH}) == triples
    if kind == "virtuoso":
        # unscoped, Virtuoso's default graph is every graph it holds, its own system graphs included
        assert raw_count(endpoint) > triples
    # GRAPH ?g ranges over no graph at all, as in the embedded store (whose graph is its default graph)
    assert store.select("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 5").rows == []
    assert store.graph_names() == set()


def test_another_graph_iri_is_another_graph(server, store):
    empty = RemoteStore(server[1], graph="https://w3id.org/outcome-graph/graph/not-loaded", timeout=30)
    assert empty.triple_count() == 0
    assert empty.ask("ASK { ?s ?p ?o }") is False
    assert store.ask("ASK { ?s ?p ?o }") is True


# ---- saved queries --------------------------------------------------------------------------------

# Inputs for the parameters, by type: each parameter runs with its default, empty (when optional) and these.
SAMPLES = {
    "year": ["2016-2017", "2020-2021"],
    "code": ["CHN8a", "CSPC.P.1.2a", "BS.CS.04"],
    "iri": [
        "https://w3id.org/outcome-graph/id/framework/the-promise/foundation/voice",
        "http://www.legislation.gov.uk/id/asp/2014/8",
        "https://w3id.org/outcome-graph/id/midlothian/report/2020-2021/action/CSPC.P.11.6",
        "https://w3id.org/outcome-graph/id/midlothian",  # a council (indicator-history's council)
    ],
    "string": ["Covid", "target"],
}


def variants(query) -> list[dict[str, str]]:
    # a required parameter is in every variant (evidence-by-code's code beside its council)
    base = {p.name: SAMPLES[p.type][0] for p in query.parameters if p.required}
    out: list[dict[str, str]] = [{}] if not base else []
    for p in query.parameters:
        out += [{**base, p.name: v} for v in SAMPLES[p.type]]
    return out


def order_keys(query) -> list[str]:
    found = re.search(r"ORDER BY\s+(.*)$", query.text, re.S)
    return re.findall(r"\?(\w+)", found.group(1)) if found else []


def rows(result) -> list[tuple]:
    return [tuple(sorted((k, v.n3()) for k, v in row.items())) for row in result.rows]


def test_every_saved_query_gives_the_embedded_rows(server, store, built_store):
    for query in load_queries().values():
        total = 0
        for values in variants(query):
            expected = run_query(built_store, query, values, timeout=30)
            got = run_query(store, query, values, timeout=30)
            assert got.vars == expected.vars, query.name
            assert Counter(rows(got)) == Counter(rows(expected)), f"{query.name} {values}"
            keys = order_keys(query)
            assert [[r.get(k) for k in keys] for r in got.rows] == [
                [r.get(k) for k in keys] for r in expected.rows
            ], f"{query.name} {values}: rows in another order"
            total += len(expected.rows)
        assert total > 0, f"{query.name}: no sample input gives a row, so the comparison shows nothing"


def test_every_page_list_gives_the_embedded_values(server, store, built_store):
    """The small queries a paged question is read by (queries/pages/: the years, reports or councils it
    offers and streams part by part) list the same values on the server as on the embedded store."""
    from outcome_graph.saved_pages import COUNCILS, page_values

    seen = 0
    for query in load_queries().values():
        for values in ([None] if query.page else []) + ([COUNCILS] if query.scope or query.page else []):
            for given in variants(query):
                bound = query.bindings(given)
                expected = page_values(built_store, query, bound, values, timeout=30)
                assert page_values(store, query, bound, values, timeout=30) == expected, (query.name, given)
                seen += len(expected)
    assert seen > 0


# The questions whose text holds the parameters inside a UNION branch or an OPTIONAL (#@values), asked as
# a person's page asks them: every parameter bound at once, the council's report too.
PAGED_TOGETHER = {
    "implementing-records": [
        {"council": "ogr:midlothian", "report": "2020-2021"},
        {"council": "ogr:midlothian", "report": "2016-2017", "provision": SAMPLES["iri"][0]},
        {"council": "ogr:midlothian"},
    ],
    "evidence-by-code": [
        {"code": "CHN9", "council": "ogr:midlothian"},
        {"code": "CSPC.P.1.2a", "council": "ogr:midlothian"},
    ],
}


@pytest.mark.parametrize("name", sorted(PAGED_TOGETHER))
def test_a_page_s_parameters_bound_together_give_the_embedded_rows(server, store, built_store, name):
    query = load_queries()[name]
    total = 0
    for values in PAGED_TOGETHER[name]:
        expected = run_query(built_store, query, values, timeout=30)
        got = run_query(store, query, values, timeout=30)
        assert Counter(rows(got)) == Counter(rows(expected)), f"{name} {values}"
        total += len(expected.rows)
    assert total > 0, f"{name}: no row, so the comparison shows nothing"


# ---- trace, gaps, audit, validate -----------------------------------------------------------------


def command_output(capsys, args: list[str]) -> str:
    assert cli_main(args) == 0, capsys.readouterr().err
    return capsys.readouterr().out


COMMANDS = [
    ["trace", "CSPC.P.1.2a"],
    ["trace", "CS.S.01.02a", "--up"],
    ["gaps"],
    ["gaps", "--format", "json"],
    ["audit", "--report", "2020/21", "--format", "json"],
    ["audit", "--report", "2016/17", "--compare", "2020/21", "--no-validate"],
]


def normalised_validation(text: str) -> dict:
    doc = json.loads(text)
    # the run's time and the source's name differ by nature; a shape without an IRI is a blank node of
    # the shapes graph, whose label pySHACL's parse draws at random on every run, whatever the store
    for key in ("seconds", "source"):
        doc.pop(key, None)
    for result in doc["results"]:
        if re.fullmatch(r"n[0-9a-f]{32,}b\d+", result.get("shape") or ""):
            result["shape"] = "_:shape"
    return doc


VERSION = re.compile(r"<dd>(sources fingerprint [0-9a-f]+|remote:[^<]*triples|[^<]*\d\d:\d\d UTC)</dd>")
_EMBEDDED_OUTPUT: dict[tuple[str, ...], str] = {}  # each command run once over the embedded store


def test_trace_gaps_audit_and_validate_print_what_the_embedded_store_gives(server, embedded_dir, capsys):
    for args in COMMANDS:
        key = tuple(args)
        if key not in _EMBEDDED_OUTPUT:
            _EMBEDDED_OUTPUT[key] = command_output(capsys, [*args, "--store", str(embedded_dir)])
        embedded = _EMBEDDED_OUTPUT[key]
        remote = command_output(capsys, [*args, "--endpoint", server[1]])
        # the audit page names where its data came from: the sources' fingerprint, or the server
        assert VERSION.sub("", remote) == VERSION.sub("", embedded), " ".join(args)
        assert len(embedded) > 200
    if ("validate",) not in _EMBEDDED_OUTPUT:
        _EMBEDDED_OUTPUT[("validate",)] = command_output(capsys, ["validate", "--format", "json"])
    embedded = normalised_validation(_EMBEDDED_OUTPUT[("validate",)])
    remote = normalised_validation(
        command_output(capsys, ["validate", "--format", "json", "--endpoint", server[1]])
    )
    assert remote == embedded
    assert embedded["warnings"] > 0


# ---- serve --endpoint -----------------------------------------------------------------------------

ID = "https://w3id.org/outcome-graph/id/"
RISK = "midlothian/report/2020-2021/risk/C.RR.01-23"
SELECT_ORDERED = f"SELECT ?i ?code WHERE {{ ?i a <{OG}Indicator> ; <{OG}code> ?code }} ORDER BY ?code ?i"
ROUTES = [
    ("/sparql", {"query": SELECT_ORDERED}, "application/sparql-results+json"),
    ("/sparql", {"query": SELECT_ORDERED}, "text/csv"),
    ("/sparql", {"query": SELECT_ORDERED}, "text/tab-separated-values"),
    ("/sparql", {"query": SELECT_ORDERED}, "application/sparql-results+xml"),
    ("/sparql", {"query": f"ASK {{ ?s <{OG}code> 'CSPC.P.1.2a' }}"}, "application/sparql-results+json"),
    ("/sparql", {"query": f"CONSTRUCT WHERE {{ <{ID}{RISK}> ?p ?o }}"}, "application/n-triples"),
    ("/sparql", {"query": f"CONSTRUCT WHERE {{ <{ID}{RISK}> ?p ?o }}"}, "text/turtle"),
    ("/sparql", {"query": f"CONSTRUCT WHERE {{ <{ID}{RISK}> ?p ?o }}"}, "application/ld+json"),
    ("/sparql", {"query": f"CONSTRUCT WHERE {{ <{ID}{RISK}> ?p ?o }}"}, "application/rdf+xml"),
    ("/sparql", {"query": f"DESCRIBE <{ID}{RISK}>"}, "text/turtle"),
    (f"/id/{RISK}", {}, "text/turtle"),
    (f"/id/{RISK}", {}, "application/ld+json"),
    (f"/id/{RISK}", {}, "application/rdf+xml"),
    (f"/id/{RISK}", {}, "application/n-triples"),
    (f"/id/{RISK}", {}, "text/html"),
    ("/trace/CSPC.P.1.2a", {"format": "json"}, "application/json"),
    ("/trace/CSPC.P.1.2a", {}, "text/html"),
    ("/search", {"q": "poverty"}, "text/html"),
    ("/gaps", {"format": "json"}, "application/json"),
    ("/gaps", {}, "text/html"),
    ("/audit", {"report": "2020-2021", "format": "json"}, "application/json"),
    ("/audit", {"report": "2020-2021"}, "text/html"),
    ("/validation", {"format": "json"}, "application/json"),
    ("/validation", {}, "text/html"),
    ("/queries/reported-totals", {}, "application/sparql-results+json"),
    ("/queries/implementing-records", {}, "text/csv"),
    ("/queries/indicator-history", {"code": "CHN9"}, "application/sparql-results+json"),  # with *_label
    ("/queries/off-target-indicators", {"report": "2021-2022"}, "application/json"),  # 400: what there is
    ("/id/", {"format": "json"}, "application/json"),
    ("/id/", {}, "text/turtle"),
    ("/def", {"format": "json"}, "application/json"),
    ("/def", {"format": "ttl"}, "text/turtle"),
]
# bodies that must be the same bytes as over the embedded store (an RDF graph is compared as a graph)
SAME_BYTES = ("application/sparql-results+json", "text/csv", "text/tab-separated-values", "application/json")


@pytest.fixture(scope="session")
def endpoint_client(store):
    return create_app(store=store, config={"timeout": 30, "max_rows": 10000}).test_client()


@pytest.fixture(scope="session")
def embedded_client(built_store):
    return create_app(store=built_store, config={"timeout": 30, "max_rows": 10000}).test_client()


def as_graph(body: bytes, media_type: str):
    import rdflib

    fmt = {"application/n-triples": "nt", "text/turtle": "turtle", "application/ld+json": "json-ld"}
    return rdflib.Graph().parse(data=body, format=fmt.get(media_type, "xml"))


@pytest.mark.parametrize("path, params, accept", ROUTES)
def test_every_route_answers_over_the_endpoint_as_over_the_embedded_store(
    endpoint_client, embedded_client, path, params, accept
):
    from rdflib.compare import isomorphic

    got = endpoint_client.get(path, query_string=params, headers={"Accept": accept})
    expected = embedded_client.get(path, query_string=params, headers={"Accept": accept})
    want = 400 if params.get("report") == "2021-2022" else 200
    assert got.status_code == expected.status_code == want, got.get_data(as_text=True)[:500]
    assert got.mimetype == expected.mimetype
    assert got.mimetype == accept.split(";")[0] or (accept == "application/json" and got.is_json)
    body = got.get_data()
    if "query" in params and "DESCRIBE" in params["query"]:
        assert len(as_graph(body, accept)) > 0  # what a server's DESCRIBE includes is its own choice
    elif accept in ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"):
        assert isomorphic(as_graph(body, accept), as_graph(expected.get_data(), accept))
        assert len(as_graph(body, accept)) > 5
    elif path == "/validation" and params.get("format") == "json":
        # a council's page answers at once and validates its reports in the background, on each store
        # at its own pace: the two are compared once complete, as a person reloading sees them
        url = f"{path}?{urllib.parse.urlencode(params)}"
        assert normalised_validation_view(validated(endpoint_client, url)) == normalised_validation_view(
            validated(embedded_client, url)
        )
    elif accept in SAME_BYTES:
        assert body == expected.get_data()
    if accept == "application/sparql-results+json" and path == "/sparql" and "ASK" not in params["query"]:
        terms = [t for row in json.loads(body)["results"]["bindings"] for t in row.values()]
        assert terms and {t["type"] for t in terms} <= {"uri", "literal", "bnode"}


def normalised_validation_view(doc: dict) -> dict:
    for result in doc["results"]:
        if re.fullmatch(r"n[0-9a-f]{32,}b\d+", result.get("shape") or ""):
            result["shape"] = "_:shape"
    return doc


def test_virtuoso_s_typed_literal_is_standard_json(virtuoso_server, graph_ntriples):
    client = create_app(store=RemoteStore(virtuoso_server.endpoint), config={"timeout": 30}).test_client()
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    # what Virtuoso itself sends
    raw = urllib.request.urlopen(
        urllib.request.Request(
            virtuoso_server.endpoint,
            data=urllib.parse.urlencode({"query": query, "default-graph-uri": DEFAULT_GRAPH}).encode(),
            headers={"Accept": "application/sparql-results+json"},
        ),
        timeout=30,
    ).read()
    assert json.loads(raw)["results"]["bindings"][0]["n"]["type"] == "typed-literal"
    answer = client.get(
        "/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert answer.get_json()["results"]["bindings"] == [
        {
            "n": {
                "type": "literal",
                "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                "value": str(graph_ntriples.count(b"\n")),
            }
        }
    ]


# ---- truncation ---------------------------------------------------------------------------------------


def test_virtuoso_s_row_limit_is_an_error_or_a_marked_cut_never_complete(virtuoso_server):
    from virtuoso import RESULT_SET_MAX_ROWS

    store = RemoteStore(virtuoso_server.endpoint, timeout=30)
    with pytest.raises(StoreError, match=f"cut its answer at {RESULT_SET_MAX_ROWS} rows.*ResultSetMaxRows"):
        store.select(CROSS)
    with pytest.raises(StoreError, match="ResultSetMaxRows"):
        store.construct(CROSS_CONSTRUCT)
    cut = store.select(CROSS, max_rows=RESULT_SET_MAX_ROWS * 2)
    assert cut.truncated and len(cut.rows) == RESULT_SET_MAX_ROWS
    client = create_app(
        store=store, config={"timeout": 30, "max_rows": RESULT_SET_MAX_ROWS * 2}
    ).test_client()
    for query, accept in (
        (CROSS, "application/sparql-results+json"),
        (CROSS_CONSTRUCT, "application/n-triples"),
    ):
        answer = client.post("/sparql", data={"query": query}, headers={"Accept": accept})
        assert answer.status_code == 200
        assert answer.headers["X-Outcome-Graph-Truncated"] == "true"
        if accept.endswith("json"):
            head = answer.get_json()["head"]
            assert head["truncated"] is True and head["maxRows"] == RESULT_SET_MAX_ROWS


def test_a_row_count_equal_to_the_server_s_known_limit_is_a_cut(server):
    # Oxigraph has no row limit of its own; an operator who puts a limiting proxy in front says so
    store = RemoteStore(server[1], timeout=30, server_max_rows=500)
    with pytest.raises(StoreError, match="cut its answer at 500 rows"):
        store.select(f"SELECT ?o WHERE {{ ?o a <{OG}Observation> }} LIMIT 500")
    assert len(store.select(f"SELECT ?o WHERE {{ ?o a <{OG}Observation> }} LIMIT 499").rows) == 499
    assert store.select(f"SELECT ?o WHERE {{ ?o a <{OG}Observation> }} LIMIT 500", max_rows=1000).truncated


def test_virtuoso_s_partial_answer_at_its_time_limit_is_an_error(virtuoso_server):
    # Stopped at its MaxQueryExecutionTime or at the time this client gives it, Virtuoso answers either
    # 200 with part of the result (X-SQL-State: S1TAT) or a 500; or its planner refuses the query up front
    # (estimated time over MaxQueryCostEstimationTime): all are errors that name the time limit.
    store = RemoteStore(virtuoso_server.endpoint, timeout=20)
    with pytest.raises(StoreError, match="time limit") as caught:
        store.select("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    assert caught.value.status == 504


# ---- load ---------------------------------------------------------------------------------------------


def loaded_count(graph_ntriples: bytes) -> int:
    """What `load` sends for the bundled reports: their triples, and the catalogue of their named graphs
    (store/layout.py: one graph per report, the reference data, the council's, the national one) with
    the line naming their union (store/union.py) and the one naming the dataset's generation
    (query_layer/remote_kept.py)."""
    from outcome_graph.store.layout import catalogue

    parts = [
        "reference",
        "national",
        "midlothian",
        "midlothian/report/2016-2017",
        "midlothian/report/2020-2021",
    ]
    return graph_ntriples.count(b"\n") + len(catalogue("urn:x", parts)) + 2


def test_load_on_the_oxigraph_server_from_the_endpoint_alone(oxigraph_server, graph_ntriples, capsys):
    triples = loaded_count(graph_ntriples)
    graph = "https://w3id.org/outcome-graph/graph/load-test"
    base = oxigraph_server.rsplit("/", 1)[0]
    for _ in range(2):  # PUT replaces: the second load does not add the graph twice
        assert cli_main(["load", "--endpoint", oxigraph_server, "--graph", graph]) == 0
        out = capsys.readouterr().out
        assert f"pushing {triples} triples to {base}/store graph <{graph}> (PUT)" in out
        assert f"the endpoint now answers with {triples} triples" in out
    assert RemoteStore(oxigraph_server, graph=graph).triple_count() == triples


def test_load_on_virtuoso_with_a_login_from_each_source(
    virtuoso_server, graph_ntriples, capsys, monkeypatch, tmp_path
):
    from virtuoso import LOADER

    triples = loaded_count(graph_ntriples)
    endpoint = virtuoso_server.endpoint
    graph = "https://w3id.org/outcome-graph/graph/load-test"
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {LOADER.user} password {LOADER.password}\n")
    netrc.chmod(0o600)
    for name in ("OUTCOME_GRAPH_USER", "OUTCOME_GRAPH_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))

    # no login: the message says what to add, and nothing is loaded
    assert cli_main(["load", "--endpoint", endpoint, "--graph", graph]) == 1
    err = capsys.readouterr().err
    assert "sparql-graph-crud-auth" in err and "needs a login" in err and "--user" in err
    assert RemoteStore(endpoint, graph=graph).triple_count() == 0

    outputs = []
    with monkeypatch.context() as m:  # --user, the password from the environment
        m.setenv("OUTCOME_GRAPH_PASSWORD", LOADER.password)
        assert cli_main(["load", "--endpoint", endpoint, "--graph", graph, "--user", LOADER.user]) == 0
        outputs.append(capsys.readouterr())
    with monkeypatch.context() as m:  # user and password from the environment
        m.setenv("OUTCOME_GRAPH_USER", LOADER.user)
        m.setenv("OUTCOME_GRAPH_PASSWORD", LOADER.password)
        assert cli_main(["load", "--endpoint", endpoint, "--graph", graph]) == 0
        outputs.append(capsys.readouterr())
    with monkeypatch.context() as m:  # ~/.netrc
        m.setenv("NETRC", str(netrc))
        assert cli_main(["load", "--endpoint", endpoint, "--graph", graph]) == 0
        outputs.append(capsys.readouterr())
    for source, captured in zip(("options", "environment", "~/.netrc"), outputs[:3], strict=True):
        assert f"graph <{graph}> (PUT, login from {source})" in captured.out
        assert f"the endpoint now answers with {triples} triples" in captured.out
    with monkeypatch.context() as m:  # a wrong password is refused by name, and not shown
        m.setenv("OUTCOME_GRAPH_PASSWORD", "wrong-" + LOADER.password)
        assert cli_main(["load", "--endpoint", endpoint, "--graph", graph, "--user", LOADER.user]) == 1
        outputs.append(capsys.readouterr())
        assert "refused the login from options (HTTP 401)" in outputs[-1].err
    for captured in outputs:
        assert LOADER.password not in captured.out + captured.err
    assert RemoteStore(endpoint, graph=graph).triple_count() == triples
    assert RemoteStore(endpoint).triple_count() == graph_ntriples.count(b"\n"), "the main graph is untouched"


def test_a_large_graph_goes_up_in_chunks_with_one_login(virtuoso_server, graph_ntriples):
    from virtuoso import LOADER

    from outcome_graph.store.gsp import chunks, put_graph

    graph = "https://w3id.org/outcome-graph/graph/chunked"
    requests = put_graph(
        virtuoso_server.graph_store, graph_ntriples, graph=graph, credentials=LOADER, chunk_bytes=200_000
    )
    assert requests == len(chunks(graph_ntriples, 200_000)) > 1
    assert RemoteStore(virtuoso_server.endpoint, graph=graph).triple_count() == graph_ntriples.count(b"\n")


def test_a_body_made_piece_by_piece_goes_up_whole(virtuoso_server, graph_ntriples):
    """The national load's union is sent as line_chunks makes it (never held whole): every triple lands."""
    from virtuoso import LOADER

    from outcome_graph.store.gsp import line_chunks, put_graph

    graph = "https://w3id.org/outcome-graph/graph/pieces"
    lines = sorted(graph_ntriples.splitlines())
    groups = [lines[: len(lines) // 3], [], lines[len(lines) // 3 :]]
    requests = put_graph(
        virtuoso_server.graph_store, line_chunks(groups, 200_000), graph=graph, credentials=LOADER
    )
    assert requests == len(list(line_chunks(groups, 200_000))) > 1
    assert RemoteStore(virtuoso_server.endpoint, graph=graph).triple_count() == len(lines)


# ---- the trace's step queries: shapes chosen for the engines' planners, rows of their plain form -------

LINK_PROPERTIES = "partOf implements relatesTo priority action indicator feeds evidence mentions".split()
# What node-qualifications and node-links-in ask, written the plain way. The files are shaped for
# Virtuoso's planner (a sub-select of the links; one UNION branch per property), which read the plain
# forms through the whole graph: past 10 s and 2-4 s at 2.1 M triples (BENCHMARKS.md). Same rows.
PLAIN = {
    "node-qualifications": "SELECT ?s ?p ?o WHERE { ?s <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject>"
    " ?record . ?s ?p ?o . }",
    "node-links-in": f"PREFIX og: <{OG}> PREFIX ogr: <https://w3id.org/outcome-graph/id/> SELECT ?s ?p ?o"
    f" WHERE {{ ?s ?p ?o . FILTER (?p IN ({', '.join(f'og:{p}' for p in LINK_PROPERTIES)}))"
    ' BIND (STRAFTER(STR(?s), STR(ogr:)) AS ?rest) FILTER (?rest = ""'
    ' || !CONTAINS(?rest, "/") || CONTAINS(?ours, CONCAT("|", STRBEFORE(?rest, "/"), "|"))) }',
    # a record page's names and link details: one UNION branch per property in the files (the IN filter
    # took Virtuoso 1.1 s and 0.6 s a page at 10 M triples)
    "labels": f"PREFIX og: <{OG}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"
    " PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?n ?lp ?v WHERE { ?n ?lp ?v ."
    " FILTER (?lp IN (og:title, skos:prefLabel, rdfs:label, og:code, og:period, og:firstLine,"
    " og:lastLine)) }",
    "link-details": f"PREFIX og: <{OG}> SELECT ?n ?lp ?v WHERE {{ ?n ?lp ?v ."
    " FILTER (?lp IN (og:basis, og:rationale, og:evidence)) }",
}


@pytest.mark.parametrize(
    "name, column",
    [("node-qualifications", "record"), ("node-links-in", "o"), ("labels", "n"), ("link-details", "n")],
)
def test_a_trace_step_gives_the_rows_of_its_plain_form(server, store, built_store, name, column):
    from rdflib import Literal, URIRef

    from outcome_graph.query_layer.reads import query_text, read_select

    # every node a link is made by or points to: the trace's steps and a record page's names bind these;
    # the links themselves for their details
    sample = (
        "SELECT DISTINCT ?n WHERE { ?n <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> ?x } ORDER BY ?n"
        if name == "link-details"
        else "SELECT DISTINCT ?n WHERE { { ?l <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> ?n } UNION"
        " { ?l <http://www.w3.org/1999/02/22-rdf-syntax-ns#object> ?n } FILTER (isIRI(?n)) } ORDER BY ?n"
    )
    found = built_store.select(sample).rows
    nodes = [URIRef(str(r["n"])) for r in found][:400]
    columns = {column: nodes}
    if name == "node-links-in":
        columns["ours"] = [Literal("|midlothian|lgbf|framework|")]
    plain = Counter(rows(read_select(built_store, PLAIN[name], "plain", columns)))
    assert len(plain) > 100, "the sample nodes have links, so the comparison shows something"
    for where in (built_store, store):
        assert Counter(rows(read_select(where, query_text(name), name, columns))) == plain, where
