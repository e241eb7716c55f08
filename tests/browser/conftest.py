"""Page tests need Debian's chromium. Where it is missing they are skipped, except where the environment
says a browser is required (CI sets OUTCOME_GRAPH_REQUIRE_BROWSER=1): then a missing browser fails."""

from __future__ import annotations

import os
from pathlib import Path

if os.environ.get("OUTCOME_GRAPH_REQUIRE_BROWSER") == "1" and not Path("/usr/bin/chromium").exists():
    raise RuntimeError(
        "OUTCOME_GRAPH_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing: apt-get install chromium"
    )
