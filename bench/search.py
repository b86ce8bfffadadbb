"""Search benchmark: Whoosh and tantivy (and SQLite FTS5 for comparison) on the same archive
and the same queries.

Builds a deterministic archive of N French administrative items (decrees, orders, circulars,
news: JO titles, notices and articles written with the rubriques' own vocabulary from
feeds.yaml), with the long tail of a real archive: communes, people and companies named in the
texts keep coming as the archive grows (a new name now and then, the known ones the more often
the more they were seen), and every item has its own NOR and numbers, so that the number of
distinct terms grows with the corpus (printed). Then, for each engine, in a process of its own:
the build rate, the index size on disk, the time to add 500 items, p50/p95/p99 latency over a
fixed set of queries (single words, two or three words, phrases, identifiers, rare names, with a
rubrique filter, with a date range, sorted by date; top 20 with snippets and facet counts) in a
long-lived process, on a first pass and warm, the p50/p95 of `veille search` run as a new
process per query, the peak memory of the building and querying process (above the generated
corpus) and of one `veille search` process, and whether phrase queries give every engine the
same totals.

    .venv/bin/python bench/search.py [--sizes 10000,100000,300000] [--engines whoosh,tantivy,postgres,fts5]
        [--cli-queries 20] [--seed 4] [--database-url postgresql+psycopg://…]

The postgres engine runs on the PostgreSQL database given by --database-url (empty: the archive
and its index go there), else on a server the script starts (tests/pgserver.py).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from veille.catalog import load_catalog  # noqa: E402
from veille.config import Settings  # noqa: E402
from veille.db import make_engine, migrate, session_factory  # noqa: E402
from veille.models import Item, ItemTopic  # noqa: E402
from veille.search import SearchRequest, backend_class, open_backend  # noqa: E402
from veille.search.analysis import folded, stems  # noqa: E402
from veille.search.document import document  # noqa: E402
from veille.search.layout import generations  # noqa: E402
from veille.search.query import And, Identifier, Not, Or, Phrase, Term, parse  # noqa: E402

ADDED = 500
CATEGORIES = ("journal-officiel", "journal-officiel", "journal-officiel", "circulaires", "actualite",
              "documentation", "infos-rh", "reponses-ministerielles")
NATURES = ("DÉCRET", "ARRÊTÉ", "ARRÊTÉ", "LOI", "ORDONNANCE", "CIRCULAIRE", "DÉCISION", "AVIS")
MINISTRIES = (
    ("INT", "ministère de l'intérieur"), ("ECO", "ministère de l'économie, des finances et de la relance"),
    ("TER", "ministère de la cohésion des territoires et des relations avec les collectivités territoriales"),
    ("TRA", "ministère de la transformation et de la fonction publiques"), ("SSA", "ministère des solidarités et de la santé"),
    ("TRE", "ministère de la transition écologique"), ("MEN", "ministère de l'éducation nationale et de la jeunesse"),
    ("AGR", "ministère de l'agriculture et de l'alimentation"), ("JUS", "ministère de la justice"),
    ("LOG", "ministère chargé du logement"), ("MIC", "ministère de la culture"),
)
OBJECTS = ("relatif aux modalités de mise en œuvre", "portant modification des dispositions relatives",
           "fixant les conditions d'application", "relatif à l'organisation et au fonctionnement",
           "portant diverses mesures relatives", "pris pour l'application de l'article", "modifiant le régime applicable",
           "relatif aux conditions de recrutement", "portant création d'un dispositif", "relatif au contrôle")
CODES = ("code général des collectivités territoriales", "code de l'urbanisme", "code de l'environnement",
         "code général de la fonction publique", "code de la commande publique", "code de la santé publique",
         "code de l'action sociale et des familles", "code de l'éducation", "code de la construction et de l'habitation",
         "code électoral", "code de la sécurité intérieure", "code général des impôts")
PUBLICS = ("collectivités territoriales", "communes et établissements publics de coopération intercommunale",
           "départements et régions", "agents de la fonction publique territoriale", "préfectures",
           "services déconcentrés de l'État", "élus locaux", "centres de gestion", "opérateurs de l'État")
PLACES = ("Lyon", "Marseille", "Toulouse", "Nantes", "Strasbourg", "Montpellier", "Bordeaux", "Lille", "Rennes",
          "Reims", "Saint-Étienne", "Le Havre", "Grenoble", "Dijon", "Angers", "Nîmes", "Clermont-Ferrand",
          "Aix-en-Provence", "Brest", "Tours", "Amiens", "Limoges", "Annecy", "Perpignan", "Besançon", "Orléans",
          "Metz", "Rouen", "Mulhouse", "Caen", "Nancy", "Avignon", "Poitiers", "La Rochelle", "Pau", "Bayonne")
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
VERBS = ("est ainsi modifié", "est remplacé par les dispositions suivantes", "est complété par un alinéa ainsi rédigé",
         "est abrogé", "entre en vigueur le lendemain de sa publication", "est applicable aux contrats en cours")
WORDS = ("délibération", "conseil municipal", "préfet", "arrêté préfectoral", "établissement public", "contrôle de légalité",
         "dotation", "subvention", "budget", "compte administratif", "rapport", "avis", "commission", "syndicat mixte",
         "convention", "décision", "recours", "tribunal administratif", "agent contractuel", "titulaire", "emploi",
         "rémunération", "indemnité", "astreinte", "temps de travail", "télétravail", "formation", "santé", "sécurité",
         "équipement", "bâtiment", "travaux", "réseau", "service public", "usager", "tarif", "redevance", "taxe",
         "exonération", "seuil", "plafond", "délai", "procédure", "dématérialisation", "transparence", "déclaration")
SINGLE_WORDS = ("décret", "arrêté", "urbanisme", "dotation", "assainissement", "intercommunalité", "concours",
                "télétravail", "subvention", "redevance", "cimetière", "laïcité", "biodiversité", "voirie", "crèches",
                "tourisme", "déchets", "élections", "cybersécurité", "logement", "rémunération", "indemnité",
                "dématérialisation", "préfet", "délibération", "exonération", "handicap", "jeunesse", "agriculture",
                "littoral", "montagne", "santé", "commerce", "associations", "sport", "culture", "patrimoine",
                "transparence", "seuil", "délai", "astreinte", "formation", "contractuel", "recours", "budget",
                "police", "incendie", "retraite", "mobilités", "énergie", "insertion")


SYLLABLES = ("bar", "ville", "mont", "ros", "lac", "fon", "ten", "gny", "court", "mar", "bel", "cha", "tel", "ber",
             "nac", "vi", "gne", "lan", "ker", "plo", "ern", "sau", "ve", "ter", "roque", "fort", "dun", "quer",
             "lo", "ri", "mo", "sa", "bo", "gues", "ac", "euil", "vaux", "pré", "champ", "bois", "val", "mai")
FIRST_NAMES = ("Jean", "Marie", "Pierre", "Anne", "Michel", "Isabelle", "Philippe", "Catherine", "Alain", "Sylvie",
               "Nicolas", "Nathalie", "Éric", "Sophie", "Laurent", "Christine", "Olivier", "Valérie", "Thierry",
               "Sandrine", "Karim", "Fatima", "Yannick", "Gwenaëlle", "Mathieu", "Élodie", "Hugo", "Léa")
FORMS = ("SAS", "SARL", "SA", "SCOP", "SEM", "SPL", "SCIC")
TRADES = ("Réseaux", "Environnement", "Services", "Ingénierie", "Énergies", "Travaux", "Conseil", "Numérique")


def _coined(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts))


class LongTail:
    """Names as a real archive has them: a new one with probability `fresh`, else one already
    seen, drawn in proportion to how often it was (preferential attachment), so that the number
    of distinct names keeps growing with the archive, slower than it."""

    def __init__(self, rng: random.Random, coin, fresh: float):
        self.rng, self.coin, self.fresh = rng, coin, fresh
        self.drawn: list[str] = []
        self.distinct: list[str] = []

    def draw(self) -> str:
        if not self.drawn or self.rng.random() < self.fresh:
            name = self.coin(self.rng)
            self.distinct.append(name)
        else:
            name = self.rng.choice(self.drawn)
        self.drawn.append(name)
        return name


def long_tails(rng: random.Random) -> dict[str, LongTail]:
    return {
        "commune": LongTail(rng, lambda r: r.choice(("", "", "Saint-", "Le ", "La ", "Les ")) +
                            _coined(r, r.randint(2, 3)).capitalize() + r.choice(("", "", "", "-sur-Mer", "-le-Haut",
                                                                                 f"-en-{_coined(r, 2).capitalize()}")),
                            fresh=0.25),
        "person": LongTail(rng, lambda r: f"{r.choice(FIRST_NAMES)} {_coined(r, r.randint(2, 3)).capitalize()}",
                           fresh=0.3),
        "company": LongTail(rng, lambda r: f"{_coined(r, 2).capitalize()} {r.choice(TRADES)} {r.choice(FORMS)}",
                            fresh=0.2),
    }


def keywords(catalog) -> dict[str, list[str]]:
    return {slug: [k for k in topic.keywords if len(k) > 3] or [topic.label] for slug, topic in catalog.topics.items()}


def make_items(n: int, seed: int, vocab: dict[str, list[str]], start: int = 0,
               tails: dict[str, LongTail] | None = None) -> list[Item]:
    rng = random.Random(seed * 1_000_003 + start)
    slugs = sorted(vocab)
    items = []
    names = tails if tails is not None else long_tails(random.Random(seed))
    for i in range(start, start + n):
        topics = rng.sample(slugs, rng.choice((1, 1, 2, 2, 3)))
        main = rng.choice(vocab[topics[0]])
        other = rng.choice(vocab[topics[-1]])
        prefix, ministry = rng.choice(MINISTRIES)
        nature = rng.choice(NATURES)
        category = "journal-officiel" if nature not in ("CIRCULAIRE",) and rng.random() < 0.6 else rng.choice(CATEGORIES)
        day = date(2015, 1, 1) + timedelta(days=rng.randrange(11 * 365))
        number = f"{day.year}-{rng.randrange(1, 1800)}"
        nor = f"{prefix}{rng.choice('ABCDEFGHIJKLMNOPRSTUVWX')}{day.year % 100:02d}{rng.randrange(100000):05d}{rng.choice('ADJCSVXP')}"
        code = rng.choice(CODES)
        article = f"{rng.choice('LRD')}. {rng.randrange(1000, 6000)}-{rng.randrange(1, 40)}"
        place = rng.choice(PLACES)
        title = _title(rng, nature, number, day, main, other, place)
        notice = (f"Publics concernés : {rng.choice(PUBLICS)}. Objet : {rng.choice(OBJECTS)} à la {main} "
                  f"et à {other}. Entrée en vigueur : le texte entre en vigueur le lendemain de sa publication. "
                  f"Notice : le présent {nature.lower()} précise les règles applicables en matière de {main} "
                  f"({rng.choice(WORDS)}, {rng.choice(WORDS)}). Références : le texte peut être consulté sur le site "
                  f"Légifrance (https://www.legifrance.gouv.fr).")
        articles = []
        for k in range(rng.randrange(2, 6)):
            words = ", ".join(rng.sample(WORDS, 4))
            articles.append(
                f"Article {k + 1} — L'article {article} du {code} {rng.choice(VERBS)} : « {rng.choice(OBJECTS)} "
                f"{main} ; les mots : « {rng.choice(WORDS)} » sont remplacés par les mots : « {other} ». » "
                f"Le {rng.choice(WORDS)} mentionné au {k + 1}° tient compte de {words}. Le préfet de {place} "
                f"est chargé de l'exécution du présent {nature.lower()}.")
        commune, person, company = (names[kind].draw() for kind in ("commune", "person", "company"))
        articles.append(f"Vu la demande de la commune de {commune} présentée par {person}, et l'offre de la société "
                        f"{company} au {rng.choice(WORDS)} de {names['commune'].draw()}.")
        if rng.random() < 0.5:
            title = f"{title} — {commune}"
        text = notice + "\n" + "\n".join(articles) + f"\nNOR : {nor}"
        published = datetime(day.year, day.month, day.day, 4, 30, tzinfo=timezone.utc)
        item = Item(id=f"b{i:07d}", source_id=f"source-{category}", category=category, title=title,
                    summary=notice[:600], text=text, nature=nature, nor=nor, ministry=ministry,
                    jorf_id=f"JORFTEXT{i:012d}" if category == "journal-officiel" else None,
                    jo_number=f"{rng.randrange(1, 305):04d}", published_at=published, fetched_at=published,
                    url=f"https://www.legifrance.gouv.fr/jorf/id/JORFTEXT{i:012d}", extra={}, tags=[],
                    content_hash=hashlib.sha256(f"{title}{text}".encode("utf-8")).hexdigest())
        item.topics = [ItemTopic(topic=slug, origin="rule", reason="") for slug in topics]
        items.append(item)
    return items


def _title(rng, nature, number, day, main, other, place) -> str:
    when = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    if nature in ("DÉCRET", "ORDONNANCE", "LOI"):
        return f"{nature.capitalize()} n° {number} du {when} {rng.choice(OBJECTS)} à la {main}"
    if nature == "ARRÊTÉ":
        return f"Arrêté du {when} {rng.choice(OBJECTS)} à {main} et à {other}"
    if nature == "CIRCULAIRE":
        return f"Circulaire du {when} relative à {main}"
    return f"{main.capitalize()} : {rng.choice(WORDS)} à {place} ({other})"


def make_queries(seed: int, vocab: dict[str, list[str]], items: list[Item], tails: dict[str, LongTail]) -> list[dict]:
    """At least 200 queries of every kind people type, fixed by the seed; 30 of them a name of
    the long tail, most of them rare."""
    rng = random.Random(seed)
    slugs = sorted(vocab)
    phrases = [k for ks in vocab.values() for k in ks if " " in k]
    queries = [{"text": w, "shape": "un mot"} for w in SINGLE_WORDS[:50]]
    queries += [{"text": rng.choice(phrases), "shape": "deux ou trois mots"} for _ in range(40)]
    queries += [{"text": f"{rng.choice(WORDS)} {rng.choice(SINGLE_WORDS)}", "shape": "deux ou trois mots"}
                for _ in range(20)]
    queries += [{"text": f'"{rng.choice(phrases)}"', "shape": "expression"} for _ in range(20)]
    queries += [{"text": f'"{c}"', "shape": "expression"} for c in CODES[:5]]
    queries += [{"text": rng.choice(SINGLE_WORDS), "topics": (rng.choice(slugs),), "shape": "rubrique"}
                for _ in range(25)]
    queries += [{"text": f"rubrique:{rng.choice(slugs)} {rng.choice(WORDS)}", "shape": "rubrique"} for _ in range(10)]
    for _ in range(30):
        start = date(2015, 1, 1) + timedelta(days=rng.randrange(3000))
        queries.append({"text": rng.choice(SINGLE_WORDS), "since": start, "shape": "période",
                        "until": start + timedelta(days=rng.choice((30, 180, 365)))})
    queries += [{"text": rng.choice(SINGLE_WORDS + tuple(phrases)), "sort": "date", "shape": "tri par date"}
                for _ in range(30)]
    queries += [{"text": f"{rng.choice(SINGLE_WORDS)} -{rng.choice(SINGLE_WORDS)}", "shape": "exclusion"}
                for _ in range(10)]
    queries += [{"text": f"{rng.choice(SINGLE_WORDS)} OR {rng.choice(SINGLE_WORDS)}", "shape": "OR"} for _ in range(10)]
    queries += [{"text": rng.choice(items).nor, "shape": "NOR"} for _ in range(10)]
    queries += [{"text": rng.choice(tail.distinct), "shape": "nom rare"} for tail in tails.values() for _ in range(10)]
    return queries


def request_of(spec: dict) -> SearchRequest:
    return SearchRequest(parse(spec["text"]), topics=spec.get("topics", ()), since=_utc(spec.get("since")),
                         until=_utc(spec.get("until")), sort=spec.get("sort", "relevance"))


def _utc(day: date | None) -> datetime | None:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc) if day else None


# --- the engines: each gives build(items) -> s, size() -> bytes, add(items) -> s, search(spec) -> s


class Engine:
    def __init__(self, name: str, root: Path, database_url: str | None = None):
        """`database_url`: the archive's database (postgres: where the index is too), else SQLite in `root`."""
        self.name = name
        self.database = {"VEILLE_DATABASE_URL": database_url} if database_url else {}
        self.settings = Settings.from_env({"VEILLE_HOME": str(root), "VEILLE_INDEX_DIR": str(root / "index"),
                                           "VEILLE_SEARCH": name, **self.database})
        self.place = generations(self.settings)
        self.index = None

    def build(self, items: list[Item]) -> float:
        generation = self.place.new()
        started = time.perf_counter()
        backend = backend_class(self.name).create(generation)
        backend.build(document(item) for item in items)
        backend.close()
        elapsed = time.perf_counter() - started
        self.place.make_current(generation)
        self.generation = generation
        self.index = open_backend(self.settings)
        return elapsed

    def size(self) -> int:
        return self.place.size(self.generation)

    def add(self, items: list[Item]) -> float:
        started = time.perf_counter()
        self.index.backend.write([document(item) for item in items])
        return time.perf_counter() - started

    def search(self, spec: dict) -> tuple[float, int]:
        started = time.perf_counter()
        result = self.index.search(request_of(spec), spec["text"])
        return time.perf_counter() - started, result.total

    def command(self, spec: dict) -> tuple[float, int]:
        """`veille search` in a new process: (seconds, its peak memory in KiB)."""
        args = [sys.executable, "-c", MEASURED, "-m", "veille.cli", "search", spec["text"]]
        args += [f"--topic={t}" for t in spec.get("topics", ())] + (["--sort", "date"] if spec.get("sort") == "date" else [])
        env = {**os.environ, "VEILLE_HOME": str(self.settings.home), "VEILLE_INDEX_DIR": str(self.settings.index_dir),
               "VEILLE_SEARCH": self.name, "VEILLE_FEEDS": str(REPO / "feeds.yaml"), **self.database}
        started = time.perf_counter()
        done = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"veille search {spec['text']!r} : code {done.returncode}"
        return time.perf_counter() - started, int(done.stdout)

    def close(self) -> None:
        self.index.close()


