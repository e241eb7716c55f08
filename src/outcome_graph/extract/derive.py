"""Cross-section resolution after every section is read: codes missing in the report."""

from __future__ import annotations

from .records import Extraction


def resolve(extraction: Extraction) -> None:
    return None
