"""`veille search`, `veille reindex`, `veille index check` and `veille status`."""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time as clock
from datetime import datetime, timedelta, timezone

from ..catalog import CATEGORIES, load_catalog
from ..commandline import UsageError, iso_date, open_archive, positive_int, size_text
from ..config import SEARCH_BACKENDS, Settings
from ..dates import start_of_day
from ..plural import count
from . import PER_PAGE
from .layout import Lag, generations

# The search engines, SQLAlchemy, Babel and the analysers are imported by the commands that use
# them, so that `veille --help` does not wait for them.

FACET_TITLES = {"topics": "Rubriques", "category": "Sources", "nature": "Natures", "year": "Années"}
FACET_VALUES_SHOWN = 8
ADVICE_ITEMS = 30_000  # Whoosh answers in well under a second up to about this size
# Why the engine in use: one `veille search` on 100,000 generated items (README, Search).
ENGINE_REASONS = {
    "tantivy": "moteur par défaut : à 100 000 articles, 9 ms par recherche et 0,1 Go de mémoire, "
               "contre 2 à 3 s et 1 Go pour Whoosh ; VEILLE_SEARCH=whoosh pour le moteur en Python pur",
    "whoosh": "choisi par VEILLE_SEARCH=whoosh : Python pur, sans extension compilée, mais 2 à 3 s par "
              "recherche et 1 Go de mémoire à 100 000 articles, contre 9 ms pour tantivy (par défaut)",
    "postgres": "choisi par VEILLE_SEARCH=postgres : la recherche plein texte de PostgreSQL, dans la base de "
                "l'archive, partagée par tous les processus web de toutes les machines",
}
PROBE_QUERIES = ("décret", "marchés publics", "fonction publique territoriale",
                 '"collectivités territoriales"', "urbanisme -circulaire")


def register(commands) -> None:
    search = commands.add_parser("search", help="chercher dans l'archive",
                                 description="Mots, \"expressions exactes\", OR, -exclusion, rubrique:, "
                                             "source:, nature:, identifiants (NOR, JORFTEXT, 2020-1622).")
    search.__class__ = QueryArguments
    search.add_argument("query", nargs="*", metavar="REQUÊTE",
                        help="les mots cherchés (sans guillemets autour de la requête entière) ; "
                             "sans mot, tous les articles")
    search.add_argument("--topic", action="append", metavar="SLUG", help="rubrique (option répétable)")
    search.add_argument("--category", action="append", metavar="NOM",
                        help="catégorie de source : " + ", ".join(CATEGORIES))
    search.add_argument("--since", type=iso_date, metavar="AAAA-MM-JJ", help="publié ce jour ou après")
    search.add_argument("--until", type=iso_date, metavar="AAAA-MM-JJ", help="publié ce jour ou avant")
    search.add_argument("--sort", choices=("relevance", "date"), default="relevance",
                        help="pertinence (relevance, par défaut) ou date, du plus récent au plus ancien")
    search.add_argument("--limit", type=positive_int, default=PER_PAGE, metavar="N",
                        help=f"résultats par page ({PER_PAGE})")
    search.add_argument("--page", type=positive_int, default=1, metavar="N", help="numéro de la page (1)")
    search.add_argument("--json", action="store_true",
                        help="un objet JSON par résultat (id, title, url, published, score, snippet en HTML)")
    search.set_defaults(func=cmd_search)

    rebuild = commands.add_parser("reindex", help="reconstruire l'index de recherche")
    rebuild.set_defaults(func=cmd_reindex)

    index = commands.add_parser("index", help="vérifier l'index de recherche")
    actions = index.add_subparsers(title="actions", metavar="ACTION", required=True)
    check_cmd = actions.add_parser("check", help="comparer l'index à l'archive")
    check_cmd.add_argument("--repair", action="store_true", help="corriger les différences")
    check_cmd.set_defaults(func=cmd_index_check)

    status = commands.add_parser("status", help="état du service, des sources, des éditions, de l'archive et de l'index")
    status.add_argument("--json", action="store_true", help="un objet JSON")
    status.set_defaults(func=cmd_status)


