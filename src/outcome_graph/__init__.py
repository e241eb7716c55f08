"""outcome-graph: Scottish children's services performance reports as a validated, queryable
knowledge graph."""

__version__ = "0.1.0"