class Fts5:
    """SQLite FTS5 (unicode61, accents removed; stems as prefixes stand in for stemming),
    bm25 with the same field weights, facets by GROUP BY, snippets by snippet()."""

    name = "fts5"

    def __init__(self, root: Path):
        self.path = root / "fts5.db"
        self.db = sqlite3.connect(self.path)
        self.db.executescript("""
            PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
            CREATE TABLE items(rowid INTEGER PRIMARY KEY, id TEXT UNIQUE, url TEXT, category TEXT, nature TEXT,
                               year INTEGER, published TEXT);
            CREATE INDEX items_published ON items(published);
            CREATE TABLE item_topics(rowid INTEGER, topic TEXT);
            CREATE INDEX item_topics_topic ON item_topics(topic, rowid);
            CREATE INDEX item_topics_rowid ON item_topics(rowid);
            CREATE VIRTUAL TABLE fts USING fts5(title, summary, body, refs,
                                                tokenize="unicode61 remove_diacritics 2");
        """)
        self.next_rowid = 1

    def _insert(self, items: list[Item]) -> None:
        with self.db:
            for item in items:
                doc = document(item)
                rowid = self.next_rowid
                self.next_rowid += 1
                self.db.execute("INSERT INTO items VALUES (?,?,?,?,?,?,?)",
                                (rowid, doc["id"], doc["url"], doc["category"], doc["nature"], doc["year"],
                                 doc["published"].isoformat()))
                self.db.executemany("INSERT INTO item_topics VALUES (?,?)", [(rowid, t) for t in doc["topics"]])
                self.db.execute("INSERT INTO fts(rowid, title, summary, body, refs) VALUES (?,?,?,?,?)",
                                (rowid, doc["title"], doc["summary"], doc["body"], " ".join(doc["ids"] + doc["refs"])))

    def build(self, items: list[Item]) -> float:
        started = time.perf_counter()
        self._insert(items)
        self.db.execute("INSERT INTO fts(fts) VALUES('optimize')")
        self.db.commit()
        return time.perf_counter() - started

    def size(self) -> int:
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return self.path.stat().st_size

    def add(self, items: list[Item]) -> float:
        started = time.perf_counter()
        self._insert(items)
        return time.perf_counter() - started

    def search(self, spec: dict) -> tuple[float, int]:
        started = time.perf_counter()
        request = request_of(spec)
        root = request.query.root
        where, params = [], []
        if root is not None:
            where.append("fts MATCH ?")
            params.append(_fts_expression(root))
        for node in _filters(root):
            where.append(f"items.rowid IN (SELECT rowid FROM item_topics WHERE topic IN ({','.join('?' * len(node))}))")
            params += node
        if request.topics:
            where.append(f"items.rowid IN (SELECT rowid FROM item_topics WHERE topic IN ({','.join('?' * len(request.topics))}))")
            params += request.topics
        if request.since:
            where.append("published >= ?")
            params.append(request.since.isoformat())
        if request.until:
            where.append("published < ?")
            params.append(request.until.isoformat())
        clause = " AND ".join(where) or "1"
        order = "published DESC" if request.sort == "date" or root is None else "bm25(fts, 3.0, 1.5, 1.0, 20.0)"
        self.db.execute(f"SELECT items.id, fts.title, snippet(fts, 2, '<b>', '</b>', '…', 24) FROM fts "
                        f"JOIN items ON items.rowid = fts.rowid WHERE {clause} ORDER BY {order} LIMIT 20",
                        params).fetchall()
        matched = f"SELECT items.rowid FROM fts JOIN items ON items.rowid = fts.rowid WHERE {clause}"
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS hits(rowid INTEGER PRIMARY KEY)")
        self.db.execute("DELETE FROM hits")
        self.db.execute(f"INSERT INTO hits {matched}", params)
        for column in ("category", "nature", "year"):
            self.db.execute(f"SELECT {column}, count(*) FROM items WHERE rowid IN (SELECT rowid FROM hits) "
                            f"GROUP BY {column}").fetchall()
        self.db.execute("SELECT topic, count(*) FROM item_topics WHERE rowid IN (SELECT rowid FROM hits) "
                        "GROUP BY topic").fetchall()
        total = self.db.execute("SELECT count(*) FROM hits").fetchone()[0]
        return time.perf_counter() - started, total

    def command(self, spec: dict) -> None:
        return None  # FTS5 has no command of its own here

    def close(self) -> None:
        self.db.close()


