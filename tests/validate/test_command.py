"""`outcome-graph validate`: exit codes, the text report grouped by rule with code, report, line, value
and message; JSON; the standard sh:ValidationReport in Turtle; one-line usage errors."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SH

from outcome_graph.cli import main
from outcome_graph.paths import REPORTS_DIR

from .conftest import FIXTURES


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_bundled_build_has_warnings_but_no_violations(capsys):
    code, out, err = run(capsys)
    assert code == 0, err
    assert out.startswith("Validation of the bundled reports: 0 violation(s), 22 warning(s)")
    # grouped by rule; each result gives the code, report and line, the value and the message
    assert "\nWarning: status against target (1)\n" in out
    assert "  BS.CS.26 2016-2017 (2016-2017 line 189) [value: 88]\n" in out
    assert "the report says Off Target, but 88 against a target of 88 (higher is better) meets it" in out
    assert "\nWarning: reported action totals (1)\n" in out
    assert "  actions.on_target_or_complete (2020-2021 line 208) [value: 18]\n" in out


def test_json_for_tools(capsys):
    code, out, _ = run(capsys, "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert (doc["conforms"], doc["violations"], doc["warnings"]) == (True, 0, 22)
    [r] = [r for r in doc["results"] if r["rule"] == "status against target"]
    assert (r["code"], r["report"], r["line"], r["value"], r["severity"]) == (
        "BS.CS.26 2016-2017",
        "2016-2017",
        189,
        "88",
        "Warning",
    )


def test_turtle_is_a_shacl_validation_report(capsys):
    code, out, _ = run(capsys, "--format", "turtle")
    assert code == 0
    g = Graph().parse(data=out, format="turtle")
    [report] = list(g.subjects(RDF.type, SH.ValidationReport))
    assert len(list(g.objects(report, SH.result))) == 22


def test_a_report_file_is_built_then_validated(capsys):
    code, out, _ = run(capsys, str(REPORTS_DIR / "midlothian-childrens-services-2016-17.txt"))
    assert code == 0
    assert "BS.CS.26 2016-2017 (2016-2017 line 189)" in out
    assert "(2020-2021 line" not in out  # only the one report was built


def test_a_graph_with_a_violation_exits_1_and_names_it(capsys, tmp_path):
    g = Graph().parse(FIXTURES / "base.ttl", format="turtle")
    g.parse(FIXTURES / "action-progress.fail.ttl", format="turtle")
    path = tmp_path / "broken.ttl"
    g.serialize(path, format="turtle")
    code, out, _ = run(capsys, str(path))
    assert code == 1
    assert "Violation: action progress (1)" in out
    assert "  CS.S.01.02 (2016-2017 line 11) [value: 120.0]" in out
    assert "between 0 and 100" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "unknown format 'xml'; use one of text, json, turtle"),
        (["no-such-file.ttl"], "no-such-file.ttl: no such file"),
        (["pyproject.toml"], "unknown file type '.toml'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(capsys, args, message):
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_an_unreadable_graph_file_exits_2(capsys, tmp_path):
    path = tmp_path / "bad.ttl"
    path.write_text("this is not turtle {", encoding="utf-8")
    code, _, err = run(capsys, str(path))
    assert code == 2
    assert err.startswith(f"outcome-graph validate: error: {path}: cannot be read as turtle")
    assert err.count("\n") == 1
