"""What every group of subcommands shares: usage errors, argument types, opening the archive,
tables. Lives below `cli.py` so that subcommand modules need not import it.
"""
from __future__ import annotations

import argparse
from datetime import date

from .config import Settings
from .numbers import parse_int

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad usage or configuration: printed in French, exit code 2."""


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date invalide « {text} » (format AAAA-MM-JJ)") from None


def positive_int(text: str) -> int:
    value = parse_int(text, minimum=1)
    if value is None:
        raise argparse.ArgumentTypeError(f"nombre entier positif attendu, pas « {text} »")
    return value


def open_archive(settings: Settings):
    """The session factory of an up-to-date archive (migrations applied)."""
    from .db import make_engine, migrate, session_factory  # SQLAlchemy: only for commands that use it

    engine = make_engine(settings)
    migrate(engine)
    return session_factory(engine)


def print_table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    widths[-1] = len(headers[-1])  # the last column runs free
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    print(line.rstrip())
    print("  ".join("─" * w for w in widths))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    if not rows:
        print("(aucun)")


def size_text(count: float) -> str:
    """"512 octets", "1,5 Mio": a size on disk for people."""
    if count < 1024:
        return f"{count:.0f} octets"
    for unit in ("Kio", "Mio", "Gio"):
        count /= 1024
        if count < 1024 or unit == "Gio":
            break
    return f"{count:.1f} {unit}".replace(".", ",")
