"""In CI a missing component fails the run instead of skipping the tests that need it."""

from __future__ import annotations

import shutil
import sys

import conftest
import pytest
from _pytest.outcomes import Failed, Skipped


@pytest.fixture
def no_oxigraph(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "bin" / "python"))
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("OUTCOME_GRAPH_REQUIRE_SERVER", raising=False)


@pytest.mark.parametrize(("var", "value"), [("CI", "true"), ("OUTCOME_GRAPH_REQUIRE_SERVER", "1")])
def test_a_missing_oxigraph_server_fails_in_ci(no_oxigraph, monkeypatch, var, value):
    monkeypatch.setenv(var, value)
    with pytest.raises(Failed, match="oxigraph server binary .* is not installed; CI requires it"):
        conftest.oxigraph_binary()


def test_a_missing_oxigraph_server_skips_outside_ci(no_oxigraph):
    with pytest.raises(Skipped, match="oxigraph server binary"):
        conftest.oxigraph_binary()


def test_the_ci_script_requires_the_server_and_the_browser():
    from pathlib import Path

    script = (Path(__file__).parents[1] / ".ci" / "run").read_text()
    assert "export OUTCOME_GRAPH_REQUIRE_SERVER=1" in script
    assert "export OUTCOME_GRAPH_REQUIRE_BROWSER=1" in script
