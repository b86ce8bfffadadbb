"""The DILA JORF dumps: listing, streamed tar.gz, XML records joined back into texts.

The fixtures under tests/fixtures/jorf/ are hand-built in the shape of DILA's JORF formats:
../shared/samples has no modern JORF TEXTE_VERSION, JORFARTI or TM-rich JORFCONT, nor a snapshot
of the Apache listing. The tar.gz dumps are built here at run time from those files.
"""
import gzip
import io
import os
import tarfile
from datetime import date, datetime, timezone

import pytest

from tests.conftest import FIXTURES, SAMPLES, needs_samples
from veille.entry import ParseError
from veille.sources.dila import Dump, iter_members, parse_listing
from veille.jo_issue import JoIssue, issue_line
from veille.sources.jorf import parse_container, parse_text, read_dump

JORF = FIXTURES / "jorf"
SAMPLES_JORF = SAMPLES / "jorf"
BASE = "https://echanges.dila.gouv.fr/OPENDATA/JORF/"
STAMP = "20170329-014512"
SUPPRESSION = f"{STAMP}/jorf/global/liste_suppression_jorf.dat"
UTC = timezone.utc
DECREE, NOMINATION, ORDER = "JORFTEXT000034300001", "JORFTEXT000034300002", "JORFTEXT000034300003"
INTERIOR = "Décrets, arrêtés, circulaires / Textes généraux / Ministère de l'intérieur"


def fixture(name: str) -> bytes:
    return (JORF / name).read_bytes()


def dila_path(kind: str, ident: str) -> str:
    """Where DILA stores a record: <stamp>/jorf/global/texte/version/JORF/TEXT/00/00/34/30/00/JORFTEXT….xml."""
    digits = ident[8:]
    folders = "/".join(digits[i:i + 2] for i in range(0, 10, 2))
    return f"{STAMP}/jorf/global/{kind}/JORF/{ident[4:8]}/{folders}/{ident}.xml"


