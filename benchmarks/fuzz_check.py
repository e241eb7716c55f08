"""The differential fuzzer of the query check, for longer than CI runs it (issue 16 part 1).

    python benchmarks/fuzz_check.py --seconds 300 --seed 1

Generates queries from SPARQL's grammar with keyword-like prefixes, glued tokens, codepoint escapes and
odd whitespace; compares what the check concludes (refused and why; or the form and the dataset) with
what Oxigraph does running the check's canonical text, in a network namespace whose loopback holds a
listener (see tests/serve/differential.py). Prints the counts; exits 1 on any disagreement, printing
the first few.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "serve"))

from differential import fuzz  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    counts, disagreements = fuzz(args.seconds, args.seed)
    width = max(len(k) for k in counts)
    for key in sorted(counts):
        print(f"{key:<{width}}  {counts[key]}")
    for d in disagreements[:5]:
        print(json.dumps(d, ensure_ascii=False))
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
