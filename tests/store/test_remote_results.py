"""The reports' validation results of a dataset on a SPARQL server are kept beside its search index, under
the dataset's stamp (query_layer/remote_results.py), on a real Oxigraph server and a real Virtuoso:

- after `load --endpoint --store`, a `serve --endpoint` council page is complete at its first request and
  runs no pySHACL, and what it gives is what a fresh validation of the server's graph gives;
- a server with nothing kept validates the pending reports in the background, keeps each result in the
  cache, and a later request (or a restarted server) shows them without validating anything itself;
- `add --endpoint` of a changed report gives the new report's result, never the old one, whether it
  validated the report as it added it or not; results of another stamp or other rules are not served.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from conftest import validated
from test_reports import R20, renamed_copies, server_for_parts  # noqa: F401 - a fixture

import outcome_graph.validate as validate
from outcome_graph.build import build
from outcome_graph.cli import main
from outcome_graph.query_layer import remote_cache as rc
from outcome_graph.query_layer import remote_index as ri
from outcome_graph.query_layer import remote_results as rr
from outcome_graph.serve import validation, validation_jobs
from outcome_graph.serve.app import create_app
from outcome_graph.store.remote import RemoteStore

pytestmark = pytest.mark.server

COUNCIL = "/validation?council=midlothian&format=json"
KEYS = ("severity", "rule", "code", "report", "line", "value", "message", "focus")
PARTS = ["midlothian/report/2016-2017", "midlothian/report/2020-2021"]


def rows(results) -> list[tuple]:
    return sorted(tuple(str(r[k]) for k in KEYS) for r in results)


def fresh_server() -> None:
    """What a new `serve` process knows: nothing validated, no stamp asked."""
    validation._REPORTS.clear()
    validation._SUMMARIES.clear()
    validation_jobs.forget()
    ri.forget()


def client_of(endpoint: str, graph: str):
    return create_app(
        store=RemoteStore(endpoint, graph=graph, timeout=60), config={"timeout": 60}
    ).test_client()


@pytest.fixture
def calls(monkeypatch):
    """The pySHACL runs of this process, by the thread each ran in."""
    seen: list[str] = []
    real = validate.validate_graph

    def counted(graph, *args, **kwargs):
        seen.append(threading.current_thread().name)
        return real(graph, *args, **kwargs)

    monkeypatch.setattr(validate, "validate_graph", counted)
    return seen


@pytest.fixture
def loaded(tmp_path, monkeypatch, server_for_parts, capsys):  # noqa: F811 - the fixture imported above
    """(endpoint, graph, cache, local store): the renamed bundled reports built into a store (each report
    validated and its result kept) and loaded with `load --endpoint --store`."""
    endpoint, graph = server_for_parts
    cache = tmp_path / "cache"
    monkeypatch.setenv(rc.CACHE_VARIABLE, str(cache))
    fresh_server()
    store = tmp_path / "store"
    assert (
        main(["build", *map(str, renamed_copies(tmp_path / "in")), "--store", str(store), "--jobs", "1"]) == 0
    )
    command = [
        "load",
        "--endpoint",
        endpoint,
        "--graph",
        graph,
        "--store",
        str(store),
        "--index-cache",
        str(cache),
    ]
    assert main(command) == 0
    assert "2 report(s)' validation kept for the server in " in capsys.readouterr().out
    yield endpoint, graph, cache, store
    fresh_server()


def test_after_a_load_from_a_store_the_council_page_is_complete_at_once_and_is_a_fresh_validation(
    loaded, tmp_path, monkeypatch, calls
):
    endpoint, graph, cache, _ = loaded
    remote = RemoteStore(endpoint, graph=graph)
    stamp = rc.read_stamp(remote)
    kept = sorted(
        str(p.relative_to(rc.stamp_dir(remote, stamp))) for p in rc.stamps_dir(remote).rglob("*.json")
    )
    assert kept == [f"VALIDATION/{p}.json" for p in PARTS]
    body = client_of(endpoint, graph).get(COUNCIL).get_json()
    assert body["complete"] and body["reports"] == ["2016-2017", "2020-2021"]
    assert calls == [], "the kept results were read: no pySHACL run"
    assert body["warnings"] > 0  # 2016/17 line 189: BS.CS.26 88% against 88% called Off Target
    assert any((r["code"] or "").startswith("BS.CS.26") and r["line"] == 189 for r in body["results"])

    # the same server with nothing kept (another cache): the page at once, the reports in the background
    monkeypatch.setenv(rc.CACHE_VARIABLE, str(tmp_path / "empty"))
    fresh_server()
    client = client_of(endpoint, graph)
    first = client.get(COUNCIL).get_json()
    assert (first["complete"], first["not_validated"], first["validating"]) == (
        False,
        ["2016-2017", "2020-2021"],
        True,
    )
    again = validated(client, COUNCIL)
    assert calls == ["validation", "validation"], "validated by the background job, not by a request"
    assert rows(again["results"]) == rows(body["results"]), "the kept result is the fresh validation's"
    assert (again["violations"], again["warnings"]) == (body["violations"], body["warnings"])
    # each kept in the cache as it was made: a restarted server reads them and validates nothing
    fresh_server()
    restarted = client_of(endpoint, graph).get(COUNCIL).get_json()
    assert restarted["complete"] and rows(restarted["results"]) == rows(body["results"])
    assert len(calls) == 2


def test_the_audit_keeps_the_one_report_it_validates(loaded, tmp_path, monkeypatch, calls):
    endpoint, graph, _, _ = loaded
    monkeypatch.setenv(rc.CACHE_VARIABLE, str(tmp_path / "empty"))
    fresh_server()
    audit = "/audit?council=midlothian&report=2020-2021&validate=1"
    got = client_of(endpoint, graph).get(audit)
    assert got.status_code == 200, got.get_data(as_text=True)[-800:]
    # its one report, by the audit's own load (made within the page's time limit: serve/trace_views.py),
    # not queued for the background validation of the council
    assert calls == ["flight"]
    remote = RemoteStore(endpoint, graph=graph)
    folder = rc.stamp_dir(remote, rc.read_stamp(remote)) / "VALIDATION"
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*.json")) == [f"{PARTS[1]}.json"]
    fresh_server()
    body = client_of(endpoint, graph).get(COUNCIL).get_json()
    assert body["reports"] == ["2020-2021"] and body["not_validated"] == ["2016-2017"]
    assert len(calls) == 1, "the audit's result was read, not validated again"


def changed(folder: Path) -> Path:
    """The 2020/21 report with one more blank line near its top: every finding after it one line lower."""
    folder.mkdir()
    lines = R20.read_text(encoding="utf-8").splitlines(keepends=True)
    path = folder / "changed.txt"
    path.write_text("".join([*lines[:2], "\n", *lines[2:]]), encoding="utf-8")
    return path


@pytest.mark.parametrize("validating", [True, False], ids=["add validates", "add --no-validate"])
def test_add_of_a_changed_report_gives_its_new_result_never_the_old(
    loaded, tmp_path, monkeypatch, calls, validating, capsys
):
    endpoint, graph, cache, store = loaded
    monkeypatch.setattr(ri, "STAMP_TTL", 0.0)  # the running server asks the stamp at every request
    client = client_of(endpoint, graph)
    before = client.get(COUNCIL).get_json()
    assert before["complete"] and calls == []
    report = changed(tmp_path / "new")
    alone = validate.validate_graph(build([report]).graph)  # the new report's, validated fresh
    old = [r for r in before["results"] if r["report"] == "2020-2021"]
    assert rows(old) != rows(r.as_dict() for r in alone.results), "the change changes the findings"
    calls.clear()
    command = ["add", str(report), "--store", str(store), "--endpoint", endpoint, "--graph", graph]
    assert main([*command, "--index-cache", str(cache), *([] if validating else ["--no-validate"])]) == 0
    err = capsys.readouterr().err
    assert f"{2 if validating else 1} report(s)' validation kept for the server under its new stamp" in err
    calls.clear()
    after = client.get(COUNCIL).get_json()  # the same running server, the new stamp
    if validating:  # the result `add` made, read: no validation in the server
        assert after["complete"] and calls == []
    else:  # the replaced report is pending, never its old result; 2016/17 carried over
        assert (after["reports"], after["not_validated"]) == (["2016-2017"], ["2020-2021"])
        assert rows(after["results"]) == rows(r for r in before["results"] if r["report"] == "2016-2017")
        after = validated(client, COUNCIL)
        assert calls == ["validation"]
    new = [r for r in after["results"] if r["report"] == "2020-2021"]
    assert rows(new) == rows(r.as_dict() for r in alone.results if r.report == "2020-2021")
    remote = RemoteStore(endpoint, graph=graph)
    assert [p.name for p in rc.stamps_dir(remote).iterdir()] != []
    assert rc.stamp_dir(remote, rc.read_stamp(remote)).is_dir()


def test_a_result_of_another_stamp_or_other_rules_is_not_served(loaded, monkeypatch):
    endpoint, graph, _, _ = loaded
    remote = RemoteStore(endpoint, graph=graph)
    stamp = rc.read_stamp(remote)
    assert rr.read_result(remote, PARTS[0]) is not None
    # the same file under another stamp (a server changed by another client): its key is not that stamp's
    other = "0" * 64
    shutil.copytree(rc.stamp_dir(remote, stamp), rc.stamp_dir(remote, other))
    monkeypatch.setattr(ri, "server_stamp", lambda store: other)
    monkeypatch.setattr(rr, "server_stamp", lambda store: other)
    assert rr.read_result(remote, PARTS[0]) is None
    monkeypatch.undo()
    monkeypatch.setenv(rc.CACHE_VARIABLE, str(rc.cache_dir()))
    from outcome_graph.validate import stored

    monkeypatch.setattr(stored, "rules_fingerprint", lambda: "the shapes changed")
    assert rr.read_result(remote, PARTS[0]) is None


def test_a_page_on_a_dataset_without_a_stamp_asks_the_stamp_not_its_size(
    oxigraph_server, monkeypatch, tmp_path
):
    """Each validation page asks the server's stamp (one small query); a graph loaded without one (no
    catalogue: its identity is its triple count) is not counted again at every page."""
    from sparql_proxy import SparqlProxy

    monkeypatch.setenv(rc.CACHE_VARIABLE, str(tmp_path / "cache"))
    fresh_server()
    proxy = SparqlProxy(oxigraph_server)
    try:
        client = create_app(store=RemoteStore(proxy.url, timeout=60), config={"timeout": 60}).test_client()
        for _ in range(3):
            assert client.get("/validation?format=json").status_code == 200
        stamps = proxy.asked(rc.STAMP)
        counts = [q for q in proxy.asked("COUNT") if "?s ?p ?o" in q.replace("\n", " ")]
        assert len(stamps) >= 3, "the stamp is asked at each page"
        assert len(counts) <= 1, counts  # once, for the identity kept with the STAMP_TTL
    finally:
        proxy.close()
        fresh_server()
