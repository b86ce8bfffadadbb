"""The `veille` command: thin commands over the modules that do the work."""
from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime, time, timezone
from typing import TYPE_CHECKING

from . import french_argparse
from .catalog import CATEGORIES, CatalogInvalid, load_catalog
from .config import ConfigError, Settings
from .learned import ModelInvalid, load_model
from .plural import count
from .commandline import EXIT_USAGE, UsageError, iso_date, open_archive, positive_int, print_table

if TYPE_CHECKING:
    from .models import SourceState

# The modules that do the work (SQLAlchemy, the crawler, the search engines, WeasyPrint…) are
# imported inside the commands that need them, so that `veille --help` answers at once.


EXIT_PIPE_CLOSED = 141  # 128 + SIGPIPE: what the shell reports for a command whose reader went away


def main(argv: list[str] | None = None) -> int:
    """Run a command; a reader that goes away (`veille items --json | head -1`) ends it quietly."""
    try:
        try:
            return _run(argv)
        finally:
            sys.stdout.flush()  # a closed pipe shows here, not as a warning when Python exits
    except BrokenPipeError:
        # The Python documentation's recipe: later writes (and the flush at exit) go nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE_CLOSED


def _run(argv: list[str] | None) -> int:
    french_argparse.install()
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = None
    try:
        if args.func is not cmd_check_config:  # check-config reports the settings' errors with the rest
            settings = Settings.from_env()
        return args.func(settings, args)
    except UsageError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ConfigError as exc:
        _print_settings_errors(exc)
        return EXIT_USAGE
    except CatalogInvalid as exc:
        _print_catalog_errors(exc)
        return EXIT_USAGE
    except ModelInvalid as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrompu", file=sys.stderr)
        return 130
    except Exception as exc:
        if not _is_database_error(exc) or os.environ.get("VEILLE_DEBUG"):
            raise
        print(f"erreur de base de données ({settings.database_url}) : {exc.__class__.__name__}: "
              f"{getattr(exc, 'orig', None) or exc}", file=sys.stderr)
        return 1


def _is_database_error(exc: Exception) -> bool:
    errors = sys.modules.get("sqlalchemy.exc")  # never imported: the error cannot come from it
    return errors is not None and isinstance(exc, errors.SQLAlchemyError)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="veille", description="Veille juridique et professionnelle des collectivités territoriales.")
    commands = parser.add_subparsers(title="commandes", metavar="COMMANDE", required=True)

    init = commands.add_parser("init", help="créer ou mettre à jour la base de données")
    init.set_defaults(func=cmd_init)

    check = commands.add_parser("check-config", help="vérifier feeds.yaml et afficher toutes les erreurs")
    check.set_defaults(func=cmd_check_config)

    crawl_cmd = commands.add_parser("crawl", help="relever les sources maintenant")
    crawl_cmd.add_argument("--source", action="append", metavar="ID", dest="sources",
                           help="seulement cette source (option répétable)")
    crawl_cmd.add_argument("--due", action="store_true",
                           help="seulement les sources dont la prochaine vérification est arrivée")
    crawl_cmd.add_argument("--workers", type=positive_int, default=8, help="relevés simultanés (8)")
    crawl_cmd.set_defaults(func=cmd_crawl)

    sources = commands.add_parser("sources", help="état de chaque source")
    sources.set_defaults(func=cmd_sources)

    items = commands.add_parser("items", help="lister les articles archivés")
    items.add_argument("--json", action="store_true", help="un objet JSON par ligne")
    items.add_argument("--source", metavar="ID", help="seulement les articles vus dans cette source (voir « veille sources »)")
    items.add_argument("--category", metavar="NOM", help="catégorie de source : " + ", ".join(CATEGORIES))
    items.add_argument("--topic", metavar="SLUG", help="rubrique")
    items.add_argument("--since", type=iso_date, metavar="AAAA-MM-JJ", help="publiés (ou relevés) ce jour ou après")
    items.add_argument("--limit", type=positive_int, default=50, help="nombre d'articles au plus, les plus récents (50)")
    items.set_defaults(func=cmd_items)

    from .editorial_commands import register as register_editorial
    register_editorial(commands)
    from .search.commands import register as register_search
    register_search(commands)
    from .bulletins.commands import register as register_bulletins
    register_bulletins(commands)
    from .bulletins.subscriber_commands import register as register_subscribers
    register_subscribers(commands)
    from .web.commands import register as register_web
    register_web(commands)
    from .demo import register as register_demo
    register_demo(commands)
    from .service.commands import register as register_service
    register_service(commands)
    from .accounts.commands import register as register_accounts
    register_accounts(commands)
    from .transfer_commands import register as register_transfer
    register_transfer(commands)
    return parser


