"""Every output of the tool is the same bytes for the same graph whatever the hash seed: the CLI commands
(build, validate, gaps, trace, audit, every saved query) and the served pages, each run in processes
started with different PYTHONHASHSEED values over one store built beforehand (tests/determinism_runner.py
runs them and gives the SHA-256 of each output).

A set or dict iterated without sorting, a SPARQL answer taken in the engine's order, or a value picked
from several by the order rdflib yields them changes with the seed; this is what tells."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

RUNNER = Path(__file__).with_name("determinism_runner.py")
CLI_SEEDS = ("0", "1", "2", "3")
PAGE_SEEDS = ("0", "1", "2", "3")


@pytest.fixture(scope="module")
def built_store_dir(tmp_path_factory) -> Path:
    """One store, built once before the seeded processes start (they would otherwise race to build it)."""
    from outcome_graph.store import open_store

    directory = tmp_path_factory.mktemp("determinism-store")
    open_store(directory, progress=None).close()
    return directory


def run_seeds(which: str, seeds: tuple[str, ...], store: Path, out: Path) -> dict[str, dict]:
    """{seed: {output name: digest}}, the seeds' processes run side by side."""
    procs = {}
    for seed in seeds:
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "OUTCOME_GRAPH_STORE": str(store),
            # the audit prints when it was made: one fixed moment for every run
            "SOURCE_DATE_EPOCH": "1764633600",
        }
        procs[seed] = subprocess.Popen(
            [sys.executable, str(RUNNER), which, str(out / f"{which}-{seed}")],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    results = {}
    for seed, p in procs.items():
        stdout, stderr = p.communicate(timeout=900)
        assert p.returncode == 0, f"seed {seed}: {stderr.decode()[-3000:]}"
        results[seed] = json.loads(stdout)
    return results


def first_difference(a: Path, b: Path) -> str:
    for i, (x, y) in enumerate(zip(a.read_bytes().splitlines(), b.read_bytes().splitlines(), strict=False)):
        if x != y:
            return f"line {i + 1}:\n  {x[:300]!r}\n  {y[:300]!r}"
    return "one output is a prefix of the other"


def assert_same(results: dict[str, dict], out: Path, which: str) -> None:
    seeds = list(results)
    base = results[seeds[0]]
    assert len(base) > 20, "the runner ran too few outputs to tell anything"
    diffs = []
    for seed in seeds[1:]:
        assert results[seed].keys() == base.keys()
        for name, d in base.items():
            if results[seed][name]["sha256"] != d["sha256"]:
                diff = first_difference(
                    out / f"{which}-{seeds[0]}" / d["file"], out / f"{which}-{seed}" / d["file"]
                )
                diffs.append(f"{name!r} (seed {seeds[0]} vs {seed}) differs at {diff}")
    assert not diffs, "output depends on the hash seed:\n" + "\n".join(diffs)


def test_every_command_gives_the_same_bytes_under_every_hash_seed(built_store_dir, tmp_path):
    results = run_seeds("cli", CLI_SEEDS, built_store_dir, tmp_path)
    assert_same(results, tmp_path, "cli")
    # The outputs are real ones, not errors: every command succeeded, and the reports' counts are there.
    out = tmp_path / f"cli-{CLI_SEEDS[0]}"
    failed = [
        n
        for n, d in results[CLI_SEEDS[0]].items()
        if not (out / d["file"]).read_bytes().startswith(b"exit 0\n")
    ]
    assert not failed, f"commands that failed: {failed}"
    gaps = json.loads(
        (out / results[CLI_SEEDS[0]]["gaps --format json"]["file"]).read_bytes().split(b"\n", 1)[1]
    )
    said = {(r["count"], r["report"]): r["value"] for r in gaps["record_counts"]}
    # The example: 2016/17 "PIs on target or complete" and "PIs total" (the saved query's 19, 24).
    assert said[("pis-on-target-or-complete", "2016-2017")] == 19
    assert said[("pis-total", "2016-2017")] == 24


def test_every_page_gives_the_same_bytes_under_every_hash_seed(built_store_dir, tmp_path):
    results = run_seeds("pages", PAGE_SEEDS, built_store_dir, tmp_path)
    assert_same(results, tmp_path, "pages")
    statuses = {
        name: (tmp_path / f"pages-{PAGE_SEEDS[0]}" / d["file"]).read_bytes().split(b" ", 1)[0]
        for name, d in results[PAGE_SEEDS[0]].items()
    }
    # Answered (a redirect, e.g. /trace?q= to the search page, is an answer), not an error.
    errors = {n for n, s in statuses.items() if not s.startswith((b"2", b"3"))}
    assert errors == set(), "every compared page must be answered"
