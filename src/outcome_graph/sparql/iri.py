"""Resolving a relative IRI against a base, by RFC 3986 section 5.2, as SPARQL says (and as Oxigraph
does): the canonical text holds only absolute IRIs, so no engine resolves anything itself.

`urllib.parse.urljoin` is not used: it resolves only for the schemes it lists (`urljoin("urn:a:b",
"c")` is "c"), where RFC 3986 resolves for every scheme.
"""

from __future__ import annotations

import re

_PARTS = re.compile(
    r"(?:([A-Za-z][A-Za-z0-9+.\-]*):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?\Z", re.S
)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def is_absolute(iri: str) -> bool:
    return _SCHEME.match(iri) is not None


def _remove_dots(path: str) -> str:
    """RFC 3986 section 5.2.4, on the path's segments."""
    if "." not in path:
        return path
    absolute = path.startswith("/")
    segments = path.split("/")
    if absolute:
        segments = segments[1:]
    out: list[str] = []
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == ".":
            if last:
                out.append("")
        elif segment == "..":
            if out:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(segment)
    return ("/" if absolute else "") + "/".join(out)


def resolve(reference: str, base: str | None) -> str | None:
    """`reference` resolved against `base`; None when it is relative and there is no base."""
    ref = _PARTS.match(reference)
    scheme, authority, path, query, fragment = ref.groups()  # type: ignore[union-attr]
    if scheme is not None:
        return reference  # an absolute IRI is taken as written, dot segments too (SPARQL, Oxigraph)
    if base is None:
        return None
    b_scheme, b_authority, b_path, b_query, _ = _PARTS.match(base).groups()  # type: ignore[union-attr]
    if authority is not None:
        return _join(b_scheme, authority, _remove_dots(path), query, fragment)
    if path == "":
        return _join(b_scheme, b_authority, b_path, query if query is not None else b_query, fragment)
    if not path.startswith("/"):
        if b_authority is not None and b_path == "":
            path = "/" + path
        else:
            path = b_path[: b_path.rfind("/") + 1] + path
    return _join(b_scheme, b_authority, _remove_dots(path), query, fragment)


def _join(scheme, authority, path, query, fragment) -> str:
    out = f"{scheme}:" if scheme is not None else ""
    if authority is not None:
        out += "//" + authority
    out += path
    if query is not None:
        out += "?" + query
    if fragment is not None:
        out += "#" + fragment
    return out
