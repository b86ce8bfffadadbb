"""The `Host` header a client claims, checked before Flask reads it.

Werkzeug fails deep inside routing or URL building on a name with an empty label (« a..b »,
« .example »), a label over 63 characters or an undecodable « xn-- » label. Such a header is
taken out of the request before Flask sees it, and the request answered 400 with the French
error page (RFC 9112: a Host field with an invalid value gets a 400).
"""
from __future__ import annotations

import ipaddress
import logging
import re

from flask import Flask, request

from .context import error_page

log = logging.getLogger(__name__)
HOST_RE = re.compile(r"(?P<name>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?|\[[0-9A-Fa-f:.]+\])(?::(?P<port>[0-9]{1,5}))?")
REFUSED = "veille.refused_host"  # where the refused header waits in the WSGI environment


def valid_host(value: str) -> bool:
    """A DNS name (labels of 1 to 63 characters, punycode that decodes) or a bracketed IPv6
    address, with an optional port from 1 to 65535."""
    match = HOST_RE.fullmatch(value)
    if match is None or not 1 <= int(match["port"] or 80) <= 65535:
        return False
    name = match["name"]
    try:
        if name.startswith("["):
            ipaddress.IPv6Address(name[1:-1])
        else:
            name.encode("idna").decode("idna")
    except (UnicodeError, ValueError):
        return False
    return len(name) <= 254


def install(app: Flask) -> None:
    inner = app.wsgi_app

    def checked(environ, start_response):
        host = environ.get("HTTP_HOST")
        if host is not None and not valid_host(host):
            environ = {name: value for name, value in environ.items() if name != "HTTP_HOST"}
            environ[REFUSED] = host  # the app then knows the site by the server's own address
        return inner(environ, start_response)

    app.wsgi_app = checked
    app.before_request(_refuse)


def _refuse():
    host = request.environ.get(REFUSED)
    if host is not None:
        log.warning("requête refusée (400) : en-tête Host invalide %r pour %s %s", host[:100], request.method,
                    request.path[:200])
        return error_page(400, "L'adresse du site indiquée par la requête (en-tête Host) n'est pas valide.")
