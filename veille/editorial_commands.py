"""Commands that change an item's rubriques or visibility: `veille classify --explain`,
`veille reclassify`, `veille hide`, `veille unhide`."""
from __future__ import annotations

import sys

from .catalog import CATEGORIES, load_catalog
from .commandline import UsageError, open_archive, print_table
from .config import Settings
from .plural import count


def register(commands) -> None:
    classify_cmd = commands.add_parser("classify", help="expliquer les rubriques d'un article")
    classify_cmd.add_argument("--explain", metavar="ITEM_ID", required=True,
                              help="identifiant de l'article (voir « veille items --json »)")
    classify_cmd.set_defaults(func=cmd_classify)

    reclassify = commands.add_parser("reclassify", help="réappliquer les règles de classement à toute l'archive")
    reclassify.set_defaults(func=cmd_reclassify)

    hide_cmd = commands.add_parser("hide", help="masquer un article (bulletins et recherche)")
    hide_cmd.add_argument("item_id", metavar="ITEM_ID",
                          help="identifiant de l'article (voir « veille items --json »)")
    hide_cmd.add_argument("--reason", metavar="TEXTE", default="",
                          help="pourquoi l'article est masqué (500 caractères au plus)")
    hide_cmd.set_defaults(func=cmd_hide)

    unhide_cmd = commands.add_parser("unhide", help="rendre de nouveau visible un article masqué")
    unhide_cmd.add_argument("item_id", metavar="ITEM_ID", help="identifiant de l'article")
    unhide_cmd.set_defaults(func=cmd_unhide)


def cmd_classify(settings: Settings, args) -> int:
    from .classify import classify
    from .ingest import document_of
    from .models import Item

    catalog = load_catalog(settings.feeds_path)
    factory = open_archive(settings)
    with factory() as session:
        item = session.get(Item, args.explain)
        if item is None:
            raise UsageError(f"article inconnu « {args.explain} » (voir « veille items »)")
        print(f"{item.id} : {item.title}")
        print(f"source : {item.source_id} ; catégorie : {CATEGORIES.get(item.category, item.category)}")
        source = catalog.sources.get(item.source_id)
        fresh = {a.topic: a for a in classify(document_of(item), catalog.topics, source.topics if source else (),
                                              catalog.model)}
        rows = []
        for row in item.topics:
            label = catalog.topics[row.topic].label if row.topic in catalog.topics else row.topic
            rows.append((row.topic, label, ORIGIN_WORDS.get(row.origin, row.origin), row.reason))
        for slug, assignment in fresh.items():
            if slug not in {r.topic for r in item.topics}:
                rows.append((slug, catalog.topics[slug].label, "règles actuelles (pas encore appliquées)",
                             assignment.reason))
    if not rows:
        print("Aucune règle ne s'applique : l'article est « À classer ».")
        return 0
    print_table(("rubrique", "libellé", "origine", "règle"), rows)
    return 0


ORIGIN_WORDS = {"rule": "règle", "model": "modèle", "source": "source", "manual": "choix d'un éditeur"}


def cmd_reclassify(settings: Settings, args) -> int:
    from sqlalchemy import select
    from tqdm import tqdm

    from .crawl import utcnow
    from .db import transaction
    from .ingest import reclassify_items
    from .models import Item
    from .search.indexer import index_pending

    catalog = load_catalog(settings.feeds_path)
    factory = open_archive(settings)
    with factory() as session:
        ids = session.scalars(select(Item.id).order_by(Item.id)).all()
    changed = 0
    with tqdm(total=len(ids), desc="Reclassement", unit="article", file=sys.stderr, disable=None) as bar:
        for start in range(0, len(ids), 500):
            with transaction(factory) as session:
                changed += reclassify_items(session, ids[start:start + 500], catalog, utcnow())
            bar.update(len(ids[start:start + 500]))
    print(f"{count(len(ids), 'article reclassé')} : {changed} {'a' if changed < 2 else 'ont'} changé de rubriques "
          "(les choix des éditeurs sont conservés).")
    print(f"{count(index_pending(settings, factory), 'article réindexé')} pour la recherche.")
    return 0


def cmd_hide(settings: Settings, args) -> int:
    from .crawl import utcnow
    from .db import transaction
    from .editorial import EditorialError, command_line_editor, hide

    factory = open_archive(settings)
    try:
        with transaction(factory) as session:
            item_id = hide(session, args.item_id, args.reason, utcnow(), command_line_editor()).id
    except EditorialError as exc:
        raise UsageError(str(exc)) from None
    print(f"Article {item_id} masqué : il n'apparaîtra plus dans les bulletins ni dans la recherche.")
    _index_after_edit(settings, factory, item_id)
    return 0


def cmd_unhide(settings: Settings, args) -> int:
    from .crawl import utcnow
    from .db import transaction
    from .editorial import EditorialError, command_line_editor, unhide

    factory = open_archive(settings)
    try:
        with transaction(factory) as session:
            item_id = unhide(session, args.item_id, utcnow(), command_line_editor()).id
    except EditorialError as exc:
        raise UsageError(str(exc)) from None
    print(f"Article {item_id} de nouveau visible.")
    _index_after_edit(settings, factory, item_id)
    return 0


def _index_after_edit(settings: Settings, factory, item_id: str) -> None:
    """Apply the queued change to the search index now, or say when it could not be."""
    from sqlalchemy import func, select

    from .models import IndexChange
    from .search.indexer import index_pending

    index_pending(settings, factory)
    with factory() as session:
        waiting = session.scalar(select(func.count()).select_from(IndexChange).where(IndexChange.item_id == item_id))
    if waiting:
        print("L'index de recherche est occupé par un autre processus : il sera mis à jour "
              "à la prochaine indexation.")
