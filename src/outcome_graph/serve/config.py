"""Serving settings from (highest first) explicit options, environment variables, then defaults."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

from ..errors import OutcomeGraphError
from . import Settings

ENV = {
    "timeout": ("OUTCOME_GRAPH_TIMEOUT", float),
    "max_rows": ("OUTCOME_GRAPH_MAX_ROWS", int),
    "max_body": ("OUTCOME_GRAPH_MAX_BODY", int),
    "max_query": ("OUTCOME_GRAPH_MAX_QUERY", int),
    "public_url": ("OUTCOME_GRAPH_PUBLIC_URL", str),
}
# The largest value each number may take: beyond it a setting is a typo, or a way to switch a limit off
# (a time limit of 1e308 seconds overflows every deadline computed from it).
BODY_TIMEOUT = 10.0  # seconds a request body may take to arrive, whole (serve --body-timeout; 408 after)
MAXIMUM = {"timeout": 86_400, "max_rows": 10**9, "max_body": 2**30, "max_query": 2**30}


def load_settings(
    config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    config = config or {}
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for key, (variable, kind) in ENV.items():
        raw = config.get(key)
        source = key
        if raw is None and environ.get(variable):
            raw, source = environ[variable], variable
        if raw is None:
            continue
        try:
            value = kind(raw)
        except (TypeError, ValueError):
            raise OutcomeGraphError(f"{source} must be a number, not {raw!r}") from None
        if kind is str:
            if not value.startswith(("http://", "https://")):
                raise OutcomeGraphError(f"{source} must be an http(s) URL, not {raw!r}")
        elif not math.isfinite(value) or value <= 0:
            raise OutcomeGraphError(f"{source} must be greater than 0, not {raw!r}")
        elif value > MAXIMUM[key]:
            raise OutcomeGraphError(f"{source} must be at most {MAXIMUM[key]}, not {raw!r}")
        values[key] = value
    return Settings(**values)
