"""Sending: a real SMTP server (aiosmtpd) on 127.0.0.1 receives the bulletins, which are parsed
back; then the failures: 451 and 550 for one recipient, the server down, DATA 421, a broken
configuration, hostile addresses and titles, and a sender killed in the middle of a run."""
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from tests import databases
from tests.livesite import free_port, self_signed
from tests.test_bulletin_build import REPO_ROOT, factory_of, week  # noqa: F401  (fixture)
from veille.bulletins.editions import content_of, find
from veille.bulletins.models import FAILED, PENDING, SENDING, SENT, SKIPPED, OutboxMessage, Subscriber
from veille.bulletins import workers as workers_module
from veille.bulletins.outbox import Policy, deliver, enqueue
from veille.bulletins.subscribers import receiving


class Inbox:
    """An aiosmtpd handler that keeps what it receives and answers what a test scripts:
    `rcpt[address]` and `data` are lists of replies given once each, in order, before accepting."""

    def __init__(self):
        self.messages: list[tuple[str, bytes]] = []
        self.rcpt: dict[str, list[str]] = {}
        self.data: list[str] = []
        self.on_message = None  # called with the count after each message is kept, before "250"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        scripted = self.rcpt.get(address)
        if scripted:
            return scripted.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data:
            return self.data.pop(0)
        for address in envelope.rcpt_tos:
            self.messages.append((address, envelope.content))
        if self.on_message:
            self.on_message(len(self.messages))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [message_from_bytes(data, policy=policy.default) for rcpt, data in self.messages if rcpt == address]


class SmtpSink:
    def __init__(self, port: int | None = None, **options):
        self.inbox = Inbox()
        self.port = port or free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **options)

    def __enter__(self) -> "SmtpSink":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


AGENT, ELU, DSI, FORETS = "agent@mairie-exemple.fr", "elu@mairie-exemple.fr", "dsi@mairie-exemple.fr", "forets@onf-exemple.fr"


@pytest.fixture
def sink(week, monkeypatch):
    with SmtpSink() as running:
        monkeypatch.setenv("VEILLE_SMTP_URL", running.url)
        monkeypatch.setenv("VEILLE_SMTP_RETRY_PERIOD", "2s")
        yield running


def cli(env, *args):
    """The CLI's result with its no-break spaces (French typography) read as spaces."""
    result = env.cli(*args)
    result.out, result.err = result.out.replace("\xa0", " "), result.err.replace("\xa0", " ")
    return result


def subscribe(env, *specs) -> None:
    for spec in specs:
        result = cli(env, "subscribers", "add", *spec)
        assert result.code == 0, result.err


def send(env, kind="daily", day="2017-03-29"):
    return cli(env, "bulletin", "send", kind, "--date", day)


def outbox(env) -> dict[str, OutboxMessage]:
    with env.session() as session:
        return {row.email: row for row in session.scalars(select(OutboxMessage))}


# --- What arrives --------------------------------------------------------------------------

