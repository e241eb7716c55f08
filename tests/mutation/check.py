"""The mutation check: plant each bug of `mutants.toml` one at a time and run the tests that should catch it.

    python tests/mutation/check.py                 # every mutant; prints a table and the catch rate
    python tests/mutation/check.py --only cache-post-accept --only belt-removed
    python tests/mutation/check.py --list          # the mutants and the tests that should catch each

Each mutant is planted in a copy of the working tree (the files git knows and the untracked ones it does
not ignore), never in the tree itself, and the copy's tests run against the copy's code (PYTHONPATH and
OUTCOME_GRAPH_HOME point there). A mutant counts as caught when pytest reports a failing test (exit 1);
exit 0 is "missed"; any other exit (a collection error, a usage error) is "error", which is not a catch:
a planted bug that breaks the import of the tests tells nothing about the tests. Before the mutants run,
each distinct set of tests is run once on the unmutated copy, and must pass: a test that fails anyway
catches nothing. `tests/mutation/test_mutants.py` (in CI) checks that every mutant still applies, exactly
once, to the code as it is, so the list cannot silently go stale as the code moves.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[2]
MUTANTS = Path(__file__).with_name("mutants.toml")


@dataclass(frozen=True)
class Mutant:
    id: str
    guarantee: str
    file: str
    find: str
    replace: str
    tests: tuple[str, ...]


def load_mutants(path: Path = MUTANTS) -> list[Mutant]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Mutant(m["id"], m["guarantee"], m["file"], m["find"], m["replace"], tuple(m["tests"]))
        for m in data["mutant"]
    ]


def plant(text: str, mutant: Mutant) -> str:
    """The file's text with the bug planted; ValueError unless `find` occurs exactly once."""
    count = text.count(mutant.find)
    if count != 1:
        raise ValueError(f"mutant {mutant.id}: {mutant.file} holds its `find` text {count} times, not once")
    return text.replace(mutant.find, mutant.replace)


def copy_tree(dest: Path) -> None:
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, listed):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    modules = ROOT / "tests" / "browser" / "node_modules"
    if modules.is_dir():
        (dest / "tests" / "browser" / "node_modules").symlink_to(modules)


def run_tests(tree: Path, tests: tuple[str, ...], timeout: float, log: Path) -> tuple[int, str]:
    """pytest's exit code and the first failing test (or its closing line); its output goes to `log`."""
    env = {
        **os.environ,
        "PYTHONPATH": str(tree / "src"),
        "OUTCOME_GRAPH_HOME": str(tree),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-rfE", "-p", "no:cacheprovider", *tests],
            cwd=tree,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return -1, "timed out"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(done.stdout + done.stderr, encoding="utf-8")
    failed = [ln for ln in done.stdout.splitlines() if ln.startswith(("FAILED", "ERROR"))]
    closing = done.stdout.strip().splitlines()[-1:] or [""]
    return done.returncode, failed[0] if failed else closing[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", default=[], help="run this mutant (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--timeout", type=float, default=900, help="seconds for one mutant's tests")
    parser.add_argument("--logs", type=Path, default=ROOT / "out" / "mutation", help="each run's output")
    args = parser.parse_args(argv)
    mutants = [m for m in load_mutants() if not args.only or m.id in args.only]
    if args.list:
        for m in mutants:
            print(f"{m.id:32} {m.file}\n{'':32} {m.guarantee}\n{'':32} tests: {' '.join(m.tests)}")
        return 0
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        tree = Path(tmp) / "tree"
        copy_tree(tree)
        for m in mutants:  # all apply, or nothing runs
            plant((tree / m.file).read_text(encoding="utf-8"), m)
        baseline: dict[tuple[str, ...], tuple[int, str]] = {}
        for n, tests in enumerate(dict.fromkeys(m.tests for m in mutants)):
            baseline[tests] = run_tests(tree, tests, args.timeout, args.logs / f"baseline-{n}.log")
            if baseline[tests][0] != 0:
                print(f"baseline FAILS for {' '.join(tests)}: {baseline[tests][1]}", file=sys.stderr)
        rows = []
        for m in mutants:
            path = tree / m.file
            original = path.read_text(encoding="utf-8")
            path.write_text(plant(original, m), encoding="utf-8")
            started = time.monotonic()
            try:
                code, detail = run_tests(tree, m.tests, args.timeout, args.logs / f"{m.id}.log")
            finally:
                path.write_text(original, encoding="utf-8")
            if baseline[m.tests][0] != 0:
                verdict = "baseline fails"
            else:
                verdict = {1: "caught", 0: "MISSED"}.get(code, "error")
            rows.append((m, verdict, time.monotonic() - started, detail))
            print(f"{m.id:32} {verdict:14} {rows[-1][2]:6.1f}s  {detail[:90]}", flush=True)
    caught = sum(v == "caught" for _, v, _, _ in rows)
    print()
    print("| mutant | guarantee | caught? | by |")
    print("|---|---|---|---|")
    for m, verdict, _, detail in rows:
        print(f"| `{m.id}` | {m.guarantee} | {verdict} | {detail[:80].replace('|', '/')} |")
    print(f"\ncaught {caught} of {len(rows)} ({100 * caught / max(len(rows), 1):.0f}%)")
    return 0 if caught == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
