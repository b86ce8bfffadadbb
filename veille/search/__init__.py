"""Search the archive: the backend interface, and the index the settings name.

A backend (tantivy by default, or whoosh in pure Python) indexes documents made by
`document.document`, and answers a `SearchRequest` with a `SearchResult`. Queries reach it
already parsed and analysed (`query.parse`), so every backend finds the same items.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
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
    """One index in one folder. Writers are serialised by the indexer's lock."""

    name: str

    @classmethod
    @abstractmethod
    def create(cls, path: Path) -> "Backend":
        """A new empty index in `path`."""

    @classmethod
    @abstractmethod
    def open(cls, path: Path) -> "Backend": ...

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


def backend_class(name: str) -> type[Backend]:
    if name == "tantivy":
        from .tantivy_backend import TantivyBackend
        return TantivyBackend
    from .whoosh_backend import WhooshBackend
    return WhooshBackend


def open_backend(settings: Settings) -> "SearchIndex":
    """The current index of the configured backend, for searching."""
    from .layout import current_generation
    path = current_generation(settings)
    if path is None:
        raise IndexMissing(f"pas encore d'index de recherche {settings.search_backend} dans "
                           f"{settings.index_dir} : lancez « veille reindex »")
    return SearchIndex(settings, backend_class(settings.search_backend).open(path), path)


class SearchIndex:
    """An open index that follows `veille reindex` swaps, with "did you mean" on top."""

    def __init__(self, settings: Settings, backend: Backend, path: Path):
        self.settings = settings
        self.backend = backend
        self.path = path

    def search(self, request: SearchRequest, text: str = "") -> SearchResult:
        from .layout import current_generation
        from .suggest import suggestion
        path = current_generation(self.settings)
        if path is not None and path != self.path:
            self.backend.close()
            self.backend, self.path = backend_class(self.settings.search_backend).open(path), path
        result = self.backend.search(request)
        if text and result.total < SUGGEST_BELOW:
            result.suggestion = suggestion(self.backend, request.query, text)
        return result

    def close(self) -> None:
        self.backend.close()

