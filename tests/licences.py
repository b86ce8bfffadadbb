"""Test set-up for access: an organisation with an active licence whose range holds the tests'
own address, so that pages show the items' full text (as a commune's agents see them)."""
from __future__ import annotations

LOCAL_SIREN = "213105554"


def license_localhost(env, siren: str = LOCAL_SIREN, name: str = "Commune de Toulouse") -> None:
    for args in (("org", "add", name, "--siren", siren, "--type", "commune", "--licence-jusqu", "2099-12-31"),
                 ("org", "ip", "add", siren, "127.0.0.0/8"), ("org", "ip", "add", siren, "::1/128")):
        result = env.cli(*args)
        assert result.code == 0, result.err
