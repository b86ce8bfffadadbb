"""Editions as people read them: HTML email (CSS inlined), plain text, web page and PDF.

Every HTML template is autoescaped; feed text reaches them only as data, and links only as
http or https URLs checked when the edition was built.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from functools import lru_cache
from datetime import date
from pathlib import Path
from urllib.parse import quote, urlsplit

import css_inline
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from markupsafe import Markup

from ..catalog import CATEGORIES
from ..config import ConfigError
from ..plural import count
from .build import Group, Section, daily_sections, reader_topics, weekly_groups
from .content import AlertSection, BulletinItem, EditionContent
from .models import DAILY
from .wording import day_label, typography

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "bulletin"
WIDTH = 72  # plain text columns
KIND_PATHS = {DAILY: "quotidien", "weekly": "hebdomadaire"}

_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


class Links:
    """Addresses in the web app (VEILLE_BASE_URL) that bulletins point to; with "" as the base,
    links within the site, for the pages the web app serves itself (whatever host it is reached by)."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        if base_url and (parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment
                         or any(ch.isspace() or not ch.isprintable() for ch in base_url)):
            raise ConfigError(f"VEILLE_BASE_URL : adresse invalide « {base_url} » "
                              "(exemple : https://veille.mairie.fr)")
        self.base = base_url.rstrip("/")
        self.secure = parts.scheme == "https"

    def home(self) -> str:
        return f"{self.base}/"

    def editions(self) -> str:
        return f"{self.base}/bulletins/"

    def item(self, item_id: str) -> str:
        return f"{self.base}/articles/{quote(item_id)}"

    def edition(self, kind: str, day: date) -> str:
        return f"{self.base}/bulletins/{KIND_PATHS[kind]}/{day.isoformat()}"

    def pdf(self, kind: str, day: date) -> str:
        return self.edition(kind, day) + ".pdf"

    def unsubscribe(self, token: str) -> str:
        return f"{self.base}/desabonnement/{quote(token)}"


@dataclass
class Reader:
    """Who an edition is rendered for: nobody (the full edition) or one subscriber."""

    email: str | None = None
    topics: tuple[str, ...] = ()  # chosen rubriques; none: all
    token: str | None = None  # for the unsubscribe link
    alerts: tuple[AlertSection, ...] = ()  # « Vos alertes »: this reader's own, shown before the rubriques
    full: bool = True  # False: the bulletin of headlines (no official title, summary or entry into force)


HEADLINES_NOTICE = ("Bulletin des titres. Le bulletin complet, avec les résumés, est réservé aux agents et élus "
                    "des collectivités abonnées.")


@dataclass
class Reading:
    """One reader's view of an edition."""

    content: EditionContent
    reader: Reader
    wanted: frozenset[str] | None  # the reader's rubriques still in the catalogue; None: all
    sections: list[Section]  # daily: every category, quiet ones included
    groups: list[Group]  # weekly: rubriques with their items

    @property
    def total(self) -> int:
        groups = self.groups if self.content.kind != DAILY else [g for s in self.sections for g in s.groups]
        return len(self.content.front) + sum(len(group.items) for group in groups)

    @property
    def overview(self) -> str:
        """What the edition holds for this reader, in one sentence."""
        where = " dans vos rubriques" if self.wanted else ""
        if self.content.kind == DAILY:
            where = where or " aujourd'hui"
            if not self.total:
                return f"Aucun nouveau texte{where}."
            return f"{count(self.total, 'texte retenu', 'textes retenus')}{where}."
        if not self.total:
            return f"Semaine calme : aucun nouveau texte{where} cette semaine."
        return f"{count(self.total, 'texte')} cette semaine{where}."

    @property
    def topic_labels(self) -> list[str]:
        return [label for slug, label in self.content.topics.items() if slug in (self.wanted or ())]


def reading(content: EditionContent, reader: Reader | None = None) -> Reading:
    reader = reader or Reader()
    wanted = reader_topics(reader.topics, content)
    if content.kind == DAILY:
        return Reading(content, reader, wanted, daily_sections(content, wanted), [])
    return Reading(content, reader, wanted, [], weekly_groups(content, wanted))


class _Refs:
    """Numbered links of a plain-text message, listed at its end."""

    def __init__(self, urls: tuple[str, ...] = ()):
        self.urls: list[str] = list(urls)

    def number(self, url: str) -> int:
        if url not in self.urls:
            self.urls.append(url)
        return self.urls.index(url) + 1


