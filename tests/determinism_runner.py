"""Runs every output of the tool once in this process and prints, as JSON, the SHA-256 of each output's
bytes. tests/test_determinism.py starts it under several PYTHONHASHSEED values and compares the digests:
the hash seed is fixed per process, so one process per seed is what tells set/dict-order dependence.

    python tests/determinism_runner.py cli|pages OUTDIR     (OUTCOME_GRAPH_STORE names a built store)

Each output is also written to OUTDIR, so that a failing comparison can show the first differing line.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import sys
from pathlib import Path

# Nodes whose traces cover the kinds of records: a service-plan PI, a statute (the largest trace), a
# national LGBF indicator (two indicator sets), an action (minted per report), a Promise foundation.
TRACE_NODES = (
    "CSPC.P.1.2a",
    "http://www.legislation.gov.uk/id/asp/2014/8",
    "CHN8a",
    "https://w3id.org/outcome-graph/id/framework/the-promise/foundation/voice",
)
YEARS = ("2016/17", "2020/21")
# Values for the parameters a saved query requires (the others keep their defaults).
REQUIRED = {"code": "CSPC.P.2.1", "iri": "ogr:midlothian/indicator/CSPC.P.1.2a", "string": "poverty"}


def cli_runs(out: Path) -> list[list[str]]:
    """Every command whose output is compared, as argv lists (without the program name)."""
    from outcome_graph.saved_queries import load_queries

    runs: list[list[str]] = [
        ["build", "--no-validate", "--out", str(out / "graph.nt")],
        ["build", "--no-validate", "--out", str(out / "graph.ttl")],
        ["validate", "--format", "json"],
        ["validate", "--format", "turtle"],
        ["gaps"],
        ["gaps", "--format", "json"],
    ]
    for year in YEARS:
        runs.append(["audit", "--report", year, "--format", "json"])
    runs.append(["audit", "--report", "2020/21", "--compare", "2016/17"])
    # what changed, with every continuity link, suggestion and score (issue 18)
    runs += [["diff", "2016-2017", "2020-2021"], ["diff", "2016-2017", "2020-2021", "--format", "json"]]
    for node in TRACE_NODES:
        runs.append(["trace", node, "--format", "json"])
    runs.append(["trace", "CHN8a", "--up"])
    runs.append(["trace", "http://www.legislation.gov.uk/id/asp/2014/8", "--across"])
    runs.append(["trace", "CSPC.P.1.2a", "--format", "svg"])
    for name, q in load_queries().items():
        params = ["--param", "report=2016/17"] if any(p.name == "report" for p in q.parameters) else []
        params += [a for p in q.parameters if p.required for a in ("--param", f"{p.name}={REQUIRED[p.type]}")]
        runs.append(["query", name, "--format", "csv", *params])
    return runs


def run_cli(argv: list[str]) -> bytes:
    from outcome_graph.cli import main

    buf = io.BytesIO()
    stdout = io.TextIOWrapper(buf, encoding="utf-8", newline="")
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
        code = main(argv)
        stdout.flush()
    body = buf.getvalue()
    # --out writes a file instead of standard output: compare the file.
    if "--out" in argv:
        body += Path(argv[argv.index("--out") + 1]).read_bytes()
    return f"exit {code}\n".encode() + body


def page_urls() -> list[str]:
    from outcome_graph.saved_queries import load_queries

    urls = ["/", "/queries", "/openapi.json", "/gaps", "/gaps?format=json", "/validation"]
    urls += ["/validation?format=json", "/?example=reported-totals", "/?example=off-target-indicators"]
    for year in ("2016-2017", "2020-2021"):
        urls += [f"/audit?report={year}", f"/audit?report={year}&format=json"]
        urls += [f"/audit.csv?report={year}&table={t}" for t in ("summary", "indicators", "gaps", "warnings")]
        urls += [f"/gaps?report={year}"]
    for node in TRACE_NODES:
        urls += [f"/trace?node={node}", f"/trace?node={node}&format=json", f"/trace?node={node}&format=svg"]
    urls += ["/trace?q=corporate+parenting", "/id/midlothian/indicator/CSPC.P.1.2a"]
    urls += ["/id/midlothian/report/2020-2021", "/resource?iri=http://www.legislation.gov.uk/id/asp/2014/8"]
    for name, q in load_queries().items():
        given = "".join(f"&{p.name}={REQUIRED[p.type]}" for p in q.parameters if p.required)
        urls += [f"/queries/{name}?format={f}{given}" for f in ("html", "json", "csv", "tsv", "xml")]
    return urls


def run_pages() -> dict[str, bytes]:
    from outcome_graph.serve.app import create_app

    # A generous time limit: on a busy machine a query stopped at the default 10 s would make two runs
    # differ for a reason that is not the hash seed (stopping queries is tested in tests/serve/).
    config = {"store_dir": os.environ["OUTCOME_GRAPH_STORE"], "workers": 1, "timeout": 300}
    app = create_app(config=config)
    client = app.test_client()
    out = {}
    for url in page_urls():
        r = client.get(url)
        # Headers that name the response's own bytes (ETag) are compared through the body.
        out[url] = f"{r.status_code} {r.mimetype}\n".encode() + r.get_data()
    return out


def main() -> int:
    which, outdir = sys.argv[1], Path(sys.argv[2])
    outdir.mkdir(parents=True, exist_ok=True)
    outputs: dict[str, bytes] = {}
    if which == "cli":
        for argv in cli_runs(outdir):
            outputs[" ".join(a.replace(str(outdir), "OUT") for a in argv)] = run_cli(argv)
    else:
        outputs = run_pages()
    digests = {}
    for i, (name, body) in enumerate(outputs.items()):
        (outdir / f"{i:03d}.out").write_bytes(body)
        digests[name] = {"sha256": hashlib.sha256(body).hexdigest(), "file": f"{i:03d}.out"}
    print(json.dumps(digests))
    return 0


if __name__ == "__main__":
    sys.exit(main())
