"""`outcome-graph trace` and `outcome-graph gaps` on the real reports, through the real command."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from outcome_graph.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_trace_text_of_the_2014_act_quotes_the_named_person_lines(capsys, store_dir, store):
    code, out, _ = run(capsys, "trace", "2014 Act", "--store", str(store_dir))
    assert code == 0
    # in words: labels, periods as the reports write them, each link read from the line below it
    assert out.startswith(
        "down trace of Children and Young People (Scotland) Act 2014 <http://www.legislation.gov.uk/id/asp/2014/8>\n"
    )
    assert "- Action CS.S.01.02 Implement the changes outlined" in out
    assert "— implements the above (Report text, 2016/17 report line 104)" in out
    assert (
        "- Indicator CS.S.01.02a Establish a named person service — measures action the above "
        "(Code structure, 2016/17 report line 130)" in out
    )
    assert "Observation 2016/17: 100%; target 100%; On Target; note: 16/17: On Target The Named Person" in out
    assert "OnTarget" not in out.replace("16/17: On Target", "")
    for line in (130, 131, 132, 133):
        assert f"\n{' ' * 10}{line} | CS.S.01.02" in out or f" {line} | CS.S.01.02" in out


def test_trace_json_of_priority_02(capsys, store_dir, store):
    code, out, _ = run(
        capsys, "trace", "02", "--report", "2020/21", "--format", "json", "--store", str(store_dir)
    )
    assert code == 0
    data = json.loads(out)
    assert data["root"]["kind"] == "Priority" and data["report"] == "2020-2021"
    nodes = {n.get("code"): n for n in data["nodes"] if n["kind"] in ("Action", "Indicator")}
    assert nodes["CSPC.P.2.1"]["progress"] == "80" and nodes["CSPC.P.2.1"]["status"] == "OffTarget"
    assert {"CSPC.P.2.1a", "CSPC.P.2.1b", "CSPC.P.2.1c", "CSPC.P.2.1d", "CSPC.P.2.2a"} <= set(nodes)
    edges = [e for e in data["edges"] if e["to"] == nodes["CSPC.P.2.1"]["iri"]]
    [edge] = edges
    assert edge["rel"] == "priority" and edge["basis"] == "ReportText"
    assert edge["evidence"][0]["first_line"] == 269 and edge["evidence"][0]["text"].startswith("CSPC.P.2.1\t")


def test_trace_graphml_and_svg(capsys, store_dir, store, tmp_path):
    out_file = tmp_path / "t.graphml"
    code, _, _ = run(
        capsys,
        "trace",
        "CS.S.01.02",
        "--format",
        "graphml",
        "--out",
        str(out_file),
        "--store",
        str(store_dir),
    )
    assert code == 0
    g = nx.read_graphml(out_file)
    assert "https://w3id.org/outcome-graph/id/midlothian/indicator/CS.S.01.02d" in g
    code, out, _ = run(capsys, "trace", "CS.S.01.02", "--up", "--format", "svg", "--store", str(store_dir))
    svg = ET.fromstring(out)
    rects = svg.findall(".//{http://www.w3.org/2000/svg}rect")
    assert len(rects) >= 4
    assert "Part 4" in out or "asp/2014/8/part/4" in out


def test_trace_png_or_a_clear_message(capsys, store_dir, store, tmp_path):
    from outcome_graph.trace.render import png_available

    out_file = tmp_path / "t.png"
    code, _, err = run(
        capsys, "trace", "CS.S.01.02", "--format", "png", "--out", str(out_file), "--store", str(store_dir)
    )
    if png_available():
        assert code == 0 and out_file.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    else:
        assert code == 1 and "PNG needs matplotlib" in err


def test_trace_across(capsys, store_dir, store):
    code, out, _ = run(capsys, "trace", "CHN8a", "--across", "--store", str(store_dir))
    assert code == 0
    assert "side by side: 2016/17 | 2020/21" in out
    assert "2015/16: £2,951.54" in out and "2015/16: £3,225.80" in out


def test_gaps_text_and_json(capsys, store_dir, store):
    code, out, _ = run(capsys, "gaps", "--store", str(store_dir))
    assert code == 0
    # in words: the reported total by its name, the year as the report writes it
    assert (
        "“Actions on target or complete” [2020/21 line 208]: the report says 18; the records give 17" in out
    )
    assert "OnTarget" not in out and "pis.total" not in out
    code, out, _ = run(capsys, "gaps", "--format", "json", "--report", "2016-2017", "--store", str(store_dir))
    data = json.loads(out)
    assert data["gaps"] and all(g["report"] in (None, "2016-2017") for g in data["gaps"])
    assert any(g["code"] == "BS.CS.LPI.04" for g in data["gaps"])


@pytest.mark.parametrize(
    "argv, message",
    [
        (["trace", "ZZ.99"], "no statute, provision, priority, action, indicator or risk matches 'ZZ.99'"),
        (["trace", "02"], "'02' matches 2 nodes (add --report YEAR)"),
        (["trace", "02", "--report", "someday"], "'someday' is not a report year"),
    ],
)
def test_errors_are_one_line_without_traceback(store_dir, store, argv, message):
    p = subprocess.run(
        [sys.executable, "-m", "outcome_graph.cli", *argv, "--store", str(store_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 1
    assert message in p.stderr and "Traceback" not in p.stderr
    assert p.stderr.count("\n") == 1


def test_svg_nodes_link_to_their_trace_and_their_page(capsys, store_dir, store):
    code, out, _ = run(capsys, "trace", "CS.S.01.02", "--format", "svg", "--store", str(store_dir))
    assert code == 0
    ns = {"s": "http://www.w3.org/2000/svg"}
    svg = ET.fromstring(out)
    groups = svg.findall(".//s:g[@class='n']", ns)
    assert len(groups) == len({g.get("data-iri") for g in groups}) >= 10
    for g in groups:
        trace_link = g.find("s:a[@class='node-link']", ns)
        page_link = g.find("s:a[@class='page-link']", ns)
        assert trace_link.get("href").startswith("/trace?node=")
        iri = g.get("data-iri")
        if iri.startswith("https://w3id.org/outcome-graph/id/"):
            assert page_link.get("href") == "/id/" + iri.removeprefix("https://w3id.org/outcome-graph/id/")
    kinds = {g.get("data-kind") for g in groups}
    assert {"Action", "Indicator", "Observation", "Excerpt"} <= kinds


def test_audit_command_writes_the_printable_report(capsys, store_dir, store, tmp_path):
    out_file = tmp_path / "audit.html"
    code, _, err = run(
        capsys,
        "audit",
        "--report",
        "2020-2021",
        "--compare",
        "2016-2017",
        "--out",
        str(out_file),
        "--store",
        str(store_dir),
    )
    assert code == 0
    assert err.startswith("audit 2020-2021: 11 priorities, 23 actions, 32 service-priority PIs")
    html = out_file.read_text()
    assert html.count('class="priority" id="priority-') == 11
    assert "@media print" in html and "@page{size:A4" in html and "Compared with 2016/17" in html
    # a cover an inspector can file: council, report, date generated, the data version
    assert "<dt>Council</dt><dd>Midlothian Council</dd>" in html
    assert "<dt>Data version</dt><dd>sources fingerprint " in html and "<dt>Generated</dt>" in html
    assert 'id="contents"' in html
    # the SHACL warnings are in: the action the report prints without a code (line 318)
    assert "validation warnings" in err and "Validation was not run" not in html
    assert "2020/21 line 318" in html
    assert f"wrote {out_file.resolve()} (HTML)" in err
