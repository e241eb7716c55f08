"""/trace/<code> on a national store reads what it shows (issue 17): the code is looked up in the search
index, bounded by the council, and the record it names is traced from its IRI step by step, as
/trace?node= is; the council's whole set of reports is never loaded. Built the user's way: report files
(the bundled Midlothian reports, and the 2020/21 report re-keyed as Fife's 2019/20) -> a store."""

from __future__ import annotations

import json
import sys
from urllib.parse import quote

import pytest

from outcome_graph.paths import ROOT
from outcome_graph.serve import trace_views
from outcome_graph.serve.app import create_app
from outcome_graph.store import open_store
from outcome_graph.store.reports import build_store

sys.path.insert(0, str(ROOT / "benchmarks"))
from report_files import two_councils  # noqa: E402 - a sibling script, not a package

OGR = "https://w3id.org/outcome-graph/id/"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("by-code-files")
    two_councils(folder)
    directory = tmp_path_factory.mktemp("by-code-store")
    build_store(sorted(folder.glob("*.txt")), directory, progress=None)
    store = open_store(directory, progress=None, build_if_missing=False)
    yield create_app(store=store, config={"timeout": 60, "max_rows": 10000, "cache": False}).test_client()
    store.close()


@pytest.fixture
def no_council_load(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the council's reports were loaded whole")

    monkeypatch.setattr(trace_views, "load", refuse)


@pytest.mark.parametrize(
    "code, council, report, iri",
    [
        ("CSPC.P.2.1", "fife", "2019-2020", f"{OGR}fife/report/2019-2020/action/CSPC.P.2.1"),
        ("CSPC.P. 2.1", "midlothian", "2020-2021", f"{OGR}midlothian/report/2020-2021/action/CSPC.P.2.1"),
        ("priority 2", "midlothian", "2016-2017", f"{OGR}midlothian/report/2016-2017/priority/02"),
        ("02", "fife", None, f"{OGR}fife/report/2019-2020/priority/02"),
    ],
)
def test_a_trace_by_code_is_the_trace_of_the_record_it_names(
    client, no_council_load, code, council, report, iri
):
    extra = f"&report={report}" if report else ""
    for direction in ("down", "up"):
        by_code = client.get(
            f"/trace/{quote(code)}?council={council}{extra}&direction={direction}&format=json"
        )
        assert by_code.status_code == 200, by_code.get_data(as_text=True)[:300]
        by_iri = client.get(
            f"/trace?node={quote(iri)}&council={council}{extra}&direction={direction}&format=json"
        )
        assert by_code.get_json() == by_iri.get_json()
        assert by_code.get_json()["root"]["iri"] == iri
        other = "midlothian" if council == "fife" else "fife"
        assert f"{OGR}{other}/" not in json.dumps(by_code.get_json())


def test_a_code_of_several_records_or_none_is_a_page_of_matches(client, no_council_load):
    several = client.get("/trace/02?council=midlothian&format=json")
    assert several.status_code == 300
    assert [m["iri"] for m in several.get_json()["matches"]] == [
        f"{OGR}midlothian/report/2016-2017/priority/02",
        f"{OGR}midlothian/report/2020-2021/priority/02",
    ]
    assert client.get("/trace/ZZ.99?council=fife&format=json").status_code == 404


def test_a_national_trace_by_code_needs_a_council(client, no_council_load):
    got = client.get("/trace/CSPC.P.2.1?format=json")
    assert got.status_code == 400 and "fife" in got.get_json()["error"]
