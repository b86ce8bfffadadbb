"""Shared bodies: readers of the same rubriques share one rendered body, and every copy still
reads exactly as if it had been rendered for its reader alone (their address, their unsubscribe
links, nobody else's)."""
import binascii
import re
from datetime import date, datetime, timezone
from email import message_from_bytes, policy
from types import SimpleNamespace

import pytest
from hypothesis import given, settings, strategies as st

from tests.test_bulletin_build import week  # noqa: F401  (fixture)
from veille.bulletins.copies import quoted_printable
from veille.bulletins.editions import content_of, find
from veille.bulletins.message import Sender, composer
from veille.bulletins.render import Links, Reader, email_html, email_text, reading

LINKS = Links("https://veille.test")
SENDER = Sender("Veille", "bulletin@veille.test")


def edition(env, kind):
    with env.session() as session:
        return content_of(find(session, kind, date(2017, 3, 29)))


def row(n: int, email: str):
    return SimpleNamespace(id=n, email=email)


def subscriber(topics, token):
    return SimpleNamespace(topics=topics, token=token, from_site=False, user_id=None)  # added by the CLI: the full bulletin


def parts(data: bytes):
    message = message_from_bytes(data, policy=policy.default)
    text, html = (part.get_content().replace("\r\n", "\n") for part in message.iter_parts())
    return message, text, html


READERS = [  # (address, rubriques, token)
    ("agent@mairie-exemple.fr", ["elections"], "jeton-agent"),
    ("o'brien&co@mairie-exemple.fr", ["elections"], "jeton-o-brien"),  # same rubriques as agent
    ("elu.tres.long.prenom.nom.de.famille@communaute-de-communes-exemple.fr", [], "jeton_elu~1"),
    ("dsi@mairie-exemple.fr", ["tic-reseaux-telephonie", "elections"], "jeton-dsi"),
    ("bruno@mairie-exemple.fr", ["elections"], "jeton-bruno"),  # as long as agent's: the same wrapping
    ("?agent!@mairie-exemple.fr", ["elections"], "jeton-point"),  # French spacing would act on « ? »
    ("secretariat.general.des.services.techniques.et.urbanisme@agglomeration-exemple.fr", ["elections"],
     "jeton-long"),  # longer than a line
]


@pytest.mark.parametrize("kind", ["daily", "weekly"])
def test_each_copy_reads_as_if_rendered_for_its_reader_alone(week, kind):
    content = edition(week, kind)
    assert {"elections", "tic-reseaux-telephonie"} <= {t for i in content.items for t in i.topics}
    compose = composer(content, SENDER, LINKS)
    for n, (address, topics, token) in enumerate(READERS, start=1):
        data = compose(row(n, address), subscriber(topics, token))
        assert not re.search(rb"(^|\n)\.", data)  # SMTP's DATA sends it as it is (no dot-stuffing)
        message, text, html = parts(data)
        view = reading(content, Reader(address, tuple(topics), token))
        assert text == email_text(view, LINKS, "Veille")
        assert html.rstrip("\n") == email_html(view, LINKS, "Veille").rstrip("\n")
        assert message["To"] == address and message["From"] == "Veille <bulletin@veille.test>"
        assert message["Subject"] == f"Veille – {content.title}"
        assert message["Message-ID"] == f"<veille.{kind}.{content.day:%Y%m%d}.{n}@veille.test>"
        assert f"<https://veille.test/desabonnement/{token}>" in message["List-Unsubscribe"]
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The first two readers follow the same rubriques: one body for both; four readers, three bodies.
    assert compose.copies.rendered == 3


def test_no_reader_sees_another_readers_address_or_link(week):
    content = edition(week, "daily")
    compose = composer(content, SENDER, LINKS)
    readers = [(f"agent{n}@mairie{n}.fr", f"secret{n:03d}") for n in range(30)]
    for n, (address, token) in enumerate(readers):
        data = compose(row(n, address), subscriber(["elections"], token))
        message, text, html = parts(data)
        for other, other_token in readers:
            mine = other == address
            assert (other in text) == mine and (other in html.replace("&amp;", "&")) == mine
            assert (other_token in text) == mine and (other_token in html) == mine
            assert (other_token in str(message["List-Unsubscribe"])) == mine
        assert b"c0d1e7" not in data  # no placeholder left
    assert compose.copies.rendered == 1


def test_an_address_that_cannot_be_a_header_is_refused(week):
    from veille.bulletins.subscribers import AddressError

    compose = composer(edition(week, "daily"), SENDER, LINKS)
    with pytest.raises(AddressError):
        compose(row(1, "agent@mairie.fr\r\nBcc: x@y.fr"), subscriber([], "jeton"))


def test_the_date_header_is_when_the_copy_is_made(week):
    compose = composer(edition(week, "daily"), SENDER, LINKS)
    before = datetime.now(timezone.utc).replace(microsecond=0)
    message, _, _ = parts(compose(row(1, "agent@mairie-exemple.fr"), subscriber([], "jeton")))
    assert before <= message["Date"].datetime <= datetime.now(timezone.utc)


@settings(deadline=None, max_examples=400)
@given(st.lists(st.text(alphabet=st.sampled_from(".....aé=  \t\n"), max_size=300), min_size=1, max_size=3))
def test_quoted_printable_never_starts_a_line_with_a_dot(texts):
    """So that a message goes through SMTP's DATA as it is; its text is unchanged, lines stay within
    76 characters when the encoder's own do, and texts encoded apart join as encoded together."""
    text = "\n".join(texts) + "\n"
    encoded = quoted_printable(text)
    lines = encoded.split(b"\r\n")
    assert lines[-1] == b"" and not any(line.startswith(b".") for line in lines)
    assert binascii.a2b_qp(encoded).decode("utf-8") == text.replace("\n", "\r\n")
    plain = binascii.b2a_qp(text.replace("\n", "\r\n").encode("utf-8"), istext=True)
    assert max(map(len, lines)) <= max(76, *map(len, plain.split(b"\r\n")))
    assert b"".join(quoted_printable(part + "\n") for part in texts) == encoded