def make_tar(members, mode: str = "w:gz") -> bytes:
    """A tar.gz of (name, bytes) pairs, or of (TarInfo, bytes) for hostile members."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode, format=tarfile.PAX_FORMAT) as tar:
        for name, data in members:
            info = name if isinstance(name, tarfile.TarInfo) else tarfile.TarInfo(name)
            if info.isreg():
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return buffer.getvalue()


def special(name: str, kind: bytes, linkname: str = "") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, linkname
    return info, b""


ARTICLES = [  # in tar order: not the article order
    ("article", "JORFARTI000034300012", "article_JORFARTI000034300012_art3.xml"),
    ("article", "JORFARTI000034300013", "article_JORFARTI000034300013_art1er.xml"),
    ("article", "JORFARTI000034300011", "article_JORFARTI000034300011_art2.xml"),
]
OUTLINE = [
    ("texte/struct", DECREE, "texte_struct_JORFTEXT000034300001.xml"),
    ("section_ta", "JORFSCTA000034300010", "section_ta_JORFSCTA000034300010.xml"),
]
TEXTS = [
    ("texte/version", ORDER, "texte_version_JORFTEXT000034300003_arrete.xml"),
    ("texte/version", DECREE, "texte_version_JORFTEXT000034300001_decret.xml"),
    ("texte/version", NOMINATION, "texte_version_JORFTEXT000034300002_nomination.xml"),
    # The dump re-issues an older copy of the arrêté after the newer one: it must lose.
    ("texte/version", ORDER, "texte_version_JORFTEXT000034300003_arrete_older.xml"),
]
CONTAINER = [("conteneur", "JORFCONT000034300000", "conteneur_JORFCONT000034300000_jo-0075.xml")]


def dump_members(*groups, replace: dict[str, bytes] | None = None) -> list[tuple[str, bytes]]:
    members = []
    for group in groups:
        for kind, ident, name in group:
            members.append((dila_path(kind, ident), (replace or {}).get(name, fixture(name))))
    return members


def full_dump(**options):
    members = dump_members(ARTICLES[:1], TEXTS, OUTLINE, ARTICLES[1:], CONTAINER)
    members.append((SUPPRESSION, b"JORF/TEXT/00/00/34/29/99/JORFTEXT000034299999\n"))
    return read_dump(io.BytesIO(make_tar(members)), **options)


def by_key(result):
    return {entry.key: entry for entry in result.entries}


# --- Listing -------------------------------------------------------------------------------

def test_listing_keeps_daily_dumps_only_sorted_and_absolute():
    dumps = parse_listing(fixture("listing_apache_iso-8859-1.html"), BASE)
    assert [d.name for d in dumps] == [
        "JORF_20170329-014512.tar.gz", "JORF_20170330-012519.tar.gz", "JORF_20170331-011003.tar.gz"]
    assert dumps[0] == Dump("JORF_20170329-014512.tar.gz", BASE + "JORF_20170329-014512.tar.gz",
                            datetime(2017, 3, 28, 23, 45, 12, tzinfo=UTC))  # 01:45:12 in Paris, summer time
    assert dumps[2].url == BASE + "JORF_20170331-011003.tar.gz"
    assert all(d.stamp.tzinfo is not None for d in dumps)


def test_listing_in_utf8_and_base_without_final_slash():
    content = fixture("listing_apache_iso-8859-1.html").decode("iso-8859-1").encode("utf-8")
    dumps = parse_listing(content, BASE.rstrip("/"))
    assert [d.url for d in dumps][:1] == [BASE + "JORF_20170329-014512.tar.gz"]
    assert len(dumps) == 3


def test_listing_without_dumps_is_empty():
    page = b'<html><body><h1>Index of /OPENDATA/JORF</h1><a href="../">Parent</a></body></html>'
    assert parse_listing(page, BASE) == []


@pytest.mark.parametrize("content", [b"", b'{"fichiers": []}', gzip.compress(b"<html>"), b"JORF_20170329-014512.tar.gz"])
def test_listing_that_is_not_html_is_refused(content):
    with pytest.raises(ParseError, match="n'est pas une page HTML"):
        parse_listing(content, BASE)


# --- A whole dump --------------------------------------------------------------------------

def test_dump_gives_one_entry_per_text_in_sommaire_order():
    result = full_dump()
    assert [e.key for e in result.entries] == [DECREE, ORDER, NOMINATION]
    assert result.warnings == []


def test_decree_fields():
    decree = by_key(full_dump())[DECREE]
    assert decree.jorf_id == decree.key == DECREE
    assert decree.url == "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000034300001"
    assert decree.title == ("Décret n° 2017-431 du 28 mars 2017 relatif au répertoire électoral unique "
                            "et à la tenue des listes électorales")
    assert decree.nor == "INTA1708123D"
    assert decree.nature == "DÉCRET"
    assert decree.ministry == "Ministère de l'intérieur"
    assert (decree.jo_number, decree.jo_date) == ("0075", date(2017, 3, 29))
    assert decree.published == datetime(2017, 3, 28, 22, 0, tzinfo=UTC)
    assert decree.eli == "https://www.legifrance.gouv.fr/eli/decret/2017/3/28/INTA1708123D/jo/texte"  # from TEXTELR
    assert decree.summary.startswith("<p>Publics concernés : communes")
    assert decree.effective_date == date(2017, 7, 1)
    assert decree.extra == {"sommaire": INTERIOR}
    assert decree.tags == ("Décrets, arrêtés, circulaires", "Textes généraux", "Ministère de l'intérieur")


def test_decree_content_is_visas_articles_in_outline_order_then_signataires():
    content = by_key(full_dump())[DECREE].content_html
    marks = ["Vu le code électoral", "<h4>Article 1er</h4>", "Chapitre II : Dispositions finales",
             "<h4>Article 2</h4>", "<h4>Article 3</h4>", "Matthias Fekl"]
    positions = [content.index(mark) for mark in marks]
    assert positions == sorted(positions)
    assert "Publics concernés" not in content


def test_articles_without_outline_follow_their_numbers():
    members = dump_members(ARTICLES, TEXTS[1:2])
    content = read_dump(io.BytesIO(make_tar(members))).entries[0].content_html
    assert content.index("Article 1er") < content.index("Article 2") < content.index("Article 3")
    assert "Chapitre II" not in content


def test_effective_date_read_from_the_articles_when_there_is_no_notice():
    decree = fixture("texte_version_JORFTEXT000034300001_decret.xml")
    without_notice = decree[:decree.index(b"<NOTICE>")] + decree[decree.index(b"</NOTICE>") + 9:]
    members = dump_members(ARTICLES, TEXTS[1:2], replace={TEXTS[1][2]: without_notice})
    (entry,) = read_dump(io.BytesIO(make_tar(members))).entries
    assert entry.summary == ""
    # Article 2 "s'applique à compter du 1er mai"; article 3 "entre en vigueur le 1er juillet" wins.
    assert entry.effective_date == date(2017, 7, 1)


def test_reissued_record_keeps_the_latest_modification_whatever_the_order():
    for texts in (TEXTS, TEXTS[::-1]):
        order = by_key(read_dump(io.BytesIO(make_tar(dump_members(texts)))))[ORDER]
        assert order.title == "Arrêté du 24 mars 2017 relatif aux aides aux communes forestières"


def test_order_takes_ministry_from_sommaire_and_effective_date_from_date_debut():
    order = by_key(full_dump())[ORDER]
    assert order.nature == "ARRÊTÉ"
    assert order.ministry == "Ministère de l'agriculture, de l'agroalimentaire et de la forêt"
    assert order.effective_date == date(2017, 4, 1)  # DATE_DEBUT, later than the JO
    assert order.eli == "https://www.legifrance.gouv.fr/eli/arrete/2017/3/24/AGRT1708300A/jo/texte"
    assert "<h4>Nota</h4>" in order.content_html and "&amp; publiés" in order.content_html
    assert order.summary == ""


def test_nominative_measures_are_marked_or_dropped():
    nomination = by_key(full_dump())[NOMINATION]
    assert nomination.extra == {"sommaire": "Décrets, arrêtés, circulaires / Mesures nominatives / "
                                            "Ministère de l'intérieur", "nominative": "1"}
    assert nomination.effective_date is None
    kept = full_dump(exclude_nominative=True)
    assert [e.key for e in kept.entries] == [DECREE, ORDER]
    assert kept.issues[0].entries[2][1] == NOMINATION  # the sommaire itself is untouched


def test_dump_issues():
    (issue,) = full_dump().issues
    assert (issue.id, issue.number, issue.date, issue.title) == (
        "JORFCONT000034300000", "0075", date(2017, 3, 29), "JORF n°0075 du 29 mars 2017")
    assert issue.entries[0] == (INTERIOR, DECREE)
    assert issue.entries[3] == ("Avis et communications / Avis divers / Ministère de l'économie et des finances",
                                "JORFTEXT000034300009")


def test_text_outside_any_container_takes_its_jo_from_origine_publi():
    (entry,) = read_dump(io.BytesIO(make_tar(dump_members(TEXTS[2:3])))).entries
    assert entry.extra == {} and entry.tags == ()
    assert (entry.jo_number, entry.jo_date) == ("0075", date(2017, 3, 29))


def test_container_fills_what_the_text_left_blank():
    decree = fixture("texte_version_JORFTEXT000034300002_nomination.xml")
    bare = (decree.replace(b"<ORIGINE_PUBLI>JORF n\xc2\xb00075 du 29 mars 2017</ORIGINE_PUBLI>", b"<ORIGINE_PUBLI/>")
                  .replace(b"<DATE_PUBLI>2017-03-29</DATE_PUBLI>", b"<DATE_PUBLI>2999-01-01</DATE_PUBLI>")
                  .replace(b"<MINISTERE>Minist\xc3\xa8re de l'int\xc3\xa9rieur</MINISTERE>", b"<MINISTERE/>"))
    members = dump_members(TEXTS[2:3], CONTAINER, replace={TEXTS[2][2]: bare})
    (entry,) = read_dump(io.BytesIO(make_tar(members))).entries
    assert (entry.jo_number, entry.jo_date) == ("0075", date(2017, 3, 29))
    assert entry.published == datetime(2017, 3, 28, 22, 0, tzinfo=UTC)
    assert entry.ministry == "Ministère de l'intérieur"


# --- Single files --------------------------------------------------------------------------

def test_parse_text_alone_has_no_articles():
    entry = parse_text(fixture("texte_version_JORFTEXT000034300001_decret.xml"))
    assert entry.key == DECREE and entry.eli is None
    assert "Vu le code électoral" in entry.content_html and "Bernard Cazeneuve" in entry.content_html
    assert "<h4>" not in entry.content_html
    assert entry.effective_date == date(2017, 7, 1)  # from the NOTICE, "1<sup>er</sup> juillet"
    assert entry.extra == {}


@pytest.mark.parametrize("raw, expected", [
    ("DECRET", "DÉCRET"), ("ARRETE", "ARRÊTÉ"), ("LOI", "LOI"), ("LOI_ORGANIQUE", "LOI ORGANIQUE"),
    ("ORDONNANCE", "ORDONNANCE"), ("AVIS", "AVIS"), ("DECISION", "DÉCISION"), ("CIRCULAIRE", "CIRCULAIRE"),
    ("DELIBERATION", "DÉLIBÉRATION"), ("DECRET_LOI", "DÉCRET-LOI"), ("Arrêté", "ARRÊTÉ"), ("", None),
])
def test_natures(raw, expected):
    content = fixture("texte_version_JORFTEXT000034300001_decret.xml").replace(
        b"<NATURE>DECRET</NATURE>", f"<NATURE>{raw}</NATURE>".encode())
    assert parse_text(content).nature == expected


@pytest.mark.parametrize("content, message", [
    (b"<ARTICLE/>", "racine <TEXTE_VERSION> attendu"),
    (b"<TEXTE_VERSION><META><META_COMMUN/></META></TEXTE_VERSION>", "META_COMMUN/ID absent"),
    (b"<TEXTE_VERSION><META><META_COMMUN><ID>../../x</ID></META_COMMUN></META></TEXTE_VERSION>",
     "identifiant invalide « ../../x »"),
    (b"<TEXTE_VERSION><META><META_COMMUN><ID>JORFTEXT000000000001</ID></META_COMMUN></META></TEXTE_VERSION>",
     "titre absent : champs META_TEXTE_VERSION/TITREFULL et TITRE vides"),
    (b"<TEXTE_VERSION><META>", "XML mal formé"),
])
def test_parse_text_errors(content, message):
    with pytest.raises(ParseError, match=message):
        parse_text(content)


def test_parse_container():
    issue = parse_container(fixture("conteneur_JORFCONT000034300000_jo-0075.xml"))
    assert [text_id for _, text_id in issue.entries] == [DECREE, ORDER, NOMINATION, "JORFTEXT000034300009"]
    with pytest.raises(ParseError, match="racine <JO> attendu"):
        parse_container(fixture("texte_struct_JORFTEXT000034300001.xml"))


# --- Hostile archives ----------------------------------------------------------------------

def good_member() -> tuple[str, bytes]:
    return dila_path("texte/version", DECREE), fixture("texte_version_JORFTEXT000034300001_decret.xml")


def test_unsafe_members_are_skipped_with_a_warning():
    members = [
        ("../../etc/passwd", b"root:x:0:0"),
        ("/etc/shadow.xml", b"<x/>"),
        ("C:\\Windows\\win.xml", b"<x/>"),
        special(f"{STAMP}/jorf/lien.xml", tarfile.SYMTYPE, "/etc/passwd"),
        special(f"{STAMP}/jorf/dur.xml", tarfile.LNKTYPE, "../../etc/passwd"),
        special(f"{STAMP}/jorf/null.xml", tarfile.CHRTYPE),
        special(f"{STAMP}/jorf/tube.xml", tarfile.FIFOTYPE),
        special(f"{STAMP}/jorf/", tarfile.DIRTYPE),
        good_member(),
    ]
    warnings: list[str] = []
    read = list(iter_members(io.BytesIO(make_tar(members)), warn=warnings.append))
    assert [name for name, _ in read] == [good_member()[0]]
    assert warnings == [
        "membre « ../../etc/passwd » ignoré : chemin qui sort de l'archive (« .. »)",
        "membre « /etc/shadow.xml » ignoré : chemin absolu",
        "membre « C:\\Windows\\win.xml » ignoré : chemin absolu",
        f"membre « {STAMP}/jorf/lien.xml » ignoré : lien symbolique",
        f"membre « {STAMP}/jorf/dur.xml » ignoré : lien physique",
        f"membre « {STAMP}/jorf/null.xml » ignoré : fichier spécial (périphérique, tube ou fichier creux)",
        f"membre « {STAMP}/jorf/tube.xml » ignoré : fichier spécial (périphérique, tube ou fichier creux)",
    ]


def test_unsafe_members_are_logged_by_default_and_the_dump_goes_on(caplog):
    result = read_dump(io.BytesIO(make_tar([("../evil.xml", b"<x/>"), good_member()])))
    assert [e.key for e in result.entries] == [DECREE]
    assert result.warnings == ["membre « ../evil.xml » ignoré : chemin qui sort de l'archive (« .. »)"]
    list(iter_members(io.BytesIO(make_tar([("../evil.xml", b"<x/>")]))))
    assert "../evil.xml" in caplog.text


def test_oversized_member_is_refused_by_name():
    name = dila_path("texte/version", DECREE)
    with pytest.raises(ParseError, match=f"membre « {name} » refusé : \\d+ octets, au-delà de la limite de 1000 octets"):
        list(iter_members(io.BytesIO(make_tar([good_member()])), max_member_bytes=1000))


def test_oversized_non_xml_member_is_only_counted():
    members = [(f"{STAMP}/notes.txt", b"x" * 5000), good_member()]
    assert len(list(iter_members(io.BytesIO(make_tar(members)), max_member_bytes=4000))) == 1
    with pytest.raises(ParseError, match="plus de 6000 octets une fois décompressée"):
        list(iter_members(io.BytesIO(make_tar(members)), max_total_bytes=6000))


def test_too_many_members():
    members = [(f"{STAMP}/{i}.xml", b"<x/>") for i in range(4)]
    assert len(list(iter_members(io.BytesIO(make_tar(members)), max_members=4))) == 4
    with pytest.raises(ParseError, match="plus de 3 membres"):
        list(iter_members(io.BytesIO(make_tar(members)), max_members=3))


@pytest.mark.parametrize("content, problem", [
    (make_tar([good_member()] * 3)[:900], "archive tronquée"),
    (os.urandom(4096), "compression gzip invalide"),
    (b"", "archive vide"),
    (gzip.compress(b""), "archive vide"),
    (gzip.compress(os.urandom(2048)), "structure tar invalide"),
    (gzip.compress(b"a" * 1024)[:-20] + os.urandom(20), "illisible"),
])
def test_unreadable_archives(content, problem):
    with pytest.raises(ParseError, match=problem):
        read_dump(io.BytesIO(content))


def test_truncation_after_a_member_names_it():
    archive = make_tar([good_member(), (f"{STAMP}/gros.xml", os.urandom(200_000))])
    with pytest.raises(ParseError, match=f"dans le membre « {STAMP}/gros.xml » : archive tronquée"):
        read_dump(io.BytesIO(archive[: len(archive) // 2]))


def test_tar_cut_between_two_members_inside_a_whole_gzip():
    first = good_member()
    raw = make_tar([first, (f"{STAMP}/second.xml", b"<x/>")], mode="w")
    cut = raw.index(b"second.xml") // tarfile.BLOCKSIZE * tarfile.BLOCKSIZE  # the second member's headers
    with pytest.raises(ParseError, match=f"après le membre « {first[0]} » : archive tronquée, la fin d'archive tar manque"):
        list(iter_members(io.BytesIO(gzip.compress(raw[:cut]))))


def test_gzip_trailer_is_checked():
    archive = make_tar([good_member()])
    with pytest.raises(ParseError, match="archive tronquée"):
        list(iter_members(io.BytesIO(archive[:-8])))  # no CRC nor length
    corrupt = archive[:-8] + bytes([archive[-8] ^ 0xFF]) + archive[-7:]
    with pytest.raises(ParseError, match="compression gzip invalide ou corrompue"):
        list(iter_members(io.BytesIO(corrupt)))
    with pytest.raises(ParseError, match="compression gzip invalide ou corrompue"):
        list(iter_members(io.BytesIO(archive + b"du texte en trop")))


def test_garbage_after_the_last_member_is_not_an_end():
    raw = make_tar([good_member()], mode="w")
    end = raw.rstrip(b"\0")
    padded = end + b"\0" * (-len(end) % tarfile.BLOCKSIZE)
    with pytest.raises(ParseError, match="la fin d'archive tar manque"):
        list(iter_members(io.BytesIO(gzip.compress(padded + b"x" * tarfile.BLOCKSIZE))))


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE TEXTE_VERSION [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<TEXTE_VERSION><META><META_COMMUN><ID>&xxe;</ID></META_COMMUN></META></TEXTE_VERSION>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<JO>&lol3;</JO>"""


