"""A local SMTP sink for the benchmarks, run as its own process: it accepts every message, counts
them and keeps nothing. It speaks just enough SMTP (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and
reads DATA by looking for its end rather than line by line, so that what is measured is the
sender, not the sink (aiosmtpd, which the tests use, parses every line in Python).

    python bench/smtpsink.py PORT   # prints "prêt" when listening; on SIGTERM prints the count
"""
from __future__ import annotations

import asyncio
import signal
import sys

LIMIT = 64 * 1024 * 1024  # the largest message


async def serve(port: int) -> int:
    received = 0

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal received
        writer.write(b"220 puits ESMTP\r\n")
        try:
            while line := await reader.readline():
                verb = line[:4].upper()
                if verb == b"EHLO":
                    writer.write(b"250-puits\r\n250-8BITMIME\r\n250 SIZE 67108864\r\n")
                elif verb == b"DATA":
                    writer.write(b"354 fin par <CRLF>.<CRLF>\r\n")
                    await writer.drain()
                    await reader.readuntil(b"\r\n.\r\n")
                    received += 1
                    writer.write(b"250 OK\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 au revoir\r\n")
                    break
                else:
                    writer.write(b"250 OK\r\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(session, "127.0.0.1", port, limit=LIMIT)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("prêt", flush=True)
    async with server:
        await stop.wait()
    return received


if __name__ == "__main__":
    print(asyncio.run(serve(int(sys.argv[1]))), flush=True)
