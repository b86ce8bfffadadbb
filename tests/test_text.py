import sys
import unicodedata

import pytest

from veille.text import COMBINING_BELOW, clean_text, fold, html_title, html_to_text, sanitize_html, shorten
from veille.urls import canonical_url


def test_sanitize_keeps_only_http_links_and_allowed_tags():
    dirty = (
        '<p onclick="alert(1)">Texte <script>alert(2)</script><b>gras</b></p>'
        '<a href="javascript:alert(1)">a</a>'
        '<a href="&#106;avascript:alert(2)">b</a>'
        '<a href="JaVaScRiPt:alert(3)">c</a>'
        '<a href="data:text/html,x">d</a>'
        '<svg xmlns:xlink="http://www.w3.org/1999/xlink"><a xlink:href="javascript:alert(4)">e</a></svg>'
        '<a href="/relatif">rel</a><a href="https://www.legifrance.gouv.fr/">ok</a>'
        '<img src="x.png" onerror="alert(5)">'
    )
    clean = sanitize_html(dirty, base_url="https://www.exemple.gouv.fr/actu/")
    lowered = clean.lower()
    for bad in ("javascript", "script", "onclick", "onerror", "data:", "svg", "xlink", "alert"):
        assert bad not in lowered, bad
    assert '<a href="https://www.exemple.gouv.fr/relatif"' in clean
    assert 'href="https://www.legifrance.gouv.fr/"' in clean
    assert '<img src="https://www.exemple.gouv.fr/actu/x.png"' in clean
    assert "<b>gras</b>" in clean


def test_only_absolute_http_links_survive_even_when_disguised_or_without_a_base():
    dirty = ('<a href="java%09script:alert(1)">a</a><a href=" jav&#x09;ascript:alert(2)">b</a>'
             '<a href="//autre.example/x">c</a><img src="i.png"><a href="http://[::1">d</a>')
    resolved = sanitize_html(dirty, base_url="https://www.exemple.gouv.fr/actu/page")
    assert resolved == ('<a href="https://www.exemple.gouv.fr/actu/java%09script:alert(1)" '
                        'rel="noopener noreferrer nofollow">a</a><a rel="noopener noreferrer nofollow">b</a>'
                        '<a href="https://autre.example/x" rel="noopener noreferrer nofollow">c</a>'
                        '<img src="https://www.exemple.gouv.fr/actu/i.png"><a rel="noopener noreferrer nofollow">d</a>')
    unresolved = sanitize_html(dirty)
    assert "href=" not in unresolved and "src=" not in unresolved


def test_html_title_removes_markup_entities_and_control_characters():
    assert html_title("<em>Décret</em> n°&nbsp;2020-1622 &amp; suites\x07") == "Décret n° 2020-1622 & suites"
    assert html_title("L&amp;#39;arrêté") == "L'arrêté"
    assert html_title("IntÃ©gration des Ã©trangers") == "Intégration des étrangers"
    assert html_title("simplificationet#8230; très complexe") == "simplification… très complexe"
    assert html_title("1<sup>er</sup> janvier") == "1er janvier"


def test_escaped_angle_brackets_are_text_in_an_html_title():
    assert html_title("Marchés publics : seuil &lt;40 000 € HT&gt; relevé") == "Marchés publics : seuil <40 000 € HT> relevé"
    assert html_title("<b>montant</b> &lt;90 000 € et &gt;40 000 €") == "montant <90 000 € et >40 000 €"


def test_clean_text_keeps_angle_brackets_and_decodes_only_whole_entities():
    assert clean_text("montant <90 000 € et >40 000 €") == "montant <90 000 € et >40 000 €"
    assert clean_text("  seuil <b>  relevé\n") == "seuil <b> relevé"
    assert clean_text("D&eacute;cret R&D &notes") == "Décret R&D &notes"
    assert clean_text("simplificationet#8230; très complexe") == "simplification… très complexe"


def test_html_to_text_keeps_blocks_as_lines():
    text = html_to_text("<p>Premier&nbsp;paragraphe.</p><ul><li>un</li><li>deux</li></ul>fin<br>ligne")
    assert text.splitlines() == ["Premier paragraphe.", "un", "deux", "fin", "ligne"]


def test_fold_removes_case_and_accents():
    assert fold("État CIVIL, Île-de-France") == "etat civil, ile-de-france"


