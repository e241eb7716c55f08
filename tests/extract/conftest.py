"""Shared fixtures for the extraction tests: each real report is extracted once per session."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pytest

from outcome_graph.extract import extract_report
from outcome_graph.extract.records import Extraction
from outcome_graph.paths import REPORTS_DIR

R16 = "midlothian-childrens-services-2016-17.txt"
R20 = "midlothian-cspc-2020-21.txt"


@cache
def extracted(name: str) -> Extraction:
    """The Extraction of a report in graph/reports/, made once per test session and shared."""
    return extract_report(REPORTS_DIR / name)


@pytest.fixture(scope="session")
def extraction() -> Callable[[str], Extraction]:
    """`extraction(file name in graph/reports/)` -> that report's Extraction, cached for the session."""
    return extracted
