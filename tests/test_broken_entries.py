"""One bad entry never loses the others: for every source kind, a document with a broken entry
between two good ones stores the two good ones, and the reason the third was left out shows in
`veille crawl`'s summary, in `veille sources` and on the source row."""
from sqlalchemy import select

from tests.test_crawl import rss, table
from veille.models import Item, SourceState


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
