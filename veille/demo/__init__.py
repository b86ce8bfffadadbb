"""`veille demo`: the demo set shipped in this folder, loaded into the current archive through
the real parsers and the real pipeline, so that a machine without network shows a full site.

The files are in the sources' own formats (RSS and Atom feeds named by source id, Assemblée
nationale question JSON, one JO issue as DILA XML); every item in them is invented. Each item
reaches the archive an hour after its publication, so the daily edition of the JO's day holds
what a real morning would.
"""
from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from ..catalog import Catalog, load_catalog
from ..commandline import open_archive
from ..config import Settings

if TYPE_CHECKING:
    from ..entry import Entry
# The pipeline and the parsers are imported where used, so that `veille --help` does not wait.

FOLDER = Path(__file__).resolve().parent
JO_SOURCE = "dila-jorf"
EDITION_DAY = date(2026, 2, 5)  # the day of the demo's JO issue
EDITION_TIME = time(7, 0)
ARRIVAL = timedelta(hours=1)


@dataclass
class Loaded:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)  # files whose source is not in feeds.yaml

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


def register(commands) -> None:
    demo = commands.add_parser("demo", help="charger le jeu de démonstration dans l'archive",
                               description="Une trentaine d'articles inventés (toutes les catégories de "
                                           "sources, de nombreuses rubriques), un numéro du Journal officiel "
                                           "et le bulletin quotidien de ce jour-là.")
    demo.set_defaults(func=cmd_demo)


def cmd_demo(settings: Settings, args) -> int:
    from ..bulletins.editions import EditionError, build
    from ..db import transaction
    from ..bulletins.models import DAILY
    from ..bulletins.wording import daily_title
    from ..search.indexer import index_pending

    factory = open_archive(settings)
    catalog = load_catalog(settings.feeds_path)
    loaded = load(catalog, factory)
    index_pending(settings, factory)
    print(f"Jeu de démonstration chargé dans {settings.database_url} : {loaded.total} articles "
          f"({loaded.new} nouveaux, {loaded.updated} mis à jour, {loaded.unchanged} inchangés).")
    for name in loaded.skipped:
        print(f"  ignoré : {name} (source absente de {settings.feeds_path})")
    now = datetime.combine(EDITION_DAY, EDITION_TIME, tzinfo=settings.timezone)
    try:
        with transaction(factory) as session:
            _, built = build(session, DAILY, EDITION_DAY, catalog, settings.timezone, now.astimezone(timezone.utc))
        print(f"Bulletin « {daily_title(EDITION_DAY)} » {'construit' if built else 'déjà présent'}.")
    except EditionError as exc:
        print(f"Bulletin de démonstration non construit : {exc}.")
    print("Lancez « veille serve » pour parcourir le site.")
    return 0


def load(catalog: Catalog, factory) -> Loaded:
    """Store every demo item, each at its own arrival time; loading twice changes nothing."""
    from ..crawl import sync_sources
    from ..db import transaction
    from ..ingest import store_entries

    loaded = Loaded()
    with transaction(factory) as session:
        sync_sources(session, catalog)
        for source_id, name, read in _documents():
            source = catalog.sources.get(source_id)
            if source is None:
                loaded.skipped.append(name)
                continue
            for entry in read(source):
                counts = store_entries(session, source, source.url, [entry], catalog.topics, _arrival(entry), catalog.model)
                loaded.new, loaded.updated = loaded.new + counts.new, loaded.updated + counts.updated
                loaded.unchanged += counts.unchanged
    return loaded


def _documents():
    """(source id, file name, its parser: source -> entries) of each demo file."""
    from ..sources import feed, jorf, questions

    for path in sorted((FOLDER / "feeds").glob("*.xml")):
        yield path.stem, path.name, lambda source, path=path: feed.parse(
            path.read_bytes(), source.url, "application/xml", source).entries
    for path in sorted((FOLDER / "questions").glob("*.json")):
        yield path.stem.rsplit("-", 1)[0], path.name, lambda source, path=path: questions.parse_document(
            path.read_bytes()).entries
    yield JO_SOURCE, "jorf/", lambda source: jorf.read_archive(io.BytesIO(_dump(FOLDER / "jorf")), source).entries


def _dump(folder: Path) -> bytes:
    """The JO issue's files as the daily .tar.gz DILA publishes."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in sorted(folder.glob("*.xml")):
            tar.add(path, arcname=f"demo/jorf/{path.name}")
    return buffer.getvalue()


def _arrival(entry: Entry) -> datetime:
    return (entry.published or datetime.combine(EDITION_DAY, time(), tzinfo=timezone.utc)) + ARRIVAL
