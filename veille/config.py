"""Settings read from the VEILLE_* environment variables, all optional.

Every variable is checked and every error reported at once, one line each, naming the variable.
"""
from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


SEARCH_BACKENDS = ("whoosh", "tantivy", "postgres")
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
DAY_NAMES = {**{name: number for number, name in enumerate(WEEKDAYS)},
             **{name[:3]: number for number, name in enumerate(WEEKDAYS)}}
EVERY_DAY = "tous"
DAILY_WHEN_EMPTY = ("skip", "send")
DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
DURATION_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
TIME_RE = re.compile(r"^\s*([0-9]{1,2})[:h]([0-9]{2})\s*$")
WEEKLY_AT_RE = re.compile(r"^\s*([a-z]+)\s+([0-9]{1,2}[:h][0-9]{2})\s*$")
# Sent on every request (veille/fetch.py): names the project and where to learn about it, so that
# sites which refuse unknown clients can tell who is asking. Never a browser's.
MIN_SECRET = 32
DEFAULT_USER_AGENT = ("Veille/0.1 (veille juridique des collectivites territoriales; "
                      "+https://github.com/veille-collectivites/veille)")


class ConfigError(Exception):
    """A setting or the catalog is wrong; the message says where (one line per error)."""

    def __init__(self, *errors: str):
        super().__init__("\n".join(errors))
        self.errors = list(errors)


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    index_dir: Path
    feeds_path: Path
    timezone: ZoneInfo
    search_backend: str = "tantivy"
    # Bulletins. The mail settings are checked when mail is sent (and by `veille check-config`,
    # and when `veille run` starts), so that a wrong one never stops the crawler.
    base_url: str = "http://localhost:5000"  # the web app: item pages, editions, unsubscribe links
    smtp_url: str | None = None  # None: no mail is sent
    mail_from: str | None = None  # VEILLE_MAIL_FROM, else veille@<domain of base_url>, else None
    mail_from_name: str = "Veille"
    smtp_rate: float = 0.0  # messages per second; 0: as fast as the server takes them
    smtp_retry_period: timedelta = timedelta(hours=2)
    smtp_connections: int = 8  # SMTP connections used in parallel to send an edition
    bounce_limit: int = 3  # permanent failures in a row before an address is disabled
    daily_when_empty: str = "skip"  # a subscriber with nothing new gets no daily email ("send": gets one)
    daily_time: time = time(6, 30)  # the daily edition is due at this time in `timezone`...
    daily_days: frozenset[int] = frozenset(range(5))  # ...on these days (0: Monday)
    weekly_weekday: int = 0  # the weekly recap is due on this day (0: Monday)...
    weekly_time: time = time(7, 0)  # ...at this time in `timezone`
    admin_emails: tuple[str, ...] = ()  # who gets the service's alerts
    user_agent: str = DEFAULT_USER_AGENT  # VEILLE_USER_AGENT
    # Accounts (veille.web.auth): signs the session cookie; None: no logins, no sign-ups.
    secret_key: str | None = None  # VEILLE_SECRET_KEY
    trusted_proxies: int = 0  # VEILLE_TRUSTED_PROXIES: reverse proxies whose X-Forwarded-For is believed

    @property
    def sending(self) -> bool:
        """Bulletins are mailed only when VEILLE_SMTP_URL is set."""
        return self.smtp_url is not None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        settings, errors = cls.read(environ)
        if errors:
            raise ConfigError(*errors)
        return settings

    @classmethod
    def read(cls, environ: dict[str, str] | None = None) -> tuple["Settings", list[str]]:
        """The settings, with the default in place of each invalid value, and the errors."""
        env = os.environ if environ is None else environ
        errors: list[str] = []
        home = Path(env.get("VEILLE_HOME") or "./var")
        values: dict = {}
        tz_name = env.get("VEILLE_TIMEZONE") or "Europe/Paris"
        try:
            values["timezone"] = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            errors.append(f"VEILLE_TIMEZONE : fuseau horaire inconnu « {tz_name} »")
            values["timezone"] = ZoneInfo("Europe/Paris")
        search_backend = (env.get("VEILLE_SEARCH") or "tantivy").strip().lower()
        if search_backend in SEARCH_BACKENDS:
            values["search_backend"] = search_backend
        else:
            errors.append(f"VEILLE_SEARCH : moteur de recherche inconnu « {search_backend} » "
                          f"(moteurs : {', '.join(SEARCH_BACKENDS)})")
        values.update(_bulletin_settings(env, errors))
        values["user_agent"] = _user_agent(env, errors)
        values.update(_web_settings(env, errors))
        database_url = env.get("VEILLE_DATABASE_URL") or f"sqlite:///{home / 'veille.db'}"
        if values.get("search_backend") == "postgres" and not database_url.startswith("postgresql"):
            errors.append("VEILLE_SEARCH=postgres demande une base PostgreSQL "
                          "(VEILLE_DATABASE_URL=postgresql+psycopg://…)")
            values["search_backend"] = "tantivy"
        settings = cls(
            **values,
            home=home,
            database_url=database_url,
            index_dir=Path(env.get("VEILLE_INDEX_DIR") or "./index"),
            feeds_path=feeds_path(env),
        )
        return settings, errors