def test_hostile_and_malformed_members_give_warnings_and_the_dump_goes_on():
    members = [
        (f"{STAMP}/xxe.xml", XXE),
        (f"{STAMP}/laughs.xml", LAUGHS),
        (f"{STAMP}/tronque.xml", b"<TEXTE_VERSION><META>"),
        (f"{STAMP}/bizarre.xml", b"<AUTRE_CHOSE/>"),  # an unknown root: skipped silently
        (f"{STAMP}/binaire.xml", os.urandom(64).replace(b"<", b"")),
        (f"{STAMP}/article.xml", b"<ARTICLE><META><META_COMMUN><ID>JORFTEXT000000000001</ID></META_COMMUN></META></ARTICLE>"),
        good_member(),
    ]
    result = read_dump(io.BytesIO(make_tar(members)))
    assert [e.key for e in result.entries] == [DECREE]
    assert len(result.warnings) == 5
    assert result.warnings[0] == f"membre « {STAMP}/xxe.xml » ignoré : le document déclare des entités XML (DTD) : refusé par sécurité"
    assert result.warnings[1].startswith(f"membre « {STAMP}/laughs.xml » ignoré : le document déclare des entités")
    assert result.warnings[2].startswith(f"membre « {STAMP}/tronque.xml » ignoré : XML mal formé, ligne 1")
    assert result.warnings[4] == (f"membre « {STAMP}/article.xml » ignoré : champ META_COMMUN/ID : "
                                  "identifiant invalide « JORFTEXT000000000001 »")