class QueryArguments(argparse.ArgumentParser):
    """The `search` parser: a word with one leading dash ("-arrêté") is an excluded query word,
    not an unknown option, and query words may come after options; "-h" and "--json" keep
    their meaning, an unknown "--option" is still refused."""

    def _parse_optional(self, arg_string):
        if arg_string[:1] == "-" and arg_string[:2] != "--" and arg_string not in self._option_string_actions:
            return None
        return super()._parse_optional(arg_string)

    def parse_known_args(self, args=None, namespace=None):
        namespace, extras = super().parse_known_args(args, namespace)
        words = [a for a in extras if a[:2] != "--"]  # after an option: argparse leaves them over
        namespace.query = [*(namespace.query or ()), *words]
        return namespace, [a for a in extras if a[:2] == "--"]


def cmd_search(settings: Settings, args) -> int:
    from . import SearchRequest, open_backend
    from .highlight import render
    from .indexer import index_pending
    from .query import parse

    catalog = load_catalog(settings.feeds_path)
    unknown = [c for c in args.category or () if c not in CATEGORIES]
    if unknown:
        raise UsageError(f"catégorie inconnue « {unknown[0]} » (catégories : {', '.join(CATEGORIES)})")
    unknown = [t for t in args.topic or () if t not in catalog.topics]
    if unknown:
        raise UsageError(f"rubrique inconnue « {unknown[0]} » (voir feeds.yaml)")
    if args.since and args.until and args.since > args.until:
        raise UsageError(f"période vide : --since {args.since.isoformat()} est après --until {args.until.isoformat()}")
    factory = open_archive(settings)
    place = generations(settings)
    if place.current() is None:
        print(f"Index {settings.search_backend} d'une version ancienne : reconstruction…" if place.outdated()
              else "Première recherche : création de l'index…", file=sys.stderr)
        index_pending(settings, factory)
    elif missed := place.lag():
        print(f"Index {settings.search_backend} : {_missed(missed, settings)} pendant l'usage d'un autre moteur, "
              "mise à jour…", file=sys.stderr)
        index_pending(settings, factory)
    text = " ".join(args.query)
    parsed = parse(text, {slug: topic.label for slug, topic in catalog.topics.items()})
    request = SearchRequest(parsed, topics=tuple(args.topic or ()), categories=tuple(args.category or ()),
                            since=args.since and start_of_day(args.since, settings.timezone),
                            until=args.until and start_of_day(args.until + timedelta(days=1), settings.timezone),
                            sort=args.sort, page=args.page, per_page=args.limit)
    index = open_backend(settings)
    try:
        started = clock.perf_counter()
        result = index.search(request, text)
        elapsed = clock.perf_counter() - started
    finally:
        index.close()
    for warning in parsed.warnings:
        print(f"attention : {warning}", file=sys.stderr)
    if args.json:
        for hit in result.hits:
            print(json.dumps({"id": hit.id, "title": hit.title, "url": hit.url,
                              "published": hit.published.isoformat() if hit.published else None,
                              "score": round(hit.score, 4),
                              "snippet": render(hit.snippet, "<mark>", "</mark>", escape=True) if hit.snippet else ""},
                             ensure_ascii=False))
        return 0
    _print_result(settings, factory, catalog, text, request, result, elapsed)
    return 0


