"""Organisations: SIREN, licence state, IP ranges (no two organisations' ranges overlap)."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .ipranges import Address, RangeError, bounds, hex32, parse_range
from .models import ORGANISATION_KINDS, IpRange, Organisation, User

SIREN_RE = re.compile(r"[0-9]{9}")
TRIAL, PAID, EXPIRED, SUSPENDED, NONE = "essai", "payante", "expirée", "suspendue", "aucune"


class OrganisationError(ValueError):
    """Refused for an organisation; the message, in French, says why."""


def siren_error(text: str) -> str | None:
    """Why `text` is not a SIREN (9 ASCII digits passing the Luhn check), or None."""
    if not SIREN_RE.fullmatch(text):
        return f"SIREN invalide « {text} » : 9 chiffres attendus (exemple : 213105554)"
    total = 0
    for position, digit in enumerate(reversed(text)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    if total % 10:
        return f"SIREN invalide « {text} » : la clé de contrôle ne correspond pas (erreur de frappe ?)"
    return None


def checked_siren(text: str) -> str:
    siren = "".join(text.split())  # "213 105 554" as printed on documents
    error = siren_error(siren)
    if error:
        raise OrganisationError(error)
    return siren


@dataclass(frozen=True)
class Licence:
    state: str  # TRIAL, PAID, EXPIRED, SUSPENDED or NONE
    until: date | None  # last day of the trial or the paid period (expired: the day it ended)

    @property
    def active(self) -> bool:
        return self.state in (TRIAL, PAID)


def licence_of(organisation: Organisation, today: date) -> Licence:
    if organisation.suspended_at is not None:
        return Licence(SUSPENDED, organisation.paid_until or organisation.trial_until)
    if organisation.paid_until and organisation.paid_until >= today:
        return Licence(PAID, organisation.paid_until)
    if organisation.trial_until and organisation.trial_until >= today:
        return Licence(TRIAL, organisation.trial_until)
    ended = max(filter(None, (organisation.paid_until, organisation.trial_until)), default=None)
    return Licence(EXPIRED if ended else NONE, ended)


def one_month_after(day: date) -> date:
    """The same day next month, or that month's last day (31 January -> 28 or 29 February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def by_siren(session: Session, siren: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.siren == siren))


def find(session: Session, siren: str) -> Organisation:
    """The organisation of this SIREN; OrganisationError naming it when there is none."""
    organisation = by_siren(session, checked_siren(siren))
    if organisation is None:
        raise OrganisationError(f"aucune organisation de SIREN {siren} (voir « veille org list »)")
    return organisation


def add(session: Session, name: str, siren: str, kind: str, now: datetime, *, contact_email: str | None = None,
        trial_until: date | None = None, paid_until: date | None = None) -> Organisation:
    siren = checked_siren(siren)
    name = " ".join(name.split())
    if not name:
        raise OrganisationError("nom de l'organisation vide")
    if kind not in ORGANISATION_KINDS:
        raise OrganisationError(f"type d'organisation inconnu « {kind} » (types : {', '.join(ORGANISATION_KINDS)})")
    existing = by_siren(session, siren)
    if existing is not None:
        raise OrganisationError(f"le SIREN {siren} est déjà celui de « {existing.name} »")
    organisation = Organisation(name=name, siren=siren, kind=kind, contact_email=contact_email,
                                trial_until=trial_until, paid_until=paid_until, created_at=now)
    session.add(organisation)
    session.flush()
    return organisation


def set_licence(organisation: Organisation, now: datetime, *, until: date | None = None, suspend: bool = False) -> None:
    """Paid until a day (which lifts a suspension), or suspended (dates kept)."""
    if suspend:
        organisation.suspended_at = organisation.suspended_at or now
    else:
        organisation.paid_until, organisation.suspended_at = until, None


def add_range(session: Session, organisation: Organisation, text: str) -> IpRange:
    """Add a CIDR range; refused when it overlaps one of any organisation (both named)."""
    network = parse_range(text)
    version, first, last = bounds(network)
    clash = session.scalar(select(IpRange).where(IpRange.version == version, IpRange.first <= last,
                                                 IpRange.last >= first).options(selectinload(IpRange.organisation)))
    if clash is not None:
        owner = clash.organisation
        if owner.id == organisation.id:
            raise RangeError(f"la plage {network} recouvre la plage {clash.cidr} déjà attribuée à « {owner.name} »")
        raise RangeError(f"la plage {network} demandée pour « {organisation.name} » (SIREN {organisation.siren}) "
                         f"recouvre la plage {clash.cidr} de « {owner.name} » (SIREN {owner.siren})")
    ip_range = IpRange(organisation=organisation, cidr=str(network), version=version, first=first, last=last)
    session.add(ip_range)
    session.flush()
    return ip_range


def remove_range(session: Session, organisation: Organisation, text: str) -> None:
    network = parse_range(text)
    for ip_range in organisation.ranges:
        if ip_range.cidr == str(network):
            session.delete(ip_range)
            session.flush()
            return
    held = ", ".join(r.cidr for r in organisation.ranges) or "aucune"
    raise RangeError(f"« {organisation.name} » n'a pas la plage {network} (ses plages : {held})")


def holder_of(session: Session, address: Address) -> Organisation | None:
    """The organisation whose ranges hold this address, whatever its licence."""
    point = hex32(address)
    ip_range = session.scalar(select(IpRange).where(IpRange.version == address.version, IpRange.first <= point,
                                                    IpRange.last >= point).options(selectinload(IpRange.organisation)))
    return ip_range.organisation if ip_range else None


def all_organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).options(
        selectinload(Organisation.ranges), selectinload(Organisation.members)).order_by(Organisation.name)))


def licensed_members(session: Session, today: date) -> frozenset[str]:
    """The addresses (lower case) of the members of organisations whose licence is active."""
    rows = session.execute(select(User.email_key, Organisation).join(Organisation, User.organisation_id == Organisation.id)
                           .where(User.verified_at.is_not(None), User.approved_at.is_not(None))).all()
    return frozenset(key for key, organisation in rows if licence_of(organisation, today).active)
