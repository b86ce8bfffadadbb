"""The RSS/Atom parser on hand-made fixtures (real formats) and on the shared real samples."""
from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import SAMPLES, fixture_bytes, needs_samples
from veille.catalog import Source
from veille.entry import ParseError
from veille.ingest import normalise
from veille.sources.feed import parse

SOURCE = Source(id="test", name="Test", kind="rss", url="https://exemple.gouv.fr/flux",
                category="actualite", topics=(), interval=timedelta(hours=1))
JO = Source(id="jo", name="JO", kind="atom", url="https://exemple.gouv.fr/flux",
            category="journal-officiel", topics=(), interval=timedelta(hours=1))
UTC = timezone.utc


def read(name: str, content_type: str = "application/rss+xml", source: Source = SOURCE):
    return parse(fixture_bytes(name), "https://exemple.gouv.fr/flux", content_type, source)


def test_rss2_titles_dates_links_and_ids():
    result = read("dgcl_rss2_utf8.xml")
    titles = [e.title for e in result.entries]
    assert titles[0] == "Dotation globale de fonctionnement : montants 2017 mis en ligne"
    assert titles[1] == "Élections municipales : l’état civil des candidats & le répertoire électoral unique"
    assert titles[2] == "Fibre optique : appel à projets « très haut débit »"
    first = result.entries[0]
    assert first.published == datetime(2017, 3, 29, 4, 30, tzinfo=UTC)
    assert first.nor is None  # news that cites a NOR (see test_crawl: links) has none of its own
    assert first.tags == ("Finances locales",)
    assert len({e.key for e in result.entries}) == 3


def test_atom_relative_links_and_html_titles():
    result = read("dgtresor_atom.xml", "application/atom+xml")
    first, second = result.entries
    assert first.title == "Marchés publics : relèvement du seuil de dispense de procédure à 25 000 €"
    assert first.url == "https://www.tresor.economie.gouv.fr/Articles/2017/03/29/seuils-marches-publics"
    assert first.published == datetime(2017, 3, 29, 5, 45, tzinfo=UTC)
    assert second.published == datetime(2017, 3, 28, 16, 0, tzinfo=UTC)
    assert "0,4 %" in second.content_html


def test_atom_with_empty_namespace_and_go_dates():
    result = read("legifrss_like_atom_empty_ns.xml", "application/xml", source=JO)
    (entry,) = result.entries
    assert entry.jorf_id == "JORFTEXT000042999001"
    assert entry.nor == "TERB2034567D"
    assert entry.nature == "DÉCRET"
    assert entry.published == datetime(2021, 1, 3, 0, 0, tzinfo=UTC)
    assert entry.ministry.startswith("Ministère de la cohésion des territoires")


def test_bare_jorftext_titles_take_the_description_and_the_channel_date():
    result = read("jorf_rss2_no_guid_no_date.xml", source=JO)
    first = result.entries[0]
    assert first.title == "Arrêté du 3 décembre 2020 relatif à l'organisation des concours de la fonction publique territoriale"
    assert first.jorf_id == "JORFTEXT000042607001"
    assert first.nature == "ARRÊTÉ"
    assert first.published == datetime(2020, 12, 5, 21, 5, 9, tzinfo=UTC)
    assert result.entries[1].nature == "DÉCRET"


@pytest.mark.parametrize("name, content_type", [
    ("senat_rss2_latin1_no_declaration.xml", "application/rss+xml; charset=iso-8859-1"),
    ("senat_rss2_latin1_no_declaration.xml", "application/rss+xml"),
    ("senat_rss2_iso-8859-15.xml", "text/xml"),
    ("senat_rss2_declared-latin1_sent-utf8.xml", "text/xml"),
    ("senat_rss2_declared-latin1_sent-utf8.xml", "text/xml; charset=iso-8859-1"),
])
def test_encodings_come_out_right(name, content_type):
    (entry,) = read(name, content_type).entries
    assert entry.title == "Proposition de loi visant à améliorer l'accès des élus locaux à la formation"
    assert "« formation des élus »" in entry.content_html


