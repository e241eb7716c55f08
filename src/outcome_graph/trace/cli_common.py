"""Arguments and store opening shared by the trace, gaps and audit commands."""

from __future__ import annotations

import argparse
from pathlib import Path

from .graph import TraceGraph
from .source import load
from .store import open_trace_store


def add_store_arguments(p: argparse.ArgumentParser) -> None:
    where = p.add_mutually_exclusive_group()
    where.add_argument("--store", type=Path, metavar="DIR", help="the embedded store's directory")
    where.add_argument("--endpoint", metavar="URL", help="a SPARQL 1.1 query endpoint to read instead")


def trace_graph(args: argparse.Namespace) -> TraceGraph:
    store = open_trace_store(getattr(args, "store", None), getattr(args, "endpoint", None), quiet=True)
    return load(store, getattr(args, "council", None))


def write_output(data: str | bytes, out: Path | None) -> None:
    import sys

    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            out.write_bytes(data)
        else:
            out.write_text(data, encoding="utf-8")
        return
    if isinstance(data, bytes):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(data)
