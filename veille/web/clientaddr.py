"""The client's address and scheme. By default the TCP peer: a request straight to the app
cannot claim another address with `X-Forwarded-For`. Behind reverse proxies,
`VEILLE_TRUSTED_PROXIES=N` says how many there are: the client is then the address N hops from
the right of `X-Forwarded-For` (each proxy appends the address it saw), and the scheme comes
from `X-Forwarded-Proto` the same way. Everything that needs the client's address (IP
licences, rate limits) reads `request.remote_addr` after this.
"""
from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def install(app: Flask, proxies: int) -> None:
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0, x_port=0, x_prefix=0)
