"""`veille serve`: the web app behind waitress, a production WSGI server."""
from __future__ import annotations

import errno
import logging

from ..cli import UsageError, positive_int
from ..config import Settings

LISTEN_ERRORS = {errno.EADDRINUSE: "adresse déjà utilisée (un autre serveur écoute-t-il sur ce port ?)",
                 errno.EACCES: "permission refusée (les ports sous 1024 sont réservés à root)",
                 errno.EADDRNOTAVAIL: "adresse absente de cette machine"}


def register(commands) -> None:
    serve = commands.add_parser("serve", help="servir le site web (articles, bulletins, désabonnement)")
    serve.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (127.0.0.1)")
    serve.add_argument("--port", type=positive_int, default=5000, help="port (5000)")
    serve.add_argument("--threads", type=positive_int, default=8, help="requêtes traitées en parallèle (8)")
    serve.set_defaults(func=cmd_serve)


def cmd_serve(settings: Settings, args) -> int:
    from waitress import create_server

    from .app import create_app

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s : %(message)s")
    for name in ("veille", "waitress"):
        logging.getLogger(name).setLevel(logging.INFO)
    app = create_app(settings)
    try:
        server = create_server(app, host=args.host, port=args.port, threads=args.threads, ident="Veille")
    except OSError as exc:
        raise UsageError(f"impossible d'écouter sur {args.host}:{args.port} : "
                         f"{LISTEN_ERRORS.get(exc.errno, exc.strerror or exc)}") from None
    print(f"Site web de Veille : http://{args.host}:{server.effective_port}/ (Ctrl+C pour arrêter)", flush=True)
    print(f"Adresse publique des liens des bulletins (VEILLE_BASE_URL) : {settings.base_url}", flush=True)
    server.run()
    return 0
