"""Codes as the council writes them, without extraction noise.

"CSPC.P. 1.2a" -> "CSPC.P.1.2a"; "M.G.CS.01.04 f" -> "M.G.CS.01.04f"; "C.RR.01 – 23" -> "C.RR.01-23".
"""

from __future__ import annotations

import re

# A code: dotted upper-case segments (CS.S.01.02, BS.CS.LPI.04, CSPC.P.11.7a, M.G.CS.01.04f),
# optionally a dash suffix (C.RR.01-23). LGBF codes are CHN + digits + optional letter.
CODE = re.compile(r"^(?:[A-Z]{1,5}(?:\.[A-Z0-9]{1,4})+[a-z]?(?:-\d+)?|CHN\d+[a-z]?)$")
_NOISE = [
    (re.compile(r"\s*[–—-]\s*(?=\d)"), "-"),  # spaced or typographic dash before digits
    (re.compile(r"\.\s+(?=[A-Z0-9])"), "."),  # space after a dot
    (re.compile(r"(?<=\d)\s+(?=[a-z]\b)"), ""),  # space before a trailing letter
]
# A code at the start of a cell, allowing the noise above.
LEADING_CODE = re.compile(
    r"^(?P<code>(?:[A-Z]{1,5}(?:\.\s?[A-Z0-9]{1,4})+(?:\s?[a-z](?![a-z]))?(?:\s?[–—-]\s?\d+)?|CHN\d+[a-z]?))(?=\s|$)"
)


def normalise_code(text: str) -> str:
    code = text.strip()
    for pattern, repl in _NOISE:
        code = pattern.sub(repl, code)
    return code


def is_code(text: str) -> bool:
    return bool(CODE.match(normalise_code(text)))


def split_leading_code(text: str) -> tuple[str | None, str]:
    """('C.RR.01-23', 'GIRFEC ...') from 'C.RR.01 – 23 GIRFEC ...'; (None, text) when none leads."""
    m = LEADING_CODE.match(text.strip())
    if not m:
        return None, text.strip()
    code = normalise_code(m["code"])
    if not CODE.match(code):
        return None, text.strip()
    return code, text.strip()[m.end() :].strip()
