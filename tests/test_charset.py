"""Undeclared encodings: French in UTF-8, Latin-1/9 or windows-1252 is read, anything else is flagged."""
import re

import pytest

from veille.charset import declares_encoding, uncertain_encoding

FRENCH = "Arrêté préfectoral du 3 décembre relatif à la sûreté des établissements « très haut débit » : 40 000 €, œuvre"
XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\bencoding\s*=")


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "iso-8859-15"])
def test_french_reads_surely(encoding):
    assert not uncertain_encoding(FRENCH.encode(encoding))


def test_latin_1_french_reads_surely():
    assert not uncertain_encoding(FRENCH.replace("€", "euros").replace("œ", "oe").encode("iso-8859-1"))


@pytest.mark.parametrize("encoding, text", [
    ("koi8-r", "Постановление правительства о местном самоуправлении"),
    ("euc-jp", "地方自治体の規制に関するお知らせ"),
    ("shift-jis", "地方自治体の規制に関するお知らせ"),
    ("cp1255", "הודעה על תקנות השלטון המקומי"),
    ("cp1251", "Постановление правительства"),
])
def test_other_legacy_encodings_are_uncertain(encoding, text):
    assert uncertain_encoding(f"<title>{text}</title>".encode(encoding))


def test_a_few_foreign_letters_in_french_text_are_fine():
    assert not uncertain_encoding(f"{FRENCH} — entretien avec José Muñoz et Jürgen Weiß".encode("cp1252"))


def test_what_counts_as_a_declaration():
    body = b"<rss/>"
    assert not declares_encoding(body, "application/rss+xml", XML_DECLARATION)
    assert declares_encoding(body, "application/rss+xml; charset=koi8-r", XML_DECLARATION)
    assert declares_encoding(b'<?xml version="1.0" encoding="koi8-r"?>' + body, "", XML_DECLARATION)
    assert not declares_encoding(b'<?xml version="1.0"?>' + body, "", XML_DECLARATION)
    assert declares_encoding(b"\xef\xbb\xbf" + body, None, XML_DECLARATION)
