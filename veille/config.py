"""Settings read from the VEILLE_* environment variables, all optional."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


SEARCH_BACKENDS = ("whoosh", "tantivy")
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
DAILY_WHEN_EMPTY = ("skip", "send")
DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
DURATION_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
WEEKLY_AT_RE = re.compile(r"^\s*([a-z]+)\s+(\d{1,2})[:h](\d{2})\s*$")


class ConfigError(Exception):
    """A setting or the catalog is wrong; the message says where."""


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    index_dir: Path
    feeds_path: Path
    timezone: ZoneInfo
    search_backend: str = "whoosh"
    # Bulletins. The mail settings are checked when mail is sent, so that a wrong one never
    # stops the crawler.
    base_url: str = "http://localhost:5000"  # the web app: item pages, editions, unsubscribe links
    smtp_url: str = "smtp://localhost:25"
    mail_from: str = "veille@localhost"
    mail_from_name: str = "Veille"
    smtp_rate: float = 0.0  # messages per second; 0: as fast as the server takes them
    smtp_retry_period: timedelta = timedelta(hours=2)
    bounce_limit: int = 3  # permanent failures in a row before an address is disabled
    daily_when_empty: str = "skip"  # a subscriber with nothing new gets no daily email ("send": gets one)
    weekly_weekday: int = 0  # the weekly recap is due on this day (0: Monday)...
    weekly_time: time = time(7, 0)  # ...at this time in `timezone`

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        home = Path(env.get("VEILLE_HOME") or "./var")
        database_url = env.get("VEILLE_DATABASE_URL") or f"sqlite:///{home / 'veille.db'}"
        tz_name = env.get("VEILLE_TIMEZONE") or "Europe/Paris"
        try:
            timezone = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"VEILLE_TIMEZONE : fuseau horaire inconnu « {tz_name} »") from None
        search_backend = (env.get("VEILLE_SEARCH") or "whoosh").strip().lower()
        if search_backend not in SEARCH_BACKENDS:
            raise ConfigError(f"VEILLE_SEARCH : moteur de recherche inconnu « {search_backend} » "
                              f"(moteurs : {', '.join(SEARCH_BACKENDS)})")
        return cls(
            **_bulletin_settings(env),
            search_backend=search_backend,
            home=home,
            database_url=database_url,
            index_dir=Path(env.get("VEILLE_INDEX_DIR") or "./index"),
            feeds_path=Path(env.get("VEILLE_FEEDS") or "./feeds.yaml"),
            timezone=timezone,
        )


def _bulletin_settings(env) -> dict:
    rate_text = (env.get("VEILLE_SMTP_RATE") or "0").strip()
    try:
        rate = float(rate_text)
    except ValueError:
        rate = -1.0
    if not 0 <= rate < float("inf"):
        raise ConfigError(f"VEILLE_SMTP_RATE : débit invalide « {rate_text} » (messages par seconde, 0 pour aucune limite)")
    period_text = env.get("VEILLE_SMTP_RETRY_PERIOD") or "2h"
    match = DURATION_RE.match(period_text)
    if not match or float(match.group(1)) == 0:
        raise ConfigError(f"VEILLE_SMTP_RETRY_PERIOD : durée invalide « {period_text} » (exemples : 30s, 15m, 2h)")
    bounce_text = (env.get("VEILLE_BOUNCE_LIMIT") or "3").strip()
    if not bounce_text.isdigit() or int(bounce_text) < 1:
        raise ConfigError(f"VEILLE_BOUNCE_LIMIT : nombre entier positif attendu, pas « {bounce_text} »")
    when_empty = (env.get("VEILLE_DAILY_WHEN_EMPTY") or "skip").strip().lower()
    if when_empty not in DAILY_WHEN_EMPTY:
        raise ConfigError(f"VEILLE_DAILY_WHEN_EMPTY : valeur inconnue « {when_empty} » (valeurs : skip, send)")
    weekly_text = env.get("VEILLE_WEEKLY_AT") or "lundi 07:00"
    weekly = WEEKLY_AT_RE.match(weekly_text.lower())
    if not weekly or weekly.group(1) not in WEEKDAYS or int(weekly.group(2)) > 23 or int(weekly.group(3)) > 59:
        raise ConfigError(f"VEILLE_WEEKLY_AT : moment invalide « {weekly_text} » (exemple : lundi 07:00)")
    return {
        "base_url": (env.get("VEILLE_BASE_URL") or "http://localhost:5000").strip().rstrip("/"),
        "smtp_url": (env.get("VEILLE_SMTP_URL") or "smtp://localhost:25").strip(),
        "mail_from": (env.get("VEILLE_MAIL_FROM") or "veille@localhost").strip(),
        "mail_from_name": (env.get("VEILLE_MAIL_FROM_NAME") or "Veille").strip(),
        "smtp_rate": rate,
        "smtp_retry_period": timedelta(**{DURATION_UNITS[match.group(2)]: float(match.group(1))}),
        "bounce_limit": int(bounce_text),
        "daily_when_empty": when_empty,
        "weekly_weekday": WEEKDAYS.index(weekly.group(1)),
        "weekly_time": time(int(weekly.group(2)), int(weekly.group(3))),
    }
