"""Many copies of one bulletin. Readers who follow the same rubriques read the same body: it is
rendered once (text; HTML with its CSS inlined), encoded once (quoted-printable) and kept, and
each copy then only adds what is its reader's own: the headers (To, Date, Message-ID,
List-Unsubscribe), the address and unsubscribe link of the HTML footer, and the text footer.

The shared HTML is rendered for a stand-in reader whose address and token are placeholders: the
lines that hold them are kept as text and filled in for each reader, all the others are kept
encoded. `body_key` holds everything a body depends on besides the reader's address and token: a
new per-reader part of the bulletin goes into that key, or is added per copy like the text footer.
"""
from __future__ import annotations

import binascii
import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import quote

from .content import EditionContent
from .build import reader_topics
from .render import Links, Reader, Reading, email_html, email_text_reader, email_text_shared, reading

PLACEHOLDER_EMAIL = "lecteur.c0d1e7@copie.invalid"
PLACEHOLDER_TOKEN = "jeton-c0d1e7"
PLACEHOLDER_RE = re.compile(f"{re.escape(PLACEHOLDER_EMAIL)}|{re.escape(PLACEHOLDER_TOKEN)}")
STAND_IN = "\x01"  # never in an address (checked: printable characters only)
SPACED = frozenset(":;?!»«°")  # French spacing acts next to these (wording.typography)
PER_COPY = ("email", "token", "topics")  # filled in on each copy, or (topics) keyed by what they show
CACHE_SIZE = 512  # distinct bodies kept; most readers share a few hundred sets of rubriques
ONE_CLICK = "List-Unsubscribe=One-Click"  # RFC 8058
QP_LINE = 76  # the longest quoted-printable line, soft break included
PART = 'Content-Type: text/{}; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'


def body_key(content: EditionContent, reader: Reader) -> tuple:
    """What one reader's body depends on, their address and unsubscribe token apart: their
    rubriques, and any other part of `Reader` (a per-reader section added there is in the key)."""
    others = tuple(getattr(reader, f.name) for f in fields(reader) if f.name not in PER_COPY)
    return reader_topics(reader.topics, content), bool(reader.email), bool(reader.token), others


def quoted_printable(text: str) -> bytes:
    """Quoted-printable lines of `text` (which ends with a line break), each ending in CRLF, none
    starting with a dot (see `Copies.message`). Lines are encoded one by one, so the encodings of
    two texts put end to end are those of the whole."""
    encoded = binascii.b2a_qp(text.replace("\n", "\r\n").encode("utf-8"), istext=True)
    if encoded.startswith(b".") or b"\n." in encoded:
        return b"".join(_undotted(line) for line in encoded.splitlines(keepends=True))
    return encoded


def _undotted(line: bytes) -> bytes:
    """An encoded line (ending in CRLF) whose first dot, if it starts with one, is written =2E; the
    line is then split with a soft break if it grew over 76 characters (RFC 2045), never inside
    an =XX escape."""
    if not line.startswith(b"."):
        return line
    content = b"=2E" + line[1:-2]
    if len(content) <= QP_LINE:
        return content + b"\r\n"
    cut = QP_LINE - 1  # room for the soft break's "="
    cut -= 1 if content[cut - 1:cut] == b"=" else 2 if content[cut - 2:cut - 1] == b"=" else 0
    return content[:cut] + b"=\r\n" + _undotted(content[cut:] + b"\r\n")


Runs = tuple[bytes | str, ...]  # encoded runs of lines, and lines (str) holding the placeholders


@dataclass(frozen=True)
class Body:
    """One body as every reader with its key reads it."""

    view: Reading  # for the stand-in reader
    text: tuple[Runs, Runs]  # before and after the paragraph that names the reader
    html: Runs
    named: dict[int, str] = field(default_factory=dict)  # that paragraph, by length of address

    def naming(self, reader: Reader) -> str:
        """The paragraph that names the reader. Wrapped at 72 columns, it depends on the address
        only by its length (one word, no space): rendered once per length with a stand-in word,
        unless the address holds a character French spacing acts on."""
        email = reader.email or ""
        if SPACED.intersection(email):
            return email_text_reader(replace(self.view, reader=reader))
        if len(email) not in self.named:
            stand_in = replace(reader, email=STAND_IN * len(email))
            self.named[len(email)] = email_text_reader(replace(self.view, reader=stand_in))
        return self.named[len(email)].replace(STAND_IN * len(email), email) if email else self.named[0]


