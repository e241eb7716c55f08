"""Where the default store lives: the bundled reports' own cache, the one store no user named."""

from __future__ import annotations

import os
from pathlib import Path


def default_store_dir() -> Path:
    """$OUTCOME_GRAPH_STORE, else the per-user data directory (XDG_DATA_HOME or ~/.local/share)."""
    env = os.environ.get("OUTCOME_GRAPH_STORE")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "outcome-graph" / "store"
