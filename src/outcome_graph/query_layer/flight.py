"""Single-flight loading with a bounded memory of answers and failures.

One request loads a key (a council's trace graph, a store's report list, a search index); the requests
that arrive meanwhile wait for that load (up to `wait` seconds, then they are told to retry) instead of
starting their own. A load that failed because it was slow is remembered for its Retry-After: the next
requests get the same 503 at once rather than each paying the time limit again.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .reads import RETRY_AFTER, Slow


class Pending(Slow):
    """Another request is loading what this one needs and did not finish within the wait."""


@dataclass
class _Entry:
    done: threading.Event = field(default_factory=threading.Event)
    value: Any = None
    error: BaseException | None = None
    until: float = 0.0  # a remembered failure is answered until this time (monotonic)


class Flight:
    """At most `size` answers kept (least recently used first out)."""

    def __init__(self, size: int = 8, wait: float = 30.0, remember_failure: float = RETRY_AFTER):
        self.size, self.wait, self.remember_failure = size, wait, remember_failure
        self._lock = threading.Lock()
        self._entries: OrderedDict[Any, _Entry] = OrderedDict()

    def get(self, key: Any, load: Callable[[], Any], part: str, budget: float | None = None) -> Any:
        """The answer for `key`, loaded by this request if no other is loading it. `budget`: the most
        this request waits, loading or not: a load that takes longer goes on in the background and the
        request is told to retry (Pending: 503 with Retry-After), so that a page made of many bounded
        reads is still answered within its time limit. `load` must then need no request context."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.done.is_set() and entry.error is not None:
                if time.monotonic() < entry.until:
                    raise entry.error
                del self._entries[key]  # its Retry-After has passed: this request tries again
                entry = None
            if entry is None:
                entry = self._entries[key] = _Entry()
                mine = True
            else:
                self._entries.move_to_end(key)
                mine = False
        if not mine:
            if not entry.done.wait(self.wait if budget is None else min(self.wait, budget)):
                raise Pending(part, "another request is loading it")
            if entry.error is not None:
                raise entry.error
            return entry.value
        if budget is not None:
            worker = threading.Thread(target=self._load, args=(key, entry, load), name="flight", daemon=True)
            worker.start()
            if not entry.done.wait(budget):
                raise Pending(part, "it is being read; it will be ready for a later request")
            if entry.error is not None:
                raise entry.error
            return entry.value
        return self._load(key, entry, load, reraise=True)

    def _load(self, key: Any, entry: _Entry, load: Callable[[], Any], reraise: bool = False) -> Any:
        try:
            entry.value = load()
        except Slow as e:
            entry.error, entry.until = e, time.monotonic() + e.retry_after
            if reraise:
                raise
        except BaseException as e:
            # not a slow part (a wrong council, a broken store): not remembered, the waiting requests
            # get it once and the next request asks again
            entry.error, entry.until = e, 0.0
            with self._lock:
                if self._entries.get(key) is entry:
                    del self._entries[key]
            if reraise:
                raise
        finally:
            entry.done.set()
            self._trim()
        return entry.value

    def has(self, key: Any) -> bool:
        """Whether an answer for `key` is kept (loaded, not failed)."""
        with self._lock:
            entry = self._entries.get(key)
            return entry is not None and entry.done.is_set() and entry.error is None

    def _trim(self) -> None:
        with self._lock:
            while len(self._entries) > self.size:
                key, oldest = next(iter(self._entries.items()))
                if not oldest.done.is_set():
                    break
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