def _print_result(settings, factory, catalog, text, request, result, elapsed) -> None:
    pages = max(1, -(-result.total // request.per_page))
    quoted = f"« {text} »" if text.strip() else "tous les articles"
    if result.total == 0:
        print(f"Aucun résultat pour {quoted}.")
    else:
        order = "par date" if request.sort == "date" else "par pertinence"
        where = f", page {request.page} sur {pages}" if request.page <= pages else ""
        print(f"{quoted} : {count(result.total, 'résultat')}{where}, tri {order} ({elapsed * 1000:.0f} ms)")
    if result.suggestion:
        print(f"Vouliez-vous dire : {result.suggestion} ?")
    if result.total and not result.hits:
        print(f"La page {request.page} est au-delà de la dernière ({pages}).")
    natures = _nature_labels(factory)
    _print_hits(settings, result.hits, request.offset + 1, natures)
    if result.facets and result.total:
        labels = {"topics": {slug: t.label for slug, t in catalog.topics.items()}, "category": CATEGORIES,
                  "nature": natures, "year": {}}
        _print_facets(result.facets, labels)


def _print_hits(settings, hits, first_rank: int, natures: dict[str, str]) -> None:
    from .highlight import render

    bold = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("**", "**")
    for rank, hit in enumerate(hits, start=first_rank):
        print(f"\n{rank:>3}. {hit.title}")
        when = hit.published.astimezone(settings.timezone).strftime("%d/%m/%Y") if hit.published else "—"
        details = [when, CATEGORIES.get(hit.category, hit.category)]
        if hit.nature:
            details.append(natures.get(hit.nature, hit.nature))
        print("     " + " · ".join(details) + f" · {hit.id}")
        if hit.snippet and hit.snippet.text:
            print("     " + render(hit.snippet, *bold))
        if hit.url:
            print(f"     {hit.url}")


def _print_facets(facets: dict[str, list[tuple[str, int]]], labels: dict[str, dict[str, str]]) -> None:
    print()
    for name, title in FACET_TITLES.items():
        values = facets.get(name) or []
        if name == "year":
            values = sorted(values, reverse=True)
        shown = [f"{labels[name].get(v, v)} ({n})" for v, n in values[:FACET_VALUES_SHOWN]]
        more = f" … (+{len(values) - FACET_VALUES_SHOWN})" if len(values) > FACET_VALUES_SHOWN else ""
        if shown:
            print(f"{title} : " + " · ".join(shown) + more)


def _nature_labels(factory) -> dict[str, str]:
    from sqlalchemy import select

    from ..models import Item
    from .document import nature_key

    with factory() as session:
        natures = session.scalars(select(Item.nature).where(Item.nature.is_not(None)).distinct())
        return {nature_key(n): n.capitalize() for n in natures}


def cmd_reindex(settings: Settings, args) -> int:
    from tqdm import tqdm

    from .indexer import IndexBusy, reindex

    factory = open_archive(settings)
    started = clock.perf_counter()
    try:
        with tqdm(total=0, desc="Indexation", unit="article", file=sys.stderr, disable=None) as bar:
            total = reindex(settings, factory, bar)
    except IndexBusy as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 1
    elapsed = clock.perf_counter() - started
    place = generations(settings)
    generation = place.current()
    seconds = f"{elapsed:.1f}".replace(".", ",")
    print(f"Index {settings.search_backend} reconstruit : {count(total, 'article')} en {seconds} s "
          f"({size_text(place.size(generation))}, {place.where(generation)}).")
    return 0


def cmd_index_check(settings: Settings, args) -> int:
    from .indexer import IndexBusy, check

    factory = open_archive(settings)
    try:
        report = check(settings, factory, repair=args.repair)
    except IndexBusy as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 1
    hidden = f" dont {report.hidden} masqué{'s' if report.hidden > 1 else ''}" if report.hidden else ""
    print(f"Archive : {count(report.items, 'article')}{hidden} ; index {settings.search_backend} : "
          f"{count(report.indexed, 'document')} ; {count(report.pending, 'changement')} en attente d'indexation.")
    problems = (("absent{s} de l'index", report.missing), ("indexé{s} dans une version ancienne", report.stale),
                ("dans l'index mais plus dans l'archive", report.extra))
    for label, ids in problems:
        if ids:
            print(f"  {count(len(ids), 'article')} {label.format(s='s' if len(ids) > 1 else '')} : "
                  f"{', '.join(ids[:10])}" + (" …" if len(ids) > 10 else ""))
    if report.repaired:
        fixed = report.fixed
        if report.applied or fixed:
            print(f"Index réparé : {count(report.applied, 'article')} indexé{'s' if report.applied > 1 else ''} "
                  f"depuis le journal des changements, {count(fixed, 'différence')} "
                  f"corrigée{'s' if fixed > 1 else ''}.")
        else:
            print("Index cohérent : rien à réparer.")
        return 0
    if report.consistent:
        print("Index cohérent avec l'archive.")
        return 0
    print("Lancez « veille index check --repair » pour corriger.")
    return 1


def cmd_status(settings: Settings, args) -> int:
    from sqlalchemy import func, select

    from ..models import IndexChange, Item
    from ..service.status import collect, print_text
    from . import open_backend

    factory = open_archive(settings)
    with factory() as session:
        report = collect(settings, session, datetime.now(timezone.utc))
        items = session.scalar(select(func.count()).select_from(Item)) or 0
        pending = session.scalar(select(func.count()).select_from(IndexChange)) or 0
    place = generations(settings)
    generation = place.current()
    report["archive"] = {"items": items, "database": settings.database_url}
    report["index"] = {"engine": settings.search_backend, "lag": pending, "documents": None,
                       "bytes": place.size(generation) if generation else None}
    if args.json:
        if generation is not None:
            index = open_backend(settings)
            try:
                report["index"]["documents"] = index.backend.count()
            finally:
                index.close()
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print_text(report, settings)
    print(f"Archive : {count(items, 'article')} ({settings.database_url})")
    engine = settings.search_backend
    print(f"Moteur de recherche : {engine} ({ENGINE_REASONS[engine]})")
    if generation is None:
        state = "d'une version ancienne" if place.outdated() else "absent"
        print(f"Index de recherche {engine} : {state} (lancez « veille reindex », ou il sera construit "
              "au prochain « veille crawl » ou « veille search »)")
    else:
        index = open_backend(settings)
        try:
            indexed = index.backend.count()
            latency = measure_latency(index)
        finally:
            index.close()
        print(f"Index de recherche : {engine}, {count(indexed, 'document')}, "
              f"{size_text(place.size(generation))} ({place.where(generation)})")
        if missed := place.lag():
            print(f"  {_missed(missed, settings)} : rattrapés au prochain « veille crawl » ou « veille search »")
        print(f"Changements en attente d'indexation : {pending}")
        print(f"Temps de recherche mesuré : {latency:.0f} ms en médiane sur {len(PROBE_QUERIES)} requêtes types")
        if tip := advice(engine, items, latency):
            print(tip)
    for other in (e for e in SEARCH_BACKENDS if e != engine and generations(settings, e).available):
        print(f"Index {other} (moteur non choisi) : {_spare_state(settings, other)}")
    return 0


def _spare_state(settings: Settings, engine: str) -> str:
    """The state of an engine's index that the archive does not follow now."""
    place = generations(settings, engine)
    generation = place.current()
    if generation is None:
        return "d'une version ancienne, reconstruit s'il est de nouveau choisi" if place.outdated() else "absent"
    state = f"gardé, {size_text(place.size(generation))} ({place.where(generation)})"
    missed = place.lag()
    if missed is None:
        return f"{state}, à jour"
    return f"{state} ; {_missed(missed, settings)}, rattrapés s'il est de nouveau choisi (VEILLE_SEARCH={engine})"


def _missed(missed: Lag, settings: Settings) -> str:
    from babel.dates import format_datetime

    when = format_datetime(missed.since.astimezone(settings.timezone), "d MMMM y 'à' HH:mm", locale="fr_FR")
    return f"{count(missed.missed, 'changement')} manqué{'s' if missed.missed > 1 else ''} depuis le {when}"


def measure_latency(index) -> float:
    """Median milliseconds of a few typical searches, facets and snippets included."""
    from . import SearchRequest
    from .query import parse

    timings = []
    for text in PROBE_QUERIES:
        started = clock.perf_counter()
        index.search(SearchRequest(parse(text)))
        timings.append((clock.perf_counter() - started) * 1000)
    return statistics.median(timings)


def advice(backend: str, items: int, latency_ms: float) -> str | None:
    """Past about 30,000 items Whoosh grows slow: say so, with the figure measured."""
    if backend != "whoosh" or items <= ADVICE_ITEMS:
        return None
    return (f"Conseil : l'archive dépasse {_thousands(ADVICE_ITEMS)} articles et Whoosh y met "
            f"{latency_ms:.0f} ms par recherche ; tantivy répond en quelques millisecondes. "
            "Retirez VEILLE_SEARCH=whoosh (tantivy est le moteur par défaut) puis lancez « veille reindex ».")


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")

