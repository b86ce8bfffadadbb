"""The search page's parameters, shared by `/recherche`, its feed, the JSON API and the
readers' saved searches (alerts):

    q=…  rubrique=<slug>  categorie=<categorie>  depuis=AAAA-MM-JJ  jusqu=AAAA-MM-JJ
    tri=pertinence|date  page=N

read into the `SearchRequest` that `veille search` builds. A wrong value raises `BadParameter`,
whose French message names the parameter (a 400 page); an empty value is an absent one (a form
sends its empty fields).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Mapping
from zoneinfo import ZoneInfo

from ..catalog import CATEGORIES, Topic
from ..dates import start_of_day
from ..numbers import parse_int
from . import PER_PAGE, SearchRequest
from .query import MAX_CHARS, parse

SORTS = {"pertinence": "relevance", "date": "date"}
MAX_PAGE = 500  # past 10,000 results, refine the query rather than page on
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
NAMES = ("q", "rubrique", "categorie", "depuis", "jusqu", "tri", "page")


class BadParameter(ValueError):
    """A parameter of the address that cannot be read; `str()` is the French message."""

    def __init__(self, name: str, message: str):
        super().__init__(f"paramètre « {name} » : {message}")
        self.name = name


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    rubrique: str | None = None
    categorie: str | None = None
    depuis: date | None = None
    jusqu: date | None = None
    tri: str = "pertinence"
    page: int = 1

    def args(self, **changes) -> dict[str, str]:
        """The address parameters of this search with `changes`, defaults left out (for links);
        a change to None removes that parameter. Any change but `page` goes back to page 1."""
        if "page" not in changes:
            changes["page"] = 1
        changed = replace(self, **changes)
        values = {"q": changed.q, "rubrique": changed.rubrique, "categorie": changed.categorie,
                  "depuis": changed.depuis and changed.depuis.isoformat(),
                  "jusqu": changed.jusqu and changed.jusqu.isoformat(),
                  "tri": None if changed.tri == "pertinence" else changed.tri,
                  "page": None if changed.page == 1 else str(changed.page)}
        return {name: value for name, value in values.items() if value}

    @property
    def filtered(self) -> bool:
        return bool(self.rubrique or self.categorie or self.depuis or self.jusqu)

    def request(self, topics: Mapping[str, Topic], tz: ZoneInfo, per_page: int = PER_PAGE,
                **options) -> SearchRequest:
        """The request `veille search` would make for these parameters (`topics`: the catalogue's
        rubriques; `options`: facets, snippets, or a sort that overrides `tri`)."""
        parsed = parse(self.q, {slug: topic.label for slug, topic in topics.items()})
        options.setdefault("sort", SORTS[self.tri])
        return SearchRequest(parsed, topics=(self.rubrique,) if self.rubrique else (),
                             categories=(self.categorie,) if self.categorie else (),
                             since=self.depuis and start_of_day(self.depuis, tz),
                             until=self.jusqu and start_of_day(self.jusqu + timedelta(days=1), tz),
                             page=self.page, per_page=per_page, **options)


def read(args: Mapping[str, str], topics: Mapping[str, Topic]) -> SearchParams:
    """The parameters of a query string, checked against the catalogue's rubriques; raises BadParameter."""
    def value(name: str) -> str | None:
        text = (args.get(name) or "").strip()
        return text or None

    rubrique, categorie = value("rubrique"), value("categorie")
    if rubrique is not None and rubrique not in topics:
        raise BadParameter("rubrique", f"rubrique inconnue « {rubrique[:80]} » (voir la liste des rubriques)")
    if categorie is not None and categorie not in CATEGORIES:
        raise BadParameter("categorie", f"catégorie inconnue « {categorie[:80]} » "
                                        f"(catégories : {', '.join(CATEGORIES)})")
    tri = value("tri") or "pertinence"
    if tri not in SORTS:
        raise BadParameter("tri", f"« {tri[:80]} » : tri par « pertinence » ou par « date »")
    page_text = value("page")
    page = 1 if page_text is None else parse_int(page_text, minimum=1, maximum=MAX_PAGE)
    if page is None:
        raise BadParameter("page", f"« {page_text[:80]} » n'est pas un numéro de page entre 1 et {MAX_PAGE}")
    depuis, jusqu = _day(value("depuis"), "depuis"), _day(value("jusqu"), "jusqu")
    if depuis and jusqu and depuis > jusqu:
        raise BadParameter("depuis", f"période vide : du {depuis.isoformat()} au {jusqu.isoformat()}")
    q = " ".join((args.get("q") or "").split())[:MAX_CHARS]  # the parser would cut it there too
    return SearchParams(q, rubrique, categorie, depuis, jusqu, tri, page)


def _day(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        if DATE_RE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise BadParameter(name, f"« {text[:80]} » n'est pas une date AAAA-MM-JJ (par exemple 2020-02-05)")
