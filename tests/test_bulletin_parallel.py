"""Several SMTP connections at once (VEILLE_SMTP_CONNECTIONS), against a real aiosmtpd server:
every message delivered exactly once, each copy carrying its own reader's address and links, a
server that goes away in the middle loses nothing, and PIPELINING is used when offered."""
import re
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.test_bulletin_build import factory_of, week  # noqa: F401  (fixture)
from tests.livesite import free_port
from tests.test_bulletin_mail import Inbox, SmtpSink
from veille.bulletins import subscribers
from veille.bulletins.editions import content_of, find
from veille.bulletins.mail import DeliveryError, SmtpConfig, Transport, Transports
from veille.bulletins.message import Sender, composer
from veille.bulletins.models import PENDING, SENT, OutboxMessage, Subscriber
from veille.bulletins.outbox import Policy, deliver, enqueue
from veille.bulletins.render import Links

SENDER = Sender("Veille", "bulletin@veille.test")
ADDRESSES = [f"agent{n}@mairie{n % 7}-exemple.fr" for n in range(60)]


class Peers:
    """Which client connections (host, port) delivered messages."""

    def __init__(self, sink: SmtpSink):
        self.seen: set = set()
        handler = sink.inbox.handle_DATA

        async def handle_DATA(server, session, envelope):
            self.seen.add(session.peer)
            return await handler(server, session, envelope)
        sink.inbox.handle_DATA = handle_DATA


def queued(env) -> tuple:
    """The daily edition of 29 March 2017 queued for ADDRESSES (every rubrique, or one of two)."""
    factory = factory_of(env)
    now = datetime.now(timezone.utc)
    with factory() as session, session.begin():
        for n, address in enumerate(ADDRESSES):
            subscribers.add(session, address, [] if n % 3 else ["elections"], "daily", now)
        edition = find(session, "daily", date(2017, 3, 29))
        content = content_of(edition)
        enqueue(session, edition, content, subscribers.receiving(session, "daily"), True, now)
        tokens = {s.email: s.token for s in session.scalars(select(Subscriber))}
    return factory, edition.id, content, tokens


def run(factory, edition_id, content, url: str, connections: int, before_send=lambda: None, retry=timedelta(minutes=1)):
    compose = composer(content, SENDER, Links("https://veille.test"))
    with Transports(SmtpConfig.parse(url)) as transports:
        def send(to, data):
            before_send()
            transports.send(SENDER.address, to, data)
        return deliver(factory, edition_id, compose, send,
                       Policy(rate=0, retry_period=retry, bounce_limit=3, connections=connections),
                       lambda: datetime.now(timezone.utc))


def states(factory) -> dict[str, str]:
    with factory() as session:
        return {row.email: row.state for row in session.scalars(select(OutboxMessage))}


def test_four_connections_deliver_every_message_exactly_once_to_its_own_reader(week):
    factory, edition_id, content, tokens = queued(week)
    with SmtpSink() as sink:
        peers = Peers(sink)
        summary = run(factory, edition_id, content, sink.url, connections=4)
    assert summary.sent == len(ADDRESSES) and summary.pending == 0
    assert sorted(rcpt for rcpt, _ in sink.inbox.messages) == sorted(ADDRESSES)
    assert len(peers.seen) == 4  # the four connections all carried messages
    assert set(states(factory).values()) == {SENT}
    ids = set()
    for address in ADDRESSES:
        (message,) = sink.inbox.to(address)
        ids.add(message["Message-ID"])
        assert message["To"] == address
        assert message["List-Unsubscribe"].startswith(f"<https://veille.test/desabonnement/{tokens[address]}>")
        text, html = (part.get_content() for part in message.iter_parts())
        assert re.findall(r"adressé à (\S+)", text) == [address] and re.findall(r"adressé à (\S+)", html) == [address]
        assert re.findall(r"desabonnement/([\w-]+)", text + html) == [tokens[address]] * 2
    assert len(ids) == len(ADDRESSES)


def test_a_server_gone_mid_way_loses_nothing(week):
    factory, edition_id, content, _ = queued(week)
    sink = SmtpSink()
    sink.controller.start()
    sent, lock = [0], threading.Lock()

    def stop_after_20():
        with lock:
            sent[0] += 1
            if sent[0] == 20:
                sink.controller.stop()  # the connections in use drop, new ones are refused

    first = run(factory, edition_id, content, sink.url, connections=4, before_send=stop_after_20,
                retry=timedelta(seconds=1))
    after_first = states(factory)
    assert first.stopped and first.pending == len(ADDRESSES) - first.sent > 0
    assert set(after_first.values()) == {SENT, PENDING}  # nothing left "sending", nothing failed
    received_first = [rcpt for rcpt, _ in sink.inbox.messages]

    with SmtpSink(port=sink.port) as again:
        second = run(factory, edition_id, content, again.url, connections=4)
    assert second.sent == first.pending and set(states(factory).values()) == {SENT}
    received = received_first + [rcpt for rcpt, _ in again.inbox.messages]
    assert set(received) == set(ADDRESSES)  # nobody lost
    # A copy the server took just as it went away may come twice, never one already marked sent.
    twice = {address for address in received if received.count(address) > 1}
    assert all(after_first[address] == PENDING for address in twice)
    assert all(received.count(address) == 1 for address, state in after_first.items() if state == SENT)


class PipeliningInbox(Inbox):
    """An aiosmtpd server that offers PIPELINING (it reads commands in order whatever arrives)."""

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return responses[:-1] + ["250-PIPELINING", responses[-1]]


def test_pipelining_when_offered_and_a_refusal_keeps_the_connection_in_step():
    inbox = PipeliningInbox()
    inbox.rcpt["inconnu@mairie-exemple.fr"] = ["550 5.1.1 destinataire inconnu"]
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    message = b"Subject: essai\r\n\r\n.ligne qui commence par un point\r\n..et deux\r\nfin\r\n"
    try:
        with Transport(SmtpConfig.parse(f"smtp://127.0.0.1:{controller.port}")) as transport:
            transport.send(SENDER.address, "agent1@mairie-exemple.fr", message)
            writes, write = [], transport._smtp.send
            transport._smtp.send = lambda data: (writes.append(data), write(data))[1]
            transport.send(SENDER.address, "agent2@mairie-exemple.fr", message)
            with pytest.raises(DeliveryError) as refused:
                transport.send(SENDER.address, "inconnu@mairie-exemple.fr", message)
            transport.send(SENDER.address, "agent3@mairie-exemple.fr", message)
    finally:
        controller.stop()
    assert not refused.value.temporary and "550 5.1.1" in str(refused.value)
    # MAIL, RCPT and DATA went in one write, the message and its end after "354".
    assert writes[0] == (f"MAIL FROM:<{SENDER.address}>\r\nRCPT TO:<agent2@mairie-exemple.fr>\r\nDATA\r\n")
    assert [rcpt for rcpt, _ in inbox.messages] == [f"agent{n}@mairie-exemple.fr" for n in (1, 2, 3)]
    assert all(data.replace(b"\r\n", b"\n").endswith(b"\n.ligne qui commence par un point\n..et deux\nfin\n")
               for _, data in inbox.messages)  # dot-stuffed on the way, whole on arrival
