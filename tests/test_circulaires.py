"""DILA CIRCULAIRES exports end to end: a directory served on 127.0.0.1, crawled by the CLI, the
PDFs fetched from the same server. The XML records are written here in the shape of the real
`cir_<ID>.xml` files (root CIRCULAIRE, DILA's field names); no sample of the format is shared."""
import json
from datetime import timedelta
from html import escape

import pytest

from tests.test_jorf import make_tar
from tests.test_jorf_crawl import listing
from veille.catalog import Source
from veille.entry import ParseError
from veille.sources.circulaires import FLUX_NAMES, parse_circulaire, pdf_text
from veille.sources.dila import parse_listing

OLD, NEWER = "circulaire_22122518h00.tar.gz", "circulaire_02012618h00.tar.gz"  # 22 Dec 2025, 2 Jan 2026


def record(number: int, title: str, summary: str = "", pdf: str | None = None, size: int = 1000,
           state: str = "V", author: str = "Ministère de l'intérieur", nor: str = "INTB2600001J") -> bytes:
    pdf = f"/pdf/2026/01/cir_{number}.pdf" if pdf is None else pdf
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<CIRCULAIRE><UTILISATEUR_DEPOSANT_MINISTERE>13</UTILISATEUR_DEPOSANT_MINISTERE>\
<NOM_FICHIER_PDF>{escape(pdf)}</NOM_FICHIER_PDF><ID_CIRCULAIRE>{number}</ID_CIRCULAIRE>\
<TAILLE_FICHIER_PDF>{size}</TAILLE_FICHIER_PDF><ETAT>{state}</ETAT><DATE_DEPOT>2026-01-02</DATE_DEPOT>\
<DATE_EXPORT>2026-01-02</DATE_EXPORT><LISTE_MINISTERES_DEPOSANTS/><LISTE_DOMAINES><DOMAINE>Collectivités \
territoriales</DOMAINE></LISTE_DOMAINES><TITRE>{escape(title)}</TITRE><NUMERO_NOR>{nor}</NUMERO_NOR>\
<NUMERO_INTERNE></NUMERO_INTERNE><DATE_SIGNATURE>2025-12-29</DATE_SIGNATURE><AUTEUR>{escape(author)}</AUTEUR>\
<RESUME>{escape(summary)}</RESUME><TEXTES_DE_REFERENCE><TEXTE_REF>Code électoral</TEXTE_REF><URL_TEXTE_REF>\
</URL_TEXTE_REF></TEXTES_DE_REFERENCE><REMPLACE></REMPLACE><SIGNATAIRE>L. N.</SIGNATAIRE>\
<OPPOSABLE>n</OPPOSABLE></CIRCULAIRE>""".encode()


def export(*records: tuple[int, bytes]) -> bytes:
    return make_tar([(f"xml/2026/01/cir_{number}.xml", content) for number, content in records])


def make_pdf(*lines: str, padding: int = 0) -> bytes:
    """A one-page PDF (Helvetica, WinAnsi) showing these lines, with its cross-reference table."""
    def literal(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    shown_lines = "".join(f"({literal(line)}) Tj 0 -16 Td " for line in lines)
    stream = f"BT /F1 12 Tf 72 720 Td {shown_lines}ET".encode("cp1252") + b" " * padding
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def source(**options) -> Source:
    return Source("circ", "Circulaires", "circulaires", "https://echanges.dila.gouv.fr/OPENDATA/CIRCULAIRES/FLUX/x/",
                  "circulaires", (), timedelta(days=1), options=options)


def crawled(env) -> dict[str, dict]:
    out = env.cli("items", "--json", "--limit", "100").out
    return {i["url"].rsplit("/", 1)[-1]: i for i in map(json.loads, out.splitlines())}


def test_export_names_sort_by_their_date_not_their_letters():
    page = listing("circulaire_05062615h30.tar.gz", NEWER, OLD, "circulaire_99999999h99.zip").encode()
    dumps = parse_listing(page, "https://echanges.dila.gouv.fr/OPENDATA/CIRCULAIRES/FLUX/2026/", FLUX_NAMES)
    assert [d.name for d in dumps] == [OLD, NEWER, "circulaire_05062615h30.tar.gz"]


def test_a_record_gives_the_metadata_the_summary_and_the_pdf_link():
    entry, state = parse_circulaire(record(45634, "Instruction du 29 décembre 2025 relative aux bureaux de vote",
                                           "Organisation des scrutins de mars 2026."), source())
    assert state == "V" and entry.key == "cir_45634"
    assert entry.url == "https://www.legifrance.gouv.fr/circulaire/id/45634"
    assert entry.extra["pdf"] == "https://circulaires.legifrance.gouv.fr/pdf/2026/01/cir_45634.pdf"
    assert (entry.nature, entry.nor, entry.ministry) == ("INSTRUCTION", "INTB2600001J", "Ministère de l'intérieur")
    assert entry.tags == ("Collectivités territoriales",) and entry.extra["date_signature"] == "2025-12-29"
    assert entry.published.isoformat() == "2026-01-01T23:00:00+00:00"  # 2 January, midnight in Paris
    assert "Organisation des scrutins" in entry.content_html and "Texte de la circulaire (PDF)" in entry.content_html


def test_hostile_records_keep_the_circulaire_or_name_the_problem():
    for link in ("javascript:alert(1)", "http://[", "file:///etc/passwd"):
        entry, _ = parse_circulaire(record(7, "Circulaire relative aux cimetières", pdf=link), source())
        assert "pdf" not in entry.extra and "PDF" not in entry.content_html
    cut = record(8, "Circulaire relative aux cimetières", "Résumé coupé").replace("coupé".encode(), b"coup\xc3")
    entry, _ = parse_circulaire(cut, source())
    assert entry.summary == "Résumé coup\ufffd"
    with pytest.raises(ParseError, match="élément racine « JORF » \\(CIRCULAIRE attendu\\)"):
        parse_circulaire(b"<JORF/>", source())
    with pytest.raises(ParseError, match="entités XML"):
        parse_circulaire(b'<!DOCTYPE x [<!ENTITY a "b">]><CIRCULAIRE/>', source())


def test_pdf_text_is_extracted_with_accents():
    assert pdf_text(make_pdf("Circulaire relative à la déchèterie", "Les élus sont informés.")) == \
        "Circulaire relative à la déchèterie\nLes élus sont informés."


def test_circulaires_are_crawled_with_the_text_of_small_pdfs_and_hostile_links_refused(env, server):
    server.route("/FLUX/", listing(OLD, NEWER), headers={"Content-Type": "text/html"})
    server.route(f"/FLUX/{NEWER}", export(
        (101, record(101, "Circulaire du 2 janvier 2026 relative aux bureaux de vote", "Scrutins de mars 2026.")),
        (102, record(102, "Circulaire relative au PDF cassé", "Résumé seul.")),
        (103, record(103, "Circulaire relative au PDF annoncé trop gros", "Résumé seul.", size=5_000_000)),
        (104, record(104, "Circulaire relative au PDF plus gros qu'annoncé", "Résumé seul.")),
        (105, record(105, "Circulaire au lien privé", "Résumé seul.", pdf="http://10.1.2.3/pdf/cir_105.pdf")),
        (106, record(106, "Circulaire au lien de métadonnées", "Résumé seul.",
                     pdf="http://169.254.169.254/latest/meta-data.pdf")),
        (107, b"<CIRCULAIRE><ID_CIRCULAIRE>107</ID_CIRCULAIRE></CIRCULAIRE>"),
    ))
    server.route("/pdf/2026/01/cir_101.pdf", make_pdf("Les bureaux de vote ouvrent à 8 heures.", "Émargement."))
    server.route("/pdf/2026/01/cir_102.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\n%%EOF")
    server.route("/pdf/2026/01/cir_103.pdf", make_pdf("jamais lu"))
    server.route("/pdf/2026/01/cir_104.pdf", make_pdf("trop gros", padding=40_000))
    env.write_feeds([{"id": "circ", "name": "Circulaires", "kind": "circulaires", "url": server.url("/FLUX/"),
                      "category": "circulaires", "interval": "1d",
                      "options": {"pdf_max_mb": 0.02, "pdf_base": server.url("/")}}])

    out = env.cli("crawl").out
    assert "6 nouveaux" in out, out
    assert server.hits.get(f"/FLUX/{OLD}") is None  # the newest export by date, not by name
    assert "circulaire 102 : PDF non lu (PDF illisible" in out
    assert "circulaire 104 : PDF non lu (réponse trop volumineuse" in out
    assert "circulaire 105 : PDF non lu (adresse refusée : 10.1.2.3" in out
    assert "circulaire 106 : PDF non lu (adresse refusée : 169.254.169.254" in out
    assert "membre « xml/2026/01/cir_107.xml » ignoré : circulaire 107 : champ « TITRE » absent ou vide" in out
    assert server.hits.get("/pdf/2026/01/cir_103.pdf") is None  # announced over the cap: never fetched

    items = crawled(env)
    assert set(items) == {"101", "102", "103", "104", "105", "106"}
    assert items["101"]["category"] == "circulaires" and items["101"]["nature"] == "CIRCULAIRE"
    found = env.cli("search", "émargement")
    assert "bureaux de vote" in found.out, found.out
    assert "bureaux de vote" not in env.cli("search", "jamais").out


def test_a_withdrawn_circulaire_is_hidden(env, server):
    server.route("/FLUX/", listing(OLD), headers={"Content-Type": "text/html"})
    server.route(f"/FLUX/{OLD}", export((201, record(201, "Circulaire relative aux cimetières", "Concessions."))))
    env.write_feeds([{"id": "circ", "name": "Circulaires", "kind": "circulaires", "url": server.url("/FLUX/"),
                      "category": "circulaires", "options": {"pdf_max_mb": 0}}])
    assert "1 nouveau" in env.cli("crawl").out
    assert server.hits.get("/pdf/2026/01/cir_201.pdf") is None  # pdf_max_mb: 0, never fetched
    server.route("/FLUX/", listing(OLD, NEWER), headers={"Content-Type": "text/html"})
    server.route(f"/FLUX/{NEWER}", export((201, record(201, "Circulaire relative aux cimetières", state="A"))))
    out = env.cli("crawl").out
    assert "1 retiré par la DILA (masqué)" in out, out
    item = crawled(env)["201"]
    assert item["hidden"] is True and item["hidden_reason"] == "retiré par la DILA"
