"""The complaints section of a report. (Parser not written yet: every line is reported as not read.)"""

from __future__ import annotations

from . import SectionResult
from .records import ReportInfo
from .sections import Section


def parse(section: Section, report: ReportInfo) -> SectionResult:
    return SectionResult()
