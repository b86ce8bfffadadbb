"""`veille migrate-data --from URL --to URL`: the archive moved to another database."""
from __future__ import annotations

import sys

from .commandline import UsageError, print_table
from .config import ConfigError, Settings


def register(commands) -> None:
    move = commands.add_parser(
        "migrate-data", help="copier toute l'archive dans une autre base (SQLite vers PostgreSQL)",
        description="Copie articles, état des sources, éditions, abonnés, file d'envoi, comptes et corrections "
                    "dans une base cible vide, dont le schéma est créé au passage ; puis lancez « veille reindex » "
                    "avec VEILLE_DATABASE_URL pointant sur la cible.")
    move.add_argument("--from", dest="source", required=True, metavar="URL_SOURCE",
                      help="la base actuelle (exemple : sqlite:///var/veille.db)")
    move.add_argument("--to", dest="target", required=True, metavar="URL_CIBLE",
                      help="la base vide qui la reçoit (exemple : postgresql+psycopg://veille@localhost/veille)")
    move.set_defaults(func=cmd_migrate_data)


def cmd_migrate_data(settings: Settings, args) -> int:
    from sqlalchemy import make_url
    from tqdm import tqdm

    from .db import engine_for, migrate
    from .plural import count
    from .transfer import TargetNotEmpty, copy, counts, unknown_tables

    if args.source == args.target:
        raise UsageError("--from et --to désignent la même base")
    try:
        source, target = engine_for(args.source, "--from"), engine_for(args.target, "--to")
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    migrate(source)  # the source as every command sees it: at the latest migration
    unknown = unknown_tables(source)
    if unknown:
        raise UsageError(f"tables de la source inconnues de cette version de Veille : {', '.join(unknown)} ; "
                         "rien n'est copié (mettez Veille à jour)")
    migrate(target)
    total = sum(counts(source).values())
    try:
        with tqdm(total=total, desc="Copie", unit="ligne", file=sys.stderr, disable=None) as bar:
            tables = copy(source, target, on_rows=bar.update)
    except TargetNotEmpty as exc:
        held = ", ".join(f"{name} : {count(rows, 'ligne')}" for name, rows in exc.args[0].items())
        raise UsageError(f"la base cible n'est pas vide ({held}) ; migrate-data ne copie que dans une base vide : "
                         "créez-en une nouvelle") from None
    print_table(("table", "source", "cible"), [(t.name, str(t.source), str(t.target)) for t in tables])
    if any(t.source != t.target for t in tables):
        print("erreur : les nombres de lignes diffèrent entre la source et la cible", file=sys.stderr)
        return 1
    shown = make_url(args.target).render_as_string(hide_password=True)
    print(f"{count(total, 'ligne copiée')}. Pour la recherche, lancez maintenant « veille reindex » "
          f"avec VEILLE_DATABASE_URL={shown}")
    return 0
