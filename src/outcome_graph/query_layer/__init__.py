"""The one small layer through which every view reads the store: trace, gaps, audit, record pages,
search and saved queries import it, and never each other's loaders.

What it gives:
- `scope`: which council and which reports a request is about, read from the store with bounded queries
  (the list of reports is the only national read, and it is one row per report);
- `reads`: a question of queries/ asked for the IRIs a page needs only (a multi-row VALUES block of
  typed terms placed first in the query's WHERE group), with the part of the page it serves named, so
  that a query that runs past its time limit is reported as "<part> was slow" (503 and Retry-After),
  never as a missing page;
- `flight`: single-flight loading: one request loads a scope, the others wait for it; a failure is
  remembered for its Retry-After, so it is not paid again by every following request.

Nothing here loads the whole graph: every read is bounded by the IRIs of one council's reports, or is
the small shared reference data (statutes, frameworks), or has a LIMIT.
"""

from __future__ import annotations

from .flight import Flight, Pending
from .reads import Slow, read_construct, read_select, values_for
from .scope import Scope, ScopeError, councils, report_index, require_council, scope_of

__all__ = [
    "Flight",
    "Pending",
    "Scope",
    "ScopeError",
    "Slow",
    "councils",
    "read_construct",
    "read_select",
    "report_index",
    "require_council",
    "scope_of",
    "values_for",
]
