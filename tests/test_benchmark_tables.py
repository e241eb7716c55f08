"""The benchmarks' tables report what an answer says: a download that fails is a row with its status and
the server's message, never a stop of the whole table (benchmarks/saved_queries_national.py stopped with
KeyError 'results' on the first error body)."""

from __future__ import annotations

import importlib.util
import sys

from outcome_graph.paths import ROOT


def benchmark(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_a_failed_download_is_a_row_with_its_status_and_message(client, capsys, monkeypatch):
    tables = benchmark("saved_queries_national")
    monkeypatch.setattr(tables, "COUNCIL", "council=ogr:nowhere")  # a council the graph does not hold
    tables.downloads(client, ["claims", "risks"])
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| `")]
    assert len(lines) == 2
    for line in lines:
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[2] == "400", line
        assert cells[3].startswith("— query ") and "parameter 'council'" in cells[3], line


def test_a_whole_download_is_a_row_with_its_row_count(client, capsys):
    tables = benchmark("saved_queries_national")
    tables.downloads(client, ["risks"])
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("| `risks`"))
    cells = [c.strip() for c in line.strip("|").split("|")]
    expected = client.get("/queries/risks?format=json&council=ogr:midlothian").get_json()
    assert cells[2] == "200" and cells[3] == str(len(expected["results"]["bindings"])) != "0"


def test_a_failed_page_is_a_row_with_its_status_and_the_page_s_message(client, capsys):
    tables = benchmark("saved_queries_national")
    tables.run(client, [("claims", "council=ogr:nowhere")], 0)
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("| `claims`"))
    cells = [c.strip() for c in line.strip("|").split("|")]
    assert cells[2] == "400" and cells[3].startswith("— query 'claims': parameter 'council'"), line
