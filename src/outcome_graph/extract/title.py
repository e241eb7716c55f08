"""The title block: the report's first line names the service and the year (read by report_info)."""

from __future__ import annotations

from . import SectionResult
from .records import ReportInfo
from .sections import Section


def parse(section: Section, report: ReportInfo) -> SectionResult:
    title = next((ln for ln in section.nonblank()), None)
    return SectionResult(consumed={title.number} if title else set())