def test_canonical_url_drops_session_tracking_and_fragment():
    assert canonical_url("HTTPS://WWW.Legifrance.gouv.fr:443/affichTexte.do;jsessionid=ABC?cidTexte=JORF1&utm_source=x#art") \
        == "https://www.legifrance.gouv.fr/affichTexte.do?cidTexte=JORF1"
    assert canonical_url("https://a.fr/p?b=2&a=1&xtor=RSS-1") == "https://a.fr/p?a=1&b=2"
    assert canonical_url("ftp://a.fr/x") is None
    assert canonical_url("http://a.fr:8080/x") == "http://a.fr:8080/x"
    assert canonical_url("https://a.fr/p;JSESSIONID=0A1B?x=1") == "https://a.fr/p?x=1"  # Java servers' spelling
    assert canonical_url("https://a.fr") == canonical_url("https://a.fr/") == "https://a.fr/"


def test_a_url_without_host_has_no_canonical_form():
    for url in ("http:///chemin", "https://", "http:chemin", "https://:443/x", None, ""):
        assert canonical_url(url) is None, url


def test_identifiers_are_ascii_digits_only():
    from veille.official import find_jorf_id, find_nor
    assert find_nor("NOR : TERB٢٠٠١٢٣٤A") is None and find_nor("NOR : TERB2001234A") == "TERB2001234A"
    assert find_jorf_id("JORFTEXT０００042607001") is None


def test_absolute_http_url_drops_what_browsers_drop_and_refuses_the_rest():
    from veille.urls import absolute_http_url
    base = "https://www.exemple.gouv.fr/actu/page"
    assert absolute_http_url("http://ex.org/a\tb\n") == "http://ex.org/ab"
    assert absolute_http_url(" java\tscript:alert(1)", base) is None
    assert absolute_http_url("java%09script:alert(1)") is None
    assert absolute_http_url("java%09script:alert(1)", base) == "https://www.exemple.gouv.fr/actu/java%09script:alert(1)"
    assert absolute_http_url("https://ex.org:99999/x") is None
    assert absolute_http_url("\x00http://ex.org/") is None


def test_fold_knows_every_combining_character():
    """fold() deletes the combining characters below text.COMBINING_BELOW: there are none above."""
    assert not [c for c in range(COMBINING_BELOW, sys.maxunicode + 1) if unicodedata.combining(chr(c))]
    assert fold("Ǻ\u0301 ÉCOLE ÉLÉMENTAIRE d’Étaples") == "a ecole elementaire d’etaples"
    assert fold("\U0001e900\U0001e94a") == "\U0001e922"  # Adlam: lower case, and its nukta is a combining mark


BASE = "https://www.exemple.gouv.fr/actu/page"


def test_sanitize_keeps_only_the_allowed_tags_and_attributes_and_drops_comments():
    dirty = ('<p class="x" id="y" style="color:red">a<!-- note interne --></p><ol start="3"><li>x</li></ol>'
             '<blockquote cite="https://a.fr/">c</blockquote><font color="red">f</font> <center>g</center>'
             '<table><tr><td align="left" colspan="2">d</td><th scope="col" abbr="x">e</th></tr></table>'
             '<abbr title="Journal officiel">JO</abbr>')
    assert sanitize_html(dirty) == (
        '<p>a</p><ol><li>x</li></ol><blockquote>c</blockquote>f g<table><tbody><tr><td colspan="2">d</td>'
        '<th scope="col">e</th></tr></tbody></table><abbr title="Journal officiel">JO</abbr>')


def test_sanitize_keeps_plain_http_links_and_images():
    assert sanitize_html('<a href="http://www.exemple.fr/x">lien</a><img src="http://www.exemple.fr/i.png">') == (
        '<a href="http://www.exemple.fr/x" rel="noopener noreferrer nofollow">lien</a>'
        '<img src="http://www.exemple.fr/i.png">')


def test_sanitize_keeps_the_text_before_the_first_tag_and_nothing_of_an_empty_body():
    leading = 'Le « texte » "cité" &lt;b&gt; d\'abord, <a href="/x">lien</a> &amp; après'
    assert sanitize_html(leading, base_url=BASE) == (
        'Le « texte » "cité" &lt;b&gt; d\'abord, <a href="https://www.exemple.gouv.fr/x" '
        'rel="noopener noreferrer nofollow">lien</a> &amp; après')
    for empty in ("", "  \n", "<!-- seul -->", "<!DOCTYPE html>"):
        assert sanitize_html(empty, base_url=BASE) == "" and sanitize_html(empty) == "", repr(empty)


