"""Search the archive: the backend interface, and the index the settings name.

A backend (tantivy by default, whoosh in pure Python, or postgres: PostgreSQL's full-text
search in the archive's database) indexes documents made by
`document.document`, and answers a `SearchRequest` with a `SearchResult`. Queries reach it
already parsed and analysed (`query.parse`), so every backend finds the same items.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from ..config import ConfigError, Settings

if TYPE_CHECKING:  # the query module loads the analysers (tantivy): not needed to build a request
    from .query import ParsedQuery

PER_PAGE = 20
SUGGEST_BELOW = 3  # look for a correction when a query finds fewer items than this


@dataclass(frozen=True)
class SearchRequest:
    query: ParsedQuery
    topics: tuple[str, ...] = ()  # any of these rubriques
    categories: tuple[str, ...] = ()  # any of these source categories
    since: datetime | None = None  # published at or after (aware)
    until: datetime | None = None  # published before (aware)
    sort: str = "relevance"  # or "date" (newest first)
    page: int = 1
    per_page: int = PER_PAGE
    facets: bool = True
    snippets: bool = True

    @property
    def offset(self) -> int:
        return (max(self.page, 1) - 1) * max(self.per_page, 1)


@dataclass(frozen=True)
class Snippet:
    text: str
    marks: tuple[tuple[int, int], ...] = ()  # character ranges of the words found


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    url: str
    published: datetime | None
    score: float
    category: str
    nature: str
    snippet: Snippet | None = None


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # field -> (value, count)
    suggestion: str | None = None  # the query with misspelt words corrected


class Backend(ABC):
    """One generation of an index (layout.py): a folder, or a table for postgres. Writers are
    serialised by the indexer's lock."""

    name: str

    @classmethod
    @abstractmethod
    def create(cls, generation) -> "Backend":
        """A new empty index in `generation` (from `Generations.new()`)."""

    @classmethod
    @abstractmethod
    def open(cls, generation) -> "Backend": ...

    @abstractmethod
    def write(self, documents: list[dict], deleted: Iterable[str] = ()) -> None:
        """Add or replace these documents and delete those ids, in one commit."""

    @abstractmethod
    def build(self, documents: Iterable[dict], on_batch=None) -> None:
        """Fill a new, empty index as fast as the engine allows; `on_batch(n)` reports progress."""

    @abstractmethod
    def search(self, request: SearchRequest) -> SearchResult: ...

    @abstractmethod
    def fingerprints(self) -> dict[str, str]:
        """Every indexed id with the fingerprint of its document."""

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def vocabulary(self, prefix: str) -> list[tuple[str, int]]:
        """Folded words starting with `prefix` and their document counts (for suggestions)."""

    def close(self) -> None:
        pass


def reporting(documents: Iterable[dict], on_batch: Callable[[int], None] | None,
              step: int = 1000) -> Iterator[dict]:
    """The documents, calling `on_batch(n)` every `step` documents and at the end."""
    pending = 0
    for doc in documents:
        yield doc
        pending += 1
        if on_batch and pending == step:
            on_batch(pending)
            pending = 0
    if on_batch and pending:
        on_batch(pending)


class IndexMissing(ConfigError):
    """No index yet for the configured backend."""


class GenerationGone(Exception):
    """The generation a backend reads was swapped out and removed meanwhile (by another process)."""


def backend_class(name: str) -> type[Backend]:
    if name == "tantivy":
        from .tantivy_backend import TantivyBackend
        return TantivyBackend
    if name == "postgres":
        from .postgres_backend import PostgresBackend
        return PostgresBackend
    from .whoosh_backend import WhooshBackend
    return WhooshBackend


def open_backend(settings: Settings) -> "SearchIndex":
    """The current index of the configured backend, for searching."""
    from .layout import current_generation
    generation = current_generation(settings)
    if generation is None:
        raise IndexMissing(f"pas encore d'index de recherche {settings.search_backend} : lancez « veille reindex »")
    return SearchIndex(settings, backend_class(settings.search_backend).open(generation), generation)


class SearchIndex:
    """An open index that follows `veille reindex` swaps, with "did you mean" on top."""

    def __init__(self, settings: Settings, backend: Backend, generation):
        self.settings = settings
        self.backend = backend
        self.generation = generation

    def search(self, request: SearchRequest, text: str = "") -> SearchResult:
        from .suggest import suggestion
        self._follow()
        try:
            result = self.backend.search(request)
        except GenerationGone:  # swapped out and removed since _follow looked: read the new one
            self._follow(gone=True)
            result = self.backend.search(request)
        if text and result.total < SUGGEST_BELOW:
            result.suggestion = suggestion(self.backend, request.query, text)
        return result

    def _follow(self, gone: bool = False) -> None:
        """Open the generation in use now if it is not the one open."""
        from .layout import current_generation
        generation = current_generation(self.settings)
        if generation is None and gone:
            raise IndexMissing(f"l'index de recherche {self.settings.search_backend} a disparu : "
                               "lancez « veille reindex »")
        if generation is not None and generation != self.generation:
            self.backend.close()
            self.backend = backend_class(self.settings.search_backend).open(generation)
            self.generation = generation

    def close(self) -> None:
        self.backend.close()

