"""One query worker as the pool sees it (its process and socket), and the queue of idle ones.

A worker is a fresh interpreter (`python -m outcome_graph.store.query_worker`) started with the pool's
isolation prefix (store.isolation), one end of a socket pair passed to it as a file descriptor.
"""

from __future__ import annotations

import os
import queue
import select
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from .query_worker import __name__ as WORKER_MODULE

__all__ = ["Idle", "Worker", "start_worker"]


@dataclass(eq=False)  # hashed by identity: the pool keeps a set of them
class Worker:
    process: subprocess.Popen
    conn: Connection
    demoted: bool = False  # running at a lower CPU priority (a long query): see WorkerPool.nice
    niced: int = 0  # how much lower than the server's its CPU priority is (lanes.NICE, WorkerPool.nice)
    answered: int = 0  # requests answered: tests read it to see which worker ran what
    thread: int = 0  # the native id of the worker's query thread (0: not known)
    cpu: float = 0.0  # that thread's CPU seconds when it last answered
    express: bool = False  # kept for light clients' queries (WorkerPool's `express`)
    _poller: select.poll | None = field(default=None, repr=False)

    def poll(self, timeout: float) -> bool:
        """True once the worker's answer can be read (or its socket has closed), within `timeout` seconds.

        One poll object per worker, made once: `Connection.poll` builds, registers and closes a selector
        at every call, twice a query, in the serving process that every request shares. The connection
        keeps no buffer of its own, so the socket being readable is the answer being there."""
        if self._poller is None:
            self._poller = select.poll()
            self._poller.register(self.conn.fileno(), select.POLLIN)
        return bool(self._poller.poll(max(0.0, timeout) * 1000))

    def kill(self) -> None:
        try:
            self.process.kill()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.conn.close()

    def prioritize(self, niced: int) -> bool:
        """Set this worker's CPU priority `niced` lower than the server's; False if the OS refused (only a
        privileged user may raise a priority again)."""
        if self.niced == niced:
            return True
        try:
            os.setpriority(os.PRIO_PROCESS, self.process.pid, os.getpriority(os.PRIO_PROCESS, 0) + niced)
        except (OSError, AttributeError):
            return False
        self.niced = niced
        return True


class Idle(queue.Queue):
    """The idle workers; `take` prefers one already at the CPU priority wanted, so that heavy clients'
    queries keep to workers already lowered and a light client's gets one that never was (an
    unprivileged server cannot raise a worker's priority back)."""

    _want = threading.local()

    def _get(self) -> Worker:  # called by Queue.get with the queue's lock held
        want = getattr(self._want, "niced", None)
        if want is not None:  # the same priority, else one lowered (or not) alike
            for alike in (lambda w: w.niced == want, lambda w: (w.niced > 0) == (want > 0)):
                for i, worker in enumerate(self.queue):
                    if alike(worker):
                        del self.queue[i]
                        return worker
        return self.queue.popleft()

    def take(self, niced: int, timeout: float) -> Worker:
        self._want.niced = niced
        try:
            return self.get(timeout=timeout)
        finally:
            self._want.niced = None


def start_worker(isolation: list[str], path: str, memory_limit: int | None) -> Worker:
    """A worker process started (not yet ready: the pool waits for its "ready")."""
    ours, theirs = socket.socketpair()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    command = [
        *isolation,
        sys.executable,
        "-m",
        WORKER_MODULE,
        str(theirs.fileno()),
        path,
        str(memory_limit or 0),
    ]
    try:
        # A session of its own: a terminal's Ctrl-C goes to the server's process group, and a worker
        # still starting (before it can ignore SIGINT) would die of it with a traceback. The server
        # stops its workers itself, and they die with it (PR_SET_PDEATHSIG, or their socket's EOF).
        process = subprocess.Popen(
            command,
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            env=env,
            close_fds=True,
            start_new_session=True,
        )
    finally:
        theirs.close()
    return Worker(process, Connection(ours.detach()))
