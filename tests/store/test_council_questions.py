"""A council's saved questions on a graph of several councils, on the real servers: asked with a council
and a report (and every other parameter beside them), each gives the same rows on Virtuoso, the Oxigraph
server and the embedded store.

Virtuoso 7.2 could not compile a council's question with a report: the two bound variables made one
VALUES row, and with an OPTIONAL in the group and a fixed variable not projected it answered 400
("SP031 ... ssg_print_rvr_fixed_val(): no SPART_VARR_FIXED"). Virtuoso is now given one block per
variable (store/virtuoso_text.py); the other engines keep the check's text, whose plan Oxigraph runs
fastest.
"""

from __future__ import annotations

import dataclasses
import io
import urllib.parse
from collections import Counter

import pytest

from outcome_graph.build import build_from_extractions, sources_fingerprint, to_ntriples
from outcome_graph.extract import extract_report
from outcome_graph.paths import bundled_reports
from outcome_graph.saved_queries import load_queries, run_query
from outcome_graph.store import open_store
from outcome_graph.store.build import ensure_built
from outcome_graph.store.gsp import put_graph
from outcome_graph.store.remote import RemoteStore

pytestmark = pytest.mark.server

GRAPH = "https://w3id.org/outcome-graph/graph/council-questions-test"
OGR = "https://w3id.org/outcome-graph/id/"
COUNCILS = ("midlothian", "fife")
# Inputs besides the council, by parameter type: each is asked on its own beside the council, and all
# together (the council and a report with every other parameter: the most variables bound at once).
SAMPLES = {
    "year": ["2016-2017", "2020-2021"],
    "code": ["CHN9", "CSPC.P.1.2a", "C.RR.01-23"],
    "iri": [
        "http://www.legislation.gov.uk/id/asp/2014/8/part/9",
        "https://w3id.org/outcome-graph/id/framework/the-promise/foundation/voice",
        "https://thepromise.scot/",
    ],
    "string": ["Covid", "target"],
}


def rekeyed(x, council: str):
    info = dataclasses.replace(x.report, council=council, source=f"{council}-{x.report.id}.txt")
    return dataclasses.replace(x, report=info)


@pytest.fixture(scope="module")
def national_ntriples() -> bytes:
    """Midlothian's two real reports and the same reports re-keyed as Fife's."""
    real = [extract_report(p) for p in bundled_reports()]
    g = build_from_extractions(real).graph
    g += build_from_extractions([rekeyed(x, "fife") for x in real]).graph
    return to_ntriples(g)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory, national_ntriples):
    directory = tmp_path_factory.mktemp("council-questions")
    ensure_built(
        directory, fingerprint=sources_fingerprint(), source=lambda _p: io.BytesIO(national_ntriples)
    )
    store = open_store(directory, progress=None, build_if_missing=False)
    yield store
    store.close()


@pytest.fixture(scope="module")
def on_virtuoso(tmp_path_factory, national_ntriples):
    """A Virtuoso of its own, with a time limit of 30 s: reported-totals (ten UNION branches of grouped
    sub-selects) takes Virtuoso 1-10 s to compile on a loaded machine, past the shared test server's 5 s
    (kept low there so that its partial answers come quickly)."""
    from virtuoso import LOADER, start_virtuoso

    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso-councils"), max_time=30)
    try:
        put_graph(server.graph_store, national_ntriples, graph=GRAPH, credentials=LOADER)
        yield RemoteStore(server.endpoint, graph=GRAPH, timeout=60)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def on_oxigraph(oxigraph_server, national_ntriples):
    put_graph(oxigraph_server.rsplit("/", 1)[0] + "/store", national_ntriples, graph=GRAPH)
    return RemoteStore(oxigraph_server, graph=GRAPH, timeout=30)


def council_queries():
    found = [q for q in load_queries().values() if q.scope == "council"]
    assert len(found) >= 10 and "mentions" in {q.name for q in found}
    return found


def asked(query, council: str) -> list[dict[str, str]]:
    """The council with each other parameter's samples, one at a time, and with all of them at once."""
    others = [p for p in query.parameters if p.name != "council"]
    base = {"council": f"ogr:{council}"}
    for p in others:
        if p.required:
            base[p.name] = SAMPLES[p.type][0]
    out = [base, {**base, **{p.name: SAMPLES[p.type][-1] for p in others}}]
    out += [{**base, p.name: v} for p in others for v in SAMPLES[p.type]]
    return out


def rows(result) -> Counter:
    return Counter(tuple(sorted((k, v.n3()) for k, v in row.items())) for row in result.rows)


def test_every_council_question_with_a_council_and_a_report_gives_the_same_rows_everywhere(
    embedded, on_virtuoso, on_oxigraph
):
    for query in council_queries():
        total = 0
        for council in COUNCILS:
            for values in asked(query, council):
                expected = run_query(embedded, query, values, timeout=30)
                for store in (on_virtuoso, on_oxigraph):
                    got = run_query(store, query, values, timeout=60)
                    assert got.vars == expected.vars, (query.name, values)
                    assert rows(got) == rows(expected), (query.name, values, store.server_software)
                    # the council's rows only: nothing of the other council's reports
                    other = next(c for c in COUNCILS if c != council)
                    assert not any(f"{OGR}{other}/" in str(v) for r in got.rows for v in r.values())
                total += len(expected.rows)
        assert total > 0, f"{query.name}: no input gives a row, so the comparison shows nothing"


def test_virtuoso_alone_is_given_one_values_block_per_variable(on_virtuoso, on_oxigraph):
    """The per-variable form is Virtuoso's: the Oxigraph server gets the check's one-row block (a plan
    Oxigraph runs ten times faster for indicator-history at 10 M triples), Virtuoso one block each."""
    claims = load_queries()["claims"]
    values = {"council": "ogr:fife", "report": "2020-2021"}
    sent: dict[str, str] = {}
    for name, store in (("virtuoso", on_virtuoso), ("oxigraph", on_oxigraph)):
        real_open = store._opener.open

        def recording(request, *args, _open=real_open, _name=name, **kwargs):
            sent[_name] = urllib.parse.parse_qs(request.data.decode())["query"][0]
            return _open(request, *args, **kwargs)

        store._opener.open = recording
        try:
            assert run_query(store, claims, values, timeout=30).rows
        finally:
            store._opener.open = real_open
    year = "<http://reference.data.gov.uk/id/government-year/2020-2021>"
    assert f"VALUES( ?report ?council ) {{ ( {year} <{OGR}fife> ) }}" in sent["oxigraph"]
    assert f"VALUES ?report {{ {year} }} VALUES ?council {{ <{OGR}fife> }}" in sent["virtuoso"]
    assert "VALUES(" not in sent["virtuoso"]
