"""A reader that goes away (`veille items --json | head -1`) ends the command quietly: no
traceback, no « Exception ignored » warning, the shell's exit code for a closed pipe."""
import fcntl
import os
import subprocess
import sys

import pytest

from veille.cli import EXIT_PIPE_CLOSED

RSS = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Flux</title>"
       "<link>https://exemple.gouv.fr/</link><description>d</description>{items}</channel></rss>")
ITEM = ("<item><title>Décret n° {n} relatif aux dotations des communes</title>"
        "<link>https://exemple.gouv.fr/textes/{n}</link><guid>texte-{n}</guid>"
        "<description>{text}</description></item>")


def first_line_then_close(*args: str) -> tuple[bytes, int, str]:
    """Run `veille ARGS | head -1`: read one line, close the pipe, let the command finish."""
    read, write = os.pipe()
    fcntl.fcntl(write, fcntl.F_SETPIPE_SZ, 4096)  # one page: no command's output fits before the reader leaves
    process = subprocess.Popen([sys.executable, "-m", "veille", *args], stdout=write,
                               stderr=subprocess.PIPE, env=os.environ.copy())
    os.close(write)
    with os.fdopen(read, "rb") as stdout:
        line = stdout.readline()
    err = process.stderr.read().decode("utf-8")
    return line, process.wait(timeout=60), err


@pytest.fixture
def crawled(env, server):
    """An archive of 300 items with long texts: far more output than a pipe buffer holds."""
    text = "Les communes et leurs groupements perçoivent la dotation globale de fonctionnement. " * 10
    server.route("/flux.xml", RSS.format(items="".join(ITEM.format(n=n, text=text) for n in range(300))).encode())
    env.write_feeds([{"id": "dgcl", "name": "DGCL", "url": server.url("/flux.xml")}]
                    + [{"id": f"source-{n:04d}", "name": f"Source {n}", "url": server.url(f"/{n}.xml"),
                        "enabled": False} for n in range(1500)])
    assert env.cli("crawl", "--source", "dgcl").code == 0
    return env


def test_closed_pipe_ends_every_command_quietly(crawled):
    for args in (("items", "--json", "--limit", "300"), ("items", "--limit", "300"), ("sources",),
                 ("search", "--json", "--limit", "300", "dotation")):
        line, code, err = first_line_then_close(*args)
        assert line.strip(), args
        assert "Traceback" not in err and "Error" not in err and "Exception ignored" not in err, (args, err)
        assert code == EXIT_PIPE_CLOSED, (args, code)
