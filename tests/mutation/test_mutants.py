"""The mutation check's list stays in step with the code: every mutant applies exactly once, names tests
that exist, and changes the file (tests/mutation/check.py runs them; see its docstring)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

spec = importlib.util.spec_from_file_location("mutation_check", Path(__file__).with_name("check.py"))
check = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = check  # dataclasses look their module up there
spec.loader.exec_module(check)
MUTANTS = check.load_mutants()


def test_the_list_is_not_empty_and_ids_are_unique():
    ids = [m.id for m in MUTANTS]
    assert len(ids) >= 20
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.id)
def test_each_mutant_applies_once_to_the_code_as_it_is(mutant):
    path = check.ROOT / mutant.file
    planted = check.plant(path.read_text(encoding="utf-8"), mutant)
    assert planted != path.read_text(encoding="utf-8")
    for test in mutant.tests:
        assert (check.ROOT / test.split("::")[0]).exists(), f"{mutant.id}: no test file {test}"


def test_a_stale_mutant_is_refused_with_its_name():
    stale = check.Mutant("stale", "", "x.py", "not there", "", ())
    with pytest.raises(ValueError, match="mutant stale: x.py holds its `find` text 0 times"):
        check.plant("some code", stale)
