"""A local SMTP sink for the benchmarks, run as its own process: it accepts every message, counts
them and keeps nothing. It is not a mail server: it speaks just enough SMTP (EHLO with
PIPELINING, MAIL, RCPT, DATA, RSET, NOOP, QUIT), checks nothing, answers every command "250", and
reads a message only to find its end (CRLF.CRLF), chunk by chunk as the network gives it, without
parsing or keeping its lines, so that what is measured is the sender, not the sink. The tests use
a real server (aiosmtpd), which parses every line in Python. `bench/sinkceiling.py` measures
what this sink can take at most; `running()` says how much CPU it used.

    python bench/smtpsink.py PORT   # prints "prêt" when listening; on SIGTERM prints the count
"""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

END = b"\r\n.\r\n"
REPLIES = {b"EHLO": b"250-puits\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 67108864\r\n",
           b"DATA": b"354 fin par <CRLF>.<CRLF>\r\n", b"QUIT": b"221 au revoir\r\n"}
CHUNK = 256 * 1024  # read at most this much at a time
LONGEST_LINE = 4096  # a command line; more without a line break closes the connection


class Session(asyncio.BufferedProtocol):
    """One client. The network writes into one buffer that is read in place (no bytes object made
    for each chunk of a message); replies to commands sent together (PIPELINING) go back in one
    write."""

    received = 0  # messages, over all sessions

    def connection_made(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        self.buffer = bytearray(CHUNK)
        self.lines = b""  # the start of a command line that goes on in the next chunk
        self.tail: bytes | None = None  # in a message: its last bytes so far (an end may span chunks)
        self.done = False  # QUIT, or a line too long: the connection closes after the replies
        transport.write(b"220 puits ESMTP\r\n")

    def get_buffer(self, sizehint: int) -> bytearray:
        return self.buffer

    def buffer_updated(self, size: int) -> None:
        replies, start = [], 0
        while start < size and not self.done:
            if self.tail is not None:
                start = self._message(start, size, replies)
            else:
                start = self._commands(start, size, replies)
        if replies:
            self.transport.write(b"".join(replies))
        if self.done:
            self.transport.close()

    def _message(self, start: int, size: int, replies: list) -> int:
        """Where the commands after the message's end start in the buffer, or `size` while the
        message goes on."""
        joined = self.tail + self.buffer[start:start + len(END) - 1]
        found = joined.find(END)
        if found >= 0:
            after = start + found + len(END) - len(self.tail)
        else:
            found = self.buffer.find(END, start, size)
            if found < 0:
                self.tail = bytes((self.tail + self.buffer[start:size])[1 - len(END):]) \
                    if size - start < len(END) else bytes(self.buffer[size + 1 - len(END):size])
                return size
            after = found + len(END)
        self.tail = None
        Session.received += 1
        replies.append(b"250 OK\r\n")
        return after

    def _commands(self, start: int, size: int, replies: list) -> int:
        """Answer the command line that starts at `start`; where the next one (or the message,
        after DATA) starts, or `size` when the line goes on in the next chunk."""
        line_end = self.buffer.find(b"\n", start, size) + 1
        if not line_end:
            self.lines += self.buffer[start:size]
            if len(self.lines) > LONGEST_LINE:
                replies.append(b"500 ligne trop longue\r\n")
                self.done = True
            return size
        verb = (self.lines + self.buffer[start:start + 4])[:4].upper()
        self.lines = b""
        replies.append(REPLIES.get(verb, b"250 OK\r\n"))
        if verb == b"QUIT":
            self.done = True
            return size
        if verb == b"DATA":
            self.tail = b"\r\n"  # an empty message ends at once
        return line_end


async def serve(port: int) -> int:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Session, "127.0.0.1", port)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    print("prêt", flush=True)
    async with server:
        await stop.wait()
    return Session.received


@dataclass
class Run:
    received: int = 0
    cpu: float = 0.0  # seconds of CPU the sink used


@contextmanager
def running(port: int) -> Iterator[Run]:
    """This sink in its own process while the block runs; then how many messages it received and
    the CPU it used."""
    process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), str(port)],
                               stdout=subprocess.PIPE, text=True)
    run = Run()
    try:
        if process.stdout.readline().strip() != "prêt":
            raise RuntimeError("le puits SMTP n'a pas démarré")
        yield run
    finally:
        process.terminate()
        said = process.stdout.read().strip()
        _, _, usage = os.wait4(process.pid, 0)
        process.returncode = 0
        run.received, run.cpu = int(said or 0), usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    print(asyncio.run(serve(int(sys.argv[1]))), flush=True)
