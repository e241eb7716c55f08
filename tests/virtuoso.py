"""Debian's Virtuoso 7 (`virtuoso-t`) on loopback, for the remote-store tests.

The server runs in the foreground (+foreground) in its own process group, from a scratch database
directory and an ini written here, so that nothing of the Debian package's own service (port 8890/1111,
/var/lib/virtuoso-opensource-7) is used or needed:

- ServerPort (SQL/isql) and the HTTP ServerPort on free 127.0.0.1 ports: nothing listens beyond loopback;
- ResultSetMaxRows = 20000: above the graph's 11,946 triples (so the whole-graph CONSTRUCT of validation
  and the audit is complete) and low enough that a cross product exceeds it — the truncation tests
  need a server that cuts;
- MaxQueryExecutionTime = 5: Virtuoso's "anytime" answer (incomplete results with 200 OK) comes in seconds;
- DirsAllowed: the scratch directory only (bulk loading with ld_dir reads from nowhere else).

The graph goes in with the project's own Graph Store Protocol client as a dedicated login `og_loader`
(created with isql, given SPARQL_UPDATE), not as dba.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import free_port

from outcome_graph.store.credentials import Credentials
from outcome_graph.store.gsp import put_graph
from outcome_graph.store.remote import DEFAULT_GRAPH

VIRTUOSO = "/usr/bin/virtuoso-t"
ISQL = "/usr/bin/isql-vt"
VSP_ROOT = "/var/lib/virtuoso-opensource-7/vsp"
RESULT_SET_MAX_ROWS = 20000
MAX_QUERY_EXECUTION_TIME = 5
LOADER = Credentials("og_loader", "og-secret-4711")

INI = """\
[Database]
DatabaseFile       = {db}/virtuoso.db
ErrorLogFile       = {db}/virtuoso.log
LockFile           = {db}/virtuoso.lck
TransactionFile    = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile    = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
CheckpointInterval   = 0
DirsAllowed          = {db}
NumberOfBuffers      = {buffers}
MaxDirtyBuffers      = {dirty}
ThreadsPerQuery      = 2
MaxClientConnections = 8

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {vsp}
ServerThreads        = 8
MaxClientConnections = 8
Charset              = UTF-8

[SPARQL]
ResultSetMaxRows           = {max_rows}
MaxQueryExecutionTime      = {max_time}
MaxQueryCostEstimationTime = 400
"""


def required() -> bool:
    ci = os.environ.get("CI", "").lower() == "true"
    return ci or os.environ.get("OUTCOME_GRAPH_REQUIRE_VIRTUOSO") == "1"


@dataclass
class Virtuoso:
    process: subprocess.Popen
    base: str  # http://127.0.0.1:PORT
    sql_port: int
    directory: Path

    @property
    def endpoint(self) -> str:
        return f"{self.base}/sparql"

    @property
    def graph_store(self) -> str:
        return f"{self.base}/sparql-graph-crud-auth"

    def isql(self, statements: str) -> str:
        done = subprocess.run(
            [ISQL, str(self.sql_port), "dba", "dba", f"exec={statements}"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql failed: {done.stdout} {done.stderr}")
        return done.stdout

    def load(self, ntriples: bytes, graph: str = DEFAULT_GRAPH) -> None:
        put_graph(self.graph_store, ntriples, graph=graph, credentials=LOADER)

    def drop_graphs(self, prefix: str) -> None:
        """Drop every graph whose IRI starts with `prefix`: Virtuoso's default dataset is the union of all
        its graphs, so a test's own graphs left behind would double the session's data for every later
        test."""
        graphs = self.isql(
            "SPARQL SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(STRSTARTS(STR(?g), '{prefix}')) }};"
        )
        for graph in sorted(set(re.findall(re.escape(prefix) + r"\S*", graphs))):
            self.isql(f"SPARQL CLEAR GRAPH <{graph}>;")

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass


def start_virtuoso(
    directory: Path,
    *,
    max_rows: int = RESULT_SET_MAX_ROWS,
    max_time: int = MAX_QUERY_EXECUTION_TIME,
    buffers: int = 10000,
) -> Virtuoso:
    """Start virtuoso-t on free loopback ports with a scratch database in `directory`; with a loader login.
    The tests keep the defaults; benchmarks/virtuoso_national.py raises the limits and the page buffers
    (8 KB each) for a national graph."""
    if not (Path(VIRTUOSO).exists() and Path(ISQL).exists()):
        message = f"Debian's virtuoso-opensource ({VIRTUOSO}, {ISQL}) is not installed"
        if required():
            pytest.fail(message + ": apt-get install virtuoso-opensource (CI requires it)")
        pytest.skip(message)
    db = directory / "db"
    db.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    while sql_port == http_port:
        sql_port = free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(
        INI.format(
            db=db,
            sql_port=sql_port,
            http_port=http_port,
            vsp=VSP_ROOT if Path(VSP_ROOT).is_dir() else directory,  # /sparql needs no page of its own
            max_rows=max_rows,
            max_time=max_time,
            buffers=buffers,
            dirty=buffers * 3 // 5,
        )
    )
    log = open(directory / "virtuoso.out", "wb")  # noqa: SIM115 - the server writes to it until stopped
    process = subprocess.Popen(
        [VIRTUOSO, "+foreground", "+configfile", str(ini)],
        cwd=directory,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = Virtuoso(process, f"http://127.0.0.1:{http_port}", sql_port, directory)
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            output = (directory / "virtuoso.out").read_text()[-2000:]
            raise RuntimeError(f"virtuoso-t exited at start: {output}")
        try:
            with urllib.request.urlopen(f"{server.endpoint}?query=ASK%7B%7D", timeout=2):
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError("virtuoso-t did not answer within 120 s")
        time.sleep(0.2)
    server.isql(
        f"DB.DBA.USER_CREATE('{LOADER.user}', '{LOADER.password}'); GRANT SPARQL_UPDATE TO \"{LOADER.user}\";"
    )
    return server
