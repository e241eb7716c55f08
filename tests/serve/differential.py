"""A differential fuzzer for the query check: what the check concludes about a query, against what
Oxigraph does when it runs the check's canonical text (issue 16 part 1).

Queries are generated from SPARQL's grammar with the tricks that once split the check from the engine:
prefixes named like keywords (`SERVICEx:`, `FROMx:`, `LOADx:`), tokens written against each other,
codepoint escapes (`\\u`, `\\U`) in keywords, IRIs, prefix names and strings, comments ended by CR, odd
whitespace. For each, the check says: refused (and why), or accepted with a form (SELECT, ASK,
CONSTRUCT, DESCRIBE) and a dataset (FROM, FROM NAMED).

The oracle is the engine itself: an in-memory pyoxigraph store in a process of its own, in a network
namespace (`unshare -rn`) whose own loopback holds a listener on the port every generated IRI names;
so any fetch the engine attempts, through SERVICE or anything else, is seen. For each accepted query the
oracle runs the canonical text, and reports the kind of result, whether the listener was reached, and
(with FROM) whether the rows are the same when the check's dataset is handed to the engine explicitly.
It also runs the original text unchecked, to count what the check refused that the engine would in
fact have fetched.

A disagreement is: an accepted query whose canonical text made the engine fetch; an accepted query whose
result is of another form than the check said; an accepted query whose FROM / FROM NAMED the engine read
otherwise than the check. There must be none.

    python benchmarks/fuzz_check.py --seconds 60 --seed 1
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

from outcome_graph.sparql import Refused
from outcome_graph.sparql.check import _check

PORT = 5072  # inside the oracle's own network namespace: no other process can hold it
HOST = f"http://127.0.0.1:{PORT}"

ORACLE = r'''
import fcntl, json, select, socket, struct, sys, threading
import pyoxigraph as ox

# a new network namespace's loopback is down: bring it up (SIOCGIFFLAGS, SIOCSIFFLAGS | IFF_UP)
probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
flags = struct.unpack("16sH", fcntl.ioctl(probe, 0x8913, struct.pack("16sH", b"lo", 0)))[1]
fcntl.ioctl(probe, 0x8914, struct.pack("16sH", b"lo", flags | 1))
probe.close()

PORT = int(sys.argv[1])
hits = 0
lock = threading.Lock()
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", PORT))
srv.listen(64)
ANSWER = (b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nConnection: close\r\n\r\n"
          b'{"head":{"vars":["s"]},"results":{"bindings":[]}}')

def serve():
    global hits
    while True:
        conn, _ = srv.accept()
        with lock:
            hits += 1
        try:
            conn.settimeout(1)
            conn.recv(4096)
            conn.sendall(ANSWER)
        except OSError:
            pass
        conn.close()

threading.Thread(target=serve, daemon=True).start()

def seen():
    """Connections made so far, once every connection already queued has been accepted."""
    while select.select([srv], [], [], 0)[0]:
        pass  # the accepting thread has not taken it yet
    with lock:
        return hits

H = "http://127.0.0.1:%d/" % PORT
store = ox.Store()
N = ox.NamedNode
store.add(ox.Quad(N(H + "s"), N(H + "p"), ox.Literal("default")))
store.add(ox.Quad(N(H + "s"), N(H + "p"), ox.Literal("g1"), N(H + "g1")))
store.add(ox.Quad(N(H + "s"), N(H + "q"), ox.Literal("g2"), N("urn:x:g2")))
store.add(ox.Quad(N("urn:x:s"), N("urn:x:p"), N(H + "o"), N(H + "base/g")))

def run(text, **dataset):
    try:
        result = store.query(text, **dataset)
        if isinstance(result, ox.QueryBoolean):
            return "ASK", [str(bool(result))]
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            return "SELECT", sorted(str([(n, str(s[n])) for n in names]) for s in result)
        return "GRAPH", sorted(str(t) for t in result)
    except SyntaxError as e:
        return "syntax-error", [str(e)[:200]]
    except Exception as e:
        return "error", [type(e).__name__ + ": " + str(e)[:200]]

print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    job = json.loads(line)
    out = {}
    before = seen()
    if job.get("canonical") is not None:
        out["kind"], rows = run(job["canonical"])
        out["fetched"] = seen() - before
        if job.get("dataset") is not None:
            default, named = job["dataset"]
            kind2, rows2 = run(job["canonical"], default_graph=[N(g) for g in default],
                               named_graphs=[N(g) for g in named])
            out["same_rows_with_dataset"] = (kind2, rows2) == (out["kind"], rows)
    before = seen()
    out["original_kind"], _ = run(job["original"])
    out["original_fetched"] = seen() - before
    print(json.dumps(out), flush=True)
'''


def isolation_prefix() -> list[str] | None:
    """The command prefix that runs the oracle in a network namespace of its own (a user namespace too,
    so that no privilege is needed; the oracle brings its loopback up), or None where the OS refuses."""
    unshare = shutil.which("unshare")
    if not unshare or not sys.platform.startswith("linux"):
        return None
    probe = subprocess.run([unshare, "-rn", "true"], capture_output=True)
    if probe.returncode != 0:
        return None
    return [unshare, "-rn"]


class Oracle:
    """The engine in its own network namespace, with a listener on its loopback (see ORACLE)."""

    def __init__(self):
        prefix = isolation_prefix()
        if prefix is None:
            raise OSError("unshare -rn is refused here: no network namespace for the oracle")
        self.process = subprocess.Popen(
            [*prefix, sys.executable, "-c", ORACLE, str(PORT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        ready = self.process.stdout.readline()  # type: ignore[union-attr]
        if not ready.strip():
            raise OSError("the oracle did not start")

    def ask(self, job: dict) -> dict:
        self.process.stdin.write(json.dumps(job) + "\n")  # type: ignore[union-attr]
        self.process.stdin.flush()  # type: ignore[union-attr]
        line = self.process.stdout.readline()  # type: ignore[union-attr]
        if not line:
            raise OSError(f"the oracle died on {job['original']!r}")
        return json.loads(line)

    def close(self) -> None:
        self.process.stdin.close()  # type: ignore[union-attr]
        self.process.wait(timeout=10)


# ---- the generator -----------------------------------------------------------------------------------

KEYWORDISH = [
    "SERVICE",
    "SERVICEx",
    "SERVICE_",
    "service",
    "FROM",
    "FROMx",
    "fromNAMED",
    "LOAD",
    "LOADx",
    "NAMED",
    "NAMEDx",
    "GRAPHx",
    "SELECTx",
    "WHERE",
    "ASKx",
    "SILENT",
    "SILENTx",
    "a",
    "x",
    "BASEx",
]
VARS = ["?s", "?p", "?o", "?x", "$y"]
FORMS = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]


def _escape(rng: random.Random, text: str) -> str:
    """`text` with some characters written as \\u or \\U codepoint escapes."""
    out = []
    for ch in text:
        roll = rng.random()
        if roll < 0.15:
            out.append(f"\\u{ord(ch):04X}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08X}")
        elif roll < 0.25:
            out.append(f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    return "".join(out)


@dataclass
class Gen:
    rng: random.Random
    prefixes: list[str] = field(default_factory=list)

    def ws(self) -> str:
        r = self.rng.random()
        if r < 0.2:
            return ""  # glued
        if r < 0.3:
            return self.rng.choice(["\t", "\r", "\n", "\r\n", "  "])
        if r < 0.37:
            return self.rng.choice([" # c\r", " # c\n", "#\\u000A\n", " #x\r\n"])
        return " "

    def kw(self, word: str) -> str:
        word = word if self.rng.random() < 0.7 else word.lower()
        return _escape(self.rng, word) if self.rng.random() < 0.2 else word

    def iri(self) -> str:
        r = self.rng.random()
        if r < 0.2 and self.prefixes:
            return self.rng.choice(self.prefixes) + ":" + self.rng.choice(["", "s", "p", "g1", "x"])
        target = self.rng.choice(["s", "p", "o", "g1", "sparql", "base/g", ""])
        text = (
            f"{HOST}/{target}" if self.rng.random() < 0.8 else self.rng.choice(["urn:x:g2", "g1", "base/g"])
        )
        return "<" + (_escape(self.rng, text) if self.rng.random() < 0.2 else text) + ">"

    def term(self) -> str:
        r = self.rng.random()
        if r < 0.5:
            return self.rng.choice(VARS)
        if r < 0.8:
            return self.iri()
        return self.rng.choice(['"x"', "'default'", '"\\U0001F600"', '"""a "b" c"""', "1", "2.5", '"g1"@en'])

    def triple(self) -> str:
        w = self.ws
        return f"{self.term()}{w() or ' '}{self.term()}{w() or ' '}{self.term()}{w()}."

    def group(self, depth: int = 0) -> str:
        parts = []
        for _ in range(self.rng.randint(0, 3)):
            r = self.rng.random()
            if depth < 3 and r < 0.15:
                parts.append(
                    f"{self.kw('SERVICE')}{self.ws()}{self.rng.choice(['', 'SILENT '])}{self.iri()}"
                    f"{self.ws()}{self.group(depth + 1)}"
                )
            elif depth < 3 and r < 0.25 and self.prefixes:
                # a keyword-like prefixed name where a keyword could be read
                parts.append(f"{self.rng.choice(self.prefixes)}:{self.ws()}{self.group(depth + 1)}")
            elif depth < 3 and r < 0.35:
                parts.append(
                    f"{self.kw('FILTER')}{self.ws()}{self.kw('EXISTS')}{self.ws()}{self.group(depth + 1)}"
                )
            elif depth < 3 and r < 0.45:
                parts.append(f"{self.kw('OPTIONAL')}{self.ws()}{self.group(depth + 1)}")
            elif depth < 3 and r < 0.52:
                parts.append(
                    f"{self.kw('GRAPH')}{self.ws()}{self.rng.choice(['?g', self.iri()])}"
                    f"{self.ws()}{self.group(depth + 1)}"
                )
            elif r < 0.6:
                parts.append(f"{self.kw('BIND')}({self.term()}{self.ws() or ' '}{self.kw('AS')} ?b{depth})")
            else:
                parts.append(self.triple())
        return "{" + self.ws() + self.ws().join(parts) + self.ws() + "}"

    def query(self) -> str:
        self.prefixes = []
        head = []
        if self.rng.random() < 0.3:
            head.append(f"{self.kw('BASE')}{self.ws() or ' '}<{HOST}/base/>")
        for _ in range(self.rng.randint(0, 3)):
            name = self.rng.choice(KEYWORDISH)
            self.prefixes.append(name)
            written = _escape(self.rng, name) if self.rng.random() < 0.15 else name
            namespace = self.rng.choice([f"{HOST}/sparql", f"{HOST}/", "urn:x:", "g1"])
            head.append(f"{self.kw('PREFIX')}{self.ws() or ' '}{written}:{self.ws()}<{namespace}>")
        form = self.rng.choice(FORMS)
        if form == "SELECT":
            head.append(f"{self.kw('SELECT')}{self.ws() or ' '}*")
        elif form == "CONSTRUCT":
            head.append(f"{self.kw('CONSTRUCT')}{self.ws()}{{ ?s ?p ?o }}")
        elif form == "DESCRIBE":
            head.append(f"{self.kw('DESCRIBE')}{self.ws() or ' '}?s")
        else:
            head.append(self.kw("ASK"))
        for _ in range(self.rng.randint(0, 2)):
            named = self.kw("NAMED") + " " if self.rng.random() < 0.5 else ""
            head.append(f"{self.kw('FROM')}{self.ws() or ' '}{named}{self.iri()}")
        where = self.kw("WHERE") if self.rng.random() < 0.5 and form != "ASK" else ""
        body = self.group()
        if form == "CONSTRUCT" or form == "SELECT":
            body = body[:-1] + " ?s ?p ?o }"
        return " ".join(head) + " " + where + self.ws() + body


# ---- the comparison ----------------------------------------------------------------------------------

_KINDS = {"SELECT": "SELECT", "ASK": "ASK", "CONSTRUCT": "GRAPH", "DESCRIBE": "GRAPH"}


def fuzz(seconds: float, seed: int, check=_check) -> tuple[Counter, list[dict]]:
    """Run for `seconds`; the counts, and every disagreement found (there must be none)."""
    rng = random.Random(seed)
    gen = Gen(rng)
    counts: Counter = Counter()
    disagreements: list[dict] = []
    oracle = Oracle()
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            original = gen.query()
            counts["queries"] += 1
            try:
                info = check(original)
            except Refused as e:
                reason = "SERVICE" if "SERVICE is refused" in e.message else "other"
                counts[f"refused ({reason})"] += 1
                out = oracle.ask({"original": original})
                if out["original_fetched"]:
                    counts["fetches seen (original text, refused by the check)"] += out["original_fetched"]
                    if reason != "SERVICE":
                        counts["refused for another reason, would have fetched"] += 1
                continue
            counts["accepted"] += 1
            dataset = [list(info.default_graphs), list(info.named_graphs)] if info.has_dataset else None
            out = oracle.ask({"original": original, "canonical": str(info.text), "dataset": dataset})
            counts["fetches seen (canonical text)"] += out["fetched"]
            # what the canonical text defuses: the engine reading the text as sent otherwise than the check
            if out["original_fetched"]:
                counts["accepted, and the engine fetched on the text as sent"] += 1
            elif out["original_kind"] not in ("syntax-error", "error", _KINDS[info.form]):
                counts["accepted, and the engine read another form in the text as sent"] += 1
            if out["kind"] in ("syntax-error", "error"):
                counts[f"accepted, engine {out['kind']}"] += 1
            problem = None
            if out["fetched"]:
                problem = "the engine fetched while running the canonical text"
            elif out["kind"] not in ("syntax-error", "error") and out["kind"] != _KINDS[info.form]:
                problem = f"the check says {info.form}, the engine answered {out['kind']}"
            elif dataset is not None and not out.get("same_rows_with_dataset", True):
                problem = "the engine read FROM / FROM NAMED otherwise than the check"
            if problem:
                counts["disagreements"] += 1
                disagreements.append({"query": original, "canonical": str(info.text), "problem": problem})
    finally:
        oracle.close()
    counts.setdefault("disagreements", 0)
    return counts, disagreements