def _print_settings_errors(exc: ConfigError) -> None:
    if len(exc.errors) == 1:
        print(f"erreur : {exc.errors[0]}", file=sys.stderr)
        return
    print(f"{len(exc.errors)} erreurs dans les réglages (variables d'environnement) :", file=sys.stderr)
    for error in exc.errors:
        print(f"  {error}", file=sys.stderr)


def _print_catalog_errors(exc: CatalogInvalid) -> None:
    print(f"{count(len(exc.errors), 'erreur')} dans la configuration des sources :", file=sys.stderr)
    for error in exc.errors:
        print(f"  {error}", file=sys.stderr)


def cmd_init(settings: Settings, args) -> int:
    open_archive(settings)
    print(f"Base de données prête : {settings.database_url}")
    return 0


def cmd_check_config(_settings: None, args) -> int:
    """Every error at once: the settings (mail ones too, when sending is on) and feeds.yaml."""
    from .bulletins.mailsettings import mail_settings

    settings, settings_errors = Settings.read()
    catalog = mail = None
    if settings.sending:
        try:
            mail = mail_settings(settings)
        except ConfigError as exc:
            settings_errors += exc.errors
    if settings_errors:
        _print_settings_errors(ConfigError(*settings_errors))
    try:
        catalog = load_catalog(settings.feeds_path)
    except CatalogInvalid as exc:
        _print_catalog_errors(exc)
    if settings_errors or catalog is None:
        return EXIT_USAGE
    model = catalog.model if catalog.model and catalog.model.enabled else None
    if model:
        try:
            load_model(model.file)
        except ModelInvalid as exc:
            print(f"erreur : {exc}", file=sys.stderr)
            return EXIT_USAGE
    print(f"{settings.feeds_path} : configuration valide, {count(len(catalog.topics), 'rubrique')}, "
          f"{count(len(catalog.sources), 'source')}.")
    print(f"Classement : les règles, puis le modèle (propose {model.propose:g}, confirm {model.confirm:g})."
          if model else "Classement : les règles seules (modèle désactivé).")
    if settings.sending:
        print(f"Envoi des bulletins : par {mail.smtp}, de « {mail.sender.name} » <{mail.sender.address}>.")
    else:
        print("Envoi des bulletins désactivé : VEILLE_SMTP_URL n'est pas défini.")
    if not settings.secret_key:
        print("Comptes désactivés (connexion, inscription, essai, abonnement depuis le site) : "
              "VEILLE_SECRET_KEY n'est pas défini.")
    return 0


def cmd_crawl(settings: Settings, args) -> int:
    from tqdm import tqdm

    from .crawl import crawl
    from .fetch import Fetcher
    from .search.indexer import index_pending

    catalog = load_catalog(settings.feeds_path)
    _known_sources(catalog, args.sources or [])
    factory = open_archive(settings)
    with tqdm(desc="Relevé", unit="source", file=sys.stderr, disable=None) as bar, Fetcher(user_agent=settings.user_agent) as fetcher:
        def planned(total: int) -> None:
            bar.reset(total=total)
        outcomes = crawl(catalog, factory, fetcher, only=args.sources, due=args.due, workers=args.workers,
                         on_start=planned, on_done=lambda outcome: bar.update(1))
    rows = [(o.source_id, str(o.new), str(o.updated), str(o.unchanged), _outcome_text(o)) for o in outcomes]
    print_table(("source", "nouveaux", "mis à jour", "inchangés", "erreur / remarque"), rows)
    failed = sum(1 for o in outcomes if o.status == "error")
    print(f"\n{count(len(outcomes), 'source relevée')} : {count(sum(o.new for o in outcomes), 'nouveau', 'nouveaux')}, "
          f"{sum(o.updated for o in outcomes)} mis à jour, {failed} en erreur.")
    print(f"{count(index_pending(settings, factory), 'article indexé')} pour la recherche.")
    return 0


