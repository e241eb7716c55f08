"""A lane's worker slots, shared between clients: work-conserving, fair, and waiting before refusing.

- **Work-conserving.** A free slot with nobody waiting is taken at once, whoever asks and however many
  they already hold: an idle server refuses no one (one analyst's parallel script, an office behind
  one NAT address, a federating client opening eight connections).
- **Fair.** When slots are taken, requests wait, each client in a queue of its own. A slot that comes
  free goes to the waiting client that holds the fewest slots, and among those to the one that has
  used the lane least lately (the worker seconds its requests took, plus a little for every request
  that arrived, served or refused, halving every `HALF_LIFE` seconds), then the one waiting longest.
  So a client whose queries run long, or who loops on the lane, is served after one that asks for a
  moment now and then: a fresh cheap query or an /id/ page waits for the next slot that comes free,
  not behind forty addresses' runaways or /search loops. What a request costs counts against its own
  sender.
- **Bounded.** At most `capacity` requests hold or wait for a slot. When the lane is full, a client
  with less than the busiest waiting client (fewer slots held or waited for by two, or by one and
  less use of the lane lately) takes that client's most recent waiting place (the busiest gets 429: it
  has its share in hand); otherwise the newcomer is refused at once (429 when it already has its share,
  503 when the server is simply full). Nobody waits longer than `max_wait` (503).

  "Use" is one measure for both choices, the freed slot and the full lane's place: worker seconds plus
  `PER_REQUEST` for every request sent (served or refused). It was once the count of requests sent for
  the full lane, and a patient attacker (forty addresses, each one runaway in flight, re-sent only when
  answered) sent fewer requests than a visitor asking now and then, so the lane's places stayed with
  the runaways and the visitor's cheap queries were refused (benchmarks/admission.py, 40 attackers).
  By use, a query stopped at its 1 s budget weighs as much as 200 refused knocks: a runaway's sender
  and a knocking flood both weigh more than a visitor whose queries take milliseconds. A client the
  lane has no record of starts with `NEWCOMER` seconds (fading like all use): forty addresses that
  appeared a moment ago are unknown, and unknown is not the same as light, so a visitor known to ask
  briefly goes before them; a new visitor is one newcomer among the others.

- **A worker for the light.** A lane may have `express` slots beyond `slots`: any client takes them,
  but a client that is not light (`LIGHT`) never holds more than `slots` of the lane's slots together
  with the other such clients. So when heavier clients' queries (runaways, a flood of new texts) hold
  every ordinary slot, a light client's cheap query does not wait for one of them to end or to be
  stopped (which took 1.5-5 s under forty attackers: benchmarks/admission.py): it runs at once on the
  express worker, and the heavier queries run at a lower CPU priority meanwhile (`nice`).

Every refusal says why and carries Retry-After (the caller's Busy). `admitted` counts who got a slot:
tests read it to see where work ran, instead of timing it.
"""

from __future__ import annotations

import collections
import itertools
import math
import threading
import time

from ..store.lanes import Busy

HALF_LIFE = 10.0  # seconds over which a client's recent use of a lane halves
PER_REQUEST = 0.005  # seconds of use counted for each request, served or refused, however short
NEWCOMER = 1.0  # seconds of use a client starts with when the lane has no record of it (a budget's worth)
# A client is light, and may take an express slot, once a request of theirs has held a slot and ended
# (an address that only knocks, or whose first request still waits, is unknown, not light), while no
# query of theirs was stopped lately (STOPPED_KEPT) and their own use lately, not counting NEWCOMER's
# start, is under this. A visitor whose first query was answered in milliseconds is light at once; it
# used to wait ten seconds for NEWCOMER to fade below LIGHT, and a fresh query sent under attack in
# that time waited 3.8 s for an ordinary worker (benchmarks/admission.py --attackers 8,40).
LIGHT = 0.5
# Of a client whose query was stopped lately, each this many seconds of use beyond the first lower its
# queries' CPU priority by one more step (see `nice`).
HEAVY = 2.0
# A client whose query was stopped (at its budget or its time limit) within this many seconds is
# neither light nor given the server's CPU priority, whatever its use: an attacker paused after its
# runaways were stopped knocks rarely on a loaded server, its use fades below LIGHT during the pause, and
# its next runaway took the express worker (benchmarks/admission.py, 40 attackers).
STOPPED_KEPT = 120.0


