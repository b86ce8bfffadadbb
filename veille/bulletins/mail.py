"""SMTP through VEILLE_SMTP_URL: connections reused for many messages (one per sending thread,
VEILLE_SMTP_CONNECTIONS), and failures sorted into temporary (retry later), permanent (give up on
that address) and fatal (stop sending)."""
from __future__ import annotations

import re
import smtplib
import socket
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from ..config import ConfigError

DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
YES, NO = {"1", "true", "yes", "oui"}, {"0", "false", "no", "non"}
SECONDS_RE = re.compile(r"[0-9]{1,5}(?:\.[0-9]{1,3})?")  # ASCII digits: float() would read « ٣٠ » as 30
URL_HELP = "exemples : smtp://localhost:25, smtps://utilisateur:mot-de-passe@smtp.exemple.fr:465, " \
           "smtp://smtp.exemple.fr:587?starttls=true"


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    implicit_tls: bool  # smtps://
    starttls: bool
    user: str | None = None
    password: str | None = None
    timeout: float = 30.0

    @classmethod
    def parse(cls, url: str) -> "SmtpConfig":
        """Read VEILLE_SMTP_URL; a ConfigError (without the password) says what is wrong."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise ConfigError(f"VEILLE_SMTP_URL : adresse invalide « {_masked(url)} » ({URL_HELP})") from None
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/"):
            raise ConfigError(f"VEILLE_SMTP_URL : adresse invalide « {_masked(url)} » ({URL_HELP})")
        options = dict(parse_qsl(parts.query, keep_blank_values=True))
        unknown = set(options) - {"starttls", "timeout"}
        starttls = options.get("starttls", "false").lower()
        timeout = options.get("timeout", "30")
        if unknown or starttls not in YES | NO or not SECONDS_RE.fullmatch(timeout) or float(timeout) <= 0:
            raise ConfigError(f"VEILLE_SMTP_URL : options invalides « {parts.query} » "
                              "(options permises : starttls=true|false, timeout=SECONDES)")
        user = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password else None
        if not f"{user or ''}{password or ''}".isascii():  # smtplib sends credentials in ASCII only
            raise ConfigError("VEILLE_SMTP_URL : l'identifiant et le mot de passe doivent être en ASCII "
                              "(sans accents), encodés dans l'adresse (%40 pour @, %3A pour :)")
        if parts.scheme == "smtps" and starttls in YES:
            raise ConfigError("VEILLE_SMTP_URL : smtps:// chiffre déjà la connexion, starttls=true ne s'y ajoute pas")
        return cls(host=parts.hostname, port=port or DEFAULT_PORTS[parts.scheme],
                   implicit_tls=parts.scheme == "smtps", starttls=starttls in YES,
                   user=user, password=password, timeout=float(timeout))

    def __str__(self) -> str:
        scheme = "smtps" if self.implicit_tls else "smtp"
        user = f"{self.user}@" if self.user else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{user}{host}:{self.port}"


def _masked(url: str) -> str:
    """The URL with its password hidden."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if at and ":" in credentials:
        return f"{scheme}{sep}{credentials.split(':', 1)[0]}:***@{host}"
    return url


def is_permanent(code: int) -> bool:
    """5xx is permanent, except 552 (mailbox full, too much mail at once): RFC 5321 treats it as temporary."""
    return 500 <= code < 600 and code != 552


class DeliveryError(Exception):
    """A message was not delivered. `connection`: the server could not be reached at all, so no
    message is to blame; otherwise this message failed, for now (`temporary`) or for good."""

    def __init__(self, message: str, *, temporary: bool, connection: bool = False):
        super().__init__(message)
        self.temporary = temporary
        self.connection = connection


class SmtpFatal(Exception):
    """Sending cannot work until the configuration changes (credentials, TLS): stop."""


