"""`veille run` benchmark: N local feeds due every minute, the service left running for a few
minutes. Prints the process's CPU % and memory (RSS) over the first and the last minute, and the
crawl tick durations (p50, p95) read from its JSON log. Each minute a tenth of the feeds get a new
item; the others answer 304 Not Modified, as most real feeds do most of the time.

    .venv/bin/python bench/run.py [--feeds 200] [--minutes 5] [--tick 60]
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO)]

import yaml  # noqa: E402

from tests.livesite import free_port  # noqa: E402
from tests.localserver import LocalServer  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def feed(n: int, version: int) -> str:
    items = "".join(f"<item><title>Avis n° {n}-{v} relatif aux marchés publics</title>"
                    f"<link>https://exemple.gouv.fr/{n}/{v}</link><guid>{n}-{v}</guid>"
                    f"<description>Texte {v} de la source {n}.</description></item>" for v in range(version + 1))
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Flux {n}</title>{items}</channel></rss>'


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_percent(pid: int, seconds: float) -> float:
    before, start = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return 100 * (cpu_seconds(pid) - before) / (time.monotonic() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--tick", type=int, default=60, help="seconds between two crawl ticks")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, LocalServer() as server:
        root = Path(folder)
        versions = [0] * args.feeds
        sources = []
        for n in range(args.feeds):
            server.route(f"/{n}.xml", feed(n, 0), etag=f'"{n}-0"')
            sources.append({"id": f"s{n}", "name": f"Source {n}", "kind": "rss", "category": "actualite",
                            "url": server.url(f"/{n}.xml"), "interval": "1m", "allow_private": True, "topics": []})
        catalogue = yaml.safe_load((REPO / "feeds.yaml").read_text(encoding="utf-8"))
        (root / "feeds.yaml").write_text(yaml.safe_dump({"topics": catalogue["topics"], "sources": sources},
                                                        allow_unicode=True), encoding="utf-8")
        env = {**os.environ, "VEILLE_HOME": str(root / "var"), "VEILLE_FEEDS": str(root / "feeds.yaml"),
               "VEILLE_INDEX_DIR": str(root / "index"), "VEILLE_TICK_SECONDS": str(args.tick)}
        env.pop("VEILLE_SMTP_URL", None)
        log_path = root / "run.log"
        with open(log_path, "w") as log:
            process = subprocess.Popen([sys.executable, "-m", "veille", "run", "--port", str(free_port()),
                                        "--log-format", "json"], stderr=log, stdout=log, env=env)
        try:
            window = min(60.0, args.minutes * 60 / 4)  # seconds over which CPU % is measured
            time.sleep(2)
            start_cpu, start_rss = cpu_percent(process.pid, window), rss_mib(process.pid)
            deadline = time.monotonic() + args.minutes * 60 - window * 2 - 2
            while time.monotonic() < deadline:
                time.sleep(min(args.tick, max(deadline - time.monotonic(), 0)))
                for n in range(0, args.feeds, 10):  # a tenth of the feeds publish something new
                    versions[n] += 1
                    server.route(f"/{n}.xml", feed(n, versions[n]), etag=f'"{n}-{versions[n]}"')
            end_cpu, end_rss = cpu_percent(process.pid, window), rss_mib(process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            code = process.wait(60)
        crawls = [json.loads(line) for line in log_path.read_text().splitlines() if '"job": "crawl"' in line]
        durations = sorted(c["duration_s"] for c in crawls)
        crawled = sum(c["counts"].get("sources", 0) for c in crawls)
        print(f"{args.feeds} sources dues chaque minute, {args.minutes:g} min, tick {args.tick} s, "
              f"{len(crawls)} relevés ({crawled} sources relevées), sortie {code}")
        print(f"CPU : {start_cpu:.1f} % au début, {end_cpu:.1f} % à la fin (moyennes sur {window:.0f} s)".replace(".", ","))
        print(f"Mémoire (RSS) : {start_rss:.0f} Mio au début, {end_rss:.0f} Mio à la fin")
        if durations:
            p95 = durations[min(len(durations) - 1, int(0.95 * len(durations)))]
            print(f"Durée d'un relevé : p50 {statistics.median(durations):.2f} s, p95 {p95:.2f} s, "
                  f"max {durations[-1]:.2f} s".replace(".", ","))


if __name__ == "__main__":
    main()