def _known_sources(catalog, ids: list[str]) -> None:
    """A UsageError naming the source ids that feeds.yaml does not define."""
    unknown = [source_id for source_id in ids if source_id not in catalog.sources]
    if unknown:
        raise UsageError(f"source inconnue : {', '.join(unknown)} (voir « veille sources »)")


def _outcome_text(outcome) -> str:
    if outcome.status == "not-modified":
        return "inchangé (304)"
    parts = [outcome.message] if outcome.message else []
    if outcome.withdrawn:
        plural = "s" if outcome.withdrawn > 1 else ""
        parts.append(f"{outcome.withdrawn} retiré{plural} par la DILA (masqué{plural})")
    parts += outcome.warnings
    return " ; ".join(parts)


def cmd_sources(settings: Settings, args) -> int:
    from sqlalchemy import func, select

    from .crawl import sync_sources
    from .db import transaction
    from .models import Item

    catalog = load_catalog(settings.feeds_path)
    factory = open_archive(settings)
    with transaction(factory) as session:
        states = sync_sources(session, catalog)
        counts = dict(session.execute(select(Item.source_id, func.count()).group_by(Item.source_id)).all())
    tz = settings.timezone
    rows = []
    for source in catalog.sources.values():
        state = states[source.id]
        rows.append((
            source.id, source.kind, _state_word(source, state), str(counts.get(source.id, 0)),
            _local(state.last_success_at, tz), _local(state.next_check_at, tz),
            " ; ".join(filter(None, [state.last_error, state.health_warning])),
        ))
    print_table(("source", "type", "état", "articles", "dernier succès", "prochaine vérif.", "dernière erreur ou alerte"), rows)
    return 0


def _state_word(source, state: SourceState) -> str:
    if not source.enabled:
        return "désactivée"
    if state.retired_at:
        return "retirée"
    if state.last_checked_at is None:
        return "jamais relevée"
    if state.failures:
        return f"en échec ({state.failures})"
    return "à jour"


def _local(value: datetime | None, tz) -> str:
    return value.astimezone(tz).strftime("%d/%m/%Y %H:%M") if value else "—"


def cmd_items(settings: Settings, args) -> int:
    from sqlalchemy import func, select
    from sqlalchemy.orm import selectinload

    from .links import links_of
    from .models import Item, ItemOrigin, ItemTopic
    from .records import item_json

    catalog = load_catalog(settings.feeds_path)
    if args.category and args.category not in CATEGORIES:
        raise UsageError(f"catégorie inconnue « {args.category} » (catégories : {', '.join(CATEGORIES)})")
    if args.topic and args.topic not in catalog.topics:
        raise UsageError(f"rubrique inconnue « {args.topic} »")
    _known_sources(catalog, [args.source] if args.source else [])
    factory = open_archive(settings)
    when = func.coalesce(Item.published_at, Item.fetched_at)
    query = select(Item).options(selectinload(Item.topics), selectinload(Item.origins)) \
        .order_by(when.desc(), Item.id).limit(args.limit)
    if args.source:  # every item seen from that source, also when another source had it first
        query = query.where(Item.id.in_(select(ItemOrigin.item_id).where(ItemOrigin.source_id == args.source)))
    if args.category:
        query = query.where(Item.category == args.category)
    if args.topic:
        query = query.where(Item.id.in_(select(ItemTopic.item_id).where(ItemTopic.topic == args.topic)))
    if args.since:
        start = datetime.combine(args.since, time.min, tzinfo=settings.timezone).astimezone(timezone.utc)
        query = query.where(when >= start)
    with factory() as session:
        items = session.scalars(query).all()
        if args.json:
            for item in items:
                record = item_json(item)
                record["links"] = [{"kind": l.kind, "id": l.item_id, "via": l.via} for l in links_of(session, item.id)]
                print(json.dumps(record, ensure_ascii=False))
            return 0
        rows = [(_local(item.published_at or item.fetched_at, settings.timezone)[:10], item.source_id,
                 ", ".join(item.topic_slugs) or "à classer",
                 _clip(("[masqué] " if item.hidden_at else "") + item.title, 90)) for item in items]
    print_table(("date", "source", "rubriques", "titre"), rows)
    return 0


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


if __name__ == "__main__":
    sys.exit(main())
