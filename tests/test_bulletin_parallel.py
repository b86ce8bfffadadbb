"""Several SMTP connections at once (VEILLE_SMTP_CONNECTIONS), against a real aiosmtpd server:
every message delivered exactly once, each copy carrying its own reader's address and links, and
a server that goes away in the middle loses nothing."""
import re
import threading
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from tests.test_bulletin_build import factory_of, week  # noqa: F401  (fixture)
from tests.test_bulletin_mail import SmtpSink
from veille.bulletins import subscribers
from veille.bulletins.editions import content_of, find
from veille.bulletins.mail import SmtpConfig, Transports
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
