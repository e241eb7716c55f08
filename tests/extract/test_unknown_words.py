"""Nothing silently lost (issue 18 part 5): a status or unit word the vocabulary does not know is a build
warning and a violation naming the file, line and word, with the nearest known word; never a guess, and
never a record that quietly has no status.

Mutants of the real reports: every note of both reports that states a status gets a typo in its status
word (a different kind of typo by line), all at once, and every one must be named; the real reports
themselves have none."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from outcome_graph.build import build
from outcome_graph.extract import extract_report
from outcome_graph.extract.common import note_head, status_of
from outcome_graph.extract.records import Action, Observation
from outcome_graph.extract.words import known_words, near_unit, near_word_at_start, word_at_start
from outcome_graph.paths import REPORTS_DIR
from outcome_graph.validate import validate_graph

REPORTS = ("midlothian-childrens-services-2016-17.txt", "midlothian-cspc-2020-21.txt")
LABELS = {"OnTarget": "On Target", "OffTarget": "Off Target", "Complete": "Complete", "DataOnly": "Data Only"}


def typo(word: str, n: int) -> str:
    """A misspelling of `word`, by line number: two letters swapped, a letter dropped, one doubled."""
    letters = [i for i, c in enumerate(word) if c.isalpha()]
    i = letters[len(letters) // 2]
    kind = n % 3
    if kind == 0 and word[i + 1 : i + 2].isalpha():
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def status_lines(x) -> dict[int, tuple[str, int]]:
    """line -> (the status word as written, its offset in the line), for every record whose note states
    a status on that line."""
    out = {}
    for r in x.records:
        if isinstance(r, (Observation, Action)) and r.status in LABELS and r.note:
            for offset, text in enumerate(r.excerpt.text.split("\n")):
                m = re.search(r"\d\d/\d\d\s*:\s*(" + LABELS[r.status].replace(" ", r"\s*") + ")", text, re.I)
                if m:
                    out[r.excerpt.first_line + offset] = (m[1], m.start(1))
                    break
    return out


@pytest.mark.parametrize("name", REPORTS)
def test_the_real_reports_have_no_unknown_words(name):
    x = extract_report(REPORTS_DIR / name)
    assert x.unknown_words == []
    assert not [w for w in x.warnings if "unrecognised" in w.reason]


@pytest.fixture(scope="module", params=REPORTS)
def mutated(request, tmp_path_factory):
    src = REPORTS_DIR / request.param
    original = extract_report(src)
    lines = src.read_text(encoding="utf-8").split("\n")
    words = status_lines(original)
    for n, (word, at) in words.items():
        lines[n - 1] = lines[n - 1][:at] + typo(word, n) + lines[n - 1][at + len(word) :]
    path = tmp_path_factory.mktemp("mutant") / src.name
    path.write_text("\n".join(lines), encoding="utf-8")
    return original, words, path


def test_every_misspelt_status_is_named_with_the_nearest_word(mutated):
    original, words, path = mutated
    assert len(words) >= 20
    x = extract_report(path)
    named = {w.line: w for w in x.unknown_words if w.kind == "status"}
    assert set(named) == set(words)
    for n, (word, _) in words.items():
        w = named[n]
        assert (w.word, w.suggestion.lower()) == (typo(word, n), " ".join(word.lower().split()))
        assert any(u.line == n and repr(w.word) in u.reason for u in x.warnings)  # the build warning
    # nothing guessed: no record on a mutated line takes a status from its misspelt note (a scorecard
    # figure may still be Data Only by its Target cell, "Data only", as in the original)
    typos = {typo(word, n) for n, (word, _) in words.items()}
    misspelt = [
        r
        for r in x.records
        if isinstance(r, (Observation, Action))
        and any((note_head(r.note) or "").startswith(t) for t in typos)
    ]
    assert misspelt  # (a restated scorecard cell is merged into its other statement: fewer records)
    for r in misspelt:
        assert status_of(r.note) is None
        assert r.status is None or (r.status, (r.target_raw or "").lower()) == ("DataOnly", "data only")


def test_the_mutant_fails_validation_naming_file_line_and_word(mutated):
    _, words, path = mutated
    result = build([path])
    violations = [r for r in validate_graph(result.graph).results if r.rule == "unrecognised word"]
    assert {r.line for r in violations} == set(words)
    source = result.extractions[0].report.source  # the report's file, as the graph names it
    for r in violations:
        assert r.severity == "Violation" and f"Line {r.line} of {source}" in r.message
        assert f'"{typo(words[r.line][0], r.line)}"' in r.message and "did you mean" in r.message


def test_a_misspelt_unit_is_named():
    src = REPORTS_DIR / "midlothian-cspc-2020-21.txt"
    lines = src.read_text(encoding="utf-8").split("\n")
    assert "\t83.3%\t" in lines[251]  # line 252: stage 1 complaints within 5 days, 2020/21
    lines[251] = lines[251].replace("\t83.3%\t", "\t83.3 precent\t")
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / src.name
        path.write_text("\n".join(lines), encoding="utf-8")
        x = extract_report(path)
    [w] = x.unknown_words
    assert (w.line, w.kind, w.word, w.suggestion) == (252, "unit", "precent", "Percent")


def test_known_words_are_the_code_lists_labels():
    """Statuses are recognised by the labels of ontology/codelists.ttl (hidden labels included), and a
    word close to none of them is ordinary text, not a misspelling."""
    labels = {label for label, _ in known_words("StatusScheme")}
    assert {"On Target", "Off Target", "Complete", "Data Only", "N/A", "Data not available"} <= labels
    assert (
        word_at_start("Data not available at time of producing the report.", "StatusScheme") == "NotAvailable"
    )
    assert word_at_start("Off target We can currently", "StatusScheme") == "OffTarget"
    assert near_word_at_start("There are no high risks identified.", "StatusScheme") is None
    assert near_word_at_start("Compelte New contract", "StatusScheme").suggestion == "Complete"
    assert near_unit("85%") is None and near_unit("12 dayss").suggestion == "days"
    assert note_head("20/21 : Data Only") == "Data Only"


# --- period words (issue 18 part 5): every quarter and year word of every table header, misspelt -------

_QUARTER_WORD = re.compile(r"(?<![\w/])Q([1-4])(?= ?(?:19|20)\d\d ?/)")
_YEAR_WORD = re.compile(r"(?<![\w/])((?:19|20)\d\d ?/ ?)(\d ?\d|\d)(?![\d/])")


def _period_mutants(text: str) -> tuple[list[str], dict[tuple[int, str], int | str]]:
    """The report with, on every header line (a line naming a quarter before a year), one quarter word
    misspelt (by line: a number out of range, "Qrt n" for "Qtr n", "Quater n" for "Quarter n") and every
    year's second part made wrong; and (line, misspelt word) -> the quarter (1-4) or year ("2016/17")
    the nearest known word must name."""
    lines = text.split("\n")
    expected: dict[tuple[int, str], int | str] = {}
    for i, line in enumerate(lines):
        quarters = list(_QUARTER_WORD.finditer(line))
        if not quarters:
            continue
        n = i + 1
        years = []
        # a service-PI header ("Q1 2016/17" cells) is checked by its parser, which refuses a wrong year
        # outright (service_pis.py, naming file, line and field): its years are left as they are
        checked = any(re.fullmatch(r"Q\d\s*\d{4}/\d\d", c) for c in line.split("\t"))
        for m in [] if checked else _YEAR_WORD.finditer(line):
            digits = m[2].replace(" ", "")
            swap = len(digits) == 2 and digits[0] != digits[1]
            wrong = digits[::-1] if swap else str((int(digits[-1]) + 5) % 10)
            written = m[2].replace(digits[0], "#", 1).replace(digits[-1], wrong[-1], 1).replace("#", wrong[0])
            if len(digits) == 1:
                written = wrong
            start = int(m[1][:4])
            years.append((m.start(2), m.end(2), written, f"{start}/{str(start + 1)[2:]}", m[1] + written))
        q = quarters[n % len(quarters)]
        kind = n % 3 if len(quarters) > 1 else 1 + n % 2  # a lone "Q5" has no order to name its quarter by
        word = {0: "Q5", 1: f"Qrt {q[1]}", 2: f"Quater {q[1]}"}[kind]
        edits = [(start, end, written) for start, end, written, _, _ in years] + [(q.start(), q.end(), word)]
        for start, end, written in sorted(edits, reverse=True):
            line = line[:start] + written + line[end:]
        lines[i] = line
        expected[(n, word)] = int(q[1])
        for _, _, _, right, as_written in years:
            expected[(n, as_written)] = right
    return lines, expected


@pytest.fixture(scope="module", params=REPORTS)
def period_mutant(request, tmp_path_factory):
    src = REPORTS_DIR / request.param
    lines, expected = _period_mutants(src.read_text(encoding="utf-8"))
    path = tmp_path_factory.mktemp("period") / src.name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, expected


def test_every_misspelt_period_word_is_named_with_the_nearest_word(period_mutant):
    path, expected = period_mutant
    assert len(expected) >= 20
    x = extract_report(path)
    named = {(w.line, w.word): w for w in x.unknown_words if w.kind == "period"}
    assert set(named) == set(expected)
    quarter_of = {label: int(concept[-1]) for label, concept in known_words("QuarterScheme")}
    for (n, word), right in expected.items():
        w = named[(n, word)]
        if isinstance(right, int):
            assert quarter_of[w.suggestion] == right, (n, word, w.suggestion)  # "Qrt 2": "Qtr 2"
        else:
            assert w.suggestion == right, (n, word)
        assert any(u.line == n and repr(word) in u.reason for u in x.warnings)  # the build warning
    # nothing guessed, nothing lost: columns are placed by position, so every figure is the original's
    original = extract_report(REPORTS_DIR / path.name)
    figures = lambda e: sorted((o.indicator, o.period.key, o.raw) for o in e.of(Observation))  # noqa: E731
    assert figures(x) == figures(original)


def test_a_misspelt_period_fails_validation_naming_file_line_and_word(tmp_path):
    src = REPORTS_DIR / "midlothian-cspc-2020-21.txt"
    lines = src.read_text(encoding="utf-8").split("\n")
    assert "\tQ3 2020/2 1\t" in lines[241]  # line 242: the complaints table's header
    lines[241] = lines[241].replace("\tQ3 2020/2 1\t", "\tQ5 2020/2 1\t")
    path = tmp_path / src.name
    path.write_text("\n".join(lines), encoding="utf-8")
    result = build([path])
    [v] = [r for r in validate_graph(result.graph).results if r.rule == "unrecognised word"]
    source = result.extractions[0].report.source
    assert (v.severity, v.line) == ("Violation", 242)
    assert f'Line 242 of {source}: the period word "Q5"' in v.message and 'did you mean "Q3"?' in v.message