def test_iso_8859_15_specific_characters():
    (entry,) = read("senat_rss2_iso-8859-15.xml", "text/xml").entries
    assert "15 € par élu ; cœur de la réforme" in entry.content_html


def test_empty_channel_is_not_an_error():
    result = read("an_rss2_empty_channel.xml")
    assert result.entries == [] and result.warnings == []


@pytest.mark.parametrize("name, message", [
    ("xxe.xml", "entités XML"),
    ("billion_laughs.xml", "entités XML"),
    ("garbage.xml", "flux illisible"),
    ("not_a_feed.html", "flux illisible : ligne 2, colonne 68 : mismatched tag"),
])
def test_hostile_or_wrong_documents_raise_a_clear_error(name, message):
    with pytest.raises(ParseError, match=message):
        read(name)


@pytest.mark.parametrize("content, message", [
    (b"", "document vide"),
    (b"  \n\t", "document vide"),
    (b'<?xml version="1.0" encoding="utf-8"?><note><to>Mairie</to></note>',
     "le document n'est pas un flux RSS ou Atom"),
])
def test_an_empty_or_foreign_document_is_named_for_what_it_is(content, message):
    with pytest.raises(ParseError, match=message):
        parse(content, "https://exemple.gouv.fr/flux", "application/rss+xml", SOURCE)


def test_malformed_feed_is_read_leniently_with_a_warning():
    result = read("malformed.xml")
    assert result.warnings and "mal formé" in result.warnings[0]


# The real samples (../shared/samples/rss), with the quirks SOURCES.md describes.

@needs_samples
def test_sample_legifrss_rss2_109_items_without_guid_or_date():
    content = (SAMPLES / "rss" / "legifrss_rss2_jorf_2020-12-05.xml").read_bytes()
    result = parse(content, "https://legifrss.org/latest", "application/rss+xml", JO)
    assert len(result.entries) == 109
    assert len({e.key for e in result.entries}) == 109
    assert all(not e.title.startswith("JORFTEXT") for e in result.entries)
    assert all(e.jorf_id and e.jorf_id.startswith("JORFTEXT") for e in result.entries)
    assert all(e.published == datetime(2020, 12, 5, 21, 5, 9, tzinfo=UTC) for e in result.entries)
    assert any("l'" in e.title for e in result.entries)  # &#39; decoded


@needs_samples
def test_sample_legifrss_atomlike_decret():
    content = (SAMPLES / "rss" / "legifrss_atomlike_DECRET_cohesion-territoires-collectivites_2020-12.xml").read_bytes()
    result = parse(content, "https://legifrss.org/latest", "application/xml", JO)
    titles = [e.title for e in result.entries]
    assert any(t.startswith("Décret n° 2020-1622 du 18 décembre 2020") for t in titles)
    decree = next(e for e in result.entries if "2020-1622" in e.title)
    assert decree.published == datetime(2020, 12, 20, 0, 0, tzinfo=UTC)  # "2020-12-20 01:00:00 +0100 CET"
    assert all(e.jorf_id for e in result.entries)


@needs_samples
def test_sample_latin1_without_declaration():
    content = (SAMPLES / "rss" / "miniflux_testdata_french_rss2_iso-8859-1_no-xml-declaration_2018.xml").read_bytes()
    result = parse(content, "https://le-cercle-psy.scienceshumaines.com/rss", "application/rss+xml", SOURCE)
    assert len(result.entries) == 9 and result.skipped == {"ni titre, ni lien, ni identifiant": 1}  # one is empty
    titles = [e.title for e in result.entries]
    assert "Masters en Psycho : une simplification… très complexe" in titles
    assert all("Ã" not in t for t in titles)
    assert all(e.published == datetime(2018, 10, 17, 10, 30, tzinfo=UTC) for e in result.entries)


@needs_samples
def test_sample_maire_info_mojibake_repaired():
    content = (SAMPLES / "rss" / "prospect-rss-feeds_maire-info_rss2_regenerated_mojibake_2026-04-15.xml").read_bytes()
    result = parse(content, "https://www.maire-info.com/rss", "application/rss+xml", SOURCE)
    assert len(result.entries) == 10
    assert any(t.title.startswith("Intégration des étrangers") for t in result.entries)
    assert all("Ã" not in e.title and "Â" not in e.title for e in result.entries)


