"""One bulletin as an email: headers that nothing from a feed or a subscriber can break into,
then multipart/alternative with the text part first and the HTML part second (see copies.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Mapping
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage

from ..config import ConfigError, Settings
from .content import AlertSection, EditionContent
from .copies import Copies
from .batch import Message, Recipient
from .render import Links, Reader
from .subscribers import AddressError, gets_full_bulletin, normalise_address, shown

POLICY = policy.SMTP


@dataclass(frozen=True)
class Sender:
    name: str
    address: str

    @classmethod
    def from_settings(cls, settings: Settings) -> "Sender":
        """The sender of every bulletin; a ConfigError lists what is wrong (address, name, or both)."""
        errors, address = [], ""
        if settings.mail_from is None:
            errors.append(f"VEILLE_MAIL_FROM : expéditeur non défini, et l'hôte de VEILLE_BASE_URL "
                          f"« {settings.base_url} » n'est pas un nom de domaine d'où le déduire "
                          "(exemple : VEILLE_MAIL_FROM=veille@mairie-exemple.fr)")
        else:
            try:
                address = normalise_address(settings.mail_from)
            except AddressError as exc:
                errors.append(f"VEILLE_MAIL_FROM : {exc}")
        name = settings.mail_from_name
        if not name or any(not ch.isprintable() for ch in name):
            errors.append(f"VEILLE_MAIL_FROM_NAME : nom d'expéditeur invalide « {shown(name)} »")
        if errors:
            raise ConfigError(*errors)
        return cls(name, address)

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]


def subject(content: EditionContent, sender: Sender) -> str:
    """"Veille – L'actualité du mercredi 29 mars 2017"."""
    return f"{sender.name} – {content.title}"


def message_id(content: EditionContent, row_id: int, sender: Sender) -> str:
    """The same for every attempt at one outbox row, so that a copy sent twice reads as one."""
    return f"<veille.{content.kind}.{content.day:%Y%m%d}.{row_id}@{sender.domain}>"


def composer(content: EditionContent, sender: Sender, links: Links,
             alerts: Mapping[int, tuple[AlertSection, ...]] | None = None,
             members: frozenset[str] = frozenset()) -> Callable[[Message, Recipient], bytes]:
    """What the outbox calls to turn one of its rows into the bytes to send; AddressError when the
    address cannot be written in a header. Readers of the same rubriques share one rendered body;
    `alerts`: « Vos alertes » of the subscribers (by id) who have some in this edition, which
    makes their body their own; `members`: the addresses of licensed members
    (subscribers.gets_full_bulletin)."""
    alerts = alerts or {}
    head = EmailMessage(policy=POLICY)
    head["From"] = Address(sender.name, addr_spec=sender.address)
    head["Subject"] = subject(content, sender)
    copies = Copies(content, sender.name, sender.address, links, head.as_bytes().removesuffix(b"\r\n"))

    def compose_row(row: Message, subscriber: Recipient) -> bytes:
        to = normalise_address(row.email or "")
        reader = Reader(row.email, tuple(subscriber.topics), subscriber.token,
                        alerts.get(subscriber.id, ()) if alerts else (), full=gets_full_bulletin(subscriber, members))
        return copies.message(reader, to, message_id(content, row.id, sender), datetime.now(timezone.utc))
    compose_row.copies = copies  # how many distinct bodies were rendered: `compose_row.copies.rendered`
    return compose_row
