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


class _Waiter:
    __slots__ = ("seq", "event", "granted", "granted_at", "refused")

    def __init__(self, seq: int):
        self.seq, self.event = seq, threading.Event()
        self.granted, self.granted_at = False, 0.0
        self.refused: Busy | None = None


class FairSlots:
    def __init__(self, name: str, slots: int, capacity: int, max_wait: float, retry_after: int):
        if slots < 1 or capacity < slots:
            raise ValueError(f"lane {name}: needs at least one slot and room for them ({slots}, {capacity})")
        self.name, self.slots, self.capacity = name, slots, capacity
        self.max_wait, self.retry_after = max_wait, retry_after
        self._lock = threading.Lock()
        self._free = slots
        self._running: collections.Counter[str] = collections.Counter()
        self._waiting: dict[str, collections.deque[_Waiter]] = {}
        self._n_waiting = 0
        self._seq = itertools.count()
        self._use: dict[str, tuple[float, float]] = {}  # client -> (recent use, when last counted)
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
        self._count_use(client, PER_REQUEST + first, now)

    def _count_use(self, client: str, seconds: float, now: float) -> None:
        self._use[client] = (self._usage(client, now) + seconds, now)
        if len(self._use) > 10000:  # forget the clients whose use has faded
            self._use = {c: u for c, u in self._use.items() if self._usage(c, now) > 0.001}

    def _grant(self, client: str, now: float) -> None:
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
            if self._free > 0 and not self._n_waiting:
                self._grant(client, now)
                return now
            if sum(self._running.values()) + self._n_waiting >= self.capacity:
                self._make_room(client)
            waiter = _Waiter(next(self._seq))
            self._waiting.setdefault(client, collections.deque()).append(waiter)
            self._n_waiting += 1
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
            if used is not None:
                self._count_use(client, max(0.0, used), now)
            elif granted_at is not None:
                self._count_use(client, max(0.0, now - granted_at), now)
            self._running[client] -= 1
            if self._running[client] <= 0:
                del self._running[client]
            self._free += 1
            self._dispatch()

    def _dispatch(self) -> None:
        """Give free slots to waiting clients: fewest slots held first, then the longest waiting."""
        now = time.monotonic()
        while self._free > 0 and self._n_waiting:
            client = min(
                self._waiting,
                key=lambda c: (self._running[c], round(self._usage(c, now), 2), self._waiting[c][0].seq),
            )
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