def test_hostile_numbers_and_ids_do_not_crash():
    huge = b"9" * 5000
    container = fixture("conteneur_JORFCONT000034300000_jo-0075.xml").replace(b"<NUM>0075</NUM>", b"<NUM>" + huge + b"</NUM>")
    article = fixture("article_JORFARTI000034300011_art2.xml").replace(b"<NUM>2</NUM>", b"<NUM>" + huge + b"</NUM>")
    text = fixture("texte_version_JORFTEXT000034300001_decret.xml").replace(
        "JORF n°0075".encode(), "JORF n°".encode() + huge)
    replace = {CONTAINER[0][2]: container, ARTICLES[2][2]: article, TEXTS[1][2]: text}
    members = dump_members(CONTAINER, ARTICLES, TEXTS[1:2], replace=replace)
    members.append((f"{STAMP}/section.xml", b"<SECTION_TA><ID>../x</ID></SECTION_TA>"))
    result = read_dump(io.BytesIO(make_tar(members)))
    (entry,) = result.entries
    assert entry.jo_number == "9" * 5000  # from the container, kept as written
    assert entry.content_html.index("Article 1er") < entry.content_html.index("Article 3") < entry.content_html.index("Article 999")
    assert result.warnings == [f"membre « {STAMP}/section.xml » ignoré : champ ID : identifiant invalide « ../x »"]
    assert issue_line(result.issues).startswith("JOURNAL OFFICIEL n°999")


