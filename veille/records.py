"""Items as plain JSON records: the same fields for `veille items --json` and the web API."""
from __future__ import annotations

from .models import Item


def item_json(item: Item) -> dict:
    def iso(value):
        return value.isoformat() if value else None
    return {
        "id": item.id,
        "source": item.source_id,
        "sources": sorted({o.source_id for o in item.origins} | {item.source_id}),
        "category": item.category,
        "title": item.title,
        "url": item.url,
        "published": iso(item.published_at),
        "fetched": iso(item.fetched_at),
        "topics": item.topic_slugs,
        "nature": item.nature,
        "nor": item.nor,
        "jorf_id": item.jorf_id,
        "eli": item.eli,
        "jo": {"number": item.jo_number, "date": iso(item.jo_date)} if item.jo_number or item.jo_date else None,
        "effective": iso(item.effective_date),
        "hidden": item.hidden_at is not None,
        "hidden_reason": item.hidden_reason if item.hidden_at is not None else None,
    }
