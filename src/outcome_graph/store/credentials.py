"""Logins for SPARQL servers: from options, the environment or ~/.netrc, and never shown.

A server's endpoint may need a login (Virtuoso's /sparql-graph-crud-auth, a SPARQL endpoint behind a
proxy). The login is looked up, in order, from what the caller gives (command-line options), the
environment (OUTCOME_GRAPH_USER, OUTCOME_GRAPH_PASSWORD), a user:password part of the URL (taken out
of the URL, which is then used without it), and ~/.netrc (or $NETRC) by host. The password is never
part of a message, a repr or a URL that is printed: `Credentials.__repr__` hides it and every URL
shown to a user is `public_url(url)`.

Both digest and basic authentication are answered: the opener replies to whichever challenge the
server sends (Virtuoso asks for digest, a reverse proxy usually for basic). Basic credentials are only
sent after a challenge, never unasked.
"""

from __future__ import annotations

import netrc
import os
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

USER_VARIABLE = "OUTCOME_GRAPH_USER"
PASSWORD_VARIABLE = "OUTCOME_GRAPH_PASSWORD"


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str = field(repr=False)
    source: str = "options"  # where they came from, for messages: options, environment, URL, ~/.netrc

    def __repr__(self) -> str:
        return f"Credentials(user={self.user!r}, password=<hidden>, source={self.source!r})"


def public_url(url: str) -> str:
    """The URL without any user:password part, as it may be shown."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def _netrc_login(host: str) -> tuple[str, str] | None:
    path = os.environ.get("NETRC") or os.path.join(os.path.expanduser("~"), ".netrc")
    if not os.path.exists(path):
        return None
    try:
        found = netrc.netrc(path).authenticators(host)
    except (netrc.NetrcParseError, OSError) as e:
        # the parser's message quotes the file's line, which may hold a password: name the file only
        line = getattr(e, "lineno", None)
        where = f"{path}, line {line}" if line else path
        from .protocol import StoreError

        raise StoreError(
            f"cannot read {where}: fix its syntax (machine HOST login USER password PASS)"
        ) from None
    if not found:
        return None
    login, _account, password = found
    return (login or "", password or "") if login else None


def resolve(url: str, user: str | None = None, password: str | None = None) -> tuple[str, Credentials | None]:
    """(the URL without user:password, the login for it or None)."""
    parts = urllib.parse.urlsplit(url)
    clean = public_url(url)
    if user or password:
        if password is None:
            password = os.environ.get(PASSWORD_VARIABLE)
            if password is None and parts.hostname:
                found = _netrc_login(parts.hostname)
                password = found[1] if found and found[0] == user else None
        if not user or password is None:
            from .protocol import StoreError

            raise StoreError(
                "a login needs both a user and a password: give --user and set "
                f"{PASSWORD_VARIABLE} (or a ~/.netrc entry for {parts.hostname})"
            )
        return clean, Credentials(user, password, "options")
    env_user, env_password = os.environ.get(USER_VARIABLE), os.environ.get(PASSWORD_VARIABLE)
    if env_user and env_password is not None:
        return clean, Credentials(env_user, env_password, "environment")
    if parts.username:
        return clean, Credentials(
            urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or ""), "URL"
        )
    if parts.hostname:
        found = _netrc_login(parts.hostname)
        if found:
            return clean, Credentials(found[0], found[1], "~/.netrc")
    return clean, None


class _Digest(urllib.request.HTTPDigestAuthHandler):
    """Digest authentication that, once challenged, answers the next requests without waiting for a 401.

    A server that refuses a large upload before reading it (Virtuoso does, with a 401) closes the
    connection under the client; sending the Authorization header with the request avoids that.
    """

    challenge: dict | None = None

    def retry_http_digest_auth(self, req, auth):
        _scheme, challenge = auth.split(" ", 1)
        fields = filter(None, urllib.request.parse_http_list(challenge))
        self.challenge = urllib.request.parse_keqv_list(fields)
        return super().retry_http_digest_auth(req, auth)

    def http_request(self, req):
        if self.challenge and not req.has_header(self.auth_header):
            value = self.get_authorization(req, self.challenge)
            if value:
                req.add_unredirected_header(self.auth_header, f"Digest {value}")
        return req

    https_request = http_request


def opener(url: str, credentials: Credentials | None) -> urllib.request.OpenerDirector:
    """An opener that answers a digest or basic challenge from the server at `url` with `credentials`,
    and after the first challenge sends them with every request."""
    if credentials is None:
        return urllib.request.build_opener()
    parts = urllib.parse.urlsplit(public_url(url))
    origin = f"{parts.scheme}://{parts.netloc}/"  # the login holds for every path of the server
    manager = urllib.request.HTTPPasswordMgrWithPriorAuth()
    manager.add_password(None, origin, credentials.user, credentials.password, is_authenticated=False)
    # the digest handler comes first (handler_order 490) and passes a basic challenge on to the next
    return urllib.request.build_opener(_Digest(manager), urllib.request.HTTPBasicAuthHandler(manager))