# --- Real samples --------------------------------------------------------------------------

@needs_samples
def test_real_container_sample():
    issue = parse_container((SAMPLES_JORF / "dila_jorf_conteneur_JORFCONT000000000001_from-rspec-heredoc.xml").read_bytes())
    assert (issue.id, issue.number, issue.date) == ("JORFCONT000000000001", "113", date(1993, 5, 7))
    assert issue.title == "JOUE n°113 du 7 mai 1993"
    assert issue.entries == [
        ("", "JORFTEXT000000339622"),
        ('Journal officiel "Lois et Décrets" / Présidence de la République', "JORFTEXT000030611222"),
    ]
    assert issue_line([issue]) == "JOURNAL OFFICIEL n°113 du 7 mai 1993"


@needs_samples
def test_real_legi_text_versions():
    code = parse_text((SAMPLES_JORF / "dila_legi_texte_version_LEGITEXT000005627819_code-marches-publics.xml").read_bytes())
    assert code.title == "Code des marchés publics (édition 2006)"
    assert code.nature == "CODE" and code.jorf_id is None
    assert code.published is None and code.jo_date is None  # 2999-01-01
    assert code.url == "https://www.legifrance.gouv.fr/codes/id/LEGITEXT000005627819"
    assert code.content_html == "" and code.effective_date is None

    order = parse_text((SAMPLES_JORF / "dila_legi_texte_version_LEGITEXT000006069747_arrete-1982-visas-signataires.xml").read_bytes())
    assert order.nature == "ARRÊTÉ" and order.nor is None and order.ministry is None
    assert order.published is None
    assert "Vu le décret n° 82-454" in order.content_html and "JACQUES DELORS" in order.content_html


