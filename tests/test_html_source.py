"""The HTML list-page parser on hand-made fixtures (real formats) and on the shared real samples."""
import hashlib
import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import FIXTURES, SAMPLES, needs_samples
from veille.catalog import Source
from veille.entry import ParseError
from veille.sources import html
from veille.charset import UNCERTAIN
from veille.sources.html import NO_LINK, article_text, decode_html, parse
from veille.text import html_to_text

UTC = timezone.utc
MINISTRY = "https://www.cohesion-territoires.gouv.fr/presse/communiques"
COMMUNIQUES = {"item": "article.communique", "title": "h2", "summary": ".fr-card__desc"}


def source(selectors: dict, category: str = "actualite") -> Source:
    return Source(id="ministere-presse", name="Ministère", kind="html", url=MINISTRY, category=category,
                  topics=(), interval=timedelta(hours=1), selectors=selectors)


def fixture(name: str) -> bytes:
    return (FIXTURES / "html" / name).read_bytes()


def read(name: str, selectors: dict, url: str = MINISTRY, content_type: str = "text/html"):
    return parse(fixture(name), url, content_type, source(selectors))


def key_of(identity: str) -> str:
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]


def test_communiques_titles_links_dates_and_summaries():
    result = read("ministere_communiques_utf8.html", COMMUNIQUES)
    dgf, elections, visit, fibre = result.entries
    assert dgf.title == "Dotation globale de fonctionnement 2026 : les montants individuels mis en ligne"
    assert dgf.url == ("https://www.cohesion-territoires.gouv.fr/presse/communiques/"
                       "dotation-globale-de-fonctionnement-2026-montants-mis-en-ligne?xtor=RSS-1")
    assert dgf.key == key_of("url:https://www.cohesion-territoires.gouv.fr/presse/communiques/"
                             "dotation-globale-de-fonctionnement-2026-montants-mis-en-ligne")
    assert dgf.published == datetime(2026, 3, 10, 13, 5, tzinfo=UTC)
    assert '<a href="https://www.cohesion-territoires.gouv.fr/dgf/2026/repartition">' in dgf.summary
    assert dgf.content_html == dgf.summary
    assert elections.title.startswith("Élections municipales : le répertoire électoral unique")
    assert elections.url == "https://www.cohesion-territoires.gouv.fr/presse/communiques/repertoire-electoral-unique"
    assert elections.published == datetime(2026, 3, 8, 23, 0, tzinfo=UTC)
    assert fibre.title == "Fibre optique : 1er bilan du plan France Très Haut Débit"
    assert fibre.published == datetime(2026, 3, 3, 23, 0, tzinfo=UTC)  # <time> without datetime
    assert fibre.summary == ""


def test_a_block_without_link_keeps_its_title_and_an_empty_block_is_skipped():
    result = read("ministere_communiques_utf8.html", COMMUNIQUES)
    visit = result.entries[2]
    assert visit.title == "Déplacement du ministre dans les Hautes-Alpes"
    assert visit.url is None
    assert visit.key == key_of("title:deplacement du ministre dans les hautes-alpes")
    assert visit.published == datetime(2026, 3, 6, 8, 30, tzinfo=UTC)
    assert result.skipped == {NO_LINK: 1}
    assert result.warnings == []


def test_title_defaults_to_the_link_text():
    result = read("ministere_communiques_utf8.html", {"item": "article.communique"})
    assert [e.title for e in result.entries][0].startswith("Dotation globale de fonctionnement 2026")
    assert len(result.entries) == 3 and result.skipped == {NO_LINK: 2}  # no link, no title selector: nothing to keep


def test_dates_in_prose_and_one_entry_per_document():
    result = read("dgcl_actualites_dates_en_prose.html",
                  {"item": ".views-row", "title": "h3", "date": ".date-publication", "summary": ".chapo"},
                  url="https://www.collectivites-locales.gouv.fr/actualites")
    dotations, fctva, guide = result.entries  # the 4th block repeats the first link
    assert dotations.published == datetime(2020, 2, 2, 23, 0, tzinfo=UTC)
    assert fctva.published == datetime(2020, 4, 1, 8, 30, tzinfo=UTC)
    assert fctva.nor is None and "TERB2008207J" in fctva.summary  # a news page cites a NOR, it has none of its own
    assert guide.published is None  # "Mis à jour en févr. 2020": a month is not a date
    assert result.warnings == ["1 élément sans date lisible avec le sélecteur « .date-publication »"]


