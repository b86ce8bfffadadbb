"""How the bulletin and subscriber commands speak: French typography on every line they print,
errors included. Light on purpose: `veille --help` imports it."""
from __future__ import annotations

import functools
import sys

from ..commandline import UsageError
from ..config import ConfigError, Settings


def say(text: str = "", error: bool = False) -> None:
    """Print in French typography (no-break spaces before : ; ? ! and inside « »)."""
    from .wording import typography

    print(typography(text), file=sys.stderr if error else sys.stdout)


def french(command):
    """The command's usage and configuration errors in French typography too."""
    @functools.wraps(command)
    def run(settings: Settings, args) -> int:
        from .wording import typography

        try:
            return command(settings, args)
        except UsageError as exc:
            raise UsageError(typography(str(exc))) from None
        except ConfigError as exc:
            raise ConfigError(*map(typography, exc.errors)) from None
    return run