def sample_text_version(text_id: str) -> bytes:
    """A JORF TEXTE_VERSION for the text of the real TEXTELR sample, from our own fixture."""
    return (fixture("texte_version_JORFTEXT000034300001_decret.xml")
            .replace(DECREE.encode(), text_id.encode())
            .replace(b"<NOTICE>", b"<!--").replace(b"</NOTICE>", b"-->"))


def sample_article(article_id: str, text_id: str, num: str) -> bytes:
    return (fixture("article_JORFARTI000034300011_art2.xml")
            .replace(b"JORFARTI000034300011", article_id.encode())
            .replace(DECREE.encode(), text_id.encode())
            .replace(b"<NUM>2</NUM>", f"<NUM>{num}</NUM>".encode()))


@needs_samples
def test_real_textelr_section_and_article_samples_in_a_dump():
    text_id = "JORFTEXT000030611441"
    members = [
        (dila_path("article", "JORFARTI000030611449"), sample_article("JORFARTI000030611449", text_id, "1")),
        (dila_path("article", "JORFARTI000030611446"), sample_article("JORFARTI000030611446", text_id, "2")),
        (dila_path("texte/struct", text_id),
         (SAMPLES_JORF / "dila_jorf_texte_struct_JORFTEXT000030611441_from-rspec-heredoc.xml").read_bytes()),
        (dila_path("texte/version", text_id), sample_text_version(text_id)),
        (dila_path("section_ta", "JORFSCTA000030611457"),
         (SAMPLES_JORF / "dila_jorf_section_ta_JORFSCTA000030611457_from-rspec-heredoc.xml").read_bytes()),
        (f"{STAMP}/legi/article.xml",
         (SAMPLES_JORF / "dila_legi_article_LEGIARTI000006291810_code-consommation.xml").read_bytes()),
    ]
    result = read_dump(io.BytesIO(make_tar(members)))
    assert result.warnings == []
    (entry,) = result.entries
    assert entry.eli == "http://www.legifrance.gouv.fr/eli/decret/2015/5/18/AGRS1501735D/jo/texte"
    content = entry.content_html
    # The real STRUCT lists JORFARTI…446 first: its order wins over the NUM we gave.
    assert content.index("<h4>Article 2</h4>") < content.index("<h4>Article 1</h4>") < content.index("<h3>Annexe</h3>")