def test_each_subscriber_gets_their_bulletin_once(week, sink):
    subscribe(week, (AGENT, "--topics", "elections,commande-publique"), (ELU, "--frequency", "both"),
              (DSI, "--topics", "tic-reseaux-telephonie", "--frequency", "weekly"))
    result = send(week)
    assert result.code == 0, result.err
    assert "2 envoyés, 0 ignoré (rien de nouveau), 0 en échec, 0 en attente." in result.out
    assert sink.inbox.to(DSI) == []  # weekly only

    [message] = sink.inbox.to(AGENT)
    assert message["Subject"] == "Veille – L'actualité du mercredi 29 mars 2017"
    assert "=?utf-8?" in message.as_string().split("\n\n")[0].lower()  # the subject went out encoded
    assert message["From"] == "Veille <bulletin@veille.test>" and message["To"] == AGENT
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert re.fullmatch(r"<veille\.daily\.20170329\.\d+@veille\.test>", message["Message-ID"])
    with week.session() as session:
        token = session.scalar(select(Subscriber.token).where(Subscriber.email == AGENT))
    assert message["List-Unsubscribe"] == (f"<https://veille.test/desabonnement/{token}>, "
                                           f"<mailto:bulletin@veille.test?subject=d%C3%A9sabonnement%20{token}>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    raw = sink.inbox.messages[[rcpt for rcpt, _ in sink.inbox.messages].index(AGENT)][1].decode("ascii")
    assert f"\r\nList-Unsubscribe: <https://veille.test/desabonnement/{token}>,\r\n <mailto:" in raw  # no encoded-word
    assert message.get_content_type() == "multipart/alternative"
    text_part, html_part = message.iter_parts()
    assert (text_part.get_content_type(), html_part.get_content_type()) == ("text/plain", "text/html")
    text, html = text_part.get_content().replace("\r\n", "\n"), html_part.get_content()

    for body in (text, html):  # only the agent's rubriques, French intact
        assert "Répertoire électoral unique" in body and "Délais de paiement des marchés publics" in body
        assert "Aides aux communes forestières" not in body and "Dotation globale" not in body
        assert "RÉPONSES MINISTÉRIELLES" in body.upper() and "Aucun autre texte ayant retenu notre attention." in body
        assert "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000034300001" in body
        assert f"https://veille.test/desabonnement/{token}" in body
    assert "4 textes retenus dans vos rubriques." in text.replace("\xa0", " ")
    assert "Entrée en vigueur\xa0: 1er juillet 2017" in text
    assert "rubriques\xa0: Élections, Commande publique - Marchés publics." in re.sub(r"[ \n]+", " ", text)
    assert all(len(line) <= 72 for line in text.splitlines() if not re.match(r"\[\d+\] https?://", line))
    assert "&lt;script&gt;alert(1)" in html and "<script>" not in html
    assert 'style="' in html and "<style>" in html  # CSS inlined, media queries kept for phones
    assert "javascript:" not in html and "javascript:" not in text
    for link in re.findall(r'href="([^"]+)"', html):
        assert link.startswith("https://"), link

    [full] = sink.inbox.to(ELU)  # every rubrique, items without one included
    assert "Aides aux communes forestières" in full.get_body(("plain",)).get_content()
    assert "Autres textes" in full.get_body(("html",)).get_content()
    assert "Bcc" not in full and "Bcc" not in sink.inbox.messages[0][1].split(b"\r\n\r\n")[0].decode()

    again = send(week)  # nothing is sent twice
    assert again.code == 0 and "2 envoyés" in again.out and len(sink.inbox.messages) == 2


def test_nothing_new_means_no_daily_email_but_a_quiet_weekly_recap(week, sink, monkeypatch):
    subscribe(week, (FORETS, "--topics", "forets", "--frequency", "both"))
    assert "1 ignoré (rien de nouveau)" in send(week, day="2017-03-30").out  # only FCTVA arrived
    assert sink.inbox.messages == []
    assert (outbox(week)[FORETS].state, outbox(week)[FORETS].last_error) == (SKIPPED, "rien de nouveau dans ses rubriques")

    result = send(week, "weekly", "2017-04-06")  # quiet week: still sent, and says so
    assert result.code == 0 and "1 envoyé" in result.out
    [recap] = sink.inbox.to(FORETS)
    assert recap["Subject"] == "Veille – Récapitulatif de la semaine du 3 au 9 avril 2017"
    assert "Semaine calme\xa0: aucun nouveau texte dans vos rubriques cette semaine." in recap.get_body(("plain",)).get_content()

    monkeypatch.setenv("VEILLE_DAILY_WHEN_EMPTY", "send")
    subscribe(week, ("autre@onf-exemple.fr", "--topics", "forets"))
    assert "1 envoyé, 0 ignoré" in send(week, day="2017-03-30").out  # this run: the other was skipped before


def test_weekly_recap_by_rubrique(week, sink):
    subscribe(week, (DSI, "--topics", "tic-reseaux-telephonie,finances-locales", "--frequency", "weekly"))
    assert send(week, "weekly", "2017-03-29").code == 0
    [recap] = sink.inbox.to(DSI)
    assert recap["Subject"] == "Veille – Récapitulatif de la semaine du 27 mars au 2 avril 2017"
    text = recap.get_body(("plain",)).get_content()
    assert "Finances locales - Dotations (3)" in text and "TIC - Réseaux - Téléphonie (2)" in text
    assert text.index("Finances locales") < text.index("TIC - Réseaux")
    assert "5 textes cette semaine dans vos rubriques." in text.replace("\xa0", " ")


# --- Failures ----------------------------------------------------------------------------

def test_451_is_retried_and_550_bounces(week, sink, monkeypatch):
    monkeypatch.setenv("VEILLE_BOUNCE_LIMIT", "1")
    subscribe(week, (AGENT,), (ELU,), (DSI,))
    sink.inbox.rcpt[AGENT] = ["451 4.7.1 Greylisted, try again later", "451 4.7.1 Greylisted, try again later"]
    sink.inbox.rcpt[ELU] = ["550 5.1.1 <elu@mairie-exemple.fr>: Recipient address rejected: User unknown"]
    result = send(week)
    assert result.code == 0, result.err
    assert "2 envoyés, 0 ignoré (rien de nouveau), 1 en échec, 0 en attente." in result.out
    assert "échec : elu@mairie-exemple.fr : destinataire refusé (550 5.1.1" in result.err
    rows = outbox(week)
    assert (rows[AGENT].state, rows[AGENT].attempts) == (SENT, 2) and len(sink.inbox.to(AGENT)) == 1
    assert (rows[ELU].state, rows[ELU].attempts) == (FAILED, 1) and sink.inbox.to(ELU) == []  # a bounce is one try
    listing = cli(week, "subscribers", "list").out
    assert re.search(r"elu@mairie-exemple\.fr .* désactivé le \d\d/\d\d/\d{4} \(1 rejet définitif", listing)
    assert "actif" in listing.split(AGENT)[1].splitlines()[0]
    assert "2 envoyés" in send(week, day="2017-03-30").out
    assert sorted(rcpt for rcpt, _ in sink.inbox.messages) == [AGENT, AGENT, DSI, DSI]


def test_temporary_refusals_are_said_with_their_count_and_reason(week, sink):
    """A message refused for now waits for its next try: the command says how many wait, and why."""
    subscribe(week, (AGENT,), (ELU,), (DSI,))
    greylisted = "451 4.7.1 Greylisted, try again later"
    full = "452 4.2.2 Mailbox full"
    sink.inbox.rcpt[AGENT] = [full]
    sink.inbox.rcpt[ELU] = [full]
    sink.inbox.rcpt[DSI] = [greylisted]
    result = send(week)
    assert result.code == 0 and "3 envoyés" in result.out, result.err
    said = re.findall(r"^(\d+ messages? différés?) : « (.*) » ; nouvel essai à \d\d:\d\d:\d\d\.$", result.err, re.M)
    assert said == [("2 messages différés", f"destinataire refusé ({full})"),  # the reason most wait for first
                    ("1 message différé", f"destinataire refusé ({greylisted})")], result.err


def test_a_delivery_resets_the_bounce_count(week, sink, monkeypatch):
    """The README: `VEILLE_BOUNCE_LIMIT` bounces *in a row* disable an address."""
    monkeypatch.setenv("VEILLE_BOUNCE_LIMIT", "2")
    subscribe(week, (AGENT,))

    def bounces() -> int:
        with week.session() as session:
            return session.scalar(select(Subscriber.bounces).where(Subscriber.email == AGENT))

    sink.inbox.rcpt[AGENT] = ["550 5.2.1 Mailbox disabled"]
    assert "1 en échec" in send(week, day="2017-03-28").out and bounces() == 1
    assert "1 envoyé" in send(week, day="2017-03-29").out and bounces() == 0
    sink.inbox.rcpt[AGENT] = ["550 5.2.1 Mailbox disabled"]
    assert "1 en échec" in send(week, day="2017-03-30").out and bounces() == 1
    # Two bounces in all, never two in a row: the address is still active.
    assert "actif" in cli(week, "subscribers", "list").out.split(AGENT)[1].splitlines()[0]


def test_temporary_failure_until_the_retry_period_ends(week, sink, monkeypatch):
    monkeypatch.setenv("VEILLE_SMTP_RETRY_PERIOD", "1s")
    subscribe(week, (AGENT,))
    sink.inbox.rcpt[AGENT] = ["452 4.2.2 Mailbox full"] * 100
    result = send(week)
    assert "0 envoyé, 0 ignoré (rien de nouveau), 1 en échec" in result.out
    assert re.search(r"Mailbox full\) ; abandon après \d+ essais", result.err)
    with week.session() as session:
        assert session.scalar(select(Subscriber.bounces).where(Subscriber.email == AGENT)) == 0


def test_data_421_is_retried_on_a_new_connection(week, sink):
    subscribe(week, (AGENT,), (ELU,))
    sink.inbox.data = ["421 4.3.2 Service shutting down"]
    result = send(week)
    assert "2 envoyés" in result.out and "0 en attente" in result.out, result.err
    assert len(sink.inbox.to(AGENT)) == len(sink.inbox.to(ELU)) == 1
    # Both go at once on their own connections: whichever met the 421 was tried once more.
    assert sorted(row.attempts for row in outbox(week).values()) == [0, 1]


def test_server_down_keeps_everything_pending_for_the_next_run(week, monkeypatch):
    port = free_port()
    monkeypatch.setenv("VEILLE_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("VEILLE_SMTP_RETRY_PERIOD", "1s")
    subscribe(week, (AGENT,), (ELU,))
    down = send(week)
    assert down.code == 1 and "0 envoyé, 0 ignoré (rien de nouveau), 0 en échec, 2 en attente." in down.out
    assert f"serveur SMTP injoignable (smtp://127.0.0.1:{port}) : connexion refusée" in down.err
    assert "Traceback" not in down.err
    assert {row.state for row in outbox(week).values()} == {PENDING}
    with SmtpSink(port) as back:
        up = send(week)
        assert up.code == 0 and "2 envoyés" in up.out and len(back.inbox.messages) == 2


@pytest.mark.parametrize("url, message", [
    ("http://127.0.0.1:25", "VEILLE_SMTP_URL : adresse invalide « http://127.0.0.1:25 »"),
    ("smtp://jean:s3cret@127.0.0.1:99999", "VEILLE_SMTP_URL : adresse invalide « smtp://jean:***@127.0.0.1:99999 »"),
    ("smtp://127.0.0.1:25?starttls=peut-être", "VEILLE_SMTP_URL : options invalides"),
    ("smtp://127.0.0.1:25?timeout=²", "VEILLE_SMTP_URL : options invalides"),  # "²".isdigit(), float("²") fails
    ("smtp://127.0.0.1:25?timeout=٣٠", "VEILLE_SMTP_URL : options invalides"),  # float() reads Arabic-Indic 30
    ("smtp://127.0.0.1:²5", "VEILLE_SMTP_URL : adresse invalide"),
    ("smtps://127.0.0.1?starttls=true", "smtps:// chiffre déjà la connexion"),
    ("smtp://jean:mot-de-passe-accentu%C3%A9@127.0.0.1", "l'identifiant et le mot de passe doivent être en ASCII"),
])
def test_invalid_smtp_url_is_a_clear_error(week, monkeypatch, url, message):
    monkeypatch.setenv("VEILLE_SMTP_URL", url)
    subscribe(week, (AGENT,))
    result = send(week)
    assert result.code == 2 and message in result.err and "Traceback" not in result.err
    assert "s3cret" not in result.err


@pytest.mark.parametrize("url, message", [
    ("smtps://127.0.0.1:{port}", "échec de la négociation TLS"),  # a plain server on that port
    ("smtp://127.0.0.1:{port}?starttls=true", "le serveur ne propose pas STARTTLS"),
    ("smtp://jean:s3cret@127.0.0.1:{port}", "le serveur ne propose pas l'authentification"),
])
def test_tls_or_login_impossible_stops_the_run_and_loses_nothing(week, sink, monkeypatch, url, message):
    monkeypatch.setenv("VEILLE_SMTP_URL", url.format(port=sink.port))
    subscribe(week, (AGENT,))
    result = send(week)
    assert result.code == 1 and message in result.err and "Traceback" not in result.err
    assert "Les messages restent en attente : corrigez VEILLE_SMTP_URL" in result.err and "s3cret" not in result.err
    assert outbox(week)[AGENT].state == PENDING
    monkeypatch.setenv("VEILLE_SMTP_URL", sink.url)
    assert "1 envoyé" in send(week).out


def test_base_url_must_be_https_to_send(week, sink, monkeypatch):
    monkeypatch.setenv("VEILLE_BASE_URL", "http://veille.test")
    subscribe(week, (AGENT,))
    result = send(week)
    assert result.code == 2 and "VEILLE_BASE_URL" in result.err and "https" in result.err


@pytest.mark.parametrize("address", ["agent@mairie.fr\r\nBcc: pirate@exemple.com", "agent@mairie.fr\nX-Pirate: 1",
                                     "Agent <agent@mairie.fr>", "agent@@mairie.fr", "agent@mairie"])
def test_hostile_address_is_refused_with_a_french_error(week, address):
    result = cli(week, "subscribers", "add", address)
    assert result.code == 2 and "adresse électronique invalide" in result.err and "Traceback" not in result.err
    assert "\n" not in result.err.strip()  # the CR/LF is shown escaped, never printed raw


def test_hostile_address_already_in_the_database_fails_without_injecting(week, sink):
    subscribe(week, (AGENT,), (ELU,))
    with week.session() as session, session.begin():  # written by something other than the CLI
        subscriber = session.scalar(select(Subscriber).where(Subscriber.email == ELU))
        subscriber.email = "elu@mairie-exemple.fr\r\nBcc: pirate@exemple.com"
    result = send(week)
    assert "1 envoyé, 0 ignoré (rien de nouveau), 1 en échec" in result.out
    assert "retour à la ligne" in result.err and "Traceback" not in result.err
    assert [rcpt for rcpt, _ in sink.inbox.messages] == [AGENT]
    headers = sink.inbox.messages[0][1].split(b"\r\n\r\n")[0]
    assert b"pirate" not in headers and b"Bcc" not in headers


def test_rebuild_refused_once_sent(week, sink):
    subscribe(week, (AGENT,))
    send(week)
    result = cli(week, "bulletin", "build", "daily", "--date", "2017-03-29", "--rebuild")
    assert result.code == 2 and "a déjà été envoyée à 1 abonné :" in result.err


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl absent : pas de certificat de test")
def test_starttls_and_login(week, tmp_path, monkeypatch):
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"mot de passe:%@", handled=False)

    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts this test certificate only
    monkeypatch.setenv("VEILLE_SMTP_RETRY_PERIOD", "1s")
    with SmtpSink(tls_context=context, require_starttls=True, authenticator=authenticator, auth_required=True) as secure:
        monkeypatch.setenv("VEILLE_SMTP_URL", f"smtp://jean%40mairie:mot%20de%20passe%3A%25%40@127.0.0.1:{secure.port}"
                                              "?starttls=true&timeout=10")
        subscribe(week, (AGENT,))
        result = send(week)
        assert result.code == 0 and "1 envoyé" in result.out, result.err
        assert logins == [(b"jean@mairie", b"mot de passe:%@")] and len(secure.inbox.messages) == 1
        monkeypatch.setenv("VEILLE_SMTP_URL", f"smtp://jean:faux@127.0.0.1:{secure.port}?starttls=true&timeout=10")
        refused = send(week, day="2017-03-30")
        assert refused.code == 1 and "identifiants refusés (535" in refused.err and "faux" not in refused.err


# --- Crash and restart -------------------------------------------------------------------

def test_sender_killed_mid_run_resumes_without_skipping_or_resending(week, sink):
    addresses = [f"agent{n}@mairie-exemple.fr" for n in range(1, 7)]
    subscribe(week, *[(address,) for address in addresses])
    process = subprocess.Popen([sys.executable, "-m", "veille.cli", "bulletin", "send", "daily", "--date", "2017-03-29"],
                               cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # The third message reaches the server, and the sender dies before it hears "250": in flight.
    sink.inbox.on_message = lambda count: count == 3 and os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    states = {row.email: row.state for row in outbox(week).values()}
    received_before = {address: len(sink.inbox.to(address)) for address in addresses}
    in_flight = [address for address, state in states.items() if state == SENDING]
    if databases.POSTGRESQL:  # the claimed rows were locked, "sending" uncommitted: pending again
        assert set(states.values()) <= {PENDING, SENT} and PENDING in states.values()
    else:  # claimed rows are "sending" before any SMTP transaction starts; only written results say "sent"
        assert set(states.values()) <= {PENDING, SENDING, SENT} and SENDING in states.values()
        assert all(received_before[address] == 0 for address, state in states.items() if state == PENDING)

    sink.inbox.on_message = None
    result = send(week)
    assert result.code == 0, result.err
    if not databases.POSTGRESQL:
        assert f"Reprise : {len(in_flight)} message{'s' if len(in_flight) > 1 else ''} en cours d'envoi" in result.out
    received = {address: len(sink.inbox.to(address)) for address in addresses}
    # Nobody is skipped; only a message in flight can arrive twice, and never a "sent" one.
    assert received == {address: received_before[address] + (states[address] != SENT) for address in addresses}
    assert all(received.values())
    for address in addresses:
        if received[address] == 2:
            first, second = sink.inbox.to(address)
            assert first["Message-ID"] == second["Message-ID"]  # the duplicate is recognisable as one


# --- Pacing --------------------------------------------------------------------------------

def test_rate_paces_the_messages(week, monkeypatch):
    subscribe(week, *[(f"agent{n}@mairie-exemple.fr",) for n in range(4)])
    factory = factory_of(week)
    with factory() as session, session.begin():
        edition = find(session, "daily", date(2017, 3, 29))
        enqueue(session, edition, content_of(edition), receiving(session, "daily"), False, datetime.now(timezone.utc))
    # A virtual clock that only the pauses move: the figures do not depend on the machine's load.
    elapsed, sent, pauses = [0.0], [], []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        elapsed[0] += seconds

    monkeypatch.setattr(workers_module, "time", SimpleNamespace(monotonic=lambda: elapsed[0]))
    summary = deliver(factory, edition.id, lambda row, subscriber: row.email.encode(),
                      lambda to, data: sent.append((to, elapsed[0])),
                      Policy(rate=5, retry_period=timedelta(minutes=1), bounce_limit=3),
                      lambda: datetime.now(timezone.utc), sleep=pause)
    assert summary.sent == 4
    # 5 a second: the first goes at once, each next one 0.2 s after the one before.
    assert pauses == pytest.approx([0.2, 0.2, 0.2])
    assert [at for _, at in sent] == pytest.approx([0.0, 0.2, 0.4, 0.6])


def test_subscriber_chooses_the_work_address(week, sink):
    work = "secretariat@mairie-exemple.fr"
    subscribe(week, (AGENT, "--work-email", work, "--deliver-to", "work"))
    assert send(week).code == 0
    assert sink.inbox.to(AGENT) == [] and len(sink.inbox.to(work)) == 1
    back = cli(week, "subscribers", "add", AGENT, "--deliver-to", "personal")
    assert back.code == 0 and "professionnelle" not in back.out
    refused = cli(week, "subscribers", "add", ELU, "--deliver-to", "work")
    assert refused.code == 2 and "sans adresse professionnelle" in refused.err