# The same titles and summaries go to thousands of readers: spaced and wrapped once each.
_typography = lru_cache(maxsize=16384)(typography)


@lru_cache(maxsize=16384)
def _wrap(text: str, first: str = "", rest: str | None = None) -> str:
    return textwrap.fill(_typography(text), WIDTH, initial_indent=first,
                         subsequent_indent=first if rest is None else rest,
                         break_long_words=False, break_on_hyphens=False)


class _Marks:
    """Stands in for _Refs while an item's text is rendered once: each link number is a mark,
    numbered for each reader by `entry_text`."""

    def __init__(self):
        self.urls: list[str] = []

    def number(self, url: str) -> str:
        self.urls.append(url)
        return f"\x00{len(self.urls) - 1}\x00"


# The same items go to thousands of readers in a few hundred arrangements: each item is
# rendered once per edition (HTML, and text with its link numbers left as marks).
@lru_cache(maxsize=4096)
def _item_html(entry: BulletinItem, links: Links, full: bool) -> Markup:
    return ENV.get_template("_item.html").module.item(entry, links, full=full)


@lru_cache(maxsize=4096)
def _item_text(entry: BulletinItem, links: Links, full: bool) -> tuple[str, tuple[str, ...]]:
    marks = _Marks()
    text = str(ENV.get_template("_item.txt").module.entry_text(entry, links, marks, full=full))
    return text, tuple(marks.urls)


def item(entry: BulletinItem, links: Links, full: bool = True) -> Markup:
    """One item of an HTML edition (templates/bulletin/_item.html)."""
    return _item_html(entry, links, full)


@pass_context
def entry_text(context, entry: BulletinItem, full: bool = True) -> str:
    """One item of the text email (templates/bulletin/_item.txt), its links numbered in `refs`."""
    text, urls = _item_text(entry, context["links"], full)
    for n, url in enumerate(urls):
        text = text.replace(f"\x00{n}\x00", str(context["refs"].number(url)))
    return text


def _environment() -> Environment:
    # auto_reload off: templates are read once per process, not checked on disk for every copy
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      auto_reload=False)
    env.filters.update(fr=_typography, day=day_label, wrap=_wrap)
    env.globals.update(categories=CATEGORIES, width=WIDTH, DAILY=DAILY, item=item, entry_text=entry_text,
                       headlines_notice=HEADLINES_NOTICE)
    return env


ENV = _environment()


def _render(name: str, view: Reading, links: Links, sender: str, **extra) -> str:
    return ENV.get_template(name).render(
        view=view, content=view.content, reader=view.reader, links=links, sender=sender,
        edition_url=links.edition(view.content.kind, view.content.day),
        pdf_url=links.pdf(view.content.kind, view.content.day), **extra)


def email_html(view: Reading, links: Links, sender: str) -> str:
    return _INLINER.inline(_render("email.html", view, links, sender))


def email_text(view: Reading, links: Links, sender: str) -> str:
    return typography(_render("email.txt", view, links, sender, refs=_Refs()))


def email_text_shared(view: Reading, links: Links, sender: str) -> tuple[str, str]:
    """The text email without the paragraph that names its reader (`email_text_reader`): what
    comes before that paragraph, and what comes after (the unsubscribe link and the links)."""
    refs = _Refs()
    body = _render("email_body.txt", view, links, sender, refs=refs)
    return typography(body), typography(_render("email_links.txt", view, links, sender, refs=refs))


def email_text_reader(view: Reading) -> str:
    """The paragraph of the text email that names its reader and their rubriques (rendered for
    every copy: its template sees only `view` and `reader`)."""
    return typography(ENV.get_template("email_reader.txt").render(view=view, reader=view.reader))


def page_html(view: Reading, links: Links, sender: str, nav: bool = False) -> str:
    """The web page of an edition, with its print stylesheet; `nav`: with the site's navigation."""
    return _render("page.html", view, links, sender, nav=nav)


def pdf(view: Reading, links: Links, sender: str) -> bytes:
    from weasyprint import HTML  # slow to import: only when a PDF is asked for

    return HTML(string=page_html(view, links, sender), base_url=str(TEMPLATES)).write_pdf()