class _Waiter:
    __slots__ = ("seq", "event", "granted", "granted_at", "refused")

    def __init__(self, seq: int):
        self.seq, self.event = seq, threading.Event()
        self.granted, self.granted_at = False, 0.0
        self.refused: Busy | None = None


class FairSlots:
    def __init__(
        self, name: str, slots: int, capacity: int, max_wait: float, retry_after: int, express: int = 0
    ):
        """`slots` for anyone, `express` more that only light clients may take (see the module);
        `capacity` counts both."""
        if slots < 1 or express < 0 or capacity < slots + express:
            raise ValueError(f"lane {name}: needs at least one slot and room for them ({slots}, {capacity})")
        self.name, self.slots, self.express, self.capacity = name, slots, express, capacity
        self.max_wait, self.retry_after = max_wait, retry_after
        self._lock = threading.Lock()
        self._free = slots + express
        self._ordinary = 0  # slots held by grants to clients that were not light (at most `slots`)
        self._light: collections.Counter[str] = collections.Counter()  # client -> slots granted light
        self._running: collections.Counter[str] = collections.Counter()
        self._waiting: dict[str, collections.deque[_Waiter]] = {}
        self._n_waiting = 0
        self._seq = itertools.count()
        self._use: dict[str, tuple[float, float]] = {}  # client -> (recent use, when last counted)
        self._stopped: dict[str, float] = {}  # client -> when a query of theirs was last stopped
        self._met: dict[str, float] = {}  # client -> when it was given NEWCOMER's start
        self._known: set[str] = set()  # clients a request of which has held a slot and ended
        self.admitted: collections.Counter[str] = collections.Counter()  # client -> slots given
        self.refused: collections.Counter[str] = collections.Counter()  # reason -> refusals

    def _held(self, client: str) -> int:
        return self._running[client] + len(self._waiting.get(client, ()))

    def _usage(self, client: str, now: float) -> float:
        used, when = self._use.get(client, (0.0, now))
        return used * math.exp2((when - now) / HALF_LIFE)

    def _count_knock(self, client: str, now: float) -> None:
        # A client the lane has no record of starts as if it had held a worker for NEWCOMER seconds:
        # history only tells a visitor whose queries took milliseconds from forty addresses that
        # appeared a moment ago if the unknown are not counted as the lightest of all.
        first = 0.0 if client in self._use else NEWCOMER
        if first:
            self._met[client] = now
        self._count_use(client, PER_REQUEST + first, now)

    def _count_use(self, client: str, seconds: float, now: float) -> None:
        self._use[client] = (self._usage(client, now) + seconds, now)
        if len(self._use) > 10000:  # forget the clients whose use has faded
            self._use = {c: u for c, u in self._use.items() if self._usage(c, now) > 0.001}
            self._met = {c: t for c, t in self._met.items() if c in self._use}
            self._known &= self._use.keys()

    def _is_light(self, client: str, now: float) -> bool:
        if client not in self._known or now - self._stopped.get(client, -STOPPED_KEPT) < STOPPED_KEPT:
            return False
        start = (
            NEWCOMER * math.exp2((self._met.get(client, now) - now) / HALF_LIFE) if client in self._met else 0
        )
        return self._usage(client, now) - start < LIGHT

    def _may_take(self, client: str, now: float) -> bool:
        """A free slot is `client`'s to take: any, if it is light; else one of the ordinary ones."""
        if self._free <= 0:
            return False
        return self._ordinary < self.slots or self._is_light(client, now)

    def _grant(self, client: str, now: float) -> None:
        if self._ordinary < self.slots and not self._is_light(client, now):
            self._ordinary += 1
        else:  # a light client: counted apart, so that the express slots stay the light's
            self._light[client] += 1
        self._free -= 1
        self._running[client] += 1
        self.admitted[client] += 1

    def acquire(self, client: str) -> float:
        """Take a slot for `client`, waiting for one if need be; Busy if refused. Returns when the slot
        was given (for `release`)."""
        with self._lock:
            now = time.monotonic()
            # Every request counts as a little use when it arrives, served or refused: a client that
            # keeps knocking (a refused loop, a flood of new texts) weighs more than one that asks now
            # and then, even before any of its requests has run.
            self._count_knock(client, now)
            if not self._n_waiting and self._may_take(client, now):
                self._grant(client, now)
                return now
            if sum(self._running.values()) + self._n_waiting >= self.capacity:
                self._make_room(client)
            waiter = _Waiter(next(self._seq))
            self._waiting.setdefault(client, collections.deque()).append(waiter)
            self._n_waiting += 1
            if self._free:  # an express slot those waiting may not take: perhaps this client may
                self._dispatch()
        waiter.event.wait(self.max_wait)
        with self._lock:
            if waiter.granted:
                return waiter.granted_at
            if waiter.refused is None:  # waited out: leave the queue
                self._drop(client, waiter)
                waiter.refused = self._busy(
                    "wait",
                    f"the server is busy: no query worker came free within {self.max_wait:g} s; "
                    "try again shortly",
                    503,
                )
        raise waiter.refused

    def release(self, client: str, granted_at: float | None = None, used: float | None = None) -> None:
        """Give back a slot; `used` (worker seconds the request took) is counted as the client's use of
        the lane, else the time since `granted_at` (what acquire returned)."""
        with self._lock:
            now = time.monotonic()
            self._known.add(client)
            if used is not None:
                self._count_use(client, max(0.0, used), now)
            elif granted_at is not None:
                self._count_use(client, max(0.0, now - granted_at), now)
            self._running[client] -= 1
            if self._running[client] <= 0:
                del self._running[client]
            # Which of the client's slots ends does not matter; its light ones are counted as ended
            # first, so that the ordinary count never falls below what heavier grants hold.
            if self._light[client] > 0:
                self._light[client] -= 1
                if not self._light[client]:
                    del self._light[client]
            else:
                self._ordinary -= 1
            self._free += 1
            self._dispatch()

    def _dispatch(self) -> None:
        """Give free slots to waiting clients: fewest slots held first, then the one that used the lane
        least lately, then the longest waiting; an express slot only to a light one."""
        now = time.monotonic()
        while self._free > 0 and self._n_waiting:
            order = sorted(
                self._waiting,
                key=lambda c: (self._running[c], round(self._usage(c, now), 2), self._waiting[c][0].seq),
            )
            client = next((c for c in order if self._may_take(c, now)), None)
            if client is None:  # only express slots are free, and nobody waiting is light
                return
            waiter = self._pop(client, 0)
            self._grant(client, now)
            waiter.granted, waiter.granted_at = True, now
            waiter.event.set()

    def _pop(self, client: str, end: int) -> _Waiter:
        queue = self._waiting[client]
        waiter = queue.popleft() if end == 0 else queue.pop()
        if not queue:
            del self._waiting[client]
        self._n_waiting -= 1
        return waiter

    def _drop(self, client: str, waiter: _Waiter) -> None:
        queue = self._waiting.get(client)
        if queue is not None and waiter in queue:
            queue.remove(waiter)
            self._n_waiting -= 1
            if not queue:
                del self._waiting[client]

    def _make_room(self, client: str) -> None:
        """The lane is full: take the place of the busiest client's latest waiter, or refuse. Lock held."""
        mine, now = self._held(client), time.monotonic()
        busiest = max(self._waiting, key=lambda c: (self._held(c), self._usage(c, now), c), default=None)
        if busiest is not None and busiest != client and self._lighter(client, busiest, now):
            bumped = self._pop(busiest, -1)
            bumped.refused = self._busy(
                "share",
                f"too many requests at once: you have {self._held(busiest) + 1} here while others wait; "
                "each address gets its share when the server is busy. Wait for yours to finish",
                429,
            )
            bumped.event.set()
            return
        clients = len(set(self._running) | set(self._waiting) | {client})
        share = max(1, self.capacity // clients)
        if mine >= share:
            raise self._busy(
                "share",
                f"too many requests at once: you already have {mine} running or waiting here, your share "
                f"while the server is busy; wait for them to finish",
                429,
            )
        raise self._busy(
            "full",
            f"the server is busy: {self.capacity} requests are running or waiting, the most it takes at "
            "once; try again shortly",
            503,
        )

    def _lighter(self, client: str, other: str, now: float) -> bool:
        """True if `client` may take one of `other`'s waiting places: it holds fewer by two, or fewer by
        one and has used the lane less lately (worker seconds, and a little per request: a runaway's
        sender and a knocking flood both weigh more than a visitor). Strict, so `other` cannot take the
        place straight back: its own knock only adds to its use, and both uses fade at one rate."""
        mine, theirs = self._held(client), self._held(other)
        if theirs > mine + 1:
            return True
        return theirs == mine + 1 and self._usage(other, now) > self._usage(client, now)

    def _busy(self, why: str, message: str, status: int) -> Busy:
        self.refused[why] += 1
        return Busy(message, status, self.retry_after if status == 503 else 2)

    def knock(self, client: str) -> None:
        """Count a request of `client` refused before it asked for a slot (it still costs)."""
        with self._lock:
            self._count_knock(client, time.monotonic())

    def stopped(self, client: str) -> None:
        """A query of `client`'s was stopped: for STOPPED_KEPT seconds it is not light (see there)."""
        with self._lock:
            now = time.monotonic()
            if len(self._stopped) > 10000:  # forget the old ones
                self._stopped = {c: t for c, t in self._stopped.items() if now - t < STOPPED_KEPT}
            self._stopped[client] = now

    def usage(self, client: str) -> float:
        """`client`'s recent use of the lane, in worker seconds (see the module)."""
        with self._lock:
            return self._usage(client, time.monotonic())

    def light(self, client: str) -> bool:
        """`client` is light: little use lately (LIGHT), no query stopped lately (STOPPED_KEPT)."""
        with self._lock:
            return self._is_light(client, time.monotonic())

    def nice(self, client: str) -> int:
        """How much lower than the server's the CPU priority of `client`'s queries should be: 10 when a
        query of theirs was stopped lately (STOPPED_KEPT), one more for each HEAVY seconds of use
        beyond HEAVY (up to 19, the lowest); 0 otherwise. A runaway's sender's next queries then yield
        the CPU from their start, not only once past their budget, and a light client's cheap query
        gets a CPU at once even while they run on every other worker.

        Use alone does not lower a client: an analyst's script sending many cheap queries (the 8
        clients of benchmarks/endpoint_vs_oxigraph.py) uses the lane a lot and stops nothing."""
        with self._lock:
            now = time.monotonic()
            if now - self._stopped.get(client, -STOPPED_KEPT) >= STOPPED_KEPT:
                return 0
            return min(19, 10 + max(0, int(self._usage(client, now) // HEAVY) - 1))

    def holding(self, client: str) -> int:
        """Slots `client` holds or waits for."""
        with self._lock:
            return self._held(client)

    def waiting_besides(self, client: str) -> int:
        """Requests of other clients waiting for a slot."""
        with self._lock:
            return self._n_waiting - len(self._waiting.get(client, ()))

    def state(self) -> dict[str, int]:
        with self._lock:
            return {"running": sum(self._running.values()), "waiting": self._n_waiting, "free": self._free}
