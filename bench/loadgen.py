"""A light HTTP/1.1 load generator for the benchmarks: keep-alive connections driven by asyncio
in several processes, so that the generator, not only the server, can use every core.

A thread per client with httpx costs the generator about half a millisecond of CPU per request
under one GIL: against answers that cost the server less than that (a 304 from the page cache),
such a generator measures itself. Here each request is a few bytes written and an answer read
by its Content-Length (or chunks), with no client library in between.
"""
from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import os
import time

Request = tuple[str, dict]  # path, extra headers


def load(port: int, requests: list[Request], clients: int, seconds: float,
         processes: int | None = None, unique: str | None = None) -> tuple[list[float], int]:
    """`clients` keep-alive connections, spread over `processes` (default: one per core, at most
    one per client), each sending the requests in turn for `seconds` (at least one each):
    the latencies in seconds, and the number of answers other than 200 and 304. With `unique`,
    each request carries that query parameter with a value no other request has (a cache keyed
    on the query never answers it)."""
    processes = max(1, min(processes or os.cpu_count() or 1, clients))
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    shares = [list(range(n, clients, processes)) for n in range(processes)]
    deadline = time.time() + seconds
    workers = [context.Process(target=_worker, args=(port, requests, share, clients, deadline, results, unique))
               for share in shares]
    for worker in workers:
        worker.start()
    latencies, errors = [], 0
    for _ in workers:
        part, failed = results.get()
        latencies += part
        errors += failed
    for worker in workers:
        worker.join()
    return latencies, errors


def _worker(port: int, requests: list[Request], numbers: list[int], clients: int, deadline: float, results,
            unique: str | None) -> None:
    outcome = asyncio.run(_clients(port, requests, numbers, clients, deadline, unique))
    results.put(outcome)


async def _clients(port: int, requests: list[Request], numbers: list[int], clients: int,
                   deadline: float, unique: str | None) -> tuple[list[float], int]:
    encoded = [_encode(port, path, headers) for path, headers in requests]
    sent = itertools.count()

    def request(position: int) -> bytes:
        if unique is None:
            return encoded[position % len(encoded)]
        path, headers = requests[position % len(requests)]
        value = f"{deadline:.6f}-{numbers[0]}-{next(sent)}"  # this run's, this process's, this request's
        return _encode(port, f"{path}{'&' if '?' in path else '?'}{unique}={value}", headers)
    latencies: list[float] = []
    errors = [0]

    async def client(number: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        position = number
        while True:  # at least one request each, however late the client starts
            message = request(position)
            started = time.perf_counter()
            writer.write(message)
            status, close = await _answer(reader)
            latencies.append(time.perf_counter() - started)
            errors[0] += status not in (200, 304)
            position += clients
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            if time.time() >= deadline:
                break
        writer.close()

    await asyncio.gather(*(client(number) for number in numbers))
    return latencies, errors[0]


def _encode(port: int, path: str, headers: dict) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Reads one whole answer: its status, and whether the server closes the connection."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(head[0].split(" ", 2)[1])
    fields = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in head[1:] if line)}
    if fields.get("transfer-encoding", "").lower() == "chunked":
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")  # no trailers
    elif status != 304:
        await reader.readexactly(int(fields.get("content-length", "0")))
    return status, fields.get("connection", "").lower() == "close"