def test_iso_8859_1_page_declared_in_http_equiv():
    result = read("prefecture_raa_iso-8859-1.html", {"item": "tr.ligne", "date": "td + td", "summary": "small"},
                  url="http://www.essonne.gouv.fr/raa")
    first, second = result.entries
    assert first.title == ("Recueil des actes administratifs n° 18 – arrêtés préfectoraux "
                           "relatifs à l’intercommunalité")
    assert second.title == "Recueil n° 17 – délégations de signature à la sous-préfète d’Étampes"
    assert first.url == "http://www.essonne.gouv.fr/content/download/raa/RAA_2016_018.pdf"
    assert "Cœur de Loire" in first.summary
    assert first.published == datetime(2016, 3, 17, 23, 0, tzinfo=UTC)


def test_base_href_javascript_links_and_linkless_blocks():
    result = read("base_href.html", {"item": "li.resultat", "date": ".date"},
                  url="https://www.circulaires.gouv.fr/index.php?page=2")
    instruction, circulaire = result.entries
    assert instruction.url == ("https://www.circulaires.gouv.fr/circulaires/liste/"
                               "instruction-2017-03-29-fonction-publique-territoriale.html")
    assert instruction.published == datetime(2017, 3, 28, 22, 0, tzinfo=UTC)
    assert circulaire.url == "https://www.circulaires.gouv.fr/pdf/2017/03/cir_41968.pdf"
    assert circulaire.title == "Circulaire du 24 mars 2017 relative aux marchés publics de travaux"
    assert result.skipped == {NO_LINK: 1}  # only a mailto: link


def test_a_selector_matching_nothing_is_a_warning_not_an_error():
    result = read("liste_vide.html", {"item": "article.communique"})
    assert result.entries == []
    assert result.warnings == ["0 élément trouvé avec le sélecteur « article.communique »"]


def test_hostile_page():
    started = time.perf_counter()
    result = read("hostile.html", {"item": ".item", "summary": ".resume", "date": "time"},
                  url="https://www.exemple.gouv.fr/actualites")
    assert time.perf_counter() - started < 5  # catastrophic backtracking would take minutes
    urls = [e.url for e in result.entries]
    assert urls == ["https://www.exemple.gouv.fr/actu/profond", "https://www.exemple.gouv.fr/actu/date-hostile"]
    deep = result.entries[0]
    assert deep.title.startswith("Décret profond")
    assert "javascript" not in deep.summary.lower()
    assert all(e.published is None for e in result.entries)
    assert result.skipped == {NO_LINK: 4}


@pytest.mark.parametrize("selectors, field", [
    ({}, "selectors.item"),
    ({"title": "h2"}, "selectors.item"),
    ({"item": ""}, "selectors.item"),
    ({"item": 12}, "selectors.item"),
    ({"item": "article["}, "selectors.item"),
    ({"item": "article", "title": "h2 >"}, "selectors.title"),
    ({"item": "article", "date": ":nope"}, "selectors.date"),
    ({"item": "article", "titre": "h2"}, "selectors.titre"),
])
def test_selector_errors_name_the_source_and_the_field(selectors, field):
    with pytest.raises(ParseError) as error:
        read("liste_vide.html", selectors)
    message = str(error.value)
    assert "source « ministere-presse »" in message and f"champ « {field} »" in message


def test_invalid_css_says_where():
    with pytest.raises(ParseError, match=r"sélecteur CSS invalide « article\[ » \(ligne 1, colonne 8\)"):
        read("liste_vide.html", {"item": "article["})


def test_empty_document_is_an_error():
    with pytest.raises(ParseError, match="document vide"):
        parse(b" \n", MINISTRY, "text/html", source({"item": "li"}))


def test_link_selector_and_blocks_that_are_links():
    page = (b'<ul><li><a class="pdf" href="/a.pdf">PDF</a> <span class="lien"><a href="/a">A</a></span></li>'
            b'<li><a class="pdf" href="javascript:void(0)">PDF</a><span class="lien">B</span></li>'
            b'<li><b>C</b></li></ul>'
            b'<p><a class="carte" href="/carte-1">Carte 1</a><a class="carte" href="/carte-2">Carte 2</a></p>')
    by_span = parse(page, MINISTRY, "", source({"item": "li", "link": ".lien", "title": "b, .lien"}))
    assert [(e.title, e.url) for e in by_span.entries] == [
        ("A", "https://www.cohesion-territoires.gouv.fr/a"), ("B", None), ("C", None)]
    by_class = parse(page, MINISTRY, "", source({"item": "li", "link": "a.pdf"}))
    assert [e.url for e in by_class.entries] == ["https://www.cohesion-territoires.gouv.fr/a.pdf"]
    cards = parse(page, MINISTRY, "", source({"item": "a.carte"}))
    assert [(e.title, e.url) for e in cards.entries] == [
        ("Carte 1", "https://www.cohesion-territoires.gouv.fr/carte-1"),
        ("Carte 2", "https://www.cohesion-territoires.gouv.fr/carte-2")]


