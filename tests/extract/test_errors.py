"""Bad input, through extract_report and through `outcome-graph build`: corrupted copies of the real
reports, written to tmp_path. Errors name the file and, where there is one, the line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from outcome_graph.cli import main
from outcome_graph.errors import ReportError
from outcome_graph.extract import extract_report
from outcome_graph.extract.records import Action, Observation, Period, Risk

REPORTS = Path(__file__).resolve().parents[2] / "graph" / "reports"
R20 = REPORTS / "midlothian-cspc-2020-21.txt"


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def write(tmp_path: Path, lines: list[str], name: str = "midlothian-cspc-2020-21.txt") -> Path:
    out = tmp_path / name
    out.write_text("\n".join(lines), encoding="utf-8")
    return out


def edit_line(lines: list[str], number: int, old: str, new: str) -> list[str]:
    """Replace `old` (which must be there) in 1-based line `number`."""
    assert old in lines[number - 1], (number, old)
    lines = list(lines)
    lines[number - 1] = lines[number - 1].replace(old, new, 1)
    return lines


def build(path: Path, tmp_path: Path, capsys) -> tuple[int, str, str]:
    code = main(["build", str(path), "--out", str(tmp_path / "graph.ttl"), "--no-validate"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_truncated_mid_table_still_builds_and_reports_the_cut_row(tmp_path, capsys):
    lines = lines_of(R20)
    # Cut line 269 (CSPC.P.2.1) after its Icon cell: no Progress, no Comment, nothing after it.
    cut = lines[268].split("\t")[:4]
    assert cut == ["CSPC.P.2.1", cut[1], "31-Mar-2021", "8"]
    path = write(tmp_path, lines[:268] + ["\t".join(cut)])
    x = extract_report(path)
    a = [a for a in x.of(Action) if a.excerpt.first_line == 269][0]
    assert (a.code, a.progress, a.status, a.note) == ("CSPC.P.2.1", None, None, None)
    reasons = [w.reason for w in x.warnings if w.line == 269]
    assert reasons[0].startswith("4 cells where the action table header (line 268) has 6")
    assert "row ends before its Progress and Comment columns (the line may be cut)" in reasons[1]
    assert [a.excerpt.first_line for a in x.of(Action)] == [264, 269]  # nothing after the cut
    # The file says it was cut: the last line has no line ending and could not be read whole.
    [p] = [p for p in x.problems if p.line == 269]
    assert "the file ends in the middle of line 269" in p.reason and "cut short" in p.reason
    code, out, err = build(path, tmp_path, capsys)
    assert code == 0, err
    assert "line 269: row ends before its Progress and Comment columns" in out
    assert "line 269: the file ends in the middle of line 269" in out
    assert (tmp_path / "graph.ttl").stat().st_size > 0


def test_a_row_with_a_cell_missing_is_read_by_form_and_reported(tmp_path, capsys):
    # Line 270 without its Icon cell ("83"): Progress and Comment move one column left.
    path = write(tmp_path, edit_line(lines_of(R20), 270, "31-Mar-2021\t83\t", "31-Mar-2021\t"))
    x = extract_report(path)
    a = [a for a in x.of(Action) if a.excerpt.first_line == 270][0]
    assert (a.code, a.progress, a.status) == ("CSPC.P.2.2", Decimal(60), "OffTarget")
    # Five cells under a six-column header: never read by position; here every cell has one place by
    # its form (a code, one text, a date, a percentage, a status note), so it is read that way.
    [w] = [w for w in x.warnings if w.line == 270]
    assert w.reason.startswith("5 cells where the action table header (line 268) has 6")
    assert "read by form" in w.reason
    assert x.problems == []
    code, out, _ = build(path, tmp_path, capsys)
    assert code == 0
    assert "line 270: 5 cells where the action table header" in out


def test_a_risk_row_with_a_cell_missing_is_reported(tmp_path):
    # Line 437 (C.RR.01-25) loses one of its empty cells: seven cells under an eight-column header.
    path = write(tmp_path, edit_line(lines_of(R20), 437, "\t\t\t\t\t\tImpact", "\t\t\t\t\tImpact"))
    x = extract_report(path)
    # Not read by position: the row is kept out, listed as not understood, and recorded as a problem.
    [p] = x.problems
    assert (p.line, p.reason) == (
        437,
        "7 cells where the risk table header (line 435) has 8: a cell is missing, and which one cannot be "
        "told; the row is not read by position and its figures are kept out",
    )
    assert [u.line for u in x.unplaced if u.line == 437] == [437]
    assert [r.code for r in x.of(Risk)] == ["C.RR.01-23", "C.RR.01-09", "C.RR.01-10"]


def test_a_figure_cell_reading_12__5_is_reported_and_not_a_number(tmp_path, capsys):
    path = write(tmp_path, edit_line(lines_of(R20), 269, "\t80%\t", "\t12..5%\t"))
    x = extract_report(path)
    a = [a for a in x.of(Action) if a.excerpt.first_line == 269][0]
    assert a.progress is None
    assert a.status == "OffTarget"  # the comment is still read
    [w] = [w for w in x.warnings if w.line == 269]
    assert w.reason == "Progress '12..5%' is not a percentage (not a figure: '12..5%'); kept as no progress"
    code, out, _ = build(path, tmp_path, capsys)
    assert code == 0
    assert "line 269: Progress '12..5%' is not a percentage" in out


def test_12__5_in_a_service_pi_value_cell_is_kept_without_a_value(tmp_path, capsys):
    # Line 342: CSPC.P. 1.2a, the year's value "9" becomes "12..5".
    path = write(tmp_path, edit_line(lines_of(R20), 342, "\t\t9\t", "\t\t12..5\t"))
    x = extract_report(path)
    year = [o for o in x.of(Observation) if o.excerpt.first_line == 342 and o.period == Period("2020-2021")]
    assert [(o.indicator, o.raw, o.value) for o in year] == [("CSPC.P.1.2a", "12..5", None)]
    assert any("not a figure: '12..5'" in w.reason for w in x.warnings if w.line == 342)
    code, out, _ = build(path, tmp_path, capsys)
    assert code == 0
    assert "line 342: CSPC.P.1.2a 2020-2021: not a figure: '12..5'" in out


def test_a_risk_score_that_is_not_a_whole_number_is_reported(tmp_path):
    path = write(tmp_path, edit_line(lines_of(R20), 441, "\tImpact\t9", "\tImpact\t12..5"))
    x = extract_report(path)
    [w] = [w for w in x.warnings if w.line == 441]
    assert w.reason == "Risk Score '12..5' is not a whole number; kept as no score"
    assert [r.score for r in x.of(Risk)] == [12, 12, 9, None]


def test_invalid_utf8_names_the_file_and_line(tmp_path, capsys):
    data = bytearray(R20.read_bytes())
    at = data.index(b"CSPC.P.7.2\t")  # line 301
    data[at : at + 4] = b"\xff\xfeP."
    path = tmp_path / "midlothian-cspc-2020-21.txt"
    path.write_bytes(bytes(data))
    with pytest.raises(ReportError) as e:
        extract_report(path)
    assert (e.value.source, e.value.line) == (str(path), 301)
    assert str(e.value) == f"{path}:301: not valid UTF-8 (byte 0xff); save the text as UTF-8"
    code, _, err = build(path, tmp_path, capsys)
    assert code == 1
    assert f"{path}:301: not valid UTF-8" in err


def test_an_empty_file_is_refused(tmp_path, capsys):
    path = tmp_path / "midlothian-empty.txt"
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(ReportError, match=r"midlothian-empty\.txt: the file is empty"):
        extract_report(path)
    code, _, err = build(path, tmp_path, capsys)
    assert code == 1 and "midlothian-empty.txt: the file is empty" in err


def test_a_missing_file_is_refused(tmp_path, capsys):
    path = tmp_path / "midlothian-nowhere.txt"
    with pytest.raises(
        ReportError, match=r"midlothian-nowhere\.txt: no such file; give the path of a report"
    ):
        extract_report(path)
    code, _, err = build(path, tmp_path, capsys)
    assert code == 1 and "midlothian-nowhere.txt: no such file" in err
    assert not (tmp_path / "graph.ttl").exists()


def test_a_file_that_is_not_a_report_says_why(tmp_path, capsys):
    path = tmp_path / "midlothian-notes.txt"
    path.write_text("Shopping list\nmilk\teggs\n", encoding="utf-8")
    with pytest.raises(ReportError) as e:
        extract_report(path)
    assert e.value.line == 1 and e.value.field == "title"
    assert "not a council performance report: the first line should be a title such as" in str(e.value)
    code, _, err = build(path, tmp_path, capsys)
    assert code == 1 and "midlothian-notes.txt:1 (title): not a council performance report" in err


def test_a_titled_file_without_tables_says_why(tmp_path):
    # The real title and prose, but none of the tables (lines 1-96 of the 2020/21 report).
    path = write(tmp_path, lines_of(R20)[:96])
    with pytest.raises(ReportError, match="no action report or performance-indicator tables were found"):
        extract_report(path)
