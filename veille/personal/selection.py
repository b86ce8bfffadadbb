"""« Ma sélection »: items a reader kept, each with a private note; listed, printed, exported."""
from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..editorial import one_line
from ..models import Item
from .models import SavedItem

NOTE_MAX = 2000
CSV_COLUMNS = ("Titre", "Référence", "Catégorie", "Rubriques", "Publié le", "Gardé le", "Note", "Fiche", "Texte officiel")


class SelectionError(ValueError):
    """An item cannot be kept; the message, in French, says why."""


def save(session: Session, user_id: int, item_id: str, note: str, now: datetime) -> SavedItem:
    """Keep the item (again: its note replaced by the new one when one is given)."""
    if session.get(Item, item_id) is None:
        raise SelectionError("cet article n'existe pas dans l'archive")
    row = session.scalar(select(SavedItem).where(SavedItem.user_id == user_id, SavedItem.item_id == item_id))
    cleaned = one_line(note, NOTE_MAX)
    if row is None:
        row = SavedItem(user_id=user_id, item_id=item_id, note=cleaned, saved_at=now)
        session.add(row)
    elif cleaned:
        row.note = cleaned
    session.flush()
    return row


def remove(session: Session, user_id: int, item_id: str) -> bool:
    row = session.scalar(select(SavedItem).where(SavedItem.user_id == user_id, SavedItem.item_id == item_id))
    if row is not None:
        session.delete(row)
    return row is not None


def of_user(session: Session, user_id: int) -> list[SavedItem]:
    """The user's selection, latest kept first, with the items and their rubriques."""
    return list(session.scalars(select(SavedItem).where(SavedItem.user_id == user_id)
                                .options(selectinload(SavedItem.item).selectinload(Item.topics))
                                .order_by(SavedItem.saved_at.desc(), SavedItem.id.desc())))


def saved_ids(session: Session, user_id: int, item_ids: list[str]) -> set[str]:
    """Which of these items the user already kept."""
    return set(session.scalars(select(SavedItem.item_id).where(SavedItem.user_id == user_id,
                                                               SavedItem.item_id.in_(item_ids))))


def as_csv(rows: list[list[str]]) -> str:
    """The selection as CSV for a spreadsheet: `;`-separated with a BOM, as French Excel reads it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return "\ufeff" + out.getvalue()


def _cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (=, +, -, @ at the start)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