def test_a_document_without_body_is_read_not_raised():
    """lxml fails an assertion on « <html></html> »: both readers fall back to the text."""
    assert sanitize_html("<html></html>", base_url=BASE) == ""
    assert html_to_text("<html></html>") == ""
    assert html_to_text("<html><head><title>Décret</title></head></html>") == "Décret"
    assert html_title("<html><head><title>Arrêté du 3 mars</title></head></html>") == "Arrêté du 3 mars"


def test_section_blocks_and_table_cells_keep_their_words_apart():
    page = ("<article><header>Actualité</header><section>Première partie</section><section>Seconde</section>"
            "<figure><img src='a.png'><figcaption>Légende</figcaption></figure></article>"
            "<table><caption>Seuils</caption><tr><th>Procédure</th><th>Montant</th></tr>"
            "<tr><td>Marché</td><td>40 000 €</td></tr></table>")
    lines = ["Actualité", "Première partie", "Seconde", "Légende", "Seuils", "Procédure Montant", "Marché 40 000 €"]
    assert html_to_text(page).splitlines() == lines
    assert html_to_text(sanitize_html(page, base_url=BASE)).splitlines() == lines


def test_html_to_text_starts_a_line_at_every_block_and_break():
    text = html_to_text("avant<p>paragraphe</p>ligne<br>suite<div>bloc <b>gras</b></div>fin")
    assert text.splitlines() == ["avant", "paragraphe", "ligne", "suite", "bloc gras", "fin"]
    assert html_to_text("Texte &amp; suite") == "Texte & suite"
    for empty in ("", " \n\t", "<p> </p>"):
        assert html_to_text(empty) == "", repr(empty)


def test_no_text_is_an_empty_text():
    assert clean_text(None) == clean_text("") == html_title(None) == html_title("") == ""


# The text as meant, and how its UTF-8 was read (windows-1252 has no character for the ligature's 0x81).
MEANT = [("Intégration de l’État : ﬁnances « locales »", "latin-1"), ("Montant : 30\u00a0€ pour l’année", "latin-1"),
         ("Montant : 30\u00a0€ pour l’année", "cp1252"), ("Le « décret » — l’œuvre", "cp1252")]


@pytest.mark.parametrize("meant, encoding", MEANT)
def test_mojibake_is_repaired_to_the_text_meant_and_nothing_else_changes(meant, encoding):
    garbled = meant.encode("utf-8").decode(encoding)
    assert garbled != meant
    assert clean_text(garbled) == clean_text(meant) == " ".join(meant.split())  # quotes, ligatures kept


def test_repaired_text_is_nfc_and_a_stray_no_break_space_is_a_space():
    assert clean_text("IntÃ©gration des e\u0301lus") == "Intégration des élus"  # NFC: one character for é
    assert clean_text("Le texte a Ã©tÃ© adoptÃ©Â") == "Le texte a été adopté"
    assert html_to_text("<p>Seuil : 30Â</p><p>euros Ã  payer</p>") == "Seuil : 30\neuros à payer"


def test_shorten_keeps_a_short_text_whole_on_one_line():
    assert shorten("  Un\n texte \t court ", 40) == "Un texte court"
    assert shorten("abcde fghij", 11) == "abcde fghij"


@pytest.mark.parametrize("end", [".", "?", "!"])
def test_shorten_cuts_after_the_last_sentence_that_ends_late_enough(end):
    assert shorten(f"Un{end} Deux trois{end} Quatre cinq six sept", 20) == f"Un{end} Deux trois{end}"


def test_shorten_cuts_at_a_sentence_only_in_the_second_half_of_the_limit():
    assert shorten("Abcdefghij. Klmnop qrstuv wxyz", 21) == "Abcdefghij."  # the end at exactly half counts
    assert shorten("Abcdefgh. Klmnop qrstuv wxyz", 21) == "Abcdefgh. Klmnop …"


def test_shorten_otherwise_cuts_after_the_last_whole_word():
    assert shorten("aaaa bbbb cccc dddd", 12) == "aaaa bbbb …"
    assert shorten("aaaa bbbb cccc dddd", 10) == "aaaa bbbb …"  # the limit falls right after a word
