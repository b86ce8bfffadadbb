"""Start-up benchmark: how long `veille --help` and a command's parser take, and what they import.

Run from the repository root:

    .venv/bin/python bench/startup.py            # 5 runs of each
    .venv/bin/python bench/startup.py --runs 10

Each run is a fresh interpreter, as when a user types the command. Prints the median wall time
of `veille --help`, `veille bulletin --help` and `python -c pass` (the interpreter alone), then
the heavy libraries that `veille --help` loaded (none is the goal).
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

HEAVY = ("sqlalchemy", "weasyprint", "whoosh", "tantivy", "feedparser", "httpx", "jinja2", "flask",
         "babel", "lxml", "bs4", "tqdm", "alembic")
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "veille --help": [sys.executable, "-m", "veille", "--help"],
    "veille bulletin --help": [sys.executable, "-m", "veille", "bulletin", "--help"],
}
LOADED = ("import sys\nfrom veille.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
          f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)")


def median_seconds(command: list[str], runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for label, command in COMMANDS.items():
        print(f"{label:<24} {median_seconds(command, args.runs) * 1000:7.0f} ms (median of {args.runs})")
    loaded = subprocess.run([sys.executable, "-c", LOADED], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, check=True).stderr.strip()
    print(f"heavy libraries loaded by `veille --help`: {loaded or 'none'}")


if __name__ == "__main__":
    main()
