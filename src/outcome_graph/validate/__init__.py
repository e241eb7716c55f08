"""Validate: the graph checked against the SHACL shapes in shapes/ (structure and business rules).

`validate_graph(graph)` returns a ValidationSummary (.conforms, .violations, .warnings, .results,
.report_graph); `formats` turns it into text, JSON or the standard sh:ValidationReport in Turtle.
"""

from .engine import validate_graph
from .results import ValidationResult, ValidationSummary
from .shapes import load_shapes

__all__ = ["validate_graph", "ValidationResult", "ValidationSummary", "load_shapes"]
