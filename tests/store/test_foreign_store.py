"""A store the user named is never replaced behind their back (issue 17): a store made by an older
national.py (no REPORTS.json, a fingerprint that is not the bundled reports') is refused with what to run
instead, by `query --store`, `serve --store` and the store layer, and is left exactly as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from outcome_graph.store import StoreError
from outcome_graph.store.build import current_generation, ensure_built, stored_fingerprint

NATIONAL = b'<https://w3id.org/outcome-graph/id/angus/report/2016-2017> <http://example.org/says> "mine" .\n'


@pytest.fixture
def old_national(tmp_path):
    """A store as an older benchmarks/national.py left it: built from other reports, no REPORTS.json."""
    directory = tmp_path / "nat"
    ensure_built(directory, fingerprint="national-0.9", source=lambda progress: NATIONAL, progress=None)
    assert not (current_generation(directory) / "REPORTS.json").exists()
    return directory


def _untouched(directory, generation) -> None:
    assert current_generation(directory) == generation, "the store was replaced"
    assert stored_fingerprint(directory) == "national-0.9"
    assert not list(directory.glob("building-*")), "a rebuild was started"


def test_the_store_layer_refuses_to_rebuild_a_named_store_from_the_bundled_reports(old_national):
    generation = current_generation(old_national)
    with pytest.raises(StoreError, match="will not be replaced") as e:
        ensure_built(old_national, progress=None)
    assert str(old_national) in str(e.value) and "outcome-graph build FOLDER --store NEWDIR" in str(e.value)
    _untouched(old_national, generation)


@pytest.mark.parametrize(
    "command",
    [
        ["query", "risks"],
        ["serve", "--port", "0"],
    ],
    ids=["query", "serve"],
)
def test_the_commands_refuse_and_say_what_to_run(old_national, command):
    generation = current_generation(old_national)
    # in a session of its own: were the refusal to regress, `serve` would rebuild and serve, and its
    # serving process and workers are stopped with it, not left running
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("outcome-graph")), *command, "--store", str(old_national)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise AssertionError(f"`{command[0]} --store` ran on instead of refusing") from None
    assert proc.returncode != 0, stdout
    assert "will not be replaced" in stderr and "outcome-graph build" in stderr, stderr
    assert "Traceback" not in stderr
    _untouched(old_national, generation)


def test_the_bundled_reports_own_store_named_by_the_user_is_rebuilt_when_the_sources_change(tmp_path):
    """`serve --store DIR` built DIR from the bundled reports: after an upgrade (other sources, another
    fingerprint) it is rebuilt from them, not refused; so is such a store made before generations were
    marked (recognised by holding exactly the bundled reports)."""
    from outcome_graph.store.build import BUNDLED

    directory = tmp_path / "mine"
    ensure_built(directory, fingerprint="an-older-version", progress=None)
    first = current_generation(directory)
    assert (first / BUNDLED).is_file()
    (first / BUNDLED).unlink()  # as a store built before the mark
    ensure_built(directory, progress=None)
    second = current_generation(directory)
    assert second != first and stored_fingerprint(directory) != "an-older-version"
    assert (second / BUNDLED).is_file()