# --- Issue line ----------------------------------------------------------------------------

def issue(number: str, day: date) -> JoIssue:
    return JoIssue(id=f"JORFCONT{number:0>12}", number=number, date=day, title="")


@pytest.mark.parametrize("issues, line", [
    ([issue("0075", date(2017, 3, 29))], "JOURNAL OFFICIEL n°75 du 29 mars 2017"),
    ([issue("0148", date(2017, 6, 25)), issue("0147", date(2017, 6, 24))],
     "JOURNAUX OFFICIELS n°s 147 et 148 des 24 et 25 juin 2017"),
    ([issue("0152", date(2017, 6, 30)), issue("0153", date(2017, 7, 1))],
     "JOURNAUX OFFICIELS n°s 152 et 153 des 30 juin et 1er juillet 2017"),
    ([issue("0303", date(2017, 12, 31)), issue("0001", date(2018, 1, 1))],
     "JOURNAUX OFFICIELS n°s 303 et 1 des 31 décembre 2017 et 1er janvier 2018"),
    # The calendar year, not the year of the week: 31 December 2018 is in the first week of 2019.
    ([issue("0302", date(2018, 12, 31)), issue("0001", date(2019, 1, 2))],
     "JOURNAUX OFFICIELS n°s 302 et 1 des 31 décembre 2018 et 2 janvier 2019"),
    ([issue("0151", date(2017, 6, 29)), issue("0152", date(2017, 6, 30)), issue("0153", date(2017, 7, 1))],
     "JOURNAUX OFFICIELS n°s 151, 152 et 153 des 29, 30 juin et 1er juillet 2017"),
    ([issue("0001", date(2017, 8, 1))], "JOURNAL OFFICIEL n°1 du 1er août 2017"),
    ([issue("0075", date(2017, 3, 29)), issue("0076", date(2017, 3, 29))],
     "JOURNAUX OFFICIELS n°s 75 et 76 du 29 mars 2017"),
    ([], ""),
])
def test_issue_line(issues, line):
    assert issue_line(issues) == line