def _runs(text: str) -> Runs:
    """`text` (which ends with a line break) as encoded runs, and the lines holding placeholders."""
    runs: list[bytes | str] = []
    start = 0
    for found in PLACEHOLDER_RE.finditer(text):
        if found.start() < start:
            continue  # on the line already kept
        line_start = text.rfind("\n", 0, found.start()) + 1
        line_end = text.index("\n", found.end()) + 1
        if line_start > start:
            runs.append(quoted_printable(text[start:line_start]))
        runs.append(text[line_start:line_end])
        start = line_end
    if start < len(text):
        runs.append(quoted_printable(text[start:]))
    return tuple(runs)


def _filled(runs: Runs, email: str, token: str) -> list[bytes]:
    return [run if isinstance(run, bytes) else
            quoted_printable(run.replace(PLACEHOLDER_EMAIL, email).replace(PLACEHOLDER_TOKEN, token))
            for run in runs]


def _html_text(value: str) -> str:
    """`value` as the CSS inliner writes text: only &, < and > (and no-break spaces) escaped."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\xa0", "&nbsp;")


class Copies:
    """The messages of one edition, from one sender, with one set of links."""

    def __init__(self, content: EditionContent, sender_name: str, sender_address: str, links: Links,
                 head: bytes):
        """`head`: the headers every copy shares (From, Subject), encoded, each line ending in CRLF."""
        self.content, self.sender_name, self.sender_address, self.links = content, sender_name, sender_address, links
        self.head = head
        self.bodies: OrderedDict[tuple, Body] = OrderedDict()
        self.rendered = 0  # distinct bodies rendered so far
        self.lock = threading.Lock()
        self.boundary = "=_" + hashlib.sha256(repr(content).encode("utf-8")).hexdigest()[:24]  # "=" never in QP text

    def body(self, reader: Reader) -> Body:
        """The body of this reader's key, rendered now if it is not kept (sending threads call this
        at once: the kept bodies are shared under a lock, rendering runs outside it)."""
        key = body_key(self.content, reader)
        with self.lock:
            found = self.bodies.get(key)
            if found is not None:
                self.bodies.move_to_end(key)
                return found
        stand_in = replace(reader, email=PLACEHOLDER_EMAIL if reader.email else None,
                           token=PLACEHOLDER_TOKEN if reader.token else None)
        view = reading(self.content, stand_in)
        before, after = email_text_shared(view, self.links, self.sender_name)
        html = email_html(view, self.links, self.sender_name).removesuffix("\n") + "\n"
        found = Body(view, (_runs(before), _runs(after)), _runs(html))
        with self.lock:
            self.bodies[key] = found
            self.rendered += 1
            if len(self.bodies) > CACHE_SIZE:
                self.bodies.popitem(last=False)
        return found

    def message(self, reader: Reader, to: str, message_id: str, now: datetime) -> bytes:
        """The whole message for one reader (`to`: their address, already checked). None of its
        lines starts with a dot (headers, boundaries, and quoted-printable that writes such a dot
        =2E), so SMTP's DATA carries it as it is, with no dot-stuffing pass over its bytes."""
        body = self.body(reader)
        token = quote(reader.token or "")
        mailto = f"mailto:{self.sender_address}?subject={quote('désabonnement ' + (reader.token or ''))}"
        named = quoted_printable(body.naming(reader))
        before, after = (_filled(runs, reader.email or "", token) for runs in body.text)
        html, boundary = _filled(body.html, _html_text(reader.email or ""), token), self.boundary
        # List-Unsubscribe is folded by hand, one URI a line: left to the email package, a long
        # URI would be folded into an RFC 2047 encoded-word that no mail client reads as a link.
        head = (f"To: {to}\r\nDate: {format_datetime(now)}\r\nMessage-ID: {message_id}\r\n"
                f"List-Unsubscribe: <{self.links.unsubscribe(reader.token or '')}>,\r\n <{mailto}>\r\n"
                f"List-Unsubscribe-Post: {ONE_CLICK}\r\nMIME-Version: 1.0\r\n"
                f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
                f"--{boundary}\r\n{PART.format('plain')}")
        return b"".join([self.head, head.encode("ascii"), *before, named, *after,
                         f"\r\n--{boundary}\r\n{PART.format('html')}".encode("ascii"), *html,
                         f"\r\n--{boundary}--\r\n".encode("ascii")])  # the CRLF before "--" is the delimiter's
