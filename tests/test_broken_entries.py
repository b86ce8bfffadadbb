"""One bad entry never loses the others: for every source kind, a document with a broken entry
between two good ones stores the two good ones, and the reason the third was left out shows in
`veille crawl`'s summary, in `veille sources` and on the source row."""
import io
import json
import re
import zipfile

from sqlalchemy import select

from tests.conftest import FIXTURES
from tests.test_crawl import rss, table
from tests.test_dila_questions import an_open_data
from tests.test_jorf import JORF as JORF_DIR, ORDER, TEXTS, dila_path, dump_members, make_tar
from tests.test_jorf_crawl import listing
from veille.models import Item, SourceState
from veille.sources import jurisprudence, questions
from veille.sources.dila_questions import parse_redif
from veille.sources.html import NO_LINK
from veille.sources.jorf import parse_text

DILA_QUESTIONS = FIXTURES / "dila_questions"
JURISPRUDENCE = FIXTURES / "jurisprudence"


def crawl_and_check(env, source: dict, titles: list[str], note: str) -> None:
    env.write_feeds([source])
    assert env.cli("init").code == 0
    result = env.cli("crawl")
    assert result.code == 0, result.err
    sid = source["id"]
    assert table(result.out)[sid][:3] == [str(len(titles)), "0", "0"], result.out
    assert note in table(result.out)[sid][3]
    assert "0 en erreur" in result.out
    with env.session() as session:
        assert sorted(session.scalars(select(Item.title))) == sorted(titles)
        state = session.get(SourceState, sid)
        assert state.failures == 0 and state.last_error is None
        assert note in state.health_warning
    listing = env.cli("sources")
    assert listing.code == 0 and note in table(listing.out)[sid][-1]


def test_rss_entry_with_neither_title_link_nor_guid(env, server):
    body = rss({"title": "Premier décret", "guid": "g1", "link": "https://ex.gouv.fr/1"},
               {"title": "", "text": '<![CDATA[<img alt="&#169;" />]]>'},
               {"title": "Second décret", "guid": "g3", "link": "https://ex.gouv.fr/3"})
    url = server.route("/f.xml", body)
    crawl_and_check(env, {"id": "f", "name": "F", "url": url}, ["Premier décret", "Second décret"],
                    "1 élément ignoré : ni titre, ni lien, ni identifiant")


def test_html_block_with_neither_title_nor_link(env, server):
    page = ('<html><body><ul>'
            '<li class="avis"><a href="/avis/1">Avis de la commission</a></li>'
            '<li class="avis"><img src="/logo.png" alt=""></li>'
            '<li class="avis"><a href="/avis/3">Avis du comité</a></li></ul></body></html>')
    url = server.route("/avis.html", page, headers={"Content-Type": "text/html; charset=utf-8"})
    crawl_and_check(env, {"id": "avis", "name": "Avis", "kind": "html", "url": url, "selectors": {"item": "li.avis"}},
                    ["Avis de la commission", "Avis du comité"], f"1 élément ignoré : {NO_LINK}")


def test_jorf_text_without_title(env, server):
    untitled = (JORF_DIR / TEXTS[0][2]).read_bytes()
    untitled = re.sub(rb"<TITREFULL>.*?</TITREFULL>", b"<TITREFULL/>", untitled, flags=re.S)
    untitled = re.sub(rb"<TITRE>.*?</TITRE>", b"<TITRE/>", untitled, flags=re.S)
    good = [TEXTS[1], TEXTS[2]]
    members = dump_members([good[0]]) + [(dila_path("texte/version", ORDER), untitled)] + dump_members([good[1]])
    name = "JORF_20170329-014512.tar.gz"
    server.route("/JORF/", listing(name), headers={"Content-Type": "text/html"})
    server.route(f"/JORF/{name}", make_tar(members))
    titles = [parse_text((JORF_DIR / g[2]).read_bytes()).title for g in good]
    crawl_and_check(env, {"id": "jo", "name": "JO", "kind": "jorf", "url": server.url("/JORF/"),
                          "category": "journal-officiel"}, titles,
                    f"membre « {dila_path('texte/version', ORDER)} » ignoré : titre absent")


def test_questions_zip_member_without_number(env, server):
    first, second = an_open_data("5210"), an_open_data("5211")
    broken = json.dumps({"question": {"uid": "QANR5L17QE5212", "type": "QE"}}).encode()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        for name, data in (("a.json", first), ("b.json", broken), ("c.json", second)):
            zipped.writestr(name, data)
    url = server.route("/qe.zip", archive.getvalue(), headers={"Content-Type": "application/zip"})
    titles = [questions.parse_document(data).entries[0].title for data in (first, second)]
    crawl_and_check(env, {"id": "qe", "name": "QE", "kind": "questions", "url": url,
                          "category": "reponses-ministerielles"}, titles,
                    "membre « b.json » ignoré : question « QANR5L17QE5212 » : champ « numéro » absent")


def test_dila_question_with_a_garbled_number(env, server):
    redif = (DILA_QUESTIONS / "REDIF_ANQ20250040.xml").read_bytes()
    broken = redif.replace(b"<numeroQuestion>9802</numeroQuestion>", b"<numeroQuestion>n/a</numeroQuestion>")
    server.route("/AN/", listing("ANQ20250040.taz"), headers={"Content-Type": "text/html"})
    server.route("/AN/ANQ20250040.taz", make_tar([("REDIF_ANQ20250040.xml", broken)]))
    titles = [e.title for e in parse_redif(redif).entries if e.extra["question_number"] != "9802"]
    assert len(titles) >= 2
    crawl_and_check(env, {"id": "dila-qe", "name": "Questions", "kind": "questions", "url": server.url("/AN/"),
                          "category": "reponses-ministerielles", "options": {"format": "dila"}}, titles,
                    "question 2 de la section QE ignorée : champ « idQuestion/numeroQuestion » invalide « n/a »")


def test_judilibre_decision_without_an_id(env, server):
    search = json.loads((JURISPRUDENCE / "judilibre_search.json").read_bytes())
    search["results"].insert(1, {"id": "../../admin", "jurisdiction": "cc"})
    body = json.dumps(search).encode()
    url = server.route("/judilibre.json", body, headers={"Content-Type": "application/json"})
    titles = [e.title for e in jurisprudence.parse(
        (JURISPRUDENCE / "judilibre_search.json").read_bytes(), url, "", None).entries]
    assert len(titles) == 2
    crawl_and_check(env, {"id": "cass", "name": "Cour de cassation", "kind": "jurisprudence", "url": url,
                          "category": "jurisprudence"}, titles,
                    "décision « results[1] » ignorée : champ « id » absent ou invalide « ../../admin »")