def _fts_expression(node) -> str:
    if isinstance(node, Term):
        return f'"{node.stem}"*'
    if isinstance(node, Phrase):
        return "NEAR(" + " ".join(f'"{s}"' for s in node.stems) + f", {len(node.stems)})"
    if isinstance(node, Identifier):
        return '{refs}: "' + " ".join(folded(node.value)) + '"'
    if isinstance(node, Not):
        return f"NOT ({_fts_expression(node.node)})"
    if isinstance(node, (And, Or)):
        parts = [_fts_expression(n) for n in node.nodes if not _is_filter(n)]
        positives = [p for p in parts if not p.startswith("NOT ")]
        negatives = [p for p in parts if p.startswith("NOT ")]
        joined = (" AND " if isinstance(node, And) else " OR ").join(positives) or '"a"*'
        return f"({joined}" + "".join(f" {n}" for n in negatives) + ")"
    return '"a"*'


def _is_filter(node) -> bool:
    return not isinstance(node, (Term, Phrase, Identifier, Not, And, Or))


def _filters(node) -> list[list[str]]:
    if node is None:
        return []
    if _is_filter(node):
        return [list(node.values)]
    if isinstance(node, And):
        return [f for child in node.nodes for f in _filters(child)]
    return []


def run(size: int, engines: list[str], seed: int, vocab, cli_queries: int, database_url: str | None = None) -> dict:
    print(f"\n=== N = {size:,} items ===".replace(",", " "), flush=True)
    started = time.perf_counter()
    tails = long_tails(random.Random(seed))
    items = make_items(size, seed, vocab, tails=tails)
    extra = make_items(ADDED, seed, vocab, start=size, tails=tails)
    queries = make_queries(seed, vocab, items, tails)
    terms = set()
    for item in items:
        terms.update(stems(item.title))
        terms.update(stems(item.text))
    print(f"corpus generated in {time.perf_counter() - started:.1f} s; {len(terms):,} distinct terms; "
          f"{len(queries)} queries ({cli_queries} of them also through `veille search`)".replace(",", " "), flush=True)
    del terms
    figures, totals = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in engines:
            url = database_url if name == "postgres" else None
            figures[name], totals[name] = _in_child(lambda: _measure(name, Path(tmp), items, extra, queries,
                                                                     cli_queries, url))
            print(f"{name}: built at {figures[name]['build rate (items/s)']:.0f} items/s", flush=True)
    phrases = [n for n, q in enumerate(queries) if q["text"].startswith('"')]
    if len(totals) > 1:
        same = sum(len({totals[name][n] for name in totals}) == 1 for n in phrases)
        print(f"phrase queries with the same total on every engine: {same}/{len(phrases)}")
    _print(figures)
    return figures


