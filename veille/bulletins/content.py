"""What an edition shows, as stored: plain data with a JSON form, read back unchanged."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date


@dataclass(frozen=True)
class BulletinItem:
    id: str
    category: str
    topics: tuple[str, ...]  # rubriques, in catalogue order
    headline: str
    official_title: str | None  # when it differs from the headline
    summary: str
    reference: str  # "JORF n°0075 du 29 mars 2017 - NOR : INTA1708123D", or the source and date
    effective: date | None  # entry into force
    url: str | None  # the official text (http or https only)


@dataclass(frozen=True)
class AlertSection:
    """One reader's saved search and the items of an edition that match it (« Vos alertes »):
    personal, never part of what readers of the same rubriques share."""
    name: str
    items: tuple[BulletinItem, ...]


@dataclass(frozen=True)
class EditionContent:
    kind: str  # daily or weekly
    day: date  # the publication day; for a weekly recap, its Monday
    title: str  # "L'actualité du mercredi 29 mars 2017"
    jo_line: str  # "JOURNAL OFFICIEL n°75 du 29 mars 2017", "" without a JO issue
    topics: dict[str, str]  # slug -> label of every rubrique, in catalogue order, as at build time
    items: tuple[BulletinItem, ...]  # in bulletin order
    front: tuple[BulletinItem, ...] = ()  # « À la une »: pinned by the editors, shown first to every reader

    def to_json(self) -> dict:
        data = asdict(self)
        data["day"] = self.day.isoformat()
        data["topics"] = [[slug, label] for slug, label in self.topics.items()]  # JSON objects lose order
        for item in data["items"] + data["front"]:
            item["topics"] = list(item["topics"])
            item["effective"] = item["effective"].isoformat() if item["effective"] else None
        return data

    @classmethod
    def from_json(cls, data: dict) -> "EditionContent":
        def items(rows: list[dict]) -> tuple[BulletinItem, ...]:
            return tuple(BulletinItem(**{**item, "topics": tuple(item["topics"]), "effective":
                                         date.fromisoformat(item["effective"]) if item["effective"] else None})
                         for item in rows)
        return cls(kind=data["kind"], day=date.fromisoformat(data["day"]), title=data["title"],
                   jo_line=data["jo_line"], topics={slug: label for slug, label in data["topics"]},
                   items=items(data["items"]), front=items(data.get("front", [])))  # older editions have none
