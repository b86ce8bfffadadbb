"""Settings read from the VEILLE_* environment variables, all optional."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


SEARCH_BACKENDS = ("whoosh", "tantivy")


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
            search_backend=search_backend,
            home=home,
            database_url=database_url,
            index_dir=Path(env.get("VEILLE_INDEX_DIR") or "./index"),
            feeds_path=Path(env.get("VEILLE_FEEDS") or "./feeds.yaml"),
            timezone=timezone,
        )
