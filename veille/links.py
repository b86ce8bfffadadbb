"""Cross-source links, derived from the official identifiers items carry or cite.

A communiqué naming a NOR or a JORFTEXT id cites that text; items sharing an identifier of
their own (a question and its answer from two sources) are the same matter. Links hold in
whichever order the items arrive, since they are computed from stored references.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from .models import Item, ItemRef
from .official import mentioned_ids

SELF, CITES = "self", "cites"


@dataclass(frozen=True)
class Link:
    kind: str  # "cites", "cited-by" or "same"
    item_id: str
    title: str
    via: str
    hidden: bool = False  # the other item is withdrawn (veille.editorial)


# The kind of link by (this item's role, the other's role) for a shared reference; in the order listed.
KINDS = {(CITES, SELF): "cites", (SELF, CITES): "cited-by", (SELF, SELF): "same"}


def refs_of(item: Item) -> set[tuple[str, str]]:
    extra = item.extra or {}
    own = {item.jorf_id, item.nor, extra.get("ecli"), _question_ref(extra)}
    own.discard(None)
    cited = mentioned_ids(f"{item.title}\n{item.text}") - own
    return {(ref, SELF) for ref in own} | {(ref, CITES) for ref in cited}


def _question_ref(extra: dict) -> str | None:
    """A written question whatever published it: "Q16-4521QE" (legislature, number, type)."""
    parts = (extra.get("legislature"), extra.get("question_number"), extra.get("question_type"))
    return f"Q{parts[0]}-{parts[1]}{parts[2]}" if all(parts) else None


def update_refs(item: Item) -> None:
    wanted = refs_of(item)
    if {(r.ref, r.role) for r in item.refs} != wanted:
        item.refs = [ItemRef(ref=ref, role=role) for ref, role in sorted(wanted)]


def links_of(session: Session, item_id: str) -> list[Link]:
    """The items sharing a reference with this one, by kind (cites, cited-by, same) then by id, one
    link per kind and item (through its first reference): one query."""
    mine, theirs = aliased(ItemRef), aliased(ItemRef)
    rows = session.execute(
        select(Item.id, Item.title, Item.hidden_at, mine.ref, mine.role, theirs.role)
        .join(theirs, theirs.item_id == Item.id)
        .join(mine, (mine.ref == theirs.ref) & (mine.item_id == item_id))
        .where(Item.id != item_id, or_(mine.role == SELF, theirs.role == SELF))
        .order_by(Item.id, mine.ref))
    links: dict[tuple[str, str], Link] = {}
    for other_id, title, hidden_at, ref, my_role, their_role in rows:
        kind = KINDS[(my_role, their_role)]
        links.setdefault((kind, other_id), Link(kind, other_id, title, ref, hidden_at is not None))
    order = list(KINDS.values())
    return sorted(links.values(), key=lambda link: order.index(link.kind))