class Transport:
    """One SMTP connection, opened when first needed and reused for every message after."""

    def __init__(self, config: SmtpConfig, context: ssl.SSLContext | None = None):
        self.config = config
        self.context = context or ssl.create_default_context()
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "Transport":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def send(self, sender: str, recipient: str, data: bytes, dot_free: bool = False) -> None:
        """`dot_free`: no line of `data` starts with a dot (copies.Copies.message), so DATA sends
        it as it is, without the dot-stuffing pass over every byte."""
        reused = self._smtp is not None
        if not reused:
            self._connect()
        data = data if dot_free else _stuffed(data)
        try:
            self._transaction(sender, recipient, data)
        except _Lost as lost:
            if not reused:
                raise DeliveryError(f"connexion perdue pendant l'envoi ({lost})", temporary=True) from None
            self._connect()  # servers close idle connections: one fresh one before blaming the message
            try:
                self._transaction(sender, recipient, data)
            except _Lost as again:
                raise DeliveryError(f"connexion perdue pendant l'envoi ({again})", temporary=True) from None

    def _connect(self) -> None:
        config = self.config
        smtp = None
        try:
            if config.implicit_tls:
                smtp = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout, context=self.context)
            else:
                smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
            smtp.ehlo()
            if config.starttls:
                smtp.starttls(context=self.context)
                smtp.ehlo()
            if config.user:
                smtp.login(config.user, config.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            _close(smtp)
            raise SmtpFatal(f"{config} : identifiants refusés ({_reply(exc.smtp_code, exc.smtp_error)})") from None
        except smtplib.SMTPNotSupportedError as exc:
            _close(smtp)
            wanted = "STARTTLS" if config.starttls and "STARTTLS" in str(exc).upper() else "l'authentification"
            raise SmtpFatal(f"{config} : le serveur ne propose pas {wanted}") from None
        except ssl.SSLCertVerificationError as exc:
            _close(smtp)
            raise SmtpFatal(f"{config} : certificat TLS refusé ({exc.verify_message})") from None
        except ssl.SSLError as exc:
            _close(smtp)
            raise SmtpFatal(f"{config} : échec de la négociation TLS ({exc.reason or exc}) ; ce port attend-il "
                            "smtps://, smtp:// avec starttls=true, ou smtp:// sans chiffrement ?") from None
        except smtplib.SMTPResponseException as exc:  # greeting, EHLO or STARTTLS refused
            _close(smtp)
            if is_permanent(exc.smtp_code):
                raise SmtpFatal(f"{config} : le serveur refuse la connexion ({_reply(exc.smtp_code, exc.smtp_error)})") from None
            raise DeliveryError(f"serveur SMTP indisponible ({config}) : {_reply(exc.smtp_code, exc.smtp_error)}",
                                temporary=True, connection=True) from None
        except (smtplib.SMTPException, OSError) as exc:
            _close(smtp)
            raise DeliveryError(f"serveur SMTP injoignable ({config}) : {_network_reason(exc)}",
                                temporary=True, connection=True) from None
        self._smtp = smtp

    def _transaction(self, sender: str, recipient: str, data: bytes) -> None:
        """One message, `data` already dot-stuffed."""
        smtp = self._smtp
        try:
            code, text, step = _envelope(smtp, sender, recipient)
            if not step:
                smtp.send(data)
                smtp.send(b".\r\n" if data.endswith(b"\r\n") else b"\r\n.\r\n")
                code, text = smtp.getreply()
                step = "message refusé" if code != 250 else ""
            if step:
                raise self._refused(step, code, text)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            _close(self._smtp)
            self._smtp = None
            raise _Lost(_network_reason(exc)) from None

    def _refused(self, step: str, code: int, text: bytes | str) -> DeliveryError:
        """The transaction is over: the connection closed on a 421 (the server is closing it),
        else reset for the next message."""
        if code == 421:
            _close(self._smtp)
            self._smtp = None
        else:
            try:
                self._smtp.rset()
            except (smtplib.SMTPException, OSError):
                _close(self._smtp)
                self._smtp = None
        return DeliveryError(f"{step} ({_reply(code, text)})", temporary=not is_permanent(code))


ENVELOPE = (("MAIL FROM:<{sender}>", (250,), "expéditeur refusé"), ("RCPT TO:<{recipient}>", (250, 251),
            "destinataire refusé"), ("DATA", (354,), "message refusé"))


def _envelope(smtp: smtplib.SMTP, sender: str, recipient: str) -> tuple[int, bytes, str]:
    """MAIL, RCPT and DATA, in one write when the server offers PIPELINING (RFC 2920): the code,
    text and step of the first refusal, or (354, …, "") when the message can follow."""
    commands = [command.format(sender=sender, recipient=recipient) for command, _, _ in ENVELOPE]
    if smtp.has_extn("pipelining"):
        smtp.send("".join(f"{command}\r\n" for command in commands))
        replies = [smtp.getreply() for _ in commands]
    else:
        replies = []
        for command, (_, accepted, _) in zip(commands, ENVELOPE):
            replies.append(smtp.docmd(command))
            if replies[-1][0] not in accepted:
                break
    for (code, text), (_, accepted, step) in zip(replies, ENVELOPE):
        if code not in accepted:
            if replies[-1][0] == 354:  # DATA accepted after a refusal: end that empty message
                smtp.send(b".\r\n")
                smtp.getreply()
            return code, text, step
    return replies[-1][0], replies[-1][1], ""


def _stuffed(data: bytes) -> bytes:
    """The message as DATA sends it: a line that starts with "." gets a second one (RFC 5321
    4.5.2; quoted-printable lines often start with one)."""
    data = data.replace(b"\n.", b"\n..")
    return b"." + data if data.startswith(b".") else data


class Transports:
    """One Transport per sending thread, opened when that thread first sends; all closed together."""

    def __init__(self, config: SmtpConfig, context: ssl.SSLContext | None = None):
        self.config = config
        self.context = context
        self._local = threading.local()
        self._opened: list[Transport] = []
        self._lock = threading.Lock()

    def __enter__(self) -> "Transports":
        return self

    def __exit__(self, *exc) -> None:
        with self._lock:
            for transport in self._opened:
                transport.close()
            self._opened.clear()

    def send(self, sender: str, recipient: str, data: bytes, dot_free: bool = False) -> None:
        transport = getattr(self._local, "transport", None)
        if transport is None:
            transport = self._local.transport = Transport(self.config, self.context)
            with self._lock:
                self._opened.append(transport)
        transport.send(sender, recipient, data, dot_free)


class _Lost(Exception):
    """The connection broke in the middle of a transaction."""


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        smtp.close()


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = " ".join(text.split())
    return f"{code} {text}".strip()


def _network_reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connexion refusée"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "délai dépassé"
    if isinstance(exc, socket.gaierror):
        return "nom d'hôte inconnu"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "le serveur a fermé la connexion"
    return f"{exc.__class__.__name__} : {exc}" if str(exc) else exc.__class__.__name__
