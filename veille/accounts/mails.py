"""The account emails (address check, password reset, invitation, trial, subscription
confirmation): plain text, sent at once through VEILLE_SMTP_URL."""
from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from datetime import datetime, timezone

from ..bulletins.mail import DeliveryError, SmtpConfig, SmtpFatal, Transport
from ..bulletins.message import POLICY, Sender
from ..config import ConfigError, Settings


class MailUnavailable(Exception):
    """The email could not be sent; the message, in French, says why."""


def send(settings: Settings, to: str, subject: str, body: str) -> None:
    if not settings.sending:
        raise MailUnavailable("l'envoi de courriels n'est pas configuré (VEILLE_SMTP_URL)")
    try:
        sender = Sender.from_settings(settings)
        config = SmtpConfig.parse(settings.smtp_url)
    except ConfigError as exc:
        raise MailUnavailable(" ; ".join(exc.errors)) from None
    message = EmailMessage(policy=POLICY)
    message["From"] = Address(sender.name, addr_spec=sender.address)
    message["To"] = Address(addr_spec=to)
    message["Subject"] = f"{sender.name} – {subject}"
    message["Date"] = format_datetime(datetime.now(timezone.utc))
    message["Message-ID"] = make_msgid(domain=sender.domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body, cte="quoted-printable")
    try:
        with Transport(config) as transport:
            transport.send(sender.address, to, message.as_bytes())
    except (DeliveryError, SmtpFatal) as exc:
        raise MailUnavailable(str(exc)) from None


SIGNATURE = "\n\n-- \n{name}, veille juridique et professionnelle des collectivités territoriales\n"


def _body(settings: Settings, *paragraphs: str) -> str:
    return "Bonjour,\n\n" + "\n\n".join(paragraphs) + SIGNATURE.format(name=settings.mail_from_name)


def send_verification(settings: Settings, to: str, link: str) -> None:
    send(settings, to, "confirmez votre adresse", _body(
        settings, "Pour activer votre compte, confirmez votre adresse en ouvrant ce lien (valable 7 jours) :",
        link, "Si vous n'avez pas créé de compte, ignorez ce message : rien ne sera fait."))


def send_trial(settings: Settings, to: str, organisation: str, link: str) -> None:
    send(settings, to, "confirmez votre essai gratuit", _body(
        settings, f"Pour commencer le mois d'essai gratuit de « {organisation} », confirmez votre adresse "
                  "en ouvrant ce lien (valable 7 jours) :",
        link, "Si vous n'avez rien demandé, ignorez ce message : rien ne sera fait."))


def send_reset(settings: Settings, to: str, link: str) -> None:
    send(settings, to, "nouveau mot de passe", _body(
        settings, "Pour choisir un nouveau mot de passe, ouvrez ce lien (valable 1 heure, une seule fois) :",
        link, "Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste le même."))


def send_invitation(settings: Settings, to: str, organisation: str | None, link: str) -> None:
    where = f" au titre de « {organisation} »" if organisation else ""
    send(settings, to, "votre compte", _body(
        settings, f"Un compte vous a été ouvert{where}. Choisissez votre mot de passe en ouvrant ce lien "
                  "(valable 14 jours) :", link))


def send_subscription(settings: Settings, to: str, link: str) -> None:
    send(settings, to, "confirmez votre abonnement", _body(
        settings, "Vous avez demandé à recevoir les bulletins à cette adresse. Pour confirmer, ouvrez ce lien "
                  "(valable 7 jours) :",
        link, "Sans confirmation, aucun bulletin ne vous sera envoyé et l'adresse sera oubliée dans 7 jours."))
