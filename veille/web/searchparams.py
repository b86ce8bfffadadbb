"""The search page's parameters (veille.search.params) read from a request, and run on the
app's index; shared by `/recherche`, its feed and the JSON API.
"""
from __future__ import annotations

import threading
from typing import Mapping

from ..search import PER_PAGE, SearchRequest, SearchResult, open_backend
from ..search import params as search_params
from ..search.indexer import index_pending
from ..search.layout import current_generation
from ..search.params import MAX_PAGE, NAMES, BadParameter, SearchParams  # noqa: F401  (the web's names)
from .context import veille

def read(args: Mapping[str, str]) -> SearchParams:
    """The parameters of a request's query string, checked; raises BadParameter."""
    return search_params.read(args, veille("catalog").topics)


def search_request(found: SearchParams, per_page: int = PER_PAGE, **options) -> SearchRequest:
    """The request `veille search` would make for these parameters (see SearchParams.request)."""
    return found.request(veille("catalog").topics, veille("settings").timezone, per_page, **options)


_lock = threading.Lock()


def run(params: SearchParams, request: SearchRequest) -> SearchResult:
    """The result of `request` (made from `params`) on the app's index, with « Vouliez-vous
    dire » when it finds little. The index is built on the first search when the archive has
    none yet, like `veille search` does. Searches take turns: a backend is not thread-safe."""
    holder = veille("search")
    with _lock:
        if holder.get("index") is None:
            settings = veille("settings")
            if current_generation(settings) is None:
                index_pending(settings, veille("factory"))
            holder["index"] = open_backend(settings)
        return holder["index"].search(request, params.q)
