"""`veille serve`: the web app behind waitress, a production WSGI server."""
from __future__ import annotations

import argparse
import errno
import logging

from ..commandline import UsageError, positive_int
from ..config import Settings
from ..numbers import parse_int

LISTEN_ERRORS = {errno.EADDRINUSE: "adresse déjà utilisée (un autre serveur écoute-t-il sur ce port ?)",
                 errno.EACCES: "permission refusée (les ports sous 1024 sont réservés à root)",
                 errno.EADDRNOTAVAIL: "adresse absente de cette machine"}
MAX_REQUEST_BODY = 1024 * 1024  # waitress refuses larger bodies before reading them; the app, above 64 Kio
CONNECTIONS = 500  # open connections at most: beyond, waitress stops accepting until some close
IDLE_TIMEOUT = 30  # seconds a connection may stay silent (keep-alive, or headers that stopped coming)


def port_number(text: str) -> int:
    port = parse_int(text, minimum=1, maximum=65535)
    if port is None:
        raise argparse.ArgumentTypeError(f"numéro de port entre 1 et 65535 attendu, pas « {text} »")
    return port


def register(commands) -> None:
    serve = commands.add_parser("serve", help="servir le site web (articles, bulletins, désabonnement)")
    add_server_options(serve)
    serve.add_argument("--processes", type=positive_int, default=1,
                       help="processus qui servent les pages, chacun avec ses --threads (1 ; "
                            "un par cœur pour les utiliser tous, voir le README)")
    serve.set_defaults(func=cmd_serve)


def add_server_options(parser) -> None:
    """The web server's options, shared by `veille serve` and `veille run`."""
    parser.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (127.0.0.1)")
    parser.add_argument("--port", type=port_number, default=5000, help="port (5000)")
    parser.add_argument("--threads", type=positive_int, default=8, help="requêtes traitées en parallèle (8)")
    parser.add_argument("--connections", type=positive_int, default=CONNECTIONS,
                        help=f"connexions ouvertes au plus, lentes ou inactives comprises ({CONNECTIONS})")
    parser.add_argument("--trusted-proxy", metavar="ADRESSE", help=argparse.SUPPRESS)  # replaced, see make_server


def make_server(app, args, sockets=None):
    """The waitress server for these options, listening (on `sockets` when given, a socket
    already listening); UsageError when it cannot listen."""
    from waitress import create_server

    if args.trusted_proxy:
        raise UsageError("--trusted-proxy est remplacée par la variable VEILLE_TRUSTED_PROXIES : le nombre de proxys "
                         "devant le site (VEILLE_TRUSTED_PROXIES=1 derrière un seul nginx)")
    # waitress takes X-Forwarded-* out of every request; behind trusted proxies the app reads
    # them itself (veille.web.clientaddr, VEILLE_TRUSTED_PROXIES): one mechanism for any server.
    proxied = bool(app.extensions["veille"]["settings"].trusted_proxies)
    where = {"sockets": sockets} if sockets else {"host": args.host, "port": args.port}
    try:
        return create_server(app, **where, threads=args.threads, ident="Veille",
                             max_request_body_size=MAX_REQUEST_BODY, connection_limit=args.connections,
                             channel_timeout=IDLE_TIMEOUT, asyncore_use_poll=True,  # select() stops at 1024
                             clear_untrusted_proxy_headers=not proxied)
    except (OSError, ValueError) as exc:
        reason = LISTEN_ERRORS.get(getattr(exc, "errno", None), "adresse introuvable ou invalide")
        raise UsageError(f"impossible d'écouter sur {args.host}:{args.port} : {reason}") from None


def site_address(server, args) -> str:
    host = f"[{args.host}]" if ":" in args.host else args.host
    return f"http://{host}:{server.effective_port}/"


def cmd_serve(settings: Settings, args) -> int:
    from .app import create_app

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s : %(message)s")
    for name in ("veille", "waitress"):
        logging.getLogger(name).setLevel(logging.INFO)
    app = create_app(settings)
    server = make_server(app, args)
    print(f"Site web de Veille : {site_address(server, args)} (Ctrl+C pour arrêter)", flush=True)
    print(f"Adresse publique des liens des bulletins (VEILLE_BASE_URL) : {settings.base_url}", flush=True)
    if args.processes == 1:
        server.run()
        return 0
    from . import workers

    return workers.serve(app, server, args.processes, lambda app, listening: make_server(app, args, [listening]))