@needs_samples
def test_sample_afp_an_french_typography():
    content = (SAMPLES / "rss" / "regardscitoyens_afp-an_rss2_2019-06-18_trimmed3.rss").read_bytes()
    result = parse(content, "https://www.assemblee-nationale.fr/rss", "application/rss+xml", SOURCE)
    assert [e.title for e in result.entries][1] == "L'Assemblée nationale adopte le projet de loi sur les mobilités"
    assert result.entries[0].published == datetime(2019, 6, 18, 14, 24, tzinfo=UTC)


@needs_samples
def test_sample_empty_channel():
    content = (SAMPLES / "rss" / "regardscitoyens_afp-an_rss2_empty-channel_2022-03-02.rss").read_bytes()
    assert parse(content, "https://x.fr/", "application/rss+xml", SOURCE).entries == []


def feed(items: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>F</title>'
            f'<link>https://exemple.gouv.fr/</link>{items}</channel></rss>').encode("utf-8")


def test_an_entry_without_title_or_link_is_named_by_its_first_words_or_skipped():
    result = parse(feed(
        "<item><guid isPermaLink='false'>g1</guid><description>&lt;p&gt;Le préfet &lt;b&gt;rappelle&lt;/b&gt; les règles.&lt;/p&gt;</description></item>"
        "<item><guid isPermaLink='false'>g2</guid><description><![CDATA[<img alt=\"&#169;\" />]]></description></item>"
        "<item><description><![CDATA[<img alt=\"&#169;\" />]]></description></item>"
        "<item><link>https://exemple.gouv.fr/sans-titre</link></item>"
        f"<item><guid isPermaLink='false'>g5</guid><description>{'mot ' * 60}</description></item>"),
        "https://exemple.gouv.fr/flux", "application/rss+xml", SOURCE)
    assert [e.title for e in result.entries] == [
        "Le préfet rappelle les règles.", "https://exemple.gouv.fr/sans-titre", ("mot " * 30).strip() + " …"]
    assert result.skipped == {"ni titre, ni lien, ni texte": 1, "ni titre, ni lien, ni identifiant": 1}


def test_angle_brackets_in_titles_are_text_unless_the_feed_says_html():
    result = parse(feed(
        "<item><guid>1</guid><title>Marchés publics : seuil &lt;40 000 € HT&gt; relevé</title></item>"
        "<item><guid>2</guid><title><![CDATA[montant <90 000 € et >40 000 €]]></title></item>"
        "<item><guid>3</guid><title>D&amp;eacute;cret &lt;b&gt;n° 12&lt;/b&gt;</title></item>"
        "<item><guid>4</guid><title>Seuil</title><description><![CDATA[entre <5 000 € et >1 000 €]]></description></item>"),
        "https://exemple.gouv.fr/flux", "application/rss+xml", SOURCE)
    assert [e.title for e in result.entries] == [
        "Marchés publics : seuil <40 000 € HT> relevé", "montant <90 000 € et >40 000 €", "Décret n° 12", "Seuil"]
    stored = normalise(result.entries[3], "https://exemple.gouv.fr/flux")
    assert stored.content_html == "entre &lt;5 000 € et &gt;1 000 €" and stored.text == "entre <5 000 € et >1 000 €"


def test_a_plain_text_atom_summary_is_escaped_before_it_is_read_as_html():
    atom = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><entry><id>urn:1</id>'
            '<title type="text">Seuil &lt;b&gt; &amp; &lt;40 000 €&gt;</title>'
            '<summary type="text">Texte &lt;i&gt;brut&lt;/i&gt;</summary></entry></feed>').encode()
    (entry,) = parse(atom, "https://exemple.gouv.fr/flux", "application/atom+xml", SOURCE).entries
    stored = normalise(entry, "https://exemple.gouv.fr/flux")
    assert stored.title == "Seuil <b> & <40 000 €>"
    assert stored.text == "Texte <i>brut</i>"
