"""Errors that say where (file, line, field) and what to do."""

from __future__ import annotations


class OutcomeGraphError(Exception):
    """An error meant for the user: its message is shown as it is, on one line, without a traceback."""


class DefectError(OutcomeGraphError):
    """A fault in the project's own files (a query the views ask), not in what was asked of it: a page
    answers 500 saying so, never "not found"."""

    status = 500


class ReportError(OutcomeGraphError):
    def __init__(self, source: str, message: str, line: int | None = None, field: str | None = None):
        self.source, self.line, self.field = source, line, field
        where = source + (f":{line}" if line else "") + (f" ({field})" if field else "")
        super().__init__(f"{where}: {message}")
