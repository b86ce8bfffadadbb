"""Editors' decisions on items: hiding an item and showing it again.

A hidden item stays in the archive (its web page says it was withdrawn) but is left out of
bulletins and search results. Each decision queues an IndexChange in the same transaction,
so that the next `index_pending` removes the item from the search index or puts it back.
The callers hand in the session and the time, and print what they like.
"""
from __future__ import annotations

import unicodedata
from datetime import datetime

from sqlalchemy.orm import Session

from .models import IndexChange, Item

DILA_WITHDRAWN = "retiré par la DILA"  # the reason of items in a DILA deletion list (liste_suppression_*.dat)
REASON_MAX = 500  # characters kept of an editor's reason
SHOWN_ID_MAX = 40  # characters of an unknown id repeated in an error message
# Invisible characters that reorder text: harmless to keep out of a short note.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class EditorialError(Exception):
    """An editor's decision cannot be applied; the message says why, in French."""


def hide(session: Session, item_id: str, reason: str, now: datetime) -> Item:
    """Hide an item from bulletins and search. Hiding a hidden item keeps the date it was
    first hidden, and its reason unless a new one is given."""
    item = _item(session, item_id)
    cleaned = clean_reason(reason)
    if item.hidden_at is None:
        item.hidden_at, item.hidden_reason, item.updated_at = now, cleaned, now
    elif cleaned:
        item.hidden_reason = cleaned
    session.add(IndexChange(item_id=item.id, op="upsert", created_at=now))
    return item


def unhide(session: Session, item_id: str, now: datetime) -> Item:
    """Show a hidden item again (an item already visible is left as it is)."""
    item = _item(session, item_id)
    if item.hidden_at is not None:
        item.updated_at = now
    item.hidden_at = item.hidden_reason = None
    session.add(IndexChange(item_id=item.id, op="upsert", created_at=now))
    return item


def withdrawal_notice(item: Item) -> str:
    """What the page of a hidden item says: who withdrew it."""
    if item.hidden_reason == DILA_WITHDRAWN:
        return ("Ce texte a été retiré par la DILA, éditeur du Journal officiel (liste de suppression "
                "de ses fichiers quotidiens) : il ne figure plus dans les bulletins, les flux et la recherche.")
    return "Cet article a été retiré par la rédaction."


def clean_reason(text: str | None) -> str:
    """One line of at most REASON_MAX characters: line breaks and runs of spaces become one
    space, control and text-direction characters are removed."""
    text = unicodedata.normalize("NFC", text or "")
    text = " ".join(text.split())  # newlines, tabs and other spaces
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" and ch not in BIDI_CONTROLS)
    return " ".join(text.split())[:REASON_MAX].rstrip()


def _item(session: Session, item_id: str) -> Item:
    item = session.get(Item, item_id)
    if item is None:
        raise EditorialError(f"article introuvable : {_shown_id(item_id)} (voir « veille items »)")
    return item


def _shown_id(item_id: str) -> str:
    text = "".join(ch for ch in item_id if unicodedata.category(ch) != "Cc" and ch not in BIDI_CONTROLS)
    return text if len(text) <= SHOWN_ID_MAX else text[:SHOWN_ID_MAX - 1] + "…"