def test_titles_break_at_block_tags_only():
    page = "<li><a href='/d'>Dé<b>cret</b><br>n°&nbsp;2020-1<!-- note --><div>du 1<sup>er</sup> mars</div></a></li>"
    (entry,) = parse(page.encode(), MINISTRY, "", source({"item": "li"})).entries
    assert entry.title == "Décret n° 2020-1 du 1er mars"


def test_a_title_across_table_cells_keeps_its_words_apart():
    page = "<table><tr><td><a href='/d'>Décret n° 2020-1</a></td><td>relatif aux seuils</td></tr></table>"
    (entry,) = parse(page.encode(), MINISTRY, "", source({"item": "table", "title": "tr"})).entries
    assert entry.title == "Décret n° 2020-1 relatif aux seuils"


def test_a_datetime_on_a_time_inside_the_date_node():
    page = '<div class="i"><a href="/x">X</a><p class="d">Publié <time datetime="2020-02-04">hier</time></p></div>'
    (entry,) = parse(page.encode(), MINISTRY, "", source({"item": ".i", "date": ".d"})).entries
    assert entry.published == datetime(2020, 2, 3, 23, 0, tzinfo=UTC)


def test_official_categories_get_a_nature():
    page = "<li><a href='/loi'>LOI n° 2012-410 du 27 mars 2012</a></li>".encode()
    (entry,) = parse(page, MINISTRY, "", source({"item": "li"}, category="journal-officiel")).entries
    assert entry.nature == "LOI"
    (plain,) = parse(page, MINISTRY, "", source({"item": "li"})).entries
    assert plain.nature is None


def test_too_many_blocks_are_cut(monkeypatch):
    monkeypatch.setattr(html, "MAX_ITEMS", 2)
    page = "".join(f"<li><a href='/{n}'>{n}</a></li>" for n in range(5)).encode()
    result = parse(page, MINISTRY, "", source({"item": "li"}))
    assert [e.title for e in result.entries] == ["0", "1"]
    assert result.warnings == ["3 éléments ignorés au-delà des 2 premiers"]


LATIN = "<p>Arrêté préfectoral</p>"


@pytest.mark.parametrize("content, content_type, expected", [
    (LATIN.encode("utf-8"), "", LATIN),
    (b"<p>ok</p>", "text/html; charset=iso-8859-1", "<p>ok</p>"),
    (LATIN.encode("latin-1"), "", LATIN),  # no declaration, not UTF-8: windows-1252
    (b'<meta charset="iso-8859-15">' + "€ Arrêté".encode("iso-8859-15"), "", '<meta charset="iso-8859-15">€ Arrêté'),
    (b'<meta charset="utf-8">' + LATIN.encode("latin-1"), "text/html; charset=ISO-8859-1", '<meta charset="utf-8">' + LATIN),
    (LATIN.encode("utf-8"), "text/html; charset=iso-8859-1", LATIN),  # declared Latin-1, sent UTF-8
    (LATIN.encode("latin-1"), 'text/html; charset="utf-8"', LATIN),  # declared UTF-8, sent Latin-1
    ("l’arrêté".encode("cp1252"), "text/html; charset=iso-8859-1", "l’arrêté"),  # Latin-1 read as windows-1252
    (b"\xef\xbb\xbf" + LATIN.encode("utf-8"), "text/html; charset=iso-8859-1", LATIN),
    (LATIN.encode("utf-16"), "", LATIN),
    (b'<meta charset="utf-16">' + LATIN.encode("utf-8"), "", '<meta charset="utf-16">' + LATIN),
    (LATIN.encode("utf-8"), "text/html; charset=rot13", LATIN),
    (LATIN.encode("utf-8"), "text/html; charset=base64", LATIN),
    (LATIN.encode("utf-8"), "text/html; charset=n'importe-quoi", LATIN),
    (b"\x81\x8d\xff", "", "\ufffd\ufffd\xff"),
])
def test_decoding_order(content, content_type, expected):
    assert decode_html(content, content_type) == expected


ARTICLE_URL = "https://www.cohesion-territoires.gouv.fr/presse/dgf"


def test_article_text_takes_the_article():
    text = article_text(fixture("article_communique.html"), ARTICLE_URL, "text/html; charset=utf-8", None)
    assert text.startswith("<h1>Dotation globale de fonctionnement 2026")
    assert '<a href="https://www.cohesion-territoires.gouv.fr/dgf/2026/repartition">' in text
    for noise in ("partager", "bloc de partage", "Accueil", "Mentions légales", "Presse"):
        assert noise not in text


