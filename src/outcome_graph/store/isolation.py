"""How query workers are kept off the network: a network namespace of their own, found once.

Each worker runs in a network namespace of its own (`unshare --net`, or `unshare -r -n` through a user
namespace when not root), which holds only a loopback interface that is down: even a query that a
check wrongly let through cannot reach any host, this one included. Where the OS refuses, the pool says
so once (a warning on the `outcome_graph` logger and on stderr) and runs its workers without that layer.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading

__all__ = ["isolation"]

_log = logging.getLogger("outcome_graph.store.workers")
_isolation: tuple[list[str], str] | None = None
_isolation_lock = threading.Lock()


def isolation() -> tuple[list[str], str]:
    """(command prefix that starts a process without network, how) — or ([], why not), found once.

    The prefix is tried on `true` first: a kernel or container that refuses namespaces is found here,
    at start, not at the first query.
    """
    global _isolation
    with _isolation_lock:
        if _isolation is None:
            _isolation = _find_isolation()
            if not _isolation[0]:
                message = (
                    f"outcome-graph: WARNING: query workers run WITH network access ({_isolation[1]}); "
                    "the query checks are then the only layer that keeps queries from making requests"
                )
                _log.warning(message)
                print(message, file=sys.stderr, flush=True)
        return _isolation


def _find_isolation() -> tuple[list[str], str]:
    if os.environ.get("OUTCOME_GRAPH_WORKER_NETWORK") == "1":
        return [], "OUTCOME_GRAPH_WORKER_NETWORK=1 asks for it"
    unshare = shutil.which("unshare")
    if not sys.platform.startswith("linux") or not unshare:
        return [], "no unshare(1) on this system: network namespaces are Linux's"
    attempts = [[unshare, "--net"]] if os.geteuid() == 0 else []
    attempts.append([unshare, "--map-root-user", "--net"])  # a user namespace, for an unprivileged user
    errors = []
    for prefix in attempts:
        try:
            done = subprocess.run([*prefix, "true"], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired) as e:
            errors.append(str(e))
            continue
        if done.returncode == 0:
            return prefix, " ".join(prefix[1:])
        errors.append(done.stderr.strip() or f"exit status {done.returncode}")
    return [], "the system refuses a network namespace: " + "; ".join(errors)
