"""Editors' decisions on items: hiding an item and showing it again, its headline, summary and
rubriques, and the (at most three) items pinned « À la une » of the next daily edition.

A hidden item stays in the archive (its web page says it was withdrawn) but is left out of
bulletins and search results. Each decision that changes what search shows queues an
IndexChange in the same transaction, so that the next `index_pending` applies it. An edited
headline, summary or set of rubriques lives in the item's `edited_*` columns, which crawls and
`veille reclassify` leave alone. Every change is recorded in `item_edits`: who (`editor`), when,
what, before and after. The callers hand in the session and the time, and print what they like.
"""
from __future__ import annotations

import getpass
import unicodedata
from datetime import datetime
from typing import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from .bulletins.build import shown_headline, shown_summary
from .classify import MANUAL
from .models import FrontPin, IndexChange, Item, ItemEdit, ItemTopic

DILA_WITHDRAWN = "retiré par la DILA"  # the reason of items in a DILA deletion list (liste_suppression_*.dat)
DILA_EDITOR = "DILA (liste de suppression)"  # who hid them, in the history
REASON_MAX = 500  # characters kept of an editor's reason
HEADLINE_MAX = 300  # characters of an edited headline
SUMMARY_MAX = 2000  # characters of an edited summary
PINS_MAX = 3  # items « À la une » of one daily edition
EDITOR_TOPICS_REASON = "choix de la rédaction"
SHOWN_ID_MAX = 40  # characters of an unknown id repeated in an error message
# Invisible characters that reorder text: harmless to keep out of a short note.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class EditorialError(Exception):
    """An editor's decision cannot be applied; the message says why, in French."""


def hide(session: Session, item_id: str, reason: str, now: datetime, editor: str) -> Item:
    """Hide an item from bulletins and search. Hiding a hidden item keeps the date it was
    first hidden, and its reason unless a new one is given."""
    item = _item(session, item_id)
    cleaned = clean_reason(reason)
    after = (cleaned or item.hidden_reason or "") if item.hidden_at else cleaned
    _record(session, item, "hidden", item.hidden_reason if item.hidden_at else None, after, editor, now)
    if item.hidden_at is None:
        item.hidden_at, item.hidden_reason, item.updated_at = now, cleaned, now
    elif cleaned:
        item.hidden_reason = cleaned
    session.add(IndexChange(item_id=item.id, op="upsert", created_at=now))
    return item


def unhide(session: Session, item_id: str, now: datetime, editor: str) -> Item:
    """Show a hidden item again (an item already visible is left as it is)."""
    item = _item(session, item_id)
    _record(session, item, "hidden", item.hidden_reason if item.hidden_at else None, None, editor, now)
    if item.hidden_at is not None:
        item.updated_at = now
    item.hidden_at = item.hidden_reason = None
    session.add(IndexChange(item_id=item.id, op="upsert", created_at=now))
    return item


def edit_headline(session: Session, item_id: str, text: str, now: datetime, editor: str) -> Item:
    """Give the item the editor's headline; an empty one goes back to the one made from the title."""
    item = _item(session, item_id)
    before = shown_headline(item)[0]
    item.edited_headline = one_line(text, HEADLINE_MAX) or None
    _changed(session, item, "headline", before, shown_headline(item)[0], editor, now)
    return item


def edit_summary(session: Session, item_id: str, text: str, now: datetime, editor: str) -> Item:
    """Give the item the editor's summary; an empty one goes back to the source's."""
    item = _item(session, item_id)
    before = shown_summary(item)
    item.edited_summary = one_line(text, SUMMARY_MAX) or None
    _changed(session, item, "summary", before, shown_summary(item), editor, now)
    return item


def set_topics(session: Session, item_id: str, slugs: list[str], known: Mapping[str, object],
               now: datetime, editor: str) -> Item:
    """Fix the item's rubriques to these (`known`: the catalogue's rubriques by slug): the rules
    no longer change them, on a re-crawl or in `veille reclassify`, until `release_topics`."""
    unknown = [slug for slug in slugs if slug not in known]
    if unknown:
        raise EditorialError(f"rubrique inconnue : « {_shown_id(unknown[0])} » (voir « veille topics »)")
    item = _item(session, item_id)
    before, chosen = item.topic_slugs, sorted(set(slugs))
    item.edited_topics = chosen
    editor_topics(item)
    _changed(session, item, "topics", before, chosen, editor, now)
    return item