def _measure(name: str, root: Path, items, extra, queries, cli_queries: int,
             database_url: str | None = None) -> tuple[dict, list[int]]:
    """One engine's figures, in the process that runs it (see _in_child), and each query's total."""
    baseline = _rss_kib()
    engine = Fts5(root) if name == "fts5" else Engine(name, root / name, database_url)
    if name != "fts5":
        factory = session_factory(make_engine(engine.settings))  # the empty archive `veille search` opens
        migrate(factory.kw["bind"])
    build = engine.build(items)
    size_bytes = engine.size()
    first = [engine.search(q) for q in queries]
    second = [engine.search(q)[0] for q in queries]
    add = engine.add(extra)
    engine.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures = {"build rate (items/s)": len(items) / build, "index size (MiB)": size_bytes / 2**20,
               f"add {ADDED} items (s)": add}
    for label, times in (("", [t for t, _ in first]), (" warm", second)):
        for pct in (50, 95, 99):
            figures[f"p{pct}{label} (ms)"] = _percentile(times, pct) * 1000
    for shape in dict.fromkeys(q["shape"] for q in queries):  # warm, by kind of query
        times = [t for t, q in zip(second, queries) if q["shape"] == shape]
        for pct in (50, 95):
            figures[f"{shape} p{pct} (ms)"] = _percentile(times, pct) * 1000
    figures["peak memory (MiB)"] = (peak - baseline) / 1024
    commands = [engine.command(q) for q in queries[::max(1, len(queries) // cli_queries)][:cli_queries]]
    if commands[0] is not None:
        figures["command p50 (ms)"] = _percentile([t for t, _ in commands], 50) * 1000
        figures["command p95 (ms)"] = _percentile([t for t, _ in commands], 95) * 1000
        figures["command memory (MiB)"] = max(m for _, m in commands) / 1024
    return figures, [total for _, total in first]


# Runs the command given after it and prints the command's peak memory (KiB). Linux counts in a
# process's ru_maxrss the memory of the process it was forked from, until its exec: a command
# started straight from this benchmark, which holds the corpus, would be charged with it. Forked
# from this small launcher instead, it is charged with the launcher's few MiB only.
MEASURED = """import os, sys
pid = os.fork()
if pid == 0:
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
    os.execv(sys.executable, [sys.executable] + sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(usage.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def _in_child(work):
    """Run `work` in a forked process, so that each engine's peak memory is its own."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        with os.fdopen(write, "w") as out:
            json.dump(work(), out)
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as answer:
        data = answer.read()
    _, status = os.waitpid(pid, 0)
    if not data or os.waitstatus_to_exitcode(status):
        raise SystemExit(f"the engine's process failed ({status})")
    return json.loads(data)


def _percentile(values: list[float], pct: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def _print(figures: dict) -> None:
    names = list(figures)
    metrics = list(dict.fromkeys(m for f in figures.values() for m in f))
    header = f"{'':24}" + "".join(f"{n:>12}" for n in names)
    ratios = [n for n in names if n != "fts5"] if "fts5" in figures else []
    header += "".join(f"{n + '/fts5':>16}" for n in ratios)
    print(header)
    for metric in metrics:
        row = f"{metric:24}" + "".join(f"{figures[n][metric]:>12.1f}" if metric in figures[n] else f"{'-':>12}"
                                        for n in names)
        row += "".join(f"{figures[n][metric] / figures['fts5'][metric]:>16.2f}" if metric in figures["fts5"]
                       else f"{'-':>16}" for n in ratios)
        print(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000", help="comma-separated archive sizes (10000,100000)")
    parser.add_argument("--engines", default="whoosh,tantivy")
    parser.add_argument("--cli-queries", type=int, default=20, help="queries also run through `veille search`")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--database-url", metavar="URL",
                        help="an empty PostgreSQL database for the postgres engine (postgresql+psycopg://…); "
                             "without it, a server of its own is started (tests/pgserver.py)")
    args = parser.parse_args()
    vocab = keywords(load_catalog(REPO / "feeds.yaml"))
    engines = args.engines.split(",")
    with ExitStack() as stack:
        server = None
        if "postgres" in engines and not args.database_url:
            from tests.pgserver import PostgresServer
            server = stack.enter_context(PostgresServer())
        for size in (int(s) for s in args.sizes.split(",")):
            run(size, engines, args.seed, vocab, args.cli_queries,
                args.database_url or (server.create_database() if server else None))


if __name__ == "__main__":
    main()
