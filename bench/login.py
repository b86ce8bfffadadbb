"""Login timing: a wrong password for a known address and any password for an unknown one must
take the same time (both check an argon2 hash), so that the answer's delay does not tell who has
an account.

Prints the median and the spread of each case over N tries, on a SQLite archive in a temporary
folder with one account.

    .venv/bin/python bench/login.py [--tries 30]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO)]

from veille.accounts import users  # noqa: E402
from veille.config import Settings  # noqa: E402
from veille.db import make_engine, migrate, session_factory  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings.from_env({"VEILLE_HOME": folder})
        engine = make_engine(settings)
        migrate(engine)
        factory = session_factory(engine)
        with factory() as session, session.begin():
            users.add(session, "agent@mairie.fr", datetime.now(timezone.utc), password="un mot de passe solide",
                      verified=True)
        cases = {"wrong password": "agent@mairie.fr", "unknown address": "personne@mairie.fr"}
        timings = {name: [] for name in cases}
        for _ in range(args.tries):
            for name, email in cases.items():  # interleaved: the machine's load weighs on both alike
                with factory() as session:
                    started = time.perf_counter()
                    assert users.authenticate(session, email, "pas le bon mot de passe") is None
                    timings[name].append((time.perf_counter() - started) * 1000)
        for name, values in timings.items():
            print(f"{name:16} median {statistics.median(values):6.1f} ms   "
                  f"p10 {statistics.quantiles(values, n=10)[0]:6.1f} ms   p90 {statistics.quantiles(values, n=10)[-1]:6.1f} ms")


if __name__ == "__main__":
    main()
