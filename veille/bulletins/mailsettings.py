"""The mail settings, checked together before any connection: every error at once, each naming
the variable to fix (`veille bulletin send`, `veille check-config`, `veille run`)."""
from __future__ import annotations

from dataclasses import dataclass

from ..config import ConfigError, Settings
from .mail import SmtpConfig
from .message import Sender
from .outbox import Policy
from .render import Links
from .subscribers import AddressError, normalise_address

NOT_SET = ("VEILLE_SMTP_URL : non défini, aucun bulletin n'est envoyé par courriel "
           "(exemple : VEILLE_SMTP_URL=smtp://smtp.mairie-exemple.fr:587?starttls=true)")


@dataclass(frozen=True)
class MailSettings:
    sender: Sender
    smtp: SmtpConfig
    links: Links
    policy: Policy
    admins: tuple[str, ...]  # VEILLE_ADMIN_EMAILS, normalised


def mail_settings(settings: Settings) -> MailSettings:
    """Everything sending needs, or a ConfigError listing every problem."""
    errors: list[str] = []

    def checked(read, *args):
        try:
            return read(*args)
        except ConfigError as exc:
            errors.extend(exc.errors)

    sender = checked(Sender.from_settings, settings)
    smtp = None
    if settings.sending:
        smtp = checked(SmtpConfig.parse, settings.smtp_url)
    else:
        errors.append(NOT_SET)
    links = checked(Links, settings.base_url)
    if links is not None and not links.secure:
        errors.append(f"VEILLE_BASE_URL : les liens de désabonnement des courriels doivent être en https "
                      f"(RFC 8058), pas « {settings.base_url} »")
    admins = []
    for address in settings.admin_emails:
        try:
            admins.append(normalise_address(address))
        except AddressError as exc:
            errors.append(f"VEILLE_ADMIN_EMAILS : {exc}")
    if errors:
        raise ConfigError(*errors)
    return MailSettings(sender, smtp, links,
                        Policy(settings.smtp_rate, settings.smtp_retry_period, settings.bounce_limit,
                               settings.smtp_connections), tuple(admins))
