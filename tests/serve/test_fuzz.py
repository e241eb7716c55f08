"""No user input makes /sparql answer with a server error: random text, grammar-shaped queries with
mutations, random headers and parameters (hypothesis; bounded runs)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outcome_graph.serve.app import create_app

BUDGET = "<https://w3id.org/outcome-graph/id/midlothian/report/2016-2017/observation/corporate/revenue-budget/2016-2017>"
REPORT = "<https://w3id.org/outcome-graph/id/midlothian/report/2016-2017>"
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def fuzz_client(built_store):
    return create_app(store=built_store, config={"max_rows": 200, "timeout": 10}).test_client()


def check(response) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code < 500, f"{response.status_code}: {body[:500]}"
    if response.status_code >= 400:
        assert body.strip(), "an error must say what is wrong"


# ---- grammar-shaped queries: every pattern hangs off a bound subject, so none can run away --------

literals = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.text(max_size=12).map(lambda t: '"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    st.sampled_from(['"x"@en', '"2017-03-31"^^<http://www.w3.org/2001/XMLSchema#date>', "true", "og:GBP"]),
)
predicates = st.sampled_from(
    ["?p", "og:value", "og:unit", "og:evidence", "og:code", "a", "og:report", "rdfs:label"]
)
subjects = st.sampled_from(["?x", "?o", BUDGET, REPORT])
objects = st.one_of(st.sampled_from(["?y", "?o", "?z"]), literals)
triple = st.builds(lambda s, p, o: f"{s} {p} {o} .", subjects, predicates, objects)
expressions = st.one_of(
    st.builds(
        lambda v, op, lit: f"{v} {op} {lit}",
        st.sampled_from(["?y", "?o", "?z"]),
        st.sampled_from(["=", "!=", "<", ">", "<=", ">="]),
        literals,
    ),
    st.builds(
        lambda v, t: f'REGEX(STR({v}), "{t}", "i")',
        st.sampled_from(["?y", "?o"]),
        st.text(alphabet="abc.*+?()[]^$|\\", max_size=6),
    ),
    st.sampled_from(["BOUND(?z)", "ISIRI(?o)", "LANG(?y) = 'en'", "?y + 1 > 2", "STRLEN(STR(?o)) > 3"]),
)
blocks = st.recursive(
    triple,
    lambda inner: st.one_of(
        st.builds(lambda a, b: f"{a} {b}", inner, inner),
        st.builds(lambda a: f"OPTIONAL {{ {a} }}", inner),
        st.builds(lambda a, b: f"{{ {a} }} UNION {{ {b} }}", inner, inner),
        st.builds(lambda a: f"MINUS {{ {a} }}", inner),
        st.builds(lambda a, e: f"{a} FILTER({e})", inner, expressions),
        st.builds(lambda a, e: f"{a} BIND(({e}) AS ?b)", inner, expressions),
    ),
    max_leaves=5,
)
forms = st.sampled_from(
    [
        "SELECT * WHERE",
        "SELECT DISTINCT ?x ?y WHERE",
        "SELECT (COUNT(*) AS ?n) WHERE",
        "SELECT ?x (SAMPLE(?y) AS ?s) WHERE",
        "ASK",
        "CONSTRUCT { ?x ?p ?o } WHERE",
        "DESCRIBE ?x WHERE",
    ]
)
tails = st.sampled_from(["", " LIMIT 5", " ORDER BY ?y", " GROUP BY ?x", " OFFSET 3 LIMIT 2", " LIMIT -1"])


header_values = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60)


@st.composite
def queries(draw) -> str:
    body = f"VALUES ?x {{ {BUDGET} {REPORT} }} ?x ?p ?o . {draw(blocks)}"
    text = (
        "PREFIX og: <https://w3id.org/outcome-graph/def#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        f"{draw(forms)} {{ {body} }}{draw(tails)}"
    )
    if draw(st.booleans()):  # a mutation: a random character in a random place
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.characters()) + text[at:]
    return text


@FUZZ
@given(query=queries())
def test_grammar_shaped_queries(fuzz_client, query):
    check(fuzz_client.get("/sparql", query_string={"query": query}))


@FUZZ
@given(text=st.text(max_size=300))
def test_random_text_by_every_method(fuzz_client, text):
    check(fuzz_client.get("/sparql", query_string={"query": text}))
    check(fuzz_client.post("/sparql", data={"query": text}))
    check(
        fuzz_client.post(
            "/sparql", data=text.encode("utf-8", "surrogatepass"), content_type="application/sparql-query"
        )
    )


@FUZZ
@given(
    body=st.binary(max_size=300),
    content_type=st.one_of(
        header_values,
        st.sampled_from(
            [
                "application/sparql-query",
                "application/x-www-form-urlencoded",
                "application/sparql-update",
                "multipart/form-data; boundary=x",
                "application/sparql-query; charset=latin-1",
            ]
        ),
    ),
)
def test_random_bodies_and_content_types(fuzz_client, body, content_type):
    check(fuzz_client.post("/sparql", data=body, headers={"Content-Type": content_type}))


@FUZZ
@given(
    accept=st.one_of(header_values, st.sampled_from(["*/*", "text/*;q=0.1", "application/*", ";;;", "q=2"])),
    fmt=st.one_of(st.none(), st.text(max_size=10), st.sampled_from(["json", "XML", "ttl", "jsonld", "nt"])),
    graph=st.one_of(st.none(), st.text(max_size=30)),
    query=st.sampled_from(
        [
            "SELECT * WHERE { ?s ?p ?o } LIMIT 3",
            "ASK {}",
            "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3",
            "DESCRIBE <x:y>",
        ]
    ),
    extra=st.dictionaries(st.text(max_size=8), st.text(max_size=20), max_size=3),
)
def test_random_headers_and_parameters(fuzz_client, accept, fmt, graph, query, extra):
    params = dict(extra) | {"query": query}
    if fmt is not None:
        params["format"] = fmt
    if graph is not None:
        params["default-graph-uri"] = graph
    check(fuzz_client.get("/sparql", query_string=params, headers={"Accept": accept}))


def test_the_unmutated_grammar_shape_runs(fuzz_client):
    """The generator's skeleton runs, so the fuzzing reaches the engine, not only the parser."""
    query = (
        "PREFIX og: <https://w3id.org/outcome-graph/def#>\n"
        f"SELECT * WHERE {{ VALUES ?x {{ {BUDGET} {REPORT} }} ?x ?p ?o . ?x og:value ?y FILTER(?y > 1) }}"
        " LIMIT 5"
    )
    response = fuzz_client.get("/sparql", query_string={"query": query})
    assert response.status_code == 200
    assert response.get_json(force=True)["results"]["bindings"], "the budget observation has a value > 1"