# --- Withdrawn records (liste_suppression_jorf.dat) -----------------------------------------

def test_suppression_list_withdraws_texts_and_only_texts():
    listed = "\n".join([
        f"JORF/TEXT/00/00/34/30/00/{NOMINATION}",  # also in this dump: left out of its entries
        "JORF/TEXT/00/00/34/29/99/JORFTEXT000034299999",
        "JORF/ARTI/00/00/34/29/99/JORFARTI000034299998",  # an article: not an item
        "LEGI/TEXT/00/00/06/06/97/LEGITEXT000006069747",  # another fonds
        "", "   ", "pas un chemin",
        "JORF/TEXT/00/00/34/29/99/JORFTEXT000034299999",  # listed twice
    ]).encode("ascii") + b"\r\n"
    members = dump_members(ARTICLES, TEXTS, OUTLINE, CONTAINER) + [(SUPPRESSION, listed)]
    result = read_dump(io.BytesIO(make_tar(members)))
    assert result.withdrawn == [NOMINATION, "JORFTEXT000034299999"]
    assert [e.key for e in result.entries] == [DECREE, ORDER]
    assert result.warnings == []


def test_other_dat_files_are_not_a_suppression_list():
    members = dump_members(TEXTS[1:2]) + [(f"{STAMP}/jorf/global/autre.dat", f"JORF/TEXT/{DECREE}".encode())]
    result = read_dump(io.BytesIO(make_tar(members)))
    assert result.withdrawn == [] and [e.key for e in result.entries] == [DECREE]
