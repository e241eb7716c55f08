"""The `outcome-graph` command: a thin layer over library functions that the tests call directly.

Each subcommand lives in `outcome_graph.commands.<name>` with `add_arguments(parser)` and
`run(args) -> int`; this module only dispatches and turns user errors into one-line messages.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .errors import OutcomeGraphError

COMMANDS = {
    "build": "build the graph from reports (files or folders) into a file or a store",
    "add": "add or replace reports in a store, one named graph each",
    "validate": "check a graph or reports against the SHACL shapes",
    "serve": "serve the graph over SPARQL, with saved queries, traces and audits",
    "load": "push the graph to a SPARQL server (Graph Store Protocol)",
    "query": "run a saved query",
    "trace": "follow a duty, outcome or record down to its evidence, or up to what it evidences",
    "gaps": "list where the chain from duty to evidence breaks",
    "audit": "write the inspection audit report for a report year",
    "diff": "what changed from one report to the next of the same council",
}


def _command(name: str):
    try:
        return importlib.import_module(f"outcome_graph.commands.{name}")
    except ModuleNotFoundError as e:
        if e.name == f"outcome_graph.commands.{name}":
            return None
        raise


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="outcome-graph", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        module = _command(name)
        if module is None:
            continue
        p = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(p)
        p.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except OutcomeGraphError as e:
        print(f"outcome-graph {args.command}: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
