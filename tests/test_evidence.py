"""Every record's evidence is the report itself: its excerpt is the file's lines, verbatim, and the figure
an observation carries is written in those lines."""

from __future__ import annotations

import re
from functools import cache

import pytest

from outcome_graph.extract import extract_report
from outcome_graph.extract.records import Observation
from outcome_graph.paths import bundled_reports


@cache
def extraction(name: str):
    return extract_report(next(p for p in bundled_reports() if p.name == name))


REPORTS = [p.name for p in bundled_reports()]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("name", REPORTS)
def test_excerpts_are_the_files_lines_verbatim(name):
    lines = next(p for p in bundled_reports() if p.name == name).read_text(encoding="utf-8").split("\n")
    for rec in extraction(name).records:
        ex = rec.excerpt
        assert 1 <= ex.first_line <= ex.last_line <= len(lines)
        assert ex.text == "\n".join(lines[ex.first_line - 1 : ex.last_line]), rec


@pytest.mark.parametrize("name", REPORTS)
def test_every_observations_cell_is_written_in_its_excerpt(name):
    observations = extraction(name).of(Observation)
    assert len(observations) > 100
    for o in observations:
        text = squash(o.excerpt.text)
        if o.value is not None:
            # A figure's digits are written in its lines as they are (the PDF may have put spaces inside
            # it, or wrapped its % sign onto the row's next line).
            digits = re.sub(r"[^\d.,]", "", o.raw)
            assert digits and digits in text, (o.indicator, o.period, o.raw, o.excerpt.first_line)
        else:
            # A marker may have been split by the PDF ("Annual Mea" / "isure", "New for" / "16/17") and
            # is stored joined; its first word is still there.
            # A blank year cell is kept (raw "") when the row has a note or target for the year.
            if o.raw:
                assert squash(o.raw.split()[0])[:4] in text, (o.indicator, o.period, o.raw)


@pytest.mark.parametrize("name", REPORTS)
def test_no_figure_is_invented_for_a_cell_without_one(name):
    for o in extraction(name).of(Observation):
        if o.value is None:
            continue
        digits = re.sub(r"\D", "", o.raw)
        assert digits, (o.indicator, o.period, o.raw)
