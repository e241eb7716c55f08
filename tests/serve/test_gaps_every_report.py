"""/gaps of every report of a council costs what it shows: each report's number of gaps of each kind
(one grouped count per kind over the council's reports, trace.gap_counts) and the rows of its latest
report, never the structure of every report. The numbers are the ones each report's own page gives,
for every report and every gap kind, on the embedded store and on the Oxigraph server (the counts'
grouped text is new to the engines)."""

from __future__ import annotations

import dataclasses
import io

import pytest

from outcome_graph.build import build_from_extractions, sources_fingerprint, to_ntriples
from outcome_graph.extract import extract_report
from outcome_graph.paths import bundled_reports
from outcome_graph.query_layer import scope_of
from outcome_graph.serve.app import create_app
from outcome_graph.store import open_store
from outcome_graph.store.build import ensure_built
from outcome_graph.store.gsp import put_graph
from outcome_graph.store.remote import RemoteStore
from outcome_graph.trace import source
from outcome_graph.trace.gap_counts import report_gap_counts
from outcome_graph.trace.gaps import GAP_KINDS

COUNCILS = ("midlothian", "fife")
GRAPH = "https://w3id.org/outcome-graph/graph/gaps-every-report-test"


def rekeyed(x, council: str):
    info = dataclasses.replace(x.report, council=council, source=f"{council}-{x.report.id}.txt")
    return dataclasses.replace(x, report=info)


@pytest.fixture(scope="module")
def ntriples() -> bytes:
    """Midlothian's two real reports and the same reports re-keyed as Fife's."""
    real = [extract_report(p) for p in bundled_reports()]
    g = build_from_extractions(real).graph
    g += build_from_extractions([rekeyed(x, "fife") for x in real]).graph
    return to_ntriples(g)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory, ntriples):
    directory = tmp_path_factory.mktemp("gaps-every-report")
    ensure_built(directory, fingerprint=sources_fingerprint(), source=lambda _p: io.BytesIO(ntriples))
    store = open_store(directory, progress=None, build_if_missing=False)
    yield store
    store.close()


def pages(store, council: str):
    client = create_app(store=store, config={"timeout": 60, "max_rows": 100000}).test_client()
    whole = client.get(f"/gaps?council={council}&format=json")
    assert whole.status_code == 200, whole.get_data(as_text=True)[:500]
    each = {}
    for year in scope_of(store, council).all_years:
        r = client.get(f"/gaps?council={council}&report={year}&format=json")
        assert r.status_code == 200, r.get_data(as_text=True)[:500]
        each[year] = r.get_json()
    return client, whole.get_json(), each


@pytest.mark.parametrize("council", COUNCILS)
def test_each_reports_counts_are_the_numbers_of_its_own_page_for_every_kind(embedded, council):
    _, whole, each = pages(embedded, council)
    assert [r["report"] for r in whole["by_report"]] == sorted(each) == ["2016-2017", "2020-2021"]
    for row in whole["by_report"]:
        assert set(row["counts"]) == set(GAP_KINDS)
        assert row["counts"] == each[row["report"]]["counts"], row["report"]
    # the comparison shows something: most kinds have gaps in some report
    found = {k for r in whole["by_report"] for k, n in r["counts"].items() if n}
    assert len(found) >= 4, found


def test_fifes_extra_disagreeing_total_is_counted_in_its_report(embedded):
    """Fife's reports are Midlothian's re-keyed; the score bands that make a risk "Medium" are curated
    for Midlothian only (graph/curated/formulas.ttl og:usedBy), so Fife's stated "4 Medium Risks"
    disagrees with its 0 in 2020-2021: one more disagreeing total there, the rest the same."""
    mid = {r["report"]: r["counts"] for r in pages(embedded, "midlothian")[1]["by_report"]}
    fife = {r["report"]: r["counts"] for r in pages(embedded, "fife")[1]["by_report"]}
    assert mid["2020-2021"].pop("total-disagrees") + 1 == fife["2020-2021"].pop("total-disagrees")
    assert mid["2020-2021"] == fife["2020-2021"] and sum(mid["2020-2021"].values()) > 10


def test_the_page_of_every_report_reads_the_structure_of_the_latest_only(embedded, monkeypatch):
    loaded = []
    real = source._load_scope

    def recording(store, scope, timeout=None):
        loaded.append(scope.years)
        return real(store, scope, timeout)

    monkeypatch.setattr(source, "_load_scope", recording)
    source._GRAPHS.clear()
    from outcome_graph.serve import trace_views

    trace_views._GAPS.clear()
    client, whole, each = pages(embedded, "midlothian")
    assert whole["report"] == "2020-2021"
    assert whole["gaps"] == each["2020-2021"]["gaps"] and whole["counts"] == each["2020-2021"]["counts"]
    # every structure read is of one report: never the council's reports together
    assert loaded and all(len(years) == 1 for years in loaded), loaded
    html = client.get("/gaps?council=midlothian").get_data(as_text=True)
    assert "Gaps in each report" in html and "report=2016-2017" in html


@pytest.fixture(scope="module")
def on_virtuoso(tmp_path_factory, ntriples):
    from virtuoso import LOADER, start_virtuoso

    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso-gaps"), max_time=30)
    try:
        put_graph(server.graph_store, ntriples, graph=GRAPH, credentials=LOADER)
        yield RemoteStore(server.endpoint, graph=GRAPH, timeout=60)
    finally:
        server.stop()


@pytest.fixture
def on_oxigraph(oxigraph_server, ntriples):
    put_graph(oxigraph_server.rsplit("/", 1)[0] + "/store", ntriples, graph=GRAPH)
    return RemoteStore(oxigraph_server, graph=GRAPH, timeout=30)


@pytest.mark.server
@pytest.mark.parametrize("engine", ["on_oxigraph", "on_virtuoso"])
def test_the_servers_give_the_same_counts(embedded, request, engine):
    """The grouped counts (their text is new to the engines: VALUES in the MINUS blocks) give the
    embedded store's numbers on the Oxigraph server and on Virtuoso, for every report and kind."""
    remote = request.getfixturevalue(engine)
    for council in COUNCILS:
        expected = report_gap_counts(embedded, scope_of(embedded, council), timeout=30)
        assert report_gap_counts(remote, scope_of(remote, council), timeout=60) == expected
        assert any(n for r in expected for n in r["counts"].values())