def feeds_path(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get("VEILLE_FEEDS") or "./feeds.yaml")


def parse_time(text: str) -> time | None:
    """"06:30" or "6h30"; None when not a time of day."""
    match = TIME_RE.match(text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        return None
    return time(int(match.group(1)), int(match.group(2)))


def parse_days(text: str) -> frozenset[int] | None:
    """French day names (lundi or lun), ranges (lun-ven, sam-lun), lists (lun,mer,ven) or
    "tous"; None when something is not a day."""
    text = text.strip().lower()
    if text == EVERY_DAY:
        return frozenset(range(7))
    days: set[int] = set()
    for part in text.split(","):
        first, dash, last = (word.strip() for word in part.partition("-"))
        if first not in DAY_NAMES or (dash and last not in DAY_NAMES):
            return None
        start, end = DAY_NAMES[first], DAY_NAMES[last] if dash else DAY_NAMES[first]
        days.update((start + step) % 7 for step in range((end - start) % 7 + 1))
    return frozenset(days)


def default_sender(base_url: str) -> str | None:
    """veille@<host of the base URL> when that host is a domain name (not localhost, not an IP)."""
    try:
        host = urlsplit(base_url).hostname or ""
    except ValueError:
        return None
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    return f"veille@{host}" if "." in host.strip(".") else None


def _user_agent(env, errors: list[str]) -> str:
    """VEILLE_USER_AGENT: printable ASCII (an HTTP header), with a URL saying who is asking, and
    never a browser's (« Mozilla/… »): sites must be able to tell a robot from a reader."""
    text = (env.get("VEILLE_USER_AGENT") or "").strip()
    if not text:
        return DEFAULT_USER_AGENT
    if not re.fullmatch(r"[ -~]{1,300}", text):
        errors.append(f"VEILLE_USER_AGENT : caractères ASCII imprimables attendus (300 au plus), pas « {text} »")
    elif text.lower().startswith("mozilla/"):
        errors.append(f"VEILLE_USER_AGENT : « {text} » se fait passer pour un navigateur ; "
                      "nommez le projet et son adresse (exemple : Veille/0.1 (+https://exemple.fr/veille))")
    elif not re.search(r"https?://[^\s;()]+", text):
        errors.append(f"VEILLE_USER_AGENT : « {text} » ne donne pas l'adresse (https://…) du projet ou d'un contact")
    else:
        return text
    return DEFAULT_USER_AGENT


def _web_settings(env, errors: list[str]) -> dict:
    settings: dict = {}
    secret = env.get("VEILLE_SECRET_KEY") or ""
    if secret and len(secret) < MIN_SECRET:
        errors.append(f"VEILLE_SECRET_KEY : {MIN_SECRET} caractères au moins (exemple : "
                      "python3 -c 'import secrets; print(secrets.token_urlsafe(32))')")
    elif secret:
        settings["secret_key"] = secret
    proxies = (env.get("VEILLE_TRUSTED_PROXIES") or "0").strip()
    if re.fullmatch(r"[0-9]{1,2}", proxies):
        settings["trusted_proxies"] = int(proxies)
    else:
        errors.append(f"VEILLE_TRUSTED_PROXIES : nombre de proxys de confiance attendu (0, 1, 2…), pas « {proxies} »")
    return settings


def _bulletin_settings(env, errors: list[str]) -> dict:
    settings: dict = {}
    rate_text = (env.get("VEILLE_SMTP_RATE") or "0").strip()
    try:
        rate = float(rate_text)
    except ValueError:
        rate = -1.0
    if 0 <= rate < float("inf"):
        settings["smtp_rate"] = rate
    else:
        errors.append(f"VEILLE_SMTP_RATE : débit invalide « {rate_text} » (messages par seconde, 0 pour aucune limite)")
    period_text = env.get("VEILLE_SMTP_RETRY_PERIOD") or "2h"
    match = DURATION_RE.match(period_text)
    if not match or float(match.group(1)) == 0:
        errors.append(f"VEILLE_SMTP_RETRY_PERIOD : durée invalide « {period_text} » (exemples : 30s, 15m, 2h)")
    else:
        settings["smtp_retry_period"] = timedelta(**{DURATION_UNITS[match.group(2)]: float(match.group(1))})
    connections_text = (env.get("VEILLE_SMTP_CONNECTIONS") or "8").strip()
    if re.fullmatch(r"[0-9]{1,2}", connections_text) and 1 <= int(connections_text) <= 32:
        settings["smtp_connections"] = int(connections_text)
    else:
        errors.append(f"VEILLE_SMTP_CONNECTIONS : nombre de connexions invalide « {connections_text} » "
                      "(de 1 à 32)")
    bounce_text = (env.get("VEILLE_BOUNCE_LIMIT") or "3").strip()
    if not re.fullmatch(r"[0-9]{1,6}", bounce_text) or int(bounce_text) < 1:
        errors.append(f"VEILLE_BOUNCE_LIMIT : nombre entier positif attendu, pas « {bounce_text} »")
    else:
        settings["bounce_limit"] = int(bounce_text)
    when_empty = (env.get("VEILLE_DAILY_WHEN_EMPTY") or "skip").strip().lower()
    if when_empty in DAILY_WHEN_EMPTY:
        settings["daily_when_empty"] = when_empty
    else:
        errors.append(f"VEILLE_DAILY_WHEN_EMPTY : valeur inconnue « {when_empty} » (valeurs : skip, send)")
    daily_text = env.get("VEILLE_DAILY_AT") or "06:30"
    if parse_time(daily_text):
        settings["daily_time"] = parse_time(daily_text)
    else:
        errors.append(f"VEILLE_DAILY_AT : heure invalide « {daily_text} » (exemple : 06:30)")
    days_text = env.get("VEILLE_DAILY_DAYS") or "lun-ven"
    if parse_days(days_text):
        settings["daily_days"] = parse_days(days_text)
    else:
        errors.append(f"VEILLE_DAILY_DAYS : jours invalides « {days_text} » (exemples : lun-ven, lun,mer,ven, tous)")
    weekly_text = env.get("VEILLE_WEEKLY_AT") or "lundi 07:00"
    weekly = WEEKLY_AT_RE.match(weekly_text.lower())
    weekly_time = parse_time(weekly.group(2)) if weekly else None
    if not weekly or weekly.group(1) not in WEEKDAYS or weekly_time is None:
        errors.append(f"VEILLE_WEEKLY_AT : moment invalide « {weekly_text} » (exemple : lundi 07:00)")
    else:
        settings["weekly_weekday"], settings["weekly_time"] = WEEKDAYS.index(weekly.group(1)), weekly_time
    base_url = (env.get("VEILLE_BASE_URL") or "http://localhost:5000").strip().rstrip("/")
    smtp_url = (env.get("VEILLE_SMTP_URL") or "").strip()
    admins = env.get("VEILLE_ADMIN_EMAILS") or ""
    settings.update(
        base_url=base_url,
        smtp_url=smtp_url or None,
        mail_from=(env.get("VEILLE_MAIL_FROM") or "").strip() or default_sender(base_url),
        mail_from_name=(env.get("VEILLE_MAIL_FROM_NAME") or "Veille").strip(),
        admin_emails=tuple(address.strip() for address in admins.split(",") if address.strip()),
    )
    return settings
