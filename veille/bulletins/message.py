"""One bulletin as an email: headers that nothing from a feed or a subscriber can break into,
then multipart/alternative with the text part first and the HTML part second."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import quote

from ..config import ConfigError, Settings
from .content import EditionContent
from .models import OutboxMessage, Subscriber
from .render import Links, Reader, email_html, email_text, reading
from .subscribers import AddressError, normalise_address, shown

ONE_CLICK = "List-Unsubscribe=One-Click"  # RFC 8058
# List-Unsubscribe is stored folded by hand, one URI a line: left to the email package, a long
# URI would be folded into an RFC 2047 encoded-word that no mail client reads as a link.
POLICY = policy.SMTP.clone(refold_source="none")


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


def compose(content: EditionContent, reader: Reader, row_id: int, sender: Sender, links: Links,
            now: datetime) -> EmailMessage:
    """The message for one reader; AddressError when their address cannot be written in a header."""
    to = normalise_address(reader.email or "")
    view = reading(content, reader)
    message = EmailMessage(policy=POLICY)
    message["From"] = Address(sender.name, addr_spec=sender.address)
    message["To"] = Address(addr_spec=to)
    message["Subject"] = subject(content, sender)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(content, row_id, sender)
    unsubscribe = links.unsubscribe(reader.token or "")
    mailto = f"mailto:{sender.address}?subject={quote('désabonnement ' + (reader.token or ''))}"
    message.set_raw("List-Unsubscribe", f"<{unsubscribe}>,\n <{mailto}>")  # URIs hold no CR, LF or space
    message["List-Unsubscribe-Post"] = ONE_CLICK
    message.set_content(email_text(view, links, sender.name), cte="quoted-printable")
    message.add_alternative(email_html(view, links, sender.name), subtype="html", cte="quoted-printable")
    return message


def composer(content: EditionContent, sender: Sender, links: Links) -> Callable[[OutboxMessage, Subscriber], bytes]:
    """What the outbox calls to turn one of its rows into the bytes to send."""
    def compose_row(row: OutboxMessage, subscriber: Subscriber) -> bytes:
        reader = Reader(row.email, tuple(subscriber.topics), subscriber.token)
        return compose(content, reader, row.id, sender, links, datetime.now(timezone.utc)).as_bytes()
    return compose_row