def release_topics(session: Session, item_id: str, now: datetime, editor: str) -> Item:
    """Let the rules give the item's rubriques again; the caller reclassifies it
    (`ingest.reclassify_items`), which records nothing more."""
    item = _item(session, item_id)
    if item.edited_topics is not None:
        _record(session, item, "topics", item.topic_slugs, None, editor, now)
        item.edited_topics = None
        item.topics = [row for row in item.topics if row.reason != EDITOR_TOPICS_REASON]
    return item


def editor_topics(item: Item) -> bool:
    """Give the item the rubriques its editor fixed, if any; True when it has such rubriques
    (the rules are then left out). Called by `ingest.assign_topics`."""
    if item.edited_topics is None:
        return False
    present = {row.topic: row for row in item.topics}
    item.topics = [present.get(slug) or ItemTopic(topic=slug) for slug in item.edited_topics]
    for row in item.topics:
        row.origin, row.reason = MANUAL, EDITOR_TOPICS_REASON
    return True


def pending_pins(session: Session) -> list[FrontPin]:
    """The items pinned « À la une » of the next daily edition, in the order they were pinned."""
    return list(session.scalars(select(FrontPin).where(FrontPin.edition_id.is_(None)).order_by(FrontPin.id)))


def pin(session: Session, item_id: str, now: datetime, editor: str) -> Item:
    """Pin the item « À la une » of the next daily edition (at most PINS_MAX items)."""
    item = _item(session, item_id)
    if item.hidden_at is not None:
        raise EditorialError("un article masqué ne peut pas être mis « À la une » : rendez-le d'abord visible")
    pins = pending_pins(session)
    if any(p.item_id == item.id for p in pins):
        return item
    if len(pins) >= PINS_MAX:
        raise EditorialError(f"« À la une » compte déjà {PINS_MAX} articles : retirez-en un avant d'en ajouter un autre")
    session.add(FrontPin(item_id=item.id, pinned_by=editor, pinned_at=now))
    _record(session, item, "pinned", False, True, editor, now)
    return item


def unpin(session: Session, item_id: str, now: datetime, editor: str) -> Item:
    """Take the item off « À la une » of the next daily edition (editions already built keep it)."""
    item = _item(session, item_id)
    for row in pending_pins(session):
        if row.item_id == item.id:
            session.delete(row)
            _record(session, item, "pinned", True, False, editor, now)
    return item


def history(session: Session, item_id: str) -> list[ItemEdit]:
    """The editors' changes to an item, latest first."""
    return list(session.scalars(select(ItemEdit).where(ItemEdit.item_id == item_id)
                                .order_by(ItemEdit.at.desc(), ItemEdit.id.desc())))


def _changed(session: Session, item: Item, field: str, before, after, editor: str, now: datetime) -> None:
    if before != after:
        _record(session, item, field, before, after, editor, now)
        item.updated_at = now
        session.add(IndexChange(item_id=item.id, op="upsert", created_at=now))


def _record(session: Session, item: Item, field: str, before, after, editor: str, now: datetime) -> None:
    if before != after:
        session.add(ItemEdit(item_id=item.id, at=now, editor=one_line(editor, 254), field=field,
                             before=before, after=after))


def command_line_editor() -> str:
    """Who made a change from the command line, in the history: the system account."""
    return f"ligne de commande ({getpass.getuser()})"


def withdrawal_notice(item: Item) -> str:
    """What the page of a hidden item says: who withdrew it."""
    if item.hidden_reason == DILA_WITHDRAWN:
        return ("Ce texte a été retiré par la DILA, éditeur du Journal officiel (liste de suppression "
                "de ses fichiers quotidiens) : il ne figure plus dans les bulletins, les flux et la recherche.")
    return "Cet article a été retiré par la rédaction."


def clean_reason(text: str | None) -> str:
    return one_line(text, REASON_MAX)


def one_line(text: str | None, limit: int) -> str:
    """One line of at most `limit` characters: line breaks and runs of spaces become one
    space, control and text-direction characters are removed."""
    text = unicodedata.normalize("NFC", text or "")
    text = " ".join(text.split())  # newlines, tabs and other spaces
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" and ch not in BIDI_CONTROLS)
    return " ".join(text.split())[:limit].rstrip()


def _item(session: Session, item_id: str) -> Item:
    item = session.get(Item, item_id)
    if item is None:
        raise EditorialError(f"article introuvable : {_shown_id(item_id)} (voir « veille items »)")
    return item


def _shown_id(item_id: str) -> str:
    text = "".join(ch for ch in item_id if unicodedata.category(ch) != "Cc" and ch not in BIDI_CONTROLS)
    return text if len(text) <= SHOWN_ID_MAX else text[:SHOWN_ID_MAX - 1] + "…"