def test_article_text_with_a_selector_then_main_then_body():
    page = fixture("article_communique.html")
    assert html_to_text(article_text(page, ARTICLE_URL, "", "div.texte")).startswith("Les montants individuels")
    assert html_to_text(article_text(page, ARTICLE_URL, "", "div.absent")).startswith("Dotation globale")
    no_article = b"<header>Haut</header><main><p>Principal</p></main><footer>Bas</footer>"
    assert article_text(no_article, ARTICLE_URL, "", None) == "<p>Principal</p>"
    bare = b"<body><nav>Menu</nav><header>Haut</header><p>Texte <a href='javascript:x()'>lien</a></p><footer>Bas</footer></body>"
    assert article_text(bare, ARTICLE_URL, "", None) == "<p>Texte <a>lien</a></p>"
    assert article_text(b"", ARTICLE_URL, "", None) == ""


def test_article_text_refuses_an_invalid_selector():
    with pytest.raises(ParseError, match="champ « options.article_selector » : sélecteur CSS invalide"):
        article_text(b"<p>x</p>", ARTICLE_URL, "", "div[")


SENAT_URL = "http://www.senat.fr/basile/rechercheQuestion.do?_na=QG"
SENAT = {"item": "#block-results tr:has(div.document)", "title": "div.document > a",
         "date": "td:last-child", "summary": "div.document > small"}


@needs_samples
def test_senat_question_search_iso_8859_1():
    content = (SAMPLES / "html" / "senat_questions_recherche_resultats_iso-8859-1_2016.html").read_bytes()
    result = parse(content, SENAT_URL, "text/html", source(SENAT, category="parlement"))
    assert len(result.entries) == 10 and result.skipped == {} and result.warnings == []
    first = result.entries[0]
    assert first.title == "Partenariat entre La Poste et l'État : maisons de services au public"
    assert first.url.startswith("http://www.senat.fr/basile/visio.do?id=qSEQ16030791G&idtable=q313501|")
    assert first.published == datetime(2016, 3, 17, 23, 0, tzinfo=UTC)  # 18/03/2016 in Paris
    lines = html_to_text(first.summary).splitlines()
    assert " ".join(lines[:5]) == "Question n° 0791G posée par M. Georges Labazée"
    assert lines[-1] == ("Ministère de l'aménagement du territoire, de la ruralité "
                         "et des collectivités territoriales")


@needs_samples
def test_legifrance_laws_list_without_jsessionid():
    content = (SAMPLES / "html" / "legifrance_old_lois_publiees_legislature13_2017.html").read_bytes()
    result = parse(content, "https://www.legifrance.gouv.fr/affichLoiPubliee.do?legislature=13", "text/html",
                   source({"item": "li.row", "title": "span.titre3", "date": "span.titre3"},
                          category="journal-officiel"))
    assert len(result.entries) == 261 and result.warnings == []
    assert not any("jsessionid" in e.url for e in result.entries)
    first = result.entries[0]
    assert first.url == ("https://www.legifrance.gouv.fr/affichLoiPubliee.do"
                         "?idDocument=JORFDOLE000024106525&type=general&legislature=13")
    assert first.title == "LOI n° 2012-410 du 27 mars 2012 relative à la protection de l'identité"
    assert first.nature == "LOI"
    assert first.published == datetime(2012, 3, 26, 22, 0, tzinfo=UTC)


@needs_samples
def test_legifrance_article_text_drops_scripts():
    content = (SAMPLES / "html" / "legifrance_old_echeancier_loi_JORFDOLE000024106525_2017.html").read_bytes()
    text = article_text(content, "https://www.legifrance.gouv.fr/affichLoiPubliee.do", "text/html", None)
    assert "<script" not in text and "affichTexte.do?cidTexte=JORFTEXT" in text


def test_an_undeclared_legacy_encoding_is_flagged_not_stored_garbled():
    text = "Постановление правительства о местном самоуправлении"
    page = f"<html><body><p class='a'><a href='/1'>{text}</a></p><p class='a'><a href='/2'>{text}</a></p></body></html>"
    result = parse(page.encode("koi8-r"), MINISTRY, "text/html", source({"item": "p.a"}))
    assert result.entries == [] and result.skipped == {UNCERTAIN: 2}
    declared = parse(page.encode("koi8-r"), MINISTRY, "text/html; charset=koi8-r", source({"item": "p.a"}))
    assert [e.title for e in declared.entries] == [text, text] and declared.skipped == {}
    with pytest.raises(ParseError, match="encodage incertain"):  # an article page: its teaser stays
        article_text(page.encode("koi8-r"), MINISTRY, "text/html", None)
    french = page.replace(text, "Arrêté préfectoral « sécurité » – œuvres").encode("cp1252")
    assert [e.title for e in parse(french, MINISTRY, "text/html", source({"item": "p.a"})).entries] == [
        "Arrêté préfectoral « sécurité » – œuvres"] * 2
