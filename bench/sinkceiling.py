"""The ceiling of the benchmarks' SMTP sink (bench/smtpsink.py): a raw client, with no database,
no rendering and no smtplib, sends copies of one pre-built message over several connections,
WINDOW whole transactions (envelope, message and end) in one write before reading their replies.
A real server would want the "354" before a message (RFC 2920); the sink reads in order and does
not mind, so this measures the most the sink can take on this machine, and the CPU it uses per
message, against which the sender's figure can be read.

    .venv/bin/python bench/sinkceiling.py [--messages 5000] [--connections 4] [--size 131072]
"""
from __future__ import annotations

import argparse
import os
import socket
import sys
import threading
import time

from smtpsink import running

WINDOW = 20  # transactions written before their replies are read


def transaction(message: bytes, n: int) -> bytes:
    """One whole transaction; `message` ends in CRLF and is dot-stuffed."""
    return (f"MAIL FROM:<bulletin@veille.test>\r\nRCPT TO:<agent{n}@mairie.test>\r\nDATA\r\n".encode("ascii")
            + message + b".\r\n")


def replies(stream, count: int) -> None:
    for _ in range(count):
        line = stream.readline()
        while line[3:4] == b"-":
            line = stream.readline()
        if line[:1] not in (b"2", b"3"):
            raise RuntimeError(f"le puits a répondu {line!r}")


def blast(port: int, message: bytes, count: int) -> None:
    """`count` transactions on one connection, WINDOW at a time."""
    with socket.create_connection(("127.0.0.1", port)) as sock, sock.makefile("rb") as stream:
        replies(stream, 1)
        sock.sendall(b"EHLO client\r\n")
        replies(stream, 1)
        done = 0
        while done < count:
            window = min(WINDOW, count - done)
            sock.sendall(b"".join(transaction(message, done + k) for k in range(window)))
            replies(stream, 4 * window)  # MAIL, RCPT, DATA (354) and the message's own
            done += window
        sock.sendall(b"QUIT\r\n")


def ceiling(port: int, message: bytes, messages: int, connections: int) -> float:
    """Messages a second that a running sink on `port` took from the raw client; `message` ends
    in CRLF."""
    message = (b"." if message.startswith(b".") else b"") + message.replace(b"\n.", b"\n..")
    share = [messages // connections + (n < messages % connections) for n in range(connections)]
    threads = [threading.Thread(target=blast, args=(port, message, count)) for count in share]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return messages / (time.perf_counter() - started)


def sample(size: int) -> bytes:
    line = b"Une ligne de bulletin en quoted-printable, =C3=A0 peu pr=C3=A8s de la longueur r=C3=A9elle.\r\n"
    return b"Subject: essai\r\n\r\n" + line * (size // len(line))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--size", type=int, default=131072, help="octets par message")
    args = parser.parse_args()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with running(port) as sink:
        rate = ceiling(port, sample(args.size), args.messages, args.connections)
    print(f"Puits SMTP : {rate:.0f} messages/s au plus, {sink.cpu * 1e6 / sink.received:.0f} µs de processeur "
          f"par message ({args.messages} messages de {args.size // 1024} Kio déjà construits, "
          f"{args.connections} connexions, client brut sans base ni rendu ; reçus : {sink.received}) ; "
          f"charge de la machine (2 cœurs partagés) : {' '.join(f'{load:.1f}' for load in os.getloadavg())}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
